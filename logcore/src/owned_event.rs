use std::borrow::Cow;

use crate::failure::Failure;
use crate::level::LogLevel;
use crate::owned_value::OwnedValue;
use crate::reuse::MAX_KEPT;
use crate::value::Value;

/// A kept event: owned, `Clone + Send`, its placeholders already rendered
/// into `flattened` (twisted's `log_flattened`). Names that were static in
/// the program (field names, keys, the format, the file) are borrowed, not
/// copied. What capture, history, queues
/// and the JSON reader hold.
///
/// ```
/// use logcore::{OwnedEvent, LogLevel, format_event};
/// let event = OwnedEvent::new(LogLevel::Warn, "app::db", "{n} retries").with_field("n", 3);
/// assert_eq!(format_event(&event), "3 retries");
/// assert_eq!(event.field("n"), Some(&logcore::OwnedValue::I64(3)));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnedEvent {
    /// `log_level`.
    pub level: Option<LogLevel>,
    /// `log_namespace` (borrowed where it was static: a module's path).
    pub namespace: Option<Cow<'static, str>>,
    /// `log_format`, brace notation.
    pub format: Option<Cow<'static, str>>,
    /// `log_time`: seconds since the Unix epoch.
    pub time: Option<f64>,
    /// `log_system`.
    pub system: Option<String>,
    /// `log_source`.
    pub source: Option<OwnedValue>,
    /// `log_failure`.
    pub failure: Option<Failure>,
    /// `log_file`.
    pub file: Option<Cow<'static, str>>,
    /// `log_line`.
    pub line: Option<u32>,
    /// The user's fields, in order.
    pub fields: Vec<(Cow<'static, str>, OwnedValue)>,
    /// `log_flattened`: for each placeholder, `name!s:spec` → its text and
    /// `name!:spec` → its value.
    pub flattened: Vec<(Cow<'static, str>, OwnedValue)>,
}

/// `text` emptied, to be written again: its room kept, up to what a
/// thread keeps of a buffer ([`MAX_KEPT`]; a new string put there if it has
/// more, so that one huge record does not hold its memory for good).
pub(crate) fn refill_string(text: &mut String) -> &mut String {
    if text.capacity() > MAX_KEPT {
        *text = String::new();
    }
    text.clear();
    text
}

/// The string `text` owns, emptied, to be written again (its room kept, as
/// [`refill_string`] keeps it); a new one put there if it is borrowed.
fn refill<'s>(text: &'s mut Cow<'static, str>) -> &'s mut String {
    if let Cow::Borrowed(_) = text {
        *text = Cow::Owned(String::new());
    }
    refill_string(text.to_mut())
}

/// Pair `i` of `pairs` as it is, or a new pair pushed if there are no more
/// than `i` (pairs are refilled in order, so it is then pair `i`).
pub(crate) fn pair_at<'p>(
    pairs: &'p mut Vec<(Cow<'static, str>, OwnedValue)>,
    i: usize,
) -> &'p mut (Cow<'static, str>, OwnedValue) {
    if i >= pairs.len() {
        pairs.push((Cow::Borrowed(""), OwnedValue::None));
    }
    let last = pairs.len() - 1;
    &mut pairs[i.min(last)]
}

impl OwnedEvent {
    /// The string `slot` owns, emptied, to be written again (its room kept,
    /// up to 64 KiB); a new one put there if it holds none, a borrowed one,
    /// or a bigger one. How one event is refilled record after record (the
    /// `log` bridge, the non-blocking reader) without allocating.
    ///
    /// ```
    /// use logcore::OwnedEvent;
    /// let mut event = OwnedEvent::default();
    /// OwnedEvent::refill_str(&mut event.namespace).push_str("app::db");
    /// let room = event.namespace.as_deref().unwrap().as_ptr();
    /// OwnedEvent::refill_str(&mut event.namespace).push_str("app::web");
    /// assert_eq!(event.namespace.as_deref(), Some("app::web"));
    /// assert_eq!(event.namespace.as_deref().unwrap().as_ptr(), room);
    /// // a very big one is let go, a borrowed one left alone
    /// let mut big = Some("x".repeat(100_000).into());
    /// assert!(OwnedEvent::refill_str(&mut big).capacity() < 100_000);
    /// let mut borrowed = Some(std::borrow::Cow::Borrowed("static"));
    /// assert_eq!(OwnedEvent::refill_str(&mut borrowed).as_str(), "");
    /// ```
    pub fn refill_str<'s>(slot: &'s mut Option<Cow<'static, str>>) -> &'s mut String {
        refill(slot.get_or_insert(Cow::Borrowed("")))
    }

    /// Pair `i` of `pairs` (a field, or a `log_flattened` entry), to be
    /// written again: its name emptied, with its room kept as
    /// [`OwnedEvent::refill_str`] keeps it, and its value as it was (see
    /// [`OwnedValue::refill_str`]). A new pair is pushed when there are no
    /// more than `i`. Refill pairs `0..n` in turn, then
    /// `pairs.truncate(n)`.
    ///
    /// ```
    /// use logcore::{OwnedEvent, OwnedValue};
    /// let mut event = OwnedEvent::default().with_field("user", "ann").with_field("n", 2);
    /// let room = event.fields[0].0.as_ptr();
    /// let (name, value) = OwnedEvent::refill_pair(&mut event.fields, 0);
    /// name.push_str("peer");
    /// value.refill_str().push_str("bob");
    /// event.fields.truncate(1);
    /// assert_eq!(event.fields, [("peer".into(), OwnedValue::Str("bob".into()))]);
    /// assert_eq!(event.fields[0].0.as_ptr(), room);
    /// ```
    pub fn refill_pair<'p>(
        pairs: &'p mut Vec<(Cow<'static, str>, OwnedValue)>,
        i: usize,
    ) -> (&'p mut String, &'p mut OwnedValue) {
        let (name, value) = pair_at(pairs, i);
        (refill(name), value)
    }

    /// An event with a level, namespace and format, stamped with the current
    /// time (to the microsecond, as every event's time is).
    pub fn new(level: LogLevel, namespace: &str, format: &str) -> OwnedEvent {
        OwnedEvent {
            level: Some(level),
            namespace: Some(Cow::Owned(namespace.to_string())),
            format: Some(Cow::Owned(format.to_string())),
            time: Some(crate::clock::now()),
            ..OwnedEvent::default()
        }
    }

    /// Adds a field (builder style).
    ///
    /// ```
    /// let e = logcore::OwnedEvent::default().with_field("k", "v");
    /// assert_eq!(e.fields[0].0, "k");
    /// ```
    pub fn with_field(mut self, name: &str, value: impl Value) -> OwnedEvent {
        self.fields
            .push((Cow::Owned(name.to_string()), OwnedValue::from_value(&value)));
        self
    }

    /// The value of a user field (the last one of that name).
    pub fn field(&self, name: &str) -> Option<&OwnedValue> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The value of a `log_flattened` key.
    ///
    /// ```
    /// let mut e = logcore::OwnedEvent::default();
    /// e.flattened.push(("n!s:".into(), logcore::OwnedValue::Str("7".into())));
    /// assert_eq!(e.flattened("n!s:").and_then(|v| v.as_str()), Some("7"));
    /// ```
    pub fn flattened(&self, key: &str) -> Option<&OwnedValue> {
        self.flattened
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}
