//! What the file observers share: one buffer per observer, one `write_all`
//! per record, and write failures reported once per burst.

use std::io::Write;
use std::sync::Mutex;

/// A writer that takes whole records.
pub(crate) struct RecordWriter<W> {
    inner: Mutex<Inner<W>>,
    flush_each: bool,
    /// Names the observer in the report of a failed write.
    what: &'static str,
}

struct Inner<W> {
    writer: W,
    record: String,
    /// Whether the last write failed (reported once per burst of failures).
    failing: bool,
}

impl<W: Write> RecordWriter<W> {
    pub(crate) fn new(writer: W, what: &'static str) -> Self {
        RecordWriter {
            inner: Mutex::new(Inner {
                writer,
                record: String::new(),
                failing: false,
            }),
            flush_each: true,
            what,
        }
    }

    pub(crate) fn set_flush_each(&mut self, flush: bool) {
        self.flush_each = flush;
    }

    /// Builds a record with `fill` into the reused buffer and writes it in
    /// one `write_all`; nothing when `fill` leaves it empty. The first failed
    /// write of a burst panics, which the publisher reports to the other
    /// observers as `Temporarily disabling observer …`.
    pub(crate) fn write(&self, fill: impl FnOnce(&mut String)) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Inner {
            writer,
            record,
            failing,
        } = &mut *inner;
        record.clear();
        fill(record);
        if record.is_empty() {
            return;
        }
        let result = writer.write_all(record.as_bytes()).and_then(|()| {
            if self.flush_each {
                writer.flush()
            } else {
                Ok(())
            }
        });
        match result {
            Ok(()) => *failing = false,
            Err(e) if !*failing => {
                *failing = true;
                drop(inner);
                panic!("{} could not write: {e}", self.what);
            }
            Err(_) => {}
        }
    }

    pub(crate) fn flush(&self) {
        let _ = self
            .inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .writer
            .flush();
    }

    pub(crate) fn into_inner(self) -> W {
        self.inner
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .writer
    }
}
