use std::fmt;

use crate::event::{Callsite, Piece};
use crate::failure::Failure;
use crate::level::LogLevel;

/// A panic, as the error of a [`Failure`].
#[derive(Debug)]
struct Panic(String);

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Panic {}

/// Installs a panic hook that logs each panic as a critical event with a
/// failure (message, location, backtrace) to the global publisher, then runs
/// the hook that was installed before.
///
/// ```
/// logcore::install_panic_hook();
/// let events = logcore::captured_logs(|| {
///     let _ = std::panic::catch_unwind(|| panic!("boom"));
/// });
/// let failure = events[0].failure.as_ref().unwrap();
/// assert_eq!(failure.message(), "boom");
/// ```
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        static CALLSITE: Callsite = Callsite::internal(
            "spindle::panic",
            "Panic in thread {thread} at {location}",
            &[
                Piece::Literal("Panic in thread "),
                Piece::Field("thread!s:", "thread!:"),
                Piece::Literal(" at "),
                Piece::Field("location!s:", "location!:"),
            ],
            &["thread", "location"],
            file!(),
            line!(),
        );
        let message = crate::text::panic_message(info.payload());
        let failure = Failure::capture(&Panic(message));
        let thread = std::thread::current()
            .name()
            .unwrap_or("<unnamed>")
            .to_string();
        let location = info
            .location()
            .map_or_else(|| "<unknown>".to_string(), |l| l.to_string());
        crate::internal::with_failure_event(
            LogLevel::Critical,
            &CALLSITE,
            &[&thread, &location],
            &failure,
            |event| crate::publisher::global_publisher().publish(event),
        );
        previous(info);
    }));
}
