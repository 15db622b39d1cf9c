//! The runtime of spindle: events, levels, loggers, the publisher and the
//! global beginner, failures, text rendering and test capture.
//!
//! Most programs use it through the `spindle` crate and its macros; this is
//! what the macros expand to, and what observers are written against.
//!
//! ```
//! use logcore::{captured_logs, global_publisher, Event, LogLevel, OwnedEvent, format_event};
//!
//! let events = captured_logs(|| {
//!     let event = OwnedEvent::new(LogLevel::Info, "app", "{n} items").with_field("n", 3);
//!     global_publisher().publish(&Event::from_owned(&event));
//! });
//! assert_eq!(format_event(&events[0]), "3 items");
//! assert_eq!(events[0].level, Some(LogLevel::Info));
//! ```
#![warn(missing_docs)]

mod beginner;
mod capture;
mod clock;
mod direct_call;
mod event;
mod extract;
mod failure;
mod field_value;
mod interest;
mod internal;
mod level;
mod logger;
mod namespace_number;
mod observer;
mod owned_event;
mod owned_value;
mod packed;
mod panic_hook;
mod placeholder;
mod publisher;
mod reuse;
mod source;
mod text;
mod value;

pub use beginner::{LogBeginner, STARTUP_BUFFER_CAPACITY, global_log_beginner};
pub use capture::captured_logs;
pub use clock::now;
pub use direct_call::DirectCall;
pub use event::{AsEvent, Callsite, Event, LiveParts, Piece};
pub use extract::{ExtractError, extract_field};
pub use failure::{AsDynError, Failure, Frame};
pub use field_value::FieldValue;
pub use interest::{Interest, callsite_enabled, callsite_wanted};
pub use level::{ALL_LEVELS, LogLevel, ParseLevelError};
pub use logger::{Context, Logger};
pub use observer::Observer;
pub use owned_event::OwnedEvent;
pub use owned_value::OwnedValue;
pub use packed::{
    CallsiteId, Packed, Packer, UnpackError, Unpacker, pack, pack_direct_into, pack_into,
};
pub use panic_hook::install_panic_hook;
pub use placeholder::{Placeholder, Render, ShowText, ShowValue, Sink};
pub use publisher::{
    LogPublisher, ObserverId, global_enabled, global_publisher, on_global_max_level,
};
pub use source::LogSource;
#[doc(hidden)]
pub use text::push_int;
pub use text::{
    apply_spec, event_as_text, format_event, format_time, system_id, write_system_id, write_time,
};
#[doc(hidden)]
pub use value::Scalar;
pub use value::{
    DebugValue, DisplayValue, Map, Seq, SerdeValue, ShowsAsScalar, TextOnce, Value, ValueDebug,
    Visit,
};
