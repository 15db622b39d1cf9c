//! The bridge with the `log` crate, with a real published crate (globset)
//! that logs through `log`, and levels per namespace kept in call sites.
//! The `log` logger and the global publisher are global: one test
//! function.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use spindle::{
    Event, FilteringObserver, LogForwarder, LogLevel, LogLevelFilterPredicate, Logger, Observer,
    OwnedValue, captured_logs, format_event, global_log_beginner, info, install_log_bridge,
};

#[derive(Default)]
struct Records(Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Records {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        self.0.lock().unwrap().push((
            record.level(),
            record.target().to_string(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

#[test]
fn log_records_become_events_and_events_can_go_to_a_log_logger() {
    install_log_bridge().unwrap();
    assert!(install_log_bridge().is_err(), "a second logger is refused");

    // A published crate logging through `log` (globset logs when it builds a set).
    let events = captured_logs(|| {
        let mut builder = globset::GlobSetBuilder::new();
        builder.add(globset::Glob::new("*.rs").unwrap());
        builder.build().unwrap();
    });
    let from_globset: Vec<_> = events
        .iter()
        .filter(|e| {
            e.namespace
                .as_deref()
                .is_some_and(|n| n.starts_with("globset"))
        })
        .collect();
    assert!(!from_globset.is_empty(), "{events:?}");
    assert!(
        from_globset
            .iter()
            .all(|e| e.level == Some(LogLevel::Debug))
    );
    assert!(
        from_globset
            .iter()
            .any(|e| format_event(*e).contains("glob")),
        "{from_globset:?}"
    );

    // Key-values become fields; braces in the message stay literal text.
    let events = captured_logs(
        || log::warn!(target: "app::db", shard = 3, user = "ann"; "pool {{full}} at {}%", 95),
    );
    assert_eq!(format_event(&events[0]), "pool {full} at 95%");
    assert_eq!(events[0].level, Some(LogLevel::Warn));
    assert_eq!(events[0].field("shard"), Some(&OwnedValue::I64(3)));
    assert_eq!(
        events[0].field("user"),
        Some(&OwnedValue::Str("ann".into()))
    );
    assert_eq!(events[0].file.as_deref(), Some(file!()));
    let now = spindle::now();
    assert!((events[0].time.unwrap() - now).abs() < 60.0, "stamped now");

    // A thread makes each record into one event it refills: nothing of a
    // record is left in the next one's event.
    let events = captured_logs(|| {
        log::info!(target: "first::target", k = 1; "braces {{ {}", 1);
        log::info!(target: "t", "plain");
        log::info!(target: "t", "{}", "{n}");
    });
    assert_eq!(format_event(&events[0]), "braces { 1");
    assert_eq!(events[1].namespace.as_deref(), Some("t"));
    assert_eq!(events[1].format.as_deref(), Some("plain"));
    assert!(events[1].fields.is_empty());
    assert_eq!(format_event(&events[2]), "{n}", "braces in an argument");
    // Key-values are written over the record before's, whatever their
    // kinds: a string over a number, a number over a string, fewer.
    let events = captured_logs(|| {
        log::info!(target: "t", a = "a long string value", b = 2; "two");
        let addr = std::net::Ipv4Addr::LOCALHOST;
        log::info!(target: "t", b = true, addr:% = addr; "two again");
        log::info!(target: "t", c = "s"; "one");
    });
    let field = |name: &str, value| (name.to_string().into(), value);
    assert_eq!(
        events[0].fields,
        [
            field("a", OwnedValue::Str("a long string value".into())),
            field("b", OwnedValue::I64(2))
        ]
    );
    assert_eq!(
        events[1].fields,
        [
            field("b", OwnedValue::Bool(true)),
            field("addr", OwnedValue::Str("127.0.0.1".into()))
        ]
    );
    assert_eq!(events[2].fields, [field("c", OwnedValue::Str("s".into()))]);
    // A record logged while another is published (by an observer, here)
    // is made into an event of its own: the other observers see both whole.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let nested = spindle::global_publisher().add_observer(|e: &Event<'_>| {
        if e.text() == "outer" {
            log::warn!(target: "inner::target", "inner {}", 1);
        }
    });
    let sink = seen.clone();
    let later = spindle::global_publisher().add_observer(move |e: &Event<'_>| {
        let namespace = e.namespace().unwrap_or_default().to_string();
        sink.lock()
            .unwrap()
            .push((namespace, e.text().into_owned()));
    });
    log::info!(target: "outer::target", "outer");
    spindle::global_publisher().remove_observer(nested);
    spindle::global_publisher().remove_observer(later);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("inner::target".to_string(), "inner 1".to_string()),
            ("outer::target".to_string(), "outer".to_string())
        ]
    );

    // log::max_level follows the levels spindle's observers want.
    let quiet = FilteringObserver::new(|_: &Event<'_>| {})
        .with_predicate(LogLevelFilterPredicate::from_directives("warn").unwrap());
    global_log_beginner().begin_logging_to([Arc::new(quiet) as Arc<dyn Observer>]);
    assert_eq!(log::max_level(), log::LevelFilter::Warn);
    let events = captured_logs(|| assert_eq!(log::max_level(), log::LevelFilter::Trace));
    assert!(events.is_empty());
    assert_eq!(log::max_level(), log::LevelFilter::Warn);

    // Once the thread's event has grown to fit, a record allocates
    // nothing, key-values and all (the text observer's line included;
    // logging has begun, so no start-up buffer keeps the events).
    let text =
        spindle::global_publisher().add_observer(spindle::TextObserver::new(std::io::sink()));
    let record = || log::info!(target: "app::db", shard = 3, user = "ann"; "pool at {}%", 95);
    for _ in 0..3 {
        record();
    }
    // (the fewest of three runs: the line's time is formatted, which
    // allocates, once a second)
    let run = || allocation_counter::measure(|| (0..50).for_each(|_| record())).count_total;
    let fewest = (0..3).map(|_| run()).min();
    spindle::global_publisher().remove_observer(text);
    assert_eq!(fewest, Some(0), "allocations in 50 records");

    // A level for one namespace: a call below its own namespace's level
    // builds no event, though the global level lets it through. Each call
    // site asks once, on its first call (whose fields are evaluated then),
    // and again after a change; the calls in between evaluate nothing.
    let levels = Arc::new(
        LogLevelFilterPredicate::from_directives("warn,log_bridge::chatty=debug").unwrap(),
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let id = spindle::global_publisher().add_observer(
        FilteringObserver::new(move |e: &Event<'_>| {
            sink.lock().unwrap().push(format_event(&e.to_owned_event()))
        })
        .with_predicate(levels.clone()),
    );
    assert_eq!(
        log::max_level(),
        log::LevelFilter::Debug,
        "debug is wanted somewhere"
    );
    let quiet_call = || spindle::debug!("quiet {n}", n = evaluated());
    let evaluations = || EVALUATED.load(Ordering::Relaxed);
    for _ in 0..3 {
        chatty::call();
        quiet_call();
    }
    assert_eq!(evaluations(), 4, "chatty's three calls, and quiet's first");
    levels.set_level("log_bridge", Some(LogLevel::Debug));
    quiet_call();
    levels.set_level("log_bridge", Some(LogLevel::Error));
    quiet_call();
    chatty::call();
    assert_eq!(evaluations(), 7);
    quiet_call();
    quiet_call();
    assert_eq!(evaluations(), 7, "asked once after the change");
    assert_eq!(
        *seen.lock().unwrap(),
        ["chatty 0", "chatty 2", "chatty 3", "quiet 4", "chatty 6"]
    );
    // A capture wants everything, on its thread: the call sites ask again.
    let events = captured_logs(quiet_call);
    assert_eq!(events.len(), 1);
    // Loggers keep their namespace's answer the same way (shared by
    // their clones).
    let (db, web) = (
        Logger::new("log_bridge::chatty::db"),
        Logger::new("log_bridge::web"),
    );
    let web_clone = web.bind("k", 1);
    for _ in 0..2 {
        spindle::debug!(logger: &db, "db {n}", n = evaluated());
        spindle::debug!(logger: &web, "web {n}", n = evaluated());
        spindle::debug!(logger: &web_clone, "web {n}", n = evaluated());
    }
    assert_eq!(evaluations(), 11, "db twice, web's first call only");
    assert_eq!(seen.lock().unwrap().last().unwrap(), "db 10");
    levels.set_level("log_bridge::web", Some(LogLevel::Debug));
    spindle::debug!(logger: &web_clone, "web {n}", n = evaluated());
    assert_eq!(
        seen.lock().unwrap().last().unwrap(),
        "web 11",
        "asked again"
    );
    spindle::global_publisher().remove_observer(id);
    chatty::call();
    quiet_call();
    spindle::debug!(logger: &db, "db {n}", n = evaluated());
    assert_eq!(evaluations(), 12, "below the global level again");

    // The other way: spindle events forwarded to a `log::Log`.
    let records = Arc::new(Records::default());
    let forward = Arc::new(LogForwarder::new(RecordsRef(records.clone())));
    let logger = Logger::new("app::web").with_observer(forward);
    let n = 2;
    info!(logger: &logger, "{n} requests", n);
    // a source with a redacted field: the secret is in no forwarded record
    let user = User {
        name: "ann",
        password: "s3cret",
    };
    info!(logger: &logger, source: &user, "{log_source.name} in", user);
    assert!(!format!("{:?}", records.0.lock().unwrap()).contains("s3cret"));
    records.0.lock().unwrap().pop();
    spindle::critical!(logger: &logger, "down");
    assert_eq!(
        *records.0.lock().unwrap(),
        [
            (
                log::Level::Info,
                "app::web".to_string(),
                "2 requests".to_string()
            ),
            (
                log::Level::Error,
                "app::web".to_string(),
                "down".to_string()
            )
        ]
    );
}

/// How many times a call's field was evaluated (the call was built).
static EVALUATED: AtomicUsize = AtomicUsize::new(0);

fn evaluated() -> usize {
    EVALUATED.fetch_add(1, Ordering::Relaxed)
}

mod chatty {
    /// A call in namespace `log_bridge::chatty`.
    pub fn call() {
        spindle::debug!("chatty {n}", n = super::evaluated());
    }
}

#[derive(spindle::LogSource)]
struct User {
    name: &'static str,
    #[log(redact)]
    password: &'static str,
}

struct RecordsRef(Arc<Records>);
impl log::Log for RecordsRef {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        self.0.enabled(m)
    }
    fn log(&self, r: &log::Record<'_>) {
        self.0.log(r)
    }
    fn flush(&self) {}
}
