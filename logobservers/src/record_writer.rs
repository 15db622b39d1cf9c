//! What the file observers share: records built outside the lock in a
//! per-thread buffer, one `write_all` per record, and write failures
//! reported once per burst.

use std::io::Write;
use std::sync::Mutex;

/// A writer that takes whole records.
pub(crate) struct RecordWriter<W> {
    /// On cache lines of its own: the lock and the writer's buffer change
    /// with every record, while the observer's settings beside them are
    /// read by every logging thread.
    inner: CacheLines<Mutex<Inner<W>>>,
    flush_each: bool,
    /// Names the observer in the report of a failed write.
    what: &'static str,
}

/// Aligned (and so sized) to whole cache lines, adjacent-line prefetch
/// included.
#[repr(align(128))]
struct CacheLines<T>(T);

impl<T> std::ops::Deref for CacheLines<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

struct Inner<W> {
    writer: W,
    /// Whether the last write failed (reported once per burst of failures).
    failing: bool,
}

thread_local! {
    /// The record being built on this thread.
    static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl<W: Write> RecordWriter<W> {
    pub(crate) fn new(writer: W, what: &'static str) -> Self {
        RecordWriter {
            inner: CacheLines(Mutex::new(Inner {
                writer,
                failing: false,
            })),
            flush_each: true,
            what,
        }
    }

    pub(crate) fn set_flush_each(&mut self, flush: bool) {
        self.flush_each = flush;
    }

    /// Builds a record with `fill` outside the lock, in a buffer this
    /// thread reuses, then writes it in one `write_all` (nothing when `fill`
    /// leaves it empty). Building outside the lock lets threads format in
    /// parallel, and lets a value whose `Display` logs do so. The first
    /// failed write of a burst panics, which the publisher reports to the
    /// other observers as `Temporarily disabling observer …`.
    pub(crate) fn write(&self, fill: impl FnOnce(&mut String)) {
        let build = |record: &mut String| {
            record.clear();
            fill(record);
            if !record.is_empty() {
                self.write_record(record);
            }
        };
        BUFFER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut record) => build(&mut record),
            // Re-entered on this thread (a value logged while being written).
            Err(_) => build(&mut String::new()),
        });
    }

    /// Writes a record built elsewhere (outside the lock) in one `write_all`.
    pub(crate) fn write_record(&self, record: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Inner {
            writer, failing, ..
        } = &mut *inner;
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
            .0
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .writer
    }
}
