use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::fmt;
use std::mem::ManuallyDrop;

use crate::failure::Failure;
use crate::field_value::FieldValue;
use crate::interest::Interest;
use crate::level::LogLevel;
use crate::logger::{BoundFields, Logger};
use crate::owned_event::OwnedEvent;
use crate::owned_value::OwnedValue;
use crate::packed::CallsiteId;
use crate::placeholder::{Placeholder, Render as _};
use crate::reuse::{Pooled, PooledString, Spans};
use crate::text;
use crate::value::{Scalar, Value};

/// The static facts of one log call, baked in by the macros: the format (in
/// brace notation, as stored in `log_format`), its pieces, and where the call is.
#[derive(Debug)]
pub struct Callsite {
    /// The format string in brace notation.
    pub format: &'static str,
    /// The parsed format: literals and placeholders, in order.
    pub pieces: &'static [Piece],
    /// The fields' names, in order: a live event's values are theirs.
    pub names: &'static [&'static str],
    /// `module_path!()` of the call.
    pub module_path: &'static str,
    /// `file!()` of the call.
    pub file: &'static str,
    /// `line!()` of the call.
    pub line: u32,
    /// Whether a placeholder ends in a call (`{req.summary()}`): then text
    /// and values are taken in one pass, so that no call runs twice.
    pub calls: bool,
    /// For each placeholder, the index of the field it shows unchanged (a
    /// plain `{name}`), or `u8::MAX`: a packed event need not carry the
    /// value twice.
    pub bare: &'static [u8],
    /// Whether the format, the field names and the `log_flattened` keys
    /// hold no character that a string in a record escapes (see
    /// `logformat::escape_free`), so that writers copy them as they are.
    /// The macros work it out; `false` is always safe.
    pub escape_free: bool,
    /// The call site's number among those that have been packed (see
    /// [`pack`](crate::pack)); `CallsiteId::new()` in a static.
    pub id: CallsiteId,
    /// The levels its events are wanted at, kept (see
    /// [`callsite_enabled`](crate::callsite_enabled)); `Interest::new()` in
    /// a static.
    pub interest: Interest,
}

impl Callsite {
    /// A call site of the runtime's own events (what the macros write, for
    /// code that cannot use them).
    pub(crate) const fn internal(
        module_path: &'static str,
        format: &'static str,
        pieces: &'static [Piece],
        names: &'static [&'static str],
        file: &'static str,
        line: u32,
    ) -> Callsite {
        Callsite {
            format,
            pieces,
            names,
            module_path,
            file,
            line,
            calls: false,
            bare: &[],
            escape_free: false,
            id: CallsiteId::new(),
            interest: Interest::new(),
        }
    }

    /// The `log_flattened` keys (text, raw) of each placeholder, in order.
    ///
    /// ```
    /// use logcore::{Callsite, Piece};
    /// static SITE: Callsite = Callsite {
    ///     format: "{n} items",
    ///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" items")],
    ///     names: &["n"], module_path: "app", file: "app.rs", line: 1, calls: false,
    ///     bare: &[0], escape_free: true, id: logcore::CallsiteId::new(), interest: logcore::Interest::new(),
    /// };
    /// assert_eq!(SITE.keys().collect::<Vec<_>>(), [("n!s:", "n!:")]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Field(text_key, raw_key) => Some((*text_key, *raw_key)),
            Piece::Literal(_) => None,
        })
    }
}

/// Whether a placeholder's `log_flattened` text key is that of a plain
/// `{name}`: `Display`, no spec (`name!s:`).
pub(crate) fn is_plain_key(text_key: &str) -> bool {
    text_key.ends_with("!s:")
}

/// A piece of a [`Callsite`]'s format.
#[derive(Debug)]
pub enum Piece {
    /// Literal text.
    Literal(&'static str),
    /// The next placeholder, with its `log_flattened` keys (text, raw).
    Field(&'static str, &'static str),
}

/// One event, as observers see it: either live (built on the stack by a log
/// call, its values borrowed and its placeholders lazy) or a view of an
/// [`OwnedEvent`] (kept, replayed, or read back from a file).
///
/// ```
/// use logcore::{Event, OwnedEvent, LogLevel};
/// let owned = OwnedEvent::new(LogLevel::Info, "app", "hello {who}")
///     .with_field("who", "world");
/// let event = Event::from_owned(&owned);
/// assert_eq!(event.level(), Some(LogLevel::Info));
/// assert_eq!(event.text(), "hello world");
/// ```
pub struct Event<'a> {
    repr: Repr<'a>,
}

// A live event is built on the caller's stack; boxing it would allocate on
// every call, which is what this type exists to avoid.
#[allow(clippy::large_enum_variant)]
enum Repr<'a> {
    Live(Live<'a>),
    Owned(&'a OwnedEvent),
}

/// A live event: its parts, and what is worked out from them once.
pub(crate) struct Live<'a> {
    parts: LiveParts<'a>,
    /// What its logger added, for an event read back from a packed record
    /// (which has no logger at hand): then `parts.logger` is `None`.
    added: Option<&'a Added<'a>>,
    /// Read from the clock when first asked for (a `Cell`: nothing the
    /// clock runs can ask again meanwhile, so `OnceCell`'s guard and its
    /// out-of-line start are not needed).
    time: Cell<Option<f64>>,
    /// Dropped by hand (see `impl Drop for Live`): most events are never
    /// rendered, and their drop should be one check, inline.
    flat: ManuallyDrop<OnceCell<Flat>>,
}

impl<'a> std::ops::Deref for Live<'a> {
    type Target = LiveParts<'a>;
    fn deref(&self) -> &LiveParts<'a> {
        &self.parts
    }
}

/// A logger's system and fields, as an event read back from a packed record
/// has them (see [`Event::live_at`]).
#[derive(Clone, Copy, Default)]
pub(crate) struct Added<'a> {
    pub(crate) system: Option<&'a str>,
    pub(crate) fields: &'a [(&'a str, FieldValue<'a>)],
}

impl Added<'_> {
    /// Calls `f` with each field.
    fn for_each_field(&self, f: &mut dyn FnMut(&str, FieldValue<'_>)) {
        for &(name, value) in self.fields {
            f(name, value);
        }
    }
}

impl<'a> Live<'a> {
    // (the logger looked at first: a call's event has no `added`, and
    // costs what it did before there was one)

    /// Its time, if something read it already.
    #[inline]
    pub(crate) fn time_read(&self) -> Option<f64> {
        self.time.get()
    }

    /// `log_system`: the logger's, or what was added.
    #[inline]
    pub(crate) fn system(&self) -> Option<&'a str> {
        match self.logger {
            Some(logger) => logger.system(),
            None => self.added.and_then(|added| added.system),
        }
    }

    /// Whether the logger added any field.
    #[inline]
    pub(crate) fn has_logger_fields(&self) -> bool {
        match self.logger {
            Some(logger) => logger.has_fields(),
            None => self.added.is_some_and(|added| !added.fields.is_empty()),
        }
    }

    /// Calls `f` with the fields the logger added (inline: most events
    /// have none, which costs two checks).
    #[inline]
    pub(crate) fn for_each_logger_field(&self, f: &mut dyn FnMut(&str, FieldValue<'_>)) {
        match self.logger {
            Some(logger) => {
                if logger.has_fields() {
                    logger.for_each_field(f);
                }
            }
            None => {
                if let Some(added) = self.added {
                    added.for_each_field(f);
                }
            }
        }
    }
}

impl Drop for Live<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.flat.get().is_some() {
            drop_flat(&mut self.flat);
        }
    }
}

/// [`Event::write_text`] for a kept event, and [`Event::text`]'s when it
/// must be made (out of line: the live path's stays short).
#[inline(never)]
fn write_owned_text(out: &mut String, event: &OwnedEvent) {
    if text::write_literal_format(out, event.format.as_deref().unwrap_or_default()) {
        return;
    }
    text::render_owned_into(event, out);
}

/// The rendered part of an event, dropped out of line.
#[inline(never)]
fn drop_flat(flat: &mut ManuallyDrop<OnceCell<Flat>>) {
    // `take` moves the value out and leaves an empty cell, which owns
    // nothing: not dropping it leaks nothing.
    drop(flat.take());
}

/// The text of a live event, rendered once: literals and placeholders
/// written into one string, with each placeholder's byte range.
struct Flat {
    /// The literals and placeholders' texts, in order.
    rendered: PooledString,
    /// Each placeholder's range in `rendered`; `None` where it failed.
    spans: Spans,
    /// Why rendering failed, as the text twisted gives (`Unable to format…`).
    unable: Option<String>,
    /// The placeholders' values, when taken in the same pass (see
    /// [`Callsite::calls`]).
    raw: Option<Pooled<Vec<OwnedValue>>>,
    /// The placeholders' values, taken later in a pass of their own. Here
    /// rather than in the event, so that an event nobody rendered drops
    /// with a single check.
    raw_later: OnceCell<Pooled<Vec<OwnedValue>>>,
}

/// The parts of a live event, as the macros pass them.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub struct LiveParts<'a> {
    pub level: LogLevel,
    /// Always the same static for one call site (packing relies on it).
    pub callsite: &'static Callsite,
    pub namespace: &'a str,
    /// The fields' values, in the order of the call site's `names` (the
    /// names are static, so a call writes only the values; a string or
    /// scalar is held as itself, see [`FieldValue::of`]).
    pub values: &'a [FieldValue<'a>],
    /// One per placeholder of the call site; or none, when each shows a
    /// field (`Callsite::bare`) whose value renders as its scalar: the
    /// placeholders are then the fields (see [`ShowsAsScalar`]).
    ///
    /// [`ShowsAsScalar`]: crate::ShowsAsScalar
    pub placeholders: &'a [&'a Placeholder<'a>],
    pub source: Option<&'a dyn Value>,
    pub failure: Option<&'a Failure>,
    pub logger: Option<&'a Logger>,
}

/// Whether `a` and `b` are the same string in memory (not merely the same
/// text).
#[inline]
pub(crate) fn same_str(a: &str, b: &str) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

impl<'a> LiveParts<'a> {
    /// How many placeholders the event has: those given, or, given none,
    /// one for each placeholder of the call site (see
    /// [`LiveParts::placeholder`]).
    #[inline]
    pub(crate) fn placeholder_count(&self) -> usize {
        match self.placeholders.len() {
            0 => self.callsite.bare.len(),
            n => n,
        }
    }

    /// Placeholder `i`: the one given, or, given none, the field the call
    /// site's placeholder `i` shows (the macros give none when every
    /// placeholder is a plain `{name}` of a field whose `Display` is its
    /// scalar's: an integer, a float, a bool or a string; a field renders
    /// as its scalar, see `FieldValue`'s `Render`). `None` past the
    /// last, or for a placeholder that shows no field.
    #[inline]
    pub(crate) fn placeholder(&self, i: usize) -> Option<&'a Placeholder<'a>> {
        if self.placeholders.is_empty() {
            let field = usize::from(*self.callsite.bare.get(i)?);
            let values: &'a [FieldValue<'a>] = self.values;
            values.get(field).map(|v| v as &Placeholder<'a>)
        } else {
            self.placeholders.get(i).copied()
        }
    }

    /// The placeholders, in order, up to the first missing one.
    #[inline]
    pub(crate) fn placeholder_list(&self) -> impl Iterator<Item = &'a Placeholder<'a>> + '_ {
        (0..self.placeholder_count()).map_while(|i| self.placeholder(i))
    }

    /// The values that have a name: one per name of the call site (the
    /// macros write as many; a hand-made event may not).
    #[inline]
    fn named_values(&self) -> &'a [FieldValue<'a>] {
        let values = self.values;
        &values[..values.len().min(self.callsite.names.len())]
    }

    /// The fields: the call site's names with the values.
    #[inline]
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'static str, FieldValue<'a>)> + '_ {
        self.callsite
            .names
            .iter()
            .copied()
            .zip(self.values.iter().copied())
    }

    /// Whether the namespace is the call site's module path: the same
    /// static, not merely the same text (comparing the text would cost
    /// more than copying it).
    #[inline]
    pub(crate) fn namespace_is_module(&self) -> bool {
        same_str(self.namespace, self.callsite.module_path)
    }

    /// The logger whose own namespace string the event's namespace is (not
    /// merely the same text), if any: what a logger keeps about its
    /// namespace holds for the event's.
    #[inline]
    pub(crate) fn namespace_logger(&self) -> Option<&'a Logger> {
        self.logger
            .filter(|logger| same_str(logger.namespace(), self.namespace))
    }

    /// The namespace for a kept event: borrowed when it is the module's.
    fn namespace_kept(&self) -> Cow<'static, str> {
        if self.namespace_is_module() {
            Cow::Borrowed(self.callsite.module_path)
        } else {
            Cow::Owned(self.namespace.to_string())
        }
    }
}

impl<'a> Event<'a> {
    /// A live event from its parts (what the macros build).
    #[doc(hidden)]
    #[inline]
    pub fn live(parts: LiveParts<'a>) -> Event<'a> {
        Event {
            repr: Repr::Live(Live {
                parts,
                added: None,
                time: Cell::new(None),
                flat: ManuallyDrop::new(OnceCell::new()),
            }),
        }
    }

    /// A live event read back from a packed record: its time known
    /// already, and what its logger added (`parts.logger` is `None`).
    pub(crate) fn live_at(parts: LiveParts<'a>, time: f64, added: &'a Added<'a>) -> Event<'a> {
        Event {
            repr: Repr::Live(Live {
                parts,
                added: Some(added),
                time: Cell::new(Some(time)),
                flat: ManuallyDrop::new(OnceCell::new()),
            }),
        }
    }

    /// A view of a kept event.
    pub fn from_owned(event: &'a OwnedEvent) -> Event<'a> {
        Event {
            repr: Repr::Owned(event),
        }
    }

    /// The kept event this is a view of, if it is one.
    pub fn as_owned(&self) -> Option<&'a OwnedEvent> {
        match &self.repr {
            Repr::Owned(e) => Some(e),
            Repr::Live(_) => None,
        }
    }

    /// A live event's parts (it dereferences to its [`LiveParts`]), with
    /// what it knows of its logger and time.
    #[inline]
    pub(crate) fn as_live(&self) -> Option<&Live<'a>> {
        match &self.repr {
            Repr::Live(l) => Some(l),
            Repr::Owned(_) => None,
        }
    }

    /// Whether a live event's text has been rendered already.
    #[inline]
    pub(crate) fn is_rendered(&self) -> bool {
        match &self.repr {
            Repr::Live(l) => l.flat.get().is_some(),
            Repr::Owned(_) => true,
        }
    }

    /// Calls `f` with each placeholder's text (`None` where it failed) and
    /// value, rendering the text if no observer has yet (a live event only).
    pub(crate) fn for_each_rendered(&self, f: &mut dyn FnMut(Option<&str>, &OwnedValue)) {
        let Repr::Live(l) = &self.repr else { return };
        let flat = l.flat();
        for (span, raw) in flat.spans.as_slice().iter().zip(l.raw_values()) {
            let text = span.map(|(start, end)| &flat.rendered[start as usize..end as usize]);
            f(text, raw);
        }
    }

    /// `log_level`.
    #[inline]
    pub fn level(&self) -> Option<LogLevel> {
        match &self.repr {
            Repr::Live(l) => Some(l.level),
            Repr::Owned(e) => e.level,
        }
    }

    /// `log_namespace`.
    #[inline]
    pub fn namespace(&self) -> Option<&str> {
        match &self.repr {
            Repr::Live(l) => Some(l.namespace),
            Repr::Owned(e) => e.namespace.as_deref(),
        }
    }

    /// `log_format`, in brace notation.
    pub fn format(&self) -> Option<&str> {
        match &self.repr {
            Repr::Live(l) => Some(l.callsite.format),
            Repr::Owned(e) => e.format.as_deref(),
        }
    }

    /// `log_time`: seconds since the Unix epoch, to the microsecond (the
    /// float nearest a whole number of microseconds, for an event this
    /// process made). A live event reads the clock the first time this is
    /// asked (during the log call), never before.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, OwnedEvent};
    /// let kept = OwnedEvent::new(LogLevel::Info, "app", "started");
    /// let t = Event::from_owned(&kept).time().expect("stamped");
    /// assert_eq!((t * 1e6).round() / 1e6, t);
    /// ```
    pub fn time(&self) -> Option<f64> {
        match &self.repr {
            Repr::Live(l) => Some(match l.time.get() {
                Some(time) => time,
                None => {
                    let time = crate::clock::now();
                    l.time.set(Some(time));
                    time
                }
            }),
            Repr::Owned(e) => e.time,
        }
    }

    /// `log_system`, if set (it replaces `namespace#level` in text output).
    pub fn system(&self) -> Option<&str> {
        match &self.repr {
            Repr::Live(l) => l.system(),
            Repr::Owned(e) => e.system.as_deref(),
        }
    }

    /// `log_source`, if the event has one.
    pub fn source(&self) -> Option<&dyn Value> {
        match &self.repr {
            Repr::Live(l) => l.source,
            Repr::Owned(e) => e.source.as_ref().map(|v| v as &dyn Value),
        }
    }

    /// `log_failure`, if the event has one.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.repr {
            Repr::Live(l) => l.failure,
            Repr::Owned(e) => e.failure.as_ref(),
        }
    }

    /// `log_file` and `log_line`: where the event was logged.
    pub fn location(&self) -> Option<(&str, u32)> {
        match &self.repr {
            Repr::Live(l) => Some((l.callsite.file, l.callsite.line)),
            Repr::Owned(e) => e.file.as_deref().zip(e.line),
        }
    }

    /// Calls `f` with each field: the captured ones, then the logger's bound
    /// fields, then its context fields (thread, pid, hostname). A string or
    /// scalar comes held as itself ([`FieldValue`]), so visiting it makes
    /// no call to the value.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, OwnedEvent, OwnedValue};
    /// let kept = OwnedEvent::new(LogLevel::Info, "app", "{n} of {what}")
    ///     .with_field("n", 3u8)
    ///     .with_field("what", vec!["a", "b"]);
    /// let mut seen = Vec::new();
    /// Event::from_owned(&kept).for_each_field(&mut |name, value| {
    ///     seen.push((name.to_string(), OwnedValue::from_value(&value)));
    /// });
    /// let list = OwnedValue::Seq(vec![OwnedValue::Str("a".into()), OwnedValue::Str("b".into())]);
    /// assert_eq!(seen, [("n".to_string(), OwnedValue::U64(3)), ("what".to_string(), list)]);
    /// ```
    #[inline]
    pub fn for_each_field(&self, f: &mut dyn FnMut(&str, FieldValue<'_>)) {
        match &self.repr {
            Repr::Live(l) => {
                for (name, value) in l.fields() {
                    f(name, value);
                }
                l.for_each_logger_field(f);
            }
            Repr::Owned(e) => {
                for (name, value) in &e.fields {
                    f(name, FieldValue::of(value));
                }
            }
        }
    }

    /// The event's text (its format rendered, without time, system or
    /// traceback): twisted's `formatEvent`. Rendered at most once per event;
    /// a value whose `Display` panics or fails gives
    /// `Unable to format event …` instead.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.repr {
            Repr::Live(l) => Cow::Borrowed(l.flat().text()),
            Repr::Owned(e) => {
                let format = e.format.as_deref().unwrap_or_default();
                if memchr::memchr2(b'{', b'}', format.as_bytes()).is_none() {
                    return Cow::Borrowed(format);
                }
                let mut text = String::new();
                write_owned_text(&mut text, e);
                Cow::Owned(text)
            }
        }
    }

    /// Appends the event's text, the same as [`Event::text`], to `out`. A
    /// live event not yet rendered whose placeholders are all plain
    /// `{name}`s of integers and strings is written straight into `out`,
    /// without keeping its text in the event (writing those is all it
    /// runs, so doing it again for another observer changes nothing).
    ///
    /// ```
    /// use logcore::{Event, LogLevel, OwnedEvent};
    /// let kept = OwnedEvent::new(LogLevel::Info, "app", "{n} items").with_field("n", 3u8);
    /// let mut line = String::from("> ");
    /// Event::from_owned(&kept).write_text(&mut line);
    /// assert_eq!(line, "> 3 items");
    /// ```
    pub fn write_text(&self, out: &mut String) {
        if let Repr::Live(l) = &self.repr
            && l.flat.get().is_none()
            && !l.callsite.calls
        {
            let start = out.len();
            if l.write_plain(out) {
                return;
            }
            out.truncate(start);
        }
        if let Repr::Owned(e) = &self.repr {
            return write_owned_text(out, e);
        }
        out.push_str(&self.text());
    }

    /// Calls `f` with each `log_flattened` entry: for each placeholder, its
    /// text under `name!s:spec` (or `!r`) and its value under `name!:spec`,
    /// without making a kept copy. A live event's values are visited in a
    /// pass that formats no text (or were kept with the text, for call
    /// sites with calls); a placeholder whose text failed has no text entry.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, OwnedEvent, OwnedValue};
    /// let mut e = OwnedEvent::new(LogLevel::Info, "app", "{n}");
    /// e.flattened.push(("n!s:".into(), OwnedValue::Str("1".into())));
    /// let mut keys = Vec::new();
    /// Event::from_owned(&e).for_each_flattened(&mut |k, _| keys.push(k.to_string()));
    /// assert_eq!(keys, ["n!s:"]);
    /// ```
    pub fn for_each_flattened(&self, f: &mut dyn FnMut(&str, &dyn Value)) {
        let l = match &self.repr {
            Repr::Owned(e) => {
                for (k, v) in &e.flattened {
                    f(k, v);
                }
                return;
            }
            Repr::Live(l) => l,
        };
        if l.flattened_plain(f) {
            return;
        }
        let flat = l.flat();
        for (i, ((text_key, raw_key), span)) in
            l.callsite.keys().zip(flat.spans.as_slice()).enumerate()
        {
            if let Some((start, end)) = span {
                let text: &str = &flat.rendered[*start as usize..*end as usize];
                f(text_key, &text);
            }
            match (flat.raw.as_deref(), flat.raw_later.get().map(|r| &**r)) {
                (Some(raw), _) | (None, Some(raw)) => f(raw_key, &raw[i]),
                (None, None) => match l.placeholder(i) {
                    Some(placeholder) => text::visit_raw(placeholder, &mut |v| f(raw_key, v)),
                    None => f(raw_key, &OwnedValue::Unpersistable),
                },
            }
        }
    }

    /// The call site and field values (one per name: the fields
    /// [`Event::for_each_field`] gives before the logger's) of a live event
    /// whose record (in any format) differs from its call site's other
    /// events at the same level only in its values, namespace and time, its
    /// logger's fields and system ([`Event::for_each_logger_field`],
    /// [`Event::system`]) and its `log_source`: one without a failure.
    /// `None` for any other event. Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn callsite_values(&self) -> Option<(&'static Callsite, &'a [FieldValue<'a>])> {
        match &self.repr {
            Repr::Live(l) if l.failure.is_none() => Some((l.callsite, l.named_values())),
            _ => None,
        }
    }

    /// Whether [`Event::for_each_logger_field`] has any field to give.
    /// Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn has_logger_fields(&self) -> bool {
        match &self.repr {
            Repr::Live(l) => l.has_logger_fields(),
            Repr::Owned(_) => false,
        }
    }

    /// Whether the names [`Event::for_each_logger_field`] gives hold
    /// nothing a JSON string escapes (looked at when the fields were
    /// bound). Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn logger_field_names_escape_free(&self) -> bool {
        match &self.repr {
            Repr::Live(l) => l.logger.is_some_and(Logger::field_names_escape_free),
            Repr::Owned(_) => false,
        }
    }

    /// A live event's logger's fields, when all of them are bound to it:
    /// they never change, and the logger and its clones share them, so a
    /// writer may keep what it made of them, known by the slice's address
    /// (held with a [`std::sync::Weak`], which keeps the address from being
    /// reused). `None` for any other event, and for a logger with context
    /// fields, which may change (`pid` in a forked child). Not part of the
    /// stable API.
    #[doc(hidden)]
    #[inline]
    pub fn logger_bound_fields(&self) -> Option<&std::sync::Arc<BoundFields>> {
        match &self.repr {
            Repr::Live(l) => l.logger.and_then(Logger::bound_alone),
            Repr::Owned(_) => None,
        }
    }

    /// Calls `f` with a live event's logger's fields: the ones
    /// [`Event::for_each_field`] gives after the call site's (nothing for
    /// a kept event). Not part of the stable API.
    #[doc(hidden)]
    pub fn for_each_logger_field(&self, f: &mut dyn FnMut(&str, FieldValue<'_>)) {
        if let Repr::Live(l) = &self.repr {
            l.for_each_logger_field(f);
        }
    }

    /// For a live event whose call site's format, field names and
    /// `log_flattened` keys need no escaping ([`Callsite::escape_free`]):
    /// how many of its first fields (in [`Event::for_each_field`]'s order)
    /// are the call site's. `None` for any other event. Not part of the
    /// stable API.
    #[doc(hidden)]
    #[inline]
    pub fn escape_free_callsite(&self) -> Option<usize> {
        match &self.repr {
            Repr::Live(l) if l.callsite.escape_free => Some(l.named_values().len()),
            _ => None,
        }
    }

    /// Whether the event's namespace is known to hold nothing a JSON string
    /// or a text line escapes (`logformat::escape_free_everywhere`): a live
    /// event's namespace that is its call site's module path or its
    /// logger's (each looked at once, then kept). `false` for any other.
    /// Not part of the stable API.
    ///
    /// ```
    /// use logcore::{Callsite, CallsiteId, Event, Interest, LiveParts, LogLevel, Logger, OwnedEvent, Piece};
    /// static SITE: Callsite = Callsite {
    ///     format: "hi", pieces: &[Piece::Literal("hi")], names: &[],
    ///     module_path: "app", file: "app.rs", line: 1, calls: false,
    ///     bare: &[], escape_free: true, id: CallsiteId::new(), interest: Interest::new(),
    /// };
    /// fn free(namespace: &str, logger: Option<&Logger>) -> bool {
    ///     Event::live(LiveParts {
    ///         level: LogLevel::Info, callsite: &SITE, namespace, values: &[],
    ///         placeholders: &[], source: None, failure: None, logger,
    ///     })
    ///     .namespace_escape_free()
    /// }
    /// assert!(free(SITE.module_path, None));
    /// let (db, quoted) = (Logger::new("app::db"), Logger::new("say \"hi\""));
    /// assert!(free(db.namespace(), Some(&db)));
    /// assert!(!free(quoted.namespace(), Some(&quoted)));
    /// // the same text, but not the logger's own string: not known
    /// assert!(!free(&String::from("app::db"), Some(&db)));
    /// let kept = OwnedEvent::new(LogLevel::Info, "app", "hi");
    /// assert!(!Event::from_owned(&kept).namespace_escape_free());
    /// ```
    #[doc(hidden)]
    #[inline]
    pub fn namespace_escape_free(&self) -> bool {
        let Repr::Live(l) = &self.repr else {
            return false;
        };
        if l.namespace_is_module() {
            return l.callsite.interest.namespace_escape_free(l.namespace);
        }
        l.namespace_logger()
            .is_some_and(Logger::namespace_escape_free)
    }

    /// `log_flattened` for a writer that writes strings and integers
    /// itself: if every placeholder is a plain `{name}` of a field holding
    /// a string or an integer (eight placeholders at most), calls `f` with
    /// each placeholder's text key, raw key, field (its index in
    /// [`Event::for_each_field`]'s order) and value, in order, and returns
    /// `true`; the text entry is the value's `Display` and the raw entry the
    /// value, as [`Event::for_each_flattened`] would give them.
    /// Otherwise (a kept event included) calls nothing and returns
    /// `false`. Not part of the stable API.
    ///
    /// ```
    /// use logcore::{Callsite, CallsiteId, Event, FieldValue, LiveParts, LogLevel, Piece, Scalar};
    /// static SITE: Callsite = Callsite {
    ///     format: "{n} items",
    ///     pieces: &[Piece::Field("n!s:", "n!:"), Piece::Literal(" items")], names: &["n"],
    ///     module_path: "app", file: "app.rs", line: 7, calls: false,
    ///     bare: &[0], escape_free: true, id: CallsiteId::new(), interest: logcore::Interest::new(),
    /// };
    /// let n = 3u16;
    /// let show_n = logcore::ShowValue(&n);
    /// let (values, placeholders) = ([FieldValue::of(&n)], [&show_n as &logcore::Placeholder<'_>]);
    /// let event = Event::live(LiveParts {
    ///     level: LogLevel::Info, callsite: &SITE, namespace: "app",
    ///     values: &values, placeholders: &placeholders,
    ///     source: None, failure: None, logger: None,
    /// });
    /// let mut seen = Vec::new();
    /// assert!(event.for_each_plain_placeholder(&mut |text_key, raw_key, field, value| {
    ///     seen.push((text_key.to_string(), raw_key.to_string(), field, value.to_string()))
    /// }));
    /// assert_eq!(seen, [("n!s:".to_string(), "n!:".to_string(), 0, "3".to_string())]);
    /// ```
    #[doc(hidden)]
    pub fn for_each_plain_placeholder(
        &self,
        f: &mut dyn FnMut(&str, &str, usize, Scalar<'_>),
    ) -> bool {
        match &self.repr {
            Repr::Live(l) => l.plain_placeholders(|text_key, raw_key, field, value| {
                f(text_key, raw_key, field, value)
            }),
            Repr::Owned(_) => false,
        }
    }

    /// A kept copy: the fields turned into [`OwnedValue`]s and each
    /// placeholder's text and value stored in `log_flattened`
    /// (twisted's `flattenEvent`), so it renders the same text later.
    pub fn to_owned_event(&self) -> OwnedEvent {
        let l = match &self.repr {
            Repr::Owned(e) => return (*e).clone(),
            Repr::Live(l) => l,
        };
        let flat = l.flat();
        let raw = l.raw_values();
        let mut fields = Vec::with_capacity(l.values.len());
        for (name, value) in l.fields() {
            fields.push((Cow::Borrowed(name), OwnedValue::from_value(&value)));
        }
        match l.added {
            Some(added) => added.for_each_field(&mut |name, value| {
                fields.push((Cow::Owned(name.to_string()), OwnedValue::from_value(&value)))
            }),
            None => {
                if let Some(logger) = l.logger {
                    logger.for_each_owned_field(&mut |name, value| fields.push((name, value)));
                }
            }
        }
        let mut flattened = Vec::with_capacity(flat.spans.as_slice().len() * 2);
        for (((text_key, raw_key), span), raw) in
            l.callsite.keys().zip(flat.spans.as_slice()).zip(raw)
        {
            // A placeholder that failed keeps no text, so the kept event
            // cannot be rendered either and says so.
            if let Some((start, end)) = span {
                let text = &flat.rendered[*start as usize..*end as usize];
                flattened.push((Cow::Borrowed(text_key), OwnedValue::Str(text.to_string())));
            }
            flattened.push((Cow::Borrowed(raw_key), raw.clone()));
        }
        OwnedEvent {
            level: Some(l.level),
            namespace: Some(l.namespace_kept()),
            format: Some(Cow::Borrowed(l.callsite.format)),
            time: self.time(),
            system: self.system().map(str::to_string),
            source: l.source.map(OwnedValue::from_value),
            failure: l.failure.cloned(),
            file: Some(Cow::Borrowed(l.callsite.file)),
            line: Some(l.callsite.line),
            fields,
            flattened,
        }
    }
}

impl Flat {
    fn text(&self) -> &str {
        self.unable.as_deref().unwrap_or(&self.rendered)
    }
}

impl<'a> Live<'a> {
    /// The `log_flattened` entries of an event whose placeholders are all
    /// plain (see [`Event::for_each_plain_placeholder`]): a string's text
    /// is the string itself, an integer's is written into a pooled string
    /// (taken only then). `false` (having called `f` for nothing) for any
    /// other event.
    fn flattened_plain(&self, f: &mut dyn FnMut(&str, &dyn Value)) -> bool {
        let mut digits: Option<PooledString> = None;
        self.plain_placeholders(|text_key, raw_key, field, value| {
            match value {
                Scalar::Str(s) => f(text_key, &s),
                _ => {
                    let digits = digits.get_or_insert_with(|| PooledString::with_capacity(20));
                    digits.clear();
                    value.write_plain(digits);
                    f(text_key, &digits.as_str());
                }
            }
            f(raw_key, &self.values[field]);
        })
    }

    /// Calls `f` with each placeholder's keys, the field it shows (an index
    /// into `values`) and that field's value as a scalar, if every
    /// placeholder (eight at most) is a plain `{name}` of a field holding a
    /// string or an integer; `false` (having called `f` for nothing)
    /// otherwise.
    #[inline]
    fn plain_placeholders(
        &self,
        mut f: impl FnMut(&'static str, &'static str, usize, Scalar<'_>),
    ) -> bool {
        let bare = self.callsite.bare;
        if self.callsite.calls || bare.len() != self.placeholder_count() || bare.len() > 8 {
            return false;
        }
        // Every placeholder is looked at before `f` is called for any.
        let mut scalars = [Scalar::None; 8];
        for ((text_key, _), (&field, scalar)) in
            self.callsite.keys().zip(bare.iter().zip(&mut scalars))
        {
            let value = self
                .values
                .get(usize::from(field))
                .and_then(|v| v.__scalar());
            match value {
                Some(v @ (Scalar::Str(_) | Scalar::I64(_) | Scalar::U64(_)))
                    if is_plain_key(text_key) =>
                {
                    *scalar = v
                }
                _ => return false,
            }
        }
        for (((text_key, raw_key), &field), scalar) in self.callsite.keys().zip(bare).zip(scalars) {
            f(text_key, raw_key, usize::from(field), scalar);
        }
        true
    }

    /// Writes the text if every placeholder is a plain `{name}` whose
    /// value writes itself; `false` (with some text written) otherwise.
    /// Given no placeholders, each is written from the field it shows,
    /// without a dynamic call.
    fn write_plain(&self, out: &mut String) -> bool {
        if self.placeholders.is_empty() {
            let mut fields = self.callsite.bare.iter();
            self.write_pieces(out, |out| {
                let field = fields.next().and_then(|&j| self.values.get(usize::from(j)));
                field.is_some_and(|value| value.__write_plain(out))
            })
        } else {
            let mut next = self.placeholders.iter();
            self.write_pieces(out, |out| next.next().is_some_and(|p| p.__write_plain(out)))
        }
    }

    /// The call site's pieces into `out`, each placeholder's by `field`
    /// (`false`: it cannot be written so); `false` at the first
    /// placeholder that is not a plain `{name}` or that `field` refuses.
    #[inline]
    fn write_pieces(&self, out: &mut String, mut field: impl FnMut(&mut String) -> bool) -> bool {
        for piece in self.callsite.pieces {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Field(text_key, _) => {
                    if !(is_plain_key(text_key) && field(out)) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Renders the text once: each placeholder's `Display`/`Debug` runs
    /// here and nowhere else.
    fn flat(&self) -> &Flat {
        self.flat.get_or_init(|| {
            let count = self.placeholder_count();
            let capacity = self.callsite.format.len() + 16 * count;
            let mut rendered = PooledString::with_capacity(capacity);
            let mut spans = Spans::new();
            let mut raw = self.callsite.calls.then(|| Pooled::with_capacity(count));
            let mut unable = None;
            let mut next = self.placeholder_list();
            for piece in self.callsite.pieces {
                match piece {
                    Piece::Literal(s) => rendered.push_str(s),
                    Piece::Field(text_key, _) => {
                        let Some(placeholder) = next.next() else {
                            break;
                        };
                        let start = rendered.len();
                        match text::render_placeholder(
                            placeholder,
                            is_plain_key(text_key),
                            &mut rendered,
                            raw.as_deref_mut(),
                        ) {
                            Ok(()) => spans.push(Some((start as u32, rendered.len() as u32))),
                            Err(reason) => {
                                rendered.truncate(start);
                                spans.push(None);
                                unable.get_or_insert_with(|| {
                                    text::unable_to_format(
                                        self.callsite.format,
                                        Some(self.namespace),
                                        &reason,
                                    )
                                });
                            }
                        }
                    }
                }
            }
            Flat {
                rendered,
                spans,
                unable,
                raw,
                raw_later: OnceCell::new(),
            }
        })
    }

    /// The placeholders' values, for a kept copy: taken with the text when
    /// the call site has calls, else in a pass of their own that runs no
    /// `Display` (the text is not asked for).
    fn raw_values(&self) -> &[OwnedValue] {
        let flat = self.flat();
        if let Some(raw) = &flat.raw {
            return raw;
        }
        flat.raw_later.get_or_init(|| {
            let mut raw = Pooled::<Vec<OwnedValue>>::with_capacity(self.placeholder_count());
            raw.extend(self.placeholder_list().map(text::raw_value));
            raw
        })
    }
}

impl fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("log_level", &self.level())
            .field("log_namespace", &self.namespace())
            .field("log_format", &self.format())
            .finish_non_exhaustive()
    }
}

/// Something that is or can be viewed as an [`Event`]: `Event` itself and
/// [`OwnedEvent`]. Functions such as [`format_event`](crate::format_event)
/// take either.
pub trait AsEvent {
    /// Calls `f` with the event.
    fn with_event<R>(&self, f: impl FnOnce(&Event<'_>) -> R) -> R;
}

impl AsEvent for Event<'_> {
    fn with_event<R>(&self, f: impl FnOnce(&Event<'_>) -> R) -> R {
        f(self)
    }
}

impl AsEvent for OwnedEvent {
    fn with_event<R>(&self, f: impl FnOnce(&Event<'_>) -> R) -> R {
        f(&Event::from_owned(self))
    }
}
