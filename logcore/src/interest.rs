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
//! costs two loads and a compare, like a call below the global level.
//!
//! What is kept is tagged with a generation that moves on whenever an
//! answer may change: when observers are added to or removed from the
//! global publisher, and whenever its
//! [`update_max_level`](crate::LogPublisher::update_max_level) is called
//! (as the level filter does when its levels change). A call site whose
//! answer is of an older generation asks again.
//!
//! [`Observer::max_level_for`]: crate::Observer::max_level_for

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::event::Callsite;
use crate::level::{LEVEL_OFF, LogLevel};
use crate::publisher::{LogPublisher, global_publisher};

/// A call site's kept answer: the generation it was asked in (above the
/// low byte; 0: never asked) and the least severe level wanted there (the
/// low byte). `Interest::new()` in a static.
pub struct Interest(AtomicU64);

impl Interest {
    /// Not yet asked.
    pub const fn new() -> Interest {
        Interest(AtomicU64::new(0))
    }
}

impl Default for Interest {
    fn default() -> Self {
        Interest::new()
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept = self.0.load(Ordering::Relaxed);
        f.debug_struct("Interest")
            .field("generation", &(kept >> 8))
            .field("level", &LogLevel::from_u8(kept as u8))
            .finish()
    }
}

/// The global publisher's generation: starts at 1, so that a call site's
/// 0 means not asked.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// Every call site asks again on its next call (after the change that
/// calls this is in place).
pub(crate) fn ask_again() {
    GENERATION.fetch_add(1, Ordering::Release);
}

/// Whether the global publisher's observers want an event at `level` from
/// `callsite`, whose namespace is its module path: asked once per
/// generation and kept in the call site.
///
/// ```
/// use logcore::{Callsite, LogLevel, callsite_enabled};
/// static SITE: Callsite = Callsite {
///     format: "hi", pieces: &[], module_path: "app::db", file: "app.rs", line: 1,
///     calls: false, bare: &[], id: logcore::CallsiteId::new(),
///     interest: logcore::Interest::new(),
/// };
/// // Before logging begins, the global publisher buffers every level.
/// assert!(callsite_enabled(&SITE, LogLevel::Debug));
/// ```
#[inline]
pub fn callsite_enabled(callsite: &'static Callsite, level: LogLevel) -> bool {
    enabled_in(global_publisher(), &GENERATION, callsite, level)
}

#[inline]
fn enabled_in(
    publisher: &LogPublisher,
    generation: &AtomicU64,
    callsite: &Callsite,
    level: LogLevel,
) -> bool {
    let kept = callsite.interest.0.load(Ordering::Relaxed);
    // Acquire: a change whose generation this sees is seen when asking.
    let now = generation.load(Ordering::Acquire);
    if kept >> 8 == now {
        return level.as_u8() >= kept as u8;
    }
    ask(publisher, now, callsite, level)
}

/// Asks `publisher`, and keeps the answer with the generation read before
/// asking: if a change came in between, the next call asks again.
#[cold]
#[inline(never)]
fn ask(publisher: &LogPublisher, now: u64, callsite: &Callsite, level: LogLevel) -> bool {
    let least = publisher
        .max_level_for(callsite.module_path)
        .map_or(LEVEL_OFF, LogLevel::as_u8);
    callsite
        .interest
        .0
        .store(now << 8 | u64::from(least), Ordering::Relaxed);
    level.as_u8() >= least
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::observer::Observer;
    use std::sync::Arc;
    use std::sync::atomic::AtomicU8;

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

    fn site(module_path: &'static str) -> Callsite {
        Callsite::internal(module_path, "", &[], "t.rs", 1)
    }

    #[test]
    fn a_call_site_asks_once_per_generation() {
        let publisher = LogPublisher::new();
        let generation = AtomicU64::new(1);
        let (db, web) = (site("app::db::pool"), site("app::web"));
        // No observers: nothing wanted.
        assert!(!enabled_in(
            &publisher,
            &generation,
            &db,
            LogLevel::Critical
        ));
        let observer = Arc::new(DbAt(AtomicU8::new(LogLevel::Debug.as_u8())));
        publisher.add_shared(observer.clone());
        // Kept from before the change until the generation moves on.
        assert!(!enabled_in(
            &publisher,
            &generation,
            &db,
            LogLevel::Critical
        ));
        generation.fetch_add(1, Ordering::Release);
        assert!(enabled_in(&publisher, &generation, &db, LogLevel::Debug));
        assert!(!enabled_in(&publisher, &generation, &db, LogLevel::Trace));
        assert!(!enabled_in(&publisher, &generation, &web, LogLevel::Info));
        assert!(enabled_in(&publisher, &generation, &web, LogLevel::Warn));
        // The observer's answer changes: kept until asked again.
        observer.0.store(LogLevel::Error.as_u8(), Ordering::Relaxed);
        assert!(enabled_in(&publisher, &generation, &db, LogLevel::Debug));
        generation.fetch_add(1, Ordering::Release);
        assert!(!enabled_in(&publisher, &generation, &db, LogLevel::Warn));
        assert!(enabled_in(&publisher, &generation, &db, LogLevel::Error));
        assert_eq!(
            format!("{:?}", db.interest),
            "Interest { generation: 3, level: Some(Error) }"
        );
    }
}
