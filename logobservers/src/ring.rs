//! A bounded queue of records from one thread to one other, without locks
//! and without `unsafe`: a record is a length word and that many words,
//! stored in an array of `AtomicU64` and published by a release store of the
//! write position. The writer writes a record in place: [`RingWriter::reserve`]
//! says where, [`RingWriter::commit`] publishes it. A record never wraps
//! around the array's end: where too few words are left before it, a
//! [`SKIP`] length word says the next record is at the array's start.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A length word that stands for the rest of the array, unused.
const SKIP: u64 = u64::MAX;

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
    /// Words free for the record being written (from the last reserve,
    /// until its commit).
    room: Option<usize>,
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
            room: None,
        },
        RingReader {
            shared,
            read: 0,
            written: 0,
        },
    )
}

/// The longest record (in words) that [`RingWriter::reserve`] can be asked
/// room for in a ring made by `ring(bytes)`: an eighth of it, so that a
/// ring refuses records only when it is at least seven eighths full.
pub(crate) fn max_record(bytes: usize) -> usize {
    words(bytes) / 8
}

/// The ring's length in words.
fn words(bytes: usize) -> usize {
    bytes.div_ceil(8).max(4).next_power_of_two()
}

impl Shared {
    /// The `len` words from position `at`.
    fn read(&self, at: usize, len: usize) -> impl Iterator<Item = u64> + '_ {
        (at..at + len).map(|i| self.words[i & self.mask].load(Ordering::Relaxed))
    }
}

impl RingWriter {
    /// Makes sure there is room for a record of `min_room` words in one run
    /// (looking at the reader's position only when the last one seen says
    /// there is not), skipping to the array's start if too few words are
    /// left before its end. Returns where the record goes and how many
    /// words are free there: write them at positions `start..start + len`,
    /// taken modulo the length of [`RingWriter::words`] (a power of two;
    /// they do not wrap), then [`RingWriter::commit`]. `None` if the ring
    /// has not that much room.
    #[inline]
    pub(crate) fn reserve(&mut self, min_room: usize) -> Option<(usize, usize)> {
        let s = &*self.shared;
        let len = s.words.len();
        // the length word's index, and the words before the array's end
        let at = self.written & s.mask;
        let skip = if len - at > min_room { 0 } else { len - at };
        // free words, this record's length word (and any skipped) among them
        let mut free = len - (self.written - self.read);
        if free <= skip + min_room {
            self.read = s.read.0.load(Ordering::Acquire);
            free = len - (self.written - self.read);
            if free <= skip + min_room {
                self.room = None;
                return None;
            }
        }
        if skip > 0 {
            s.words[at].store(SKIP, Ordering::Relaxed);
            self.written += skip;
            free -= skip;
            s.written.0.store(self.written, Ordering::Release);
        }
        let room = (free - 1).min(len - (self.written & s.mask) - 1);
        self.room = Some(room);
        Some((self.written + 1, room))
    }

    /// The ring's words, for writing a reserved record in place.
    #[inline]
    pub(crate) fn words(&self) -> &[AtomicU64] {
        &self.shared.words
    }

    /// The first `len` words written after the last
    /// [`RingWriter::reserve`], not published (at most the room it gave).
    pub(crate) fn reserved(&self, len: usize) -> Vec<u64> {
        let len = len.min(self.room.unwrap_or(0));
        self.shared.read(self.written + 1, len).collect()
    }

    /// Publishes the record of `len` words written after the last
    /// [`RingWriter::reserve`]; `false` (publishing nothing) if `len` is
    /// more than the room it gave, or that room was committed already.
    #[inline]
    pub(crate) fn commit(&mut self, len: usize) -> bool {
        if self.room.take().is_none_or(|room| len > room) {
            return false;
        }
        let s = &*self.shared;
        s.words[self.written & s.mask].store(len as u64, Ordering::Relaxed);
        self.written += 1 + len;
        s.written.0.store(self.written, Ordering::Release);
        true
    }

    /// Appends `record`; `false` if there is no room for it now.
    pub(crate) fn push(&mut self, record: &[u64]) -> bool {
        let Some((start, _)) = self.reserve(record.len()) else {
            return false;
        };
        let s = &*self.shared;
        for (i, &word) in record.iter().enumerate() {
            s.words[(start + i) & s.mask].store(word, Ordering::Relaxed);
        }
        self.commit(record.len())
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
    pub(crate) fn pop(&mut self, out: &mut Vec<u64>) -> bool {
        let s = &*self.shared;
        if self.read == self.written {
            self.written = s.written.0.load(Ordering::Acquire);
            if self.read == self.written {
                return false;
            }
        }
        let mut at = self.read;
        let mut word = s.words[at & s.mask].load(Ordering::Relaxed);
        if word == SKIP {
            // the next record is at the array's start (published with it)
            at += s.words.len() - (at & s.mask);
            self.read = at;
            s.read.0.store(at, Ordering::Release);
            if at == self.written {
                return false;
            }
            word = s.words[at & s.mask].load(Ordering::Relaxed);
        }
        // never past what was published, whatever the length word says
        let len = (word as usize).min(self.written - at - 1);
        at += 1;
        out.clear();
        out.extend(s.read(at, len));
        self.read = at + len;
        s.read.0.store(self.read, Ordering::Release);
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
        let (mut w, mut r) = ring(64 * 8);
        let mut out = Vec::new();
        for round in 0..200u64 {
            let record: Vec<u64> = (0..round % 17).map(|i| i * 1000 + round).collect();
            assert!(w.push(&record), "round {round}");
            assert!(r.pop(&mut out));
            assert_eq!(out, record, "round {round}");
            assert!(!r.pop(&mut out));
        }
    }

    #[test]
    fn a_record_that_would_wrap_goes_to_the_start_past_a_skip() {
        let (mut w, mut r) = ring(128); // 16 words
        let mut out = Vec::new();
        for n in 0..3 {
            assert!(w.push(&[n; 3])); // 4 words each: 12
            assert!(r.pop(&mut out));
        }
        // 6 words from 12 would wrap: 12..16 skipped, written at 0 (the
        // skipped words are free again once the reader passes them)
        assert_eq!(w.reserve(5), Some((17, 11)));
        assert!(w.commit(5));
        assert!(r.pop(&mut out));
        assert_eq!(out.len(), 5);
        assert!(!r.pop(&mut out) && r.is_empty());
        // unread: 6..15; a record at 15 would wrap: skipped, then 0..6 is
        // free (read), 6.. is not
        assert!(w.push(&[7; 8]));
        assert_eq!(w.reserve(2), Some((33, 5)));
        for i in 0..4 {
            w.words()[(33 + i) & 15].store(9, Ordering::Relaxed);
        }
        assert!(w.commit(4));
        assert_eq!(w.reserve(2), None, "full until read");
        for want in [&[7u64; 8][..], &[9; 4]] {
            assert!(r.pop(&mut out));
            assert_eq!(out, want);
        }
        assert!(!r.pop(&mut out) && r.is_empty());
    }

    #[test]
    fn a_full_ring_refuses_until_read() {
        let (mut w, mut r) = ring(64); // 8 words
        assert_eq!(max_record(64), 1);
        assert!(w.push(&[1; 2])); // 3 words
        assert!(w.push(&[2; 2])); // 6
        assert!(!w.push(&[3; 2]), "9 words do not fit in 8");
        assert!(w.push(&[4; 1])); // 8
        assert_eq!(w.reserve(0), None, "no room even for a length word");
        let mut out = Vec::new();
        assert!(r.pop(&mut out) && out == [1; 2]);
        assert!(w.push(&[5; 2]));
        for want in [&[2u64; 2][..], &[4; 1], &[5; 2]] {
            assert!(r.pop(&mut out));
            assert_eq!(out, want);
        }
        assert!(r.is_empty());
    }

    #[test]
    fn a_record_is_written_in_place_and_published_only_on_commit() {
        let (mut w, mut r) = ring(64); // 8 words
        let mut out = Vec::new();
        for round in 0..10u64 {
            let (start, room) = w.reserve(2).unwrap();
            // the reader's position is looked at only when needed
            assert!(room >= 3, "room {room}");
            if round == 0 {
                assert_eq!(room, 7, "everything but the length word");
            }
            let mask = w.words().len() - 1;
            for i in 0..3 {
                w.words()[(start + i) & mask].store(round + i as u64, Ordering::Relaxed);
            }
            assert!(!r.pop(&mut out), "nothing is published before commit");
            assert_eq!(w.reserved(3), [round, round + 1, round + 2]);
            assert!(!w.commit(room + 1), "more than the room reserved");
            assert!(!w.commit(3), "a refused commit ends the reservation");
            assert_eq!(w.reserve(2), Some((start, room)));
            assert!(w.commit(3));
            assert!(!w.commit(0), "one commit per reserve");
            assert!(r.pop(&mut out));
            assert_eq!(out, [round, round + 1, round + 2]);
        }
    }

    #[test]
    fn half_full_is_seen_and_cleared_by_reading() {
        let (mut w, mut r) = ring(128); // 16 words
        assert!(!w.more_than_half_full());
        assert!(w.push(&[1; 7])); // 8 words: half, not more
        assert!(!w.more_than_half_full());
        assert!(w.push(&[2; 1])); // 10
        assert!(w.more_than_half_full());
        let mut out = Vec::new();
        assert!(r.pop(&mut out));
        assert!(!w.more_than_half_full(), "2 words left");
    }

    #[test]
    fn a_writer_thread_and_a_reader_thread_agree_on_every_record() {
        const N: u64 = 200_000;
        let (mut w, mut r) = ring(256);
        let record = |n: u64| (0..n % 5).map(move |i| n + i).collect::<Vec<u64>>();
        let writer = std::thread::spawn(move || {
            for n in 0..N {
                while !w.push(&record(n)) {
                    std::hint::spin_loop();
                }
            }
        });
        let mut out = Vec::new();
        let mut n = 0;
        while n < N {
            if r.pop(&mut out) {
                assert_eq!(out, record(n), "record {n}");
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
