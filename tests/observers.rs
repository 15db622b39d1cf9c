//! Events logged through the macros, written as JSON and read back, render
//! the same text and keep their values.

use std::sync::Arc;

use spindle::{
    Event, JsonObserver, LogPublisher, LogSource, Logger, Observer, OwnedValue, TextObserver,
    events_from_json_log_file, extract_field, failure, info, warn,
};

#[derive(LogSource)]
struct Request {
    uri: String,
    status: u16,
    #[log(redact)]
    token: String,
}

#[test]
fn json_written_then_read_renders_the_same_text() {
    let json = Arc::new(JsonObserver::new(Vec::new()));
    let text = Arc::new(TextObserver::new(Vec::new()));
    let publisher = Arc::new(LogPublisher::new());
    publisher.add_observer(json.clone());
    publisher.add_observer(text.clone());
    let log = Logger::new("app::web")
        .with_observer(publisher.clone())
        .bind("shard", 2);
    let req = Request {
        uri: "/ä\u{1b}[2J".into(),
        status: 404,
        token: "s3cret".into(),
    };
    info!(logger: &log, "{req.uri} -> {req.status:>5} {req.status!r}", req);
    warn!(logger: &log, source: &req, "{log_source.status:#x} {n:.2} {v:?}", n = 1.0 / 3.0, v = vec![Some(1), None]);
    info!(logger: &log, "line\nbreak\r{nan} {big}", nan = f64::NAN, big = u64::MAX);
    failure!(logger: &log, "failed", std::io::Error::other("disk"));
    drop(log);
    drop(publisher);
    let written_text = String::from_utf8(Arc::into_inner(text).unwrap().into_inner()).unwrap();
    let bytes = Arc::into_inner(json).unwrap().into_inner();

    let events: Vec<_> = events_from_json_log_file(&bytes[..]).collect();
    assert_eq!(events.len(), 4);
    let reread = TextObserver::new(Vec::new());
    for e in &events {
        reread.observe(&Event::from_owned(e));
    }
    assert_eq!(
        String::from_utf8(reread.into_inner()).unwrap(),
        written_text
    );

    assert_eq!(
        extract_field("req.status", &events[0]).unwrap().as_u64(),
        Some(404)
    );
    assert_eq!(
        extract_field("req.status!r", &events[0]),
        Ok(OwnedValue::Str("404".into()))
    );
    assert_eq!(
        extract_field("log_source.status", &events[1])
            .unwrap()
            .as_u64(),
        Some(404)
    );
    assert_eq!(
        extract_field("shard", &events[1]).unwrap().as_u64(),
        Some(2)
    );
    assert_eq!(
        extract_field("big", &events[2]),
        Ok(OwnedValue::U64(u64::MAX))
    );
    assert!(matches!(extract_field("nan", &events[2]), Ok(OwnedValue::F64(f)) if f.is_nan()));
    let f = events[3].failure.as_ref().unwrap();
    assert_eq!(
        (f.type_name(), f.message()),
        ("std::io::error::Error", "disk")
    );
    // the secret is in no output
    assert!(!String::from_utf8_lossy(&bytes).contains("s3cret"));
    assert!(!written_text.contains("s3cret"));
    // control characters in values are escaped in text, and cannot break JSON records
    assert!(written_text.contains("/ä\\x1b[2J"), "{written_text}");
    assert_eq!(bytes.iter().filter(|&&b| b == 0x1e).count(), 4);
    assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 4);
}

/// A logger whose only observer is one text observer: nothing else renders
/// an event before it does.
static WRITTEN: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());
static TEXT_ONLY: std::sync::LazyLock<Logger> = std::sync::LazyLock::new(|| {
    let publisher = LogPublisher::new();
    publisher.add_observer(TextObserver::new(Written).with_time_format(None));
    Logger::new("chatty").with_observer(Arc::new(publisher))
});

/// Appends to `WRITTEN`.
struct Written;
impl std::io::Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        WRITTEN.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_value_that_logs_while_a_file_observer_renders_it_does_not_deadlock() {
    struct Chatty;
    impl std::fmt::Display for Chatty {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let inner = 1;
            info!(logger: &*TEXT_ONLY, "rendering chatty {inner}", inner);
            f.write_str("chatty")
        }
    }
    // On a thread, so that a deadlock fails the test instead of hanging it.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let chatty = Chatty;
        info!(logger: &*TEXT_ONLY, "{chatty}", chatty);
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("logging deadlocked");
    let written = String::from_utf8(WRITTEN.lock().unwrap().clone()).unwrap();
    assert_eq!(
        written,
        "- [chatty#info] rendering chatty 1\n- [chatty#info] chatty\n"
    );
}

/// Collects kept copies of what a `NonBlocking` delivers.
fn collector() -> (
    impl Observer + 'static,
    Arc<std::sync::Mutex<Vec<spindle::OwnedEvent>>>,
) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let observer = move |e: &Event<'_>| sink.lock().unwrap().push(e.to_owned_event());
    (observer, seen)
}

#[test]
fn non_blocking_rings_deliver_every_thread_in_order() {
    use spindle::{FullPolicy, NonBlocking};
    const THREADS: u64 = 4;
    const EACH: u64 = 3_000;
    let (observer, seen) = collector();
    // small rings, so that writers wait on the reader
    let (queued, guard) = NonBlocking::new(observer, 16, FullPolicy::Block).unwrap();
    let log = Logger::new("rings").with_observer(Arc::new(queued));
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let log = &log;
            s.spawn(move || {
                for i in 0..EACH {
                    match i % 100 {
                        // kept whole, beside the ring
                        0 => failure!(logger: log, "{t} {i} failed", std::io::Error::other("x"), t, i),
                        // text rendered by the caller
                        7 => info!(logger: log, "{t} {i:>5}", t, i),
                        _ => info!(logger: log, "{t} {i}", t, i),
                    }
                }
            });
        }
    });
    guard.flush();
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len() as u64, THREADS * EACH);
    let mut next = vec![0u64; THREADS as usize];
    for event in seen.iter() {
        let t = event.field("t").and_then(OwnedValue::as_u64).unwrap();
        let i = event.field("i").and_then(OwnedValue::as_u64).unwrap();
        assert_eq!(i, next[t as usize], "thread {t} in order");
        next[t as usize] += 1;
        let want = match i % 100 {
            0 => format!("{t} {i} failed"),
            7 => format!("{t} {i:>5}"),
            _ => format!("{t} {i}"),
        };
        assert_eq!(spindle::format_event(event), want);
        assert_eq!(event.failure.is_some(), i % 100 == 0);
        assert_eq!(event.namespace.as_deref(), Some("rings"));
        let time = event.time.unwrap();
        assert!(
            before - 0.01 <= time && time <= after + 0.01,
            "{before} <= {time} <= {after}"
        );
    }
}

/// Non-blocking output that counts which way each call came: offered
/// without an event, taken that way, or as an event.
struct Ways {
    queued: spindle::NonBlocking,
    offered: std::sync::atomic::AtomicUsize,
    direct: std::sync::atomic::AtomicUsize,
    events: std::sync::atomic::AtomicUsize,
}

impl Ways {
    fn new(observer: impl Observer + 'static) -> (Arc<Ways>, spindle::NonBlockingGuard) {
        use spindle::{FullPolicy, NonBlocking};
        let (queued, guard) = NonBlocking::new(observer, 1024, FullPolicy::Block).unwrap();
        let ways = Ways {
            queued,
            offered: Default::default(),
            direct: Default::default(),
            events: Default::default(),
        };
        (Arc::new(ways), guard)
    }

    /// Offered, taken without an event, and as an event.
    fn counts(&self) -> [usize; 3] {
        use std::sync::atomic::Ordering;
        [&self.offered, &self.direct, &self.events].map(|n| n.load(Ordering::SeqCst))
    }
}

impl Observer for Ways {
    fn observe(&self, event: &Event<'_>) {
        self.events
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.queued.observe(event)
    }
    fn __takes_direct(&self) -> bool {
        true
    }
    fn __observe_direct(&self, call: &spindle::__private::DirectCall<'_>) -> bool {
        use std::sync::atomic::Ordering;
        self.offered.fetch_add(1, Ordering::SeqCst);
        let taken = self.queued.__observe_direct(call);
        if taken {
            self.direct.fetch_add(1, Ordering::SeqCst);
        }
        taken
    }
}

/// A call through a logger to non-blocking output, with plain `{name}`s
/// of strings and numbers, is packed without its event; every other call
/// is published as an event; both arrive the same, in order.
#[test]
fn plain_calls_to_non_blocking_output_are_packed_without_an_event() {
    let (observer, seen) = collector();
    let (ways, guard) = Ways::new(observer);
    let log = Logger::new("ways").with_observer(ways.clone());
    let (path, status, list) = ("/a", 200u16, vec![1, 2]);
    info!(logger: &log, "{path} {status}", path, status);
    warn!(logger: &log, "no placeholders", path, n = 1.5);
    info!(logger: &log, "{status:>4}", status); // a spec: text rendered here
    info!(logger: &log, "{list}", list = ?list); // a `?` capture: not offered
    info!(logger: &log, "{c}", c = 'x'); // offered, held by reference: refused
    // not offered: the logger adds a field, or has a system
    info!(logger: &log.bind("k", 1u8), "{path}", path);
    info!(logger: &log.clone().with_system("sys"), "{path}", path);
    assert_eq!(ways.counts(), [3, 2, 5]);
    drop(guard);
    let seen = seen.lock().unwrap();
    let texts: Vec<String> = seen.iter().map(spindle::format_event).collect();
    assert_eq!(
        texts,
        [
            "/a 200",
            "no placeholders",
            " 200",
            "[1, 2]",
            "x",
            "/a",
            "/a"
        ]
    );
    assert_eq!(seen[0].field("status"), Some(&OwnedValue::U64(200)));
    assert_eq!(seen[1].field("n"), Some(&OwnedValue::F64(1.5)));
    assert_eq!(seen[1].level, Some(spindle::LogLevel::Warn));
    assert!(seen.iter().all(|e| e.namespace.as_deref() == Some("ways")));
    assert_eq!(seen[5].field("k"), Some(&OwnedValue::U64(1)));
    assert_eq!(seen[6].system.as_deref(), Some("sys"));
}

/// Through the global publisher too, when non-blocking output is its only
/// observer (the only test in this file that logs without a logger).
#[test]
fn plain_calls_through_the_global_publisher_are_packed_without_an_event() {
    let (observer, seen) = collector();
    let (ways, guard) = Ways::new(observer);
    spindle::global_log_beginner().begin_logging_to([ways.clone() as Arc<dyn Observer>]);
    let (path, bytes) = ("/g", 512usize);
    info!("{path} sent {bytes}", path, bytes);
    info!("{bytes:>6}", bytes); // a spec: as an event
    assert_eq!(ways.counts(), [1, 1, 1]);
    drop(guard);
    let seen = seen.lock().unwrap();
    let texts: Vec<String> = seen.iter().map(spindle::format_event).collect();
    assert_eq!(texts, ["/g sent 512", "   512"]);
    assert_eq!(seen[0].namespace.as_deref(), Some(module_path!()));
    assert_eq!(seen[0].field("bytes"), Some(&OwnedValue::U64(512)));
}

/// With the ring full and `FullPolicy::Drop`, a call packed without its
/// event is dropped and counted as any other: every call is either
/// delivered or in the reported count.
#[test]
fn plain_calls_dropped_from_a_full_ring_are_counted() {
    use spindle::{FullPolicy, NonBlocking};
    use std::sync::atomic::{AtomicBool, Ordering};
    let (keep, seen) = collector();
    let open = Arc::new(AtomicBool::new(false));
    let gate = open.clone();
    // the reader waits until every call is made
    let observer = move |e: &Event<'_>| {
        while !gate.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        keep.observe(e)
    };
    // the smallest ring: 128 words, 7 words a call
    let (queued, guard) = NonBlocking::new(observer, 1, FullPolicy::Drop).unwrap();
    let queued = Arc::new(queued);
    let log = Logger::new("full").with_observer(queued.clone());
    for i in 0..200u32 {
        info!(logger: &log, "{i}", i);
    }
    let dropped = queued.dropped();
    assert!((100..200).contains(&dropped), "{dropped}");
    open.store(true, Ordering::SeqCst);
    drop(guard);
    let seen = seen.lock().unwrap();
    let delivered: Vec<u64> = seen
        .iter()
        .filter_map(|e| e.field("i").and_then(OwnedValue::as_u64))
        .collect();
    let reported: u64 = seen
        .iter()
        .filter_map(|e| e.field("count").and_then(OwnedValue::as_u64))
        .sum();
    assert_eq!(reported, dropped);
    assert_eq!(delivered.len() as u64 + dropped, 200);
    assert!(delivered.windows(2).all(|w| w[0] < w[1]), "in order");
}

#[test]
fn a_value_that_logs_while_packed_is_delivered_too() {
    use spindle::{FullPolicy, NonBlocking};
    let (observer, seen) = collector();
    let (queued, guard) = NonBlocking::new(observer, 1024, FullPolicy::Block).unwrap();
    let log = Logger::new("reentrant").with_observer(Arc::new(queued));
    struct Chatty<'a>(&'a Logger);
    impl std::fmt::Display for Chatty<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            info!(logger: self.0, "inner {n}", n = 1);
            f.write_str("chatty")
        }
    }
    // not a `Value`: its text is rendered by the caller, which logs again
    let chatty = Chatty(&log);
    info!(logger: &log, "outer {chatty}", chatty);
    drop(guard);
    let texts: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(spindle::format_event)
        .collect();
    assert_eq!(texts, ["inner 1", "outer chatty"]);
}

#[test]
fn an_event_bigger_than_a_ring_travels_beside_it_in_order() {
    use spindle::{FullPolicy, NonBlocking};
    let (observer, seen) = collector();
    // the smallest ring: 1 KiB
    let (queued, guard) = NonBlocking::new(observer, 1, FullPolicy::Block).unwrap();
    let log = Logger::new("big").with_observer(Arc::new(queued));
    let big = "x".repeat(4096);
    for i in 0..20u32 {
        if i % 5 == 2 {
            info!(logger: &log, "{i} {big}", i, big);
        } else {
            info!(logger: &log, "{i}", i);
        }
    }
    drop(guard);
    let seen = seen.lock().unwrap();
    let order: Vec<u64> = seen
        .iter()
        .map(|e| e.field("i").and_then(OwnedValue::as_u64).unwrap())
        .collect();
    assert_eq!(order, (0..20).collect::<Vec<_>>());
    assert_eq!(spindle::format_event(&seen[2]), format!("2 {big}"));
}

/// A line whose placeholders are written straight into it (plain `{name}`s
/// of integers and strings) is escaped as any other, and is the line a
/// kept copy of the event gives; their `log_flattened` entries (written
/// without rendering the event) are the kept copy's.
#[test]
fn plain_placeholders_written_straight_into_a_line_are_escaped_too() {
    let text = Arc::new(TextObserver::new(Vec::new()).with_time_format(None));
    let json = Arc::new(JsonObserver::new(Vec::new()));
    let kept = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = kept.clone();
    let publisher = Arc::new(LogPublisher::new());
    publisher.add_observer(json.clone());
    publisher.add_observer(text.clone());
    publisher.add_observer(move |e: &Event<'_>| keep.lock().unwrap().push(e.to_owned_event()));
    let log = Logger::new("app").with_observer(publisher.clone());
    let s = "evil\n[x#critical] \u{1b}[2J";
    let n = 7u8;
    info!(logger: &log, "{n} says\n{s}", n, s);
    info!(logger: &log, "{n} plain {s}", n, s = "ok");
    drop(log);
    drop(publisher);
    let written = String::from_utf8(Arc::into_inner(text).unwrap().into_inner()).unwrap();
    assert_eq!(
        written,
        "- [app#info] 7 says\n\tevil\n\t[x#critical] \\x1b[2J\n- [app#info] 7 plain ok\n"
    );
    let again = TextObserver::new(Vec::new()).with_time_format(None);
    let kept = kept.lock().unwrap();
    for e in kept.iter() {
        again.observe(&Event::from_owned(e));
    }
    assert_eq!(String::from_utf8(again.into_inner()).unwrap(), written);
    let bytes = Arc::into_inner(json).unwrap().into_inner();
    let read: Vec<_> = events_from_json_log_file(&bytes[..]).collect();
    assert_eq!(read.len(), 2);
    // (JSON has one kind of integer: compare the values' text)
    let entries = |e: &spindle::OwnedEvent| -> Vec<(String, String)> {
        e.flattened
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    for (read, kept) in read.iter().zip(kept.iter()) {
        assert_eq!(entries(read), entries(kept));
    }
    assert_eq!(
        read[0].flattened[0],
        ("n!s:".into(), OwnedValue::Str("7".into()))
    );
}

#[test]
fn a_logger_with_a_level_filter_of_its_own_follows_its_levels() {
    use spindle::{FilteringObserver, LogLevel, LogLevelFilterPredicate};
    use std::sync::Mutex;
    let levels = Arc::new(LogLevelFilterPredicate::from_directives("warn,app::db=debug").unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let filter = FilteringObserver::new(move |e: &Event<'_>| {
        keep.lock().unwrap().push(e.text().into_owned())
    })
    .with_predicate(levels.clone());
    let filter: Arc<dyn Observer> = Arc::new(filter);
    let web = Logger::new("app::web").with_observer(filter.clone());
    let db = Logger::new("app::db::pool").with_observer(filter);
    // Below the namespace's level: no event, and no field evaluated.
    let evaluated = std::cell::Cell::new(0);
    let count = || {
        evaluated.set(evaluated.get() + 1);
        evaluated.get()
    };
    info!(logger: &web, "web {n}", n = count());
    spindle::debug!(logger: &db, "db {n}", n = count());
    warn!(logger: &web, "web {n}", n = count());
    assert_eq!(evaluated.get(), 2);
    // The level changes while the program runs: the logger follows at once.
    levels.set_level("app::web", Some(LogLevel::Info));
    info!(logger: &web, "web {n}", n = count());
    levels.set_level("app::db", Some(LogLevel::Error));
    warn!(logger: &db, "db {n}", n = count());
    assert_eq!(evaluated.get(), 3);
    assert_eq!(*seen.lock().unwrap(), ["db 1", "web 2", "web 3"]);
}

/// Packs each event into a ring and reads it back to `O`, as non-blocking
/// output's writing thread does, but on the calling thread (so that an
/// allocation count sees the whole path).
struct ReadBack<O> {
    ring: Vec<std::sync::atomic::AtomicU64>,
    words: std::sync::Mutex<(Vec<u64>, spindle::Unpacker)>,
    inner: O,
}

impl<O> ReadBack<O> {
    fn new(inner: O) -> Self {
        ReadBack {
            ring: (0..1024).map(|_| Default::default()).collect(),
            words: Default::default(),
            inner,
        }
    }
}

impl<O: Observer> Observer for ReadBack<O> {
    fn observe(&self, event: &Event<'_>) {
        let n = match spindle::pack_into(event, &self.ring, 0, self.ring.len()) {
            spindle::Packed::Done(n) => n,
            other => panic!("{other:?}"),
        };
        let (words, unpacker) = &mut *self.words.lock().unwrap();
        words.clear();
        let load = |w: &std::sync::atomic::AtomicU64| w.load(std::sync::atomic::Ordering::Relaxed);
        words.extend(self.ring[..n].iter().map(load));
        unpacker
            .unpack_with(words, &mut |e| self.inner.observe(e))
            .unwrap();
    }
}

/// A live event's JSON is its kept copy's, byte for byte, and its JSON
/// and text lines are the same when it is packed and read back (as
/// non-blocking output does, for a logger of every shape): plain `{name}`s
/// of strings and integers are written from their values, and every other
/// placeholder (a float, a `Display` field, `!r`, a spec, a call, more than
/// eight) from the rendered text, as before; a call site's strings are
/// copied as they are only where they need no escaping.
#[test]
fn a_live_events_json_is_its_kept_copys() {
    /// An event's JSON and text lines.
    struct Lines(JsonObserver<Vec<u8>>, TextObserver<Vec<u8>>);
    impl Observer for Lines {
        fn observe(&self, event: &Event<'_>) {
            self.0.observe(event);
            self.1.observe(event);
        }
    }
    /// The live event's lines, its kept copy's JSON, and its lines when
    /// packed and read back.
    struct Both(Lines, JsonObserver<Vec<u8>>, ReadBack<Lines>);
    impl Observer for Both {
        fn observe(&self, event: &Event<'_>) {
            self.0.observe(event);
            self.1.observe(&Event::from_owned(&event.to_owned_event()));
            // (the time was read: packed as it is)
            self.2.observe(event);
        }
    }
    let lines = || Lines(JsonObserver::new(Vec::new()), TextObserver::new(Vec::new()));
    let both = Arc::new(Both(
        lines(),
        JsonObserver::new(Vec::new()),
        ReadBack::new(lines()),
    ));
    let log = Logger::new("app").with_observer(both.clone());
    let other = Logger::new("app::other\n").with_observer(both.clone());
    let bound = log.bind("shard", -2i8);
    // a logger with a system and fields that need escaping, and context
    let busy = Logger::new("app")
        .with_observer(both.clone())
        .with_system("sys\"tem")
        .with_context(spindle::Context::PID)
        .bind("k\n", "v\"");
    // Each line runs three times, so that later records come from the call
    // site's template, with values that differ (and, for `v`, a value that
    // is a string or an integer in one round and not in the next).
    for round in 0..3u8 {
        let log = if round == 1 { &other } else { &log };
        let n = 7 + round;
        let s = ["q\"uote\\ \n\u{1}\u{7f} é", "plain", ""][usize::from(round)];
        let (big, small) = (u64::MAX - u64::from(round), i64::MIN + i64::from(round));
        let (x, b, owned) = (0.25f64, true, String::from("owned"));
        let v = [
            OwnedValue::Str("v".into()),
            OwnedValue::F64(0.5),
            OwnedValue::I64(-3),
        ];
        let v = &v[usize::from(round)];
        let level = [spindle::LogLevel::Info, spindle::LogLevel::Warn][usize::from(round % 2)];
        info!(logger: log, "{n} says {s}", n, s);
        // one call site, a logger of another shape each round: bound
        // fields, none, then a system, fields and context; and one whose
        // template is first made without the logger's holes
        let r = usize::from(round);
        info!(logger: [&bound, log, &busy][r], "{n} mixed", n);
        info!(logger: [log, &busy, &bound][r], "{n} then bound", n);
        // no fields of the call site's: a logger's fields are written whole
        info!(logger: [&bound, log, &busy][r], "nothing");
        // a source, and a logger of another shape each round
        let req = Request {
            uri: format!("/r/{round}\""),
            status: 200 + u16::from(round),
            token: "secret".into(),
        };
        info!(logger: [log, &bound, &busy][r], source: &req, "{log_source.status} {n}", n);
        info!(logger: log, "{big} {small} {n} and {n} again", big, small, n);
        info!(logger: &bound, "{owned}: {n}", owned, n);
        info!(logger: log, "{x} {b} {n}", x, b, n);
        info!(logger: log, "{n} {s!r} {n:>4}", n, s);
        info!(logger: log, "{s} {shown}", s, shown = %n);
        info!(logger: log, "{s.len()} {n}", s, n);
        info!(logger: log, "{a}{b}{c}{d}{e}{f}{g}{h}", a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = n);
        info!(logger: log, "{a}{b}{c}{d}{e}{f}{g}{h}{i}", a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = n);
        info!(logger: log, "no placeholders", n);
        // a format and keys that JSON escapes
        info!(logger: log, "say \"{n}\"\n\t{s}\\", n, s);
        info!(logger: log, "{n:\"^5} {s}", n, s);
        info!(logger: log, "{v} and {n}", v, n);
        spindle::emit!(level, logger: log, "at {lv}: {n}", lv = %level, n);
    }
    drop((log, other, bound, busy));
    let Both(Lines(live, live_text), kept, read_back) = Arc::into_inner(both).unwrap();
    let Lines(read_back, read_back_text) = read_back.inner;
    let text = |o: JsonObserver<Vec<u8>>| String::from_utf8(o.into_inner()).unwrap();
    let (live, kept, read_back) = (text(live), text(kept), text(read_back));
    assert_eq!(live.lines().count(), 3 * 18);
    for ((live, kept), read_back) in live.lines().zip(kept.lines()).zip(read_back.lines()) {
        assert_eq!(live, kept);
        assert_eq!(live, read_back);
    }
    let live_text = String::from_utf8(live_text.into_inner()).unwrap();
    assert_eq!(
        live_text,
        String::from_utf8(read_back_text.into_inner()).unwrap()
    );
    assert!(live.contains(r#""n!s:":"7","n!:":7,"s!s:":"q\"uote\\ \n\u0001\u007f é","#));
    assert!(live.contains(r#""small!s:":"-9223372036854775808","small!:":-9223372036854775808"#));
    assert!(live.contains(r#""log_format":"say \"{n}\"\n\t{s}\\","#));
    assert!(live.contains(r#""n!s:\"^5":"\"\"7\"\"","#));
    // every record reads back
    assert_eq!(events_from_json_log_file(live.as_bytes()).count(), 3 * 18);
    assert!(live.contains(r#""n":9,"k\n":"v\"","pid":"#));
    assert!(live.contains(r#""log_system":"sys\"tem","#));
    assert!(live.contains(r#""log_namespace":"app::other\n""#));
}

/// `Event::for_each_flattened` on a live event gives what its kept copy
/// keeps: plain `{name}`s of strings and integers (text from the value,
/// without rendering) and any other placeholder alike.
#[test]
fn a_live_events_flattened_entries_are_its_kept_copys() {
    use std::sync::Mutex;
    type Entries = Vec<(String, String)>;
    let seen: Arc<Mutex<Vec<(Entries, Entries)>>> = Arc::default();
    let keep = seen.clone();
    let log = Logger::new("app").with_observer(Arc::new(move |e: &Event<'_>| {
        let mut live = Vec::new();
        e.for_each_flattened(&mut |k, v| {
            let v = spindle::OwnedValue::from_value(v);
            live.push((k.to_string(), v.to_string()));
        });
        let kept = e.to_owned_event();
        let kept = kept.flattened.iter();
        let kept = kept.map(|(k, v)| (k.to_string(), v.to_string())).collect();
        keep.lock().unwrap().push((live, kept));
    }));
    let (n, big, s) = (7u8, i64::MIN, "a \"b\"\n");
    info!(logger: &log, "{n} {big} {s}", n, big, s);
    info!(logger: &log, "{n:>3} {s!r} {x}", n, s, x = 0.5);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    for (live, kept) in seen.iter() {
        assert_eq!(live, kept);
    }
    assert_eq!(seen[0].0[2], ("big!s:".to_string(), i64::MIN.to_string()));
}

/// Once a thread's buffers have grown to fit, an event written as text or
/// JSON allocates nothing, whatever its fields and placeholders hold; so
/// does a call that a filter drops, the caller's side of non-blocking
/// output, and its writing thread's ([`ReadBack`]: a logger's system and
/// fields read back with the event, and an event with a map field, `req`,
/// read back as a kept one). (`cargo bench` counts the same for the
/// benchmarks' event.)
#[test]
fn text_and_json_events_allocate_nothing() {
    use spindle::{
        FilteringObserver, FullPolicy, HistoryObserver, LogLevelFilterPredicate, NonBlocking,
    };
    struct Service {
        name: String,
        port: u16,
    }
    impl Service {
        fn name(&self) -> &str {
            &self.name
        }
    }
    /// Allocations of 50 calls, after 3 to let buffers grow: the fewest
    /// of three runs (a text line's time is formatted once a second, which
    /// allocates; one in every call shows in every run).
    fn allocations(f: &dyn Fn()) -> u64 {
        for _ in 0..3 {
            f();
        }
        let run = || allocation_counter::measure(|| (0..50).for_each(|_| f())).count_total;
        (0..3).map(|_| run()).min().unwrap_or_default()
    }

    let sink = std::io::sink;
    let text = Logger::new("app").with_observer(Arc::new(TextObserver::new(sink())));
    let json = Logger::new("app").with_observer(Arc::new(JsonObserver::new(sink())));
    let levels = LogLevelFilterPredicate::from_directives("info,app::quiet=error").unwrap();
    let filtered = FilteringObserver::new(TextObserver::new(sink())).with_predicate(levels);
    let filtered = Arc::new(filtered);
    let (non_blocking, _guard) =
        NonBlocking::new(TextObserver::new(sink()), 1024, FullPolicy::Block).unwrap();
    let non_blocking = Arc::new(non_blocking);
    let (text_sink, json_sink) = (TextObserver::new(sink()), JsonObserver::new(sink()));
    let read_back = Arc::new(ReadBack::new(move |e: &Event<'_>| {
        text_sink.observe(e);
        json_sink.observe(e);
    }));
    let loggers = [
        ("text", text.clone()),
        ("json", json.clone()),
        (
            "text, a time format of its own",
            Logger::new("app").with_observer(Arc::new(
                TextObserver::new(sink())
                    .with_time_format(Some("%Y-%m-%d %H:%M:%S%.6f"))
                    .with_colour(true),
            )),
        ),
        (
            "bound text",
            text.bind("shard", 2).bind("who", "ann").with_system("w1"),
        ),
        (
            "bound json",
            json.bind("shard", 2).bind("who", "ann").with_system("w1"),
        ),
        (
            "filtered",
            Logger::new("app").with_observer(filtered.clone()),
        ),
        ("dropped", Logger::new("app::quiet").with_observer(filtered)),
        (
            "non-blocking",
            Logger::new("app").with_observer(non_blocking),
        ),
        (
            "read back",
            Logger::new("app").with_observer(read_back.clone()),
        ),
        (
            "bound, read back",
            Logger::new("app")
                .bind("who", "ann")
                .with_system("w1")
                .with_observer(read_back),
        ),
    ];

    let (path, status, bytes) = ("/index.html", 200u16, 1536usize);
    let (ratio, on, initial, delta) = (0.25f64, true, 'é', -40i64);
    let elapsed = std::time::Duration::from_millis(1500);
    let maybe = Some(3u8);
    let service = Service {
        name: "web".into(),
        port: 8080,
    };
    let req = Request {
        uri: "/a \"quoted\"\n\u{1}path".into(),
        status: 404,
        token: "s3cret".into(),
    };
    type Call<'a> = (&'a str, &'a dyn Fn(&Logger));
    let calls: [Call<'_>; 9] = [
        (
            "integers and a string",
            &|log| info!(logger: log, "handled path={path} status={status} bytes={bytes}", path, status, bytes),
        ),
        (
            "float, bool, char, negative",
            &|log| info!(logger: log, "{ratio} {on} {initial} {delta}", ratio, on, initial, delta),
        ),
        (
            "format specs",
            &|log| info!(logger: log, "{path:>16} {ratio:.3} {status:08} {bytes:x} {ratio:e}", path, ratio, status, bytes),
        ),
        (
            "Debug and Display captures",
            &|log| info!(logger: log, "{elapsed} {maybe} {shown}", elapsed = ?elapsed, maybe = ?maybe, shown = %path),
        ),
        (
            "!r conversions",
            &|log| info!(logger: log, "{elapsed!r} {path!r}", elapsed = ?elapsed, path),
        ),
        (
            "a source with escapes",
            &|log| warn!(logger: log, source: &req, "{log_source.uri} {log_source.status}"),
        ),
        (
            "paths and a method",
            &|log| info!(logger: log, "{service.name()} {service.port} {req.uri}", service, req),
        ),
        (
            "no placeholders",
            &|log| info!(logger: log, "started", path, status),
        ),
        (
            "a field not in the text",
            &|log| info!(logger: log, "{status}", status, path),
        ),
    ];
    for (observer, log) in &loggers {
        for (call, f) in &calls {
            let n = allocations(&|| f(log));
            assert_eq!(n, 0, "{call} to {observer}: {n} allocations in 50 calls");
        }
    }

    // The count is real: an observer that keeps each event allocates.
    let history = Arc::new(HistoryObserver::new(8));
    let kept = Logger::new("app").with_observer(history);
    assert!(allocations(&|| (calls[0].1)(&kept)) >= 50);
}
