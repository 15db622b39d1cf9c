//! Observers: text with filtering by level and namespace, a history buffer
//! replayed later, and a line writer for output that only prints.
//!
//! Run it with `cargo run --example observers`.

use std::io::Write;
use std::sync::Arc;

use spindle::{
    Event, FilteringObserver, GlobPredicate, HistoryObserver, LineWriter, LogLevel,
    LogLevelFilterPredicate, Logger, Observer, TextObserver, debug, global_log_beginner, info,
    warn,
};

fn main() {
    // Text to stderr; info and above, but debug for app::db.
    let levels = LogLevelFilterPredicate::from_directives("info,observers::db=debug")
        .expect("valid directives");
    let text = FilteringObserver::new(TextObserver::stderr()).with_predicate(levels);
    // The last 100 events of any namespace matching `observers::*`, for a crash report.
    let history = Arc::new(HistoryObserver::new(100));
    let recent =
        FilteringObserver::new(history.clone()).with_predicate(GlobPredicate::new("observers::*"));
    global_log_beginner().begin_logging_to([Arc::new(text) as Arc<dyn Observer>, Arc::new(recent)]);

    let db = Logger::new("observers::db");
    let web = Logger::new("observers::web");
    debug!(logger: &db, "connected to {host}", host = "db.local");
    debug!(logger: &web, "not shown: web is at info");
    info!(logger: &web, "listening on port {port}", port = 8080);
    warn!(logger: &web, "slow request: {ms}ms", ms = 1200);

    // A child process's output (or any code that only prints), line by line.
    let mut child_output = LineWriter::new(Logger::new("observers::child"), LogLevel::Info);
    writeln!(child_output, "child says hello").unwrap();
    write!(child_output, "an unfinished line is logged on drop").unwrap();
    drop(child_output);

    eprintln!("--- replaying the history (namespaces matching observers::*):");
    let replay = TextObserver::new(std::io::stderr());
    history.replay_to(&|event: &Event<'_>| replay.observe(event));
}
