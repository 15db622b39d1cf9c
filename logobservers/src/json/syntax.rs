//! JSON text, read by hand: strings borrowed from the record where they
//! hold no escape, numbers as integers where they are integers, and the
//! tokens Python's `json` writes for non-finite floats (`NaN`,
//! `Infinity`, `-Infinity`). [`super::parse`] walks a record's keys with it
//! and builds the event as it goes, with no JSON tree in between.
//!
//! Where the JSON standard leaves room, it reads what Python's `json`
//! reads, since that is what wrote twisted's files: `-0` is the integer 0,
//! a float too large for `f64` is infinite, and an unpaired surrogate
//! escape (`\ud800` alone, which Python writes for such strings) becomes
//! U+FFFD instead of failing the record. Integers beyond `u64` / `i64`
//! become floats. Nesting deeper than [`MAX_DEPTH`] is refused.

use std::borrow::Cow;

use logcore::OwnedValue;

use super::{FAILURE_UUID, LEVEL_UUID};
use crate::scan::{json_run_end, starts_with};

/// How deep arrays and objects may nest (serde_json's limit too).
pub(super) const MAX_DEPTH: u32 = 128;

/// Why a record could not be read, and at which byte.
#[derive(Debug)]
pub(super) struct Error {
    at: usize,
    what: Cow<'static, str>,
    /// Not JSON at all (as against JSON that is not a record).
    syntax: bool,
}

pub(super) type Result<T> = std::result::Result<T, Error>;

/// A cursor over one JSON text.
#[derive(Debug)]
pub(super) struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            pos: 0,
            depth: 0,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after any whitespace, without taking it.
    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        // Whitespace is at most b' ': most tokens follow the last at once.
        if let Some(&b) = bytes.get(self.pos)
            && b > b' '
        {
            return Some(b);
        }
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// A syntax error at the current byte.
    #[cold]
    #[inline(never)]
    fn syntax(&self, what: &'static str) -> Error {
        Error {
            at: self.pos,
            what: what.into(),
            syntax: true,
        }
    }

    /// The text ended inside `what`.
    #[cold]
    #[inline(never)]
    fn eof(&self, what: &'static str) -> Error {
        Error {
            at: self.pos,
            what: format!("EOF while parsing {what}").into(),
            syntax: true,
        }
    }

    /// JSON that is not what the record needs here, at the current byte.
    pub(super) fn data(&self, what: impl Into<Cow<'static, str>>) -> Error {
        Self::data_at(self.pos, what)
    }

    /// JSON that is not what the record needs, at a [`Self::mark`].
    #[cold]
    #[inline(never)]
    pub(super) fn data_at(mark: usize, what: impl Into<Cow<'static, str>>) -> Error {
        Error {
            at: mark,
            what: what.into(),
            syntax: false,
        }
    }

    /// An object (at `mark`) whose `__class_uuid__` is neither a level's nor
    /// a failure's: twisted aborts the whole file on one; the reader skips
    /// the record.
    pub(super) fn unknown_class(mark: usize, uuid: &str) -> Error {
        Self::data_at(mark, format!("unknown __class_uuid__ `{uuid}`"))
    }

    /// "invalid type: …, expected `expected`", naming the next value's kind.
    pub(super) fn invalid_type(&mut self, expected: &str) -> Error {
        let kind = self.kind();
        self.data(format!("invalid type: {kind}, expected {expected}"))
    }

    /// What kind of value comes next, for error messages.
    pub(super) fn kind(&mut self) -> &'static str {
        match self.peek() {
            Some(b'"') => "a string",
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            Some(b'-' | b'0'..=b'9' | b'N' | b'I') => "a number",
            Some(_) => "not a JSON value",
            None => "the end of the record",
        }
    }

    /// The error as a line of text: where it is (line and column, from 1)
    /// and, for text that is not JSON at all, a `bad JSON:` prefix.
    pub(super) fn describe(&self, error: &Error) -> String {
        let before = &self.bytes()[..error.at.min(self.text.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        let prefix = if error.syntax { "bad JSON: " } else { "" };
        format!("{prefix}{} at line {line} column {column}", error.what)
    }

    /// Only whitespace may follow the value.
    pub(super) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax("trailing characters")),
        }
    }

    fn nest(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.syntax("recursion limit exceeded"));
        }
        Ok(())
    }

    /// An object, which must come next: `entry` is called with each key,
    /// and must take its value.
    pub(super) fn object(
        &mut self,
        mut entry: impl FnMut(&mut Self, Cow<'a, str>) -> Result<()>,
    ) -> Result<()> {
        debug_assert_eq!(self.peek(), Some(b'{'));
        self.sequence(b'}', "an object", "expected `,` or `}`", |p| {
            match p.peek() {
                Some(b'"') => {}
                Some(b'}') => return Err(p.syntax("trailing comma")),
                Some(_) => return Err(p.syntax("key must be a string")),
                None => return Err(p.eof("an object")),
            }
            let key = p.string()?;
            match p.peek() {
                Some(b':') => p.pos += 1,
                Some(_) => return Err(p.syntax("expected `:`")),
                None => return Err(p.eof("an object")),
            }
            entry(p, key)
        })
    }

    /// An array, which must come next: `item` is called for each element,
    /// and must take it.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        debug_assert_eq!(self.peek(), Some(b'['));
        self.sequence(b']', "a list", "expected `,` or `]`", |p| match p.peek() {
            Some(b']') => Err(p.syntax("trailing comma")),
            Some(_) => item(p),
            None => Err(p.eof("a list")),
        })
    }

    /// The elements of an object or array, from its opening byte to
    /// `close`: `element` takes each one (and reports a trailing comma or
    /// the end of the text where it should begin); `what` and `expected`
    /// name the sequence in errors.
    #[inline(always)]
    fn sequence(
        &mut self,
        close: u8,
        what: &'static str,
        expected: &'static str,
        mut element: impl FnMut(&mut Self) -> Result<()>,
    ) -> Result<()> {
        self.nest()?;
        self.pos += 1;
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b) if b == close => break,
                Some(_) => return Err(self.syntax(expected)),
                None => return Err(self.eof(what)),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// A string, which must come next: borrowed from the text unless it
    /// holds an escape.
    #[inline]
    pub(super) fn string(&mut self) -> Result<Cow<'a, str>> {
        debug_assert_eq!(self.peek(), Some(b'"'));
        let start = self.pos + 1;
        self.pos = start;
        if let Some(run) = self.plain_run() {
            self.pos += 1;
            return Ok(Cow::Borrowed(run));
        }
        self.escaped_or_broken(start)
    }

    /// The rest of [`Self::string`]: a string with an escape, or an error.
    #[inline(never)]
    fn escaped_or_broken(&mut self, start: usize) -> Result<Cow<'a, str>> {
        let end = self.run_end(start)?;
        self.escaped_string(start, end).map(Cow::Owned)
    }

    /// Takes `literal` if the text goes on with exactly it (no whitespace
    /// skipped).
    #[inline]
    pub(super) fn eat(&mut self, literal: &[u8]) -> bool {
        let found = starts_with(&self.bytes()[self.pos..], literal);
        if found {
            self.pos += literal.len();
        }
        found
    }

    /// Takes a run of string content up to (not including) a quote, if
    /// the run holds no escape or control character.
    #[inline]
    pub(super) fn plain_run(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let end = start + json_run_end(&self.bytes()[start..])?;
        if self.bytes()[end] != b'"' {
            return None;
        }
        self.pos = end;
        // Both ends are ASCII bytes, so char boundaries.
        Some(&self.text[start..end])
    }

    /// Where the cursor is, to come back to with [`Self::rewind`].
    pub(super) fn mark(&self) -> usize {
        self.pos
    }

    /// How deeply nested the next value is.
    pub(super) fn depth(&self) -> u32 {
        self.depth
    }

    /// Continues as if `depth` deep (see [`super::shape`]).
    pub(super) fn set_depth(&mut self, depth: u32) {
        self.depth = depth;
    }

    /// What is left of the text.
    pub(super) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// Back to a [`Self::mark`].
    pub(super) fn rewind(&mut self, mark: usize) {
        self.pos = mark;
    }

    /// Where the plain run of a string that starts at `from` ends: at its
    /// closing quote, an escape or a control character.
    #[inline]
    fn run_end(&mut self, from: usize) -> Result<usize> {
        match json_run_end(&self.bytes()[from..]) {
            Some(i) => Ok(from + i),
            None => {
                self.pos = self.text.len();
                Err(self.eof("a string"))
            }
        }
    }

    /// The rest of a string from its first escape or control character
    /// (at `end`; its plain start runs from `start`).
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut end: usize) -> Result<String> {
        let mut out = String::with_capacity(end - start + 16);
        out.push_str(&self.text[start..end]);
        loop {
            self.pos = end;
            match self.bytes()[end] {
                b'"' => {
                    self.pos = end + 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos = end + 1;
                    self.escape(&mut out)?;
                }
                _ => {
                    return Err(self.syntax(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
            }
            let from = self.pos;
            end = self.run_end(from)?;
            out.push_str(&self.text[from..end]);
        }
    }

    /// The escape after a backslash, onto `out`.
    fn escape(&mut self, out: &mut String) -> Result<()> {
        let Some(&b) = self.bytes().get(self.pos) else {
            return Err(self.eof("a string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        let rest = &self.bytes()[self.pos..];
                        let low = if rest.starts_with(b"\\u") {
                            self.pos += 2;
                            let saved = self.pos;
                            match self.hex4()? {
                                low @ 0xDC00..=0xDFFF => Some(low),
                                _ => {
                                    // Not a pair: this escape stands alone,
                                    // and the next one is read on its own.
                                    self.pos = saved - 2;
                                    None
                                }
                            }
                        } else {
                            None
                        };
                        match low {
                            Some(low) => {
                                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)
                            }
                            None => char::REPLACEMENT_CHARACTER,
                        }
                    }
                    unit => char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER),
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.syntax("invalid escape"));
            }
        };
        out.push(c);
        Ok(())
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            let Some(&b) = self.bytes().get(self.pos) else {
                return Err(self.eof("a string"));
            };
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.syntax("invalid escape")),
            };
            unit = unit * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(unit)
    }

    /// `word` (a literal such as `true`), which must come next.
    fn literal(&mut self, word: &'static str, value: OwnedValue) -> Result<OwnedValue> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else if word.as_bytes().starts_with(&self.bytes()[self.pos..]) {
            self.pos = self.text.len();
            Err(self.eof("a value"))
        } else {
            Err(self.syntax("expected value"))
        }
    }

    /// A number, which must come next: an integer where it has no fraction
    /// or exponent and fits, else a float. The digits are read as they are
    /// scanned; a float of at most 19 digits without an exponent whose
    /// digits fit a float exactly (as a time's microseconds do) is their
    /// integer over a power of ten, which is the correctly rounded value
    /// (both are exact, and division rounds correctly); any other goes to
    /// `f64::from_str`.
    fn number_into(&mut self, out: &mut OwnedValue) -> Result<()> {
        let bytes = self.bytes();
        let start = self.pos;
        let negative = bytes[start] == b'-';
        let mut at = start + usize::from(negative);
        if negative && bytes.get(at) == Some(&b'I') {
            self.pos = at;
            *out = self.literal("Infinity", OwnedValue::F64(f64::NEG_INFINITY))?;
            return Ok(());
        }
        // every digit before any exponent, as one integer (exact for 19)
        let mut mantissa = 0u64;
        let mut read_digits = |at: &mut usize| {
            let from = *at;
            while let Some(&digit @ b'0'..=b'9') = bytes.get(*at) {
                mantissa = mantissa
                    .wrapping_mul(10)
                    .wrapping_add(u64::from(digit - b'0'));
                *at += 1;
            }
            *at - from
        };
        let int_digits = match bytes.get(at) {
            Some(b'0') => {
                at += 1;
                1
            }
            Some(b'1'..=b'9') => read_digits(&mut at),
            Some(_) => {
                self.pos = at;
                return Err(self.syntax("invalid number"));
            }
            None => {
                self.pos = at;
                return Err(self.eof("a number"));
            }
        };
        let int_end = at;
        let mut fraction_digits = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            fraction_digits = read_digits(&mut at);
            if fraction_digits == 0 {
                self.pos = at;
                return Err(self.syntax("invalid number"));
            }
        }
        let exponent = matches!(bytes.get(at), Some(b'e' | b'E'));
        if exponent {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let digits = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                self.pos = at;
                return Err(self.syntax("invalid number"));
            }
            at += digits;
        }
        self.pos = at;
        if !exponent && int_digits + fraction_digits <= 19 {
            if fraction_digits == 0 && (!negative || mantissa <= 1 << 63) {
                *out = integer(mantissa, negative);
                return Ok(());
            }
            if mantissa <= 1 << 53 {
                let magnitude = mantissa as f64 / POWERS_OF_TEN[fraction_digits];
                let float = if negative { -magnitude } else { magnitude };
                *out = OwnedValue::F64(float);
                return Ok(());
            }
        }
        if at == int_end {
            // (20 digits or more: `u64::MAX` has 20)
            let magnitude = bytes[start + usize::from(negative)..int_end]
                .iter()
                .try_fold(0u64, |n, &d| {
                    n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                });
            if let Some(n) = magnitude
                && (!negative || n <= 1 << 63)
            {
                *out = integer(n, negative);
                return Ok(());
            }
        }
        // The grammar above is a subset of what `f64::from_str` reads, which
        // rounds correctly and gives infinity past `f64::MAX`.
        let float = self.text[start..at].parse::<f64>();
        *out = OwnedValue::F64(float.map_err(|_| self.syntax("invalid number"))?);
        Ok(())
    }

    /// Any value, as the reader keeps it: a level object becomes its name,
    /// `{"unpersistable": true}` becomes `Unpersistable`, and an unknown
    /// `__class_uuid__` is an error (twisted aborts the whole file on one;
    /// the reader skips the record).
    #[inline]
    pub(super) fn value(&mut self) -> Result<OwnedValue> {
        let mut value = OwnedValue::None;
        self.value_into(&mut value)?;
        Ok(value)
    }

    /// [`Self::value`], written into `out` (where it is to be kept: a
    /// value returned through memory and copied out at once is read back
    /// with wider loads than the stores that wrote it, which the processor
    /// cannot forward, and that cost a quarter of a record's time).
    #[inline]
    pub(super) fn value_into(&mut self, out: &mut OwnedValue) -> Result<()> {
        match self.peek() {
            Some(b'"') => *out = OwnedValue::Str(self.string()?.into_owned()),
            Some(b'-' | b'0'..=b'9') => self.number_into(out)?,
            _ => *out = self.other_value()?,
        }
        Ok(())
    }

    /// [`Self::value`] for what is not a string or a number.
    fn other_value(&mut self) -> Result<OwnedValue> {
        match self.peek() {
            Some(b'{') => self.object_value(),
            Some(b'[') => {
                let mut items = Vec::new();
                self.array(|p| {
                    items.push(p.value()?);
                    Ok(())
                })?;
                Ok(OwnedValue::Seq(items))
            }
            Some(b't') => self.literal("true", OwnedValue::Bool(true)),
            Some(b'f') => self.literal("false", OwnedValue::Bool(false)),
            Some(b'n') => self.literal("null", OwnedValue::None),
            Some(b'N') => self.literal("NaN", OwnedValue::F64(f64::NAN)),
            Some(b'I') => self.literal("Infinity", OwnedValue::F64(f64::INFINITY)),
            Some(_) => Err(self.syntax("expected value")),
            None => Err(self.eof("a value")),
        }
    }

    fn object_value(&mut self) -> Result<OwnedValue> {
        // Keys stay borrowed from the record until the object is known not
        // to be a level (whose keys are thrown away).
        let at_object = self.mark();
        let mut entries: Vec<(Cow<'a, str>, OwnedValue)> = Vec::new();
        self.object(|p, key| {
            entries.push((key, p.value()?));
            Ok(())
        })?;
        if let Some((_, uuid)) = entries.iter().find(|(k, _)| k == "__class_uuid__") {
            let uuid = uuid.as_str().unwrap_or("");
            if uuid == LEVEL_UUID {
                let name = entries
                    .iter()
                    .find(|(k, _)| k == "name")
                    .and_then(|(_, v)| v.as_str());
                return Ok(name.map_or(OwnedValue::None, |n| OwnedValue::Str(n.to_string())));
            }
            if uuid != FAILURE_UUID {
                return Err(Self::unknown_class(at_object, uuid));
            }
        }
        if let [(key, OwnedValue::Bool(true))] = &entries[..]
            && key == "unpersistable"
        {
            return Ok(OwnedValue::Unpersistable);
        }
        Ok(OwnedValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v))
                .collect(),
        ))
    }

    /// Moves past the next value, checking less than [`Self::skip`]: a
    /// string to its closing quote, a number or a word (`true`, `NaN`) to
    /// the next byte that cannot be part of one. For a value that is read
    /// afterwards, which checks it and says what is wrong (see
    /// [`super::shape`]); `false` where there is plainly no value.
    pub(super) fn skip_loosely(&mut self) -> bool {
        let bytes = self.bytes();
        match self.peek() {
            Some(b'"') => {
                let mut at = self.pos + 1;
                loop {
                    let Some(run) = bytes.get(at..).and_then(json_run_end) else {
                        return false;
                    };
                    at += run;
                    match bytes[at] {
                        b'"' => break,
                        b'\\' => at += 2,
                        _ => return false,
                    }
                }
                self.pos = at + 1;
                true
            }
            Some(b'{' | b'[') => self.skip().is_ok(),
            _ => {
                let word = bytes[self.pos..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                    .count();
                self.pos += word;
                word > 0
            }
        }
    }

    /// Takes the next value without keeping it (it must still be JSON).
    pub(super) fn skip(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'{') => self.object(|p, _| p.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b'"') => self.string().map(drop),
            _ => self.value().map(drop),
        }
    }
}

/// 10 to the powers a 19-digit number's fraction may need (a float holds
/// each exactly, as it does up to 10^22).
const POWERS_OF_TEN: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// The integer `magnitude` (at most 2^63 if `negative`), as Python reads
/// it: `-0` is 0.
#[inline]
fn integer(magnitude: u64, negative: bool) -> OwnedValue {
    if negative {
        OwnedValue::I64(0i64.wrapping_sub_unsigned(magnitude))
    } else {
        match i64::try_from(magnitude) {
            Ok(n) => OwnedValue::I64(n),
            Err(_) => OwnedValue::U64(magnitude),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures repeat.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn space(rng: &mut Rng, out: &mut String) {
        for _ in 0..rng.below(3).saturating_sub(1) {
            out.push([' ', '\n', '\t', '\r'][rng.below(4) as usize]);
        }
    }

    /// Random JSON text of the kinds the reader meets (no level, failure
    /// or unpersistable objects, no non-finite tokens).
    fn gen_value(rng: &mut Rng, depth: u32, out: &mut String) {
        space(rng, out);
        let pick = if depth > 3 {
            rng.below(5)
        } else {
            rng.below(7)
        };
        match pick {
            0 => out.push_str(["null", "true", "false"][rng.below(3) as usize]),
            1 => {
                let n = match rng.below(4) {
                    0 => rng.below(10).to_string(),
                    1 => (rng.next() as i64).to_string(),
                    2 => rng.next().to_string(),
                    _ => format!("{}{}", rng.next(), rng.next()),
                };
                out.push_str(&n);
            }
            2 => {
                let f = f64::from_bits(rng.next());
                let f = if f.is_finite() {
                    f
                } else {
                    rng.below(1000) as f64 / 7.0
                };
                out.push_str(&match rng.below(3) {
                    0 => format!("{f:?}"),
                    1 => format!("{f:e}"),
                    _ => format!("{:.3}E+2", f % 1e6),
                });
            }
            3 | 4 => gen_string(rng, out),
            5 => {
                out.push('[');
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    gen_value(rng, depth + 1, out);
                }
                space(rng, out);
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..rng.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    space(rng, out);
                    // Keys differ (serde_json keeps one of each).
                    let key = out.len() + 1;
                    gen_string(rng, out);
                    out.insert_str(key, &i.to_string());
                    space(rng, out);
                    out.push(':');
                    gen_value(rng, depth + 1, out);
                }
                space(rng, out);
                out.push('}');
            }
        }
        space(rng, out);
    }

    fn gen_string(rng: &mut Rng, out: &mut String) {
        out.push('"');
        for _ in 0..rng.below(24) {
            match rng.below(12) {
                0 => out.push_str(
                    ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]
                        [rng.below(8) as usize],
                ),
                1 => out.push_str(&format!("\\u{:04x}", rng.below(0xd800))),
                2 => out.push_str("\\ud83d\\ude00"),
                3 => out.push(['é', '€', '😀', 'ß'][rng.below(4) as usize]),
                _ => out.push((b'a' + rng.below(26) as u8) as char),
            }
        }
        out.push('"');
    }

    fn from_serde(v: serde_json::Value) -> OwnedValue {
        use serde_json::Value as J;
        match v {
            J::Null => OwnedValue::None,
            J::Bool(b) => OwnedValue::Bool(b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => OwnedValue::I64(i),
                (None, Some(u)) => OwnedValue::U64(u),
                _ => OwnedValue::F64(n.as_f64().expect("a float")),
            },
            J::String(s) => OwnedValue::Str(s),
            J::Array(items) => OwnedValue::Seq(items.into_iter().map(from_serde).collect()),
            J::Object(map) => {
                OwnedValue::Map(map.into_iter().map(|(k, v)| (k, from_serde(v))).collect())
            }
        }
    }

    /// Equal, where serde_json's `-0.0` for the integer `-0` is Python's 0.
    fn same(ours: &OwnedValue, serde: &OwnedValue) -> bool {
        match (ours, serde) {
            (OwnedValue::I64(0), OwnedValue::F64(f)) => *f == 0.0 && f.is_sign_negative(),
            (OwnedValue::F64(a), OwnedValue::F64(b)) => a.to_bits() == b.to_bits(),
            (OwnedValue::Seq(a), OwnedValue::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
            }
            (OwnedValue::Map(a), OwnedValue::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
            }
            (a, b) => a == b,
        }
    }

    fn parse(text: &str) -> std::result::Result<OwnedValue, String> {
        let mut p = Parser::new(text);
        let value = p.value().and_then(|v| p.end().map(|()| v));
        value.map_err(|e| p.describe(&e))
    }

    #[test]
    fn agrees_with_serde_json_on_generated_and_broken_text() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let noise = b"{}[]\",:0123456789eE.+-\\ntruefalsu \x01";
        let (mut accepted, mut refused) = (0, 0);
        for case in 0..20_000 {
            let mut text = String::new();
            gen_value(&mut rng, 0, &mut text);
            // Every other text is broken in a few places (ASCII edits, so
            // it stays UTF-8).
            if case % 2 == 1 {
                let mut bytes = text.into_bytes();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(bytes.len() as u64 + 1) as usize;
                    let at = (0..=at)
                        .rev()
                        .find(|&i| i == bytes.len() || bytes[i] < 0x80)
                        .unwrap_or(0);
                    let b = noise[rng.below(noise.len() as u64) as usize];
                    match rng.below(3) {
                        0 if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        1 if at < bytes.len() => bytes[at] = b,
                        _ => bytes.insert(at, b),
                    }
                }
                text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => continue,
                };
            }
            let ours = parse(&text);
            let serde = serde_json::from_str::<serde_json::Value>(&text);
            match (&ours, serde) {
                (Ok(a), Ok(b)) => {
                    assert!(same(a, &from_serde(b)), "{text:?}: {a:?}");
                    accepted += 1;
                }
                (Err(_), Err(_)) => refused += 1,
                // Where Python's json reads more than serde_json: huge
                // floats, and unpaired surrogates (serde_json's errors for
                // a high one not followed by `\u` speak of a hex escape).
                (Ok(_), Err(e))
                    if ["number out of range", "surrogate", "hex escape"]
                        .iter()
                        .any(|why| e.to_string().contains(why)) => {}
                (ours, serde) => panic!("{text:?}: ours {ours:?}, serde_json {serde:?}"),
            }
        }
        assert!(
            accepted > 5_000 && refused > 3_000,
            "{accepted} / {refused}"
        );
    }

    /// What Python's `json` reads `text` (a valid JSON number) as: an int
    /// where it has no fraction or exponent (kept if it fits 64 bits), else
    /// the correctly rounded float.
    fn python_number(text: &str) -> OwnedValue {
        if !text.contains(['.', 'e', 'E']) {
            if let Ok(n) = text.parse::<i64>() {
                return OwnedValue::I64(n);
            }
            if let Ok(n) = text.parse::<u64>() {
                return OwnedValue::U64(n);
            }
        }
        OwnedValue::F64(text.parse().unwrap())
    }

    #[test]
    fn numbers_are_read_exactly_as_python_reads_them() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let digits = |rng: &mut Rng, most: u64, out: &mut String| {
            for _ in 0..rng.below(most + 1) {
                out.push(char::from(b'0' + rng.below(10) as u8));
            }
        };
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.0",
            "0.1",
            "1796696873.893824",
            "-1796696873.893824",
            "9007199254740992.5",
            "9007199254740993",
            "900719925474099.3",
            "900719925474099.25",
            "123456789012345678.9",
            "1.000000000000000000",
            "0.0000000000000000001",
            "0.000000000000000001",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "-9999999999999999999",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "2.5e-3",
            "1E22",
        ]
        .map(String::from)
        .to_vec();
        for _ in 0..50_000 {
            let mut text = String::new();
            if rng.below(2) == 0 {
                text.push('-');
            }
            match rng.below(4) {
                0 => text.push('0'),
                _ => {
                    text.push(char::from(b'1' + rng.below(9) as u8));
                    digits(&mut rng, 20, &mut text);
                }
            }
            if rng.below(3) > 0 {
                text.push('.');
                text.push(char::from(b'0' + rng.below(10) as u8));
                digits(&mut rng, 20, &mut text);
            }
            if rng.below(8) == 0 {
                text.push('e');
                text.push(char::from(b'0' + rng.below(10) as u8));
                digits(&mut rng, 2, &mut text);
            }
            texts.push(text);
        }
        for text in texts {
            match (parse(&text), python_number(&text)) {
                (Ok(OwnedValue::F64(ours)), OwnedValue::F64(python)) => {
                    assert_eq!(ours.to_bits(), python.to_bits(), "{text}")
                }
                (ours, python) => assert_eq!(ours, Ok(python), "{text}"),
            }
        }
    }

    #[test]
    fn python_readings_where_the_standard_leaves_room() {
        assert_eq!(parse("-0"), Ok(OwnedValue::I64(0)));
        assert_eq!(parse("1e400"), Ok(OwnedValue::F64(f64::INFINITY)));
        assert_eq!(parse("-9223372036854775808"), Ok(OwnedValue::I64(i64::MIN)));
        assert_eq!(
            parse("-9223372036854775809"),
            Ok(OwnedValue::F64(-9223372036854775809.0))
        );
        assert_eq!(
            parse("18446744073709551616"),
            Ok(OwnedValue::F64(18446744073709551616.0))
        );
        assert_eq!(
            parse(r#""\ud800x""#),
            Ok(OwnedValue::Str("\u{fffd}x".into()))
        );
        assert_eq!(
            parse(r#""\udc00\ud800""#),
            Ok(OwnedValue::Str("\u{fffd}\u{fffd}".into()))
        );
        assert_eq!(
            parse(r#""\ud800\u0041""#),
            Ok(OwnedValue::Str("\u{fffd}A".into()))
        );
        assert_eq!(parse(r#""\uD83D\uDE00""#), Ok(OwnedValue::Str("😀".into())));
        assert!(matches!(parse("NaN"), Ok(OwnedValue::F64(f)) if f.is_nan()));
        assert_eq!(parse(" -Infinity "), Ok(OwnedValue::F64(f64::NEG_INFINITY)));
    }

    #[test]
    fn errors_say_what_and_where() {
        for (text, error) in [
            ("", "bad JSON: EOF while parsing a value at line 1 column 1"),
            ("[1,]", "bad JSON: trailing comma at line 1 column 4"),
            ("{\"a\" 1}", "bad JSON: expected `:` at line 1 column 6"),
            (
                "{\"a\":1 \"b\"}",
                "bad JSON: expected `,` or `}` at line 1 column 8",
            ),
            ("[1 2]", "bad JSON: expected `,` or `]` at line 1 column 4"),
            ("{1:2}", "bad JSON: key must be a string at line 1 column 2"),
            (
                "\n [01]",
                "bad JSON: expected `,` or `]` at line 2 column 4",
            ),
            ("1.e3", "bad JSON: invalid number at line 1 column 3"),
            (
                "-",
                "bad JSON: EOF while parsing a number at line 1 column 2",
            ),
            ("-x", "bad JSON: invalid number at line 1 column 2"),
            (
                "tru",
                "bad JSON: EOF while parsing a value at line 1 column 4",
            ),
            ("trux", "bad JSON: expected value at line 1 column 1"),
            ("\"a\\x\"", "bad JSON: invalid escape at line 1 column 4"),
            ("\"\\u12g4\"", "bad JSON: invalid escape at line 1 column 6"),
            (
                "\"a\u{1}\"",
                "bad JSON: control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3",
            ),
            (
                "\"abc",
                "bad JSON: EOF while parsing a string at line 1 column 5",
            ),
            ("[1] 2", "bad JSON: trailing characters at line 1 column 5"),
            (
                "{\"x\": {\"__class_uuid__\": \"?\"}}",
                "unknown __class_uuid__ `?` at line 1 column 7",
            ),
        ] {
            assert_eq!(parse(text), Err(error.to_string()), "{text:?}");
        }
        let deep = "[".repeat(MAX_DEPTH as usize + 1);
        assert_eq!(
            parse(&deep),
            Err(format!(
                "bad JSON: recursion limit exceeded at line 1 column {}",
                MAX_DEPTH + 1
            ))
        );
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_DEPTH as usize),
            "]".repeat(MAX_DEPTH as usize)
        );
        assert!(parse(&ok).is_ok());
    }
}
