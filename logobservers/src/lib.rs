//! spindle's observers: text and JSON files (interchangeable with
//! twisted's), filtering by level and namespace, a history buffer.
//!
//! ```
//! use std::sync::Arc;
//! use logobservers::{FilteringObserver, LogLevelFilterPredicate, TextObserver};
//! use logcore::{Event, LogLevel, LogPublisher, Observer, OwnedEvent};
//!
//! let text = Arc::new(TextObserver::new(Vec::new()).with_time_format(None));
//! let filtered = FilteringObserver::new(text.clone())
//!     .with_predicate(LogLevelFilterPredicate::from_directives("warn").unwrap());
//! let publisher = LogPublisher::new();
//! publisher.add_observer(filtered);
//! publisher.publish(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "quiet")));
//! publisher.publish(&Event::from_owned(&OwnedEvent::new(LogLevel::Error, "app", "loud")));
//! drop(publisher);
//! let out = String::from_utf8(Arc::into_inner(text).unwrap().into_inner()).unwrap();
//! assert_eq!(out, "- [app#error] loud\n");
//! ```
#![warn(missing_docs)]

mod filter;
mod history;
mod json;
mod line_writer;
#[cfg(feature = "log")]
mod log_bridge;
mod non_blocking;
mod record_writer;
mod ring;
mod rotate;
mod scan;
#[cfg(test)]
mod test_support;
mod text;

pub use filter::{
    Directive, DirectiveError, FilteringObserver, GlobPredicate, LogLevelFilterPredicate,
    NamespacePredicate, Predicate, PredicateResult, TextRegexPredicate, parse_directives,
};
pub use history::HistoryObserver;
pub use json::{
    FAILURE_UUID, JsonLogReader, JsonObserver, LEVEL_UUID, RecordError, event_as_json,
    event_from_json, events_from_json_log_file, write_event,
};
pub use line_writer::LineWriter;
#[cfg(feature = "log")]
pub use log_bridge::{LogBridge, LogForwarder, from_log_level, install_log_bridge, to_log_level};
pub use non_blocking::{FullPolicy, NonBlocking, NonBlockingGuard};
pub use rotate::{RotatingFile, Rotation};
pub use text::{TWISTED_TIME_FORMAT, TextObserver};
