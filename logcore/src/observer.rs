use crate::direct_call::DirectCall;
use crate::event::Event;
use crate::level::LogLevel;

/// Receives events. Any `Fn(&Event) + Send + Sync` is one.
///
/// An observer is called synchronously, on the thread that logged, with a
/// borrowed event; one that keeps events turns them into
/// [`OwnedEvent`](crate::OwnedEvent)s with [`Event::to_owned_event`].
///
/// ```
/// use logcore::{Event, LogLevel, LogPublisher, Observer};
///
/// struct Errors;
/// impl Observer for Errors {
///     fn observe(&self, event: &Event<'_>) { eprintln!("{}", event.text()) }
///     fn max_level(&self) -> Option<LogLevel> { Some(LogLevel::Error) }
/// }
/// let publisher = LogPublisher::new();
/// publisher.add_observer(Errors);
/// publisher.add_observer(|event: &Event<'_>| println!("{}", event.text()));
/// assert!(publisher.enabled(LogLevel::Trace));
/// ```
pub trait Observer: Send + Sync {
    /// Handles one event.
    fn observe(&self, event: &Event<'_>);

    /// The most verbose level this observer wants (`None`: nothing). Events
    /// below the most verbose level of all observers are never built, and a
    /// publisher calls an observer only with events at its level or above.
    /// A publisher reads the answer when the observer is added and when
    /// [`LogPublisher::update_max_level`](crate::LogPublisher::update_max_level)
    /// is called: call it when the answer changes.
    fn max_level(&self) -> Option<LogLevel> {
        Some(LogLevel::Trace)
    }

    /// The most verbose level this observer wants for events of
    /// `namespace` (`None`: none of them): a promise that it drops the
    /// namespace's events below that level. At least as severe as
    /// [`Observer::max_level`], which it defaults to. The global publisher
    /// asks it once per call site and keeps the answer (see
    /// [`callsite_enabled`](crate::callsite_enabled)), so when it changes,
    /// call [`LogPublisher::update_max_level`](crate::LogPublisher::update_max_level).
    ///
    /// ```
    /// use logcore::{Event, LogLevel, Observer};
    /// struct DbOnly;
    /// impl Observer for DbOnly {
    ///     fn observe(&self, _: &Event<'_>) {}
    ///     fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
    ///         namespace.starts_with("app::db").then_some(LogLevel::Debug)
    ///     }
    /// }
    /// assert_eq!(DbOnly.max_level_for("app::web"), None);
    /// assert_eq!(DbOnly.max_level_for("app::db"), Some(LogLevel::Debug));
    /// ```
    fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
        let _ = namespace;
        self.max_level()
    }

    /// Writes out anything buffered.
    fn flush(&self) {}

    /// Whether this observer takes log calls without an event
    /// ([`Observer::__observe_direct`]). Asked once, when a [`Logger`] is
    /// given the observer. Not part of the stable API.
    ///
    /// [`Logger`]: crate::Logger
    #[doc(hidden)]
    fn __takes_direct(&self) -> bool {
        false
    }

    /// Takes a log call without an event: non-blocking output packs it
    /// straight into its ring. `false`: not taken and nothing done (the
    /// caller builds the event and calls [`Observer::observe`]). Not part
    /// of the stable API.
    #[doc(hidden)]
    fn __observe_direct(&self, call: &DirectCall<'_>) -> bool {
        let _ = call;
        false
    }
}

impl<F: Fn(&Event<'_>) + Send + Sync> Observer for F {
    fn observe(&self, event: &Event<'_>) {
        self(event)
    }
}

/// A shared observer (so one observer can sit in a publisher and be kept to
/// read back, or be wrapped by a filter).
impl<O: Observer + ?Sized> Observer for std::sync::Arc<O> {
    fn observe(&self, event: &Event<'_>) {
        (**self).observe(event)
    }
    fn max_level(&self) -> Option<LogLevel> {
        (**self).max_level()
    }
    fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
        (**self).max_level_for(namespace)
    }
    fn flush(&self) {
        (**self).flush()
    }
    fn __takes_direct(&self) -> bool {
        (**self).__takes_direct()
    }
    fn __observe_direct(&self, call: &DirectCall<'_>) -> bool {
        (**self).__observe_direct(call)
    }
}
