//! Events the runtime logs about itself.

use std::fmt;

use crate::event::{Callsite, Event, LiveParts};
use crate::failure::Failure;
use crate::field_value::FieldValue;
use crate::level::LogLevel;
use crate::placeholder::{Placeholder, Sink};
use crate::value::Value;

/// A value that has text and can be stored.
pub(crate) trait TextValue: fmt::Display + Value {}
impl<T: fmt::Display + Value + ?Sized> TextValue for T {}

/// Builds an event whose format's placeholders are exactly `values`, in
/// order (the fields of the call site's names), and hands it to `f`.
pub(crate) fn with_event<R>(
    level: LogLevel,
    callsite: &'static Callsite,
    values: &[&dyn TextValue],
    f: impl FnOnce(&Event<'_>) -> R,
) -> R {
    build(level, callsite, values, None, f)
}

/// As [`with_event`], with a failure.
pub(crate) fn with_failure_event<R>(
    level: LogLevel,
    callsite: &'static Callsite,
    values: &[&dyn TextValue],
    failure: &Failure,
    f: impl FnOnce(&Event<'_>) -> R,
) -> R {
    build(level, callsite, values, Some(failure), f)
}

fn build<R>(
    level: LogLevel,
    callsite: &'static Callsite,
    values: &[&dyn TextValue],
    failure: Option<&Failure>,
    f: impl FnOnce(&Event<'_>) -> R,
) -> R {
    let closures: Vec<Box<Placeholder<'_>>> = values
        .iter()
        .map(|&v| {
            Box::new(move |s: &mut dyn Sink| s.put(format_args!("{v}"), Some(v as &dyn Value)))
                as Box<Placeholder<'_>>
        })
        .collect();
    let placeholders: Vec<&Placeholder<'_>> = closures.iter().map(|b| &**b).collect();
    let as_values: Vec<FieldValue<'_>> = values
        .iter()
        .map(|&v| FieldValue::from_dyn(v as &dyn Value))
        .collect();
    let event = Event::live(LiveParts {
        level,
        callsite,
        namespace: callsite.module_path,
        values: &as_values,
        placeholders: &placeholders,
        source: None,
        failure,
        logger: None,
    });
    f(&event)
}
