use crate::value::Value;

/// A type whose values can be an event's `log_source`: derived with
/// `#[derive(LogSource)]` (which also implements [`Value`], honouring
/// `#[log(skip)]`, `#[log(redact)]` and `#[log(rename = "…")]`).
///
/// ```
/// use logcore::{LogSource, Value, Visit};
/// struct Worker { id: u32 }
/// impl Value for Worker {
///     fn visit(&self, v: &mut dyn Visit) { v.visit_u64(self.id.into()) }
/// }
/// impl LogSource for Worker {
///     fn log_namespace(&self) -> &'static str { "app::Worker" }
/// }
/// assert_eq!(Worker { id: 1 }.log_namespace(), "app::Worker");
/// ```
pub trait LogSource: Value {
    /// The namespace of events logged with this source: `module::Type`.
    fn log_namespace(&self) -> &'static str;
}

impl<T: LogSource + ?Sized> LogSource for &T {
    fn log_namespace(&self) -> &'static str {
        (**self).log_namespace()
    }
}
