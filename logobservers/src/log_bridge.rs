//! Both ways between spindle and the `log` crate, Rust's standard logging
//! facade: records of crates that log through `log` become spindle events,
//! and spindle events can be forwarded to any `log::Log`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;

use logcore::{
    Event, LogLevel, Observer, OwnedEvent, OwnedValue, global_enabled, global_publisher,
    on_global_max_level,
};

/// The `log` logger that turns records into spindle events (namespace =
/// target, `log` key-values as fields, levels mapped, file and line kept),
/// published to the global publisher. Install it with [`install_log_bridge`].
/// The message is formatted once, into an event the thread reuses: a record
/// allocates nothing once the thread's strings (its message, target,
/// key names and string values) have grown to fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogBridge;

/// `log`'s level for a spindle level (`critical` becomes `Error`).
///
/// ```
/// use logcore::LogLevel;
/// assert_eq!(logobservers::to_log_level(LogLevel::Critical), log::Level::Error);
/// assert_eq!(logobservers::from_log_level(log::Level::Warn), LogLevel::Warn);
/// ```
pub fn to_log_level(level: LogLevel) -> log::Level {
    match level {
        LogLevel::Trace => log::Level::Trace,
        LogLevel::Debug => log::Level::Debug,
        LogLevel::Info => log::Level::Info,
        LogLevel::Warn => log::Level::Warn,
        LogLevel::Error | LogLevel::Critical => log::Level::Error,
    }
}

/// spindle's level for a `log` level.
pub fn from_log_level(level: log::Level) -> LogLevel {
    match level {
        log::Level::Trace => LogLevel::Trace,
        log::Level::Debug => LogLevel::Debug,
        log::Level::Info => LogLevel::Info,
        log::Level::Warn => LogLevel::Warn,
        log::Level::Error => LogLevel::Error,
    }
}

fn to_level_filter(level: Option<LogLevel>) -> log::LevelFilter {
    level.map_or(log::LevelFilter::Off, |l| to_log_level(l).to_level_filter())
}

/// Makes spindle the `log` crate's logger and keeps `log::max_level` in
/// step with the levels spindle's observers want. Fails if another logger
/// was installed first.
///
/// ```
/// logobservers::install_log_bridge().unwrap();
/// let events = logcore::captured_logs(|| log::warn!(target: "app::db", "pool at {}%", 95));
/// assert_eq!(logcore::format_event(&events[0]), "pool at 95%");
/// assert_eq!(events[0].namespace.as_deref(), Some("app::db"));
/// ```
pub fn install_log_bridge() -> Result<(), log::SetLoggerError> {
    log::set_logger(&LogBridge)?;
    on_global_max_level(|level| log::set_max_level(to_level_filter(level)));
    Ok(())
}

thread_local! {
    /// The event each record on this thread is made into, refilled for
    /// the next: its strings keep their room, so a record allocates
    /// nothing once the first few have been logged.
    static SCRATCH: RefCell<OwnedEvent> = RefCell::new(OwnedEvent::default());
}

/// Makes `event` the event for `record` (as if new: nothing of the record
/// before it is left).
fn fill(event: &mut OwnedEvent, level: LogLevel, record: &log::Record<'_>) {
    // (every part named: one added to `OwnedEvent` must be refilled too)
    let OwnedEvent {
        level: event_level,
        namespace,
        format,
        time,
        system,
        source,
        failure,
        file,
        line,
        fields,
        flattened,
    } = event;
    *event_level = Some(level);
    OwnedEvent::refill_str(namespace).push_str(record.target());
    // The message is literal text: its braces are doubled, so that it is
    // its own format.
    let format = OwnedEvent::refill_str(format);
    // (the record's own arguments, not `format_args!("{}", …)` around them:
    // one pass of the formatter instead of two)
    let _ = format.write_fmt(*record.args());
    if memchr::memchr2(b'{', b'}', format.as_bytes()).is_some() {
        double_braces(format);
    }
    *time = Some(logcore::now());
    (*system, *source, *failure) = (None, None, None);
    *file = record
        .file_static()
        .map(Cow::Borrowed)
        .or_else(|| record.file().map(|f| Cow::Owned(f.to_string())));
    *line = record.line();
    flattened.clear();
    let mut visitor = Fields { fields, count: 0 };
    let _ = record.key_values().visit(&mut visitor);
    let count = visitor.count;
    fields.truncate(count);
}

/// Doubles each brace in `text`, in place (its room grows once, and is
/// kept for the next record).
fn double_braces(text: &mut String) {
    let braces = text.bytes().filter(|b| matches!(b, b'{' | b'}')).count();
    let mut bytes = std::mem::take(text).into_bytes();
    let len = bytes.len();
    bytes.resize(len + braces, 0);
    // from the end, each byte to its place, a brace twice
    let mut to = bytes.len();
    for from in (0..len).rev() {
        let byte = bytes[from];
        let times = if matches!(byte, b'{' | b'}') { 2 } else { 1 };
        for _ in 0..times {
            to -= 1;
            bytes[to] = byte;
        }
    }
    // (still UTF-8: only ASCII bytes were doubled)
    *text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// Writes a record's key-values into the event's fields, over those of the
/// record before (their names' and string values' room kept).
struct Fields<'a> {
    fields: &'a mut Vec<(Cow<'static, str>, OwnedValue)>,
    /// How many were written.
    count: usize,
}

impl<'kvs> log::kv::VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let (name, kept) = OwnedEvent::refill_pair(self.fields, self.count);
        self.count += 1;
        name.push_str(key.as_str());
        if let Some(b) = value.to_bool() {
            *kept = OwnedValue::Bool(b);
        } else if let Some(i) = value.to_i64() {
            *kept = OwnedValue::I64(i);
        } else if let Some(u) = value.to_u64() {
            *kept = OwnedValue::U64(u);
        } else if let Some(f) = value.to_f64() {
            *kept = OwnedValue::F64(f);
        } else if let Some(s) = value.to_borrowed_str() {
            kept.refill_str().push_str(s);
        } else {
            let _ = write!(kept.refill_str(), "{value}");
        }
        Ok(())
    }
}

impl log::Log for LogBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        global_enabled(from_log_level(metadata.level()))
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = from_log_level(record.level());
        if !global_enabled(level) {
            return;
        }
        let publish = |event: &mut OwnedEvent| {
            fill(event, level, record);
            global_publisher().publish(&Event::from_owned(event));
        };
        let reused = SCRATCH
            .try_with(|scratch| scratch.try_borrow_mut().map(|mut e| publish(&mut e)))
            .is_ok_and(|published| published.is_ok());
        if !reused {
            // a record logged while one is being published on this thread
            // (or while the thread ends): an event of its own
            publish(&mut OwnedEvent::default());
        }
    }

    fn flush(&self) {
        global_publisher().flush();
    }
}

/// An observer that forwards each event to a `log::Log` (target =
/// namespace, message = the event's text, `critical` as `Error`), for a
/// program whose logging is configured through `log`. Do not forward to
/// [`LogBridge`] itself: the events would come straight back.
///
/// ```
/// use logobservers::LogForwarder;
/// use logcore::{Event, LogLevel, Observer, OwnedEvent};
///
/// struct Print;
/// impl log::Log for Print {
///     fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
///     fn log(&self, r: &log::Record<'_>) { println!("{} {}: {}", r.level(), r.target(), r.args()) }
///     fn flush(&self) {}
/// }
/// let forward = LogForwarder::new(Print);
/// forward.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "hello")));
/// ```
#[derive(Debug)]
pub struct LogForwarder<L> {
    logger: L,
}

impl<L: log::Log> LogForwarder<L> {
    /// Forwards to `logger`.
    pub fn new(logger: L) -> Self {
        LogForwarder { logger }
    }
}

impl<L: log::Log> Observer for LogForwarder<L> {
    fn observe(&self, event: &Event<'_>) {
        let level = to_log_level(event.level().unwrap_or(LogLevel::Info));
        let target = event.namespace().unwrap_or("spindle");
        let metadata = log::Metadata::builder().level(level).target(target).build();
        if !self.logger.enabled(&metadata) {
            return;
        }
        let text = event.text();
        let (file, line) = event
            .location()
            .map_or((None, None), |(f, l)| (Some(f), Some(l)));
        self.logger.log(
            &log::Record::builder()
                .metadata(metadata)
                .args(format_args!("{text}"))
                .file(file)
                .line(line)
                .build(),
        );
    }

    fn flush(&self) {
        self.logger.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_are_doubled_in_place() {
        // braces doubled in place, whatever else the text holds
        let mut text = "a {b} é {{".to_string();
        double_braces(&mut text);
        assert_eq!(text, "a {{b}} é {{{{");
    }
}
