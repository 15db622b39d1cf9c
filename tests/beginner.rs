//! The global log beginner. Global state: one test function, in its own
//! test binary, runs the whole sequence in order.

use std::sync::{Arc, Mutex};

use spindle::{
    Event, LogLevel, Observer, STARTUP_BUFFER_CAPACITY, captured_logs, debug, global_log_beginner,
    info,
};

#[derive(Default)]
struct Texts(Mutex<Vec<(Option<LogLevel>, String)>>);

impl Observer for Texts {
    fn observe(&self, event: &Event<'_>) {
        self.0
            .lock()
            .unwrap()
            .push((event.level(), event.text().into_owned()));
    }
}

#[test]
fn buffer_then_replay_once_then_warn_on_a_second_begin() {
    // Before logging begins, events are buffered (a capture running now sees
    // them too, and must not see them again on replay).
    let early = captured_logs(|| info!("early {n}", n = 1));
    assert_eq!(early.len(), 1);
    for i in 0..STARTUP_BUFFER_CAPACITY + 10 {
        debug!("filler {i}", i);
    }
    // Once the buffer is full, calls below critical are disabled again.
    assert!(!spindle::__private::global_enabled(LogLevel::Error));
    assert!(spindle::__private::global_enabled(LogLevel::Critical));

    let first = Arc::new(Texts::default());
    global_log_beginner().begin_logging_to([first.clone() as Arc<dyn Observer>]);
    let seen = first.0.lock().unwrap().clone();
    assert_eq!(seen[0].1, "early 1", "replayed in order");
    assert_eq!(
        seen.len(),
        STARTUP_BUFFER_CAPACITY + 1,
        "the buffer, then a notice that it filled up"
    );
    let last = &seen.last().unwrap();
    assert_eq!(last.0, Some(LogLevel::Warn));
    assert!(
        last.1
            .starts_with("The start-up buffer filled up: only the first 200 events"),
        "{}",
        last.1
    );
    assert!(
        last.1.contains("; 0 more reached it and were dropped"),
        "{}",
        last.1
    );
    // The buffer is gone: every level reaches the observer now.
    assert!(spindle::__private::global_enabled(LogLevel::Trace));
    first.0.lock().unwrap().clear();
    info!("live");
    assert_eq!(
        first.0.lock().unwrap().as_slice(),
        [(Some(LogLevel::Info), "live".to_string())]
    );

    // A second begin adds its observers and warns, naming both places.
    let second = Arc::new(Texts::default());
    global_log_beginner().begin_logging_to([second.clone() as Arc<dyn Observer>]);
    let warning = first.0.lock().unwrap().last().unwrap().clone();
    assert_eq!(warning.0, Some(LogLevel::Warn));
    assert!(
        warning
            .1
            .starts_with("Warning: primary log target selected twice at <tests/beginner.rs:"),
        "{}",
        warning.1
    );
    assert!(
        warning
            .1
            .contains("- previously selected at <tests/beginner.rs:"),
        "{}",
        warning.1
    );
    assert_eq!(
        second.0.lock().unwrap().len(),
        1,
        "the second observer sees the warning, not a replay"
    );
}
