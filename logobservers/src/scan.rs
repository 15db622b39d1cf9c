//! Looking for bytes fast: the file observers ask of every string they
//! write whether it holds anything to escape, and the reader whether a
//! record holds a non-finite float.

/// Whether any byte of `bytes` passes `test`. It looks at 16 bytes at a
/// time without an early exit inside a block, which the compiler turns
/// into vector compares; the last, shorter block is padded with spaces, so
/// `test(b' ')` must be false.
#[inline]
pub(crate) fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    debug_assert!(!test(b' '), "the padding must not pass");
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | test(b)) {
            return true;
        }
    }
    let rest = blocks.remainder();
    let mut last = [b' '; 16];
    last[..rest.len()].copy_from_slice(rest);
    last.iter().fold(false, |any, &b| any | test(b))
}

/// Checks an escaping function on text of `filler` with one of `cases`'
/// characters at every position (in a 16-byte block or in the rest, first,
/// last or between): that character becomes its escape, the rest is
/// copied as it is.
#[cfg(test)]
pub(crate) fn assert_escapes_everywhere(
    filler: &str,
    cases: &[(char, &str)],
    escape: impl Fn(&str, &mut String),
) {
    for len in [1, 15, 16, 17, 31, 33, 40] {
        for at in 0..len {
            for (c, escaped) in cases {
                let (before, after) = (filler.repeat(at), filler.repeat(len - at - 1));
                let mut out = String::new();
                escape(&format!("{before}{c}{after}"), &mut out);
                let want = format!("{before}{escaped}{after}");
                assert_eq!(out, want, "{c:?} at {at} of {len}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::any_byte;

    #[test]
    fn a_byte_is_found_wherever_it_stands() {
        for len in [0, 1, 15, 16, 17, 40] {
            let clean = vec![b'a'; len];
            assert!(!any_byte(&clean, |b| b == b'x'), "len {len}");
            for at in 0..len {
                let mut bytes = clean.clone();
                bytes[at] = b'x';
                assert!(any_byte(&bytes, |b| b == b'x'), "x at {at} of {len}");
            }
        }
    }
}
