//! Bad input, faults and load: each test fails if a guarantee breaks.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use spindle::{
    Event, FullPolicy, JsonObserver, LogLevel, LogPublisher, Logger, NonBlocking, Observer,
    OwnedEvent, OwnedValue, TextObserver, event_as_json, event_from_json,
    events_from_json_log_file, format_event, info,
};

fn values() -> impl Strategy<Value = OwnedValue> {
    let leaf = prop_oneof![
        Just(OwnedValue::None),
        any::<bool>().prop_map(OwnedValue::Bool),
        any::<i64>().prop_map(OwnedValue::I64),
        any::<u64>().prop_map(OwnedValue::U64),
        any::<f64>().prop_map(OwnedValue::F64),
        any::<String>().prop_map(OwnedValue::Str),
        Just(OwnedValue::Unpersistable),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(OwnedValue::Seq),
            // unique keys, as every Rust map and struct has (JSON keeps one of duplicates)
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| OwnedValue::Map(m.into_iter().collect())),
        ]
    })
}

fn same(a: &OwnedValue, b: &OwnedValue) -> bool {
    match (a, b) {
        (OwnedValue::F64(x), OwnedValue::F64(y)) => x == y || (x.is_nan() && y.is_nan()),
        // JSON has one kind of number: a non-negative I64 may come back as either.
        (OwnedValue::U64(x), OwnedValue::I64(y)) | (OwnedValue::I64(y), OwnedValue::U64(x)) => {
            i64::try_from(*x) == Ok(*y)
        }
        (OwnedValue::Seq(x), OwnedValue::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (OwnedValue::Map(x), OwnedValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, a), (k2, b))| k1 == k2 && same(a, b))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// JSON write → read → render equals render, and values survive.
    #[test]
    fn json_round_trip_renders_the_same(
        text in any::<String>(),
        value in values(),
        spec in prop_oneof![Just(""), Just(">8"), Just(".2"), Just("!r")],
        namespace in "[a-z:.]{0,12}",
        level in 0u8..6,
    ) {
        let format = if spec == "!r" { "{t!r} {v}".to_string() } else { format!("{{t:{spec}}} {{v}}") };
        let mut event = OwnedEvent::new(LogLevel::from_u8(level).unwrap(), &namespace, &format)
            .with_field("t", text.as_str())
            .with_field("v", value.clone());
        event.time = Some(1_700_000_000.25);
        let before = format_event(&event);
        let mut json = String::new();
        event_as_json(&event, &mut json);
        prop_assert!(!json.contains('\n') && !json.contains('\u{1e}'), "a record holds no raw newline or RS");
        let back = event_from_json(&json).unwrap();
        prop_assert_eq!(format_event(&back), before);
        prop_assert!(same(back.field("v").unwrap(), &value), "{:?} vs {:?}", back.field("v"), value);
        prop_assert_eq!(back.field("t"), Some(&OwnedValue::Str(text)));
    }

    /// The reader never panics, whatever the bytes.
    #[test]
    fn the_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut reader = events_from_json_log_file(&bytes[..]).report_errors(false);
        for event in reader.by_ref() {
            let _ = format_event(&event);
        }
    }

    /// Rendering any format against any flattened values is bounded and never panics.
    #[test]
    fn rendering_any_format_is_bounded(format in any::<String>(), value in values(), key in "[a-z]{1,3}(![rs])?:[<>^0-9.x]{0,6}") {
        let mut event = OwnedEvent::new(LogLevel::Info, "x", &format).with_field("a", value.clone());
        event.flattened.push((key.into(), value));
        let text = format_event(&event);
        prop_assert!(text.len() <= format.len() * 2 + 70_000, "{}", text.len());
    }
}

#[test]
fn hostile_formats_from_files_render_bounded_clear_text() {
    let hostile = [
        (r#"{"log_format": "{x:>999999999}", "x": 1}"#, 4096 + 10),
        (r#"{"log_format": "{x:.999999999}", "x": 1.5}"#, 4200),
        (
            r#"{"log_format": "{x:99999999999999999999999}", "x": 1}"#,
            400,
        ),
        (r#"{"log_format": "{x[0][1][2].a.b}", "x": [[1]]}"#, 400),
        (r#"{"log_format": "{x:{y}}", "x": 1, "y": 2}"#, 400),
        (r#"{"log_format": "{", "x": 1}"#, 400),
    ];
    for (record, bound) in hostile {
        let event = event_from_json(record).unwrap();
        let text = format_event(&event);
        assert!(text.len() <= bound, "{record}: {} bytes", text.len());
        assert!(!text.is_empty());
    }
    // deep nesting is refused (the reader's depth limit), not a stack overflow
    let deep = format!("{{\"x\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(event_from_json(&deep).is_err());
}

#[test]
fn a_file_cut_anywhere_in_its_last_record_keeps_the_earlier_ones() {
    let json = JsonObserver::new(Vec::new());
    for i in 0..3 {
        json.observe(&Event::from_owned(
            &OwnedEvent::new(LogLevel::Info, "app", "record {i}").with_field("i", i),
        ));
    }
    let bytes = json.into_inner();
    let last_start = bytes.iter().rposition(|&b| b == 0x1e).unwrap();
    for cut in last_start + 2..bytes.len() {
        let mut reader = events_from_json_log_file(&bytes[..cut]).report_errors(false);
        let texts: Vec<String> = reader.by_ref().map(|e| format_event(&e)).collect();
        assert_eq!(texts, ["record 0", "record 1"], "cut at {cut}");
        assert_eq!(
            reader.errors().len(),
            1,
            "cut at {cut}: {:?}",
            reader.errors()
        );
        assert!(
            reader.errors()[0].reason.contains("truncated"),
            "cut at {cut}: {:?}",
            reader.errors()
        );
    }
    // cut right after the RS: an empty record, nothing to report
    let mut reader = events_from_json_log_file(&bytes[..last_start + 1]).report_errors(false);
    assert_eq!(reader.by_ref().count(), 2);
}

#[test]
fn eight_threads_write_intact_records() {
    const THREADS: usize = 8;
    const EACH: usize = 100_000;
    let dir = std::env::temp_dir().join(format!("spindle-concurrency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (text_path, json_path) = (dir.join("out.log"), dir.join("out.json"));
    {
        let text = TextObserver::new(std::io::BufWriter::new(
            std::fs::File::create(&text_path).unwrap(),
        ))
        .with_flush_each(false);
        let json = JsonObserver::new(std::io::BufWriter::new(
            std::fs::File::create(&json_path).unwrap(),
        ))
        .with_flush_each(false);
        let publisher = Arc::new(LogPublisher::new());
        publisher.add_observer(text);
        publisher.add_observer(json);
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let log = Logger::new("load").with_observer(publisher.clone());
                s.spawn(move || {
                    for i in 0..EACH {
                        info!(logger: &log, "thread {t} event {i} with a value\nover two lines", t, i);
                    }
                });
            }
        });
        publisher.flush();
    }
    let text = std::fs::read_to_string(&text_path).unwrap();
    let mut seen = vec![0usize; THREADS];
    let mut lines = text.lines();
    while let Some(first) = lines.next() {
        let second = lines
            .next()
            .expect("every record has its continuation line");
        assert_eq!(second, "\tover two lines", "after {first}");
        let rest = first
            .split_once("[load#info] thread ")
            .expect("a record's first line")
            .1;
        let (t, rest) = rest.split_once(" event ").unwrap();
        let i: usize = rest.strip_suffix(" with a value").unwrap().parse().unwrap();
        let t: usize = t.parse().unwrap();
        assert_eq!(i, seen[t], "thread {t}'s records are whole and in order");
        seen[t] += 1;
    }
    assert_eq!(seen, vec![EACH; THREADS]);
    let mut reader =
        events_from_json_log_file(std::fs::File::open(&json_path).unwrap()).report_errors(false);
    let count = reader.by_ref().count();
    assert!(reader.errors().is_empty(), "{:?}", &reader.errors()[..1]);
    assert_eq!(count, THREADS * EACH);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_blocking_observer_behind_the_non_blocking_wrapper_does_not_stop_the_caller() {
    let release = Arc::new(AtomicBool::new(false));
    let gate = release.clone();
    let delivered = Arc::new(AtomicU64::new(0));
    let count = delivered.clone();
    let (observer, guard) = NonBlocking::new(
        move |_: &Event<'_>| {
            while !gate.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
            count.fetch_add(1, Ordering::SeqCst);
        },
        16,
        FullPolicy::Drop,
    )
    .unwrap();
    let other = Arc::new(Mutex::new(0u64));
    let o = other.clone();
    let publisher = Arc::new(LogPublisher::new());
    publisher.add_observer(observer);
    publisher.add_observer(move |_: &Event<'_>| *o.lock().unwrap() += 1);
    let log = Logger::new("x").with_observer(publisher.clone());
    let start = std::time::Instant::now();
    for i in 0..1000 {
        info!(logger: &log, "{i}", i);
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the caller was blocked"
    );
    assert_eq!(
        *other.lock().unwrap(),
        1000,
        "the other observer got every event"
    );
    release.store(true, Ordering::SeqCst);
    drop(guard);
    let delivered = delivered.load(Ordering::SeqCst);
    assert!((16..=1001).contains(&delivered), "{delivered}");
}

#[test]
fn observers_can_come_and_go_while_threads_publish() {
    let publisher = Arc::new(LogPublisher::new());
    let total = Arc::new(AtomicU64::new(0));
    let stable = total.clone();
    publisher.add_observer(move |_: &Event<'_>| {
        stable.fetch_add(1, Ordering::Relaxed);
    });
    std::thread::scope(|s| {
        for _ in 0..3 {
            let log = Logger::new("x").with_observer(publisher.clone());
            s.spawn(move || {
                for i in 0..20_000 {
                    info!(logger: &log, "{i}", i);
                }
            });
        }
        let p = publisher.clone();
        s.spawn(move || {
            for _ in 0..2_000 {
                let id = p.add_observer(|e: &Event<'_>| {
                    let _ = e.text();
                });
                assert!(p.remove_observer(id));
            }
        });
    });
    assert_eq!(
        total.load(Ordering::Relaxed),
        60_000,
        "the stable observer saw every event"
    );
}

#[test]
fn values_cannot_forge_records() {
    let forged = "ok\n2026-11-23T05:52:21+0000 [app#critical] forged\r\x1b[2K\x1e{\"log_format\":\"fake\"}\n";
    let text = TextObserver::new(Vec::new()).with_time_format(None);
    let json = JsonObserver::new(Vec::new());
    let event = OwnedEvent::new(LogLevel::Info, "app", "value: {v}").with_field("v", forged);
    let mut flattened = event.clone();
    flattened
        .flattened
        .push(("v!s:".into(), OwnedValue::Str(forged.into())));
    text.observe(&Event::from_owned(&flattened));
    json.observe(&Event::from_owned(&flattened));
    let text = String::from_utf8(text.into_inner()).unwrap();
    assert!(
        text.lines().skip(1).all(|l| l.starts_with('\t')),
        "{text:?}"
    );
    assert!(
        !text.contains('\r') && !text.contains('\x1b') && !text.contains('\x1e'),
        "{text:?}"
    );
    let bytes = json.into_inner();
    assert_eq!(bytes.iter().filter(|&&b| b == 0x1e).count(), 1);
    let events: Vec<_> = events_from_json_log_file(&bytes[..]).collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].field("v"), Some(&OwnedValue::Str(forged.into())));
}

/// Run as a child: logs through `Setup` and exits at once with the guard.
#[test]
fn child_logs_then_exits() {
    let Ok(path) = std::env::var("SPINDLE_SHUTDOWN_CHILD") else {
        return;
    };
    let guard = spindle::Setup::new()
        .stderr(false)
        .directives("info")
        .json_file(&path, spindle::Rotation::Size(1 << 30), 1)
        .begin()
        .unwrap();
    for i in 0..5000 {
        info!("event {i} before exit", i);
    }
    guard.exit(0);
}

#[test]
fn events_logged_right_before_exit_reach_the_file() {
    let path = std::env::temp_dir().join(format!("spindle-shutdown-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_logs_then_exits",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SPINDLE_SHUTDOWN_CHILD", &path)
        .status()
        .unwrap();
    assert!(status.success());
    let events: Vec<_> = events_from_json_log_file(std::fs::File::open(&path).unwrap()).collect();
    assert_eq!(events.len(), 5000);
    assert_eq!(
        format_event(events.last().unwrap()),
        "event 4999 before exit"
    );
    let _ = std::fs::remove_file(&path);
    std::io::stdout().flush().unwrap();
}
