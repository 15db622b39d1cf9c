use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use crate::direct_call::DirectCall;
use crate::event::{Callsite, Event, Piece};
use crate::field_value::FieldValue;
use crate::level::{LEVEL_OFF, LogLevel};
use crate::observer::Observer;
use crate::text::panic_message;

/// The most verbose level any observer of the global publisher wants: what a
/// call site reads (one relaxed load) before doing anything else. It starts
/// at `trace`, the level the start-up buffer takes until it is full.
static GLOBAL_MAX_LEVEL: AtomicU8 = AtomicU8::new(0);

/// Whether an event at `level` would reach any observer of the global
/// publisher. One relaxed atomic load and a comparison.
#[inline(always)]
pub fn global_enabled(level: LogLevel) -> bool {
    level.as_u8() >= GLOBAL_MAX_LEVEL.load(Ordering::Relaxed)
}

/// Functions told the global publisher's most verbose level whenever it
/// changes (the `log` bridge keeps `log::max_level` in step with it).
static MAX_LEVEL_HOOKS: RwLock<Vec<MaxLevelHook>> = RwLock::new(Vec::new());

/// What [`on_global_max_level`] takes.
pub type MaxLevelHook = fn(Option<LogLevel>);

/// Calls `hook` now and whenever the most verbose level wanted by the global
/// publisher's observers changes (`None`: no level).
///
/// ```
/// use std::sync::atomic::{AtomicU8, Ordering};
/// use logcore::{global_publisher, LogLevel, Event};
/// static SEEN: AtomicU8 = AtomicU8::new(u8::MAX);
/// fn remember(level: Option<LogLevel>) {
///     SEEN.store(level.map_or(6, LogLevel::as_u8), Ordering::Relaxed);
/// }
/// logcore::on_global_max_level(remember);
/// // told at once, and again when an observer changes what is wanted
/// assert_ne!(SEEN.load(Ordering::Relaxed), u8::MAX);
/// let id = global_publisher().add_observer(|_: &Event<'_>| {});
/// assert_eq!(SEEN.load(Ordering::Relaxed), LogLevel::Trace.as_u8());
/// global_publisher().remove_observer(id);
/// ```
pub fn on_global_max_level(hook: MaxLevelHook) {
    MAX_LEVEL_HOOKS
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .push(hook);
    hook(LogLevel::from_u8(GLOBAL_MAX_LEVEL.load(Ordering::Relaxed)));
}

/// Identifies an observer added to a [`LogPublisher`], to remove it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObserverId(u64);

#[derive(Clone)]
struct Entry {
    id: ObserverId,
    name: &'static str,
    observer: Arc<dyn Observer>,
    /// Shared by every shard's copy of the entry.
    state: Arc<EntryState>,
}

/// What the publisher keeps of an observer between events.
struct EntryState {
    /// Whether its last call panicked: a burst of failures is reported once.
    failing: AtomicBool,
    /// Its [`Observer::max_level`] (`LEVEL_OFF`: none), as of the last
    /// [`LogPublisher::update_max_level`]: read on every event in place of
    /// asking the observer (observers call `update_max_level` when their
    /// answer changes; the global level check relies on that too).
    level: AtomicU8,
}

impl EntryState {
    /// Notes whether a call to the observer panicked; whether it has just
    /// started failing (reported once per burst of failures; a success
    /// ends the burst).
    #[inline]
    fn note(&self, panicked: bool) -> bool {
        if panicked {
            return !self.failing.swap(true, Ordering::Relaxed);
        }
        if self.failing.load(Ordering::Relaxed) {
            self.failing.store(false, Ordering::Relaxed);
        }
        false
    }
}

fn level_byte(level: Option<LogLevel>) -> u8 {
    level.map_or(LEVEL_OFF, LogLevel::as_u8)
}

/// The observer list, in one copy per shard. Publishing takes a read lock
/// and a reference to the list, both writes to shared memory: with one
/// copy, every thread that logs writes to the same two cache lines, and
/// two threads logging at once pass them back and forth on every event
/// (a no-op observer measured 16-22 ns per event on one thread and 76-82
/// ns on two). Each thread reads the shard it was given when it first
/// logged (in turn, so the first threads each get one of their own), and
/// each shard's lock and list sit on cache lines of their own. A change
/// replaces every copy. A thread keeps the list it last read (see
/// [`LAST_LIST`]) and reads its shard again only after a change.
struct Shards {
    shards: Box<[Shard]>,
}

/// A lock with its copy of the list, on cache lines of its own.
#[repr(align(128))]
struct Shard(RwLock<Arc<List>>);

/// The observers, in the order they were added; aligned so that the
/// reference counts of two shards' copies never share a cache line.
#[repr(align(128))]
struct List(Box<[Entry]>);

thread_local! {
    /// The shard this thread reads (`usize::MAX`: not given one yet).
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

impl Shards {
    /// As many shards as the machine runs threads at once (a power of
    /// two, at most 64).
    fn new() -> Shards {
        // Asked of the system once.
        static COUNT: OnceLock<usize> = OnceLock::new();
        let count = *COUNT.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            cores.next_power_of_two().min(64)
        });
        Shards {
            shards: (0..count)
                .map(|_| Shard(RwLock::new(Arc::new(List(Box::default())))))
                .collect(),
        }
    }

    /// This thread's copy of the list.
    #[inline]
    fn read(&self) -> Arc<List> {
        let shard = SHARD
            .try_with(|shard| {
                if shard.get() == usize::MAX {
                    static NEXT: AtomicUsize = AtomicUsize::new(0);
                    shard.set(NEXT.fetch_add(1, Ordering::Relaxed));
                }
                shard.get()
            })
            .unwrap_or(0);
        let shard = &self.shards[shard & (self.shards.len() - 1)];
        shard.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts a copy of `entries` in every shard.
    fn replace(&self, entries: &[Entry]) {
        for shard in self.shards.iter() {
            let list = Arc::new(List(entries.to_vec().into_boxed_slice()));
            *shard.0.write().unwrap_or_else(|e| e.into_inner()) = list;
        }
    }
}

/// Sends each event to every observer added to it (twisted's
/// `LogPublisher`). An observer that panics never reaches the caller or
/// stops the others: it is reported to them as a critical event (once per
/// burst of failures) and called again for the next event. A publisher is itself an [`Observer`].
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use logcore::{LogPublisher, Event, LogLevel};
///
/// let publisher = LogPublisher::new();
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let id = publisher.add_observer(move |e: &Event<'_>| sink.lock().unwrap().push(e.text().into_owned()));
/// assert!(publisher.enabled(LogLevel::Debug));
/// publisher.remove_observer(id);
/// assert!(!publisher.enabled(LogLevel::Critical));
/// ```
pub struct LogPublisher {
    /// The observer list, one copy per shard (see [`Shards`]).
    observers: Shards,
    /// Held while the list is replaced, so that two changes cannot lose
    /// one another.
    changing: Mutex<()>,
    /// Whether the list is one observer that takes calls without an event
    /// ([`Observer::__takes_direct`]), as of the last change.
    direct: AtomicBool,
    max_level: AtomicU8,
    next_id: AtomicU64,
    global: bool,
    /// Names this publisher in the threads' [`LAST_LIST`] (never reused).
    key: u64,
    /// Moves on after every change of the list, so that threads stop
    /// using the list they last read.
    generation: AtomicU64,
}

/// A list a thread last read: the publisher's key (`u64::MAX`: none), its
/// generation then, and the list, held weakly (a removed observer is
/// dropped once no call is using it, whether or not this thread logs
/// again).
type LastList = (u64, u64, Weak<List>);

/// How many publishers' lists a thread keeps (by key: publishers that
/// publish to one another take different places).
const LAST_LISTS: usize = 4;

thread_local! {
    /// The lists this thread last read. Taking a reference to one is one
    /// atomic write, against four for the shard's lock and reference.
    static LAST_LIST: RefCell<[LastList; LAST_LISTS]> =
        const { RefCell::new([const { (u64::MAX, 0, Weak::new()) }; LAST_LISTS]) };
}

impl std::fmt::Debug for LogPublisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.snapshot().0.iter().map(|e| e.name).collect();
        f.debug_struct("LogPublisher")
            .field("observers", &names)
            .finish()
    }
}

impl Default for LogPublisher {
    fn default() -> Self {
        LogPublisher::new()
    }
}

thread_local! {
    /// How deeply publishing is nested on this thread (an observer or a
    /// value's `Display` that logs).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Nested publishing deeper than this is dropped, so a value that logs
/// while it is rendered cannot recurse without bound.
const MAX_DEPTH: u32 = 4;

impl LogPublisher {
    /// A publisher with no observers.
    pub fn new() -> LogPublisher {
        LogPublisher {
            observers: Shards::new(),
            changing: Mutex::new(()),
            direct: AtomicBool::new(false),
            max_level: AtomicU8::new(LEVEL_OFF),
            next_id: AtomicU64::new(1),
            global: false,
            key: {
                static KEYS: AtomicU64 = AtomicU64::new(0);
                KEYS.fetch_add(1, Ordering::Relaxed)
            },
            generation: AtomicU64::new(0),
        }
    }

    /// The observer list: the one this thread last read, while the list
    /// has not changed since, else from this thread's shard.
    #[inline]
    fn snapshot(&self) -> Arc<List> {
        // (before the shard is read: a list kept is never older than the
        // generation kept with it)
        let generation = self.generation.load(Ordering::Acquire);
        let last = LAST_LIST.try_with(|last| {
            let last = last.try_borrow().ok()?;
            let (key, seen, list) = &last[self.slot()];
            (*key == self.key && *seen == generation)
                .then(|| list.upgrade())
                .flatten()
        });
        match last {
            Ok(Some(list)) => list,
            _ => self.read_shard(generation),
        }
    }

    /// This publisher's place in the threads' [`LAST_LIST`].
    #[inline]
    fn slot(&self) -> usize {
        self.key as usize % LAST_LISTS
    }

    /// The list from this thread's shard, kept as the one it last read.
    #[cold]
    fn read_shard(&self, generation: u64) -> Arc<List> {
        let list = self.observers.read();
        let _ = LAST_LIST.try_with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                last[self.slot()] = (self.key, generation, Arc::downgrade(&list));
            }
        });
        list
    }

    /// Replaces the list with `change(the list)`, one change at a time.
    fn change(&self, change: impl FnOnce(&[Entry]) -> Vec<Entry>) {
        let _changing = self.changing.lock().unwrap_or_else(|e| e.into_inner());
        let entries = change(&self.snapshot().0);
        self.observers.replace(&entries);
        // (after the lists: a thread that sees this generation reads them)
        self.generation.fetch_add(1, Ordering::Release);
        let direct = matches!(&entries[..], [only] if only.observer.__takes_direct());
        self.direct.store(direct, Ordering::Relaxed);
    }

    /// Adds an observer; returns its id for [`LogPublisher::remove_observer`].
    pub fn add_observer<O: Observer + 'static>(&self, observer: O) -> ObserverId {
        self.add_named(Arc::new(observer), std::any::type_name::<O>())
    }

    /// Adds an observer that is shared with other owners.
    pub fn add_shared(&self, observer: Arc<dyn Observer>) -> ObserverId {
        self.add_named(observer, "dyn Observer")
    }

    fn add_named(&self, observer: Arc<dyn Observer>, name: &'static str) -> ObserverId {
        let id = ObserverId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let level = level_byte(observer.max_level());
        self.change(|list| {
            let mut entries = list.to_vec();
            entries.push(Entry {
                id,
                name,
                observer,
                state: Arc::new(EntryState {
                    failing: AtomicBool::new(false),
                    level: AtomicU8::new(level),
                }),
            });
            entries
        });
        self.update_max_level();
        id
    }

    /// Removes an observer; `false` if it was not there.
    pub fn remove_observer(&self, id: ObserverId) -> bool {
        let mut removed = false;
        self.change(|list| {
            let entries: Vec<Entry> = list.iter().filter(|e| e.id != id).cloned().collect();
            removed = entries.len() != list.len();
            entries
        });
        self.update_max_level();
        removed
    }

    /// Asks every observer again for the level it wants. Call it when an
    /// observer's answer to [`Observer::max_level`] (or
    /// [`Observer::max_level_for`]) changes. Every call site and logger
    /// that kept an answer asks again on its next call, whichever
    /// publisher this is: a logger may send to this one, or to an observer
    /// of its own (see [`Logger::with_observer`](crate::Logger::with_observer)).
    pub fn update_max_level(&self) {
        let level = self
            .snapshot()
            .0
            .iter()
            .map(|e| {
                let level = level_byte(e.observer.max_level());
                e.state.level.store(level, Ordering::Relaxed);
                level
            })
            .min()
            .unwrap_or(LEVEL_OFF);
        self.max_level.store(level, Ordering::Relaxed);
        // Call sites and loggers ask again: the global publisher's, and
        // loggers that send to this publisher (or to an observer whose
        // answer changed, whose owner calls this).
        crate::interest::ask_again();
        if self.global {
            GLOBAL_MAX_LEVEL.store(level, Ordering::Relaxed);
            for hook in MAX_LEVEL_HOOKS
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
            {
                hook(LogLevel::from_u8(level));
            }
        }
    }

    /// The most verbose level any observer wants for events of
    /// `namespace` (see [`Observer::max_level_for`]).
    ///
    /// ```
    /// use logcore::{Event, LogLevel, LogPublisher, Observer};
    /// struct DbOnly;
    /// impl Observer for DbOnly {
    ///     fn observe(&self, _: &Event<'_>) {}
    ///     fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
    ///         namespace.starts_with("db").then_some(LogLevel::Debug)
    ///     }
    /// }
    /// let publisher = LogPublisher::new();
    /// publisher.add_observer(DbOnly);
    /// assert_eq!(publisher.max_level_for("db::pool"), Some(LogLevel::Debug));
    /// assert_eq!(publisher.max_level_for("web"), None);
    /// ```
    pub fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
        self.snapshot()
            .0
            .iter()
            .filter_map(|e| e.observer.max_level_for(namespace))
            .min()
    }

    /// Whether any observer wants events at `level`.
    #[inline]
    pub fn enabled(&self, level: LogLevel) -> bool {
        level.as_u8() >= self.max_level.load(Ordering::Relaxed)
    }

    /// Sends `event` to every observer that wants its level.
    pub fn publish(&self, event: &Event<'_>) {
        let depth = DEPTH.with(|d| d.get());
        if depth >= MAX_DEPTH {
            return;
        }
        DEPTH.with(|d| d.set(depth + 1));
        let _restore = RestoreDepth(depth);
        let observers = self.snapshot();
        let level = event.level().map_or(0, LogLevel::as_u8);
        let mut failed: Vec<(ObserverId, &'static str, String)> = Vec::new();
        for entry in observers.0.iter() {
            if level < entry.state.level.load(Ordering::Relaxed) {
                continue;
            }
            let ran = catch_unwind(AssertUnwindSafe(|| entry.observer.observe(event)));
            if entry.state.note(ran.is_err())
                && let Err(payload) = ran
            {
                failed.push((entry.id, entry.name, panic_message(&*payload)));
            }
        }
        if !failed.is_empty() {
            self.report_failures(&observers.0, failed);
        }
    }

    /// Reports each observer that failed to the others (out of line: an
    /// event with no failure should not pay for the loop).
    #[cold]
    #[inline(never)]
    fn report_failures(
        &self,
        observers: &[Entry],
        failed: Vec<(ObserverId, &'static str, String)>,
    ) {
        for (id, name, message) in failed {
            self.report_failure(observers, id, name, &message);
        }
    }

    /// Hands a call to this publisher's observer without building its
    /// event, when the publisher has one observer and it takes calls that
    /// way (non-blocking output: see [`DirectCall`]); `false` if not, and
    /// the caller publishes the event. What the macros call first for a
    /// call without a logger whose placeholders are all plain `{name}`s.
    /// Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn __publish_direct(
        &self,
        level: LogLevel,
        callsite: &'static Callsite,
        values: &[FieldValue<'_>],
    ) -> bool {
        self.direct.load(Ordering::Relaxed) && self.publish_direct(level, callsite, values)
    }

    /// As [`LogPublisher::publish`] does for one observer. Nothing of the
    /// caller's runs here, so the depth is only checked, not raised.
    fn publish_direct(
        &self,
        level: LogLevel,
        callsite: &'static Callsite,
        values: &[FieldValue<'_>],
    ) -> bool {
        if DEPTH.with(|d| d.get()) >= MAX_DEPTH {
            // dropped, as `publish` drops it
            return true;
        }
        let observers = self.snapshot();
        // (the list may have changed since the flag was read)
        let [entry] = &observers.0[..] else {
            return false;
        };
        if level.as_u8() < entry.state.level.load(Ordering::Relaxed) {
            // not wanted, as `publish` skips it
            return true;
        }
        let call = DirectCall {
            level,
            callsite,
            values,
            logger: None,
        };
        match catch_unwind(AssertUnwindSafe(|| entry.observer.__observe_direct(&call))) {
            Ok(taken) => {
                if taken {
                    entry.state.note(false);
                }
                taken
            }
            // (no other observer to tell; lost, as in `publish`)
            Err(_) => {
                entry.state.note(true);
                true
            }
        }
    }

    /// Tells the other observers that one failed (twisted's wording).
    fn report_failure(&self, observers: &[Entry], failed: ObserverId, name: &str, message: &str) {
        static CALLSITE: Callsite = Callsite::internal(
            "spindle::publisher",
            "Temporarily disabling observer {observer} due to exception: {exception}",
            &[
                Piece::Literal("Temporarily disabling observer "),
                Piece::Field("observer!s:", "observer!:"),
                Piece::Literal(" due to exception: "),
                Piece::Field("exception!s:", "exception!:"),
            ],
            &["observer", "exception"],
            file!(),
            line!(),
        );
        crate::internal::with_event(LogLevel::Critical, &CALLSITE, &[&name, &message], |event| {
            for entry in observers.iter().filter(|e| e.id != failed) {
                let _ = catch_unwind(AssertUnwindSafe(|| entry.observer.observe(event)));
            }
        });
    }

    /// Flushes every observer.
    pub fn flush(&self) {
        for entry in self.snapshot().0.iter() {
            let _ = catch_unwind(AssertUnwindSafe(|| entry.observer.flush()));
        }
    }
}

struct RestoreDepth(u32);
impl Drop for RestoreDepth {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(self.0));
    }
}

impl Observer for LogPublisher {
    fn observe(&self, event: &Event<'_>) {
        self.publish(event)
    }
    fn max_level(&self) -> Option<LogLevel> {
        LogLevel::from_u8(self.max_level.load(Ordering::Relaxed))
    }
    fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
        LogPublisher::max_level_for(self, namespace)
    }
    fn flush(&self) {
        LogPublisher::flush(self)
    }
}

/// The global publisher: a `OnceLock` read through [`global_publisher`],
/// whose check is inlined into the call sites (a `LazyLock`'s was a call).
static GLOBAL: OnceLock<LogPublisher> = OnceLock::new();

/// Makes the global publisher, the first time it is asked for.
#[cold]
fn global_publisher_init() -> &'static LogPublisher {
    GLOBAL.get_or_init(|| {
        let mut publisher = LogPublisher::new();
        publisher.global = true;
        let id = publisher.add_shared(crate::beginner::startup_buffer());
        let _ = STARTUP_BUFFER_ID.set(id);
        publisher
    })
}

/// The id of the start-up buffer in the global publisher.
static STARTUP_BUFFER_ID: OnceLock<ObserverId> = OnceLock::new();

/// The publisher every log call without an explicit logger goes to. Until
/// [`global_log_beginner`](crate::global_log_beginner) begins logging, its one
/// observer is a bounded start-up buffer.
#[inline]
pub fn global_publisher() -> &'static LogPublisher {
    match GLOBAL.get() {
        Some(publisher) => publisher,
        None => global_publisher_init(),
    }
}

/// The id of the start-up buffer in the global publisher.
pub(crate) fn startup_buffer_id() -> Option<ObserverId> {
    global_publisher();
    STARTUP_BUFFER_ID.get().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owned_event::OwnedEvent;
    use std::sync::atomic::AtomicUsize;

    struct Counting(Arc<AtomicUsize>);
    impl Observer for Counting {
        fn observe(&self, _: &Event<'_>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts events, and wants those at its level and above.
    struct AtLevel(AtomicU8, AtomicUsize);
    impl Observer for AtLevel {
        fn observe(&self, _: &Event<'_>) {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
        fn max_level(&self) -> Option<LogLevel> {
            LogLevel::from_u8(self.0.load(Ordering::Relaxed))
        }
    }

    /// Takes calls without an event at its level and above, counting
    /// them; panics on one at `Critical`.
    struct Direct(AtomicUsize);
    impl Observer for Direct {
        fn observe(&self, _: &Event<'_>) {}
        fn max_level(&self) -> Option<LogLevel> {
            Some(LogLevel::Info)
        }
        fn __takes_direct(&self) -> bool {
            true
        }
        fn __observe_direct(&self, call: &DirectCall<'_>) -> bool {
            assert!(call.level != LogLevel::Critical, "direct call failed");
            assert_eq!(call.namespace(), "publisher::tests");
            self.0.fetch_add(1, Ordering::Relaxed);
            true
        }
    }

    #[test]
    fn a_change_is_seen_while_the_old_list_is_still_in_use() {
        let publisher = LogPublisher::new();
        let publish = || {
            let event = OwnedEvent::new(LogLevel::Info, "t", "x");
            publisher.publish(&Event::from_owned(&event))
        };
        publisher.add_observer(Counting(Arc::new(AtomicUsize::new(0))));
        publish();
        // the list this thread last read, still in use (as by a call in
        // flight on another thread that reads the same copy)
        let in_use = publisher.snapshot();
        let added = Arc::new(AtomicUsize::new(0));
        publisher.add_observer(Counting(added.clone()));
        publish();
        assert_eq!(added.load(Ordering::Relaxed), 1, "the new list is read");
        drop(in_use);
    }

    #[test]
    fn a_thread_uses_the_list_it_last_read_until_it_changes_and_holds_no_observer() {
        let event = OwnedEvent::new(LogLevel::Info, "t", "x");
        let publish = |p: &LogPublisher| p.publish(&Event::from_owned(&event));
        let one = LogPublisher::new();
        // (in another place than `one`'s: other tests make publishers too)
        let two = std::iter::repeat_with(LogPublisher::new)
            .find(|p| p.slot() != one.slot())
            .unwrap();
        let (seen_one, seen_two) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let id = one.add_observer(Counting(seen_one.clone()));
        two.add_observer(Counting(seen_two.clone()));
        // two publishers in turns on one thread: each its own list
        for _ in 0..3 {
            publish(&one);
            publish(&two);
        }
        assert_eq!(
            (
                seen_one.load(Ordering::Relaxed),
                seen_two.load(Ordering::Relaxed)
            ),
            (3, 3)
        );
        // and each keeps its own place
        let kept =
            LAST_LIST.with_borrow(|last| last.iter().map(|(key, ..)| *key).collect::<Vec<_>>());
        assert!(
            kept.contains(&one.key) && kept.contains(&two.key),
            "{kept:?}"
        );
        // a thread that logged, then waits: an observer added meanwhile
        // sees its next event, and one removed is dropped at once
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let (logged, done) = std::sync::mpsc::channel::<()>();
        let added = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            let (one, publish) = (&one, &publish);
            s.spawn(move || {
                publish(one);
                logged.send(()).unwrap();
                wait.recv().unwrap();
                publish(one);
                logged.send(()).unwrap();
            });
            done.recv().unwrap();
            one.add_observer(Counting(added.clone()));
            assert!(one.remove_observer(id));
            assert_eq!(
                Arc::strong_count(&seen_one),
                1,
                "the removed observer is dropped"
            );
            go.send(()).unwrap();
            done.recv().unwrap();
        });
        assert_eq!(added.load(Ordering::Relaxed), 1);
        assert_eq!(seen_one.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn a_lone_observer_that_takes_calls_without_an_event_gets_them() {
        static SITE: Callsite = Callsite::internal(
            "publisher::tests",
            "plain",
            &[Piece::Literal("plain")],
            &[],
            file!(),
            line!(),
        );
        let publisher = LogPublisher::new();
        let call = |level| publisher.__publish_direct(level, &SITE, &[]);
        assert!(!call(LogLevel::Info), "no observer");
        let direct = Arc::new(Direct(AtomicUsize::new(0)));
        publisher.add_shared(direct.clone());
        let taken = || direct.0.load(Ordering::Relaxed);
        assert!(call(LogLevel::Info));
        assert_eq!(taken(), 1);
        // below its level: done with, as `publish` would skip it
        assert!(call(LogLevel::Debug));
        assert_eq!(taken(), 1);
        // a panic is caught, and the observer marked failing
        assert!(call(LogLevel::Critical));
        assert!(
            publisher.snapshot().0[0]
                .state
                .failing
                .load(Ordering::Relaxed)
        );
        assert!(call(LogLevel::Warn));
        assert!(
            !publisher.snapshot().0[0]
                .state
                .failing
                .load(Ordering::Relaxed)
        );
        // with another observer beside it, every call builds its event
        let other = publisher.add_observer(Counting(Arc::default()));
        assert!(!call(LogLevel::Info));
        publisher.remove_observer(other);
        assert!(call(LogLevel::Info));
        assert_eq!(taken(), 3);
        // nested too deep: dropped, as `publish` drops it
        DEPTH.with(|d| d.set(MAX_DEPTH));
        assert!(call(LogLevel::Info));
        DEPTH.with(|d| d.set(0));
        assert_eq!(taken(), 3);
    }

    #[test]
    fn an_observers_level_is_asked_again_by_update_max_level() {
        let publisher = LogPublisher::new();
        let observer = Arc::new(AtLevel(
            AtomicU8::new(LogLevel::Info.as_u8()),
            AtomicUsize::new(0),
        ));
        publisher.add_shared(observer.clone());
        let publish =
            |level| publisher.publish(&Event::from_owned(&OwnedEvent::new(level, "t", "x")));
        publish(LogLevel::Debug);
        publish(LogLevel::Info);
        assert_eq!(
            observer.1.load(Ordering::Relaxed),
            1,
            "below its level: not called"
        );
        // Its answer changes: the publisher reads it again when told.
        observer.0.store(LogLevel::Error.as_u8(), Ordering::Relaxed);
        publisher.update_max_level();
        publish(LogLevel::Warn);
        assert_eq!(observer.1.load(Ordering::Relaxed), 1);
        assert_eq!(publisher.max_level(), Some(LogLevel::Error));
        observer.0.store(LEVEL_OFF, Ordering::Relaxed);
        publisher.update_max_level();
        publish(LogLevel::Critical);
        assert_eq!(observer.1.load(Ordering::Relaxed), 1, "it wants nothing");
        observer.0.store(LogLevel::Trace.as_u8(), Ordering::Relaxed);
        publisher.update_max_level();
        publish(LogLevel::Trace);
        assert_eq!(observer.1.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn threads_publish_while_observers_come_and_go() {
        let publisher = LogPublisher::new();
        let steady = Arc::new(AtomicUsize::new(0));
        publisher.add_observer(Counting(steady.clone()));
        let passing = Arc::new(AtomicUsize::new(0));
        let passing_observer: Arc<dyn Observer> = Arc::new(Counting(passing.clone()));
        const THREADS: usize = 6;
        const EVENTS: usize = 5_000;
        let event = OwnedEvent::new(LogLevel::Info, "test", "hi");
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    for _ in 0..EVENTS {
                        publisher.publish(&Event::from_owned(&event));
                    }
                });
            }
            for _ in 0..200 {
                let id = publisher.add_shared(passing_observer.clone());
                std::thread::yield_now();
                assert!(publisher.remove_observer(id));
            }
        });
        // The observer present throughout saw every event; no shard keeps
        // the one that came and went.
        assert_eq!(steady.load(Ordering::Relaxed), THREADS * EVENTS);
        assert_eq!(
            Arc::strong_count(&passing_observer),
            1,
            "only the test holds it"
        );
        assert_eq!(publisher.snapshot().0.len(), 1);
        // Every shard holds the same list.
        for shard in publisher.observers.shards.iter() {
            let list = shard.0.read().unwrap();
            assert_eq!(
                list.0.iter().map(|e| e.id).collect::<Vec<_>>(),
                [ObserverId(1)]
            );
        }
    }
}
