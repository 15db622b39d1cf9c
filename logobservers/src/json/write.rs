use std::fmt::{self, Write as _};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use logcore::{Event, Failure, FieldValue, Map, OwnedEvent, Scalar, Seq, Value, Visit};

use super::{FAILURE_UUID, LEVEL_OBJECT};
use crate::scan::{any_json_special, json_special};

/// Appends `event` as one JSON object (no separator, no newline), with
/// twisted's keys: the user's fields first, then `log_level`,
/// `log_namespace`, `log_system`, `log_source`, `log_format`, `log_time`,
/// `log_failure`, `log_file`, `log_line`, and `log_flattened` last. Floats
/// that JSON cannot hold are written as twisted does (`NaN`, `Infinity`).
///
/// ```
/// use logcore::{LogLevel, OwnedEvent};
/// let mut event = OwnedEvent::new(LogLevel::Info, "app", "{n} items").with_field("n", 3);
/// event.time = Some(1.5);
/// let mut out = String::new();
/// logobservers::event_as_json(&event, &mut out);
/// assert_eq!(
///     out,
///     r#"{"n":3,"log_level":{"name":"info","__class_uuid__":"02e59486-f24d-46ad-8224-3acdf2a5732a"},"log_namespace":"app","log_format":"{n} items","log_time":1.5}"#
/// );
/// ```
pub fn event_as_json(event: &OwnedEvent, out: &mut String) {
    write_event(&Event::from_owned(event), out)
}

/// Appends any event, live or kept, as [`event_as_json`] does. A live
/// event's values are visited straight into `out`, and the rest of its
/// record is usually copied from its call site's template (see
/// `template.rs`).
pub fn write_event(event: &Event<'_>, out: &mut String) {
    if !super::template::write(event, out) {
        write_record(event, out, None);
    }
}

/// What a value written into a record is, in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hole {
    /// A field's value (one of the call site's).
    Field,
    /// The logger's fields, each with its comma, name and value (nothing
    /// for a logger without fields; marked only for an event that needs
    /// [`Optional::LOGGER`]).
    LoggerFields,
    /// `log_namespace`.
    Namespace,
    /// `log_system` with its comma and key (nothing when there is none;
    /// marked as [`Hole::LoggerFields`] is).
    System,
    /// `log_source` with its comma and key (nothing when there is none;
    /// marked only for an event that needs [`Optional::SOURCE`]).
    Source,
    /// `log_time`.
    Time,
    /// A plain placeholder's text in `log_flattened`, and the field it
    /// shows (its value's JSON is this text, or the text quoted).
    FlatText(usize),
    /// Its raw value, the field's JSON again.
    FlatRaw,
    /// A `log_flattened` entry's value when they are rendered (a
    /// placeholder that is not a plain `{name}` of a string or an integer),
    /// and the address of its key, one of the call site's strings: the
    /// entries of another event of the call site fit only if their keys
    /// are the same (a placeholder whose text failed has no text entry).
    Flat(usize),
}

/// Where the values of a record went in `out`, in order.
pub(super) type Holes = Vec<(Hole, Range<usize>)>;

/// Which of a record's optional parts an event has, as holes: a record
/// made without them is two or three copies shorter. A template made from
/// an event has the holes the event needs, and is made again for an event
/// that needs more.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Optional(u8);

impl Optional {
    /// A logger's fields or system: [`Hole::LoggerFields`] and
    /// [`Hole::System`].
    pub(super) const LOGGER: Optional = Optional(1);
    /// `log_source`: [`Hole::Source`].
    pub(super) const SOURCE: Optional = Optional(2);

    /// What `event` needs.
    pub(super) fn of(event: &Event<'_>) -> Optional {
        let logger = event.has_logger_fields() || event.system().is_some();
        Optional(
            u8::from(logger) * Optional::LOGGER.0
                + u8::from(event.source().is_some()) * Optional::SOURCE.0,
        )
    }

    /// Whether every part `other` has, this has too.
    pub(super) fn covers(self, other: Optional) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Writes the record, noting in `holes` (when given) where each value
/// went: for an event of [`Event::callsite_values`], everything else in
/// the record is the same for every event of the call site at the level.
pub(super) fn write_record(event: &Event<'_>, out: &mut String, mut holes: Option<&mut Holes>) {
    // Asked only by a template, which wants holes: the first `own` fields
    // are the call site's and the rest its logger's, which a template
    // writes as one hole, as it does the optional parts.
    let (own, optional) = match holes {
        Some(_) => (
            event.callsite_values().map_or(usize::MAX, |(_, v)| v.len()),
            Optional::of(event),
        ),
        None => (usize::MAX, Optional::default()),
    };
    let mut mark = |hole: Hole, range: Range<usize>| {
        if let Some(holes) = holes.as_deref_mut() {
            holes.push((hole, range));
        }
    };
    out.push('{');
    let mut first = true;
    // `quoted` is a key already quoted, with its colon: twisted's keys need
    // no escaping, so they are copied as they are.
    let mut key = |out: &mut String, quoted: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(quoted);
    };
    // The call site's strings, copied as they are when it says they can be.
    let callsite_fields = event.escape_free_callsite();
    let mut field = 0;
    let mut logger_fields = None;
    event.for_each_field(&mut |name, value| {
        if field == own {
            logger_fields = Some(out.len());
        }
        key(out, "");
        match callsite_fields {
            Some(n) if field < n => write_str_as_is(out, name),
            _ => write_str(out, name),
        }
        out.push(':');
        let start = out.len();
        write_field(out, value);
        if field < own {
            mark(Hole::Field, start..out.len());
        }
        field += 1;
    });
    if optional.covers(Optional::LOGGER) {
        mark(
            Hole::LoggerFields,
            logger_fields.unwrap_or(out.len())..out.len(),
        );
    }
    if let Some(level) = event.level() {
        key(out, "\"log_level\":");
        out.push_str(LEVEL_OBJECT.0);
        out.push_str(level.name());
        out.push_str(LEVEL_OBJECT.1);
    }
    if let Some(namespace) = event.namespace() {
        key(out, "\"log_namespace\":");
        let start = out.len();
        write_namespace(out, event, namespace);
        mark(Hole::Namespace, start..out.len());
    }
    let start = out.len();
    if let Some(system) = event.system() {
        key(out, "\"log_system\":");
        write_str(out, system);
    }
    if optional.covers(Optional::LOGGER) {
        mark(Hole::System, start..out.len());
    }
    let start = out.len();
    if let Some(source) = event.source() {
        key(out, "\"log_source\":");
        write_value(out, source);
    }
    if optional.covers(Optional::SOURCE) {
        mark(Hole::Source, start..out.len());
    }
    if let Some(format) = event.format() {
        key(out, "\"log_format\":");
        match callsite_fields {
            Some(_) => write_str_as_is(out, format),
            None => write_str(out, format),
        }
    }
    if let Some(time) = event.time() {
        key(out, "\"log_time\":");
        let start = out.len();
        write_f64(out, time);
        mark(Hole::Time, start..out.len());
    }
    if let Some(failure) = event.failure() {
        key(out, "\"log_failure\":");
        write_failure(out, failure);
    }
    if let Some((file, line)) = event.location() {
        key(out, "\"log_file\":");
        write_str(out, file);
        out.push_str(",\"log_line\":");
        logcore::push_int(out, line);
    }
    let mut any = false;
    // (`as_is`: the key is one of the call site's, which need no escaping)
    let mut entry = |out: &mut String, k: &str, as_is: bool| {
        if !any {
            key(out, "\"log_flattened\":{");
            any = true;
        } else {
            out.push(',');
        }
        if as_is {
            write_str_as_is(out, k);
        } else {
            write_str(out, k);
        }
        out.push(':');
    };
    // Plain placeholders of strings and integers are written from their
    // values (no text rendered first, nothing to catch).
    let keys_as_is = callsite_fields.is_some();
    let plain = event.for_each_plain_placeholder(&mut |text_key, raw_key, field, value| {
        entry(out, text_key, keys_as_is);
        let start = out.len();
        let raw = write_flat_text(out, value);
        mark(Hole::FlatText(field), start..out.len());
        entry(out, raw_key, keys_as_is);
        let start = out.len();
        out.extend_from_within(raw);
        mark(Hole::FlatRaw, start..out.len());
    });
    if !plain {
        // (a live event's keys are its call site's)
        event.for_each_flattened(&mut |k, v| {
            entry(out, k, keys_as_is);
            let start = out.len();
            write_value(out, v);
            mark(Hole::Flat(k.as_ptr() as usize), start..out.len());
        });
    }
    if any {
        out.push('}');
    }
    out.push('}');
}

/// Writes a plain placeholder's text (see
/// [`Event::for_each_plain_placeholder`]), and returns where its raw
/// value's JSON is within it: the same string, or an integer's digits
/// without the quotes.
fn write_flat_text(out: &mut String, value: Scalar<'_>) -> Range<usize> {
    let start = out.len();
    match value {
        Scalar::Str(s) => {
            write_str(out, s);
            start..out.len()
        }
        _ => {
            out.push('"');
            write_scalar(out, value);
            out.push('"');
            start + 1..out.len() - 1
        }
    }
}

/// A failure as twisted stores one (its `__getstate__` plus the type), with
/// the message as `value` and spindle's extras (`causes`, `rust_type`).
fn write_failure(out: &mut String, failure: &Failure) {
    let type_name = failure.type_name();
    let (module, name) = match type_name.rsplit_once("::") {
        Some((m, n)) => (m.replace("::", "."), n.to_string()),
        None => match type_name.rsplit_once('.') {
            Some((m, n)) => (m.to_string(), n.to_string()),
            None => ("builtins".to_string(), type_name.to_string()),
        },
    };
    out.push_str("{\"count\":1,\"type\":{\"__module__\":");
    write_str(out, &module);
    out.push_str(",\"__name__\":");
    write_str(out, &name);
    out.push_str("},\"value\":");
    write_str(out, failure.message());
    out.push_str(",\"captureVars\":false,\"tb\":null,\"parents\":[");
    let qualified = format!("{module}.{name}");
    write_str(out, &qualified);
    for parent in failure.parents().iter().filter(|p| **p != qualified) {
        out.push(',');
        write_str(out, parent);
    }
    out.push_str("],\"stack\":[],\"frames\":[");
    for (i, frame) in failure.frames().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_str(out, &frame.function);
        out.push(',');
        write_str(out, &frame.file);
        let _ = write!(out, ",{},[],[]]", frame.line);
    }
    out.push_str("],\"pickled\":1,\"causes\":[");
    for (i, cause) in failure.causes().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, cause);
    }
    out.push_str("],\"rust_type\":");
    write_str(out, type_name);
    let _ = write!(out, ",\"__class_uuid__\":\"{FAILURE_UUID}\"}}");
}

/// Writes a value; one whose `Display` or `Debug` panics is written as
/// unpersistable, and the record stays whole.
pub(super) fn write_value(out: &mut String, value: &dyn Value) {
    let start = out.len();
    if catch_unwind(AssertUnwindSafe(|| value.visit(&mut JsonValue(out)))).is_err() {
        out.truncate(start);
        out.push_str("{\"unpersistable\":true}");
    }
}

/// Writes a field's value: a string or scalar held as itself without a
/// call to the value, any other as [`write_value`] does.
#[inline]
pub(super) fn write_field(out: &mut String, value: FieldValue<'_>) {
    match value.__held() {
        Some(scalar) => write_scalar(out, scalar),
        None => write_value(out, &*value),
    }
}

/// Writes a scalar as its value would be visited (it cannot panic).
#[inline]
fn write_scalar(out: &mut String, value: Scalar<'_>) {
    match value {
        Scalar::Str(s) => write_str(out, s),
        Scalar::I64(i) => logcore::push_int(out, i),
        Scalar::U64(u) => logcore::push_int(out, u),
        other => other.visit(&mut JsonValue(out)),
    }
}

/// Writes visited values as JSON.
struct JsonValue<'a>(&'a mut String);

impl Visit for JsonValue<'_> {
    fn visit_debug(&mut self, value: &dyn fmt::Debug) {
        self.0.push('"');
        let _ = write!(Escaped(self.0), "{value:?}");
        self.0.push('"');
    }
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        self.0.push('"');
        let _ = write!(Escaped(self.0), "{value}");
        self.0.push('"');
    }
    fn visit_str(&mut self, value: &str) {
        write_str(self.0, value);
    }
    fn visit_i64(&mut self, value: i64) {
        logcore::push_int(self.0, value);
    }
    fn visit_u64(&mut self, value: u64) {
        logcore::push_int(self.0, value);
    }
    fn visit_i128(&mut self, value: i128) {
        logcore::push_int(self.0, value);
    }
    fn visit_f64(&mut self, value: f64) {
        write_f64(self.0, value);
    }
    fn visit_bool(&mut self, value: bool) {
        self.0.push_str(if value { "true" } else { "false" });
    }
    fn visit_char(&mut self, value: char) {
        write_str(self.0, value.encode_utf8(&mut [0; 4]));
    }
    fn visit_none(&mut self) {
        self.0.push_str("null");
    }
    fn visit_seq(&mut self, seq: &dyn Seq) {
        self.0.push('[');
        let mut first = true;
        seq.each(&mut |v| {
            if !first {
                self.0.push(',');
            }
            first = false;
            v.visit(self);
        });
        self.0.push(']');
    }
    fn visit_map(&mut self, map: &dyn Map) {
        self.0.push('{');
        let mut first = true;
        map.each(&mut |k, v| {
            if !first {
                self.0.push(',');
            }
            first = false;
            k.visit(&mut JsonKey(self.0));
            self.0.push(':');
            v.visit(self);
        });
        self.0.push('}');
    }
    fn visit_unpersistable(&mut self) {
        self.0.push_str("{\"unpersistable\":true}");
    }
}

/// Writes a map key: JSON keys are strings, so other kinds are quoted.
struct JsonKey<'a>(&'a mut String);

impl Visit for JsonKey<'_> {
    // Text-only values are strings already; only other kinds need quoting.
    fn visit_debug(&mut self, value: &dyn fmt::Debug) {
        JsonValue(self.0).visit_debug(value)
    }
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        JsonValue(self.0).visit_display(value)
    }
    fn visit_str(&mut self, value: &str) {
        write_str(self.0, value);
    }
}

/// Escapes what is written through it as JSON string content.
struct Escaped<'a>(&'a mut String);

impl fmt::Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_str_content(self.0, s);
        Ok(())
    }
}

pub(super) fn write_f64(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if !write_micros(out, f) {
        // the shortest text that reads back as the same float, with a `.0`
        // on whole numbers so that they read back as floats
        out.push_str(ryu::Buffer::new().format_finite(f));
    }
}

/// A float that is a whole number of microseconds (as every event's time
/// is: the clock rounds it so), split into seconds and microseconds; `None`
/// for any other float, and outside 1 to 2^32 seconds.
///
/// Below 2^32 floats are less than half a microsecond apart, so no other
/// decimal of at most six places reads back as such a float: its seconds,
/// a `.` and its six digits of microseconds, trailing zeros dropped, is
/// its shortest text, which is what ryu writes.
#[inline]
fn whole_micros(f: f64) -> Option<(u64, u32)> {
    if !(1.0..4_294_967_296.0).contains(&f) {
        return None;
    }
    // (below 2^53, so exact; `+ 0.5` rounds, and the check below catches a
    // float that is not the nearest to `n` microseconds; `i64`, as the
    // clock does, for its one-instruction conversions)
    let n = (f * 1e6 + 0.5) as i64;
    if n as f64 / 1e6 != f {
        return None;
    }
    // (positive: `f` is at least 1)
    let n = n as u64;
    Some((n / 1_000_000, (n % 1_000_000) as u32))
}

/// Writes the microseconds after a float's `.`, as ryu does.
#[inline]
fn write_fraction(out: &mut String, micros: u32) {
    match micros {
        0 => out.push('0'),
        // six digits with their leading zeros (after the 1), without the
        // trailing ones
        micros => {
            out.push_str(itoa::Buffer::new().format(micros + 1_000_000)[1..].trim_end_matches('0'))
        }
    }
}

/// Writes `f` as ryu would, without its search for the shortest digits,
/// when it is a whole number of microseconds (see [`whole_micros`]);
/// `false`, writing nothing, for any other float.
fn write_micros(out: &mut String, f: f64) -> bool {
    let Some((seconds, micros)) = whole_micros(f) else {
        return false;
    };
    logcore::push_int(out, seconds);
    out.push('.');
    write_fraction(out, micros);
    true
}

/// The text of the whole seconds of the last time written (`"1796659979."`),
/// kept: it changes once a second.
#[derive(Debug, Default)]
pub(super) struct Second {
    seconds: u64,
    text: String,
}

/// Writes an event's time: as [`write_f64`] does, copying the seconds'
/// text from `second` when they are the same as last time's.
pub(super) fn write_time(out: &mut String, time: f64, second: &mut Second) {
    let Some((seconds, micros)) = whole_micros(time) else {
        return write_f64(out, time);
    };
    // (never 0 here, so the first time is never taken for a kept one)
    if seconds != second.seconds {
        second.seconds = seconds;
        second.text.clear();
        logcore::push_int(&mut second.text, seconds);
        second.text.push('.');
    }
    out.push_str(&second.text);
    write_fraction(out, micros);
}

/// A JSON string: quotes, backslashes and every control character escaped
/// (so a value can hold no raw newline or record separator).
pub(super) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    write_str_content(out, s);
    out.push('"');
}

/// An event's namespace as a JSON string: copied as it is when the event
/// knows it needs no escaping ([`Event::namespace_escape_free`]).
pub(super) fn write_namespace(out: &mut String, event: &Event<'_>, namespace: &str) {
    if event.namespace_escape_free() {
        write_str_as_is(out, namespace)
    } else {
        write_str(out, namespace)
    }
}

/// A JSON string known to need no escaping (see
/// [`Event::escape_free_callsite`]).
#[inline]
pub(super) fn write_str_as_is(out: &mut String, s: &str) {
    out.push('"');
    out.push_str(s);
    out.push('"');
}

fn write_str_content(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    if !any_json_special(bytes) {
        out.push_str(s);
        return;
    }
    // the start of the run not yet copied
    let mut start = 0;
    for (j, &b) in bytes.iter().enumerate() {
        if !json_special(b) {
            continue;
        }
        out.push_str(&s[start..j]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = j + 1;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_to_escape_is_escaped_wherever_it_stands() {
        let cases = [
            ('"', "\\\""),
            ('\\', "\\\\"),
            ('\n', "\\n"),
            ('\u{1}', "\\u0001"),
            ('\u{7f}', "\\u007f"),
        ];
        crate::scan::assert_escapes_everywhere("é", &cases, |text, out| {
            write_str_content(out, text)
        });
    }

    #[test]
    fn strings_and_floats() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\nd\x1e\x1b é");
        assert_eq!(out, r#""a\"b\\c\nd\u001e\u001b é""#);
        for (f, want) in [
            (1.0, "1.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1e300, "1e300"),
            (0.1, "0.1"),
            (1_796_659_979.278_983, "1796659979.278983"),
            (1_796_659_979.000_001, "1796659979.000001"),
            (1_796_659_979.2, "1796659979.2"),
            (1_796_659_979.0, "1796659979.0"),
        ] {
            let mut out = String::new();
            write_f64(&mut out, f);
            assert_eq!(out, want);
        }
    }

    #[test]
    fn whole_microseconds_are_written_as_ryu_writes_them() {
        let ryu = |f: f64| ryu::Buffer::new().format_finite(f).to_string();
        let mut next = crate::test_support::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut fast = 0;
        let mut second = Second::default();
        for i in 0..400_000u64 {
            let r = next();
            let f = match i % 5 {
                // whole microseconds: a time (the clock's), then any size
                0 => (1_796_659_979_000_000 + r % 3_000_000) as f64 / 1e6,
                4 => (1_600_000_000_000_000 + r % 400_000_000_000_000) as f64 / 1e6,
                1 => (r % (1 << 52)) as f64 / 1e6,
                // near the ends of the range, where floats are furthest apart
                2 => ((1u64 << 32) * 1_000_000 - 1 - r % 10_000) as f64 / 1e6,
                // any float at all (most are not whole microseconds)
                _ => f64::from_bits(r),
            };
            if !f.is_finite() {
                continue;
            }
            let mut out = String::new();
            if write_micros(&mut out, f) {
                fast += 1;
                assert_eq!(out, ryu(f), "{f:e}");
            }
            // the seconds' text kept from the float before (the same
            // seconds, often, for the times)
            let mut timed = String::new();
            write_time(&mut timed, f, &mut second);
            assert_eq!(timed, ryu(f), "{f:e}");
        }
        // every time and most microseconds took the fast way
        assert!(fast > 250_000, "{fast}");
        for f in [
            0.999_999,
            1.0,
            4_294_967_295.999_999,
            4_294_967_296.0,
            2.5e-7,
        ] {
            let mut out = String::new();
            write_f64(&mut out, f);
            assert_eq!(out, ryu(f));
        }
    }

    #[test]
    fn values_are_visited_into_json() {
        use std::collections::BTreeMap;
        let mut out = String::new();
        let map: BTreeMap<u8, Vec<Option<&str>>> = [(1, vec![Some("a\n"), None])].into();
        write_value(&mut out, &map);
        write_value(&mut out, &logcore::DisplayValue("q\"uote"));
        write_value(&mut out, &logcore::DebugValue("dbg"));
        write_value(&mut out, &'c');
        assert_eq!(out, r#"{"1":["a\n",null]}"q\"uote""\"dbg\"""c""#);
        struct Bad;
        impl fmt::Display for Bad {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                panic!("no")
            }
        }
        let mut out = String::from("[");
        write_value(&mut out, &logcore::DisplayValue(Bad));
        assert_eq!(out, r#"[{"unpersistable":true}"#);
    }
}
