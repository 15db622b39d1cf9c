use std::io::Write;

use logcore::{Event, Observer};

use super::write::write_event;
use crate::record_writer::RecordWriter;

/// Writes each event as a JSON record in twisted's format: `0x1e`, the
/// JSON object, `\n` (or JSON Lines, without the `0x1e`). Files it writes
/// are read by twisted's `eventsFromJSONLogFile` and by
/// [`events_from_json_log_file`](crate::events_from_json_log_file), and
/// render to the same text.
///
/// ```
/// use logobservers::{JsonObserver, events_from_json_log_file};
/// use logcore::{Event, LogLevel, Observer, OwnedEvent, format_event};
///
/// let observer = JsonObserver::new(Vec::new());
/// observer.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "{n} items").with_field("n", 3)));
/// let bytes = observer.into_inner();
/// assert_eq!(bytes[0], 0x1e);
/// let events: Vec<_> = events_from_json_log_file(&bytes[..]).collect();
/// assert_eq!(format_event(&events[0]), "3 items");
/// ```
pub struct JsonObserver<W: Write + Send> {
    out: RecordWriter<W>,
    separator: bool,
}

impl<W: Write + Send> std::fmt::Debug for JsonObserver<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonObserver")
            .field("separator", &self.separator)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> JsonObserver<W> {
    /// RS-framed records to `writer`, flushed after each event.
    pub fn new(writer: W) -> Self {
        JsonObserver {
            out: RecordWriter::new(writer, "JSON observer"),
            separator: true,
        }
    }

    /// Plain JSON Lines: no `0x1e` before each record.
    pub fn json_lines(mut self) -> Self {
        self.separator = false;
        self
    }

    /// Whether to flush after every event (default `true`).
    pub fn with_flush_each(mut self, flush: bool) -> Self {
        self.out.set_flush_each(flush);
        self
    }

    /// With [`with_flush_each(false)`](Self::with_flush_each), keeps each
    /// thread's records apart and writes them `bytes` at a time: see
    /// [`TextObserver::with_thread_batches`](crate::TextObserver::with_thread_batches).
    ///
    /// ```
    /// use logcore::{Event, LogLevel, Observer, OwnedEvent};
    /// use logobservers::JsonObserver;
    /// let observer = JsonObserver::new(Vec::new()).with_flush_each(false).with_thread_batches(4096);
    /// observer.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "kept back")));
    /// observer.flush(); // writes the batches
    /// assert_eq!(observer.into_inner()[0], 0x1e);
    /// ```
    pub fn with_thread_batches(mut self, bytes: usize) -> Self {
        self.out.set_thread_batches(bytes);
        self
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out.into_inner()
    }
}

impl<W: Write + Send> Observer for JsonObserver<W> {
    fn observe(&self, event: &Event<'_>) {
        self.out.write(|record| {
            if self.separator {
                record.push('\x1e');
            }
            write_event(event, record);
            record.push('\n');
        });
    }

    fn flush(&self) {
        self.out.flush()
    }
}
