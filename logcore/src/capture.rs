use std::sync::{Arc, Mutex};
use std::thread;

use crate::event::Event;
use crate::owned_event::OwnedEvent;
use crate::publisher::{ObserverId, global_publisher};

/// Runs `f` and returns the events it logged to the global publisher on this
/// thread, as kept events. Other threads' events (say, tests running in
/// parallel) are not captured. Every level is enabled while it runs. The
/// observer is removed even when `f` panics.
///
/// ```
/// use logcore::{captured_logs, OwnedEvent, LogLevel, Event, global_publisher};
/// let events = captured_logs(|| {
///     let owned = OwnedEvent::new(LogLevel::Info, "app", "hello");
///     global_publisher().publish(&Event::from_owned(&owned));
/// });
/// assert_eq!(events.len(), 1);
/// assert_eq!(logcore::format_event(&events[0]), "hello");
/// ```
pub fn captured_logs(f: impl FnOnce()) -> Vec<OwnedEvent> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let me = thread::current().id();
    let sink = events.clone();
    let id = global_publisher().add_observer(move |event: &Event<'_>| {
        if thread::current().id() == me {
            // Flatten before locking: rendering may log (re-entrantly) too.
            let owned = event.to_owned_event();
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(owned);
        }
    });
    {
        let _guard = Remove(id);
        f();
    }
    let mut events = events.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::take(&mut *events)
}

struct Remove(ObserverId);

impl Drop for Remove {
    fn drop(&mut self) {
        global_publisher().remove_observer(self.0);
    }
}
