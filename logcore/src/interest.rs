//! Which levels a call site's events are wanted at, asked of the global
//! publisher once and kept in the call site (tracing calls it interest).
//!
//! The global check (`global_enabled`) compares a call's level with the
//! most verbose level any observer wants anywhere. With per-namespace
//! levels (`warn,app::db=debug`) that is debug, so every `debug!` call in
//! the program passed it, built its event and published it, only for the
//! level filter to drop it. A call site without a logger or a source has
//! a namespace fixed at compile time (its module path), so the least
//! severe level wanted there can be asked once ([`Observer::max_level_for`])
//! and kept in the call site: such a call below its namespace's level
//! costs the global check and one more load and compare
//! ([`callsite_enabled`]). A call site that has not asked yet counts as
//! enabled, and asks at the start of its enabled path ([`callsite_wanted`],
//! out of line), so that the check itself makes no call: its fields are
//! evaluated on that first call, but no event is built if it is not
//! wanted.
//!
//! A call site that has asked is registered; whenever an answer may
//! change (observers added to or removed from a publisher, or
//! [`update_max_level`](crate::LogPublisher::update_max_level) called, as
//! the level filter does when its levels change), every registered call
//! site's answer is cleared, and it asks again on its next call.
//!
//! A [`Logger`](crate::Logger) keeps its answer the same way, for its
//! namespace. A logger with an observer of its own asks that observer,
//! when it is made and again at once after each change, so that its calls
//! below the level never evaluate their fields.
//!
//! [`Observer::max_level_for`]: crate::Observer::max_level_for

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::event::Callsite;
use crate::level::{LEVEL_OFF, LogLevel};
use crate::namespace_number::NamespaceNumber;
use crate::observer::Observer;
use crate::publisher::{LogPublisher, global_publisher};

/// What a call site (or a logger, and its clones) keeps about its
/// namespace: the least severe level wanted there, plus one (0: ask); and,
/// once asked, whether the namespace needs escaping in records and lines.
/// `Interest::new()` in a static.
///
/// ```
/// let interest = logcore::Interest::new();
/// assert_eq!(format!("{interest:?}"), r#"Interest { least: "not asked" }"#);
/// ```
pub struct Interest {
    least: AtomicU8,
    registered: AtomicBool,
    /// Whether the namespace holds nothing a JSON string or a text line
    /// escapes: 0 not asked, then 1 + the answer.
    escape_free: AtomicU8,
}

impl Interest {
    /// Not yet asked.
    pub const fn new() -> Interest {
        Interest {
            least: AtomicU8::new(0),
            registered: AtomicBool::new(false),
            escape_free: AtomicU8::new(0),
        }
    }

    /// Whether `namespace` (always the same text for one `Interest`) holds
    /// nothing a JSON string or a text line escapes
    /// (`logformat::escape_free_everywhere`). Looked at once, then kept.
    #[inline]
    pub(crate) fn namespace_escape_free(&self, namespace: &str) -> bool {
        match self.escape_free.load(Ordering::Relaxed) {
            0 => {
                let free = logformat::escape_free_everywhere(namespace);
                self.escape_free
                    .store(1 + u8::from(free), Ordering::Relaxed);
                free
            }
            kept => kept == 2,
        }
    }

    /// The kept answer for `level` (`None`: not asked).
    #[inline]
    fn kept(&self, level: LogLevel) -> Option<bool> {
        match self.least.load(Ordering::Relaxed) {
            0 => None,
            least => Some(level.as_u8() + 1 >= least),
        }
    }

    /// Whether `level` may be wanted, from the kept answer alone (yes when
    /// there is none): what a call's own path reads.
    #[inline]
    pub(crate) fn may_want(&self, level: LogLevel) -> bool {
        self.kept(level).unwrap_or(true)
    }
}

/// What a logger and its clones share: its [`Interest`], and its
/// namespace's number in packed events (a call site's namespace is its
/// module path, which is not packed, so a call site has no number).
#[derive(Default)]
pub(crate) struct LoggerInterest {
    pub(crate) interest: Interest,
    number: NamespaceNumber,
}

impl LoggerInterest {
    /// The number of `namespace` (always the same text for one logger's
    /// interest) in packed events.
    #[inline]
    pub(crate) fn namespace_number(&self, namespace: &str) -> Option<u32> {
        self.number.get(namespace)
    }
}

impl Default for Interest {
    fn default() -> Self {
        Interest::new()
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let least = match self.least.load(Ordering::Relaxed) {
            0 => "not asked".to_string(),
            n => format!("{:?}", LogLevel::from_u8(n - 1)),
        };
        f.debug_struct("Interest").field("least", &least).finish()
    }
}

/// The call sites and loggers that have asked, and a count of the changes
/// that cleared their answers.
struct Sites {
    changes: AtomicU64,
    asked: Mutex<Asked>,
}

/// Who has asked.
struct Asked {
    callsites: Vec<&'static Callsite>,
    loggers: Vec<AskedBy>,
}

/// A logger's answer (shared by a logger's clones, dropped with the last of
/// them), and for a logger with an observer of its own, what it asked:
/// that observer is asked again at once after a change (the old answer
/// standing until the new one replaces it), so that the logger's calls
/// below its level never evaluate their fields. The global publisher's
/// call sites and loggers are cleared and ask on their next call instead.
struct AskedBy {
    kept: Weak<LoggerInterest>,
    own: Option<(Cow<'static, str>, Weak<dyn Observer>)>,
}

impl Asked {
    /// Registers a logger's answer. Loggers come and go (one per request,
    /// say): when the list is full, the ones gone are forgotten, and it
    /// grows only if more than half of it is alive, so it holds at most
    /// about four times the loggers alive, and each registration costs
    /// O(1) on average.
    fn register_logger(&mut self, logger: AskedBy) {
        if self.loggers.len() == self.loggers.capacity() {
            self.loggers.retain(|l| l.kept.strong_count() > 0);
            if self.loggers.len() > self.loggers.capacity() / 2 {
                self.loggers.reserve(self.loggers.capacity());
            }
        }
        self.loggers.push(logger);
    }
}

impl Sites {
    const fn new() -> Sites {
        Sites {
            changes: AtomicU64::new(0),
            asked: Mutex::new(Asked {
                callsites: Vec::new(),
                loggers: Vec::new(),
            }),
        }
    }

    fn asked(&self) -> MutexGuard<'_, Asked> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Clears every registered answer (after the change that calls this
    /// is in place), asks loggers with observers of their own again, and
    /// forgets the loggers that are gone.
    fn clear(&self) {
        // Before the clearing: a call site asking now sees the count move
        // and asks again (see `keep`).
        self.changes.fetch_add(1, Ordering::SeqCst);
        let mut asked = self.asked();
        for site in &asked.callsites {
            site.interest.least.store(0, Ordering::SeqCst);
        }
        let mut again = Vec::new();
        asked.loggers.retain(|logger| match logger.kept.upgrade() {
            Some(kept) => {
                // A logger with an observer of its own keeps its old
                // answer until the new one replaces it (a call made
                // while the change is under way may see either).
                match logger.own.as_ref().and_then(|(namespace, observer)| {
                    Some((namespace.clone(), observer.upgrade()?))
                }) {
                    Some((namespace, observer)) => again.push((kept, namespace, observer)),
                    None => kept.interest.least.store(0, Ordering::SeqCst),
                }
                true
            }
            None => false,
        });
        // Observers are asked without the lock: they may log, or change.
        drop(asked);
        for (kept, namespace, observer) in again {
            let before = self.changes.load(Ordering::SeqCst);
            let answer = || observer.max_level_for(&namespace);
            self.keep(&kept.interest, answer, before);
        }
    }

    /// Keeps what `answer` says in `interest`, unless a change came in
    /// since `before`: then its clearing may have come first, so `answer`
    /// is asked again, up to [`TRIES`] times in all, after which the answer
    /// is cleared (the next call asks). Returns the last answer.
    fn keep(
        &self,
        interest: &Interest,
        answer: impl Fn() -> Option<LogLevel>,
        mut before: u64,
    ) -> u8 {
        let mut least = LEVEL_OFF;
        for _ in 0..TRIES {
            least = answer().map_or(LEVEL_OFF, LogLevel::as_u8);
            interest.least.store(least + 1, Ordering::SeqCst);
            // A change after `before` clears this answer after its count
            // moved; if the count has not moved, any clearing is still to
            // come.
            let now = self.changes.load(Ordering::SeqCst);
            if now == before {
                return least;
            }
            before = now;
        }
        interest.least.store(0, Ordering::SeqCst);
        least
    }
}

/// The global publisher's call sites.
static SITES: Sites = Sites::new();

/// Every call site asks again on its next call.
pub(crate) fn ask_again() {
    SITES.clear();
}

/// Whether the global publisher's observers may want an event at `level`
/// from `callsite` (whose namespace is its module path), from the answer
/// kept in the call site: `true` too when it has not asked yet. One load
/// and no call, so that a call site's disabled path needs no stack frame;
/// the enabled path then asks [`callsite_wanted`] before building the
/// event.
///
/// ```
/// use logcore::{Callsite, LogLevel, callsite_enabled, callsite_wanted};
/// static SITE: Callsite = Callsite {
///     format: "hi", pieces: &[], names: &[], module_path: "app::db", file: "app.rs", line: 1,
///     calls: false, bare: &[], escape_free: true, id: logcore::CallsiteId::new(),
///     interest: logcore::Interest::new(),
/// };
/// assert!(callsite_enabled(&SITE, LogLevel::Debug), "not asked yet");
/// // Before logging begins, the global publisher buffers every level.
/// assert!(callsite_wanted(&SITE, LogLevel::Debug));
/// ```
#[inline]
pub fn callsite_enabled(callsite: &'static Callsite, level: LogLevel) -> bool {
    callsite.interest.may_want(level)
}

/// Whether the global publisher's observers want an event at `level` from
/// `callsite`: asked once, kept in the call site until the observers or
/// their levels change.
///
/// ```
/// use logcore::{Callsite, LogLevel, callsite_enabled, callsite_wanted, global_log_beginner};
/// static SITE: Callsite = Callsite {
///     format: "hi", pieces: &[], names: &[], module_path: "app::db", file: "app.rs", line: 1,
///     calls: false, bare: &[], escape_free: true, id: logcore::CallsiteId::new(),
///     interest: logcore::Interest::new(),
/// };
/// // Logging begins with an observer that wants warnings and worse.
/// struct Warnings;
/// impl logcore::Observer for Warnings {
///     fn observe(&self, _: &logcore::Event<'_>) {}
///     fn max_level(&self) -> Option<LogLevel> {
///         Some(LogLevel::Warn)
///     }
/// }
/// global_log_beginner().begin_logging_to([std::sync::Arc::new(Warnings) as _]);
/// assert!(!callsite_wanted(&SITE, LogLevel::Info));
/// // Kept: the check on the call's path now says no by itself.
/// assert!(!callsite_enabled(&SITE, LogLevel::Info));
/// assert!(callsite_enabled(&SITE, LogLevel::Error));
/// ```
#[inline]
pub fn callsite_wanted(callsite: &'static Callsite, level: LogLevel) -> bool {
    wanted_in(global_publisher, &SITES, callsite, level)
}

/// `publisher` is called only to ask.
#[inline]
fn wanted_in<'p>(
    publisher: fn() -> &'p LogPublisher,
    sites: &Sites,
    callsite: &'static Callsite,
    level: LogLevel,
) -> bool {
    callsite.interest.kept(level).unwrap_or_else(|| {
        let register = |asked: &mut Asked| asked.callsites.push(callsite);
        let answer = || publisher().max_level_for(callsite.module_path);
        ask(answer, sites, &callsite.interest, register, level)
    })
}

/// Whether a logger's observer (the global publisher's observers when it
/// has none of its own) wants an event at `level` in the logger's
/// `namespace`, asked once and kept in its `interest`, as
/// [`callsite_wanted`] does for a call site.
#[inline]
// (a `Cow`, not a `&str`: a static namespace is kept without copying it)
#[allow(clippy::ptr_arg)]
pub(crate) fn logger_wanted(
    kept: &Arc<LoggerInterest>,
    namespace: &Cow<'static, str>,
    observer: Option<&Arc<dyn Observer>>,
    level: LogLevel,
) -> bool {
    kept.interest.kept(level).unwrap_or_else(|| {
        let register = |asked: &mut Asked| {
            asked.register_logger(AskedBy {
                kept: Arc::downgrade(kept),
                own: observer.map(|o| (namespace.clone(), Arc::downgrade(o))),
            })
        };
        let answer = || match observer {
            Some(observer) => observer.max_level_for(namespace),
            None => global_publisher().max_level_for(namespace),
        };
        ask(answer, &SITES, &kept.interest, register, level)
    })
}

/// How many times an answer is asked when changes keep coming in while it
/// is asked, before it is left to the next call (changes come from
/// configuration, rarely several in a row).
const TRIES: u32 = 4;

/// Asks `answer` for the least severe level wanted and keeps it in
/// `interest` (registering it with `register` the first time), as
/// [`Sites::keep`] does.
#[cold]
#[inline(never)]
fn ask(
    answer: impl Fn() -> Option<LogLevel>,
    sites: &Sites,
    interest: &Interest,
    register: impl FnOnce(&mut Asked),
    level: LogLevel,
) -> bool {
    let before = sites.changes.load(Ordering::SeqCst);
    if !interest.registered.swap(true, Ordering::SeqCst) {
        register(&mut sites.asked());
    }
    level.as_u8() >= sites.keep(interest, answer, before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::observer::Observer;
    use std::sync::Arc;

    /// Wants `level` in namespaces under `app::db`, warn elsewhere.
    struct DbAt(AtomicU8);
    impl Observer for DbAt {
        fn observe(&self, _: &Event<'_>) {}
        fn max_level(&self) -> Option<LogLevel> {
            Some(LogLevel::Warn.min(self.level()))
        }
        fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
            Some(if namespace.starts_with("app::db") {
                self.level()
            } else {
                LogLevel::Warn
            })
        }
    }
    impl DbAt {
        fn level(&self) -> LogLevel {
            LogLevel::from_u8(self.0.load(Ordering::Relaxed)).unwrap()
        }
    }

    /// A logger of the global publisher's.
    fn global(kept: Weak<LoggerInterest>) -> AskedBy {
        AskedBy { kept, own: None }
    }

    static DB: Callsite = Callsite::internal("app::db::pool", "", &[], &[], "t.rs", 1);
    static WEB: Callsite = Callsite::internal("app::web", "", &[], &[], "t.rs", 2);

    /// Every call site holds an `Interest` in its static: a level, two
    /// flags, and no namespace number (only loggers' namespaces are
    /// numbered, in `LoggerInterest`). A field added here is added to
    /// every call site of every program.
    #[test]
    fn a_call_sites_interest_is_three_bytes() {
        assert_eq!(std::mem::size_of::<Interest>(), 3);
    }

    #[test]
    fn an_answer_asked_during_a_change_is_asked_again_or_left_to_the_next_call() {
        static TEST_SITES: Sites = Sites::new();
        let interest = Interest::new();
        // The answers up to the `changing`th are asked while a change
        // comes in.
        let (asked, changing) = (std::cell::Cell::new(0), std::cell::Cell::new(1));
        let answer = || {
            asked.set(asked.get() + 1);
            if asked.get() <= changing.get() {
                TEST_SITES.changes.fetch_add(1, Ordering::SeqCst);
            }
            Some(LogLevel::Warn)
        };
        // A change during every try: the answer is not kept.
        changing.set(TRIES);
        let before = TEST_SITES.changes.load(Ordering::SeqCst);
        assert_eq!(
            TEST_SITES.keep(&interest, answer, before),
            LogLevel::Warn.as_u8()
        );
        assert_eq!(asked.get(), TRIES);
        assert_eq!(interest.kept(LogLevel::Warn), None);
        // A change during the first: asked again after it, and kept.
        asked.set(0);
        changing.set(1);
        let before = TEST_SITES.changes.load(Ordering::SeqCst);
        TEST_SITES.keep(&interest, answer, before);
        assert_eq!(asked.get(), 2);
        assert_eq!(interest.kept(LogLevel::Info), Some(false));
        assert_eq!(interest.kept(LogLevel::Warn), Some(true));
    }

    #[test]
    fn a_call_site_asks_once_until_a_change() {
        static TEST_SITES: Sites = Sites::new();
        static PUBLISHER: std::sync::LazyLock<LogPublisher> =
            std::sync::LazyLock::new(LogPublisher::new);
        let publisher = || &*PUBLISHER;
        let enabled = |site, level| wanted_in(publisher, &TEST_SITES, site, level);
        // Not asked yet: may be wanted, until asked.
        assert!(callsite_enabled(&DB, LogLevel::Trace));
        // No observers: nothing wanted, and that is kept.
        assert!(!enabled(&DB, LogLevel::Critical));
        assert!(!callsite_enabled(&DB, LogLevel::Critical));
        let observer = Arc::new(DbAt(AtomicU8::new(LogLevel::Debug.as_u8())));
        publisher().add_shared(observer.clone());
        // Kept from before the change until call sites are told.
        assert!(!enabled(&DB, LogLevel::Critical));
        TEST_SITES.clear();
        assert!(enabled(&DB, LogLevel::Debug));
        assert!(!enabled(&DB, LogLevel::Trace));
        assert!(!enabled(&WEB, LogLevel::Info));
        assert!(enabled(&WEB, LogLevel::Warn));
        // The observer's answer changes: kept until told.
        observer.0.store(LogLevel::Error.as_u8(), Ordering::Relaxed);
        assert!(enabled(&DB, LogLevel::Debug));
        TEST_SITES.clear();
        assert!(!enabled(&DB, LogLevel::Warn));
        assert!(enabled(&DB, LogLevel::Error));
        assert!(!callsite_enabled(&DB, LogLevel::Warn));
        assert!(callsite_enabled(&DB, LogLevel::Error));
        assert_eq!(
            format!("{:?}", DB.interest),
            r#"Interest { least: "Some(Error)" }"#
        );
        // Each call site registered once.
        assert_eq!(TEST_SITES.asked().callsites.len(), 2);
        // A logger's answer is registered while the logger lives.
        let logger = Arc::new(LoggerInterest::default());
        let weak = Arc::downgrade(&logger);
        let register = |asked: &mut Asked| asked.register_logger(global(weak));
        let answer = || publisher().max_level_for("app::web");
        let interest = &logger.interest;
        assert!(!ask(
            answer,
            &TEST_SITES,
            interest,
            register,
            LogLevel::Info
        ));
        assert!(!interest.may_want(LogLevel::Info));
        TEST_SITES.clear();
        assert!(interest.may_want(LogLevel::Info), "cleared: ask again");
        assert_eq!(TEST_SITES.asked().loggers.len(), 1);
        drop(logger);
        TEST_SITES.clear();
        assert!(TEST_SITES.asked().loggers.is_empty(), "forgotten once gone");
        // Many short-lived loggers, with no change to clear them: the list
        // stays within about four times the loggers alive.
        let alive: Vec<Arc<LoggerInterest>> = (0..10).map(|_| Arc::default()).collect();
        for logger in &alive {
            TEST_SITES
                .asked()
                .register_logger(global(Arc::downgrade(logger)));
        }
        for _ in 0..10_000 {
            let brief = Arc::<LoggerInterest>::default();
            TEST_SITES
                .asked()
                .register_logger(global(Arc::downgrade(&brief)));
        }
        let asked = TEST_SITES.asked();
        assert!(
            asked.loggers.len() <= 2 * (alive.len() + 1) + 4,
            "{}",
            asked.loggers.len()
        );
        let live = asked
            .loggers
            .iter()
            .filter(|l| l.kept.strong_count() > 0)
            .count();
        assert_eq!(live, alive.len());
    }
}
