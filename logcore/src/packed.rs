//! Packed events: a live event written as 64-bit words on the thread that
//! logs it, and read back as an [`OwnedEvent`] on another thread. This is
//! what non-blocking output carries: the caller writes the call site's
//! number, a clock reading and the field values straight into its ring;
//! the text is rendered later.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::clock::{self, WallClock};
use crate::direct_call::DirectCall;
use crate::event::{Added, Callsite, Event, LiveParts, is_plain_key, same_str};
use crate::field_value::FieldValue;
use crate::level::LogLevel;
use crate::logger::Logger;
use crate::owned_event::{OwnedEvent, pair_at, refill_string};
use crate::owned_value::OwnedValue;
use crate::placeholder::{Placeholder, Render, Sink};
use crate::value::{Map, Scalar, Seq, Value, Visit};

/// A call site's number, given the first time one of its events is packed.
/// The macros put `CallsiteId::new()` in each call site's static.
///
/// ```
/// let id = logcore::CallsiteId::new();
/// assert_eq!(id.get(), None);
/// ```
pub struct CallsiteId(AtomicU64);

impl CallsiteId {
    /// Not yet numbered.
    pub const fn new() -> CallsiteId {
        CallsiteId(AtomicU64::new(0))
    }

    /// The number, once an event of this call site has been packed.
    pub fn get(&self) -> Option<u32> {
        match self.0.load(Ordering::Acquire) as u32 {
            0 => None,
            n => Some(n),
        }
    }
}

impl Default for CallsiteId {
    fn default() -> Self {
        CallsiteId::new()
    }
}

impl fmt::Debug for CallsiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CallsiteId").field(&self.get()).finish()
    }
}

/// The numbered call sites (number `i + 1` at `i`).
static SITES: RwLock<Vec<&'static Callsite>> = RwLock::new(Vec::new());

/// A call site's number, and the fields its placeholders show unchanged
/// (see [`shown_fields`]), kept together in its [`CallsiteId`].
#[inline]
fn site(callsite: &'static Callsite) -> (u32, u32) {
    let word = match callsite.id.0.load(Ordering::Acquire) {
        0 => register(callsite),
        word => word,
    };
    (word as u32, (word >> 32) as u32)
}

#[cold]
#[inline(never)]
fn register(callsite: &'static Callsite) -> u64 {
    let mut sites = SITES.write().unwrap_or_else(PoisonError::into_inner);
    let word = callsite.id.0.load(Ordering::Acquire);
    if word != 0 {
        return word;
    }
    sites.push(callsite);
    let id = u32::try_from(sites.len()).unwrap_or(u32::MAX);
    let word = u64::from(id) | u64::from(shown_fields(callsite)) << 32;
    callsite.id.0.store(word, Ordering::Release);
    word
}

/// Every placeholder of the call site shows a field unchanged (see
/// [`shown_fields`]).
const ALL_SHOWN: u32 = 1 << 31;

/// The fields a call site's placeholders show unchanged, a bit each, with
/// [`ALL_SHOWN`] if every placeholder shows one of the first 31 fields; 0
/// otherwise. Packing checks them all at once (and, on every event,
/// whether the call site makes calls).
fn shown_fields(callsite: &Callsite) -> u32 {
    let mut fields = 0;
    for &field in callsite.bare {
        if field >= 31 {
            return 0;
        }
        fields |= 1 << field;
    }
    fields | ALL_SHOWN
}

// Value tags (a value's first word: the tag in the low byte, a string's
// length or a sequence's count above it).
const NONE: u64 = 0;
const FALSE: u64 = 1;
const TRUE: u64 = 2;
const I64: u64 = 3;
const U64: u64 = 4;
const F64: u64 = 5;
const STR: u64 = 6;
const SEQ: u64 = 7;
const MAP: u64 = 8;
const UNPERSISTABLE: u64 = 9;

// Event flags (bits 40..48 of the first word).
const NAMESPACE: u8 = 1;
const SYSTEM: u8 = 2;
const SOURCE: u8 = 4;
const WALL_TIME: u8 = 8;
/// The logger adds fields.
const LOGGER_FIELDS: u8 = 16;
/// Every placeholder is a plain `{name}` showing a field that renders as
/// the value packed: nothing more is packed for them.
const ALL_BARE: u8 = 32;
/// The namespace is the logger's, packed as its number (one word; see
/// `namespace_number.rs`) instead of as text.
const NAMESPACE_NUMBER: u8 = 64;
const FLAGS: u8 =
    NAMESPACE | SYSTEM | SOURCE | WALL_TIME | LOGGER_FIELDS | ALL_BARE | NAMESPACE_NUMBER;

// A kept event's record ([`pack_kept`]): call site number 0, and in place
// of the flags above, which of its parts follow the header.
const KEPT_LEVEL: u8 = 1;
const KEPT_TIME: u8 = 2;
const KEPT_NAMESPACE: u8 = 4;
const KEPT_FORMAT: u8 = 8;
const KEPT_SYSTEM: u8 = 16;
const KEPT_SOURCE: u8 = 32;
const KEPT_FILE: u8 = 64;
const KEPT_LINE: u8 = 128;

// Placeholder kinds.
const PLAIN: u64 = 0;
const TEXT: u64 = 1;
const FAILED: u64 = 2;
const BARE: u64 = 3;

/// Writes values into a packed event, a word at a time, into the words a
/// ring reserved (see [`pack_into`]). The macros' values pack themselves
/// through [`Value`]'s hidden method; other values are visited.
#[doc(hidden)]
pub struct Packer<'a> {
    /// The room: words past it are not written, only counted (so that the
    /// room needed is known).
    words: &'a [AtomicU64],
    /// The next word's index.
    at: usize,
}

impl fmt::Debug for Packer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packer").field("at", &self.at).finish()
    }
}

impl<'a> Packer<'a> {
    #[inline]
    fn word(&mut self, w: u64) {
        self.set(self.at, w);
        self.at += 1;
    }
    /// Writes the word at `at` (before `self.at`: a word reserved).
    #[inline]
    fn set(&mut self, at: usize, w: u64) {
        if let Some(slot) = self.words.get(at) {
            slot.store(w, Ordering::Relaxed);
        }
    }
    /// Runs `f` on a copy of this packer, then takes its position back.
    /// [`pack_into`] (and [`FieldValue::__pack`], inlined into it) hands
    /// only copies to code that may not be inlined (a value's own
    /// `__pack`, a placeholder, a string written out of line):
    /// its own packer's address is then never taken, so the compiler keeps
    /// its position in a register instead of reloading it after every word
    /// (a store into the ring could otherwise change it, for all the
    /// compiler knows).
    #[inline(always)]
    pub(crate) fn lend<R>(&mut self, f: impl FnOnce(&mut Packer<'a>) -> R) -> R {
        let mut copy = Packer {
            words: self.words,
            at: self.at,
        };
        let result = f(&mut copy);
        self.at = copy.at;
        result
    }
    /// A packer for a record at `start` in `words` used as a ring (`None`
    /// unless its length is a power of two): at most `room` words, in one
    /// run that ends where the array does at the latest, with the first
    /// word (the header, written last) reserved.
    #[inline]
    fn record(words: &'a [AtomicU64], start: usize, room: usize) -> Option<Packer<'a>> {
        if !words.len().is_power_of_two() {
            return None;
        }
        let first = start & (words.len() - 1);
        let room = room.min(words.len() - first);
        Some(Packer {
            words: &words[first..first + room],
            at: 1,
        })
    }
    /// Writes the first word, reserved; what was written, given the room.
    #[inline]
    fn finish(mut self, header: u64) -> Packed {
        self.set(0, header);
        if self.at > self.words.len() {
            Packed::NoRoom(self.at)
        } else {
            Packed::Done(self.at)
        }
    }
    /// `bytes` in words, the last one padded with zeros.
    #[inline]
    fn byte_words(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0; 8];
            w.copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
        if !chunks.remainder().is_empty() {
            self.word(last_word(bytes));
        }
    }
    /// A tag with a length or count above it.
    #[inline]
    fn tagged(tag: u64, n: usize) -> u64 {
        tag | (n as u64) << 8
    }

    /// A signed integer.
    #[inline]
    pub fn i64(&mut self, v: i64) {
        self.word(I64);
        self.word(v as u64);
    }
    /// An unsigned integer.
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.word(U64);
        self.word(v);
    }
    /// A float.
    #[inline]
    pub fn f64(&mut self, v: f64) {
        self.word(F64);
        self.word(v.to_bits());
    }
    /// A boolean.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.word(if v { TRUE } else { FALSE });
    }
    /// A string.
    #[inline]
    pub fn str(&mut self, v: &str) {
        self.word(Packer::tagged(STR, v.len()));
        self.byte_words(v.as_bytes());
    }
    /// A string, as [`Packer::str`] writes it, inline and without a loop
    /// for up to 15 bytes (most strings logged are short). Only
    /// [`pack_direct_into`] uses it: in place of `str` everywhere, it made
    /// a non-blocking call that builds its event 12 instructions longer.
    #[inline(always)]
    fn short_str(&mut self, v: &str) {
        self.word(Packer::tagged(STR, v.len()));
        let bytes = v.as_bytes();
        match bytes.len() {
            0 => {}
            1..=7 => self.word(last_word(bytes)),
            8 => self.word(first_word(bytes)),
            9..=15 => {
                self.word(first_word(bytes));
                self.word(last_word(bytes));
            }
            _ => self.byte_words(bytes),
        }
    }
    /// A string or a scalar. Always inlined: in a type's `__pack` the
    /// match folds to that type's one case.
    #[inline(always)]
    pub fn scalar(&mut self, v: Scalar<'_>) {
        match v {
            Scalar::Str(s) => self.str(s),
            Scalar::I64(i) => self.i64(i),
            Scalar::U64(u) => self.u64(u),
            Scalar::F64(x) => self.f64(x),
            Scalar::Bool(b) => self.bool(b),
            Scalar::None => self.word(NONE),
            Scalar::Unpersistable => self.word(UNPERSISTABLE),
        }
    }
    /// A string written by `write` (straight into the words: no buffer),
    /// or, if it fails or panics, a note saying so.
    fn display(&mut self, write: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result) {
        struct Words<'p, 'a> {
            packer: &'p mut Packer<'a>,
            /// Bytes not yet a whole word, and how many.
            pending: [u8; 8],
            filled: usize,
            len: usize,
        }
        impl fmt::Write for Words<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                let mut s = s.as_bytes();
                self.len += s.len();
                if self.filled > 0 {
                    let n = s.len().min(8 - self.filled);
                    self.pending[self.filled..self.filled + n].copy_from_slice(&s[..n]);
                    self.filled += n;
                    s = &s[n..];
                    if self.filled < 8 {
                        return Ok(());
                    }
                    self.packer.word(u64::from_le_bytes(self.pending));
                    self.filled = 0;
                }
                let whole = s.len() - s.len() % 8;
                self.packer.byte_words(&s[..whole]);
                let rest = &s[whole..];
                self.pending[..rest.len()].copy_from_slice(rest);
                self.filled = rest.len();
                Ok(())
            }
        }
        let tag_at = self.at;
        self.at += 1;
        let mut words = Words {
            packer: self,
            pending: [0; 8],
            filled: 0,
            len: 0,
        };
        let result = catch_unwind(AssertUnwindSafe(|| write(&mut words)));
        let (filled, len) = (words.filled, words.len);
        if let Ok(Ok(())) = result {
            if filled > 0 {
                let mut last = [0; 8];
                last[..filled].copy_from_slice(&words.pending[..filled]);
                self.word(u64::from_le_bytes(last));
            }
            self.set(tag_at, Packer::tagged(STR, len));
        } else {
            self.at = tag_at;
            self.str(&crate::text::unformattable(result));
        }
    }
}

/// The first eight of at least eight bytes, as a word.
#[inline]
fn first_word(bytes: &[u8]) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(w)
}

/// The bytes of `bytes` after its last whole word, as a word padded with
/// zeros, read in at most three loads (no copy loop, no `memcpy` call).
#[inline(always)]
fn last_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let rest = len % 8;
    let load4 = |at: usize| {
        let mut w = [0; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    if rest == 0 {
        0
    } else if len >= 8 {
        // the last eight bytes, the ones before the rest shifted out
        let mut w = [0; 8];
        w.copy_from_slice(&bytes[len - 8..]);
        u64::from_le_bytes(w) >> (8 * (8 - rest))
    } else if rest >= 4 {
        // two loads of four that overlap (the same bytes, or-ed)
        load4(0) | load4(rest - 4) << (8 * (rest - 4))
    } else {
        // first, middle and last byte (some the same)
        let byte = |at: usize| u64::from(bytes[at]) << (8 * at);
        byte(0) | byte(rest / 2) | byte(rest - 1)
    }
}

impl Visit for Packer<'_> {
    fn visit_debug(&mut self, value: &dyn fmt::Debug) {
        self.display(|out| write!(out, "{value:?}"));
    }
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        self.display(|out| write!(out, "{value}"));
    }
    fn visit_str(&mut self, value: &str) {
        self.str(value);
    }
    fn visit_i64(&mut self, value: i64) {
        self.i64(value);
    }
    fn visit_u64(&mut self, value: u64) {
        self.u64(value);
    }
    fn visit_i128(&mut self, value: i128) {
        // as `OwnedValue::from_value` keeps it
        match (i64::try_from(value), u64::try_from(value)) {
            (Ok(i), _) => self.i64(i),
            (_, Ok(u)) => self.u64(u),
            _ => self.display(|out| write!(out, "{value}")),
        }
    }
    fn visit_f64(&mut self, value: f64) {
        self.f64(value);
    }
    fn visit_bool(&mut self, value: bool) {
        self.bool(value);
    }
    fn visit_char(&mut self, value: char) {
        self.str(value.encode_utf8(&mut [0; 4]));
    }
    fn visit_none(&mut self) {
        self.scalar(Scalar::None);
    }
    fn visit_seq(&mut self, seq: &dyn Seq) {
        let at = self.at;
        self.at += 1;
        let mut n = 0;
        seq.each(&mut |v| {
            v.__pack(self);
            n += 1;
        });
        self.set(at, Packer::tagged(SEQ, n));
    }
    fn visit_map(&mut self, map: &dyn Map) {
        let at = self.at;
        self.at += 1;
        let mut n = 0;
        map.each(&mut |k, v| {
            k.__pack(self);
            v.__pack(self);
            n += 1;
        });
        self.set(at, Packer::tagged(MAP, n));
    }
    fn visit_unpersistable(&mut self) {
        self.scalar(Scalar::Unpersistable);
    }
}

/// What [`pack_into`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packed {
    /// Wrote the event: this many words.
    Done(usize),
    /// The event needs this many words, more than the room given; the words
    /// in the room may have been written.
    NoRoom(usize),
    /// The event does not pack: one with a failure, one with more than
    /// 65 535 fields, one whose values are not one for each of its call
    /// site's names, or a kept event with a value nested more deeply than
    /// a record is read back with. Keep it with [`Event::to_owned_event`]
    /// instead. [`pack_into`] has written nothing then;
    /// [`pack_direct_into`] may have written words in the room.
    Unpackable,
}

/// Writes `event`, packed, into `words` from position `start` (taken modulo
/// `words.len()`, which must be a power of two: the array is used as a
/// ring), at most `room` words and never past the array's end: a record is
/// one run of words, so that each is written with one check (a ring skips
/// to its start when too little is left before its end). This is how
/// non-blocking output writes an event straight into its ring; [`pack`]
/// is the same into a `Vec`.
///
/// A packed event is the call site's number, the level, a clock reading,
/// the namespace where it is not the module's (a logger's as a number that
/// stands for its text in this process), the logger's system and
/// fields, `log_source`, the field values, and for each placeholder either
/// nothing more (a plain `{name}` whose value renders as itself: its text
/// is made when unpacked) or its text, rendered here.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use logcore::{Callsite, CallsiteId, Event, FieldValue, LiveParts, LogLevel, OwnedEvent, Packed, Piece, Unpacker, pack_into};
/// static SITE: Callsite = Callsite {
///     format: "{n} left",
///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" left")], names: &["n"],
///     module_path: "app", file: "app.rs", line: 3, calls: false,
///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: logcore::Interest::new(),
/// };
/// let n = 9u8;
/// let values = [FieldValue::of(&n)];
/// let show = logcore::ShowValue(&n);
/// let placeholders = [&show as &logcore::Placeholder<'_>];
/// let event = Event::live(LiveParts {
///     level: LogLevel::Info, callsite: &SITE, namespace: "app",
///     values: &values, placeholders: &placeholders,
///     source: None, failure: None, logger: None,
/// });
/// // a ring of 64 words: this record needs four, and at 62 it would wrap
/// let ring: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
/// assert_eq!(pack_into(&event, &ring, 62, 8), Packed::NoRoom(4));
/// assert_eq!(pack_into(&event, &ring, 64 + 40, 3), Packed::NoRoom(4));
/// let Packed::Done(len) = pack_into(&event, &ring, 64 + 40, 8) else { panic!() };
/// let words: Vec<u64> = (40..40 + len).map(|i| ring[i].load(Ordering::Relaxed)).collect();
/// let mut text = String::new();
/// Unpacker::new().unpack_with(&words, &mut |e| text = e.text().into_owned())?;
/// assert_eq!(text, "9 left");
/// // a kept event packs whole, its strings copied
/// let kept = OwnedEvent::new(LogLevel::Info, "app", "hello");
/// let Packed::Done(len) = pack_into(&Event::from_owned(&kept), &ring, 0, 64) else { panic!() };
/// let words: Vec<u64> = (0..len).map(|i| ring[i].load(Ordering::Relaxed)).collect();
/// assert_eq!(Unpacker::new().unpack(&words)?, kept);
/// # Ok::<(), logcore::UnpackError>(())
/// ```
pub fn pack_into(event: &Event<'_>, words: &[AtomicU64], start: usize, room: usize) -> Packed {
    let Some(live) = event.as_live() else {
        return pack_kept(event, words, start, room);
    };
    let (parts, time): (&LiveParts<'_>, _) = (live, live.time_read());
    // (a value for each of the call site's names: the macros write both)
    let Ok(n_fields) = u16::try_from(parts.values.len()) else {
        return Packed::Unpackable;
    };
    if parts.values.len() != parts.callsite.names.len() {
        return Packed::Unpackable;
    }
    if parts.failure.is_some() {
        return Packed::Unpackable;
    }
    let Some(mut p) = Packer::record(words, start, room) else {
        return Packed::Unpackable;
    };
    let callsite = parts.callsite;
    let (id, shown) = site(callsite);
    let all_shown = shown & ALL_SHOWN != 0;
    let namespace = parts.namespace;
    // The module path is the call site's; a logger's namespace is its
    // number; any other namespace is written out.
    let own_namespace = !parts.namespace_is_module();
    let number = parts
        .namespace_logger()
        .filter(|_| own_namespace)
        .and_then(Logger::namespace_number);
    let system = live.system();
    let mut flags = (match (own_namespace, number) {
        (_, Some(_)) => NAMESPACE_NUMBER,
        (true, None) => NAMESPACE,
        (false, None) => 0,
    }) | (if system.is_some() { SYSTEM } else { 0 })
        | (if parts.source.is_some() { SOURCE } else { 0 })
        | (if time.is_some() { WALL_TIME } else { 0 });
    // (the first word is written last, once the flags are known)
    p.word(match time {
        Some(t) => t.to_bits(),
        None => clock::raw(),
    });
    match number {
        Some(number) => p.word(u64::from(number)),
        None if own_namespace => p.lend(|p| p.str(namespace)),
        None => {}
    }
    if let Some(system) = system {
        p.lend(|p| p.str(system));
    }
    if let Some(source) = parts.source {
        p.lend(|p| source.__pack(p));
    }
    // which fields render as the value packed (the first 64)
    let mut plain_fields = 0u64;
    for (j, value) in parts.values.iter().enumerate() {
        if value.__pack(&mut p) && j < 64 {
            plain_fields |= 1 << j;
        }
    }
    if live.has_logger_fields() {
        flags |= LOGGER_FIELDS;
        let at = p.at;
        p.at += 1;
        let mut n = 0;
        p.lend(|p| {
            live.for_each_logger_field(&mut |name, value| {
                p.str(name);
                value.__pack(p);
                n += 1;
            })
        });
        p.set(at, n);
    }
    let plain_possible = !callsite.calls && !event.is_rendered();
    let shown = shown & !ALL_SHOWN;
    if plain_possible
        && all_shown
        && callsite.bare.len() == parts.placeholder_count()
        && plain_fields & u64::from(shown) == u64::from(shown)
    {
        flags |= ALL_BARE;
    } else {
        let count_at = p.at;
        p.at += 1;
        let first = p.at;
        let plain = if plain_possible {
            p.lend(|p| pack_plain(parts, plain_fields, p))
        } else {
            None
        };
        let n = plain.unwrap_or_else(|| {
            // Text is needed: render it once, as other observers would.
            p.at = first;
            let mut n = 0;
            p.lend(|p| {
                event.for_each_rendered(&mut |text, raw| {
                    match text {
                        Some(text) => {
                            p.word(TEXT);
                            p.str(text);
                        }
                        None => p.word(FAILED),
                    }
                    raw.__pack(p);
                    n += 1;
                })
            });
            n
        });
        p.set(count_at, n as u64);
    }
    p.finish(header(id, parts.level, flags, n_fields))
}

/// A kept event, packed (as [`pack_into`] packs it): each part it has,
/// its fields and its `log_flattened` entries, names and all. Not one
/// with a failure, with more than 65 535 fields, or with a value nested
/// too deeply to be read back.
#[inline(never)]
fn pack_kept(event: &Event<'_>, words: &[AtomicU64], start: usize, room: usize) -> Packed {
    let Some(event) = event.as_owned() else {
        return Packed::Unpackable;
    };
    let Ok(n_fields) = u16::try_from(event.fields.len()) else {
        return Packed::Unpackable;
    };
    let values = event.source.iter();
    let values = values.chain(event.fields.iter().map(|(_, v)| v));
    let mut values = values.chain(event.flattened.iter().map(|(_, v)| v));
    if event.failure.is_some() || values.any(|v| nests_too_deep(v, 0)) {
        return Packed::Unpackable;
    }
    let Some(mut p) = Packer::record(words, start, room) else {
        return Packed::Unpackable;
    };
    let mut flags = if event.level.is_some() { KEPT_LEVEL } else { 0 };
    if let Some(time) = event.time {
        flags |= KEPT_TIME;
        p.word(time.to_bits());
    }
    for (flag, text) in [
        (KEPT_NAMESPACE, event.namespace.as_deref()),
        (KEPT_FORMAT, event.format.as_deref()),
        (KEPT_SYSTEM, event.system.as_deref()),
    ] {
        if let Some(text) = text {
            flags |= flag;
            p.str(text);
        }
    }
    if let Some(source) = &event.source {
        flags |= KEPT_SOURCE;
        source.__pack(&mut p);
    }
    if let Some(file) = event.file.as_deref() {
        flags |= KEPT_FILE;
        p.str(file);
    }
    if let Some(line) = event.line {
        flags |= KEPT_LINE;
        p.word(u64::from(line));
    }
    for (name, value) in &event.fields {
        p.str(name);
        value.__pack(&mut p);
    }
    p.word(event.flattened.len() as u64);
    for (key, value) in &event.flattened {
        p.str(key);
        value.__pack(&mut p);
    }
    let level = event.level.unwrap_or(LogLevel::Info);
    p.finish(header(0, level, flags, n_fields))
}

/// Whether `value`, at `depth`, nests more deeply than a record is read
/// back with (see [`MAX_DEPTH`]).
fn nests_too_deep(value: &OwnedValue, depth: usize) -> bool {
    match value {
        OwnedValue::Seq(items) => {
            depth >= MAX_DEPTH || items.iter().any(|v| nests_too_deep(v, depth + 1))
        }
        OwnedValue::Map(entries) => {
            depth >= MAX_DEPTH || entries.iter().any(|(_, v)| nests_too_deep(v, depth + 1))
        }
        _ => false,
    }
}

/// A packed event's first word.
#[inline]
fn header(id: u32, level: LogLevel, flags: u8, n_fields: u16) -> u64 {
    u64::from(id)
        | u64::from(level.as_u8()) << 32
        | u64::from(flags) << 40
        | u64::from(n_fields) << 48
}

/// Writes a log call, packed, exactly as [`pack_into`] writes the event
/// it stands for (see [`DirectCall`]), without that event being built:
/// how non-blocking output takes a call straight from its call site.
/// [`Packed::Unpackable`] (nothing to commit, though words in the room
/// may have been written) unless the logger adds no
/// field and has no system, every value is a string or scalar held as
/// itself (so packing runs none of the caller's code), and every
/// placeholder is a plain `{name}` of one of the first 31 fields; the
/// caller then builds the event.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use logcore::{Callsite, CallsiteId, DirectCall, FieldValue, LogLevel, Logger, Packed, Piece, Unpacker, format_event, pack_direct_into};
/// static SITE: Callsite = Callsite {
///     format: "{n} left",
///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" left")], names: &["n"],
///     module_path: "app", file: "app.rs", line: 3, calls: false,
///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: logcore::Interest::new(),
/// };
/// let log = Logger::new("app::stock");
/// let n = 9u8;
/// let values = [FieldValue::of(&n)];
/// let call = DirectCall { level: LogLevel::Info, callsite: &SITE, values: &values, logger: Some(&log) };
/// let ring: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
/// // call site, time, the namespace's number, then the field's tag and value
/// assert_eq!(pack_direct_into(&call, &ring, 64 + 40, 8), Packed::Done(5));
/// let words: Vec<u64> = (40..45).map(|i| ring[i].load(Ordering::Relaxed)).collect();
/// let kept = Unpacker::new().unpack(&words)?;
/// assert_eq!((format_event(&kept).as_str(), kept.namespace.as_deref()), ("9 left", Some("app::stock")));
/// // a value held by reference is not packed here
/// let list = vec![1, 2];
/// let values = [FieldValue::of(&list)];
/// let call = DirectCall { values: &values, ..call };
/// assert_eq!(pack_direct_into(&call, &ring, 0, 8), Packed::Unpackable);
/// # Ok::<(), logcore::UnpackError>(())
/// ```
#[inline]
pub fn pack_direct_into(
    call: &DirectCall<'_>,
    words: &[AtomicU64],
    start: usize,
    room: usize,
) -> Packed {
    let DirectCall {
        level,
        callsite,
        values,
        logger,
    } = *call;
    let Ok(n_fields) = u16::try_from(values.len()) else {
        return Packed::Unpackable;
    };
    if values.len() != callsite.names.len() || callsite.calls {
        return Packed::Unpackable;
    }
    let Some(mut p) = Packer::record(words, start, room) else {
        return Packed::Unpackable;
    };
    let (id, shown) = site(callsite);
    if shown & ALL_SHOWN == 0 {
        return Packed::Unpackable;
    }
    // as `pack_into` writes the namespace: nothing for the module path,
    // the logger's number for its own
    let number = match logger {
        Some(logger) if logger.adds_to_events() => {
            return Packed::Unpackable;
        }
        Some(logger) if !same_str(logger.namespace(), callsite.module_path) => {
            match logger.namespace_number() {
                Some(number) => Some(number),
                None => return Packed::Unpackable,
            }
        }
        _ => None,
    };
    p.word(clock::raw());
    if let Some(number) = number {
        p.word(u64::from(number));
    }
    for value in values {
        match value.__held() {
            // (a copy: see `Packer::lend`)
            Some(Scalar::Str(s)) => p.lend(|p| p.short_str(s)),
            Some(scalar) => p.scalar(scalar),
            // (the words written so far are in the room, not committed)
            None => return Packed::Unpackable,
        }
    }
    let flags = ALL_BARE
        | if number.is_some() {
            NAMESPACE_NUMBER
        } else {
            0
        };
    p.finish(header(id, level, flags, n_fields))
}

/// Appends `event` to `out`, packed (see [`pack_into`]). Returns `false`,
/// writing nothing, for an event that does not pack (see
/// [`Packed::Unpackable`]): one with a failure, say. Keep those with
/// [`Event::to_owned_event`] instead.
///
/// An event of more than 64 words is packed twice (the first time to learn
/// its size), so its placeholders that need text run twice.
///
/// ```
/// use logcore::{Callsite, CallsiteId, Event, FieldValue, LiveParts, LogLevel, Piece, Unpacker};
/// static SITE: Callsite = Callsite {
///     format: "{n} items",
///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" items")], names: &["n"],
///     module_path: "app", file: "app.rs", line: 7, calls: false,
///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: logcore::Interest::new(),
/// };
/// let n = 3u16;
/// let values = [FieldValue::of(&n)];
/// let show_n = |s: &mut dyn logcore::Sink| s.put(format_args!("{n}"), Some(&n));
/// let placeholders = [&show_n as &logcore::Placeholder<'_>];
/// let event = Event::live(LiveParts {
///     level: LogLevel::Info, callsite: &SITE, namespace: "app",
///     values: &values, placeholders: &placeholders,
///     source: None, failure: None, logger: None,
/// });
/// let mut words = Vec::new();
/// assert!(logcore::pack(&event, &mut words));
/// assert_eq!(words.len(), 4); // call site, time, then the field: a tag and the number
/// let kept = Unpacker::new().unpack(&words)?;
/// assert_eq!(logcore::format_event(&kept), "3 items");
/// assert_eq!(kept.fields, event.to_owned_event().fields);
/// # Ok::<(), logcore::UnpackError>(())
/// ```
pub fn pack(event: &Event<'_>, out: &mut Vec<u64>) -> bool {
    let mut room = 64;
    // more than twice only if the placeholders' text keeps growing
    for _ in 0..4 {
        let words: Vec<AtomicU64> = (0..room).map(|_| AtomicU64::new(0)).collect();
        match pack_into(event, &words, 0, room) {
            Packed::Done(n) => {
                out.extend(words[..n].iter().map(|w| w.load(Ordering::Relaxed)));
                return true;
            }
            Packed::NoRoom(n) => room = n.next_power_of_two(),
            Packed::Unpackable => return false,
        }
    }
    false
}

/// Whether a placeholder showing field `bare` (`u8::MAX`: none) shows
/// one whose packed value renders as itself (`plain_fields`: one bit per
/// field, the first 64).
fn shows_plain_field(bare: u8, plain_fields: u64) -> bool {
    bare < 64 && plain_fields & (1 << bare) != 0
}

/// Packs the placeholders without their text, if every one is a plain
/// `{name}` whose value renders as itself: a field shown unchanged is
/// not packed again. Returns how many, or `None` (with words to drop).
fn pack_plain(parts: &LiveParts<'_>, plain_fields: u64, p: &mut Packer<'_>) -> Option<usize> {
    struct Plain<'p, 'b> {
        packer: &'p mut Packer<'b>,
        plain: bool,
    }
    impl Sink for Plain<'_, '_> {
        fn put(&mut self, _text: fmt::Arguments<'_>, raw: Option<&dyn Value>) {
            self.plain = raw.is_some_and(|v| v.__pack(self.packer));
        }
    }
    let callsite = parts.callsite;
    let count = parts.placeholder_count();
    if callsite.bare.len() != count {
        return None;
    }
    let mut n = 0;
    let each = parts
        .placeholder_list()
        .zip(callsite.bare)
        .zip(callsite.keys());
    for ((placeholder, &bare), (text_key, _)) in each {
        if shows_plain_field(bare, plain_fields) {
            p.word(BARE);
        } else {
            if !is_plain_key(text_key) {
                return None;
            }
            p.word(PLAIN);
            let mut sink = Plain {
                packer: p,
                plain: false,
            };
            let ran = catch_unwind(AssertUnwindSafe(|| placeholder.render(&mut sink)));
            if ran.is_err() || !sink.plain {
                return None;
            }
        }
        n += 1;
    }
    // (a call site with fewer keys than placeholders packs their text)
    (n == count).then_some(n)
}

/// Why words could not be unpacked: they were not made by [`pack`] in this
/// process, or were cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackError {
    /// The word where reading failed.
    pub at: usize,
    /// What was expected there.
    pub what: &'static str,
}

impl fmt::Display for UnpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "packed event unreadable at word {}: {}",
            self.at, self.what
        )
    }
}

impl std::error::Error for UnpackError {}

/// Reads packed events back (see [`pack`]), turning clock readings into
/// wall-clock time. Keep one per reading thread: it re-reads the system
/// clock at most once a second to stay in step with it, and reuses one
/// buffer for the records it reads.
///
/// ```
/// let err = logcore::Unpacker::new().unpack(&[u64::MAX]).unwrap_err();
/// assert_eq!(err.to_string(), "packed event unreadable at word 0: a known call site");
/// ```
#[derive(Debug)]
pub struct Unpacker {
    clock: WallClock,
    /// The record being read, as bytes (strings are read in place).
    bytes: Vec<u8>,
    /// The numbered namespaces seen so far (number `i + 1` at `i`).
    namespaces: Vec<Arc<str>>,
    /// Records a live event cannot carry are read into these, their
    /// strings reused: live events' at 0, kept events' at 1 (one each, so
    /// that a kept event's own strings, its format say, are not given up
    /// for a call site's static ones and made again when the kinds take
    /// turns).
    scratch: [OwnedEvent; 2],
    /// A live event's source is read into it, likewise.
    source: OwnedValue,
}

impl Default for Unpacker {
    fn default() -> Self {
        Unpacker::new()
    }
}

/// What every record starts with.
struct Head {
    callsite: &'static Callsite,
    level: LogLevel,
    flags: u8,
    time: f64,
}

/// How many fields, placeholders and logger's fields an event may have to
/// be handed over live by [`Unpacker::unpack_with`] (more are kept whole).
const LIVE_MAX: usize = 16;

/// A placeholder read back, for a live event: how it was packed.
#[derive(Clone, Copy)]
enum Kind<'b> {
    /// Shows field `j` unchanged.
    Bare(usize),
    /// Shows its value, packed after it.
    Plain,
    /// Its text, then its value.
    Text(&'b str),
}

impl Unpacker {
    /// A reader, in step with the system clock now. (Making the first one
    /// calibrates the cycle counter, about half a millisecond, once per
    /// process.)
    pub fn new() -> Unpacker {
        clock::calibrate();
        Unpacker {
            clock: WallClock::new(),
            bytes: Vec::new(),
            namespaces: Vec::new(),
            scratch: Default::default(),
            source: OwnedValue::None,
        }
    }

    /// Reads one packed event, as a kept event.
    pub fn unpack(&mut self, words: &[u64]) -> Result<OwnedEvent, UnpackError> {
        let bytes = self.take_bytes(words);
        let result = self.owned(&mut Reader::new(&bytes));
        self.bytes = bytes;
        result
    }

    /// Reads one packed event and hands it to `f` as a live event that
    /// borrows the record: nothing is copied or kept, and its text is
    /// rendered from the call site's parsed format, as at the call site.
    /// A logger's system and fields are read back with it (the logger
    /// is not at hand). An event that a live event cannot carry (a
    /// sequence or map field, a placeholder that failed, more than
    /// sixteen fields, placeholders or logger's fields) is handed over as
    /// a kept event instead, read into one the reader keeps (so that
    /// reading it allocates nothing once that event has grown to fit).
    ///
    /// ```
    /// use logcore::{Callsite, CallsiteId, Event, FieldValue, LiveParts, LogLevel, Piece, Unpacker};
    /// static SITE: Callsite = Callsite {
    ///     format: "{who} waves",
    ///     pieces: &[Piece::Field("who!s:", "who!:"), Piece::Literal(" waves")], names: &["who"],
    ///     module_path: "app", file: "app.rs", line: 7, calls: false,
    ///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: logcore::Interest::new(),
    /// };
    /// let who = "ann";
    /// let values = [FieldValue::of(&who)];
    /// let show = logcore::ShowValue(&who);
    /// let placeholders = [&show as &logcore::Placeholder<'_>];
    /// let event = Event::live(LiveParts {
    ///     level: LogLevel::Info, callsite: &SITE, namespace: "app",
    ///     values: &values, placeholders: &placeholders,
    ///     source: None, failure: None, logger: None,
    /// });
    /// let mut words = Vec::new();
    /// assert!(logcore::pack(&event, &mut words));
    /// let mut text = String::new();
    /// Unpacker::new().unpack_with(&words, &mut |e| text = e.text().into_owned())?;
    /// assert_eq!(text, "ann waves");
    /// # Ok::<(), logcore::UnpackError>(())
    /// ```
    pub fn unpack_with(
        &mut self,
        words: &[u64],
        f: &mut dyn FnMut(&Event<'_>),
    ) -> Result<(), UnpackError> {
        let bytes = self.take_bytes(words);
        let result = self.live_or_owned(&bytes, f);
        self.bytes = bytes;
        result
    }

    /// A record to `f`, as a live event if one can carry it, else as a
    /// kept event.
    fn live_or_owned(
        &mut self,
        bytes: &[u8],
        f: &mut dyn FnMut(&Event<'_>),
    ) -> Result<(), UnpackError> {
        match self.live(bytes, f) {
            Ok(true) => Ok(()),
            Ok(false) => {
                // (read into the event kept for its kind of record, and
                // lent to `f`)
                let kind = usize::from(is_kept(bytes));
                let mut event = std::mem::take(&mut self.scratch[kind]);
                let read = self.refill_owned(&mut Reader::new(bytes), &mut event);
                let result = read.map(|()| f(&Event::from_owned(&event)));
                self.scratch[kind] = event;
                result
            }
            Err(e) => Err(e),
        }
    }

    /// The reused buffer, holding `words` as bytes.
    fn take_bytes(&mut self, words: &[u64]) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        for w in words {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        bytes
    }

    /// The first two words.
    fn head(&mut self, r: &mut Reader<'_>) -> Result<Head, UnpackError> {
        let header = r.word("a call site number")?;
        let at_header = |what| UnpackError { at: 0, what };
        let callsite: &'static Callsite = {
            let sites = SITES.read().unwrap_or_else(PoisonError::into_inner);
            ((header as u32) as usize)
                .checked_sub(1)
                .and_then(|i| sites.get(i))
                .ok_or(at_header("a known call site"))?
        };
        if (header >> 48) as usize != callsite.names.len() {
            return Err(at_header("as many fields as the call site has"));
        }
        let level = LogLevel::from_u8((header >> 32) as u8).ok_or(at_header("a level"))?;
        let flags = (header >> 40) as u8;
        if flags & !FLAGS != 0
            || flags & (NAMESPACE | NAMESPACE_NUMBER) == NAMESPACE | NAMESPACE_NUMBER
        {
            return Err(at_header("flags"));
        }
        let time = r.word("a time")?;
        let time = if flags & WALL_TIME != 0 {
            f64::from_bits(time)
        } else {
            self.clock.wall(time)
        };
        Ok(Head {
            callsite,
            level,
            flags,
            time,
        })
    }

    /// A namespace packed as its number: its text, looked up in the
    /// process's numbered namespaces only for a number not seen before.
    /// (Borrowed from the reader's own list: no reference count is taken
    /// per event.)
    fn numbered<'n>(
        namespaces: &'n mut Vec<Arc<str>>,
        r: &mut Reader<'_>,
    ) -> Result<&'n str, UnpackError> {
        let at = r.at;
        let number = r.word("a namespace number")?;
        let index = usize::try_from(number).ok().and_then(|n| n.checked_sub(1));
        if index.is_some_and(|i| i >= namespaces.len()) {
            crate::namespace_number::numbered_since(namespaces.len(), namespaces);
        }
        match index.and_then(|i| namespaces.get(i)) {
            Some(namespace) => Ok(namespace),
            None => Err(UnpackError {
                at,
                what: "a known namespace number",
            }),
        }
    }

    /// The event as a live event, to `f`; `Ok(false)` (without calling it)
    /// if a live event cannot carry it.
    fn live(&mut self, bytes: &[u8], f: &mut dyn FnMut(&Event<'_>)) -> Result<bool, UnpackError> {
        if is_kept(bytes) {
            return Ok(false);
        }
        let r = &mut Reader::new(bytes);
        let head = self.head(r)?;
        let callsite = head.callsite;
        let n = callsite.names.len();
        let count = callsite.bare.len();
        if n > LIVE_MAX || count > LIVE_MAX {
            return Ok(false);
        }
        let namespace = if head.flags & NAMESPACE != 0 {
            r.str("a namespace")?
        } else if head.flags & NAMESPACE_NUMBER != 0 {
            Self::numbered(&mut self.namespaces, r)?
        } else {
            callsite.module_path
        };
        let system = if head.flags & SYSTEM != 0 {
            Some(r.str("a system")?)
        } else {
            None
        };
        // (one value: read into the one the reader keeps, whatever it is)
        let source = if head.flags & SOURCE != 0 {
            r.refill_value(&mut self.source)?;
            Some(&self.source)
        } else {
            None
        };
        let mut values = [Scalar::None; LIVE_MAX];
        for value in &mut values[..n] {
            let Some(v) = r.scalar()? else {
                return Ok(false);
            };
            *value = v;
        }
        // the logger's fields, as many as a live event carries
        let mut logger_fields = [("", FieldValue::scalar_of(Scalar::None)); LIVE_MAX];
        let mut n_added = 0;
        if head.flags & LOGGER_FIELDS != 0 {
            let k = r.word("a logger field count")?;
            if k > LIVE_MAX as u64 {
                return Ok(false);
            }
            for field in &mut logger_fields[..k as usize] {
                let name = r.str("a field name")?;
                let Some(value) = r.scalar()? else {
                    return Ok(false);
                };
                *field = (name, FieldValue::scalar_of(value));
            }
            n_added = k as usize;
        }
        let mut kinds = [Kind::Plain; LIVE_MAX];
        let mut raws = [Scalar::None; LIVE_MAX];
        let bare = |i: usize, at: usize| match callsite.bare.get(i) {
            Some(&j) if usize::from(j) < n => Ok(Kind::Bare(usize::from(j))),
            _ => Err(UnpackError {
                at,
                what: "a placeholder that shows a field",
            }),
        };
        if head.flags & ALL_BARE != 0 {
            for (i, kind) in kinds[..count].iter_mut().enumerate() {
                *kind = bare(i, r.at)?;
            }
        } else {
            if r.word("a placeholder count")? != count as u64 {
                return Ok(false);
            }
            for i in 0..count {
                let at = r.at;
                kinds[i] = match r.word("a placeholder kind")? {
                    BARE => bare(i, at)?,
                    PLAIN => Kind::Plain,
                    TEXT => Kind::Text(r.str("a placeholder's text")?),
                    FAILED => return Ok(false),
                    _ => {
                        return Err(UnpackError {
                            at,
                            what: "a placeholder kind",
                        });
                    }
                };
                if !matches!(kinds[i], Kind::Bare(_)) {
                    let Some(raw) = r.scalar()? else {
                        return Ok(false);
                    };
                    raws[i] = raw;
                }
            }
        }
        r.end()?;
        // (only the first `count` and `n` are filled: the rest are never read)
        let mut shown = [Shown(None, Scalar::None); LIVE_MAX];
        for i in 0..count {
            shown[i] = match kinds[i] {
                Kind::Bare(j) => Shown(None, values[j]),
                Kind::Plain => Shown(None, raws[i]),
                Kind::Text(text) => Shown(Some(text), raws[i]),
            };
        }
        let mut placeholders: [&Placeholder<'_>; LIVE_MAX] = [&shown[0]; LIVE_MAX];
        for i in 1..count {
            placeholders[i] = &shown[i];
        }
        let mut fields = [FieldValue::scalar_of(Scalar::None); LIVE_MAX];
        for i in 0..n {
            fields[i] = FieldValue::scalar_of(values[i]);
        }
        let added = Added {
            system,
            fields: &logger_fields[..n_added],
        };
        let event = Event::live_at(
            LiveParts {
                level: head.level,
                callsite,
                namespace,
                values: &fields[..n],
                placeholders: &placeholders[..count],
                source: source.map(|s| s as &dyn Value),
                failure: None,
                logger: None,
            },
            head.time,
            &added,
        );
        f(&event);
        Ok(true)
    }

    /// The event as a kept event, new.
    fn owned(&mut self, r: &mut Reader<'_>) -> Result<OwnedEvent, UnpackError> {
        let mut event = OwnedEvent::default();
        self.refill_owned(r, &mut event)?;
        Ok(event)
    }

    /// Makes `event` the event a record holds, as a kept event, writing
    /// its strings into those `event` already has (as [`refill_kept`]
    /// does): the events a live event cannot carry are read this way
    /// without allocating, record after record. (A record that turns out
    /// short leaves it part filled: it is not handed on then.)
    fn refill_owned(
        &mut self,
        r: &mut Reader<'_>,
        event: &mut OwnedEvent,
    ) -> Result<(), UnpackError> {
        if is_kept(r.bytes) {
            return refill_kept(r, event);
        }
        let head = self.head(r)?;
        let callsite = head.callsite;
        event.level = Some(head.level);
        event.time = Some(head.time);
        event.format = Some(Cow::Borrowed(callsite.format));
        event.file = Some(Cow::Borrowed(callsite.file));
        event.line = Some(callsite.line);
        event.failure = None;
        if head.flags & NAMESPACE != 0 {
            let namespace = r.str("a namespace")?;
            OwnedEvent::refill_str(&mut event.namespace).push_str(namespace);
        } else if head.flags & NAMESPACE_NUMBER != 0 {
            let namespace = Self::numbered(&mut self.namespaces, r)?;
            OwnedEvent::refill_str(&mut event.namespace).push_str(namespace);
        } else {
            event.namespace = Some(Cow::Borrowed(callsite.module_path));
        }
        refill_system(r, head.flags & SYSTEM != 0, &mut event.system)?;
        refill_source(r, head.flags & SOURCE != 0, &mut event.source)?;
        let n = callsite.names.len();
        let fields = &mut event.fields;
        for (i, name) in callsite.names.iter().enumerate() {
            r.refill_value(static_pair(fields, i, name))?;
        }
        let mut count = 0;
        if head.flags & LOGGER_FIELDS != 0 {
            count = r.word("a logger field count")?;
            // (counts come from the words: never trusted for a size)
            for k in 0..count {
                let name = r.str("a field name")?;
                let (kept, value) = OwnedEvent::refill_pair(fields, n.saturating_add(k as usize));
                kept.push_str(name);
                r.refill_value(value)?;
            }
        }
        fields.truncate(n.saturating_add(count as usize));
        let flattened = &mut event.flattened;
        // (entries `..len` are written)
        let mut len = 0;
        // placeholder `i`, read at `at`, shows a field
        let shown = |i: usize, at: usize| {
            let j = callsite.bare.get(i).map_or(usize::MAX, |&j| usize::from(j));
            match fields.get(j) {
                Some((_, value)) if j < n => Ok(value),
                _ => Err(UnpackError {
                    at,
                    what: "a placeholder that shows a field",
                }),
            }
        };
        if head.flags & ALL_BARE != 0 {
            for (i, keys) in callsite.keys().enumerate() {
                let value = shown(i, r.at)?;
                let (text, raw) = text_and_raw(flattened, &mut len, keys);
                refill_like(raw, value);
                refill_text_of(text, value);
            }
        } else {
            let count = r.word("a placeholder count")?;
            // the count comes from the words: never trust it for a size
            for (i, keys) in callsite.keys().take(count as usize).enumerate() {
                let kind_at = r.at;
                match r.word("a placeholder kind")? {
                    BARE => {
                        let value = shown(i, kind_at)?;
                        let (text, raw) = text_and_raw(flattened, &mut len, keys);
                        refill_like(raw, value);
                        refill_text_of(text, value);
                    }
                    PLAIN => {
                        let (text, raw) = text_and_raw(flattened, &mut len, keys);
                        r.refill_value(raw)?;
                        refill_text_of(text, raw);
                    }
                    TEXT => {
                        let shown_text = r.str("a placeholder's text")?;
                        let (text, raw) = text_and_raw(flattened, &mut len, keys);
                        text.refill_str().push_str(shown_text);
                        r.refill_value(raw)?;
                    }
                    FAILED => {
                        len += 1;
                        r.refill_value(static_pair(flattened, len - 1, keys.1))?;
                    }
                    _ => {
                        return Err(UnpackError {
                            at: kind_at,
                            what: "a placeholder kind",
                        });
                    }
                }
            }
        }
        flattened.truncate(len);
        r.end()
    }
}

/// Pair `i` of `pairs` named `name` (a static name: borrowed, not
/// copied), its value as it was, to be written again; pushed if there are
/// no more than `i`.
fn static_pair<'p>(
    pairs: &'p mut Vec<(Cow<'static, str>, OwnedValue)>,
    i: usize,
    name: &'static str,
) -> &'p mut OwnedValue {
    let (kept, value) = pair_at(pairs, i);
    *kept = Cow::Borrowed(name);
    value
}

/// The next two entries of `flattened` (from `len`, which they are added
/// to), under a placeholder's text and raw keys: its text and its value,
/// to be written again.
fn text_and_raw<'p>(
    flattened: &'p mut Vec<(Cow<'static, str>, OwnedValue)>,
    len: &mut usize,
    (text_key, raw_key): (&'static str, &'static str),
) -> (&'p mut OwnedValue, &'p mut OwnedValue) {
    let at = *len;
    *len += 2;
    static_pair(flattened, at, text_key);
    static_pair(flattened, at + 1, raw_key);
    let (text, raw) = flattened[at..].split_at_mut(1);
    (&mut text[0].1, &mut raw[0].1)
}

/// Makes `slot` a copy of `value`, a string written into the one it holds.
fn refill_like(slot: &mut OwnedValue, value: &OwnedValue) {
    match value {
        OwnedValue::Str(s) => slot.refill_str().push_str(s),
        other => *slot = other.clone(),
    }
}

/// Makes `slot` the text of `value` (a string as itself), as a
/// placeholder's `log_flattened` text entry keeps it.
fn refill_text_of(slot: &mut OwnedValue, value: &OwnedValue) {
    let text = slot.refill_str();
    match value {
        OwnedValue::Str(s) => text.push_str(s),
        OwnedValue::I64(i) => crate::text::push_int(text, *i),
        OwnedValue::U64(u) => crate::text::push_int(text, *u),
        other => {
            let _ = write!(text, "{other}");
        }
    }
}

/// Whether a record is a kept event's (see [`pack_kept`]): its call site
/// number is 0.
fn is_kept(bytes: &[u8]) -> bool {
    bytes.get(..4).is_some_and(|id| id == [0; 4])
}

/// Makes `event` the kept event a record holds (see [`pack_kept`]),
/// writing its strings, sequences and maps into those `event` already
/// has: reading records into the same event allocates only to grow.
/// (A record that turns out short leaves it part filled: it is not handed
/// on then.)
fn refill_kept(r: &mut Reader<'_>, event: &mut OwnedEvent) -> Result<(), UnpackError> {
    let header = r.word("a header")?;
    let flags = (header >> 40) as u8;
    event.failure = None;
    event.level = None;
    event.time = None;
    event.line = None;
    if flags & KEPT_LEVEL != 0 {
        let level = LogLevel::from_u8((header >> 32) as u8);
        event.level = Some(level.ok_or(UnpackError {
            at: 0,
            what: "a level",
        })?);
    }
    if flags & KEPT_TIME != 0 {
        event.time = Some(f64::from_bits(r.word("a time")?));
    }
    refill_text(
        r,
        flags & KEPT_NAMESPACE != 0,
        &mut event.namespace,
        "a namespace",
    )?;
    refill_text(r, flags & KEPT_FORMAT != 0, &mut event.format, "a format")?;
    refill_system(r, flags & KEPT_SYSTEM != 0, &mut event.system)?;
    refill_source(r, flags & KEPT_SOURCE != 0, &mut event.source)?;
    refill_text(r, flags & KEPT_FILE != 0, &mut event.file, "a file")?;
    if flags & KEPT_LINE != 0 {
        let at = r.at;
        let line = u32::try_from(r.word("a line")?);
        event.line = Some(line.map_err(|_| UnpackError { at, what: "a line" })?);
    }
    // (counts come from the words: never trusted for a size)
    let n = (header >> 48) as usize;
    refill_pairs(r, n, &mut event.fields, "a field name")?;
    let count = r.word("a flattened count")?;
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    refill_pairs(r, count, &mut event.flattened, "a flattened key")?;
    r.end()
}

/// Reads an optional part of a record into `slot` with `read` when
/// `present` (into what `slot` holds, as the functions below do), else
/// empties it.
fn refill_part<T>(
    present: bool,
    slot: &mut Option<T>,
    read: impl FnOnce(&mut Option<T>) -> Result<(), UnpackError>,
) -> Result<(), UnpackError> {
    if !present {
        *slot = None;
        return Ok(());
    }
    read(slot)
}

/// Reads a string into `slot` when `present` (into the string it holds,
/// if one: see [`OwnedEvent::refill_str`]), else empties it.
fn refill_text(
    r: &mut Reader<'_>,
    present: bool,
    slot: &mut Option<Cow<'static, str>>,
    what: &'static str,
) -> Result<(), UnpackError> {
    refill_part(present, slot, |slot| {
        let text = r.str(what)?;
        OwnedEvent::refill_str(slot).push_str(text);
        Ok(())
    })
}

/// Reads `log_system` into `slot` when `present` (into the string it
/// holds, if one), else empties it.
fn refill_system(
    r: &mut Reader<'_>,
    present: bool,
    slot: &mut Option<String>,
) -> Result<(), UnpackError> {
    refill_part(present, slot, |slot| {
        let text = r.str("a system")?;
        refill_string(slot.get_or_insert_with(String::new)).push_str(text);
        Ok(())
    })
}

/// Reads `log_source` into `slot` when `present` (over the value it holds,
/// see [`Reader::refill_value`]), else empties it.
fn refill_source(
    r: &mut Reader<'_>,
    present: bool,
    slot: &mut Option<OwnedValue>,
) -> Result<(), UnpackError> {
    refill_part(present, slot, |slot| {
        r.refill_value(slot.get_or_insert(OwnedValue::None))
    })
}

/// Reads `n` name and value pairs into `pairs`, reusing the names and
/// string values it holds.
fn refill_pairs(
    r: &mut Reader<'_>,
    n: usize,
    pairs: &mut Vec<(Cow<'static, str>, OwnedValue)>,
    what: &'static str,
) -> Result<(), UnpackError> {
    for i in 0..n {
        let name = r.str(what)?;
        let (kept, value) = OwnedEvent::refill_pair(pairs, i);
        kept.push_str(name);
        r.refill_value(value)?;
    }
    pairs.truncate(n);
    Ok(())
}

/// A placeholder read back: its value, shown as it renders, or the text
/// rendered when it was packed.
#[derive(Clone, Copy)]
struct Shown<'b>(Option<&'b str>, Scalar<'b>);

impl Render for Shown<'_> {
    fn render(&self, sink: &mut dyn Sink) {
        match self.0 {
            Some(text) => sink.put(format_args!("{text}"), Some(&self.1)),
            None => sink.put(format_args!("{}", self.1), Some(&self.1)),
        }
    }
    fn __write_plain(&self, out: &mut String) -> bool {
        self.0.is_none() && self.1.write_plain(out)
    }
}

struct Reader<'b> {
    /// The record's words, as bytes.
    bytes: &'b [u8],
    /// The next word.
    at: usize,
}

/// How deep sequences and maps may nest when read back.
const MAX_DEPTH: usize = 128;

impl<'b> Reader<'b> {
    fn new(bytes: &'b [u8]) -> Reader<'b> {
        Reader { bytes, at: 0 }
    }
    fn error(&self, what: &'static str) -> UnpackError {
        UnpackError { at: self.at, what }
    }
    /// Words left to read.
    fn left(&self) -> usize {
        (self.bytes.len() / 8).saturating_sub(self.at)
    }
    fn end(&self) -> Result<(), UnpackError> {
        if self.left() == 0 {
            Ok(())
        } else {
            Err(self.error("the end of the event"))
        }
    }
    fn word(&mut self, what: &'static str) -> Result<u64, UnpackError> {
        let at = self.at * 8;
        let w = self
            .bytes
            .get(at..at + 8)
            .ok_or(self.error(what))?
            .try_into()
            .map_err(|_| self.error(what))?;
        self.at += 1;
        Ok(u64::from_le_bytes(w))
    }
    /// The string whose tag word was just read (at `at`).
    fn text(&mut self, tag: u64, at: usize, what: &'static str) -> Result<&'b str, UnpackError> {
        let len = usize::try_from(tag >> 8).unwrap_or(usize::MAX);
        // the length comes from the words: only words there make bytes
        if len.div_ceil(8) > self.left() {
            return Err(self.error(what));
        }
        let start = self.at * 8;
        let bytes = &self.bytes[start..start + len];
        self.at += len.div_ceil(8);
        std::str::from_utf8(bytes).map_err(|_| UnpackError { at, what })
    }
    fn str(&mut self, what: &'static str) -> Result<&'b str, UnpackError> {
        let at = self.at;
        let tag = self.word(what)?;
        if tag & 0xff != STR {
            return Err(UnpackError { at, what });
        }
        self.text(tag, at, what)
    }
    /// A value's first word and, for a string or a scalar, the rest of
    /// it (a string borrowed from the record).
    fn item(&mut self) -> Result<Item<'b>, UnpackError> {
        let at = self.at;
        let tag = self.word("a value")?;
        let count = tag >> 8;
        let scalar = match tag & 0xff {
            STR => Scalar::Str(self.text(tag, at, "a string")?),
            SEQ => return Ok(Item::Seq(count)),
            MAP => return Ok(Item::Map(count)),
            // no count above the tag of any other value
            _ if count != 0 => {
                return Err(UnpackError {
                    at,
                    what: "a value tag",
                });
            }
            NONE => Scalar::None,
            FALSE => Scalar::Bool(false),
            TRUE => Scalar::Bool(true),
            I64 => Scalar::I64(self.word("an integer")? as i64),
            U64 => Scalar::U64(self.word("an integer")?),
            F64 => Scalar::F64(f64::from_bits(self.word("a float")?)),
            UNPERSISTABLE => Scalar::Unpersistable,
            _ => {
                return Err(UnpackError {
                    at,
                    what: "a value tag",
                });
            }
        };
        Ok(Item::Scalar(scalar))
    }
    /// A string or a scalar; `None` for a sequence or a map (whose items
    /// are left unread).
    fn scalar(&mut self) -> Result<Option<Scalar<'b>>, UnpackError> {
        Ok(match self.item()? {
            Item::Scalar(scalar) => Some(scalar),
            Item::Seq(_) | Item::Map(_) => None,
        })
    }
    /// Reads a value into `slot`, writing over the strings, sequences and
    /// maps it holds (see [`OwnedValue::refill_str`]): a value read into
    /// the same slot record after record allocates only to grow.
    fn refill_value(&mut self, slot: &mut OwnedValue) -> Result<(), UnpackError> {
        self.refill_at(slot, 0)
    }
    /// [`Reader::refill_value`] for a value nested `depth` deep.
    fn refill_at(&mut self, slot: &mut OwnedValue, depth: usize) -> Result<(), UnpackError> {
        if depth > MAX_DEPTH {
            return Err(self.error("values nested less deeply"));
        }
        let item = self.item()?;
        self.refill_item(item, slot, depth)
    }
    /// Reads the rest of the value whose first word gave `item` into
    /// `slot`.
    fn refill_item(
        &mut self,
        item: Item<'b>,
        slot: &mut OwnedValue,
        depth: usize,
    ) -> Result<(), UnpackError> {
        match item {
            Item::Scalar(scalar) => slot.refill_scalar(scalar),
            Item::Seq(count) => {
                let items = slot.refill_seq();
                let mut len = 0;
                // (the count comes from the words: one item read per push)
                for _ in 0..count {
                    if len == items.len() {
                        items.push(OwnedValue::None);
                    }
                    self.refill_at(&mut items[len], depth + 1)?;
                    len += 1;
                }
                items.truncate(len);
            }
            Item::Map(count) => {
                let entries = slot.refill_map();
                let mut len = 0;
                for _ in 0..count {
                    if len == entries.len() {
                        entries.push((String::new(), OwnedValue::None));
                    }
                    let (key, value) = &mut entries[len];
                    self.refill_key(key, depth + 1)?;
                    self.refill_at(value, depth + 1)?;
                    len += 1;
                }
                entries.truncate(len);
            }
        }
        Ok(())
    }
    /// Reads a map's key into `key`: a string as itself, another value as
    /// its text (as [`OwnedValue::from_value`] keeps a key).
    fn refill_key(&mut self, key: &mut String, depth: usize) -> Result<(), UnpackError> {
        if depth > MAX_DEPTH {
            return Err(self.error("values nested less deeply"));
        }
        match self.item()? {
            Item::Scalar(Scalar::Str(s)) => refill_string(key).push_str(s),
            item => {
                let mut value = OwnedValue::None;
                self.refill_item(item, &mut value, depth)?;
                let _ = write!(refill_string(key), "{value}");
            }
        }
        Ok(())
    }
}

/// A value's first word read (see [`Reader::item`]).
enum Item<'b> {
    Scalar(Scalar<'b>),
    /// A sequence of this many values.
    Seq(u64),
    /// A map of this many entries.
    Map(u64),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Piece;
    use crate::placeholder::{Placeholder, ShowValue};

    static SITE: Callsite = Callsite {
        format: "{who} has {n} {items}",
        pieces: &[
            Piece::Field("who!s:", "who!:"),
            Piece::Literal(" has "),
            Piece::Field("n!s:", "n!:"),
            Piece::Literal(" "),
            Piece::Field("items!s:", "items!:"),
        ],
        names: &["who", "n"],
        module_path: "packed::tests",
        file: "packed.rs",
        line: 1,
        calls: false,
        bare: &[0, 1, u8::MAX],
        escape_free: true,
        id: CallsiteId::new(),
        interest: crate::interest::Interest::new(),
    };

    fn bytes_of(words: &[u64]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Runs `f` on the test event with `n`.
    fn with_event<R>(n: u64, f: impl FnOnce(&Event<'_>) -> R) -> R {
        let who = "ann";
        let items = vec![Some(1.5), None];
        let show_who = |s: &mut dyn Sink| s.put(format_args!("{who}"), Some(&who));
        let show_n = |s: &mut dyn Sink| s.put(format_args!("{n}"), Some(&n));
        let show_items = |s: &mut dyn Sink| s.put(format_args!("{items:?}"), Some(&items));
        let placeholders: [&Placeholder<'_>; 3] = [&show_who, &show_n, &show_items];
        // (one held as itself, as the macros hold a string, one by reference)
        let values = [FieldValue::of(&who), FieldValue::from_dyn(&n)];
        f(&Event::live(LiveParts {
            level: LogLevel::Warn,
            callsite: &SITE,
            namespace: "elsewhere",
            values: &values,
            placeholders: &placeholders,
            source: Some(&items),
            failure: None,
            logger: None,
        }))
    }

    /// A call site of one field shown by itself: `{s}`.
    static PLAIN: Callsite = Callsite {
        format: "{s}",
        pieces: &[Piece::Field("s!s:", "s!:")],
        names: &["s"],
        module_path: "packed::tests::plain",
        file: "packed.rs",
        line: 2,
        calls: false,
        bare: &[0],
        escape_free: true,
        id: CallsiteId::new(),
        interest: crate::interest::Interest::new(),
    };

    /// The parts of an event at info of `callsite` with `values` and
    /// `placeholders`, and nothing else.
    fn plain_parts<'a>(
        callsite: &'static Callsite,
        namespace: &'a str,
        values: &'a [FieldValue<'a>],
        placeholders: &'a [&'a Placeholder<'a>],
    ) -> LiveParts<'a> {
        LiveParts {
            level: LogLevel::Info,
            callsite,
            namespace,
            values,
            placeholders,
            source: None,
            failure: None,
            logger: None,
        }
    }

    /// Packs the test event with `n`.
    fn packed(n: u64) -> Vec<u64> {
        let mut out = Vec::new();
        assert!(with_event(n, |event| pack(event, &mut out)));
        out
    }

    /// A call site whose placeholders are all plain `{name}`s, as the
    /// macros hand to [`pack_direct_into`] (`x` is a field not shown).
    static DIRECT: Callsite = Callsite {
        format: "{s} sent {n} at {f} {b}",
        pieces: &[
            Piece::Field("s!s:", "s!:"),
            Piece::Literal(" sent "),
            Piece::Field("n!s:", "n!:"),
            Piece::Literal(" at "),
            Piece::Field("f!s:", "f!:"),
            Piece::Literal(" "),
            Piece::Field("b!s:", "b!:"),
        ],
        names: &["s", "n", "f", "b", "x"],
        module_path: "packed::tests::direct",
        file: "packed.rs",
        line: 3,
        calls: false,
        bare: &[0, 1, 2, 3],
        escape_free: true,
        id: CallsiteId::new(),
        interest: crate::interest::Interest::new(),
    };

    /// Packs the call to `DIRECT` through `logger` (`None`: the global
    /// publisher) directly and as the event it stands for: what each gave,
    /// and the words (time left out).
    fn direct_and_event(
        logger: Option<&Logger>,
        values: &[FieldValue<'_>],
    ) -> [(Packed, Vec<u64>); 2] {
        let (s, n, f, b) = ("ann", -4i32, 0.25, true);
        let placeholders: [&Placeholder<'_>; 4] = [
            &ShowValue(&s),
            &ShowValue(&n),
            &ShowValue(&f),
            &ShowValue(&b),
        ];
        let event = Event::live(LiveParts {
            level: LogLevel::Error,
            callsite: &DIRECT,
            namespace: logger.map_or(DIRECT.module_path, Logger::namespace),
            values,
            placeholders: &placeholders,
            source: None,
            failure: None,
            logger,
        });
        let call = DirectCall {
            level: LogLevel::Error,
            callsite: &DIRECT,
            values,
            logger,
        };
        let ring: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
        let words = |packed: Packed| {
            let len = match packed {
                Packed::Done(len) => len,
                _ => 0,
            };
            let words: Vec<u64> = ring[..len]
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != 1)
                .map(|(_, w)| w.swap(0, Ordering::Relaxed))
                .collect();
            (packed, words)
        };
        let direct = words(pack_direct_into(&call, &ring, 64, 64));
        let whole = words(pack_into(&event, &ring, 64, 64));
        [direct, whole]
    }

    #[test]
    fn a_call_packed_directly_is_the_event_it_stands_for_word_for_word() {
        let (s, n, f, b, list) = ("ann", -4i32, 0.25, true, vec![1u8]);
        let values = [
            FieldValue::of(&s),
            FieldValue::of(&n),
            FieldValue::of(&f),
            FieldValue::of(&b),
            FieldValue::of(&7u64),
        ];
        // the logger's own namespace (a number), the module path's
        // (nothing), and no logger (the module path's)
        let loggers = [Logger::new("app::direct"), Logger::new(DIRECT.module_path)];
        for logger in [Some(&loggers[0]), Some(&loggers[1]), None] {
            let [(direct, words), whole] = direct_and_event(logger, &values);
            assert!(matches!(direct, Packed::Done(_)), "{direct:?}");
            assert_eq!((direct, &words), (whole.0, &whole.1));
            // and it reads back as that event
            let ring: Vec<AtomicU64> = (0..16).map(|_| AtomicU64::new(0)).collect();
            let call = DirectCall {
                level: LogLevel::Error,
                callsite: &DIRECT,
                values: &values,
                logger,
            };
            let Packed::Done(len) = pack_direct_into(&call, &ring, 0, 16) else {
                panic!("packs")
            };
            let read: Vec<u64> = ring[..len]
                .iter()
                .map(|w| w.load(Ordering::Relaxed))
                .collect();
            let kept = Unpacker::new().unpack(&read).unwrap();
            assert_eq!(crate::format_event(&kept), "ann sent -4 at 0.25 true");
            assert_eq!(kept.namespace.as_deref(), Some(call.namespace()));
            assert_eq!(kept.level, Some(LogLevel::Error));
            assert_eq!(kept.field("x"), Some(&OwnedValue::U64(7)));
        }
        // strings of every length around a word's, and other scalars
        let logger = Logger::new("app::direct");
        let long = "0123456789abcdefghijklmnopqrstu\u{e9}";
        for len in 0..long.len() {
            let Some(s) = long.get(..len) else { continue };
            let (n, f, even) = (i64::MIN + len as i64, -(len as f64) / 3.0, len % 2 == 0);
            let values = [
                FieldValue::of(&s),
                FieldValue::of(&n),
                FieldValue::of(&f),
                FieldValue::of(&even),
                FieldValue::of(&u64::MAX),
            ];
            let [(direct, words), whole] = direct_and_event(Some(&logger), &values);
            assert!(matches!(direct, Packed::Done(_)), "{len}: {direct:?}");
            assert_eq!((direct, &words), (whole.0, &whole.1), "{len}");
        }
        // too little room: the words needed, as `pack_into` says
        let ring: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
        let logger = Logger::new("app::direct");
        let call = DirectCall {
            level: LogLevel::Error,
            callsite: &DIRECT,
            values: &values,
            logger: Some(&logger),
        };
        let Packed::Done(len) = pack_direct_into(&call, &ring, 0, 64) else {
            panic!("packs")
        };
        assert_eq!(
            pack_direct_into(&call, &ring, 0, len - 1),
            Packed::NoRoom(len)
        );
        // what it leaves to the event: a value held by reference (packing
        // it may run the caller's code), a logger that adds fields or a
        // system, a call site that calls or shows a field otherwise
        let by_reference = [
            values[0],
            values[1],
            values[2],
            values[3],
            FieldValue::of(&list),
        ];
        let [(direct, _), (whole, _)] = direct_and_event(Some(&logger), &by_reference);
        assert_eq!(
            (direct, matches!(whole, Packed::Done(_))),
            (Packed::Unpackable, true)
        );
        for logger in [
            logger.bind("k", 1u8),
            logger.clone().with_context(crate::Context::PID),
            logger.clone().with_system("sys"),
        ] {
            let [(direct, _), _] = direct_and_event(Some(&logger), &values);
            assert_eq!(direct, Packed::Unpackable);
        }
        static CALLS: Callsite = Callsite {
            calls: true,
            bare: &[],
            pieces: &[],
            names: &[],
            id: CallsiteId::new(),
            interest: crate::interest::Interest::new(),
            ..SHOWS_NONE
        };
        static SHOWS_NONE: Callsite = Callsite {
            format: "{s!r}",
            pieces: &[Piece::Field("s!r:", "s!:")],
            names: &[],
            module_path: "packed::tests::direct",
            file: "packed.rs",
            line: 4,
            calls: false,
            bare: &[u8::MAX],
            escape_free: true,
            id: CallsiteId::new(),
            interest: crate::interest::Interest::new(),
        };
        for callsite in [&CALLS, &SHOWS_NONE] {
            let call = DirectCall {
                level: LogLevel::Info,
                callsite,
                values: &[],
                logger: Some(&logger),
            };
            assert_eq!(pack_direct_into(&call, &ring, 0, 64), Packed::Unpackable);
        }
        // values not one per name
        let call = DirectCall {
            values: &values[..4],
            ..call
        };
        assert_eq!(pack_direct_into(&call, &ring, 0, 64), Packed::Unpackable);
    }

    /// A call site of two plain `{name}`s: `{a} {b}`.
    static TWO: Callsite = Callsite {
        bare: &[0, 1],
        escape_free: true,
        ..Callsite::internal(
            "packed::tests::two",
            "{a} {b}",
            &[
                Piece::Field("a!s:", "a!:"),
                Piece::Literal(" "),
                Piece::Field("b!s:", "b!:"),
            ],
            &["a", "b"],
            "packed.rs",
            3,
        )
    };

    /// An event given no placeholders (as the macros make one whose plain
    /// `{name}`s all show integers, floats, bools or strings) renders,
    /// flattens, keeps and packs as the same event given `ShowValue`s.
    #[test]
    fn fields_shown_from_their_values_are_the_placeholders_they_stand_for() {
        fn same<A, B>(a: A, b: B)
        where
            A: crate::ShowsAsScalar + fmt::Display,
            B: crate::ShowsAsScalar + fmt::Display,
        {
            let values = [FieldValue::of(&a), FieldValue::of(&b)];
            let (show_a, show_b) = (ShowValue(&a), ShowValue(&b));
            let given: [&Placeholder<'_>; 2] = [&show_a, &show_b];
            // what a reader sees of an event, with the time left out
            let seen = |placeholders: &[&Placeholder<'_>], first: bool| {
                let event = Event::live(plain_parts(&TWO, "ns", &values, placeholders));
                let mut text = String::new();
                if first {
                    event.write_text(&mut text);
                }
                text.push('|');
                text.push_str(&event.text());
                let mut flattened = Vec::new();
                event.for_each_flattened(&mut |k, v| {
                    flattened.push(format!("{k}={:?}", OwnedValue::from_value(v)))
                });
                let mut kept = event.to_owned_event();
                kept.time = None;
                let mut words = Vec::new();
                assert!(pack(&event, &mut words));
                words[1] = 0;
                (text, flattened, format!("{kept:?}"), words)
            };
            for first in [true, false] {
                assert_eq!(seen(&given, first), seen(&[], first));
            }
        }
        same(i8::MIN, u64::MAX);
        same(-0.0f64, f64::NAN);
        same(f64::INFINITY, 0.1f64);
        same(true, "q\"uote\n\u{1} é");
        let deep: &&str = &"deep";
        same(String::from("owned"), deep);
        same(
            std::sync::Arc::new(7usize),
            std::borrow::Cow::Borrowed("cow"),
        );
        // and written into a line from the values, as given
        let (n, s) = (42u16, "x");
        let values = [FieldValue::of(&n), FieldValue::of(&s)];
        let mut line = String::from("> ");
        Event::live(plain_parts(&TWO, "ns", &values, &[])).write_text(&mut line);
        assert_eq!(line, "> 42 x");
    }

    /// An event with a logger's system and fields is read back live with
    /// them, and packs again from what was read back: the same event.
    #[test]
    fn a_loggers_system_and_fields_read_back_live_and_pack_again() {
        let logger = Logger::new("app::db")
            .with_system("db-1")
            .bind("shard", 3u8)
            .bind("who", "ann");
        let s = "x";
        let values = [FieldValue::of(&s)];
        let show = crate::ShowValue(&s);
        let placeholders = [&show as &Placeholder<'_>];
        let event = Event::live(LiveParts {
            logger: Some(&logger),
            ..plain_parts(&PLAIN, logger.namespace(), &values, &placeholders)
        });
        let mut words = Vec::new();
        assert!(pack(&event, &mut words));
        let kept = event.to_owned_event();
        let mut unpacker = Unpacker::new();
        let (mut again, mut read) = (Vec::new(), None);
        unpacker
            .unpack_with(&words, &mut |e| {
                assert_eq!(e.system(), Some("db-1"));
                assert!(e.has_logger_fields());
                assert!(pack(e, &mut again));
                read = Some(e.to_owned_event());
            })
            .unwrap();
        let mut read = read.unwrap();
        read.time = kept.time;
        assert_eq!(read, kept);
        let mut twice = unpacker.unpack(&again).unwrap();
        twice.time = kept.time;
        assert_eq!(twice, kept);
    }

    #[test]
    fn every_cut_of_a_record_is_an_error_not_a_panic() {
        let words = packed(7);
        let mut unpacker = Unpacker::new();
        let event = unpacker.unpack(&words).unwrap();
        assert_eq!(crate::format_event(&event), "ann has 7 [Some(1.5), None]");
        assert_eq!(event.namespace.as_deref(), Some("elsewhere"));
        let mut missing = Vec::new();
        for cut in 0..words.len() {
            let kept = unpacker.unpack(&words[..cut]).unwrap_err();
            let live = unpacker.unpack_with(&words[..cut], &mut |_| panic!("cut at {cut} read"));
            assert_eq!(live.unwrap_err(), kept, "cut at {cut}");
            missing.push((kept.at, kept.what));
        }
        // what each cut misses, and where: the record's layout, word by word
        let layout = [
            (0, "a call site number"),
            (1, "a time"),
            (2, "a namespace"),
            (3, "a namespace"),
            (3, "a namespace"),
            // log_source: a sequence of Some(1.5), None
            (5, "a value"),
            (6, "a value"),
            (7, "a float"),
            (8, "a value"),
            // the fields: "ann", 7
            (9, "a value"),
            (10, "a string"),
            (11, "a value"),
            (12, "an integer"),
            // the placeholders, their text rendered (`items` has none plain)
            (13, "a placeholder count"),
            (14, "a placeholder kind"),
            (15, "a placeholder's text"),
            (16, "a placeholder's text"),
            (17, "a value"),
            (18, "a string"),
            (19, "a placeholder kind"),
            (20, "a placeholder's text"),
            (21, "a placeholder's text"),
            (22, "a value"),
            (23, "an integer"),
            (24, "a placeholder kind"),
            (25, "a placeholder's text"),
            (26, "a placeholder's text"),
            (26, "a placeholder's text"),
            (26, "a placeholder's text"),
            (29, "a value"),
            (30, "a value"),
            (31, "a float"),
            (32, "a value"),
        ];
        assert_eq!(missing, layout);
        let mut longer = words.clone();
        longer.push(0);
        assert_eq!(
            unpacker.unpack(&longer).unwrap_err().what,
            "the end of the event"
        );
    }

    #[test]
    fn each_way_a_record_can_be_wrong_is_named() {
        packed(1); // numbers SITE
        let id = u64::from(SITE.id.get().unwrap());
        let record = |level: u64, flags: u64, fields: u64, body: &[u64]| {
            let mut r = vec![id | level << 32 | flags << 40 | fields << 48, 0];
            r.extend_from_slice(body);
            r
        };
        let ann = u64::from_le_bytes(*b"ann\0\0\0\0\0");
        let fields = |first_tag: u64| vec![first_tag | 3 << 8, ann, U64, 7];
        let placeholders = |kinds: &[u64]| {
            let mut b = fields(STR);
            b.push(kinds.len() as u64);
            b.extend_from_slice(kinds);
            b
        };
        let info = u64::from(LogLevel::Info.as_u8());
        let logger_fields = |rest: &[u64]| [&fields(STR)[..], rest].concat();
        let numbered = |number: u64| [&[number][..], &fields(STR)[..]].concat();
        let number_flag = u64::from(NAMESPACE_NUMBER);
        let cases: [(Vec<u64>, &str, usize); 17] = [
            (
                record(info, number_flag | u64::from(NAMESPACE), 2, &numbered(1)),
                "flags",
                0,
            ),
            (record(info, number_flag, 2, &[]), "a namespace number", 2),
            (
                record(info, number_flag, 2, &numbered(0)),
                "a known namespace number",
                2,
            ),
            (
                record(info, number_flag, 2, &numbered(u64::MAX)),
                "a known namespace number",
                2,
            ),
            (record(9, 0, 2, &fields(STR)), "a level", 0),
            (record(info, 0x80, 2, &fields(STR)), "flags", 0),
            (record(info, u64::from(SYSTEM), 2, &[]), "a system", 2),
            (
                record(info, u64::from(LOGGER_FIELDS), 2, &logger_fields(&[])),
                "a logger field count",
                6,
            ),
            (
                record(info, u64::from(LOGGER_FIELDS), 2, &logger_fields(&[1, U64])),
                "a field name",
                7,
            ),
            (
                record(info, 0, 0, &[]),
                "as many fields as the call site has",
                0,
            ),
            (record(info, 0, 2, &fields(0xee)), "a value tag", 2),
            (record(info, 0, 2, &fields(NONE | 3 << 8)), "a value tag", 2),
            (
                record(info, 0, 2, &[STR | 1 << 8, 0xff, U64, 7, 0]),
                "a string",
                2,
            ),
            (
                record(info, 0, 2, &placeholders(&[9])),
                "a placeholder kind",
                7,
            ),
            (
                record(info, 0, 2, &placeholders(&[BARE, BARE, BARE])),
                "a placeholder that shows a field",
                9,
            ),
            (
                record(info, u64::from(ALL_BARE), 2, &fields(STR)),
                "a placeholder that shows a field",
                6,
            ),
            (
                record(info, 0, 2, &[&placeholders(&[])[..], &[0]].concat()),
                "the end of the event",
                7,
            ),
        ];
        let mut unpacker = Unpacker::new();
        for (words, what, at) in cases {
            let want = UnpackError { at, what };
            assert_eq!(unpacker.unpack(&words).unwrap_err(), want, "{words:x?}");
            let live = unpacker.unpack_with(&words, &mut |_| panic!("{words:x?} read"));
            assert_eq!(live.unwrap_err(), want, "live: {words:x?}");
        }
        // a record that only nests
        let deep = bytes_of(&[SEQ | 1 << 8].repeat(MAX_DEPTH + 2));
        let err = Reader::new(&deep)
            .refill_value(&mut OwnedValue::None)
            .unwrap_err();
        assert_eq!(err.what, "values nested less deeply");
    }

    #[test]
    fn a_loggers_namespace_is_packed_as_its_number_and_reads_back() {
        let logger = Logger::new("packed-test::numbered");
        let n = 5u8;
        let values = [FieldValue::of(&n)];
        let show = crate::ShowValue(&n);
        let placeholders = [&show as &Placeholder<'_>];
        let event = |logger: &Logger, namespace: &str| {
            let mut out = Vec::new();
            let event = Event::live(LiveParts {
                level: LogLevel::Info,
                callsite: &PLAIN,
                namespace,
                values: &values,
                placeholders: &placeholders,
                source: None,
                failure: None,
                logger: Some(logger),
            });
            assert!(pack(&event, &mut out));
            out
        };
        let numbered = event(&logger, logger.namespace());
        // the same text, not the logger's: written out
        let text = event(&logger, &String::from("packed-test::numbered"));
        let number = logger.namespace_number().expect("numbered");
        assert_eq!(numbered[2], u64::from(number));
        assert_eq!(
            numbered.len() + 3,
            text.len(),
            "one word, not a string's four"
        );
        assert_eq!(
            (numbered[0] >> 40) as u8 & NAMESPACE_NUMBER,
            NAMESPACE_NUMBER
        );
        let mut unpacker = Unpacker::new();
        for words in [&numbered, &text] {
            let kept = unpacker.unpack(words).unwrap();
            assert_eq!(kept.namespace.as_deref(), Some("packed-test::numbered"));
            let mut live = None;
            unpacker
                .unpack_with(words, &mut |e| live = e.namespace().map(str::to_string))
                .unwrap();
            assert_eq!(live.as_deref(), Some("packed-test::numbered"));
        }
        // a clone keeps the number; another logger of the same text shares it
        assert_eq!(logger.clone().namespace_number(), Some(number));
        let other = Logger::new(String::from("packed-test::numbered"));
        assert_eq!(other.namespace_number(), Some(number));
    }

    #[test]
    fn any_words_unpack_without_panicking() {
        let words = packed(1);
        let mut unpacker = Unpacker::new();
        // every single-bit change of a real record, and some noise
        for at in 0..words.len() {
            for bit in 0..64 {
                let mut changed = words.clone();
                changed[at] ^= 1 << bit;
                let _ = unpacker.unpack(&changed);
                let _ = unpacker.unpack_with(&changed, &mut |e| drop(e.text()));
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let id = u64::from(SITE.id.get().unwrap());
        for len in 0..2000 {
            let mut noise: Vec<u64> = (0..len % 23).map(|_| next()).collect();
            if let Some(first) = noise.first_mut() {
                // a known call site, to get past the first word
                *first = *first & !0xffff_ffff | id;
            }
            let _ = unpacker.unpack(&noise);
            let _ = unpacker.unpack_with(&noise, &mut |e| drop(e.text()));
        }
    }

    #[test]
    fn a_display_value_is_written_into_the_words_and_a_failing_one_says_so() {
        struct Shown<'a>(&'a [&'a str]);
        impl fmt::Display for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.iter().try_for_each(|s| f.write_str(s))
            }
        }
        struct Fails;
        impl fmt::Display for Fails {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("partial text")?;
                Err(fmt::Error)
            }
        }
        struct Panics;
        impl fmt::Display for Panics {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("partial text")?;
                panic!("no text today")
            }
        }
        let read_back = |value: &dyn Value| {
            let words: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
            let mut p = Packer {
                words: &words,
                at: 0,
            };
            value.visit(&mut p);
            let read: Vec<u64> = words[..p.at]
                .iter()
                .map(|w| w.load(Ordering::Relaxed))
                .collect();
            let read = bytes_of(&read);
            let mut r = Reader::new(&read);
            let mut value = OwnedValue::None;
            r.refill_value(&mut value).unwrap();
            assert_eq!(r.left(), 0);
            value
        };
        // pieces of every length, meeting word boundaries everywhere
        let pieces = [
            "",
            "a",
            "bc",
            "defghij",
            "klmnopqr",
            "stuvwxyz0",
            "123",
            "é",
            "—",
        ];
        for k in 0..pieces.len() {
            let shown = &pieces[k..];
            let text: String = shown.concat();
            let value = crate::value::DisplayValue(Shown(shown));
            assert_eq!(read_back(&value), OwnedValue::Str(text));
        }
        assert_eq!(
            read_back(&crate::value::DisplayValue(Fails)),
            OwnedValue::Str("<unformattable: a formatting trait returned an error>".into())
        );
        assert_eq!(
            read_back(&crate::value::DisplayValue(Panics)),
            OwnedValue::Str("<unformattable: panicked: no text today>".into())
        );
    }

    #[test]
    fn strings_of_every_length_read_back_both_ways() {
        let mut unpacker = Unpacker::new();
        for text in ["a", "é", "—", "\u{1F600}"] {
            for n in 0..=20 {
                let s = text.repeat(n);
                let namespace = format!("ns{s}");
                let values = [if n % 2 == 0 {
                    FieldValue::of(&s)
                } else {
                    FieldValue::from_dyn(&s)
                }];
                let show = crate::placeholder::ShowValue(&s);
                let placeholders = [&show as &Placeholder<'_>];
                let event = Event::live(plain_parts(&PLAIN, &namespace, &values, &placeholders));
                let mut words = Vec::new();
                assert!(pack(&event, &mut words));
                let mut kept = event.to_owned_event();
                let mut read = unpacker.unpack(&words).unwrap();
                let mut live = None;
                unpacker
                    .unpack_with(&words, &mut |e| {
                        live = Some((e.to_owned_event(), e.text().into_owned()))
                    })
                    .unwrap();
                let (mut live, text) = live.unwrap();
                (kept.time, read.time, live.time) = (None, None, None);
                assert_eq!(read, kept, "{s:?}");
                assert_eq!(live, kept, "{s:?}");
                assert_eq!(text, s);
            }
        }
    }

    #[test]
    fn the_last_word_of_every_length_holds_the_bytes_after_the_whole_words() {
        let text: Vec<u8> = (1..=40).collect();
        for len in 0..=text.len() {
            let bytes = &text[..len];
            let mut want = [0; 8];
            let whole = len - len % 8;
            want[..len - whole].copy_from_slice(&bytes[whole..]);
            assert_eq!(last_word(bytes), u64::from_le_bytes(want), "length {len}");
        }
    }

    #[test]
    fn an_event_packs_into_a_ring_only_within_its_room() {
        let full = packed(3);
        let len = full.len();
        let ring: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
        assert!(len < 64);
        let into = |words: &[AtomicU64], start, room| {
            with_event(3, |event| pack_into(event, words, start, room))
        };
        // too little room, or too little before the array's end
        assert_eq!(into(&ring, 10, len - 1), Packed::NoRoom(len));
        assert_eq!(into(&ring, 0, 0), Packed::NoRoom(len));
        assert_eq!(into(&ring, 64 - (len - 1), 64), Packed::NoRoom(len));
        // a position is taken modulo the length
        assert_eq!(into(&ring, 64 + 10, len), Packed::Done(len));
        let read: Vec<u64> = (10..10 + len)
            .map(|i| ring[i].load(Ordering::Relaxed))
            .collect();
        let (a, b) = (
            Unpacker::new().unpack(&read).unwrap(),
            Unpacker::new().unpack(&full).unwrap(),
        );
        assert_eq!((a.fields, a.flattened), (b.fields, b.flattened));
        let not_a_ring: Vec<AtomicU64> = (0..24).map(|_| AtomicU64::new(0)).collect();
        assert_eq!(into(&not_a_ring, 0, 24), Packed::Unpackable);
        // Fewer values than the call site has names (only a hand-built
        // event can have them): not packed, and read whole without panics.
        let who = "ann";
        let values = [FieldValue::of(&who)];
        let short = Event::live(LiveParts {
            level: LogLevel::Warn,
            callsite: &SITE,
            namespace: "elsewhere",
            values: &values,
            placeholders: &[],
            source: None,
            failure: None,
            logger: None,
        });
        assert_eq!(pack_into(&short, &ring, 0, 64), Packed::Unpackable);
        let kept = short.to_owned_event();
        assert_eq!(kept.fields.len(), 1);
        assert_eq!(kept.fields[0].0, "who");
    }

    #[test]
    fn a_call_site_keeps_which_fields_its_placeholders_show() {
        let site = |bare: &'static [u8]| Callsite {
            bare,
            ..Callsite::internal("m", "f", &[], &[], "f.rs", 1)
        };
        assert_eq!(shown_fields(&site(&[0, 2])), 0b101 | ALL_SHOWN);
        assert_eq!(shown_fields(&site(&[])), ALL_SHOWN);
        assert_eq!(shown_fields(&site(&[30])), 1 << 30 | ALL_SHOWN);
        // a placeholder that shows no field, or one past the 31st
        assert_eq!(shown_fields(&site(&[0, u8::MAX])), 0);
        assert_eq!(shown_fields(&site(&[31])), 0);
        // kept beside the number, which reads back as before
        packed(1);
        let word = SITE.id.0.load(Ordering::Acquire);
        assert_eq!(SITE.id.get(), Some(word as u32));
        assert_eq!(word >> 32, 0);
    }

    /// A placeholder showing a field past the 31st is packed with the
    /// other placeholders (not checked all at once), and reads back.
    #[test]
    fn a_placeholder_showing_the_fortieth_field_reads_back() {
        static NAMES: [&str; 40] = {
            let mut names = ["f"; 40];
            names[39] = "last";
            names
        };
        static MANY: Callsite = Callsite {
            format: "{last}",
            pieces: &[Piece::Field("last!s:", "last!:")],
            names: &NAMES,
            module_path: "packed::tests::many",
            file: "packed.rs",
            line: 3,
            calls: false,
            bare: &[39],
            escape_free: true,
            id: CallsiteId::new(),
            interest: crate::interest::Interest::new(),
        };
        let numbers: Vec<u64> = (0..40).collect();
        let values: Vec<FieldValue<'_>> = numbers.iter().map(FieldValue::of).collect();
        let show = crate::placeholder::ShowValue(&numbers[39]);
        let placeholders: [&Placeholder<'_>; 1] = [&show];
        let event = Event::live(plain_parts(&MANY, MANY.module_path, &values, &placeholders));
        let mut words = Vec::new();
        assert!(pack(&event, &mut words));
        let kept = Unpacker::new().unpack(&words).unwrap();
        assert_eq!(crate::format_event(&kept), "39");
        assert_eq!(kept.fields, event.to_owned_event().fields);
    }

    #[test]
    fn clock_readings_read_back_in_order_and_near_the_wall_clock() {
        let before = clock::system_now();
        let records: Vec<Vec<u64>> = (0..100).map(packed).collect();
        let after = clock::system_now();
        let mut unpacker = Unpacker::new();
        let times: Vec<f64> = records
            .iter()
            .map(|r| unpacker.unpack(r).unwrap().time.unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(before - 0.01 <= times[0] && times[99] <= after + 0.01);
    }

    /// Kept events with every combination of parts, and values of every
    /// kind.
    fn kept_events() -> Vec<OwnedEvent> {
        let values = [
            OwnedValue::None,
            OwnedValue::Bool(true),
            OwnedValue::I64(i64::MIN),
            OwnedValue::U64(u64::MAX),
            OwnedValue::U64(5),
            OwnedValue::F64(-0.25),
            OwnedValue::F64(f64::INFINITY),
            OwnedValue::Str(String::new()),
            OwnedValue::Str("é — \u{1F600} {braces}".into()),
            OwnedValue::Seq(vec![OwnedValue::I64(1), OwnedValue::Seq(vec![])]),
            OwnedValue::Map(vec![("k".into(), OwnedValue::Str("v".into()))]),
            OwnedValue::Unpersistable,
        ];
        (0..256u32)
            .map(|parts| {
                let has = |bit: u32| parts & (1 << bit) != 0;
                let text = |bit, t: &str| has(bit).then(|| Cow::Owned(t.to_string()));
                let n = parts as usize % (values.len() + 1);
                OwnedEvent {
                    level: has(0).then_some(LogLevel::Warn),
                    time: has(1).then_some(1_796_659_979.123_456),
                    namespace: text(2, "app::db"),
                    format: text(3, "pool {{full}} at {n}%"),
                    system: has(4).then(|| "db-1".to_string()),
                    source: has(5).then(|| values[parts as usize % values.len()].clone()),
                    file: text(6, "src/db.rs"),
                    line: has(7).then_some(42),
                    fields: (0..n)
                        .map(|i| (Cow::Owned(format!("f{i}")), values[i].clone()))
                        .collect(),
                    flattened: (0..n % 3)
                        .map(|i| (Cow::Owned(format!("n!:/{i}")), values[n - 1 - i].clone()))
                        .collect(),
                    failure: None,
                }
            })
            .collect()
    }

    #[test]
    fn a_kept_events_record_says_what_it_misses_and_where() {
        let mut event = OwnedEvent::new(LogLevel::Warn, "ns", "f").with_field("n", 1i64);
        event.file = Some("a.rs".into());
        event.line = Some(7);
        event.system = Some("sys".into());
        event.source = Some(OwnedValue::U64(3));
        event.flattened = vec![("n!:".into(), OwnedValue::I64(1))];
        let mut words = Vec::new();
        assert!(pack(&Event::from_owned(&event), &mut words));
        let mut unpacker = Unpacker::new();
        let missing: Vec<(usize, &str)> = (0..words.len())
            .map(|cut| {
                let e = unpacker.unpack(&words[..cut]).unwrap_err();
                (e.at, e.what)
            })
            .collect();
        // the record's layout, word by word
        let layout = [
            (0, "a call site number"),
            (1, "a time"),
            (2, "a namespace"),
            (3, "a namespace"),
            (4, "a format"),
            (5, "a format"),
            (6, "a system"),
            (7, "a system"),
            (8, "a value"),
            (9, "an integer"),
            (10, "a file"),
            (11, "a file"),
            (12, "a line"),
            (13, "a field name"),
            (14, "a field name"),
            (15, "a value"),
            (16, "an integer"),
            (17, "a flattened count"),
            (18, "a flattened key"),
            (19, "a flattened key"),
            (20, "a value"),
            (21, "an integer"),
        ];
        assert_eq!(missing, layout);
        // a level that is none, and a line past `u32`
        let mut bad_level = words.clone();
        bad_level[0] = bad_level[0] & !(0xff << 32) | 9 << 32;
        let mut bad_line = words.clone();
        bad_line[12] = u64::MAX;
        for (bad, at, what) in [(bad_level, 0, "a level"), (bad_line, 12, "a line")] {
            let e = unpacker.unpack(&bad).unwrap_err();
            assert_eq!((e.at, e.what), (at, what));
        }
        assert_eq!(unpacker.unpack(&words).unwrap(), event);
    }

    #[test]
    fn kept_events_pack_and_read_back_whole() {
        let mut unpacker = Unpacker::new();
        for event in kept_events() {
            let mut words = Vec::new();
            assert!(pack(&Event::from_owned(&event), &mut words), "{event:?}");
            assert_eq!(unpacker.unpack(&words).unwrap(), event);
            let mut seen = None;
            unpacker
                .unpack_with(&words, &mut |e| seen = Some(e.to_owned_event()))
                .unwrap();
            assert_eq!(seen.as_ref(), Some(&event));
            // every cut is an error, not a panic (and what a cut left in
            // the reused event is gone by the next record)
            for cut in 0..words.len() {
                assert!(unpacker.unpack(&words[..cut]).is_err(), "cut at {cut}");
                let read = unpacker.unpack_with(&words[..cut], &mut |_| panic!("cut read"));
                assert!(read.is_err(), "cut at {cut}");
            }
        }
        // a field's name and string value are read into those the reused
        // event holds: the same room, record after record
        let event = OwnedEvent::default().with_field("who", "a string value");
        let mut words = Vec::new();
        assert!(pack(&Event::from_owned(&event), &mut words));
        let mut rooms = Vec::new();
        for _ in 0..2 {
            let mut read = |e: &Event<'_>| {
                e.for_each_field(&mut |name, value| {
                    let Some(Scalar::Str(text)) = value.__scalar() else {
                        panic!("{name}: not a string")
                    };
                    rooms.push((name.as_ptr(), text.as_ptr(), text.to_string()));
                })
            };
            unpacker.unpack_with(&words, &mut read).unwrap();
        }
        assert_eq!(rooms[0], rooms[1]);
        assert_eq!(rooms[0].2, "a string value");
        // and so are its system and source: a long one's room is still
        // there for a short one
        let sourced = |text: &str| {
            let event = OwnedEvent {
                system: Some(text.to_string()),
                source: Some(OwnedValue::Str(text.to_string())),
                ..OwnedEvent::default()
            };
            let mut words = Vec::new();
            assert!(pack(&Event::from_owned(&event), &mut words));
            words
        };
        let long = "a long source ".repeat(8);
        for text in [long.as_str(), "short"] {
            let mut seen = None;
            let mut read = |e: &Event<'_>| seen = e.source().map(OwnedValue::from_value);
            unpacker.unpack_with(&sourced(text), &mut read).unwrap();
            assert_eq!(seen, Some(OwnedValue::Str(text.to_string())));
        }
        let kept = &unpacker.scratch[1];
        assert!(kept.system.as_ref().unwrap().capacity() >= long.len());
        match &kept.source {
            Some(OwnedValue::Str(s)) => assert!(s.capacity() >= long.len()),
            other => panic!("{other:?}"),
        }
        // nested as deeply as a record is read back with, it packs; one
        // more level, and it does not
        let nested = |levels: usize| {
            let mut value = OwnedValue::I64(1);
            for _ in 0..levels {
                value = OwnedValue::Seq(vec![value]);
            }
            OwnedEvent::default().with_field("deep", value)
        };
        let mut words = Vec::new();
        assert!(pack(&Event::from_owned(&nested(MAX_DEPTH)), &mut words));
        assert_eq!(unpacker.unpack(&words).unwrap(), nested(MAX_DEPTH));
        assert!(!pack(
            &Event::from_owned(&nested(MAX_DEPTH + 1)),
            &mut Vec::new()
        ));
        // one with a failure does not pack: it is kept whole
        let mut failed = kept_events().remove(255);
        failed.failure = Some(crate::Failure::capture(&std::io::Error::other("disk full")));
        assert!(!pack(&Event::from_owned(&failed), &mut Vec::new()));
    }
}
