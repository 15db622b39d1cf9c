//! spindle: structured logging whose format strings are checked by the
//! compiler and rendered lazily, only by the observers that want text.
//!
//! ```
//! use spindle::{info, failure, captured_logs, format_event, LogSource};
//!
//! #[derive(LogSource)]
//! struct Request { uri: String, status: u16, #[log(redact)] token: String }
//!
//! let req = Request { uri: "/index".into(), status: 200, token: "s3cret".into() };
//! let events = captured_logs(|| info!("<req.uri> answered <req.status>", req));
//! assert_eq!(format_event(&events[0]), "/index answered 200");
//! assert!(!format!("{:?}", events[0].fields).contains("s3cret"));
//! ```
//!
//! # The macros
//!
//! `trace! debug! info! warn! error! critical!` take an optional
//! `logger: EXPR,` (a [`Logger`]) and `source: EXPR,` (a `&T` where
//! `T: LogSource`), a string literal, then fields:
//!
//! | field | captures |
//! | --- | --- |
//! | `name` | the variable `name` |
//! | `name = expr` | the value of `expr` |
//! | `name = %expr` or `%name` | through `Display` |
//! | `name = ?expr` or `?name` | through `Debug` |
//!
//! `emit!(level, …)` takes the level as its first argument; `failure!("format",
//! err, fields…)` logs `err` (any `std::error::Error`, or a `Box<dyn Error>`)
//! at critical level with its `source()` chain and a backtrace.
//!
//! Placeholders are `{path}` or `<path>`, where `path` is a captured name (or
//! `log_source`) followed by `.field`, `.0`, `[index]` and an optional final
//! `()`; then `!s` (Display) or `!r` (Debug), then a Rust format spec after
//! `:` (`{x:>8}`, `{f:.3}`, `{n:08}`, `{n:x}`, `{v:?}`). A placeholder is a
//! closure: `{req.summary()}` calls `summary` only if an observer renders the
//! event. Positional placeholders, unknown names, calls with arguments,
//! `log_*` field names and unknown conversions are compile errors.
//!
//! A call below the enabled level costs one relaxed atomic load and a
//! branch, and one below its own module's level one more of each; the
//! `max_level_*` cargo features compile levels out entirely.
#![warn(missing_docs)]

pub use logcore::{
    ALL_LEVELS, AsDynError, AsEvent, Context, DebugValue, DisplayValue, Event, ExtractError,
    Failure, FieldValue, Frame, LogBeginner, LogLevel, LogPublisher, LogSource, Logger, Map,
    Observer, ObserverId, OwnedEvent, OwnedValue, Packed, ParseLevelError, STARTUP_BUFFER_CAPACITY,
    Seq, SerdeValue, UnpackError, Unpacker, Value, ValueDebug, Visit, apply_spec, captured_logs,
    event_as_text, extract_field, format_event, format_time, global_log_beginner, global_publisher,
    install_panic_hook, now, pack, pack_into, system_id,
};
pub use logmacros::{LogSource, critical, debug, emit, error, failure, info, trace, warn};
pub use logobservers::{
    Directive, DirectiveError, FAILURE_UUID, FilteringObserver, FullPolicy, GlobPredicate,
    HistoryObserver, JsonLogReader, JsonObserver, LEVEL_UUID, LineWriter, LogLevelFilterPredicate,
    NamespacePredicate, NonBlocking, NonBlockingGuard, Predicate, PredicateResult, RecordError,
    RotatingFile, Rotation, TWISTED_TIME_FORMAT, TextObserver, TextRegexPredicate, event_as_json,
    event_from_json, events_from_json_log_file, parse_directives,
};
#[cfg(feature = "log")]
pub use logobservers::{LogBridge, LogForwarder, from_log_level, install_log_bridge, to_log_level};

#[doc(hidden)]
pub mod __private;
mod setup;

pub use setup::{InitError, LoggingGuard, Setup, init};

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

/// The DSL reference's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/dsl.md")]
mod dsl_reference {}

/// The observers guide's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/observers.md")]
mod observers_guide {}

/// The guide's other pages, their examples run as doc tests.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../docs/getting-started.md")]
    mod getting_started {}
    #[doc = include_str!("../docs/events.md")]
    mod events {}
    #[doc = include_str!("../docs/failures-and-testing.md")]
    mod failures_and_testing {}
}
