//! Placeholders of live events: what renders `{req.uri}` when (and only
//! when) an observer asks for text or values.

use std::fmt;

use crate::value::Value;

/// Receives a placeholder's value when an event is rendered or flattened:
/// its text (conversion and spec applied) and, where the type is a
/// [`Value`], the raw value.
pub trait Sink {
    /// Takes the placeholder's text and raw value.
    fn put(&mut self, text: fmt::Arguments<'_>, raw: Option<&dyn Value>);
}

/// Hands a placeholder's text and value to a [`Sink`]. The macros make a
/// closure for a placeholder with a path, a call or a spec, and use
/// [`ShowValue`] or [`ShowText`] for a plain `{name}` of a field: those are
/// the same type at every call site, so the compiler builds them once.
///
/// ```
/// use logcore::{Render, ShowValue, Sink, Value};
/// struct Collect(String);
/// impl Sink for Collect {
///     fn put(&mut self, text: std::fmt::Arguments<'_>, _: Option<&dyn Value>) {
///         self.0 = text.to_string();
///     }
/// }
/// let mut sink = Collect(String::new());
/// ShowValue(&42).render(&mut sink);
/// assert_eq!(sink.0, "42");
/// (|s: &mut dyn Sink| s.put(format_args!("{:>4}", 7), None)).render(&mut sink);
/// assert_eq!(sink.0, "   7");
/// ```
#[diagnostic::on_unimplemented(
    message = "a placeholder's value must implement `std::fmt::Display`",
    label = "this placeholder's value does not implement `Display`",
    note = "show it through `Debug` with `{{name!r}}`, or capture the field as `name = ?expr`"
)]
pub trait Render {
    /// Puts the text and value into `sink`.
    fn render(&self, sink: &mut dyn Sink);

    /// Appends the text of a plain placeholder whose value can write it
    /// without `fmt` (and cannot fail), and says whether it did. Not part
    /// of the stable API; the default declines.
    #[doc(hidden)]
    fn __write_plain(&self, out: &mut String) -> bool {
        let _ = out;
        false
    }
}

impl<F: Fn(&mut dyn Sink)> Render for F {
    #[inline]
    fn render(&self, sink: &mut dyn Sink) {
        self(sink)
    }
}

/// A placeholder, as a live event holds it.
pub type Placeholder<'a> = dyn Render + 'a;

/// A plain `{name}` of a field that is a [`Value`]: its `Display` text and
/// the value.
#[doc(hidden)]
#[derive(Debug)]
pub struct ShowValue<'a, T>(pub &'a T);

impl<T: Value + fmt::Display> Render for ShowValue<'_, T> {
    #[inline]
    fn render(&self, sink: &mut dyn Sink) {
        sink.put(format_args!("{}", self.0), Some(self.0))
    }
    #[inline]
    fn __write_plain(&self, out: &mut String) -> bool {
        self.0.__scalar().is_some_and(|s| s.write_plain(out))
    }
}

/// A plain `{name}` of a field that is not a [`Value`]: its `Display` text.
#[doc(hidden)]
#[derive(Debug)]
pub struct ShowText<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Display + ?Sized> Render for ShowText<'_, T> {
    #[inline]
    fn render(&self, sink: &mut dyn Sink) {
        sink.put(format_args!("{}", self.0), None)
    }
}
