use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use logcore::{Event, LogLevel, Observer, OwnedEvent};

/// What [`NonBlocking`] does when its queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullPolicy {
    /// Wait for room: nothing is lost, the caller may wait.
    Block,
    /// Drop the event and count it; the count is reported as an event.
    Drop,
}

// The event is held inline: the channel's slots hold it without an
// allocation of its own.
#[allow(clippy::large_enum_variant)]
enum Message {
    Event(OwnedEvent),
    Flush(SyncSender<()>),
    Stop,
}

/// Hands events to another observer on a background thread, through a
/// bounded queue: the caller only flattens the event and queues it. When the
/// queue is full it blocks or drops (and counts) as its [`FullPolicy`] says;
/// the number dropped is delivered as a warning event before the next event.
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
    sender: SyncSender<Message>,
    policy: FullPolicy,
    dropped: Arc<AtomicU64>,
    max_level: Option<LogLevel>,
}

impl std::fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlocking")
            .field("policy", &self.policy)
            .field("dropped", &self.dropped.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Stops a [`NonBlocking`]'s thread when dropped, after it has delivered
/// everything queued before. Keep it alive as long as the program logs (in
/// `main`).
#[must_use = "dropping the guard stops the background thread"]
pub struct NonBlockingGuard {
    sender: SyncSender<Message>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for NonBlockingGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlockingGuard").finish_non_exhaustive()
    }
}

impl NonBlocking {
    /// Wraps `observer`; the queue holds `capacity` events (at least one).
    /// Fails only if the system refuses to start the thread.
    pub fn new<O: Observer + 'static>(
        observer: O,
        capacity: usize,
        policy: FullPolicy,
    ) -> std::io::Result<(NonBlocking, NonBlockingGuard)> {
        let (sender, receiver) = sync_channel(capacity.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        let max_level = observer.max_level();
        let counter = dropped.clone();
        let thread = std::thread::Builder::new()
            .name("spindle-non-blocking".to_string())
            .spawn(move || run(observer, receiver, counter))?;
        let guard = NonBlockingGuard {
            sender: sender.clone(),
            thread: Mutex::new(Some(thread)),
        };
        Ok((
            NonBlocking {
                sender,
                policy,
                dropped,
                max_level,
            },
            guard,
        ))
    }

    /// How many events were dropped so far (reported or not).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The count of drops already reported, kept by the thread.
fn run<O: Observer>(observer: O, receiver: Receiver<Message>, dropped: Arc<AtomicU64>) {
    let mut reported = 0u64;
    let report = |observer: &O, reported: &mut u64| {
        let now = dropped.load(Ordering::Relaxed);
        if now > *reported {
            let event = OwnedEvent::new(
                LogLevel::Warn,
                "spindle::non_blocking",
                "{count} events were dropped because the logging queue was full",
            )
            .with_field("count", now - *reported);
            *reported = now;
            deliver(observer, &event);
        }
    };
    while let Ok(message) = receiver.recv() {
        match message {
            Message::Event(event) => {
                report(&observer, &mut reported);
                deliver(&observer, &event);
            }
            Message::Flush(ack) => {
                report(&observer, &mut reported);
                observer.flush();
                let _ = ack.send(());
            }
            Message::Stop => {
                report(&observer, &mut reported);
                observer.flush();
                return;
            }
        }
    }
}

fn deliver<O: Observer>(observer: &O, event: &OwnedEvent) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        observer.observe(&Event::from_owned(event))
    }));
}

impl Observer for NonBlocking {
    fn observe(&self, event: &Event<'_>) {
        let owned = event.to_owned_event();
        match self.policy {
            FullPolicy::Block => {
                if self.sender.send(Message::Event(owned)).is_err() {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
            FullPolicy::Drop => match self.sender.try_send(Message::Event(owned)) {
                Ok(()) => {}
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            },
        }
    }

    fn max_level(&self) -> Option<LogLevel> {
        self.max_level
    }

    /// Waits until everything queued before has been delivered and flushed.
    fn flush(&self) {
        flush(&self.sender)
    }
}

fn flush(sender: &SyncSender<Message>) {
    let (ack, done) = sync_channel(1);
    if sender.send(Message::Flush(ack)).is_ok() {
        let _ = done.recv();
    }
}

impl NonBlockingGuard {
    /// Waits until everything queued before has been delivered and flushed.
    pub fn flush(&self) {
        flush(&self.sender)
    }
}

impl Drop for NonBlockingGuard {
    fn drop(&mut self) {
        let _ = self.sender.send(Message::Stop);
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
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
}
