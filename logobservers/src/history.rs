use std::collections::VecDeque;
use std::sync::Mutex;

use logcore::{Event, Observer, OwnedEvent};

/// Keeps the last `capacity` events (twisted's
/// `LimitedHistoryLogObserver`), to replay to another observer later.
///
/// ```
/// use logobservers::HistoryObserver;
/// use logcore::{Event, LogLevel, Observer, OwnedEvent};
/// let history = HistoryObserver::new(2);
/// for text in ["a", "b", "c"] {
///     history.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "x", text)));
/// }
/// let seen = std::sync::Mutex::new(Vec::new());
/// history.replay_to(&|e: &Event<'_>| seen.lock().unwrap().push(e.text().into_owned()));
/// assert_eq!(*seen.lock().unwrap(), ["b", "c"]);
/// ```
#[derive(Debug)]
pub struct HistoryObserver {
    capacity: usize,
    events: Mutex<VecDeque<OwnedEvent>>,
}

impl HistoryObserver {
    /// Keeps at most `capacity` events, the newest.
    pub fn new(capacity: usize) -> Self {
        HistoryObserver {
            capacity,
            events: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
        }
    }

    /// Sends every kept event, oldest first, to `observer`.
    pub fn replay_to(&self, observer: &dyn Observer) {
        let events: Vec<OwnedEvent> = self
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        for event in &events {
            observer.observe(&Event::from_owned(event));
        }
    }

    /// A copy of the kept events, oldest first.
    pub fn events(&self) -> Vec<OwnedEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

impl Observer for HistoryObserver {
    fn observe(&self, event: &Event<'_>) {
        if self.capacity == 0 {
            return;
        }
        let owned = event.to_owned_event();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() == self.capacity {
            events.pop_front();
        }
        events.push_back(owned);
    }
}
