//! spindle against tracing, log and slog, in one process, on the same event:
//! a message and three fields (a `&str`, a `u16`, a `usize`).
//!
//! `cargo bench --bench peers`, then `python3 scripts/bench_report.py` turns
//! the results into `docs/benchmarks.md` and `docs/benchmarks.svg`.

use std::alloc::System;
use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::sync::Arc;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use spindle::{
    Event, FilteringObserver, JsonObserver, LogLevelFilterPredicate, Logger, Observer,
    TextObserver, Visit, global_log_beginner, global_publisher,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Counts allocations (for the allocation report).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const PATH: &str = "/index.html";
const STATUS: u16 = 200;
const BYTES: usize = 1536;

fn dev_null() -> BufWriter<File> {
    BufWriter::with_capacity(64 * 1024, File::create("/dev/null").expect("/dev/null"))
}

// ---- spindle -------------------------------------------------------------

/// Visits every field of every event, doing nothing with them.
struct VisitAll;
struct Noop;
impl Visit for Noop {
    fn visit_debug(&mut self, v: &dyn std::fmt::Debug) {
        black_box(v);
    }
    fn visit_str(&mut self, v: &str) {
        black_box(v);
    }
    fn visit_u64(&mut self, v: u64) {
        black_box(v);
    }
}
impl Observer for VisitAll {
    fn observe(&self, event: &Event<'_>) {
        event.for_each_field(&mut |name, value| {
            black_box(name);
            value.visit(&mut Noop);
        });
    }
}

fn spindle_event(log: &Logger, path: &str, status: u16, bytes: usize) {
    spindle::info!(logger: log, "request handled path={path} status={status} bytes={bytes}", path, status, bytes);
}

// ---- tracing -------------------------------------------------------------

/// A tracing subscriber that enables everything and hands each event to `F`.
struct TracingEvents<F>(F);
impl<F: Fn(&tracing::Event<'_>) + 'static> tracing::Subscriber for TracingEvents<F> {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        (self.0)(event)
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Visits every field, doing nothing with them.
struct TracingNoop;
impl tracing::field::Visit for TracingNoop {
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        black_box((f, v));
    }
    fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
        black_box((f, v));
    }
    fn record_u64(&mut self, f: &tracing::field::Field, v: u64) {
        black_box((f, v));
    }
}

fn tracing_event(path: &str, status: u16, bytes: usize) {
    tracing::info!(path, status, bytes, "request handled");
}

// ---- slog ----------------------------------------------------------------

fn slog_event(log: &slog::Logger, path: &str, status: u16, bytes: usize) {
    slog::info!(log, "request handled"; "path" => path, "status" => status, "bytes" => bytes);
}

fn slog_json() -> slog::Logger {
    let drain = slog_json::Json::new(dev_null()).add_default_keys().build();
    slog::Logger::root(
        std::sync::Mutex::new(drain).map_err(|_| ()).fuse(),
        slog::o!(),
    )
}

use slog::Drain as _;

// ---- the benchmarks --------------------------------------------------------

fn disabled(c: &mut Criterion) {
    // Globally: spindle's observers want info; log's max level is info;
    // tracing's subscriber filters at info.
    // (`peers::noisy` is held to warn, for `disabled_by_namespace` below.)
    let levels = LogLevelFilterPredicate::from_directives("info,peers::noisy=warn").unwrap();
    let quiet = FilteringObserver::new(|_: &Event<'_>| {}).with_predicate(levels);
    global_log_beginner().begin_logging_to([Arc::new(quiet) as Arc<dyn Observer>]);
    log::set_max_level(log::LevelFilter::Info);
    // Each call site sits in a function of its own, timed through one loop
    // (`bench_call`), so the three are compared on equal footing: inlined
    // into loops of their own, their identical instructions measured 1x or
    // 2x depending on where each loop happened to be aligned.
    #[inline(never)]
    fn spindle_disabled(path: &str, status: u16, bytes: usize) {
        spindle::debug!(
            "request handled {path} {status} {bytes}",
            path,
            status,
            bytes
        );
    }
    #[inline(never)]
    fn log_disabled(path: &str, status: u16, bytes: usize) {
        log::debug!(path, status, bytes; "request handled");
    }
    #[inline(never)]
    fn tracing_disabled(path: &str, status: u16, bytes: usize) {
        tracing::debug!(path, status, bytes, "request handled");
    }
    let mut group = c.benchmark_group("disabled");
    bench_call(&mut group, "spindle", spindle_disabled);
    bench_call(&mut group, "log", log_disabled);
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::sink)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        bench_call(&mut group, "tracing", tracing_disabled);
    });
    group.finish();
}

/// Calls at info in a namespace held to warn (`info,peers::noisy=warn`),
/// with the global level at info: spindle keeps its observers' answer for
/// the namespace in the call site (the observers `disabled` began
/// logging to), tracing its subscriber's `Interest` for the call site (a
/// `Targets` filter with the same levels).
fn disabled_by_namespace(c: &mut Criterion) {
    use tracing_subscriber::layer::{Layer as _, SubscriberExt as _};
    mod noisy {
        #[inline(never)]
        pub fn spindle_call(path: &str, status: u16, bytes: usize) {
            spindle::info!(
                "request handled {path} {status} {bytes}",
                path,
                status,
                bytes
            );
        }
        #[inline(never)]
        pub fn tracing_call(path: &str, status: u16, bytes: usize) {
            tracing::info!(path, status, bytes, "request handled");
        }
    }
    let mut group = c.benchmark_group("disabled_by_namespace");
    bench_call(&mut group, "spindle", noisy::spindle_call);
    let targets: tracing_subscriber::filter::Targets = "info,peers::noisy=warn".parse().unwrap();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::sink)
            .with_filter(targets),
    );
    tracing::subscriber::with_default(subscriber, || {
        bench_call(&mut group, "tracing", noisy::tracing_call);
    });
    group.finish();
}

/// Times `call` (one library's call site, in a function of its own) in a
/// loop every library shares: each closure given to `iter` is a loop of its
/// own, and where each loop happened to be placed made the same four
/// instructions measure 1x or 2x. Called through a pointer, the same loop
/// (and the same indirect call) for each.
fn bench_call(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, call: fn(&str, u16, usize)) {
    group.bench_function(name, |b| {
        b.iter(|| black_box(call)(black_box(PATH), black_box(STATUS), black_box(BYTES)))
    });
}

/// One benchmark group's spindle case: the event to `observer`.
fn spindle_case(group: &mut BenchmarkGroup<'_, WallTime>, observer: impl Observer + 'static) {
    let log = Logger::new("bench").with_observer(Arc::new(observer));
    group.bench_function("spindle", |b| {
        b.iter(|| spindle_event(&log, black_box(PATH), black_box(STATUS), black_box(BYTES)))
    });
}

/// One benchmark group's tracing case: the event to `subscriber`.
fn tracing_case(
    group: &mut BenchmarkGroup<'_, WallTime>,
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
) {
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("tracing", |b| {
            b.iter(|| tracing_event(black_box(PATH), black_box(STATUS), black_box(BYTES)))
        });
    });
}

/// One benchmark group's slog case: the event to `logger`.
fn slog_case(group: &mut BenchmarkGroup<'_, WallTime>, logger: &slog::Logger) {
    group.bench_function("slog", |b| {
        b.iter(|| slog_event(logger, black_box(PATH), black_box(STATUS), black_box(BYTES)))
    });
}

fn visit_fields(c: &mut Criterion) {
    let mut group = c.benchmark_group("visit_fields");
    spindle_case(&mut group, VisitAll);
    tracing_case(
        &mut group,
        TracingEvents(|e: &tracing::Event<'_>| e.record(&mut TracingNoop)),
    );
    slog_case(&mut group, &slog::Logger::root(slog::Discard, slog::o!()));
    group.finish();
}

/// An observer (and, below, a subscriber) that does nothing: the fixed cost
/// of an enabled event (building it, dispatching it), without visiting fields.
struct Nothing;
impl Observer for Nothing {
    fn observe(&self, event: &Event<'_>) {
        black_box(event);
    }
}
fn empty_observer(c: &mut Criterion) {
    let mut group = c.benchmark_group("empty_observer");
    spindle_case(&mut group, Nothing);
    tracing_case(
        &mut group,
        TracingEvents(|e: &tracing::Event<'_>| {
            black_box(e);
        }),
    );
    group.finish();
}

fn text_file(c: &mut Criterion) {
    for (suffix, observer) in text_observers() {
        text_group(c, &format!("text_file{suffix}"), observer);
    }
}

/// The text observers measured, with their groups' suffixes: line by line,
/// and each thread's lines written 8 KiB at a time (what two threads need).
fn text_observers() -> [(&'static str, TextObserver<BufWriter<File>>); 2] {
    let observer = || TextObserver::new(dev_null()).with_flush_each(false);
    [
        ("", observer()),
        ("_batched", observer().with_thread_batches(8 * 1024)),
    ]
}

/// spindle's text observer `observer` against tracing's `fmt`.
fn text_group(c: &mut Criterion, name: &str, observer: TextObserver<BufWriter<File>>) {
    let mut group = c.benchmark_group(name);
    spindle_case(&mut group, observer);
    tracing_case(
        &mut group,
        tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(dev_null()))
            .with_ansi(false)
            .finish(),
    );
    group.finish();
}

fn json_file(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_file");
    spindle_case(
        &mut group,
        JsonObserver::new(dev_null()).with_flush_each(false),
    );
    tracing_case(
        &mut group,
        tracing_subscriber::fmt()
            .json()
            .with_writer(std::sync::Mutex::new(dev_null()))
            .finish(),
    );
    slog_case(&mut group, &slog_json());
    group.finish();
}

/// The same JSON records from a logger with a field bound to it (a
/// request's number, say): spindle's `bind`, slog's child logger with
/// `o!`, and tracing's event inside an entered span holding the field.
fn json_file_bound(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_file_bound");
    let json = JsonObserver::new(dev_null()).with_flush_each(false);
    let log = Logger::new("bench")
        .with_observer(Arc::new(json))
        .bind("request", 7u32);
    group.bench_function("spindle", |b| {
        b.iter(|| spindle_event(&log, black_box(PATH), black_box(STATUS), black_box(BYTES)))
    });
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(std::sync::Mutex::new(dev_null()))
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", request = 7u32);
        let _entered = span.enter();
        group.bench_function("tracing", |b| {
            b.iter(|| tracing_event(black_box(PATH), black_box(STATUS), black_box(BYTES)))
        });
    });
    slog_case(&mut group, &slog_json().new(slog::o!("request" => 7u32)));
    group.finish();
}

/// Two threads logging to one text observer (through a logger each), per event.
fn two_threads(c: &mut Criterion) {
    for (suffix, observer) in text_observers() {
        two_threads_group(c, &format!("two_threads_text{suffix}"), observer);
    }
}

/// Two threads logging to spindle's `observer`, and to tracing's `fmt`.
fn two_threads_group(c: &mut Criterion, name: &str, observer: TextObserver<BufWriter<File>>) {
    let mut group = c.benchmark_group(name);
    let text: Arc<dyn Observer> = Arc::new(observer);
    group.bench_function("spindle", |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    let log = Logger::new("bench").with_observer(text.clone());
                    s.spawn(move || {
                        for _ in 0..iters / 2 {
                            spindle_event(
                                &log,
                                black_box(PATH),
                                black_box(STATUS),
                                black_box(BYTES),
                            );
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(dev_null()))
            .with_ansi(false)
            .finish(),
    );
    group.bench_function("tracing", |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    let dispatch = dispatch.clone();
                    s.spawn(move || {
                        tracing::dispatcher::with_default(&dispatch, || {
                            for _ in 0..iters / 2 {
                                tracing_event(black_box(PATH), black_box(STATUS), black_box(BYTES));
                            }
                        })
                    });
                }
            });
            start.elapsed()
        })
    });
    group.finish();
}

/// Whether the command line's filter (`cargo bench --bench peers -- NAME`)
/// asks for `name`: the measurements below that criterion does not run
/// itself honour it too, so a partial run cannot overwrite their results.
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Events through the global publisher (`info!` with no logger) to an
/// observer that does nothing, from one thread and from two at once: wall
/// time over all events, the best of three runs of 2 million events per
/// thread. The publisher reads its observer list on every event, so two
/// threads must not slow each other down. spindle alone (tracing's global
/// dispatcher can be set once per process, and the groups above use
/// scoped ones); the times go to the report.
fn global_publisher_threads(_: &mut Criterion) {
    if !wanted("global_publisher") {
        return;
    }
    #[inline(never)]
    fn global_event(path: &str, status: u16, bytes: usize) {
        spindle::info!(
            "request handled path={path} status={status} bytes={bytes}",
            path,
            status,
            bytes
        );
    }
    // Ends start-up buffering (a warning if `disabled` began logging).
    global_log_beginner().begin_logging_to([Arc::new(Nothing) as Arc<dyn Observer>]);
    let id = global_publisher().add_observer(Nothing);
    const EVENTS: usize = 2_000_000;
    let per_event = |threads: usize| {
        (0..3)
            .map(|_| {
                let start = std::time::Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for i in 0..EVENTS {
                                global_event(black_box(PATH), black_box(STATUS), black_box(i));
                            }
                        });
                    }
                });
                start.elapsed().as_nanos() as f64 / (EVENTS * threads) as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let (one, two) = (per_event(1), per_event(2));
    // The same event as a `log` record, through the bridge (one thread).
    install_bridge();
    let bridged = (0..3)
        .map(|_| {
            let start = std::time::Instant::now();
            for i in 0..EVENTS {
                log_event(black_box(PATH), black_box(STATUS), black_box(i));
            }
            start.elapsed().as_nanos() as f64 / EVENTS as f64
        })
        .fold(f64::INFINITY, f64::min);
    global_publisher().remove_observer(id);
    println!(
        "global publisher, no-op observer: {one:.1} ns per event (1 thread), {two:.1} ns (2 threads), {bridged:.1} ns (a `log` record)"
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("target/criterion")).unwrap();
    std::fs::write(
        root.join("target/criterion/global_publisher.json"),
        format!(
            "{{\"one thread\": {one:.1}, \"two threads\": {two:.1}, \"one thread, a `log` record through the bridge\": {bridged:.1}}}"
        ),
    )
    .unwrap();
}

/// What `captures_event` calls a method of.
struct Request {
    status: u16,
}

impl Request {
    fn code(&self) -> u16 {
        self.status
    }
}

/// An event whose placeholders run code when rendered: `Display`, `Debug`
/// and a method call.
fn captures_event(log: &Logger, path: &str, status: u16) {
    let req = Request { status };
    spindle::info!(logger: log, "{shown} {debugged} {req.code()}", shown = %path, debugged = ?path, req);
}

/// Makes spindle `log`'s logger (once per process).
fn install_bridge() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| spindle::install_log_bridge().expect("no other `log` logger"));
}

/// The benchmarks' event as a `log` record (its message formatted by `log`).
#[inline(never)]
fn log_event(path: &str, status: u16, bytes: usize) {
    log::info!("request handled path={path} status={status} bytes={bytes}");
}

/// Reading a JSON log of 20 000 events: spindle's reader here, twisted's
/// `eventsFromJSONLogFile` in a Python child process on the same file (when
/// the interop test's virtualenv exists). Events per second (the best of
/// twenty passes over the file for each, opened before the clock starts) go
/// to the report; criterion's own measurement reads from memory.
fn read_json(c: &mut Criterion) {
    if !wanted("read_json") {
        return;
    }
    const EVENTS: usize = 20_000;
    let json = Arc::new(JsonObserver::new(Vec::new()));
    let log = Logger::new("bench").with_observer(json.clone());
    for i in 0..EVENTS {
        spindle_event(&log, PATH, STATUS, i);
    }
    drop(log);
    let bytes = Arc::into_inner(json).expect("one owner").into_inner();
    let mut group = c.benchmark_group("read_json");
    group.throughput(criterion::Throughput::Elements(EVENTS as u64));
    group.sample_size(10);
    group.bench_function("spindle", |b| {
        b.iter(|| spindle::events_from_json_log_file(&bytes[..]).count())
    });
    group.finish();
    // The rate: as scripts/twisted_read_bench.py times twisted, the best of
    // twenty passes over the file (opened before the clock starts).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("target/criterion")).unwrap();
    let file = root.join("target/criterion/read_json.events");
    std::fs::write(&file, &bytes).unwrap();
    let spindle_rate = (0..20)
        .map(|_| {
            let opened = File::open(&file).unwrap();
            let start = std::time::Instant::now();
            let n = spindle::events_from_json_log_file(opened).count();
            n as f64 / start.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max);
    let python = root.join("target/twisted-venv/bin/python");
    let twisted_rate = std::process::Command::new(&python)
        .arg(root.join("scripts/twisted_read_bench.py"))
        .arg(&file)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok());
    let report = match twisted_rate {
        Some(t) => format!("{{\"spindle\": {spindle_rate:.0}, \"twisted\": {t:.0}}}"),
        None => format!("{{\"spindle\": {spindle_rate:.0}}}"),
    };
    println!("read_json events/s: {report}");
    std::fs::write(root.join("target/criterion/read_json.json"), report).unwrap();
}

/// Latency of each call on the caller's side with non-blocking output (a
/// background thread writes text to a buffered file), as percentiles over
/// 200 000 calls in bursts of 64, each followed by a 50 µs pause (spent
/// spinning, so that the caller's core stays awake):
/// spindle's `NonBlocking` (drop when full), slog-async and
/// tracing-appender's `non_blocking`. Each call is timed with two reads of
/// the cycle counter (the system clock's steps are too coarse here for a
/// 20 ns call); the counter's own cost (measured the same way) is
/// subtracted.
fn non_blocking_latency(_: &mut Criterion) {
    if !wanted("non_blocking_latency") {
        return;
    }
    const CALLS: usize = 200_000;
    const BURST: usize = 64;
    static COUNTER: std::sync::LazyLock<quanta::Clock> =
        std::sync::LazyLock::new(quanta::Clock::new);
    // The counter moves in steps (10 ns on the machine in
    // docs/benchmarks.md): the usual difference between two readings taken
    // back to back.
    let mut steps: Vec<u64> = (0..10_001)
        .map(|_| {
            let start = COUNTER.raw();
            COUNTER.delta_as_nanos(start, COUNTER.raw())
        })
        .filter(|&d| d > 0)
        .collect();
    steps.sort_unstable();
    let step = steps.get(steps.len() / 2).copied().unwrap_or(0) as f64;
    // A reading stands for any time within half a step of it, so a
    // percentile is interpolated within its step (as the median of grouped
    // data is); without this, every result would be a multiple of the step.
    let percentiles = |mut ns: Vec<f64>| -> [f64; 3] {
        ns.sort_by(f64::total_cmp);
        let n = ns.len() as f64;
        let at = |q: f64| {
            let v = ns[((n - 1.0) * q) as usize];
            let below = ns.partition_point(|&x| x < v) as f64;
            let same = ns.partition_point(|&x| x <= v) as f64 - below;
            v - step / 2.0 + step * (q * n - below) / same
        };
        [at(0.5), at(0.99), at(0.999)]
    };
    fn timed(calls: usize, mut f: impl FnMut(usize)) -> Vec<f64> {
        let counter = &*COUNTER;
        let mut out = Vec::with_capacity(calls);
        for i in 0..calls {
            let start = counter.raw();
            f(i);
            let end = counter.raw();
            out.push(counter.delta_as_nanos(start, end) as f64);
            if i % BURST == BURST - 1 {
                // A burst, then a pause in which the background thread
                // catches up, as between a real program's bursts (and as
                // quill's and NanoLog's latency benchmarks do).
                let pause = counter.raw();
                while counter.delta_as_nanos(pause, counter.raw()) < 50_000 {
                    std::hint::spin_loop();
                }
            }
        }
        out
    }
    let clock = percentiles(timed(CALLS, |i| {
        black_box(i);
    }))[0];
    // Each queue holds 16k events (spindle's `Setup` default), more than a
    // burst: none should be dropped, and the drops are counted (where the
    // library counts them) and reported, since a dropped call costs next
    // to nothing and would flatter the percentiles.
    const ROOM: usize = 16 * 1024;
    let mut rows = Vec::new();
    {
        let text = TextObserver::new(dev_null()).with_flush_each(false);
        let (queued, guard) =
            spindle::NonBlocking::new(text, ROOM, spindle::FullPolicy::Drop).unwrap();
        let queued = Arc::new(queued);
        let log = Logger::new("bench").with_observer(queued.clone());
        let ns = timed(CALLS, |i| spindle_event(&log, PATH, STATUS, i));
        rows.push(("spindle", percentiles(ns), Some(queued.dropped())));
        drop(guard);
    }
    {
        let drain = slog_json::Json::new(dev_null())
            .add_default_keys()
            .build()
            .fuse();
        let drain = slog_async::Async::new(drain).chan_size(ROOM).build().fuse();
        let slog = slog::Logger::root(drain, slog::o!());
        let ns = timed(CALLS, |i| slog_event(&slog, PATH, STATUS, i));
        rows.push(("slog", percentiles(ns), None));
    }
    {
        let (writer, _guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .buffered_lines_limit(ROOM)
            .finish(dev_null());
        let dropped = writer.error_counter();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .finish();
        let ns = tracing::subscriber::with_default(subscriber, || {
            timed(CALLS, |i| tracing_event(PATH, STATUS, i))
        });
        rows.push((
            "tracing",
            percentiles(ns),
            Some(dropped.dropped_lines() as u64),
        ));
    }
    let body: Vec<String> = rows
        .iter()
        .map(|(lib, [p50, p99, p999], dropped)| {
            let sub = |v: f64| (v - clock).max(0.0);
            let dropped = dropped.map_or("null".to_string(), |n| n.to_string());
            println!("non-blocking caller latency {lib:<8} p50 {:>6.0} ns  p99 {:>6.0} ns  p99.9 {:>6.0} ns  dropped {dropped}", sub(*p50), sub(*p99), sub(*p999));
            format!("\"{lib}\": [{:.0}, {:.0}, {:.0}, {dropped}]", sub(*p50), sub(*p99), sub(*p999))
        })
        .collect();
    println!("(clock overhead subtracted: {clock:.0} ns)");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        root.join("target/criterion/non_blocking.json"),
        format!("{{{}, \"clock\": {clock:.0}}}", body.join(", ")),
    )
    .unwrap();
}

/// Allocations per event on each path, written for the report.
fn allocations(_: &mut Criterion) {
    if !wanted("allocations") {
        return;
    }
    fn per_event(f: impl Fn()) -> f64 {
        for _ in 0..100 {
            f();
        }
        let region = Region::new(GLOBAL);
        for _ in 0..1000 {
            f();
        }
        let stats = region.change();
        (stats.allocations + stats.reallocations) as f64 / 1000.0
    }
    let text = Logger::new("bench").with_observer(Arc::new(
        TextObserver::new(dev_null()).with_flush_each(false),
    ));
    let json = Logger::new("bench").with_observer(Arc::new(
        JsonObserver::new(dev_null()).with_flush_each(false),
    ));
    let bound = json.bind("request", 7u32);
    let visit = Logger::new("bench").with_observer(Arc::new(VisitAll));
    let mut rows = vec![
        (
            "visit_fields/spindle",
            per_event(|| spindle_event(&visit, PATH, STATUS, BYTES)),
        ),
        (
            "text_file/spindle",
            per_event(|| spindle_event(&text, PATH, STATUS, BYTES)),
        ),
        (
            "json_file/spindle",
            per_event(|| spindle_event(&json, PATH, STATUS, BYTES)),
        ),
        (
            "json_file_bound/spindle",
            per_event(|| spindle_event(&bound, PATH, STATUS, BYTES)),
        ),
    ];
    let fmt = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(dev_null()))
        .with_ansi(false)
        .finish();
    rows.push((
        "text_file/tracing",
        tracing::subscriber::with_default(fmt, || per_event(|| tracing_event(PATH, STATUS, BYTES))),
    ));
    let fmt_json = tracing_subscriber::fmt()
        .json()
        .with_writer(std::sync::Mutex::new(dev_null()))
        .finish();
    rows.push((
        "json_file/tracing",
        tracing::subscriber::with_default(fmt_json, || {
            per_event(|| tracing_event(PATH, STATUS, BYTES))
        }),
    ));
    let slog = slog_json();
    rows.push((
        "json_file/slog",
        per_event(|| slog_event(&slog, PATH, STATUS, BYTES)),
    ));
    // Placeholders that run the caller's code when rendered: a `%` and a
    // `?` capture, and a method call.
    rows.push((
        "text_file_captures/spindle",
        per_event(|| captures_event(&text, PATH, STATUS)),
    ));
    rows.push((
        "json_file_captures/spindle",
        per_event(|| captures_event(&json, PATH, STATUS)),
    ));
    // A `log` record through the bridge to a text observer on the global
    // publisher (whose other observers do nothing).
    install_bridge();
    let id = global_publisher().add_observer(TextObserver::new(dev_null()).with_flush_each(false));
    rows.push((
        "log_bridge_text/spindle",
        per_event(|| log_event(PATH, STATUS, BYTES)),
    ));
    global_publisher().remove_observer(id);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = File::create(dir.join("allocations.json")).unwrap();
    let body: Vec<String> = rows.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    writeln!(out, "{{{}}}", body.join(", ")).unwrap();
    for (k, v) in rows {
        println!("allocations per event: {k:<22} {v}");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = disabled, disabled_by_namespace, visit_fields, empty_observer, text_file, json_file, json_file_bound, two_threads, global_publisher_threads, read_json, non_blocking_latency, allocations
}
criterion_main!(benches);
