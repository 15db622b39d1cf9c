//! A tour of spindle: the format DSL, levels, sources, loggers, failures and
//! test capture. Prints to stderr in twisted's text layout.
//!
//! Run it with `cargo run --example tour`.

use std::sync::Arc;

use spindle::{
    Context, Event, LogLevel, LogSource, Logger, Observer, captured_logs, critical, debug, emit,
    error, failure, format_event, global_log_beginner, info, trace, warn,
};

#[derive(LogSource)]
struct Request {
    uri: String,
    status: u16,
    #[log(redact)]
    token: String,
}

impl Request {
    /// Expensive: runs only when an observer renders the event.
    fn summary(&self) -> String {
        format!(
            "{} answered {} ({} token bytes)",
            self.uri,
            self.status,
            self.token.len()
        )
    }
}

#[derive(LogSource)]
struct Worker {
    value: u32,
}

#[derive(Debug)]
struct MathError(std::num::ParseIntError);

impl std::fmt::Display for MathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("could not add up")
    }
}

impl std::error::Error for MathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn main() {
    // Anything logged before this line is kept and replayed to the observer.
    info!("logged before logging began, replayed once it does");
    let stderr = |event: &Event<'_>| {
        let line = spindle::event_as_text(event);
        if !line.is_empty() {
            eprintln!("{line}");
        }
    };
    global_log_beginner().begin_logging_to([Arc::new(stderr) as Arc<dyn Observer>]);

    let req = Request {
        uri: "/index.html".into(),
        status: 200,
        token: "s3cret".into(),
    };
    let body = vec![0u8; 1536];
    let data = vec![1, 2, 3];

    // Both notations; `{…}` and `<…>` are checked against the captures at compile time.
    info!("<req.uri> answered <req.status>", req);
    info!(
        "{req.uri}: status={req.status}, bytes={size}",
        req,
        size = body.len()
    );
    debug!("Got data: {data!r}.", data);
    info!("{req.uri} useful but expensive: {req.summary()}", req);
    info!(
        "Specs: [{ratio:.3}] [{n:08}] [{n:#x}] [{name:>8}]",
        ratio = 2.0 / 3.0,
        n = 255,
        name = "right"
    );

    // A source sets the namespace to `module::Type` and `log_source`.
    let worker = Worker { value: 42 };
    let something = "work";
    info!(source: &worker, "Object with value {log_source.value!r} doing {something}.", something);

    // Every level; `emit!` takes one chosen at run time.
    trace!("trace is the most verbose level");
    warn!("disk {pct}% full", pct = 91);
    error!("request failed: {code}", code = 503);
    critical!("the sky is falling");
    emit!(LogLevel::Info, "emitted at a level chosen at run time");

    // A logger with its own namespace, bound fields and context.
    let db = Logger::new("tour::db")
        .bind("shard", 3)
        .with_context(Context::THREAD);
    info!(logger: &db, "query took {ms}ms", ms = 12);

    // A failure: the error, its source() chain and a backtrace.
    if let Err(e) = "12x".parse::<u32>() {
        failure!("Math is hard!", MathError(e));
    }

    // Tests capture events and check their text and fields.
    let events = captured_logs(|| info!("{n} items", n = 3));
    assert_eq!(format_event(&events[0]), "3 items");
    info!(
        "captured {count} event(s) whose text was {text!r}",
        count = events.len(),
        text = format_event(&events[0])
    );
}
