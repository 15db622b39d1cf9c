use std::borrow::Cow;
use std::fmt;
use std::ops::BitOr;
use std::sync::{Arc, LazyLock};

use crate::direct_call::DirectCall;
use crate::event::{Callsite, Event};
use crate::field_value::FieldValue;
use crate::interest::{LoggerInterest, logger_wanted};
use crate::level::LogLevel;
use crate::observer::Observer;
use crate::owned_value::OwnedValue;
use crate::publisher::{global_enabled, global_publisher};
use crate::value::{DebugValue, Value};

/// Context fields a [`Logger`] adds to each of its events (Twiggy's
/// features): combine with `|`.
///
/// ```
/// use logcore::Context;
/// let both = Context::THREAD | Context::PID;
/// assert!(both.contains(Context::PID) && !both.contains(Context::HOSTNAME));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context(u8);

impl Context {
    /// No context fields.
    pub const NONE: Context = Context(0);
    /// `thread`: the logging thread's name (or its id if unnamed).
    pub const THREAD: Context = Context(1);
    /// `pid`: the process id.
    pub const PID: Context = Context(2);
    /// `hostname`: the machine's host name.
    pub const HOSTNAME: Context = Context(4);

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Context) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Context {
    type Output = Context;
    fn bitor(self, rhs: Context) -> Context {
        Context(self.0 | rhs.0)
    }
}

static HOSTNAME: LazyLock<String> = LazyLock::new(|| {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|| "-".to_string())
});

/// A logger's bound fields, in the order they were bound.
pub(crate) type BoundFields = [(Cow<'static, str>, OwnedValue)];

/// Where events go, under which namespace, with which fields: twisted's
/// `Logger`. Cheap to clone. Use it with the macros' `logger:` form.
///
/// ```
/// use logcore::{Logger, Context, LogLevel};
/// let log = Logger::new("app::db").bind("shard", 3).with_context(Context::PID);
/// assert_eq!(log.namespace(), "app::db");
/// let log2 = log.bind("user", "ann");
/// let names: Vec<&str> = log2.bound().iter().map(|(k, _)| k.as_ref()).collect();
/// assert_eq!(names, ["shard", "user"]); // in the order they were bound
/// assert_eq!(log.bound().len(), 1);
/// let _ = log.enabled(LogLevel::Info);
/// ```
#[derive(Clone)]
pub struct Logger {
    namespace: Cow<'static, str>,
    observer: Option<Arc<dyn Observer>>,
    bound: Arc<BoundFields>,
    /// Whether no bound field's name holds anything a JSON string escapes
    /// (the context fields' names hold nothing).
    bound_names_escape_free: bool,
    system: Option<Arc<str>>,
    context: Context,
    /// Whether calls may go to `observer` without an event (see
    /// `Logger::takes_direct`), asked when the logger is made: a cache
    /// (`pack_direct_into` checks the logger again, so a stale `true`
    /// would cost time, not correctness).
    direct: bool,
    /// Which levels the global publisher's observers want in `namespace`,
    /// kept (see [`Logger::wanted`]), and the namespace's number in packed
    /// events; shared by the logger's clones.
    kept: Arc<LoggerInterest>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("namespace", &self.namespace)
            .field(
                "observer",
                &self
                    .observer
                    .as_ref()
                    .map_or("global publisher", |_| "custom"),
            )
            .field("bound", &self.bound)
            .field("system", &self.system)
            .field("context", &self.context)
            .finish()
    }
}

impl Logger {
    /// A logger for `namespace` that publishes to the global publisher.
    pub fn new(namespace: impl Into<Cow<'static, str>>) -> Logger {
        Logger {
            namespace: namespace.into(),
            observer: None,
            bound: Arc::from(Vec::new()),
            bound_names_escape_free: true,
            system: None,
            context: Context::NONE,
            direct: false,
            kept: Arc::default(),
        }
    }

    /// The same logger, sending its events to `observer` instead of the
    /// global publisher. The logger asks the observer which levels it wants
    /// in the logger's namespace ([`Observer::max_level_for`]) here, and
    /// keeps the answer as a call site does (see [`Logger::wanted`]), so
    /// that a call below it costs a load and a compare and evaluates
    /// nothing. When the answer changes, call
    /// [`LogPublisher::update_max_level`](crate::LogPublisher::update_max_level)
    /// on any publisher (a [`LogPublisher`](crate::LogPublisher) calls it
    /// itself when its observers change).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use logcore::{LogLevel, LogPublisher, Logger};
    /// let publisher = Arc::new(LogPublisher::new());
    /// let log = Logger::new("app").with_observer(publisher.clone());
    /// assert!(!log.wanted(LogLevel::Critical), "no observers yet");
    /// publisher.add_observer(|_: &logcore::Event<'_>| {});
    /// assert!(log.wanted(LogLevel::Trace), "asked again after the change");
    /// ```
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Logger {
        self.observer = Some(observer);
        self.direct = self.takes_direct();
        // Not shared with the clones that send elsewhere.
        self.kept = Arc::default();
        // Asked now (any level asks), so that the first call is checked too.
        let _ = self.wanted(LogLevel::Critical);
        self
    }

    /// The same logger with `log_system` set (it replaces `namespace#level`
    /// in text output).
    pub fn with_system(mut self, system: &str) -> Logger {
        self.system = Some(Arc::from(system));
        self.direct = self.takes_direct();
        self
    }

    /// The same logger, adding `context` fields to every event.
    pub fn with_context(mut self, context: Context) -> Logger {
        self.context = context;
        self.direct = self.takes_direct();
        self
    }

    /// A logger whose events all carry `key = value` too (Twiggy's `fields()`).
    /// The value is stored once, now.
    pub fn bind(&self, key: impl Into<Cow<'static, str>>, value: impl Value) -> Logger {
        let key = key.into();
        let bound_names_escape_free = self.bound_names_escape_free && logformat::escape_free(&key);
        let added = (key, OwnedValue::from_value(&value));
        // (collected straight into the shared slice: one allocation, where
        // a `Vec` made first took three and a copy)
        let bound = self.bound.iter().cloned().chain([added]).collect();
        let mut logger = Logger {
            bound,
            bound_names_escape_free,
            ..self.clone()
        };
        logger.direct = logger.takes_direct();
        logger
    }

    /// Whether the logger's calls may go to its observer without an event:
    /// the observer takes them ([`Observer::__takes_direct`]) and the
    /// logger adds nothing a [`DirectCall`] leaves out (fields, a system).
    fn takes_direct(&self) -> bool {
        self.observer.as_ref().is_some_and(|o| o.__takes_direct()) && !self.adds_to_events()
    }

    /// The namespace.
    #[inline]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The bound fields.
    pub fn bound(&self) -> &[(Cow<'static, str>, OwnedValue)] {
        &self.bound
    }

    /// `log_system`, if set.
    pub fn system(&self) -> Option<&str> {
        self.system.as_deref()
    }

    /// Whether an event at `level` may reach an observer: what its observer
    /// (or the global publisher's observers) want in this logger's
    /// namespace, once asked (see [`Logger::wanted`]), and for the global
    /// publisher, the global level. One or two loads; it asks nothing.
    #[inline]
    pub fn enabled(&self, level: LogLevel) -> bool {
        (self.observer.is_some() || global_enabled(level)) && self.kept.interest.may_want(level)
    }

    /// Whether the logger's observer, or the global publisher's observers
    /// when it has none of its own, want an event at `level` in this
    /// logger's namespace ([`Observer::max_level_for`]): asked once and
    /// kept with the logger (and its clones) until the observers or their
    /// levels change, as a call site keeps its answer. The macros ask it
    /// before building an event.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, Logger, Observer, global_log_beginner};
    /// struct DbOnly;
    /// impl Observer for DbOnly {
    ///     fn observe(&self, _: &Event<'_>) {}
    ///     fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
    ///         namespace.starts_with("app::db").then_some(LogLevel::Debug)
    ///     }
    /// }
    /// global_log_beginner().begin_logging_to([std::sync::Arc::new(DbOnly) as _]);
    /// let (db, web) = (Logger::new("app::db"), Logger::new("app::web"));
    /// assert!(db.wanted(LogLevel::Debug));
    /// assert!(!web.wanted(LogLevel::Error));
    /// // Kept: `enabled` now says no for the web logger by itself.
    /// assert!(!web.enabled(LogLevel::Error));
    /// assert!(db.enabled(LogLevel::Debug));
    /// ```
    #[inline]
    pub fn wanted(&self, level: LogLevel) -> bool {
        logger_wanted(&self.kept, &self.namespace, self.observer.as_ref(), level)
    }

    /// Sends an event to this logger's observer.
    #[inline]
    pub fn publish(&self, event: &Event<'_>) {
        match &self.observer {
            None => global_publisher().publish(event),
            Some(o) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| o.observe(event)));
            }
        }
    }

    /// Hands a call to this logger's observer without building its event,
    /// if the observer takes calls that way (non-blocking output: see
    /// [`DirectCall`]); `false` if not, and the caller publishes the event.
    /// What the macros call first for a call site whose placeholders are
    /// all plain `{name}`s. Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn __publish_direct(
        &self,
        level: LogLevel,
        callsite: &'static Callsite,
        values: &[FieldValue<'_>],
    ) -> bool {
        match &self.observer {
            Some(o) if self.direct => {
                let call = DirectCall {
                    level,
                    callsite,
                    values,
                    logger: Some(self),
                };
                // (a panic is an event lost, as in `publish`)
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| o.__observe_direct(&call)))
                    .unwrap_or(true)
            }
            _ => false,
        }
    }

    /// As [`Logger::for_each_field`], for a kept copy: names that are static
    /// are borrowed, values owned.
    pub(crate) fn for_each_owned_field(&self, f: &mut dyn FnMut(Cow<'static, str>, OwnedValue)) {
        self.each_field(|name, value| f(name.clone(), OwnedValue::from_value(&value)));
    }

    /// The number of the logger's namespace in packed events (`None` once
    /// too many namespaces have one).
    #[inline(always)]
    pub(crate) fn namespace_number(&self) -> Option<u32> {
        self.kept.namespace_number(&self.namespace)
    }

    /// Whether the logger's namespace holds nothing a JSON string or a text
    /// line escapes (looked at once; see `Interest::namespace_escape_free`).
    #[inline]
    pub(crate) fn namespace_escape_free(&self) -> bool {
        self.kept.interest.namespace_escape_free(&self.namespace)
    }

    /// Whether the names of the fields the logger adds hold nothing a JSON
    /// string escapes (looked at when bound).
    #[inline]
    pub(crate) fn field_names_escape_free(&self) -> bool {
        self.bound_names_escape_free
    }

    /// Whether the logger adds anything but its namespace to its events:
    /// fields, or a system (what a [`DirectCall`] cannot carry).
    #[inline]
    pub(crate) fn adds_to_events(&self) -> bool {
        self.has_fields() || self.system.is_some()
    }

    /// Whether the logger adds any field to its events.
    #[inline]
    pub(crate) fn has_fields(&self) -> bool {
        !self.bound.is_empty() || self.context != Context::NONE
    }

    /// The bound fields, if there are any and they are all the logger's
    /// fields (no context field).
    #[inline]
    pub(crate) fn bound_alone(&self) -> Option<&Arc<BoundFields>> {
        (!self.bound.is_empty() && self.context == Context::NONE).then_some(&self.bound)
    }

    /// Calls `f` with the bound fields, then the context fields (out of
    /// line: most loggers have none, see [`Logger::has_fields`]).
    pub(crate) fn for_each_field(&self, f: &mut dyn FnMut(&str, FieldValue<'_>)) {
        self.each_field(|name, value| f(name, value));
    }

    /// The bound fields, then the context fields, with their names as
    /// stored.
    #[inline]
    fn each_field(&self, mut f: impl FnMut(&Cow<'static, str>, FieldValue<'_>)) {
        for (k, v) in self.bound.iter() {
            f(k, FieldValue::of(v));
        }
        if self.context.contains(Context::THREAD) {
            let thread = std::thread::current();
            let name = Cow::Borrowed("thread");
            match thread.name() {
                Some(thread) => f(&name, FieldValue::of(&thread)),
                // Its id, written out only if an observer renders it.
                None => f(&name, FieldValue::of(&DebugValue(thread.id()))),
            }
        }
        if self.context.contains(Context::PID) {
            f(&Cow::Borrowed("pid"), FieldValue::of(&std::process::id()));
        }
        if self.context.contains(Context::HOSTNAME) {
            f(
                &Cow::Borrowed("hostname"),
                FieldValue::of(&HOSTNAME.as_str()),
            );
        }
    }
}
