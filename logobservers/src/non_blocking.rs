use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use logcore::{DirectCall, Event, LogLevel, Observer, OwnedEvent, Packed, Unpacker};

use crate::ring::{self, RingReader, RingWriter};

/// What [`NonBlocking`] does when a thread's ring is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullPolicy {
    /// Wait for room: nothing is lost, the caller may wait.
    Block,
    /// Drop the event and count it; the count is reported as an event.
    Drop,
}

/// Bytes of ring per event of capacity: an event with three integer fields
/// packs to 8 words.
const BYTES_PER_EVENT: usize = 64;

/// Hands events to another observer on a background thread. Each thread
/// that logs gets its own ring (one producer, one consumer, no lock); the
/// caller packs the event straight into it (the call site's number, a
/// clock reading and the field values: see [`logcore::pack_into`]) and
/// never renders text for a plain `{name}`. A call with only plain
/// `{name}`s of strings and numbers, through a [`Logger`] whose observer
/// this is (or without a logger, when this is the global publisher's only
/// observer), is packed without its event being built at all (see
/// [`logcore::pack_direct_into`]). The background thread reads the
/// rings, rebuilds each event and hands it to the observer. A kept event
/// (an [`OwnedEvent`]: a `log` record through the bridge, an event read
/// back) is packed whole, its strings and values copied into the ring. An
/// event that does not pack (one with a failure, or bigger than an eighth
/// of the ring) travels beside the ring, in order.
///
/// [`Logger`]: logcore::Logger
///
/// When a ring is full (more than seven eighths, so that the biggest
/// event that packs finds room) the caller blocks or drops (and counts) as
/// the [`FullPolicy`] says; the number dropped is delivered as a warning
/// event before the next event. Events of one thread arrive in order; events of
/// different threads may interleave differently than they were logged. (One
/// exception: an event logged from inside a value's `Display` while another
/// is being packed goes through a queue shared by all threads, with the
/// event being packed after it; the two may arrive out of order with the
/// thread's other events.)
/// The [`NonBlockingGuard`] returned with it delivers everything queued
/// when dropped (or on [`NonBlockingGuard::flush`]).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use logobservers::{FullPolicy, NonBlocking};
/// use logcore::{Event, LogLevel, Observer, OwnedEvent};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let (observer, guard) = NonBlocking::new(move |e: &Event<'_>| sink.lock().unwrap().push(e.text().into_owned()), 1024, FullPolicy::Block)?;
/// observer.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "queued")));
/// drop(guard); // delivers what was queued
/// assert_eq!(*seen.lock().unwrap(), ["queued"]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct NonBlocking {
    shared: Arc<Shared>,
    policy: FullPolicy,
    ring_bytes: usize,
    /// The longest packed event a ring takes, in words (longer ones are
    /// kept whole).
    max_record: usize,
    max_level: Option<LogLevel>,
}

impl std::fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlocking")
            .field("policy", &self.policy)
            .field("ring_bytes", &self.ring_bytes)
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

/// Stops a [`NonBlocking`]'s thread when dropped, after it has delivered
/// everything queued before. Keep it alive as long as the program logs (in
/// `main`).
#[must_use = "dropping the guard stops the background thread"]
pub struct NonBlockingGuard {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for NonBlockingGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlockingGuard").finish_non_exhaustive()
    }
}

/// Events that do not pack (failures, events too big for a ring) travel
/// beside the ring: the ring carries a marker where each one belongs.
type Side = Arc<Mutex<VecDeque<Box<OwnedEvent>>>>;

/// A ring's reading end, held by the background thread.
struct Reading {
    ring: RingReader,
    side: Side,
}

/// A ring's writing end, held by the thread that logs.
struct Writing {
    owner: u64,
    ring: RingWriter,
    side: Side,
}

/// What the observer and its background thread share.
struct Shared {
    /// Names this observer in the threads' lists of rings (never reused,
    /// unlike an address).
    id: u64,
    /// Rings made by threads that logged for the first time.
    new_rings: Mutex<Vec<Reading>>,
    has_new: AtomicBool,
    /// Events that could not use their thread's ring (logged while that
    /// thread's locals were being torn down, or re-entrantly), and those
    /// that must follow them.
    stray: Mutex<VecDeque<OwnedEvent>>,
    dropped: AtomicU64,
    stopped: AtomicBool,
    /// Flushes asked for, and the last one done.
    flush_asked: AtomicU64,
    flushed: Mutex<u64>,
    flushed_changed: Condvar,
    worker: OnceLock<Thread>,
    /// Whether the background thread is parked for lack of events.
    napping: AtomicBool,
}

/// This thread's rings (one per [`NonBlocking`] it logged to).
struct Local {
    rings: Vec<Writing>,
}

thread_local! {
    static LOCAL: RefCell<Local> = const { RefCell::new(Local { rings: Vec::new() }) };
    /// Events this thread set aside because its rings were busy: logged
    /// while another event was being packed (by a value's `Display`).
    static SET_ASIDE: Cell<u64> = const { Cell::new(0) };
}

/// How many events this thread has set aside so far.
fn set_aside() -> u64 {
    SET_ASIDE.try_with(Cell::get).unwrap_or(0)
}

/// The ring's record for a kept event (a packed event is never empty).
const KEPT: &[u64] = &[];

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl NonBlocking {
    /// Wraps `observer`. Each thread that logs gets a ring of at least
    /// `capacity` × 64 bytes (and 1 KiB; rounded up to a power of two),
    /// room for about `capacity` events with a few short fields. Fails only
    /// if the system refuses to start the thread.
    pub fn new<O: Observer + 'static>(
        observer: O,
        capacity: usize,
        policy: FullPolicy,
    ) -> std::io::Result<(NonBlocking, NonBlockingGuard)> {
        static IDS: AtomicU64 = AtomicU64::new(0);
        let shared = Arc::new(Shared {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            new_rings: Mutex::new(Vec::new()),
            has_new: AtomicBool::new(false),
            stray: Mutex::new(VecDeque::new()),
            dropped: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            flush_asked: AtomicU64::new(0),
            flushed: Mutex::new(0),
            flushed_changed: Condvar::new(),
            worker: OnceLock::new(),
            napping: AtomicBool::new(false),
        });
        let max_level = observer.max_level();
        let ring_bytes = capacity.saturating_mul(BYTES_PER_EVENT).max(1024);
        let worker = shared.clone();
        // Made here, not on the first event: it calibrates the cycle
        // counter once per process (about half a millisecond).
        let unpacker = Unpacker::new();
        let thread = std::thread::Builder::new()
            .name("spindle-non-blocking".to_string())
            .spawn(move || run(observer, &worker, unpacker))?;
        let _ = shared.worker.set(thread.thread().clone());
        let guard = NonBlockingGuard {
            shared: shared.clone(),
            thread: Mutex::new(Some(thread)),
        };
        Ok((
            NonBlocking {
                shared,
                policy,
                ring_bytes,
                max_record: ring::max_record(ring_bytes),
                max_level,
            },
            guard,
        ))
    }

    /// How many events were dropped so far (reported or not).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    fn drop_one(&self) {
        self.shared.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// Packs `event` straight into this thread's ring, or keeps it whole
    /// beside the ring with a marker in it.
    fn write(&self, local: &mut Local, event: &Event<'_>) {
        let ring = self.ring(local);
        let aside_before = set_aside();
        let Some(packed) = self.pack(ring, |words, start, room| {
            logcore::pack_into(event, words, start, room)
        }) else {
            return;
        };
        if set_aside() != aside_before {
            // Events logged while this one was packed went aside; this one
            // follows them, read back from the ring (not rendered twice).
            let kept = packed
                .and_then(|len| Unpacker::new().unpack(&ring.ring.reserved(len)).ok())
                .unwrap_or_else(|| event.to_owned_event());
            return lock(&self.shared.stray).push_back(kept);
        }
        if let Some(len) = packed {
            ring.ring.commit(len);
            return self.written(ring);
        }
        let kept = Box::new(event.to_owned_event());
        if set_aside() != aside_before {
            return lock(&self.shared.stray).push_back(*kept);
        }
        // beside the ring before its marker is in it
        lock(&ring.side).push_back(kept);
        while !ring.ring.push(KEPT) {
            if !self.wait_for_room(ring) {
                // no marker will come for it; the reader takes only
                // entries whose marker it has read, so it is still last
                lock(&ring.side).pop_back();
                return;
            }
        }
        self.written(ring)
    }

    /// Packs a call straight into this thread's ring, without an event
    /// (see [`logcore::pack_direct_into`]): `true` once it is written, or
    /// dropped and counted; `false`, having committed nothing, for a call
    /// that does not pack that way or needs more room than a record has.
    fn write_direct(&self, local: &mut Local, call: &DirectCall<'_>) -> bool {
        let ring = self.ring(local);
        let packed = self.pack(ring, |words, start, room| {
            logcore::pack_direct_into(call, words, start, room)
        });
        match packed {
            Some(Some(len)) => {
                ring.ring.commit(len);
                self.written(ring);
                true
            }
            Some(None) => false,
            // dropped
            None => true,
        }
    }

    /// Reserves room for a record in the ring, waiting for it or dropping
    /// the event as the policy says (`None`: dropped and counted), and has
    /// `pack` write the record there: how many words it took, not yet
    /// committed (`Some(None)`: it does not pack there). Always inlined:
    /// out of line, a call that builds its event took 5 instructions more.
    #[inline(always)]
    fn pack(
        &self,
        ring: &mut Writing,
        pack: impl Fn(&[AtomicU64], usize, usize) -> Packed,
    ) -> Option<Option<usize>> {
        loop {
            let Some((start, room)) = ring.ring.reserve(self.max_record) else {
                if self.wait_for_room(ring) {
                    continue;
                }
                return None;
            };
            return Some(
                match pack(ring.ring.words(), start, room.min(self.max_record)) {
                    Packed::Done(len) => Some(len),
                    Packed::NoRoom(_) | Packed::Unpackable => None,
                },
            );
        }
    }

    /// This thread's ring for this observer, made on its first event.
    #[inline]
    fn ring<'l>(&self, local: &'l mut Local) -> &'l mut Writing {
        let owner = self.shared.id;
        let i = match local.rings.iter().position(|r| r.owner == owner) {
            Some(i) => i,
            None => self.add_ring(local),
        };
        &mut local.rings[i]
    }

    /// A reader napping through a burst is woken before the ring fills,
    /// not after.
    #[inline]
    fn written(&self, ring: &mut Writing) {
        if ring.ring.more_than_half_full() && self.shared.napping.load(Ordering::Relaxed) {
            self.shared.wake();
        }
    }

    /// The ring is full: waits a little (`true`: look again), or drops the
    /// event and counts it (`false`) as the policy says, or when nobody
    /// will ever make room.
    #[cold]
    fn wait_for_room(&self, ring: &Writing) -> bool {
        if self.policy == FullPolicy::Drop
            || self.shared.stopped.load(Ordering::Acquire)
            || ring.ring.is_abandoned()
            || self.shared.worker.get().map(Thread::id) == Some(std::thread::current().id())
        {
            self.drop_one();
            return false;
        }
        self.shared.wake();
        std::thread::yield_now();
        true
    }

    /// Makes this thread's ring for this observer; returns its index.
    #[cold]
    fn add_ring(&self, local: &mut Local) -> usize {
        // rings of stopped observers are of no more use
        local.rings.retain(|r| !r.ring.is_abandoned());
        let (producer, consumer) = ring::ring(self.ring_bytes);
        let side = Side::default();
        lock(&self.shared.new_rings).push(Reading {
            ring: consumer,
            side: side.clone(),
        });
        self.shared.has_new.store(true, Ordering::Release);
        local.rings.push(Writing {
            owner: self.shared.id,
            ring: producer,
            side,
        });
        local.rings.len() - 1
    }
}

impl Shared {
    fn wake(&self) {
        if let Some(worker) = self.worker.get() {
            worker.unpark();
        }
    }

    /// Waits until everything queued before has been delivered and flushed.
    fn flush(&self) {
        if self.stopped.load(Ordering::Acquire) {
            return;
        }
        let ticket = self.flush_asked.fetch_add(1, Ordering::SeqCst) + 1;
        self.wake();
        let mut done = lock(&self.flushed);
        while *done < ticket {
            done = self
                .flushed_changed
                .wait(done)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Observer for NonBlocking {
    fn observe(&self, event: &Event<'_>) {
        if self.shared.stopped.load(Ordering::Acquire) {
            return self.drop_one();
        }
        let written = LOCAL.try_with(|l| match l.try_borrow_mut() {
            Ok(mut l) => {
                self.write(&mut l, event);
                true
            }
            Err(_) => false,
        });
        if written != Ok(true) {
            // This thread's rings are busy (an event logged while another
            // is packed) or gone: keep the event aside.
            if written.is_ok() {
                let _ = SET_ASIDE.try_with(|n| n.set(n.get() + 1));
            }
            lock(&self.shared.stray).push_back(event.to_owned_event());
        }
    }

    fn max_level(&self) -> Option<LogLevel> {
        self.max_level
    }

    /// Waits until everything queued before has been delivered and flushed.
    fn flush(&self) {
        self.shared.flush()
    }

    fn __takes_direct(&self) -> bool {
        true
    }

    /// Packs the call straight into this thread's ring (no event is
    /// built); `false` hands it back to be published as an event: after
    /// the guard is gone (so `observe` counts it dropped), with the ring
    /// busy (a call made while another event is packed: `observe` sets it
    /// aside), or when it does not pack that way.
    fn __observe_direct(&self, call: &DirectCall<'_>) -> bool {
        if self.shared.stopped.load(Ordering::Acquire) {
            return false;
        }
        LOCAL
            .try_with(|l| match l.try_borrow_mut() {
                Ok(mut l) => self.write_direct(&mut l, call),
                Err(_) => false,
            })
            .unwrap_or(false)
    }
}

/// The background thread: reads every ring until stopped, then once more.
fn run<O: Observer>(observer: O, shared: &Shared, mut unpacker: Unpacker) {
    let mut rings: Vec<Reading> = Vec::new();
    let mut reported = 0u64;
    let mut record = Vec::new();
    let mut idle = 0u32;
    loop {
        let asked = shared.flush_asked.load(Ordering::SeqCst);
        let stopping = shared.stopped.load(Ordering::SeqCst);
        if shared.has_new.swap(false, Ordering::AcqRel) {
            rings.append(&mut lock(&shared.new_rings));
        }
        let mut delivered = 0usize;
        let mut deliver_one = |event: &Event<'_>| {
            report_drops(&observer, &shared.dropped, &mut reported);
            deliver(&observer, event);
            delivered += 1;
        };
        for ring in &mut rings {
            read_ring(ring, &mut record, &mut unpacker, &mut deliver_one);
        }
        while let Some(event) = lock(&shared.stray).pop_front() {
            deliver_one(&Event::from_owned(&event));
        }
        rings.retain(|r| !(r.ring.is_abandoned() && r.ring.is_empty()));
        report_drops(&observer, &shared.dropped, &mut reported);
        if delivered > 0 {
            // Let the rings fill a little before the next pass: reading
            // right behind a writer moves the cache lines it writes back
            // and forth between the cores. A writer that finds its ring
            // full wakes this thread.
            idle = 0;
            std::thread::park_timeout(Duration::from_micros(50));
            continue;
        }
        // Everything asked for before this pass has been read.
        if asked > *lock(&shared.flushed) || stopping {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| observer.flush()));
            *lock(&shared.flushed) = if stopping { u64::MAX } else { asked };
            shared.flushed_changed.notify_all();
        }
        if stopping {
            return;
        }
        idle = idle.saturating_add(1);
        if idle < 64 {
            std::thread::yield_now();
        } else {
            shared.napping.store(true, Ordering::Relaxed);
            std::thread::park_timeout(Duration::from_micros(50 << (idle - 64).min(8)));
            shared.napping.store(false, Ordering::Relaxed);
        }
    }
}

/// Delivers every record in `ring`.
fn read_ring(
    ring: &mut Reading,
    record: &mut Vec<u64>,
    unpacker: &mut Unpacker,
    deliver: &mut dyn FnMut(&Event<'_>),
) {
    while ring.ring.pop(record) {
        if record.is_empty() {
            if let Some(event) = lock(&ring.side).pop_front() {
                deliver(&Event::from_owned(&event));
            }
            continue;
        }
        match unpacker.unpack_with(record, deliver) {
            Ok(()) => {}
            Err(error) => {
                let event = OwnedEvent::new(
                    LogLevel::Error,
                    "spindle::non_blocking",
                    "an event could not be read back: {error}",
                )
                .with_field("error", error.to_string());
                deliver(&Event::from_owned(&event));
            }
        }
    }
}

/// Delivers the count of drops not yet reported, if any.
fn report_drops<O: Observer>(observer: &O, dropped: &AtomicU64, reported: &mut u64) {
    let now = dropped.load(Ordering::Relaxed);
    if now > *reported {
        let event = OwnedEvent::new(
            LogLevel::Warn,
            "spindle::non_blocking",
            "{count} events were dropped because the logging queue was full",
        )
        .with_field("count", now - *reported);
        *reported = now;
        deliver(observer, &Event::from_owned(&event));
    }
}

fn deliver<O: Observer>(observer: &O, event: &Event<'_>) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| observer.observe(event)));
}

impl NonBlockingGuard {
    /// Waits until everything queued before has been delivered and flushed.
    pub fn flush(&self) {
        self.shared.flush()
    }
}

impl Drop for NonBlockingGuard {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.wake();
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn event(n: u64) -> OwnedEvent {
        OwnedEvent::new(LogLevel::Info, "app", "event {n}").with_field("n", n)
    }

    #[test]
    fn drop_policy_counts_exactly_what_it_drops() {
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let sink = delivered.clone();
        let slow = move |e: &Event<'_>| {
            std::thread::sleep(Duration::from_micros(200));
            sink.lock().unwrap().push(e.to_owned_event());
        };
        let (observer, guard) = NonBlocking::new(slow, 8, FullPolicy::Drop).unwrap();
        let sent = 2_000u64;
        for n in 0..sent {
            observer.observe(&Event::from_owned(&event(n)));
        }
        let dropped = observer.dropped();
        drop(guard);
        let delivered = delivered.lock().unwrap();
        let written = delivered
            .iter()
            .filter(|e| e.namespace.as_deref() == Some("app"))
            .count() as u64;
        let reported: u64 = delivered
            .iter()
            .filter(|e| e.namespace.as_deref() == Some("spindle::non_blocking"))
            .map(|e| match e.field("count") {
                Some(logcore::OwnedValue::U64(n)) => *n,
                other => panic!("{other:?}"),
            })
            .sum();
        assert!(dropped > 0, "the queue overflowed");
        assert_eq!(reported, dropped, "every drop is reported");
        assert_eq!(written + dropped, sent);
        // what was delivered is in order
        let ns: Vec<u64> = delivered
            .iter()
            .filter_map(|e| match e.field("n") {
                Some(logcore::OwnedValue::U64(n)) => Some(*n),
                _ => None,
            })
            .collect();
        assert!(ns.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn block_policy_loses_nothing_and_flush_waits() {
        let count = Arc::new(AtomicU64::new(0));
        let c = count.clone();
        let (observer, guard) = NonBlocking::new(
            move |_: &Event<'_>| {
                c.fetch_add(1, Ordering::SeqCst);
            },
            4,
            FullPolicy::Block,
        )
        .unwrap();
        for n in 0..500 {
            observer.observe(&Event::from_owned(&event(n)));
        }
        observer.flush();
        assert_eq!(count.load(Ordering::SeqCst), 500);
        assert_eq!(observer.dropped(), 0);
        drop(guard);
        // after the guard, events are counted as dropped, never lost silently or blocking
        observer.observe(&Event::from_owned(&event(0)));
        assert_eq!(observer.dropped(), 1);
    }

    #[test]
    fn observers_made_one_after_another_on_a_thread_get_their_own_events() {
        for round in 0..50u64 {
            let count = Arc::new(AtomicU64::new(0));
            let c = count.clone();
            let (observer, guard) = NonBlocking::new(
                move |e: &Event<'_>| {
                    assert_eq!(
                        e.to_owned_event().field("n"),
                        Some(&logcore::OwnedValue::U64(round))
                    );
                    c.fetch_add(1, Ordering::SeqCst);
                },
                16,
                FullPolicy::Block,
            )
            .unwrap();
            observer.observe(&Event::from_owned(&event(round)));
            drop(guard);
            assert_eq!(count.load(Ordering::SeqCst), 1, "round {round}");
        }
    }

    #[test]
    fn an_observer_whose_flush_panics_does_not_hang_flush() {
        struct BadFlush;
        impl Observer for BadFlush {
            fn observe(&self, _: &Event<'_>) {}
            fn flush(&self) {
                panic!("flush failed");
            }
        }
        // On a thread, so that a hang fails the test instead of stalling it.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (observer, guard) = NonBlocking::new(BadFlush, 16, FullPolicy::Block).unwrap();
            observer.observe(&Event::from_owned(&event(1)));
            observer.flush();
            guard.flush();
            drop(guard);
            observer.flush(); // after the guard: returns at once
            done.send(()).unwrap();
        });
        finished
            .recv_timeout(Duration::from_secs(10))
            .expect("flush hung after the observer's flush panicked");
    }

    #[test]
    fn a_record_that_does_not_read_back_is_reported_not_lost_silently() {
        let (mut writer, reader) = crate::ring::ring(1024);
        assert!(writer.push(&[u64::MAX]));
        let mut reading = Reading {
            ring: reader,
            side: Side::default(),
        };
        let mut seen = Vec::new();
        read_ring(
            &mut reading,
            &mut Vec::new(),
            &mut Unpacker::new(),
            &mut |e| seen.push(e.to_owned_event()),
        );
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].level, Some(LogLevel::Error));
        assert_eq!(
            logcore::format_event(&seen[0]),
            "an event could not be read back: packed event unreadable at word 0: a known call site"
        );
    }
}
