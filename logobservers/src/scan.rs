//! Looking for bytes fast: the file observers ask of every string they
//! write whether it holds anything to escape, and the JSON reader where
//! each string it reads ends.

/// Whether any byte of `bytes` passes `test`. It looks at 16 bytes at a
/// time without an early exit inside a block, which the compiler turns
/// into vector compares. The bytes after the last whole block are looked
/// at as the last 16 bytes (some looked at already); in fewer than 16
/// bytes, padded with spaces, so `test(b' ')` must be false.
#[inline]
pub(crate) fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    debug_assert!(!test(b' '), "the padding must not pass");
    let block_has = |block: &[u8; 16]| block.iter().fold(false, |any, &b| any | test(b));
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block_has(block.try_into().expect("16 bytes")) {
            return true;
        }
    }
    if blocks.remainder().is_empty() {
        return false;
    }
    match bytes.last_chunk::<16>() {
        // (no copy: a copy of a length known only now is a `memcpy` call)
        Some(last) => block_has(last),
        None => {
            let mut last = [b' '; 16];
            last[..bytes.len()].copy_from_slice(bytes);
            block_has(&last)
        }
    }
}

/// Whether a byte ends the plain run of a JSON string: its closing
/// quote, an escape, or a control character (which JSON strings may not
/// hold).
#[inline]
pub(crate) fn ends_json_run(b: u8) -> bool {
    (b == b'"') | (b == b'\\') | (b < 0x20)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` below `n` (`n` at most 0x80), exact
/// up to the first such byte (a borrow leaves only a byte that is itself
/// below `n`, so the bits above the lowest may be wrong).
#[inline]
fn bytes_below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(ONES * u64::from(n)) & !v & HIGHS
}

/// The high bit of each byte of `v` equal to `b`, as [`bytes_below`].
#[inline]
fn bytes_equal(v: u64, b: u8) -> u64 {
    bytes_below(v ^ (ONES * u64::from(b)), 1)
}

/// Eight bytes as one integer, the first lowest.
#[inline]
pub(crate) fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("eight bytes"))
}

/// The index of the first byte that passes a test, eight bytes at a time:
/// `hits` marks the passing bytes of a word (the high bit of each, exact
/// up to the first), `test` is the same test on one byte, for the bytes
/// after the last whole word.
#[inline(always)]
fn first_in_words(
    bytes: &[u8],
    hits: impl Fn(u64) -> u64,
    test: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let hits = hits(word(w));
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter().position(|&b| test(b)).map(|i| at + i)
}

/// [`ends_json_run`] on each byte of a word.
#[inline]
fn json_run_hits(x: u64) -> u64 {
    bytes_equal(x, b'"') | bytes_equal(x, b'\\') | bytes_below(x, 0x20)
}

/// Where the plain run of a JSON string that starts `bytes` ends (see
/// [`ends_json_run`]). Eight bytes at a time, as one integer each: a
/// string's closing quote mostly lies in the first word or two, and
/// callers pass everything after the string's start (not just the string)
/// so that whole words cover it.
#[inline]
pub(crate) fn json_run_end(bytes: &[u8]) -> Option<usize> {
    first_in_words(bytes, json_run_hits, ends_json_run)
}

/// Whether a byte must be escaped in a JSON string the observers write:
/// what ends a plain run when reading, and DEL (so that records stay
/// printable).
#[inline(always)]
pub(crate) fn json_special(b: u8) -> bool {
    ends_json_run(b) | (b == 0x7f)
}

/// Whether any byte of `bytes` is [`json_special`]: under eight bytes in
/// one word (see [`short_word`]); under sixteen in two words that may
/// overlap; longer ones sixteen at a time ([`any_byte`], which the
/// compiler vectorizes). No copy, no loop over single bytes.
#[inline]
pub(crate) fn any_json_special(bytes: &[u8]) -> bool {
    // Exact as an "any": a wrong bit only ever follows a right one.
    let special = |w: u64| json_run_hits(w) | bytes_equal(w, 0x7f) != 0;
    let n = bytes.len();
    match n {
        0..8 => special(short_word(bytes)),
        8..16 => special(word(&bytes[..8])) || special(word(&bytes[n - 8..])),
        _ => any_byte(bytes, json_special),
    }
}

/// Four bytes from `at` as one integer, the first lowest.
#[inline]
fn word4(bytes: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes([
        bytes[at],
        bytes[at + 1],
        bytes[at + 2],
        bytes[at + 3],
    ]))
}

/// Fewer than eight bytes as one integer, the first lowest, the rest of
/// the word filled with `a` (which nothing looks for): in at most three
/// loads, with no loop (a key or a number is mostly that short).
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    debug_assert!(n < 8);
    let fill = (ONES * u64::from(b'a'))
        .checked_shl(8 * n as u32)
        .unwrap_or(0);
    let known = match n {
        0 => 0,
        // two loads of four that overlap (the same bytes, or-ed)
        4.. => word4(bytes, 0) | word4(bytes, n - 4) << (8 * (n - 4)),
        // first, middle and last byte (some the same)
        _ => {
            let byte = |at: usize| u64::from(bytes[at]) << (8 * at);
            byte(0) | byte(n / 2) | byte(n - 1)
        }
    };
    known | fill
}

/// Whether `bytes` starts with `prefix`: for a prefix of up to sixteen
/// bytes (what a reader compares most), in two loads from each that may
/// overlap, with no call.
#[inline]
pub(crate) fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    let n = prefix.len();
    let Some(head) = bytes.get(..n) else {
        return false;
    };
    let w8 = |s: &[u8], i: usize| word(&s[i..i + 8]);
    match n {
        8..=16 => w8(head, 0) == w8(prefix, 0) && w8(head, n - 8) == w8(prefix, n - 8),
        4..=7 => word4(head, 0) == word4(prefix, 0) && word4(head, n - 4) == word4(prefix, n - 4),
        _ => head == prefix,
    }
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
    use super::{
        any_byte, any_json_special, ends_json_run, json_run_end, json_special, starts_with,
    };

    /// What the macros call escape-free (and let the JSON writer copy as it
    /// is) holds no byte the writer would escape.
    #[test]
    fn escape_free_strings_hold_no_byte_to_escape() {
        for c in (0..=0x7f)
            .map(char::from)
            .chain(['é', '\u{2028}', '\u{1F600}'])
        {
            let text = c.to_string();
            let special = text.bytes().any(json_special);
            assert_eq!(logformat::escape_free(&text), !special, "{c:?}");
        }
    }

    #[test]
    fn a_prefix_is_found_only_where_every_byte_matches() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=text.len() {
            let prefix = &text[..n];
            assert!(starts_with(&text, prefix), "{n}");
            assert!(
                !starts_with(&text[..n.saturating_sub(1)], prefix) || n == 0,
                "short, {n}"
            );
            for at in 0..n {
                let mut other = prefix.to_vec();
                other[at] ^= 0x20;
                assert!(!starts_with(&text, &other), "byte {at} of {n}");
            }
        }
    }

    #[test]
    fn a_byte_is_found_wherever_it_stands() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 40] {
            let clean = vec![b'a'; len];
            assert!(!any_byte(&clean, |b| b == b'x'), "len {len}");
            for at in 0..len {
                let mut bytes = clean.clone();
                bytes[at] = b'x';
                assert!(any_byte(&bytes, |b| b == b'x'), "x at {at} of {len}");
            }
        }
    }

    #[test]
    fn a_json_string_run_ends_at_its_first_special_byte() {
        // Every byte value at every place in a word or the rest, before
        // another special byte and after bytes just off the special ones.
        let plain = [b'!', b'#', b'[', b']', b' ', 0x7f, 0x80, 0xff, b'a'];
        for len in [1, 7, 8, 9, 16, 17, 23] {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes: Vec<u8> = (0..len).map(|i| plain[i % plain.len()]).collect();
                    bytes[at] = b;
                    let want = if ends_json_run(b) { Some(at) } else { None };
                    assert_eq!(json_run_end(&bytes), want, "{b:#x} at {at} of {len}");
                    // A second special byte after it changes nothing.
                    bytes.push(b'"');
                    assert_eq!(json_run_end(&bytes), want.or(Some(len)), "{b:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn a_json_special_byte_is_found_wherever_it_stands() {
        // Every byte value at every place of clean text (bytes just off
        // the special ones), in strings shorter than a word and longer.
        let clean = [b'!', b'#', b'[', b']', b' ', 0x7e, 0x80, 0xff, b'a', 0x21];
        for len in (0..=9).chain([15, 16, 17, 24]) {
            let text: Vec<u8> = (0..len).map(|i| clean[i % clean.len()]).collect();
            assert!(!any_json_special(&text), "clean, {len}");
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = text.clone();
                    bytes[at] = b;
                    assert_eq!(
                        any_json_special(&bytes),
                        json_special(b),
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
    }
}
