//! What the crate's tests share: a small pseudo-random sequence for tests
//! that want many varied inputs, the same every run (no dependency, no
//! seed from the environment), and call sites made by hand.

use logcore::{Callsite, CallsiteId, Interest, Piece};

/// A call site of `format` (as `pieces`) with the fields `names`, whose
/// placeholders show the fields `bare` by themselves (`u8::MAX` for one
/// that is not a plain `{name}`), and whose strings need no escaping; in a
/// static: `site("hi", &[Piece::Literal("hi")], &[], &[])`.
pub(crate) const fn site(
    format: &'static str,
    pieces: &'static [Piece],
    names: &'static [&'static str],
    bare: &'static [u8],
) -> Callsite {
    Callsite {
        format,
        pieces,
        names,
        module_path: "tests",
        file: "tests.rs",
        line: 1,
        calls: false,
        bare,
        escape_free: true,
        id: CallsiteId::new(),
        interest: Interest::new(),
    }
}

/// The xorshift64 sequence from `seed` (which must not be 0).
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sequence_is_the_same_every_time_and_varies() {
        let (mut a, mut b) = (super::xorshift(1), super::xorshift(1));
        let first: Vec<u64> = (0..100).map(|_| a()).collect();
        assert_eq!(first, (0..100).map(|_| b()).collect::<Vec<_>>());
        let mut sorted = first.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
    }
}
