//! Names read from JSON logs, kept once: the field names, `log_flattened`
//! keys, formats and file names of one call site repeat in every record it
//! wrote, so the reader keeps one copy of each for the life of the process
//! and lends it to every event (`Cow::Borrowed`), instead of copying it
//! into each. The copies kept are bounded: at most [`BUDGET`] bytes in
//! all, of names no longer than [`LONGEST`]; past that, names are copied
//! into each event as before.
//!
//! A reader also remembers its last record's names in order
//! ([`LastNames`]): records of one call site name the same things in the
//! same order, so most names are found by one comparison.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Mutex;

use crate::scan::word;

/// How many bytes of names the process keeps, at most.
pub(super) const BUDGET: usize = 1 << 20;
/// The longest name kept (a format is a name here).
pub(super) const LONGEST: usize = 512;

/// Names kept, and their bytes.
#[derive(Debug, Default)]
struct Pool {
    names: Option<HashSet<&'static str>>,
    bytes: usize,
}

/// Every name the process keeps.
static KEPT: Mutex<Pool> = Mutex::new(Pool {
    names: None,
    bytes: 0,
});

/// Each thread's recent names, by hash, so that most lookups take no lock.
const SLOTS: usize = 256;

thread_local! {
    static RECENT: RefCell<[Option<&'static str>; SLOTS]> = const { RefCell::new([None; SLOTS]) };
}

/// A quick hash of a name, eight bytes at a time (it only picks a slot).
fn hash(name: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let bytes = name.as_bytes();
    let mix = |h: u64, eight: &[u8]| (h.rotate_left(26) ^ word(eight)).wrapping_mul(K);
    let mut h = bytes.len() as u64;
    if bytes.len() >= 8 {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            h = mix(h, word);
        }
        // The last eight bytes, overlapping the last whole word.
        h = mix(h, &bytes[bytes.len() - 8..]);
    } else {
        let w = bytes.iter().fold(0u64, |w, &b| w << 8 | u64::from(b));
        h = (h.rotate_left(26) ^ w).wrapping_mul(K);
    }
    h ^ (h >> 32)
}

/// `name` as a kept copy when there is one or room for one, else as its
/// own copy.
///
/// The kept copies are leaked on purpose, which is what lends them to
/// events as `'static`; [`BUDGET`] bounds them.
pub(super) fn name(name: Cow<'_, str>) -> Cow<'static, str> {
    match kept(&name) {
        Some(kept) => Cow::Borrowed(kept),
        None => Cow::Owned(name.into_owned()),
    }
}

fn kept(name: &str) -> Option<&'static str> {
    if name.len() > LONGEST {
        return None;
    }
    let slot = hash(name) as usize % SLOTS;
    let recent = RECENT
        .try_with(|recent| recent.borrow()[slot].filter(|kept| *kept == name))
        .ok()
        .flatten();
    if recent.is_some() {
        return recent;
    }
    let kept = keep(&KEPT, BUDGET, name)?;
    let _ = RECENT.try_with(|recent| recent.borrow_mut()[slot] = Some(kept));
    Some(kept)
}

/// `name`'s copy in `pool`, made now if `budget` leaves room for it.
#[cold]
fn keep(pool: &Mutex<Pool>, budget: usize, name: &str) -> Option<&'static str> {
    let mut pool = pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Pool { names, bytes } = &mut *pool;
    let names = names.get_or_insert_with(HashSet::new);
    if let Some(kept) = names.get(name) {
        return Some(kept);
    }
    if *bytes + name.len() > budget {
        return None;
    }
    *bytes += name.len();
    let kept: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(kept);
    Some(kept)
}

/// The names of a reader's last record, in the order they came, as kept
/// copies: the `n`th name of the next record is compared with the `n`th
/// of the last before it is looked up.
#[derive(Debug, Default)]
pub(super) struct LastNames {
    names: Vec<&'static str>,
    next: usize,
    /// Whether to remember (a one-off parse does not).
    remember: bool,
}

impl LastNames {
    /// The longest run of names remembered.
    const MOST: usize = 64;

    /// For a reader: remembers its records' names.
    pub(super) fn new() -> LastNames {
        LastNames {
            remember: true,
            ..LastNames::default()
        }
    }

    /// For one record: remembers nothing, and allocates nothing.
    pub(super) fn none() -> LastNames {
        LastNames::default()
    }

    /// A new record begins.
    pub(super) fn start(&mut self) {
        self.next = 0;
    }

    /// The record's next name, as [`name`] gives it.
    #[inline]
    pub(super) fn name(&mut self, name: Cow<'_, str>) -> Cow<'static, str> {
        let at = self.next;
        self.next += 1;
        if let Some(&last) = self.names.get(at)
            && last == name
        {
            return Cow::Borrowed(last);
        }
        self.name_changed(at, name)
    }

    #[cold]
    fn name_changed(&mut self, at: usize, new: Cow<'_, str>) -> Cow<'static, str> {
        let new = name(new);
        if let Cow::Borrowed(kept) = new
            && self.remember
        {
            if let Some(slot) = self.names.get_mut(at) {
                *slot = kept;
            } else if at == self.names.len() && at < Self::MOST {
                self.names.push(kept);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_kept_once_and_lent() {
        let a = name(Cow::Owned("names-test-a".to_string()));
        let b = name(Cow::Borrowed("names-test-a"));
        let (Cow::Borrowed(a), Cow::Borrowed(b)) = (a, b) else {
            panic!("not lent");
        };
        assert!(std::ptr::eq(a, b), "one copy");
        // From another thread (its own recent slots), the same copy.
        let c = std::thread::spawn(|| name(Cow::Borrowed("names-test-a")))
            .join()
            .unwrap();
        assert!(matches!(c, Cow::Borrowed(c) if std::ptr::eq(a, c)));
    }

    #[test]
    fn names_that_share_a_slot_are_told_apart() {
        // Enough names that many share one of the slots.
        let names: Vec<String> = (0..2 * SLOTS)
            .map(|i| format!("names-test-slot-{i}"))
            .collect();
        for round in 0..2 {
            for n in &names {
                assert_eq!(name(Cow::Borrowed(n.as_str())), n.as_str(), "round {round}");
            }
        }
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        static POOL: Mutex<Pool> = Mutex::new(Pool {
            names: None,
            bytes: 0,
        });
        let first = keep(&POOL, 10, "abcdef").expect("room");
        assert_eq!(keep(&POOL, 10, "abcdef"), Some(first), "kept already");
        assert_eq!(keep(&POOL, 10, "ghijk"), None, "11 bytes > 10");
        assert_eq!(keep(&POOL, 10, "ghij"), Some("ghij"), "exactly 10");
        assert_eq!(keep(&POOL, 10, "k"), None);
    }

    #[test]
    fn a_reader_finds_its_last_records_names_in_order() {
        let mut last = LastNames::new();
        for record in [
            &["names-test-x", "names-test-y"][..],
            &["names-test-x", "names-test-z"],
            &["names-test-y"],
        ] {
            last.start();
            for n in record {
                let got = last.name(Cow::Borrowed(n));
                assert!(matches!(got, Cow::Borrowed(k) if k == *n), "{n}");
            }
        }
        assert_eq!(last.names, ["names-test-y", "names-test-z"]);
        let mut once = LastNames::none();
        once.start();
        assert_eq!(once.name(Cow::Borrowed("names-test-x")), "names-test-x");
        assert!(once.names.is_empty(), "remembers nothing");
    }

    #[test]
    fn long_names_are_copied_not_kept() {
        let long = "x".repeat(LONGEST + 1);
        assert!(matches!(name(Cow::Borrowed(long.as_str())), Cow::Owned(s) if s == long));
        let longest = "y".repeat(LONGEST);
        assert!(matches!(
            name(Cow::Borrowed(longest.as_str())),
            Cow::Borrowed(_)
        ));
    }
}
