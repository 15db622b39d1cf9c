//! The runtime through the public API: publisher isolation, capture,
//! re-entrancy, loggers with their own observers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use spindle::{
    Event, LogLevel, LogPublisher, Logger, Observer, captured_logs, format_event, info, warn,
};

/// Collects the text of each event it sees.
#[derive(Default)]
struct Texts(Mutex<Vec<String>>);

impl Observer for Texts {
    fn observe(&self, event: &Event<'_>) {
        self.0.lock().unwrap().push(event.text().into_owned());
    }
}

impl Texts {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn a_panicking_observer_is_reported_once_per_burst_and_called_again() {
    let publisher = Arc::new(LogPublisher::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    publisher.add_observer(move |e: &Event<'_>| {
        c.fetch_add(1, Ordering::SeqCst);
        if e.text().starts_with("bad") {
            panic!("observer broke on {}", e.text());
        }
    });
    let texts = Arc::new(Texts::default());
    publisher.add_shared(texts.clone());
    let log = Logger::new("iso").with_observer(publisher.clone());
    for text in ["bad 1", "bad 2", "bad 3", "good", "bad 4"] {
        info!(logger: &log, "{text}", text);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        5,
        "the failing observer is called every time"
    );
    let seen = texts.take();
    let reports: Vec<&String> = seen
        .iter()
        .filter(|t| t.starts_with("Temporarily disabling observer "))
        .collect();
    assert_eq!(reports.len(), 2, "one report per burst: {seen:?}");
    assert!(
        reports[0].ends_with("due to exception: observer broke on bad 1"),
        "{}",
        reports[0]
    );
    assert!(
        reports[1].ends_with("due to exception: observer broke on bad 4"),
        "{}",
        reports[1]
    );
    assert_eq!(
        seen.len(),
        7,
        "every event reached the other observer: {seen:?}"
    );
}

#[test]
fn observers_can_be_removed_and_levels_follow_them() {
    struct Wants(LogLevel, Texts);
    impl Observer for Wants {
        fn observe(&self, event: &Event<'_>) {
            self.1.observe(event)
        }
        fn max_level(&self) -> Option<LogLevel> {
            Some(self.0)
        }
    }
    let publisher = Arc::new(LogPublisher::new());
    assert!(
        !publisher.enabled(LogLevel::Critical),
        "no observers: nothing is enabled"
    );
    let warn_only = Arc::new(Wants(LogLevel::Warn, Texts::default()));
    let id = publisher.add_shared(warn_only.clone());
    assert!(publisher.enabled(LogLevel::Warn) && !publisher.enabled(LogLevel::Info));
    let log = Logger::new("lvl").with_observer(publisher.clone());
    info!(logger: &log, "dropped");
    warn!(logger: &log, "kept");
    assert_eq!(warn_only.1.take(), ["kept"]);
    assert!(publisher.remove_observer(id));
    assert!(!publisher.remove_observer(id));
    assert!(!publisher.enabled(LogLevel::Critical));
}

#[test]
fn a_logger_keeps_its_own_observers_answer_for_its_namespace() {
    /// Wants its level under `app::db`, errors elsewhere.
    struct DbAt(AtomicUsize, Texts);
    impl Observer for DbAt {
        fn observe(&self, event: &Event<'_>) {
            self.1.observe(event)
        }
        fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
            let db = LogLevel::from_u8(self.0.load(Ordering::Relaxed) as u8);
            if namespace.starts_with("app::db") {
                db
            } else {
                Some(LogLevel::Error)
            }
        }
    }
    let observer = Arc::new(DbAt(
        AtomicUsize::new(LogLevel::Debug.as_u8().into()),
        Texts::default(),
    ));
    let db = Logger::new("app::db").with_observer(observer.clone());
    let web = Logger::new("app::web").with_observer(observer.clone());
    // Asked when the logger was made: even a first call below the level
    // evaluates nothing.
    let mut evaluated = false;
    info!(logger: &web, "{x}", x = {
        evaluated = true;
        1
    });
    assert!(!evaluated);
    assert!(!web.enabled(LogLevel::Warn) && web.enabled(LogLevel::Error));
    spindle::debug!(logger: &db, "db {n}", n = 1);
    spindle::error!(logger: &web, "web {n}", n = 2);
    spindle::trace!(logger: &db, "not wanted");
    assert_eq!(observer.1.take(), ["db 1", "web 2"]);
    // The answer changes: asked again as soon as a publisher is told (a
    // first call below the new level evaluates nothing either). (Until
    // then the old answer is kept; other tests' publishers, told of their
    // own changes at any time, make that part untestable here.)
    observer
        .0
        .store(LogLevel::Warn.as_u8().into(), Ordering::Relaxed);
    LogPublisher::new().update_max_level();
    info!(logger: &db, "{x}", x = {
        evaluated = true;
        1
    });
    assert!(!evaluated);
    warn!(logger: &db, "db {n}", n = 3);
    assert_eq!(observer.1.take(), ["db 3"]);
    // A clone keeps the answer; a clone sent elsewhere asks its new observer.
    let texts = Arc::new(Texts::default());
    let elsewhere = web.clone().with_observer(texts.clone());
    info!(logger: &elsewhere, "everything");
    info!(logger: &web.clone(), "still errors only");
    assert_eq!(texts.take(), ["everything"]);
    assert!(observer.1.take().is_empty());
}

#[test]
fn capture_removes_its_observer_even_when_the_block_panics() {
    let result = std::panic::catch_unwind(|| {
        captured_logs(|| {
            info!("before the panic");
            panic!("test body failed");
        })
    });
    assert!(result.is_err());
    let events = captured_logs(|| info!("after"));
    assert_eq!(
        events.iter().map(format_event).collect::<Vec<_>>(),
        ["after"]
    );
    // Observers are named after their type, which names this test's closure.
    let observers = format!("{:?}", spindle::global_publisher());
    assert!(
        !observers.contains("capture_removes_its_observer"),
        "{observers}"
    );
}

#[test]
fn capture_sees_only_its_own_thread() {
    let events = captured_logs(|| {
        std::thread::spawn(|| info!("from another thread"))
            .join()
            .unwrap();
        info!("from this thread");
    });
    assert_eq!(
        events.iter().map(format_event).collect::<Vec<_>>(),
        ["from this thread"]
    );
}

#[test]
fn a_value_that_logs_while_rendered_does_not_recurse_without_bound() {
    struct Loud(u32);
    impl std::fmt::Display for Loud {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let inner = Loud(self.0 + 1);
            info!("nested {inner}", inner);
            write!(f, "depth {}", self.0)
        }
    }
    let loud = Loud(0);
    let events = captured_logs(|| info!("{loud}", loud));
    assert!(!events.is_empty());
    assert!(events.len() <= 8, "bounded: {}", events.len());
    assert!(events.iter().any(|e| format_event(e) == "depth 0"));
}

#[test]
fn setup_errors_say_what_and_where() {
    let bad = spindle::Setup::new()
        .directives("info,app=loud")
        .begin()
        .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "Setup::directives: bad log directive `app=loud`: unknown log level `loud`: expected one of trace, debug, info, warn, error, critical, off"
    );
    let missing = spindle::Setup::new()
        .stderr(false)
        .json_file("/no/such/dir/app.json", spindle::Rotation::Daily, 1)
        .begin()
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "cannot open log file /no/such/dir/app.json: No such file or directory (os error 2)"
    );
}

/// What packing gives back, read back kept and live (as a kept copy and
/// its text), next to the kept copy, for each event a logger sees.
#[derive(Default)]
struct PackedAndKept(Mutex<Vec<Seen>>);

struct Seen {
    unpacked: Option<(spindle::OwnedEvent, spindle::OwnedEvent, String)>,
    kept: spindle::OwnedEvent,
    bytes: Vec<u8>,
}

impl Observer for PackedAndKept {
    fn observe(&self, event: &Event<'_>) {
        let mut words = Vec::new();
        let unpacked = spindle::pack(event, &mut words).then(|| {
            let mut unpacker = spindle::Unpacker::new();
            let kept = unpacker
                .unpack(&words)
                .unwrap_or_else(|e| panic!("{e} in {words:x?}"));
            let mut live = None;
            unpacker
                .unpack_with(&words, &mut |e| {
                    live = Some((e.to_owned_event(), e.text().into_owned()))
                })
                .unwrap_or_else(|e| panic!("{e} in {words:x?}"));
            let (live, text) = live.expect("handed over");
            (kept, live, text)
        });
        // as bytes, to look for text in them
        let bytes = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.0.lock().unwrap().push(Seen {
            unpacked,
            kept: event.to_owned_event(),
            bytes,
        });
    }
}

/// Every packable event reads back equal to its kept copy (the time aside,
/// which comes from another clock), so a queue of packed events loses nothing.
#[test]
fn packed_events_read_back_as_their_kept_copies() {
    use std::collections::BTreeMap;

    #[derive(spindle::LogSource)]
    struct Conn {
        peer: &'static str,
        #[log(redact)]
        token: &'static str,
    }
    struct OnlyDisplay;
    impl std::fmt::Display for OnlyDisplay {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("only display")
        }
    }
    struct Panics;
    impl std::fmt::Display for Panics {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("no text for you")
        }
    }

    let seen = Arc::new(PackedAndKept::default());
    let log = Logger::new(module_path!()).with_observer(seen.clone());
    let other = Logger::new("app::db")
        .with_observer(seen.clone())
        .with_system("db-1")
        .bind("shard", 3)
        .with_context(spindle::Context::THREAD | spindle::Context::PID);
    let (path, status, bytes) = ("/index", 200u16, 1234usize);
    let map: BTreeMap<&str, Vec<Option<i32>>> = [("a", vec![Some(1), None])].into();
    let conn = Conn {
        peer: "10.0.0.1",
        token: "secret",
    };
    let (f, big, neg, c, yes) = (0.1f32, u128::MAX, -7i128, 'é', true);
    let owned = String::from("owned");
    info!(logger: log, "request handled path={path} status={status} bytes={bytes}", path, status, bytes);
    info!(logger: other, "{path} in {owned}: {c} {yes} {neg} {x}", path, owned, c, yes, neg, x = 2.5f64);
    info!(logger: log, "{status:>6} {f} {big}", status, f, big);
    info!(logger: log, "{d} and {path.len()}", d = %OnlyDisplay, path);
    info!(logger: log, "{p} {q!r}", p = %path, q = ?map);
    info!(logger: log, "quiet", map, conn_peer = conn.peer, unit = ());
    info!(logger: log, source: &conn, "from {peer}", peer = conn.peer);
    info!(logger: log, "{bad}", bad = %Panics);
    info!(logger: log, "{raw}", raw = spindle::DisplayValue(OnlyDisplay));
    let err = std::io::Error::other("disk full");
    spindle::failure!(logger: log, "write failed", err);
    let seen = std::mem::take(&mut *seen.0.lock().unwrap());
    assert_eq!(seen.len(), 10);
    for (
        i,
        Seen {
            unpacked,
            kept,
            bytes,
        },
    ) in seen.into_iter().enumerate()
    {
        if i == 0 {
            // plain placeholders: the caller formatted no text
            assert!(!bytes.windows(4).any(|w| w == b"1234"), "{bytes:?}");
            // a field shown unchanged is packed once
            assert_eq!(bytes.windows(6).filter(|w| w == b"/index").count(), 1);
        }
        if i == 2 {
            // a spec: the text is rendered by the caller
            assert!(bytes.windows(6).any(|w| w == b"   200"), "{bytes:?}");
        }
        if i == 9 {
            assert!(unpacked.is_none(), "an event with a failure is kept whole");
            continue;
        }
        let (mut unpacked, mut live, text) = unpacked.unwrap_or_else(|| panic!("event {i} packs"));
        let (a, b) = (unpacked.time.unwrap(), kept.time.unwrap());
        assert!((a - b).abs() < 0.5, "event {i}: {a} vs {b}");
        assert_eq!(live.time, unpacked.time, "event {i}");
        unpacked.time = kept.time;
        live.time = kept.time;
        assert_eq!(unpacked, kept, "event {i}");
        assert_eq!(live, kept, "event {i}, read back live");
        assert_eq!(format_event(&unpacked), format_event(&kept), "event {i}");
        assert_eq!(text, format_event(&kept), "event {i}, read back live");
    }
}

/// What a call-site method is called on.
struct Door(&'static str);

impl Door {
    fn state(&self) -> String {
        format!("{} door", self.0)
    }
}

#[test]
fn buffers_an_event_reuses_hold_nothing_of_the_last_event() {
    // Ten placeholders (more than are kept inline), strings among them,
    // with and without a method call (whose values are taken in the same
    // pass as the text), and `%`/`?` captures: each call's buffers come
    // from the thread's pools, filled by the call before.
    let events = captured_logs(|| {
        for (word, door) in [("first", Door("red")), ("second", Door("blue"))] {
            let n = word.len();
            info!(
                "{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}",
                a = word,
                b = n,
                c = word,
                d = n,
                e = word,
                f = n,
                g = word,
                h = n,
                i = word,
                j = n
            );
            info!("{a} {b} {door.state()} {c}", a = word, b = %word, c = ?word, door);
        }
    });
    let texts: Vec<String> = events.iter().map(format_event).collect();
    assert_eq!(
        texts,
        [
            "first5first5first5first5first5",
            "first first red door \"first\"",
            "second6second6second6second6second6",
            "second second blue door \"second\"",
        ]
    );
    for (event, word) in events.iter().zip(["first", "first", "second", "second"]) {
        let strings = event
            .flattened
            .iter()
            .filter(|(k, _)| k.ends_with("!:"))
            .filter_map(|(_, v)| v.as_str())
            .filter(|s| s.contains("first") || s.contains("second"))
            .collect::<Vec<_>>();
        assert!(!strings.is_empty());
        assert!(strings.iter().all(|s| s.contains(word)), "{strings:?}");
    }
    let door = events[3]
        .flattened
        .iter()
        .find(|(k, _)| k.starts_with("door.state()!:"));
    assert_eq!(door.and_then(|(_, v)| v.as_str()), Some("blue door"));
}
