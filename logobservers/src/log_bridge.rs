//! Both ways between spindle and the `log` crate, Rust's standard logging
//! facade: records of crates that log through `log` become spindle events,
//! and spindle events can be forwarded to any `log::Log`.

use std::fmt::Write as _;

use logcore::{
    Event, LogLevel, Observer, OwnedEvent, OwnedValue, global_enabled, global_publisher,
    on_global_max_level,
};

/// The `log` logger that turns records into spindle events (namespace =
/// target, `log` key-values as fields, levels mapped, file and line kept),
/// published to the global publisher. Install it with [`install_log_bridge`].
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

struct Fields<'a>(&'a mut Vec<(std::borrow::Cow<'static, str>, OwnedValue)>);

impl<'kvs> log::kv::VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let owned = if let Some(b) = value.to_bool() {
            OwnedValue::Bool(b)
        } else if let Some(i) = value.to_i64() {
            OwnedValue::I64(i)
        } else if let Some(u) = value.to_u64() {
            OwnedValue::U64(u)
        } else if let Some(f) = value.to_f64() {
            OwnedValue::F64(f)
        } else if let Some(s) = value.to_borrowed_str() {
            OwnedValue::Str(s.to_string())
        } else {
            OwnedValue::Str(value.to_string())
        };
        self.0.push((key.as_str().to_string().into(), owned));
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
        let mut message = String::new();
        let _ = write!(message, "{}", record.args());
        // The message is literal text: escape braces so it is its own format.
        let format = message.replace('{', "{{").replace('}', "}}");
        let mut event = OwnedEvent::new(level, record.target(), &format);
        event.file = record
            .file_static()
            .map(std::borrow::Cow::Borrowed)
            .or_else(|| record.file().map(|f| f.to_string().into()));
        event.line = record.line();
        let _ = record.key_values().visit(&mut Fields(&mut event.fields));
        global_publisher().publish(&Event::from_owned(&event));
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
