//! Every syntax form of every macro, end to end through capture.

use std::cell::Cell;
use std::sync::{Arc, Mutex};

use spindle::{
    Context, Event, LogLevel, LogSource, Logger, Observer, OwnedValue, captured_logs, critical,
    debug, emit, error, event_as_text, extract_field, failure, format_event, info, trace, warn,
};

#[derive(LogSource)]
struct Request {
    uri: String,
    status: u16,
    #[log(redact)]
    token: String,
    #[log(skip)]
    #[allow(dead_code)]
    internal: Vec<u8>,
    #[log(rename = "bytes")]
    size: usize,
}

impl Request {
    fn summary(&self) -> String {
        format!("{} {}", self.status, self.uri)
    }
}

fn request() -> Request {
    Request {
        uri: "/index".into(),
        status: 200,
        token: "s3cret".into(),
        internal: vec![1],
        size: 512,
    }
}

#[test]
fn the_issue_example() {
    let req = request();
    let body = [0u8; 42];
    let data = vec!["a", "b"];
    let worker = Worker { value: 7 };
    let something = "work";
    let events = captured_logs(|| {
        info!("<req.uri> answered <req.status>", req);
        info!(
            "{req.uri}: status={req.status}, bytes={size}",
            req,
            size = body.len()
        );
        debug!("Got data: {data!r}.", data);
        info!("{req.uri} useful but expensive: {req.summary()}", req);
        info!(source: &worker, "Object with value {log_source.value!r} doing {something}.", something);
        info!("{n} items", n = 3);
    });
    let texts: Vec<String> = events.iter().map(format_event).collect();
    assert_eq!(
        texts,
        [
            "/index answered 200",
            "/index: status=200, bytes=42",
            "Got data: [\"a\", \"b\"].",
            "/index useful but expensive: 200 /index",
            "Object with value 7 doing work.",
            "3 items",
        ]
    );
    assert_eq!(
        events[0].format.as_deref(),
        Some("{req.uri} answered {req.status}")
    );
    assert_eq!(events[0].namespace.as_deref(), Some(module_path!()));
    assert_eq!(events[2].level, Some(LogLevel::Debug));
    assert_eq!(
        events[4].namespace.as_deref(),
        Some(concat!(module_path!(), "::Worker"))
    );
    assert_eq!(
        events[4].source,
        Some(OwnedValue::Map(vec![("value".into(), OwnedValue::I64(7))]))
    );
    assert_eq!(events[0].file.as_deref(), Some(file!()));
    let here = line!() + 1;
    let events = captured_logs(|| info!("where"));
    assert_eq!(events[0].line, Some(here));
}

#[derive(LogSource)]
struct Worker {
    value: i32,
}

#[test]
fn levels_and_emit() {
    let events = captured_logs(|| {
        trace!("t");
        debug!("d");
        info!("i");
        warn!("w");
        error!("e");
        critical!("c");
        for level in spindle::ALL_LEVELS {
            emit!(level, "emitted at {level}", level = %level);
        }
    });
    let levels: Vec<_> = events.iter().map(|e| e.level.unwrap()).collect();
    assert_eq!(&levels[..6], &spindle::ALL_LEVELS);
    assert_eq!(&levels[6..], &spindle::ALL_LEVELS);
    assert_eq!(format_event(&events[9]), "emitted at warn");
}

#[test]
fn field_forms_conversions_and_specs() {
    #[derive(Debug)]
    struct Point {
        #[allow(dead_code)] // read through Debug only
        x: i32,
    }
    let addr = std::net::Ipv4Addr::LOCALHOST;
    let point = Point { x: 1 };
    let f = 2.0f64 / 3.0;
    let n = 255u32;
    let pair = (1, ("a", 2.5));
    let events = captured_logs(|| {
        info!("{addr} {p} {q}", %addr, p = ?point, q = %"disp");
        info!(
            "[{f:.3}] [{n:08}] [{n:x}] [{n:#X}] [{s:>6}] [{s:<6}] [{s:^7}] [{point:?}] [{s!r}]",
            f,
            n,
            s = "ab",
            ?point
        );
        info!(
            "{pair.0} {pair.1.0} {pair.1.1:.1} {v[1]} {m[k]}",
            pair,
            v = vec![10, 20],
            m = std::collections::HashMap::from([("k".to_string(), 5)])
        );
        info!("{{literal}} <<not a placeholder> Vec<u8> {n}", n);
    });
    let texts: Vec<String> = events.iter().map(format_event).collect();
    assert_eq!(texts[0], "127.0.0.1 Point { x: 1 } disp");
    assert_eq!(
        texts[1],
        "[0.667] [00000255] [ff] [0xFF] [    ab] [ab    ] [  ab   ] [Point { x: 1 }] [\"ab\"]"
    );
    assert_eq!(texts[2], "1 a 2.5 20 5");
    assert_eq!(texts[3], "{literal} <not a placeholder> Vec<u8> 255");
    // Display-captured values are stored as text, Debug ones as their Debug text.
    assert_eq!(
        events[0].field("addr"),
        Some(&OwnedValue::Str("127.0.0.1".into()))
    );
    assert_eq!(
        events[0].field("p"),
        Some(&OwnedValue::Str("Point { x: 1 }".into()))
    );
}

#[test]
fn flattened_keys_and_extract_field() {
    let req = request();
    let events = captured_logs(|| info!("{req.status:>5} {req.status} {req.summary()!r}", req));
    let e = &events[0];
    assert_eq!(
        e.flattened("req.status!s:>5"),
        Some(&OwnedValue::Str("  200".into()))
    );
    assert_eq!(e.flattened("req.status!:>5"), Some(&OwnedValue::U64(200)));
    assert_eq!(
        e.flattened("req.status!s:"),
        Some(&OwnedValue::Str("200".into()))
    );
    assert_eq!(
        e.flattened("req.summary()!r:"),
        Some(&OwnedValue::Str("\"200 /index\"".into()))
    );
    assert_eq!(extract_field("req.status", e), Ok(OwnedValue::U64(200)));
    assert_eq!(
        extract_field("req.uri", e),
        Ok(OwnedValue::Str("/index".into()))
    );
    assert_eq!(extract_field("req.bytes", e), Ok(OwnedValue::U64(512)));
    assert!(extract_field("req.token", e).unwrap().as_str() == Some("<redacted>"));
    assert!(extract_field("req.internal", e).is_err());
    // the kept event renders the same text
    assert_eq!(format_event(e), "  200 200 \"200 /index\"");
}

#[test]
fn redacted_fields_never_reach_kept_events() {
    let req = request();
    let events = captured_logs(|| info!(source: &req, "request {log_source.uri}", req));
    let dump = format!("{:?}", events[0]);
    assert!(!dump.contains("s3cret"), "{dump}");
    assert!(dump.contains("<redacted>"));
}

#[test]
fn disabled_calls_and_unrendered_events_run_no_placeholder() {
    struct Counter(Cell<u32>);
    impl Counter {
        fn count(&self) -> u32 {
            self.0.set(self.0.get() + 1);
            self.0.get()
        }
    }
    let c = Counter(Cell::new(0));
    // A logger whose observer wants nothing: the call is disabled.
    let nothing = Arc::new(Wants(None, Mutex::new(0)));
    let quiet = Logger::new("quiet").with_observer(nothing.clone());
    info!(logger: &quiet, "{c.count()}", c);
    assert_eq!(c.0.get(), 0);
    assert_eq!(*nothing.1.lock().unwrap(), 0);
    // Enabled, but the observer never renders: the closure never runs.
    let all = Arc::new(Wants(Some(LogLevel::Trace), Mutex::new(0)));
    let log = Logger::new("loud").with_observer(all.clone());
    info!(logger: &log, "{c.count()}", c);
    assert_eq!(*all.1.lock().unwrap(), 1);
    assert_eq!(c.0.get(), 0);
    // Rendered by several observers: run once.
    let events = captured_logs(|| info!("{c.count()}", c));
    assert_eq!(c.0.get(), 1);
    assert_eq!(format_event(&events[0]), "1");
    // A disabled field expression is not evaluated either.
    let mut evaluated = false;
    info!(logger: &quiet, "x", x = {
        evaluated = true;
        1
    });
    assert!(!evaluated);
}

struct Wants(Option<LogLevel>, Mutex<u32>);
impl Observer for Wants {
    fn observe(&self, _: &Event<'_>) {
        *self.1.lock().unwrap() += 1;
    }
    fn max_level(&self) -> Option<LogLevel> {
        self.0
    }
}

#[test]
fn loggers_bind_fields_and_context() {
    let log = Logger::new("app::db")
        .bind("shard", 3)
        .with_context(Context::PID | Context::THREAD)
        .with_system("db-1");
    let events = captured_logs(|| info!(logger: &log, "query took {ms}ms", ms = 12));
    let e = &events[0];
    assert_eq!(e.namespace.as_deref(), Some("app::db"));
    assert_eq!(e.field("shard"), Some(&OwnedValue::I64(3)));
    assert_eq!(
        e.field("pid"),
        Some(&OwnedValue::U64(std::process::id().into()))
    );
    // The test harness names its threads; an unnamed thread is its id.
    let name = std::thread::current().name().unwrap().to_string();
    assert_eq!(e.field("thread"), Some(&OwnedValue::Str(name)));
    let (events, id) = std::thread::spawn(move || {
        let events = captured_logs(|| info!(logger: &log, "unnamed"));
        (events, format!("{:?}", std::thread::current().id()))
    })
    .join()
    .unwrap();
    assert_eq!(events[0].field("thread"), Some(&OwnedValue::Str(id)));
    assert_eq!(e.system.as_deref(), Some("db-1"));
    assert!(event_as_text(e).contains(" [db-1] query took 12ms"));
}

#[derive(Debug)]
struct MathError(std::num::ParseIntError);
impl std::fmt::Display for MathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("math is hard")
    }
}
impl std::error::Error for MathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn failures_carry_chain_and_backtrace() {
    let err = MathError("x".parse::<i32>().unwrap_err());
    let boxed: Box<dyn std::error::Error + Send + Sync> = "boxed failure".into();
    let events = captured_logs(|| {
        failure!("Math is hard!", err);
        failure!("with {n} field", boxed, n = 1);
    });
    let f = events[0].failure.as_ref().unwrap();
    assert_eq!(events[0].level, Some(LogLevel::Critical));
    assert_eq!(f.message(), "math is hard");
    assert_eq!(f.causes(), ["invalid digit found in string"]);
    assert!(f.type_name().ends_with("MathError"));
    // the stack's symbols are looked up when first asked for, here on
    // another thread: still the stack where the failure was logged
    let copy = f.clone();
    let frames = std::thread::spawn(move || copy.frames().to_vec())
        .join()
        .unwrap();
    assert!(
        frames
            .iter()
            .any(|fr| fr.function.contains("failures_carry_chain_and_backtrace")),
        "{frames:?}"
    );
    assert_eq!(f.frames(), frames);
    let text = event_as_text(&events[0]);
    assert!(
        text.contains("Math is hard!\n\tTraceback (most recent call last):\n\t  File "),
        "{text}"
    );
    assert!(
        text.ends_with("MathError: math is hard\n\tCaused by: invalid digit found in string\n\t"),
        "{text}"
    );
    assert_eq!(
        events[1].failure.as_ref().unwrap().message(),
        "boxed failure"
    );
    assert_eq!(format_event(&events[1]), "with 1 field");
}

#[test]
fn panicking_display_becomes_unable_to_format() {
    struct Bad;
    impl std::fmt::Display for Bad {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("display exploded")
        }
    }
    let bad = Bad;
    let live = Arc::new(Mutex::new(String::new()));
    let seen = live.clone();
    let log = Logger::new("x").with_observer(Arc::new(move |e: &Event<'_>| {
        *seen.lock().unwrap() = e.text().into_owned()
    }));
    info!(logger: &log, "value: {bad} and {n}", bad, n = 1);
    let text = live.lock().unwrap().clone();
    assert!(text.starts_with("Unable to format event"), "{text}");
    assert!(text.contains("panicked: display exploded"), "{text}");
    // A kept copy says so too, and keeps the fields that could be stored.
    let events = captured_logs(|| info!("value: {bad} and {n}", bad, n = 1));
    let kept = format_event(&events[0]);
    assert!(kept.starts_with("Unable to format event"), "{kept}");
    assert!(
        kept.contains("`bad` could not be rendered when it was logged"),
        "{kept}"
    );
    assert_eq!(events[0].field("n"), Some(&OwnedValue::I64(1)));
}

/// A value whose `Display` may run only once (it says "once").
struct Once(Cell<bool>);

impl std::fmt::Display for Once {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        assert!(!self.0.replace(true), "formatted twice");
        f.write_str("once")
    }
}

#[test]
fn single_use_display_is_rendered_once_for_many_observers() {
    let once = Once(Cell::new(false));
    let publisher = Arc::new(spindle::LogPublisher::new());
    let texts = Arc::new(Mutex::new(Vec::new()));
    for _ in 0..3 {
        let t = texts.clone();
        publisher.add_observer(move |e: &Event<'_>| t.lock().unwrap().push(e.text().into_owned()));
    }
    let log = Logger::new("x").with_observer(publisher);
    let events = captured_logs(|| info!(logger: &log, "{once}", once));
    assert!(
        events.is_empty(),
        "an explicit logger's observer is not the global publisher"
    );
    assert_eq!(*texts.lock().unwrap(), ["once", "once", "once"]);
}

#[test]
fn values_without_value_impl_are_unpersistable_fields() {
    struct Opaque {
        name: &'static str,
    }
    let o = Opaque { name: "n" };
    let events = captured_logs(|| info!("{o.name}", o));
    assert_eq!(events[0].field("o"), Some(&OwnedValue::Unpersistable));
    assert_eq!(format_event(&events[0]), "n");
}

#[test]
fn derive_on_tuple_and_generic_structs() {
    #[derive(LogSource)]
    struct Pair(u8, #[log(redact)] String);
    #[derive(LogSource)]
    struct Wrapper<T> {
        inner: T,
    }
    let p = Pair(1, "hidden".into());
    let w = Wrapper { inner: vec![1u8] };
    let events = captured_logs(|| info!("{p.0} {w.inner!r}", p, w));
    assert_eq!(format_event(&events[0]), "1 [1]");
    assert_eq!(
        events[0].field("p"),
        Some(&OwnedValue::Map(vec![
            ("0".into(), OwnedValue::U64(1)),
            ("1".into(), OwnedValue::Str("<redacted>".into()))
        ]))
    );
    assert_eq!(w.log_namespace(), concat!(module_path!(), "::Wrapper"));
}

#[test]
fn the_question_mark_works_in_field_and_error_expressions() {
    fn count(s: &str) -> Result<usize, std::num::ParseIntError> {
        info!("{n} parsed", n = s.parse::<i32>()?);
        failure!(
            "logged {n}",
            std::io::Error::other(s.parse::<i32>()?.to_string()),
            n = s.len()
        );
        Ok(s.len())
    }
    let events = captured_logs(|| {
        assert_eq!(count("12"), Ok(2));
        assert!(count("nope").is_err());
    });
    assert_eq!(
        events.iter().map(format_event).collect::<Vec<_>>(),
        ["12 parsed", "logged 2"]
    );
}

#[test]
fn a_percent_captured_single_use_display_is_formatted_once() {
    let once = Once(Cell::new(false));
    let json = Arc::new(spindle::JsonObserver::new(Vec::new()));
    let events = captured_logs(|| {
        let id = spindle::global_publisher().add_observer(json.clone());
        info!("[{v:>6}] [{v}]", v = %once);
        spindle::global_publisher().remove_observer(id);
    });
    assert_eq!(format_event(&events[0]), "[  once] [once]");
    assert_eq!(events[0].field("v"), Some(&OwnedValue::Str("once".into())));
    // Other tests publish to the global publisher too, and one of them may
    // still hold the observer list it read before the removal.
    let mut json = json;
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let json = loop {
        match Arc::try_unwrap(json) {
            Ok(json) => break json,
            Err(shared) => json = shared,
        }
        assert!(
            std::time::Instant::now() < give_up,
            "the observer was never let go"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    let written = String::from_utf8(json.into_inner()).unwrap();
    assert!(written.contains(r#""v":"once""#), "{written}");
}

#[test]
fn fields_named_by_themselves_are_copied_or_borrowed_never_moved() {
    // `Copy` values are copied into the enabled path (so a disabled call
    // need not spill them); others are borrowed, and stay usable.
    let name = String::from("ann");
    let count = 3u32;
    let shared = &name;
    let events = captured_logs(|| info!("{name} {count} {shared}", name, count, shared));
    assert_eq!(spindle::format_event(&events[0]), "ann 3 ann");
    assert_eq!(events[0].field("count"), Some(&OwnedValue::U64(3)));
    assert_eq!(name.len() + count as usize, 6);
}

#[test]
fn plain_placeholders_render_as_display_does() {
    // plain `{x}` placeholders of integers and strings are written without
    // `fmt`; they must match `Display` exactly, and specs still apply
    let (a, b, c, d, e, f) = (i64::MIN, u64::MAX, 0u8, -1i32, usize::MAX, "s");
    let (g, h, i) = (10u16, 'é', false);
    let events = captured_logs(|| {
        info!(
            "{a} {b} {c} {d} {e} {f} {g} {h} {i} {g:>4} {d:03}",
            a, b, c, d, e, f, g, h, i
        )
    });
    let want = format!("{a} {b} {c} {d} {e} {f} {g} {h} {i} {g:>4} {d:03}");
    assert_eq!(spindle::format_event(&events[0]), want);
}

/// The macros leave a call site's placeholders out when every one is a
/// plain `{name}` of a field whose value renders as its scalar (the
/// event then renders each from its field): integers to 64 bits, `f64`,
/// `bool` and strings, through references and smart pointers; not `f32`
/// (whose `Display` is not the `f64` it is kept as), `char`, `u128` or
/// `%`/`?` captures. Either way the text is the same.
#[test]
#[allow(clippy::needless_borrow)] // (`&&Probe(…)`, as the macros write it)
fn plain_fields_of_scalar_types_leave_their_placeholders_out() {
    use spindle::__private::{DisplayValue, Probe, ShowsOther as _, ShowsScalar as _};
    let (n, s, owned, x, b) = (7u16, "s", String::from("o"), 0.5f64, true);
    let (boxed, shared) = (Box::new(-3i64), Arc::new(String::from("a")));
    assert!((&&Probe(&n)).__spindle_scalar());
    assert!((&&Probe(&s)).__spindle_scalar());
    assert!((&&Probe(&&owned)).__spindle_scalar());
    assert!((&&Probe(&x)).__spindle_scalar());
    assert!((&&Probe(&b)).__spindle_scalar());
    assert!((&&Probe(&boxed)).__spindle_scalar());
    assert!((&&Probe(&shared)).__spindle_scalar());
    let (f, c, big, shown) = (0.1f32, 'c', u128::MAX, DisplayValue(3));
    assert!(!(&&Probe(&f)).__spindle_scalar());
    assert!(!(&&Probe(&c)).__spindle_scalar());
    assert!(!(&&Probe(&big)).__spindle_scalar());
    assert!(!(&&Probe(&shown)).__spindle_scalar());
    let events = captured_logs(|| {
        info!(
            "{n} {s} {owned} {x} {b} {boxed} {shared}",
            n, s, owned, x, b, boxed, shared
        );
        info!("{f} {c} {big} {shown}", f, c, big, shown = %n);
    });
    assert_eq!(format_event(&events[0]), "7 s o 0.5 true -3 a");
    assert_eq!(format_event(&events[1]), format!("0.1 c {} 7", u128::MAX));
}
