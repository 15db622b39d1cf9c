use std::io::Write as _;
use std::panic::Location;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use crate::event::{Callsite, Event, Piece};
use crate::level::LogLevel;
use crate::observer::Observer;
use crate::owned_event::OwnedEvent;
use crate::publisher::{ObserverId, global_publisher};

/// How many events are kept before logging begins (twisted keeps 200).
pub const STARTUP_BUFFER_CAPACITY: usize = 200;

/// Keeps the first events logged before logging begins; writes criticals
/// to stderr at once. Once full, it wants only criticals, so calls below
/// critical become disabled calls again.
pub(crate) struct StartupBuffer {
    events: Mutex<Vec<OwnedEvent>>,
    full: AtomicBool,
    dropped: AtomicUsize,
}

impl Observer for StartupBuffer {
    fn observe(&self, event: &Event<'_>) {
        if event.level() == Some(LogLevel::Critical) {
            let _ = writeln!(std::io::stderr().lock(), "{}", crate::event_as_text(event));
        }
        if self.full.load(Ordering::Relaxed) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // Flatten before locking: rendering may log (re-entrantly) too.
        let owned = event.to_owned_event();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() < STARTUP_BUFFER_CAPACITY {
            events.push(owned);
            if events.len() == STARTUP_BUFFER_CAPACITY {
                self.full.store(true, Ordering::Relaxed);
                drop(events);
                global_publisher().update_max_level();
            }
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn max_level(&self) -> Option<LogLevel> {
        Some(if self.full.load(Ordering::Relaxed) {
            LogLevel::Critical
        } else {
            LogLevel::Trace
        })
    }
}

static BUFFER: LazyLock<Arc<StartupBuffer>> = LazyLock::new(|| {
    Arc::new(StartupBuffer {
        events: Mutex::new(Vec::new()),
        full: AtomicBool::new(false),
        dropped: AtomicUsize::new(0),
    })
});

pub(crate) fn startup_buffer() -> Arc<dyn Observer> {
    BUFFER.clone()
}

/// Begins logging: adds the program's observers to the global publisher and
/// replays to them what was logged before (twisted's `globalLogBeginner`).
///
/// ```
/// use std::sync::Arc;
/// use logcore::{global_log_beginner, Event, Observer};
///
/// let print = |event: &Event<'_>| println!("{}", logcore::event_as_text(event));
/// global_log_beginner().begin_logging_to([Arc::new(print) as Arc<dyn Observer>]);
/// ```
#[derive(Debug)]
pub struct LogBeginner {
    begun_at: Mutex<Option<&'static Location<'static>>>,
}

static BEGINNER: LogBeginner = LogBeginner {
    begun_at: Mutex::new(None),
};

/// The one [`LogBeginner`] of the program.
pub fn global_log_beginner() -> &'static LogBeginner {
    &BEGINNER
}

impl LogBeginner {
    /// Adds `observers` to the global publisher, removes the start-up
    /// buffer and replays what it kept to these observers only (observers
    /// added earlier already saw those events). A second call still adds its
    /// observers and logs a warning naming both places.
    #[track_caller]
    pub fn begin_logging_to(
        &self,
        observers: impl IntoIterator<Item = Arc<dyn Observer>>,
    ) -> Vec<ObserverId> {
        let here = Location::caller();
        let observers: Vec<Arc<dyn Observer>> = observers.into_iter().collect();
        let publisher = global_publisher();
        // The first place is kept: a second call is reported against it.
        let previous = {
            let mut begun_at = self.begun_at.lock().unwrap_or_else(|e| e.into_inner());
            let previous = *begun_at;
            begun_at.get_or_insert(here);
            previous
        };
        let ids = observers
            .iter()
            .map(|o| publisher.add_shared(o.clone()))
            .collect();
        if let Some(previous) = previous {
            warn_twice(here, previous);
            return ids;
        }
        // Take the buffer out of the publisher, then replay what it kept.
        if let Some(buffer_id) = crate::publisher::startup_buffer_id() {
            publisher.remove_observer(buffer_id);
        }
        let kept = std::mem::take(&mut *BUFFER.events.lock().unwrap_or_else(|e| e.into_inner()));
        for event in &kept {
            let event = Event::from_owned(event);
            for observer in &observers {
                let _ = catch_unwind(AssertUnwindSafe(|| observer.observe(&event)));
            }
        }
        let dropped = BUFFER.dropped.swap(0, Ordering::Relaxed);
        if BUFFER.full.swap(false, Ordering::Relaxed) {
            static CALLSITE: Callsite = Callsite::internal(
                "spindle::beginner",
                "The start-up buffer filled up: only the first {capacity} events logged before logging began were kept; {dropped} more reached it and were dropped, and calls below critical were disabled from then on",
                &[
                    Piece::Literal("The start-up buffer filled up: only the first "),
                    Piece::Field("capacity!s:", "capacity!:"),
                    Piece::Literal(" events logged before logging began were kept; "),
                    Piece::Field("dropped!s:", "dropped!:"),
                    Piece::Literal(
                        " more reached it and were dropped, and calls below critical were disabled from then on",
                    ),
                ],
                &["capacity", "dropped"],
                file!(),
                line!(),
            );
            crate::internal::with_event(
                LogLevel::Warn,
                &CALLSITE,
                &[&STARTUP_BUFFER_CAPACITY, &dropped],
                |event| {
                    for observer in &observers {
                        let _ = catch_unwind(AssertUnwindSafe(|| observer.observe(event)));
                    }
                },
            );
        }
        ids
    }
}

fn warn_twice(here: &Location<'_>, previous: &Location<'_>) {
    static CALLSITE: Callsite = Callsite::internal(
        "spindle::beginner",
        "Warning: primary log target selected twice at <{current}> - previously selected at <{previous}>. Remove one of the calls to begin_logging_to.",
        &[
            Piece::Literal("Warning: primary log target selected twice at <"),
            Piece::Field("current!s:", "current!:"),
            Piece::Literal("> - previously selected at <"),
            Piece::Field("previous!s:", "previous!:"),
            Piece::Literal(">. Remove one of the calls to begin_logging_to."),
        ],
        &["current", "previous"],
        file!(),
        line!(),
    );
    let current = here.to_string();
    let previous = previous.to_string();
    crate::internal::with_event(LogLevel::Warn, &CALLSITE, &[&current, &previous], |event| {
        global_publisher().publish(event)
    });
}
