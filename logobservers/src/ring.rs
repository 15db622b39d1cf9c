//! A bounded queue of byte records from one thread to one other, without
//! locks and without `unsafe`: the records are stored as words in an array
//! of `AtomicU64`, published by a release store of the write position.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A position on a cache line of its own, so that the writer's and the
/// reader's positions do not share one.
#[repr(align(128))]
struct Position(AtomicUsize);

struct Shared {
    words: Box<[AtomicU64]>,
    /// `words.len() - 1` (the length is a power of two).
    mask: usize,
    /// Words read so far (only grows).
    read: Position,
    /// Words written and published so far (only grows).
    written: Position,
}

/// The writing end.
pub(crate) struct RingWriter {
    shared: Arc<Shared>,
    written: usize,
    /// The reader's position when last looked at.
    read: usize,
}

/// The reading end.
pub(crate) struct RingReader {
    shared: Arc<Shared>,
    read: usize,
    /// The writer's position when last looked at.
    written: usize,
}

/// A ring of at least `bytes` bytes (rounded up to a power of two words).
/// Every word is written once here, so that no page is first touched
/// while logging.
pub(crate) fn ring(bytes: usize) -> (RingWriter, RingReader) {
    let len = words(bytes);
    let words: Box<[AtomicU64]> = (0..len).map(|_| AtomicU64::new(0)).collect();
    // The allocation may come zeroed and untouched: store to every page
    // (atomic stores are not optimised away).
    for word in words.iter().step_by(512) {
        word.store(0, Ordering::Relaxed);
    }
    let shared = Arc::new(Shared {
        words,
        mask: len - 1,
        read: Position(AtomicUsize::new(0)),
        written: Position(AtomicUsize::new(0)),
    });
    (
        RingWriter {
            shared: shared.clone(),
            written: 0,
            read: 0,
        },
        RingReader {
            shared,
            read: 0,
            written: 0,
        },
    )
}

/// The longest record a ring made by `ring(bytes)` takes.
pub(crate) fn max_record(bytes: usize) -> usize {
    (words(bytes) - 1) * 8
}

/// The ring's length in words.
fn words(bytes: usize) -> usize {
    bytes.div_ceil(8).max(2).next_power_of_two()
}

/// Words a record of `len` bytes takes: its length, then its bytes.
fn words_for(len: usize) -> usize {
    1 + len.div_ceil(8)
}

impl RingWriter {
    /// Appends `record`; `false` if there is no room for it now (or ever:
    /// see [`max_record`]).
    #[inline]
    pub(crate) fn push(&mut self, record: &[u8]) -> bool {
        let s = &*self.shared;
        let need = words_for(record.len());
        if self.written + need - self.read > s.words.len() {
            self.read = s.read.0.load(Ordering::Acquire);
            if self.written + need - self.read > s.words.len() {
                return false;
            }
        }
        let mut at = self.written;
        s.words[at & s.mask].store(record.len() as u64, Ordering::Relaxed);
        at += 1;
        let mut chunks = record.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            s.words[at & s.mask].store(word, Ordering::Relaxed);
            at += 1;
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0; 8];
            last[..rest.len()].copy_from_slice(rest);
            s.words[at & s.mask].store(u64::from_le_bytes(last), Ordering::Relaxed);
            at += 1;
        }
        self.written = at;
        s.written.0.store(at, Ordering::Release);
        true
    }

    /// Whether the reading end is gone.
    pub(crate) fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) == 1
    }

    /// Whether more than half the ring waits to be read. Looks at the
    /// reader's position only when the last one seen says so.
    #[inline]
    pub(crate) fn more_than_half_full(&mut self) -> bool {
        let half = self.shared.words.len() / 2;
        if self.written - self.read <= half {
            return false;
        }
        self.read = self.shared.read.0.load(Ordering::Acquire);
        self.written - self.read > half
    }
}

impl RingReader {
    /// Takes the next record into `out` (cleared first); `false` if there
    /// is none.
    pub(crate) fn pop(&mut self, out: &mut Vec<u8>) -> bool {
        let s = &*self.shared;
        if self.read == self.written {
            self.written = s.written.0.load(Ordering::Acquire);
            if self.read == self.written {
                return false;
            }
        }
        let mut at = self.read;
        let len = s.words[at & s.mask].load(Ordering::Relaxed) as usize;
        at += 1;
        out.clear();
        for _ in 0..len.div_ceil(8) {
            let word = s.words[at & s.mask].load(Ordering::Relaxed);
            out.extend_from_slice(&word.to_le_bytes());
            at += 1;
        }
        out.truncate(len);
        self.read = at;
        s.read.0.store(at, Ordering::Release);
        true
    }

    /// Whether the writing end is gone (what it wrote may still be here).
    pub(crate) fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) == 1
    }

    /// Whether nothing is waiting to be read.
    pub(crate) fn is_empty(&self) -> bool {
        self.read == self.shared.written.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_of_every_length_come_back_whole_across_the_wrap() {
        let (mut w, mut r) = ring(64);
        let mut out = Vec::new();
        for round in 0..200usize {
            let record: Vec<u8> = (0..round % 41).map(|i| (i + round) as u8).collect();
            assert!(w.push(&record), "round {round}");
            assert!(r.pop(&mut out));
            assert_eq!(out, record, "round {round}");
            assert!(!r.pop(&mut out));
        }
    }

    #[test]
    fn a_full_ring_refuses_until_read() {
        let (mut w, mut r) = ring(64); // 8 words
        assert!(w.push(&[1; 16])); // 3 words
        assert!(w.push(&[2; 16])); // 6
        assert!(!w.push(&[3; 16]), "9 words do not fit in 8");
        assert!(w.push(&[4; 8])); // 8
        assert_eq!(max_record(64), 56);
        let mut out = Vec::new();
        assert!(r.pop(&mut out) && out == [1; 16]);
        assert!(w.push(&[5; 1]));
        for want in [&[2u8; 16][..], &[4; 8], &[5; 1]] {
            assert!(r.pop(&mut out));
            assert_eq!(out, want);
        }
        assert!(r.is_empty());
    }

    #[test]
    fn half_full_is_seen_and_cleared_by_reading() {
        let (mut w, mut r) = ring(128); // 16 words
        assert!(!w.more_than_half_full());
        assert!(w.push(&[1; 56])); // 8 words: half, not more
        assert!(!w.more_than_half_full());
        assert!(w.push(&[2; 8])); // 10
        assert!(w.more_than_half_full());
        let mut out = Vec::new();
        assert!(r.pop(&mut out));
        assert!(!w.more_than_half_full(), "2 words left");
    }

    #[test]
    fn a_writer_thread_and_a_reader_thread_agree_on_every_record() {
        const N: u64 = 200_000;
        let (mut w, mut r) = ring(256);
        let writer = std::thread::spawn(move || {
            for n in 0..N {
                let record = n.to_le_bytes();
                let record = &record[..(n % 9) as usize];
                while !w.push(record) {
                    std::hint::spin_loop();
                }
            }
        });
        let mut out = Vec::new();
        let mut n = 0;
        while n < N {
            if r.pop(&mut out) {
                assert_eq!(out, n.to_le_bytes()[..(n % 9) as usize], "record {n}");
                n += 1;
            } else {
                assert!(
                    !(r.is_abandoned() && r.is_empty()),
                    "lost records after {n}"
                );
                std::hint::spin_loop();
            }
        }
        writer.join().unwrap();
        assert!(r.is_abandoned() && r.is_empty());
    }
}
