//! Packed events: a live event written as bytes on the thread that logs it,
//! and read back as an [`OwnedEvent`] on another thread. This is what
//! non-blocking output carries: the caller copies the call site's number,
//! a clock reading and the field values; the text is rendered later.

use std::borrow::Cow;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{PoisonError, RwLock};

use crate::clock::{self, WallClock};
use crate::event::{Callsite, Event, LiveParts, is_plain_key};
use crate::level::LogLevel;
use crate::logger::Logger;
use crate::owned_event::OwnedEvent;
use crate::owned_value::OwnedValue;
use crate::placeholder::Sink;
use crate::value::{Map, Seq, Value, Visit};

/// A call site's number, given the first time one of its events is packed.
/// The macros put `CallsiteId::new()` in each call site's static.
///
/// ```
/// let id = logcore::CallsiteId::new();
/// assert_eq!(id.get(), None);
/// ```
pub struct CallsiteId(AtomicU32);

impl CallsiteId {
    /// Not yet numbered.
    pub const fn new() -> CallsiteId {
        CallsiteId(AtomicU32::new(0))
    }

    /// The number, once an event of this call site has been packed.
    pub fn get(&self) -> Option<u32> {
        match self.0.load(Ordering::Acquire) {
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

/// A numbered call site and its field names (the same for every event of
/// a call site: the macros write them).
struct Site {
    callsite: &'static Callsite,
    fields: Box<[&'static str]>,
}

static SITES: RwLock<Vec<Site>> = RwLock::new(Vec::new());

#[inline]
fn site_id(parts: &LiveParts<'_>) -> u32 {
    match parts.callsite.id.0.load(Ordering::Acquire) {
        0 => register(parts),
        id => id,
    }
}

#[cold]
#[inline(never)]
fn register(parts: &LiveParts<'_>) -> u32 {
    let mut sites = SITES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(id) = parts.callsite.id.get() {
        return id;
    }
    sites.push(Site {
        callsite: parts.callsite,
        fields: parts.fields.iter().map(|(name, _)| *name).collect(),
    });
    let id = u32::try_from(sites.len()).unwrap_or(u32::MAX);
    parts.callsite.id.0.store(id, Ordering::Release);
    id
}

// Value tags.
const NONE: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const I64: u8 = 3;
const U64: u8 = 4;
const F64: u8 = 5;
const STR: u8 = 6;
const SEQ: u8 = 7;
const MAP: u8 = 8;
const UNPERSISTABLE: u8 = 9;

// Event flags.
const NAMESPACE: u8 = 1;
const SYSTEM: u8 = 2;
const SOURCE: u8 = 4;
const WALL_TIME: u8 = 8;

// Placeholder kinds.
const PLAIN: u8 = 0;
const TEXT: u8 = 1;
const FAILED: u8 = 2;
const BARE: u8 = 3;

/// Writes values into a packed event (the macros' values pack themselves
/// through [`Value`]'s hidden method; other values are visited).
#[doc(hidden)]
pub struct Packer<'a> {
    out: &'a mut Vec<u8>,
}

impl fmt::Debug for Packer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packer")
            .field("len", &self.out.len())
            .finish()
    }
}

impl Packer<'_> {
    #[inline]
    fn raw_u8(&mut self, v: u8) {
        self.out.push(v);
    }
    #[inline]
    fn raw_u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    fn raw_u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    fn bytes(&mut self, s: &str) {
        self.raw_u32(u32::try_from(s.len()).unwrap_or(u32::MAX));
        self.out
            .extend_from_slice(&s.as_bytes()[..s.len().min(u32::MAX as usize)]);
    }
    /// Reserves a count, to be set by [`Packer::set_count`].
    fn count_at(&mut self) -> usize {
        let at = self.out.len();
        self.raw_u32(0);
        at
    }
    fn set_count(&mut self, at: usize, n: u32) {
        self.out[at..at + 4].copy_from_slice(&n.to_le_bytes());
    }

    /// A signed integer.
    #[inline]
    pub fn i64(&mut self, v: i64) {
        self.raw_u8(I64);
        self.raw_u64(v as u64);
    }
    /// An unsigned integer.
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.raw_u8(U64);
        self.raw_u64(v);
    }
    /// A float.
    #[inline]
    pub fn f64(&mut self, v: f64) {
        self.raw_u8(F64);
        self.raw_u64(v.to_bits());
    }
    /// A boolean.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.raw_u8(if v { TRUE } else { FALSE });
    }
    /// A string.
    #[inline]
    pub fn str(&mut self, v: &str) {
        self.raw_u8(STR);
        self.bytes(v);
    }
}

impl Visit for Packer<'_> {
    fn visit_debug(&mut self, value: &dyn fmt::Debug) {
        let text = crate::text::catch_text(|out| fmt::write(out, format_args!("{value:?}")));
        self.str(&text);
    }
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        let text = crate::text::catch_text(|out| fmt::write(out, format_args!("{value}")));
        self.str(&text);
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
            _ => self.str(&value.to_string()),
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
        self.raw_u8(NONE);
    }
    fn visit_seq(&mut self, seq: &dyn Seq) {
        self.raw_u8(SEQ);
        let at = self.count_at();
        let mut n = 0u32;
        seq.each(&mut |v| {
            v.__pack(self);
            n += 1;
        });
        self.set_count(at, n);
    }
    fn visit_map(&mut self, map: &dyn Map) {
        self.raw_u8(MAP);
        let at = self.count_at();
        let mut n = 0u32;
        map.each(&mut |k, v| {
            k.__pack(self);
            v.__pack(self);
            n += 1;
        });
        self.set_count(at, n);
    }
    fn visit_unpersistable(&mut self) {
        self.raw_u8(UNPERSISTABLE);
    }
}

/// Appends `event` to `out`, packed: the call site's number, the level, a
/// clock reading, the namespace where it is not the module's, the logger's
/// system and fields, `log_source`, the field values, and for each
/// placeholder either nothing more (a plain `{name}` whose value renders as
/// itself: its text is made when unpacked) or its text, rendered here.
///
/// Returns `false`, writing nothing, for an event that does not pack: a
/// kept event, or one with a failure. Keep those with
/// [`Event::to_owned_event`] instead.
///
/// ```
/// use logcore::{Callsite, CallsiteId, Event, LiveParts, LogLevel, Piece, Unpacker, Value};
/// static SITE: Callsite = Callsite {
///     format: "{n} items",
///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" items")],
///     module_path: "app", file: "app.rs", line: 7, calls: false,
///     bare: &[0], id: CallsiteId::new(),
/// };
/// let n = 3u16;
/// let fields = [("n", &n as &dyn Value)];
/// let show_n = |s: &mut dyn logcore::Sink| s.put(format_args!("{n}"), Some(&n));
/// let placeholders = [&show_n as &logcore::Placeholder<'_>];
/// let event = Event::live(LiveParts {
///     level: LogLevel::Info, callsite: &SITE, namespace: "app",
///     fields: &fields, placeholders: &placeholders,
///     source: None, failure: None, logger: None,
/// });
/// let mut bytes = Vec::new();
/// assert!(logcore::pack(&event, &mut bytes));
/// let kept = Unpacker::new().unpack(&bytes)?;
/// assert_eq!(logcore::format_event(&kept), "3 items");
/// assert_eq!(kept.fields, event.to_owned_event().fields);
/// # Ok::<(), logcore::UnpackError>(())
/// ```
pub fn pack(event: &Event<'_>, out: &mut Vec<u8>) -> bool {
    let Some((parts, time)) = event.live_parts() else {
        return false;
    };
    if parts.failure.is_some() {
        return false;
    }
    let mut p = Packer { out };
    let namespace = parts.namespace;
    let module = parts.callsite.module_path;
    // The same static as the module path, or written out (comparing the
    // text would cost more than copying it).
    let own_namespace = !(namespace.as_ptr() == module.as_ptr() && namespace.len() == module.len());
    let system = parts.logger.and_then(Logger::system);
    let flags = (if own_namespace { NAMESPACE } else { 0 })
        | (if system.is_some() { SYSTEM } else { 0 })
        | (if parts.source.is_some() { SOURCE } else { 0 })
        | (if time.is_some() { WALL_TIME } else { 0 });
    let time = match time {
        Some(t) => t.to_bits(),
        None => clock::raw(),
    };
    // the fixed header in one write
    let mut header = [0u8; 14];
    header[..4].copy_from_slice(&site_id(parts).to_le_bytes());
    header[4] = parts.level.as_u8();
    header[5] = flags;
    header[6..].copy_from_slice(&time.to_le_bytes());
    p.out.reserve(64 + namespace.len());
    p.out.extend_from_slice(&header);
    if own_namespace {
        p.bytes(namespace);
    }
    if let Some(system) = system {
        p.bytes(system);
    }
    if let Some(source) = parts.source {
        source.__pack(&mut p);
    }
    p.raw_u32(u32::try_from(parts.fields.len()).unwrap_or(u32::MAX));
    // which fields render as the value packed (the first 64)
    let mut plain_fields = 0u64;
    for (j, (_, value)) in parts.fields.iter().enumerate() {
        if value.__pack(&mut p) && j < 64 {
            plain_fields |= 1 << j;
        }
    }
    let at = p.count_at();
    let mut n = 0;
    if let Some(logger) = parts.logger.filter(|l| l.has_fields()) {
        logger.for_each_field(&mut |name, value| {
            p.bytes(name);
            value.__pack(&mut p);
            n += 1;
        });
    }
    p.set_count(at, n);
    let at = p.count_at();
    let start = p.out.len();
    let plain = if parts.callsite.calls || event.is_rendered() {
        None
    } else {
        pack_plain(parts, plain_fields, &mut p)
    };
    let n = plain.unwrap_or_else(|| {
        // Text is needed: render it once, as other observers would.
        p.out.truncate(start);
        let mut n = 0;
        event.for_each_rendered(&mut |text, raw| {
            match text {
                Some(text) => {
                    p.raw_u8(TEXT);
                    p.bytes(text);
                }
                None => p.raw_u8(FAILED),
            }
            raw.__pack(&mut p);
            n += 1;
        });
        n
    });
    p.set_count(at, u32::try_from(n).unwrap_or(u32::MAX));
    true
}

/// Packs the placeholders without their text, if every one is a plain
/// `{name}` whose value renders as itself: a field shown unchanged is
/// not packed again. Returns how many, or `None` (with bytes to drop).
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
    let count = parts.placeholders.len();
    if callsite.bare.len() != count {
        return None;
    }
    let mut n = 0;
    for (placeholder, &bare) in parts.placeholders.iter().zip(callsite.bare) {
        if bare < 64 && plain_fields & (1 << bare) != 0 {
            p.raw_u8(BARE);
        } else {
            let plain_key = callsite
                .keys()
                .nth(n)
                .is_some_and(|(key, _)| is_plain_key(key));
            if !plain_key {
                return None;
            }
            p.raw_u8(PLAIN);
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
    Some(n)
}

/// Why bytes could not be unpacked: they were not made by [`pack`] in this
/// process, or were cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackError {
    /// The byte offset where reading failed.
    pub at: usize,
    /// What was expected there.
    pub what: &'static str,
}

impl fmt::Display for UnpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "packed event unreadable at byte {}: {}",
            self.at, self.what
        )
    }
}

impl std::error::Error for UnpackError {}

/// Reads packed events back (see [`pack`]), turning clock readings into
/// wall-clock time. Keep one per reading thread: it re-reads the system
/// clock at most once a second to stay in step with it.
///
/// ```
/// let err = logcore::Unpacker::new().unpack(&[1, 2]).unwrap_err();
/// assert_eq!(err.to_string(), "packed event unreadable at byte 0: a call site number");
/// ```
#[derive(Debug)]
pub struct Unpacker {
    clock: WallClock,
}

impl Default for Unpacker {
    fn default() -> Self {
        Unpacker::new()
    }
}

impl Unpacker {
    /// A reader, in step with the system clock now. (Making the first one
    /// calibrates the cycle counter, about half a millisecond, once per
    /// process.)
    pub fn new() -> Unpacker {
        clock::calibrate();
        Unpacker {
            clock: WallClock::new(),
        }
    }

    /// Reads one packed event.
    pub fn unpack(&mut self, bytes: &[u8]) -> Result<OwnedEvent, UnpackError> {
        let mut r = Reader { bytes, at: 0 };
        let id = r.u32("a call site number")?;
        let sites = SITES.read().unwrap_or_else(PoisonError::into_inner);
        let site = (id as usize)
            .checked_sub(1)
            .and_then(|i| sites.get(i))
            .ok_or(r.error("a known call site"))?;
        let callsite = site.callsite;
        let level = LogLevel::from_u8(r.u8("a level")?).ok_or(r.error("a level"))?;
        let flags = r.u8("flags")?;
        let time = r.u64("a time")?;
        let time = if flags & WALL_TIME != 0 {
            f64::from_bits(time)
        } else {
            self.clock.wall(time)
        };
        let namespace = if flags & NAMESPACE != 0 {
            r.str("a namespace")?.to_string()
        } else {
            callsite.module_path.to_string()
        };
        let system = if flags & SYSTEM != 0 {
            Some(r.str("a system")?.to_string())
        } else {
            None
        };
        let source = if flags & SOURCE != 0 {
            Some(r.value(0)?)
        } else {
            None
        };
        let n = r.u32("a field count")? as usize;
        if n != site.fields.len() {
            return Err(r.error("as many fields as the call site has"));
        }
        let mut fields = Vec::with_capacity(n);
        for name in &site.fields {
            fields.push((Cow::Borrowed(*name), r.value(0)?));
        }
        let n = r.u32("a logger field count")?;
        for _ in 0..n {
            let name = r.str("a field name")?.to_string();
            fields.push((Cow::Owned(name), r.value(0)?));
        }
        let n = r.u32("a placeholder count")? as usize;
        // the count comes from the bytes: never trust it for a size
        let mut flattened = Vec::with_capacity(n.min(callsite.pieces.len()) * 2);
        for (i, (text_key, raw_key)) in callsite.keys().take(n).enumerate() {
            match r.u8("a placeholder kind")? {
                BARE => {
                    let j = callsite.bare.get(i).map_or(usize::MAX, |&j| usize::from(j));
                    let value = match fields.get(j) {
                        Some((_, value)) if j < site.fields.len() => value.clone(),
                        _ => return Err(r.error("a placeholder that shows a field")),
                    };
                    flattened.push((Cow::Borrowed(text_key), OwnedValue::Str(value.to_string())));
                    flattened.push((Cow::Borrowed(raw_key), value));
                }
                PLAIN => {
                    let value = r.value(0)?;
                    flattened.push((Cow::Borrowed(text_key), OwnedValue::Str(value.to_string())));
                    flattened.push((Cow::Borrowed(raw_key), value));
                }
                TEXT => {
                    let text = r.str("a placeholder's text")?.to_string();
                    flattened.push((Cow::Borrowed(text_key), OwnedValue::Str(text)));
                    flattened.push((Cow::Borrowed(raw_key), r.value(0)?));
                }
                FAILED => flattened.push((Cow::Borrowed(raw_key), r.value(0)?)),
                _ => return Err(r.error("a placeholder kind")),
            }
        }
        if r.at != bytes.len() {
            return Err(r.error("the end of the event"));
        }
        Ok(OwnedEvent {
            level: Some(level),
            namespace: Some(namespace),
            format: Some(Cow::Borrowed(callsite.format)),
            time: Some(time),
            system,
            source,
            failure: None,
            file: Some(Cow::Borrowed(callsite.file)),
            line: Some(callsite.line),
            fields,
            flattened,
        })
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

/// How deep sequences and maps may nest when read back.
const MAX_DEPTH: usize = 128;

impl<'b> Reader<'b> {
    fn error(&self, what: &'static str) -> UnpackError {
        UnpackError { at: self.at, what }
    }
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'b [u8], UnpackError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(self.error(what))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, UnpackError> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, UnpackError> {
        let mut b = [0; 4];
        b.copy_from_slice(self.take(4, what)?);
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, UnpackError> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(b))
    }
    fn str(&mut self, what: &'static str) -> Result<&'b str, UnpackError> {
        let at = self.at;
        let n = self.u32(what)? as usize;
        let bytes = self.take(n, what)?;
        std::str::from_utf8(bytes).map_err(|_| UnpackError { at, what })
    }
    fn value(&mut self, depth: usize) -> Result<OwnedValue, UnpackError> {
        if depth > MAX_DEPTH {
            return Err(self.error("values nested less deeply"));
        }
        let tag_at = self.at;
        Ok(match self.u8("a value")? {
            NONE => OwnedValue::None,
            FALSE => OwnedValue::Bool(false),
            TRUE => OwnedValue::Bool(true),
            I64 => OwnedValue::I64(self.u64("an integer")? as i64),
            U64 => OwnedValue::U64(self.u64("an integer")?),
            F64 => OwnedValue::F64(f64::from_bits(self.u64("a float")?)),
            STR => OwnedValue::Str(self.str("a string")?.to_string()),
            SEQ => {
                let n = self.u32("a length")?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                OwnedValue::Seq(items)
            }
            MAP => {
                let n = self.u32("a length")?;
                let mut entries = Vec::new();
                for _ in 0..n {
                    // keys as `OwnedValue::from_value` keeps them
                    let key = match self.value(depth + 1)? {
                        OwnedValue::Str(s) => s,
                        other => other.to_string(),
                    };
                    entries.push((key, self.value(depth + 1)?));
                }
                OwnedValue::Map(entries)
            }
            UNPERSISTABLE => OwnedValue::Unpersistable,
            _ => {
                return Err(UnpackError {
                    at: tag_at,
                    what: "a value tag",
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Piece;
    use crate::placeholder::Placeholder;

    static SITE: Callsite = Callsite {
        format: "{who} has {n} {items}",
        pieces: &[
            Piece::Field("who!s:", "who!:"),
            Piece::Literal(" has "),
            Piece::Field("n!s:", "n!:"),
            Piece::Literal(" "),
            Piece::Field("items!s:", "items!:"),
        ],
        module_path: "packed::tests",
        file: "packed.rs",
        line: 1,
        calls: false,
        bare: &[0, 1, u8::MAX],
        id: CallsiteId::new(),
    };

    /// Packs the test event with `n`.
    fn packed(n: u64) -> Vec<u8> {
        let who = "ann";
        let items = vec![Some(1.5), None];
        let show_who = |s: &mut dyn Sink| s.put(format_args!("{who}"), Some(&who));
        let show_n = |s: &mut dyn Sink| s.put(format_args!("{n}"), Some(&n));
        let show_items = |s: &mut dyn Sink| s.put(format_args!("{items:?}"), Some(&items));
        let placeholders: [&Placeholder<'_>; 3] = [&show_who, &show_n, &show_items];
        let fields = [("who", &who as &dyn Value), ("n", &n)];
        let event = Event::live(LiveParts {
            level: LogLevel::Warn,
            callsite: &SITE,
            namespace: "elsewhere",
            fields: &fields,
            placeholders: &placeholders,
            source: Some(&items),
            failure: None,
            logger: None,
        });
        let mut out = Vec::new();
        assert!(pack(&event, &mut out));
        out
    }

    #[test]
    fn every_cut_of_a_record_is_an_error_not_a_panic() {
        let bytes = packed(7);
        let mut unpacker = Unpacker::new();
        let event = unpacker.unpack(&bytes).unwrap();
        assert_eq!(crate::format_event(&event), "ann has 7 [Some(1.5), None]");
        assert_eq!(event.namespace.as_deref(), Some("elsewhere"));
        for cut in 0..bytes.len() {
            assert!(unpacker.unpack(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            unpacker.unpack(&longer).unwrap_err().what,
            "the end of the event"
        );
    }

    #[test]
    fn each_way_a_record_can_be_wrong_is_named() {
        packed(1); // numbers SITE
        let id = SITE.id.get().unwrap().to_le_bytes();
        let record = |level: u8, body: &[u8]| {
            let mut r = id.to_vec();
            r.extend_from_slice(&[level, 0]);
            r.extend_from_slice(&0u64.to_le_bytes());
            r.extend_from_slice(body);
            r
        };
        let fields = |first_tag: u8| {
            let mut b = 2u32.to_le_bytes().to_vec();
            b.push(first_tag);
            b.extend_from_slice(&3u32.to_le_bytes());
            b.extend_from_slice(b"ann");
            b.push(U64);
            b.extend_from_slice(&7u64.to_le_bytes());
            b.extend_from_slice(&0u32.to_le_bytes()); // no logger fields
            b
        };
        let placeholders = |kinds: &[u8]| {
            let mut b = fields(STR);
            b.extend_from_slice(&(kinds.len() as u32).to_le_bytes());
            b.extend_from_slice(kinds);
            b
        };
        let cases: [(Vec<u8>, &str); 6] = [
            (record(9, &fields(STR)), "a level"),
            (
                record(2, &0u32.to_le_bytes()),
                "as many fields as the call site has",
            ),
            (record(2, &fields(0xee)), "a value tag"),
            (record(2, &placeholders(&[9])), "a placeholder kind"),
            (
                record(2, &placeholders(&[BARE, BARE, BARE])),
                "a placeholder that shows a field",
            ),
            (
                record(2, &[&placeholders(&[])[..], &[0]].concat()),
                "the end of the event",
            ),
        ];
        let mut unpacker = Unpacker::new();
        for (bytes, what) in cases {
            assert_eq!(unpacker.unpack(&bytes).unwrap_err().what, what);
        }
        // a record that only nests
        let deep = [SEQ, 1, 0, 0, 0].repeat(MAX_DEPTH + 2);
        let err = Reader {
            bytes: &deep,
            at: 0,
        }
        .value(0)
        .unwrap_err();
        assert_eq!(err.what, "values nested less deeply");
    }

    #[test]
    fn any_bytes_unpack_without_panicking() {
        let bytes = packed(1);
        let mut unpacker = Unpacker::new();
        // every single-byte change of a real record, and some noise
        for at in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[at] ^= flip;
                let _ = unpacker.unpack(&changed);
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..2000 {
            let noise: Vec<u8> = (0..len % 97)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = unpacker.unpack(&noise);
        }
    }

    #[test]
    fn clock_readings_read_back_in_order_and_near_the_wall_clock() {
        let before = clock::system_now();
        let records: Vec<Vec<u8>> = (0..100).map(packed).collect();
        let after = clock::system_now();
        let mut unpacker = Unpacker::new();
        let times: Vec<f64> = records
            .iter()
            .map(|r| unpacker.unpack(r).unwrap().time.unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(before - 0.01 <= times[0] && times[99] <= after + 0.01);
    }
}
