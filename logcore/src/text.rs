//! Text of events: twisted's `formatEvent` and `eventAsText`.

use std::fmt::{self, Write as _};
use std::panic::{AssertUnwindSafe, catch_unwind};

use logformat::{Align, Conversion, SpecFlavor, parse_spec};

use crate::event::{AsEvent, Event};
use crate::owned_event::OwnedEvent;
use crate::owned_value::OwnedValue;
use crate::placeholder::{Placeholder, Sink};
use crate::value::{Scalar, Value};

/// The most a width or precision from a stored (untrusted) format may pad to.
const MAX_PAD: usize = 4096;

/// The text of an event: its format rendered, or `""` when it has none.
/// Never fails or panics: an event that cannot be rendered gives
/// `Unable to format event …` with the reason.
///
/// ```
/// use logcore::{format_event, OwnedEvent, LogLevel};
/// let e = OwnedEvent::new(LogLevel::Info, "app", "{a} and {b!r:>5}")
///     .with_field("a", 1).with_field("b", "x");
/// assert_eq!(format_event(&e), "1 and   \"x\"");
/// let broken = OwnedEvent::new(LogLevel::Info, "app", "{missing}");
/// assert!(format_event(&broken).starts_with("Unable to format event"));
/// ```
pub fn format_event<E: AsEvent + ?Sized>(event: &E) -> String {
    event.with_event(|e| e.text().into_owned())
}

/// An event as one text line in twisted's layout:
/// `<time> [<system>] <text>`, with every newline in the text (and the
/// failure's traceback, if any) followed by a tab. Empty when the event has
/// no text and no failure.
///
/// ```
/// use logcore::{event_as_text, OwnedEvent, LogLevel};
/// let mut e = OwnedEvent::new(LogLevel::Warn, "app::web", "two\nlines");
/// e.time = None;
/// assert_eq!(event_as_text(&e), "- [app::web#warn] two\n\tlines");
/// ```
pub fn event_as_text<E: AsEvent + ?Sized>(event: &E) -> String {
    event.with_event(|e| {
        let mut text = e.text().into_owned();
        if let Some(failure) = e.failure() {
            text.push('\n');
            text.push_str(&failure.traceback());
        }
        if text.is_empty() {
            return text;
        }
        let mut line = String::with_capacity(text.len() + 64);
        write_time(e.time(), &mut line);
        line.push_str(" [");
        write_system_id(e, &mut line);
        line.push_str("] ");
        line.push_str(&text.replace('\n', "\n\t"));
        line
    })
}

/// The system of an event: `log_system`, else `namespace#level` with `-`
/// for a missing part.
///
/// ```
/// use logcore::{system_id, Event, OwnedEvent};
/// assert_eq!(system_id(&Event::from_owned(&OwnedEvent::default())), "-#-");
/// ```
pub fn system_id(event: &Event<'_>) -> String {
    let mut out = String::new();
    write_system_id(event, &mut out);
    out
}

/// Appends [`system_id`]'s text to `out`.
///
/// ```
/// use logcore::{write_system_id, Event, LogLevel, OwnedEvent};
/// let mut out = String::new();
/// write_system_id(&Event::from_owned(&OwnedEvent::new(LogLevel::Warn, "db", "")), &mut out);
/// assert_eq!(out, "db#warn");
/// ```
pub fn write_system_id(event: &Event<'_>, out: &mut String) {
    match event.system() {
        Some(system) => out.push_str(system),
        None => {
            out.push_str(event.namespace().unwrap_or("-"));
            out.push('#');
            out.push_str(event.level().map_or("-", |l| l.name()));
        }
    }
}

/// Seconds since the epoch as local time, `%Y-%m-%dT%H:%M:%S%z`; `-` for none.
///
/// ```
/// assert_eq!(logcore::format_time(None), "-");
/// assert_eq!(logcore::format_time(Some(0.5)).len(), "1970-01-01T00:00:00+0000".len());
/// ```
pub fn format_time(time: Option<f64>) -> String {
    let mut out = String::with_capacity(24);
    write_time(time, &mut out);
    out
}

thread_local! {
    /// The last second formatted on this thread, and its text.
    static LAST_SECOND: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
}

/// Appends [`format_time`]'s text to `out` without allocating: the text of
/// the last second formatted on this thread is kept and reused.
///
/// ```
/// let mut out = String::from("at ");
/// logcore::write_time(Some(0.0), &mut out);
/// logcore::write_time(None, &mut out);
/// assert_eq!(out, format!("at {}-", logcore::format_time(Some(0.9))));
/// ```
pub fn write_time(time: Option<f64>, out: &mut String) {
    let Some(t) = time.filter(|t| t.is_finite()) else {
        out.push('-');
        return;
    };
    if !(-1e15..1e15).contains(&t) {
        out.push('-');
        return;
    }
    // the whole seconds below `t` without a call to `floor`: truncated,
    // then one less for a negative time with a fraction
    let truncated = t as i64;
    let secs = truncated - i64::from(truncated as f64 > t);
    LAST_SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            cached.1.clear();
            match chrono::DateTime::from_timestamp(secs, 0) {
                Some(utc) => {
                    let local = utc.with_timezone(&chrono::Local);
                    // (`write_to`: `Display` formats into a string of its own)
                    let _ = local.format("%Y-%m-%dT%H:%M:%S%z").write_to(&mut cached.1);
                }
                None => cached.1.push('-'),
            }
            cached.0 = secs;
        }
        out.push_str(&cached.1);
    });
}

/// The text twisted gives an event that cannot be rendered.
pub(crate) fn unable_to_format(format: &str, namespace: Option<&str>, reason: &str) -> String {
    format!(
        "Unable to format event {{log_format: {format:?}, log_namespace: {namespace:?}}}: {reason}"
    )
}

/// What a panic carried, as text.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

/// Appends `n` in decimal, as its `Display` does, without `fmt`. (For the
/// observers of this workspace; not part of the stable API.)
///
/// ```
/// let mut out = String::from("n=");
/// logcore::push_int(&mut out, -42i64);
/// assert_eq!(out, "n=-42");
/// ```
#[doc(hidden)]
pub fn push_int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Runs a formatting closure into a string; a panic or an error from a
/// `Display` gives `<unformattable: …>` instead of unwinding.
pub(crate) fn catch_text(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut out = String::new();
    catch_text_into(&mut out, f);
    out
}

/// As [`catch_text`], appending to `out` (in place of what `f` wrote, when
/// it failed).
pub(crate) fn catch_text_into(out: &mut String, f: impl FnOnce(&mut String) -> fmt::Result) {
    let start = out.len();
    match catch_unwind(AssertUnwindSafe(|| f(out))) {
        Ok(Ok(())) => {}
        failed => {
            out.truncate(start);
            out.push_str(&unformattable(failed));
        }
    }
}

/// The `<unformattable: …>` note for formatting that failed or panicked.
pub(crate) fn unformattable(failed: std::thread::Result<fmt::Result>) -> String {
    match failed {
        Err(payload) => format!("<unformattable: panicked: {}>", panic_message(&*payload)),
        Ok(_) => "<unformattable: a formatting trait returned an error>".to_string(),
    }
}

/// Writes a placeholder's text into the event's text and, when asked, keeps
/// its value.
struct TextSink<'a> {
    out: &'a mut String,
    raw: Option<&'a mut Vec<OwnedValue>>,
    /// The placeholder is a plain `{…}` (no spec, no `!r`): a value that
    /// can write its `Display` text directly does, without `fmt`.
    plain: bool,
    result: fmt::Result,
}

impl Sink for TextSink<'_> {
    fn put(&mut self, text: fmt::Arguments<'_>, raw: Option<&dyn Value>) {
        let written = self.plain
            && raw
                .and_then(|v| v.__scalar())
                .is_some_and(|s| s.write_plain(self.out));
        if !written {
            self.result = self.out.write_fmt(text);
        }
        if let Some(values) = &mut self.raw {
            values.push(raw.map_or(OwnedValue::Unpersistable, kept_value));
        }
    }
}

/// Runs a placeholder once, catching panics: appends its text to `out`,
/// and its value to `raw` when given (`Unpersistable` if it failed). A
/// `plain` placeholder (no spec, no `!r`) of an integer or a string writes
/// its text straight into `out`: no `fmt`, nothing that can fail.
#[inline]
pub(crate) fn render_placeholder(
    placeholder: &Placeholder<'_>,
    plain: bool,
    out: &mut String,
    raw: Option<&mut Vec<OwnedValue>>,
) -> Result<(), String> {
    // (values kept with the text take the full path)
    if plain && raw.is_none() && placeholder.__write_plain(out) {
        return Ok(());
    }
    render_through_sink(placeholder, plain, out, raw)
}

/// [`render_placeholder`]'s full path: through a [`Sink`], catching panics.
#[inline(never)]
fn render_through_sink(
    placeholder: &Placeholder<'_>,
    plain: bool,
    out: &mut String,
    mut raw: Option<&mut Vec<OwnedValue>>,
) -> Result<(), String> {
    let before = raw.as_ref().map_or(0, |r| r.len());
    let mut sink = TextSink {
        out,
        raw: raw.as_deref_mut(),
        plain,
        result: Ok(()),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| placeholder.render(&mut sink)));
    let result = sink.result;
    let outcome = match outcome {
        Ok(()) if result.is_ok() => Ok(()),
        Ok(()) => Err("a formatting trait implementation returned an error".to_string()),
        Err(payload) => Err(format!("panicked: {}", panic_message(&*payload))),
    };
    if let Some(values) = raw
        && values.len() == before
    {
        values.push(OwnedValue::Unpersistable);
    }
    outcome
}

/// Hands a placeholder's value to `f` (unpersistable when it has none, or
/// when evaluating it panics); its text is not formatted.
pub(crate) fn visit_raw(placeholder: &Placeholder<'_>, f: &mut dyn FnMut(&dyn Value)) {
    struct Visiting<'a>(&'a mut dyn FnMut(&dyn Value), bool);
    impl Sink for Visiting<'_> {
        fn put(&mut self, _text: fmt::Arguments<'_>, raw: Option<&dyn Value>) {
            self.1 = true;
            (self.0)(raw.unwrap_or(&OwnedValue::Unpersistable));
        }
    }
    let mut sink = Visiting(f, false);
    let outcome = catch_unwind(AssertUnwindSafe(|| placeholder.render(&mut sink)));
    if outcome.is_err() || !sink.1 {
        (sink.0)(&OwnedValue::Unpersistable);
    }
}

/// A placeholder's value alone (`Unpersistable` when it has none or
/// panics); its text is not formatted.
pub(crate) fn raw_value(placeholder: &Placeholder<'_>) -> OwnedValue {
    let mut out = OwnedValue::Unpersistable;
    visit_raw(placeholder, &mut |v| out = kept_value(v));
    out
}

/// A placeholder's value kept with its event: a string is copied into a
/// string from the thread's pool (given back with the event's list of
/// values).
fn kept_value(value: &dyn Value) -> OwnedValue {
    match value.__scalar() {
        Some(Scalar::Str(s)) => OwnedValue::Str(crate::reuse::pooled_str(s)),
        _ => OwnedValue::from_value(value),
    }
}

/// A kept event's text when its format has no placeholders, without
/// parsing it: the format with each doubled brace made single, appended to
/// `out` (what [`render_owned_into`] gives for it). `false`, with `out` as it
/// was, when the format has a placeholder or a lone brace and must be
/// rendered. Records from the `log` crate are such formats.
pub(crate) fn write_literal_format(out: &mut String, format: &str) -> bool {
    let start = out.len();
    let mut rest = format;
    while let Some(at) = memchr::memchr2(b'{', b'}', rest.as_bytes()) {
        let brace = rest.as_bytes()[at];
        if rest.as_bytes().get(at + 1) != Some(&brace) {
            out.truncate(start);
            return false;
        }
        // (up to and with the first of the two braces)
        out.push_str(&rest[..=at]);
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    true
}

/// Renders a kept event, appended to `out`: placeholders from
/// `log_flattened` where present (as twisted's `flatFormat`), else looked
/// up in its fields. Nothing is allocated but the room `out` grows by,
/// once a format that was static in the program is parsed on this thread.
pub(crate) fn render_owned_into(event: &OwnedEvent, out: &mut String) {
    let start = out.len();
    if let Err(unable) = try_render_owned(event, out) {
        out.truncate(start);
        out.push_str(&unable);
    }
}

/// Appends a kept event's text to `out`, or says why it cannot be made,
/// as twisted's text for it (`Unable to format event …`).
fn try_render_owned(event: &OwnedEvent, out: &mut String) -> Result<(), String> {
    let Some(format) = event.format.as_deref().filter(|f| !f.is_empty()) else {
        return Ok(());
    };
    let namespace = event.namespace.as_deref();
    let static_format = matches!(event.format, Some(std::borrow::Cow::Borrowed(_)));
    let parsed = match parsed_format(format, static_format) {
        Ok(p) => p,
        Err(e) => return Err(unable_to_format(format, namespace, &e.to_string())),
    };
    let (parsed, keys) = &*parsed;
    let mut keys = keys.iter();
    for piece in &parsed.pieces {
        match piece {
            logformat::Piece::Literal(s) => out.push_str(s),
            logformat::Piece::Field(field) => {
                let (text_key, _) = keys.next().expect("one key pair per field");
                if let Some(text) = event.flattened(text_key) {
                    match text {
                        OwnedValue::Str(s) => out.push_str(s),
                        other => {
                            let _ = write!(out, "{other}");
                        }
                    }
                    continue;
                }
                if event.flattened(&keys_raw(text_key, field)).is_some() {
                    // Flattened when logged, but its text could not be made.
                    let reason =
                        format!("`{}` could not be rendered when it was logged", field.name);
                    return Err(unable_to_format(format, namespace, &reason));
                }
                let value = match crate::extract::lookup_path(event, field) {
                    Ok(v) => v,
                    Err(e) => return Err(unable_to_format(format, namespace, &e.to_string())),
                };
                match apply_spec(&value, field.conversion, &field.spec) {
                    Ok(text) => out.push_str(&text),
                    Err(e) => return Err(unable_to_format(format, namespace, &e)),
                }
            }
        }
    }
    Ok(())
}

/// A format and its `log_flattened` keys, parsed.
type Parsed = std::rc::Rc<(logformat::Format, Vec<(String, String)>)>;

/// Parses a kept event's format. A format that was static in the program
/// (a call site's, in events read back from a queue) is parsed once per
/// thread: its address names it.
fn parsed_format(format: &str, is_static: bool) -> Result<Parsed, logformat::ParseError> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<(usize, usize), Parsed>> = RefCell::new(HashMap::new());
    }
    let parse = || -> Result<Parsed, logformat::ParseError> {
        let parsed = logformat::parse_lenient(format)?;
        let keys = logformat::flattened_keys(&parsed);
        Ok(std::rc::Rc::new((parsed, keys)))
    };
    if !is_static {
        return parse();
    }
    let name = (format.as_ptr() as usize, format.len());
    if let Some(hit) = CACHE.with_borrow(|c| c.get(&name).cloned()) {
        return Ok(hit);
    }
    let parsed = parse()?;
    CACHE.with_borrow_mut(|c| {
        if c.len() >= 4096 {
            c.clear();
        }
        c.insert(name, parsed.clone());
    });
    Ok(parsed)
}

/// The raw key that goes with a numbered text key (`n!s:/2` → `n!:/2`).
fn keys_raw(text_key: &str, field: &logformat::Field) -> String {
    let suffix = text_key
        .rsplit_once('/')
        .filter(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, n)| n);
    match suffix {
        Some(n) => format!("{}/{n}", field.raw_key()),
        None => field.raw_key(),
    }
}

/// Renders a stored value with a conversion and a format spec (Python's or
/// Rust's grammar), for events that carry no pre-rendered text. Widths and
/// precisions are capped at 4096.
///
/// ```
/// use logcore::{apply_spec, OwnedValue};
/// use logformat::Conversion;
/// assert_eq!(apply_spec(&OwnedValue::I64(7), None, "03d").unwrap(), "007");
/// assert_eq!(apply_spec(&OwnedValue::F64(2.0 / 3.0), None, ".2f").unwrap(), "0.67");
/// assert_eq!(apply_spec(&OwnedValue::I64(255), None, "#x").unwrap(), "0xff");
/// assert_eq!(apply_spec(&OwnedValue::Str("ab".into()), Some(Conversion::Repr), ">6").unwrap(), "  \"ab\"");
/// assert_eq!(apply_spec(&OwnedValue::I64(1234567), None, ",").unwrap(), "1,234,567");
/// ```
pub fn apply_spec(
    value: &OwnedValue,
    conversion: Option<Conversion>,
    spec: &str,
) -> Result<String, String> {
    let spec =
        parse_spec(spec, SpecFlavor::Python).or_else(|_| parse_spec(spec, SpecFlavor::Rust))?;
    let width = spec.width.unwrap_or(0).min(MAX_PAD);
    let precision = spec.precision.map(|p| p.min(MAX_PAD));
    let ty = spec.ty.as_str();
    let number = match (conversion, value) {
        (None, OwnedValue::I64(i)) => Some(Num::Int(i128::from(*i))),
        (None, OwnedValue::U64(u)) => Some(Num::Int(i128::from(*u))),
        (None, OwnedValue::F64(f)) => Some(Num::Float(*f)),
        (None, OwnedValue::Bool(b)) if !ty.is_empty() && ty != "s" => {
            Some(Num::Int(i128::from(*b)))
        }
        _ => None,
    };
    let (body, numeric) = match number {
        Some(n) => (format_number(n, &spec, precision)?, true),
        None => {
            let mut text = match conversion {
                Some(Conversion::Repr) => format!("{:?}", crate::ValueDebug(value)),
                _ if ty == "?" => format!("{:?}", crate::ValueDebug(value)),
                _ => value.to_string(),
            };
            if !matches!(ty, "" | "s" | "?") {
                return Err(format!("format type `{ty}` cannot be applied to {text:?}"));
            }
            if let Some(p) = precision {
                text = text.chars().take(p).collect();
            }
            (text, false)
        }
    };
    let len = body.chars().count();
    if len >= width {
        return Ok(body);
    }
    let pad = width - len;
    if spec.zero && numeric && spec.align.is_none() {
        let sign_len = usize::from(body.starts_with(['-', '+', ' ']));
        let prefix_len = sign_len
            + if body[sign_len..].starts_with("0x")
                || body[sign_len..].starts_with("0b")
                || body[sign_len..].starts_with("0o")
            {
                2
            } else {
                0
            };
        return Ok(format!(
            "{}{}{}",
            &body[..prefix_len],
            "0".repeat(pad),
            &body[prefix_len..]
        ));
    }
    let fill = spec.fill.to_string();
    let align = spec
        .align
        .unwrap_or(if numeric { Align::Right } else { Align::Left });
    Ok(match align {
        Align::Left => format!("{body}{}", fill.repeat(pad)),
        Align::Right => format!("{}{body}", fill.repeat(pad)),
        Align::Center => format!(
            "{}{body}{}",
            fill.repeat(pad / 2),
            fill.repeat(pad - pad / 2)
        ),
        Align::AfterSign => {
            let sign_len = usize::from(body.starts_with(['-', '+', ' ']));
            format!(
                "{}{}{}",
                &body[..sign_len],
                fill.repeat(pad),
                &body[sign_len..]
            )
        }
    })
}

#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

fn format_number(
    n: Num,
    spec: &logformat::FormatSpec,
    precision: Option<usize>,
) -> Result<String, String> {
    let ty = spec.ty.as_str();
    let negative = match n {
        Num::Int(i) => i < 0,
        Num::Float(f) => f.is_sign_negative() && f != 0.0,
    };
    let alt = spec.alternate;
    let digits = match (n, ty) {
        (Num::Int(i), "" | "d" | "n" | "s") => i.unsigned_abs().to_string(),
        (Num::Int(i), "x") => format!("{}{:x}", if alt { "0x" } else { "" }, i.unsigned_abs()),
        (Num::Int(i), "X") => format!("{}{:X}", if alt { "0X" } else { "" }, i.unsigned_abs()),
        (Num::Int(i), "o") => format!("{}{:o}", if alt { "0o" } else { "" }, i.unsigned_abs()),
        (Num::Int(i), "b") => format!("{}{:b}", if alt { "0b" } else { "" }, i.unsigned_abs()),
        (Num::Int(i), "c") => {
            char::from_u32(u32::try_from(i).map_err(|_| "`c` needs a code point")?)
                .ok_or("`c` needs a code point")?
                .to_string()
        }
        (Num::Int(i), "e" | "E" | "f" | "F" | "g" | "G" | "%") => {
            return format_number(Num::Float(i as f64), spec, precision);
        }
        (Num::Float(f), "" | "s" | "n") => match precision {
            Some(p) => format!("{:.*}", p, f.abs()),
            None => f.abs().to_string(),
        },
        (Num::Float(f), "f" | "F") => format!("{:.*}", precision.unwrap_or(6), f.abs()),
        (Num::Float(f), "%") => format!("{:.*}%", precision.unwrap_or(6), f.abs() * 100.0),
        (Num::Float(f), "e") => python_exp(&format!("{:.*e}", precision.unwrap_or(6), f.abs())),
        (Num::Float(f), "E") => {
            python_exp(&format!("{:.*e}", precision.unwrap_or(6), f.abs())).to_uppercase()
        }
        (Num::Float(f), "g" | "G") => {
            let s = format!("{}", f.abs());
            if ty == "G" { s.to_uppercase() } else { s }
        }
        (Num::Float(_), t) => {
            return Err(format!("format type `{t}` cannot be applied to a float"));
        }
        (Num::Int(_), t) => {
            return Err(format!("format type `{t}` cannot be applied to an integer"));
        }
    };
    let digits = match spec.grouping {
        Some(sep)
            if !digits.starts_with('0')
                || digits.len() == 1
                || !digits[1..].starts_with(['x', 'X', 'o', 'b']) =>
        {
            group(&digits, sep)
        }
        _ => digits,
    };
    let sign = match (negative, spec.sign) {
        (true, _) => "-",
        (false, Some(logformat::Sign::Plus)) => "+",
        (false, Some(logformat::Sign::Space)) => " ",
        _ => "",
    };
    Ok(format!("{sign}{digits}"))
}

/// `1.5e3` → `1.5e+03`, Python's exponent form.
fn python_exp(rust: &str) -> String {
    match rust.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => rust.to_string(),
    }
}

fn group(digits: &str, sep: char) -> String {
    let (int, frac) = digits.split_at(digits.find(['.', '%', 'e']).unwrap_or(digits.len()));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_owned(event: &OwnedEvent) -> String {
        let mut out = String::new();
        render_owned_into(event, &mut out);
        out
    }
    use crate::LogLevel;

    #[test]
    fn a_time_is_shown_at_the_second_below_it() {
        let at = |t: f64| format_time(Some(t));
        assert_eq!(at(0.0), at(0.999_999));
        assert_ne!(at(0.0), at(1.0));
        // before 1970: the second below, not the one nearer zero
        assert_eq!(at(-0.5), at(-1.0));
        assert_ne!(at(-0.5), at(0.0));
        assert_eq!(at(-1.000_001), at(-2.0));
        for out_of_range in [1e15, -1e15 - 1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(at(out_of_range), "-");
        }
        assert_ne!(at(-1e10), "-");
    }

    #[test]
    fn a_format_without_placeholders_is_its_own_text_without_being_parsed() {
        use crate::Event;
        // (format, whether it has no placeholder)
        let formats = [
            ("", true),
            ("plain words", true),
            ("a {{b}} c", true),
            ("{{", true),
            ("}}", true),
            ("x {{{{y}}}}", true),
            ("pool {{full}} at 95% é{{ü}}", true),
            ("lone { brace", false),
            ("lone } brace", false),
            ("}{", false),
            ("{{}", false),
            ("{n} items", false),
            ("a {{ {n}", false),
            ("ends with {", false),
        ];
        for (format, literal) in formats {
            let event = OwnedEvent::new(LogLevel::Info, "t", format).with_field("n", 3u8);
            let rendered = render_owned(&event);
            let mut out = String::from("> ");
            assert_eq!(
                write_literal_format(&mut out, format),
                literal,
                "{format:?}"
            );
            if literal {
                assert_eq!(out, format!("> {rendered}"), "{format:?}");
            } else {
                assert_eq!(out, "> ", "{format:?} left as it was");
            }
            // and the event's text, either way
            let event = Event::from_owned(&event);
            assert_eq!(event.text(), rendered, "{format:?}");
            let mut out = String::from("> ");
            event.write_text(&mut out);
            assert_eq!(out, format!("> {rendered}"), "{format:?}");
        }
        let none = OwnedEvent::default();
        assert_eq!(Event::from_owned(&none).text(), render_owned(&none));
    }

    #[test]
    fn spec_table() {
        let cases: &[(OwnedValue, Option<Conversion>, &str, &str)] = &[
            (OwnedValue::I64(-7), None, "04", "-007"),
            (OwnedValue::I64(7), None, "+d", "+7"),
            (OwnedValue::I64(7), None, "*^5", "**7**"),
            (OwnedValue::I64(-7), None, "=5", "-   7"),
            (OwnedValue::U64(255), None, "X", "FF"),
            (OwnedValue::U64(5), None, "b", "101"),
            (OwnedValue::F64(1500.0), None, ".2e", "1.50e+03"),
            (OwnedValue::F64(0.25), None, ".1%", "25.0%"),
            (OwnedValue::F64(-1.0), None, "8.3", "  -1.000"),
            (OwnedValue::Str("hello".into()), None, ".3", "hel"),
            (OwnedValue::Str("é".into()), None, "_<3", "é__"),
            (OwnedValue::Str("x".into()), None, "?", "\"x\""),
            (OwnedValue::None, None, "", "None"),
            (OwnedValue::Bool(true), None, "", "true"),
            (
                OwnedValue::I64(1),
                None,
                ">999999999",
                &format!("{}1", " ".repeat(MAX_PAD - 1)),
            ),
        ];
        for (value, conversion, spec, want) in cases {
            assert_eq!(
                apply_spec(value, *conversion, spec).as_deref(),
                Ok(*want),
                "{value:?} {spec:?}"
            );
        }
        let err = |v: OwnedValue, spec: &str| apply_spec(&v, None, spec).unwrap_err();
        assert_eq!(
            err(OwnedValue::Str("x".into()), "d"),
            "format type `d` cannot be applied to \"x\""
        );
        assert_eq!(
            err(OwnedValue::I64(1), "zz"),
            "unknown format type `zz` in `zz`"
        );
        assert_eq!(
            err(OwnedValue::F64(1.0), "x"),
            "format type `x` cannot be applied to a float"
        );
        assert_eq!(err(OwnedValue::I64(-1), "c"), "`c` needs a code point");
    }

    #[test]
    fn owned_events_render_from_flattened_first() {
        let mut event = OwnedEvent::new(LogLevel::Info, "app", "{x:>4} {y.z} {x:>4}");
        event
            .flattened
            .push(("x!s:>4".into(), OwnedValue::Str("  AB".into())));
        event
            .flattened
            .push(("x!s:>4/2".into(), OwnedValue::Str("  CD".into())));
        event.fields.push((
            "y".into(),
            OwnedValue::Map(vec![("z".into(), OwnedValue::I64(5))]),
        ));
        assert_eq!(render_owned(&event), "  AB 5   CD");
        event.format = Some("{nope}".into());
        assert!(render_owned(&event).contains("nope"));
        // appended: what was written before a placeholder failed is taken
        // back, and only that
        event.format = Some("ok {x:>4} {nope}".into());
        let mut out = String::from("prefix: ");
        render_owned_into(&event, &mut out);
        assert!(
            out.starts_with("prefix: Unable to format event {log_format: \"ok "),
            "{out}"
        );
        event.format = Some("{".into());
        assert!(render_owned(&event).starts_with("Unable to format event"));
        event.format = None;
        assert_eq!(render_owned(&event), "");
    }

    #[test]
    fn as_text_layout() {
        let mut event = OwnedEvent::new(LogLevel::Info, "app", "");
        assert_eq!(event_as_text(&event), "");
        event.format = Some("a\nb".into());
        event.system = Some("custom".into());
        event.time = Some(0.0);
        let text = event_as_text(&event);
        assert!(text.ends_with(" [custom] a\n\tb"), "{text}");
        assert_eq!(text.split(' ').next().unwrap(), format_time(Some(0.0)));
    }
}
