//! What the file observers share: records built outside the lock in a
//! per-thread buffer, one `write_all` per record (or per batch of a
//! thread's records, when asked for), and write failures reported once per
//! burst.

use std::cell::RefCell;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A writer that takes whole records.
pub(crate) struct RecordWriter<W: Write> {
    /// On cache lines of its own: the lock and the writer's buffer change
    /// with every record, while the observer's settings beside them are
    /// read by every logging thread.
    inner: CacheLines<Mutex<Inner<W>>>,
    flush_each: bool,
    /// Names the observer in the report of a failed write.
    what: &'static str,
    /// Each thread's records kept apart, when asked for.
    batches: Option<Batches>,
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
    /// `None` once taken back by [`RecordWriter::into_inner`].
    writer: Option<W>,
    /// Whether the last write failed (reported once per burst of failures).
    failing: bool,
}

/// Every thread's batch of records for one writer.
struct Batches {
    /// Names the writer in the threads' lists (never reused, unlike an
    /// address).
    id: u64,
    /// A batch this long (in bytes) is written.
    limit: usize,
    /// Every thread's batch, to write them all.
    all: Mutex<Threads>,
}

/// Every thread's batch, and the string a batch is swapped with to be
/// written outside its thread's lock (so that its thread goes on filling
/// the spare while the writer writes).
struct Threads {
    batches: Vec<Arc<Batch>>,
    spare: String,
}

/// One thread's records not yet written, on cache lines of their own.
type Batch = CacheLines<Mutex<String>>;

thread_local! {
    /// The record being built on this thread.
    static BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
    /// This thread's batches, one per writer that batches.
    static BATCHES: RefCell<Vec<(u64, Arc<Batch>)>> = const { RefCell::new(Vec::new()) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<W: Write> RecordWriter<W> {
    pub(crate) fn new(writer: W, what: &'static str) -> Self {
        RecordWriter {
            inner: CacheLines(Mutex::new(Inner {
                writer: Some(writer),
                failing: false,
            })),
            flush_each: true,
            what,
            batches: None,
        }
    }

    pub(crate) fn set_flush_each(&mut self, flush: bool) {
        self.flush_each = flush;
    }

    /// Keeps each thread's records apart and writes them `limit` bytes at a
    /// time (see the observers' `with_thread_batches`); 0 writes each
    /// record at once.
    pub(crate) fn set_thread_batches(&mut self, limit: usize) {
        static IDS: AtomicU64 = AtomicU64::new(0);
        self.drain();
        self.batches = (limit > 0).then(|| Batches {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            limit,
            all: Mutex::new(Threads {
                batches: Vec::new(),
                spare: String::new(),
            }),
        });
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

    /// Writes a record built elsewhere (outside the lock): into this
    /// thread's batch, or in one `write_all`.
    pub(crate) fn write_record(&self, record: &str) {
        if let Some(batches) = self.batches.as_ref().filter(|_| !self.flush_each) {
            match self.batch(batches, record) {
                Some(false) => return,
                Some(true) => return self.drain(),
                // This thread's list is gone (the thread is ending): what
                // its batch held goes first, then this record.
                None => self.drain(),
            }
        }
        let mut inner = lock(&self.inner);
        let result = inner.write(record.as_bytes(), self.flush_each);
        self.report(inner, result);
    }

    /// Appends `record` to this thread's batch; whether the batch is now
    /// full (`None` if this thread has no list any more).
    fn batch(&self, batches: &Batches, record: &str) -> Option<bool> {
        BATCHES
            .try_with(|mine| {
                let mut mine = mine.try_borrow_mut().ok()?;
                let i = match mine.iter().position(|(id, _)| *id == batches.id) {
                    Some(i) => i,
                    None => {
                        // batches of writers gone are of no more use
                        mine.retain(|(_, b)| Arc::strong_count(b) > 1);
                        let batch = Arc::new(CacheLines(Mutex::new(String::new())));
                        lock(&batches.all).batches.push(batch.clone());
                        mine.push((batches.id, batch));
                        mine.len() - 1
                    }
                };
                let mut batch = lock(&mine[i].1);
                batch.push_str(record);
                Some(batch.len() >= batches.limit)
            })
            .ok()
            .flatten()
    }

    /// Writes every thread's batch, in the order the threads first wrote,
    /// and forgets those of threads that ended. Each batch is swapped with
    /// the empty spare and written after its thread's lock is released: its
    /// thread is not held up by the write, and another thread's drain waits
    /// for this one (on `all`), so each thread's records stay in order.
    fn drain(&self) {
        let Some(batches) = &self.batches else {
            return;
        };
        let mut all = lock(&batches.all);
        let Threads { batches, spare } = &mut *all;
        let mut inner = lock(&self.inner);
        let mut result = Ok(());
        for batch in batches.iter() {
            std::mem::swap(spare, &mut *lock(batch));
            if !spare.is_empty() {
                result = result.and(inner.write(spare.as_bytes(), false));
                spare.clear();
            }
        }
        // a batch only this list holds has no thread to fill it any more;
        // one that was filled after it was written waits for the next drain
        batches.retain(|b| Arc::strong_count(b) > 1 || !lock(b).is_empty());
        drop(all);
        self.report(inner, result);
    }

    /// Notes a write's outcome; the first failure of a burst panics (with
    /// the lock released).
    #[inline]
    fn report(&self, mut inner: MutexGuard<'_, Inner<W>>, result: std::io::Result<()>) {
        match result {
            Ok(()) => inner.failing = false,
            Err(e) => self.failed(inner, e),
        }
    }

    #[cold]
    fn failed(&self, mut inner: MutexGuard<'_, Inner<W>>, e: std::io::Error) {
        if !inner.failing {
            inner.failing = true;
            drop(inner);
            panic!("{} could not write: {e}", self.what);
        }
    }

    pub(crate) fn flush(&self) {
        self.drain();
        if let Some(writer) = &mut lock(&self.inner).writer {
            let _ = writer.flush();
        }
    }

    pub(crate) fn into_inner(mut self) -> W {
        self.drain();
        self.batches = None;
        match lock(&self.inner).writer.take() {
            Some(writer) => writer,
            // (only `into_inner` takes it, and it takes `self`)
            None => unreachable!("the writer was taken once already"),
        }
    }
}

impl<W: Write> Inner<W> {
    fn write(&mut self, bytes: &[u8], flush: bool) -> std::io::Result<()> {
        let Some(writer) = &mut self.writer else {
            return Ok(());
        };
        writer.write_all(bytes)?;
        if flush { writer.flush() } else { Ok(()) }
    }
}

impl<W: Write> Drop for RecordWriter<W> {
    /// Writes what the threads' batches still hold.
    fn drop(&mut self) {
        let Some(batches) = &self.batches else {
            return;
        };
        let mut inner = lock(&self.inner);
        if let Some(writer) = &mut inner.writer {
            for batch in &lock(&batches.all).batches {
                let _ = writer.write_all(lock(batch).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use logcore::{Event, LogLevel, Observer, OwnedEvent};

    use crate::TextObserver;

    /// A writer whose bytes can be looked at while the observer holds it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn lines(&self) -> Vec<String> {
            let bytes = self.0.lock().unwrap();
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_string)
                .collect()
        }
    }

    fn batched(out: &Shared, bytes: usize) -> TextObserver<Shared> {
        TextObserver::new(out.clone())
            .with_time_format(None)
            .with_flush_each(false)
            .with_thread_batches(bytes)
    }

    fn log(observer: &impl Observer, text: &str) {
        observer.observe(&Event::from_owned(&OwnedEvent::new(
            LogLevel::Info,
            "t",
            text,
        )));
    }

    #[test]
    fn every_thread_keeps_its_order_and_nothing_is_lost() {
        let out = Shared::default();
        let observer = batched(&out, 300);
        std::thread::scope(|s| {
            for t in 0..4 {
                let observer = &observer;
                s.spawn(move || {
                    for i in 0..2_000 {
                        log(observer, &format!("{t} {i}"));
                    }
                });
            }
        });
        drop(observer);
        let mut next = [0; 4];
        let lines = out.lines();
        assert_eq!(lines.len(), 8_000);
        for line in lines {
            let mut words = line.trim_start_matches("- [t#info] ").split(' ');
            let t: usize = words.next().unwrap().parse().unwrap();
            let i: usize = words.next().unwrap().parse().unwrap();
            assert_eq!(i, next[t], "thread {t} in order");
            next[t] += 1;
        }
    }

    #[test]
    fn batches_are_written_when_one_fills_on_flush_and_when_their_thread_ended() {
        let out = Shared::default();
        let observer = batched(&out, 200);
        // a thread that logs once and ends: its line waits in its batch
        std::thread::scope(|s| {
            s.spawn(|| log(&observer, "quiet"));
        });
        assert!(out.lines().is_empty());
        // another thread's full batch writes every batch
        for i in 0..20 {
            log(&observer, &format!("busy {i}"));
        }
        assert!(out.lines().contains(&"- [t#info] quiet".to_string()));
        // a flush writes what is left
        log(&observer, "last");
        assert!(out.lines().len() < 22, "some lines wait in the batch");
        observer.flush();
        assert_eq!(out.lines().len(), 22);
        assert_eq!(out.lines().last().unwrap(), "- [t#info] last");
        // and so does dropping the observer
        log(&observer, "at the end");
        drop(observer);
        assert_eq!(out.lines().last().unwrap(), "- [t#info] at the end");
        assert_eq!(out.lines().len(), 23);
    }

    #[test]
    fn a_thread_goes_on_logging_while_its_batch_is_written() {
        use std::sync::mpsc::channel;
        use std::time::Duration;
        /// Writes only once `hold` is free, saying first that it waits.
        struct Gated {
            out: Shared,
            hold: Arc<Mutex<()>>,
            entered: std::sync::mpsc::Sender<()>,
        }
        impl std::io::Write for Gated {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                let _ = self.entered.send(());
                drop(self.hold.lock().unwrap());
                self.out.write(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Shared::default();
        let hold = Arc::new(Mutex::new(()));
        let (entered, writing) = channel();
        let observer = TextObserver::new(Gated {
            out: out.clone(),
            hold: hold.clone(),
            entered,
        })
        .with_time_format(None)
        .with_flush_each(false)
        .with_thread_batches(1 << 20);
        let (go, wait) = channel::<()>();
        let (logged, was_logged) = channel();
        std::thread::scope(|s| {
            let observer = &observer;
            let thread = s.spawn(move || {
                log(observer, "first");
                logged.send(()).unwrap();
                wait.recv().unwrap();
                log(observer, "second");
                logged.send(()).unwrap();
            });
            was_logged.recv().unwrap();
            let held = hold.lock().unwrap();
            // the batch holding "first" is being written, and waits
            s.spawn(|| observer.flush());
            writing.recv().unwrap();
            go.send(()).unwrap();
            let second = was_logged.recv_timeout(Duration::from_secs(10));
            if second.is_ok() {
                // ended, so its batch is one no thread fills any more
                thread.join().unwrap();
            }
            drop(held);
            assert!(second.is_ok(), "the thread waited for its batch's write");
        });
        observer.flush();
        assert_eq!(out.lines(), ["- [t#info] first", "- [t#info] second"]);
    }

    #[test]
    fn a_batch_that_cannot_be_written_is_reported_once_per_burst() {
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let observer = TextObserver::new(Full)
            .with_flush_each(false)
            .with_thread_batches(40);
        let mut reports = Vec::new();
        for i in 0..10 {
            let logged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                log(&observer, &format!("line {i}"))
            }));
            if let Err(panic) = logged {
                reports.push(*panic.downcast::<String>().unwrap());
            }
        }
        assert_eq!(reports, ["text observer could not write: disk full"]);
    }

    #[test]
    fn without_batches_or_with_flush_each_every_line_is_written_at_once() {
        for observer in [
            |out: &Shared| TextObserver::new(out.clone()).with_flush_each(false),
            |out: &Shared| TextObserver::new(out.clone()).with_thread_batches(1 << 20),
        ] {
            let out = Shared::default();
            let observer = observer(&out);
            log(&observer, "now");
            assert_eq!(out.lines().len(), 1);
        }
    }
}
