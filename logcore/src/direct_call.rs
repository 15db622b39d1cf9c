//! A log call handed to an observer without an event: the way non-blocking
//! output packs a call straight into its ring.

use crate::event::Callsite;
use crate::field_value::FieldValue;
use crate::level::LogLevel;
use crate::logger::Logger;

/// A log call, as the macros hand it to an observer that takes calls
/// without an event ([`Observer::__observe_direct`]). It stands for the
/// event the call would build: the logger's namespace (the call site's
/// module path for a call through the global publisher, without a
/// logger), no `log_source`, no failure, the call site's names with
/// `values`, and text made from the call site's pieces, each placeholder
/// showing the field its [`Callsite::bare`] names. The macros hand one
/// only for a call site whose every placeholder is such a plain `{name}`.
/// Not part of the stable API.
///
/// [`Observer::__observe_direct`]: crate::Observer::__observe_direct
///
/// ```
/// use logcore::{Callsite, CallsiteId, DirectCall, FieldValue, Interest, LogLevel, Logger, Piece};
/// static SITE: Callsite = Callsite {
///     format: "{n} left",
///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" left")], names: &["n"],
///     module_path: "app", file: "app.rs", line: 3, calls: false,
///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: Interest::new(),
/// };
/// let log = Logger::new("app::stock");
/// let n = 9u8;
/// let values = [FieldValue::of(&n)];
/// let call = DirectCall { level: LogLevel::Info, callsite: &SITE, values: &values, logger: Some(&log) };
/// assert_eq!(call.namespace(), "app::stock");
/// assert_eq!(DirectCall { logger: None, ..call }.namespace(), "app");
/// // a logger whose observer takes no calls without an event says so
/// assert!(!log.__publish_direct(LogLevel::Info, &SITE, &values));
/// ```
#[doc(hidden)]
#[allow(missing_debug_implementations)]
#[derive(Clone, Copy)]
pub struct DirectCall<'a> {
    /// The call's level.
    pub level: LogLevel,
    /// The call site: its format, names and module path.
    pub callsite: &'static Callsite,
    /// One per name of the call site.
    pub values: &'a [FieldValue<'a>],
    /// `None` for a call through the global publisher.
    pub logger: Option<&'a Logger>,
}

impl DirectCall<'_> {
    /// The namespace of the event the call stands for.
    #[inline]
    pub fn namespace(&self) -> &str {
        self.logger
            .map_or(self.callsite.module_path, Logger::namespace)
    }
}
