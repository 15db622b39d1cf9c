use std::fmt;

use crate::field_value::FieldValue;
use crate::value::{Map, Scalar, Seq, Value, Visit};

/// An owned value: what a kept event ([`OwnedEvent`](crate::OwnedEvent))
/// holds, and what a JSON log reads back as.
///
/// ```
/// use logcore::OwnedValue;
/// let v = OwnedValue::from_value(&[("a", 1)].into_iter().collect::<std::collections::BTreeMap<_, _>>());
/// assert_eq!(v, OwnedValue::Map(vec![("a".into(), OwnedValue::I64(1))]));
/// assert_eq!(v.to_string(), r#"{"a": 1}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OwnedValue {
    /// No value (`None`, JSON `null`).
    #[default]
    None,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer above `i64::MAX`, or any unsigned one.
    U64(u64),
    /// A float.
    F64(f64),
    /// A string (also the text of `Display`/`Debug`-only values).
    Str(String),
    /// A sequence.
    Seq(Vec<OwnedValue>),
    /// A map with string keys, in order.
    Map(Vec<(String, OwnedValue)>),
    /// A value that could not be stored (twisted's `{"unpersistable": true}`).
    Unpersistable,
}

/// Whether a refilled vector keeps its room: as much as a thread keeps of
/// a buffer ([`MAX_KEPT`](crate::reuse::MAX_KEPT)).
fn kept_room<T>(items: &Vec<T>) -> bool {
    items.capacity() * std::mem::size_of::<T>() <= crate::reuse::MAX_KEPT
}

impl OwnedValue {
    /// Visits `value` and keeps what it gives.
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// assert_eq!(OwnedValue::from_value(&"hi"), OwnedValue::Str("hi".into()));
    /// assert_eq!(OwnedValue::from_value(&7u8), OwnedValue::U64(7));
    /// ```
    pub fn from_value(value: &(impl Value + ?Sized)) -> OwnedValue {
        let mut builder = Builder(OwnedValue::None);
        value.visit(&mut builder);
        builder.0
    }

    /// Makes this value an empty string and gives it to be written: the
    /// string it held, if it was one, with its room kept (up to 64 KiB, as
    /// [`OwnedEvent::refill_str`](crate::OwnedEvent::refill_str) keeps a
    /// string's), so that an event refilled record after record does not
    /// allocate for its string values.
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// let mut value = OwnedValue::Str(String::with_capacity(16));
    /// let room = value.refill_str().as_ptr();
    /// value.refill_str().push_str("ann");
    /// assert_eq!(value, OwnedValue::Str("ann".into()));
    /// assert_eq!(value.refill_str().as_ptr(), room);
    /// let mut number = OwnedValue::U64(3);
    /// number.refill_str().push_str("3 apples");
    /// assert_eq!(number.as_str(), Some("3 apples"));
    /// ```
    pub fn refill_str(&mut self) -> &mut String {
        if !matches!(self, OwnedValue::Str(_)) {
            *self = OwnedValue::Str(String::new());
        }
        match self {
            OwnedValue::Str(s) => crate::owned_event::refill_string(s),
            // (made a string just above)
            _ => unreachable!("a value refilled as a string is one"),
        }
    }

    /// Makes this value a sequence and gives its items, as they were if it
    /// was one (to be written over, then truncated), unless they took more
    /// than 64 KiB.
    pub(crate) fn refill_seq(&mut self) -> &mut Vec<OwnedValue> {
        if !matches!(self, OwnedValue::Seq(items) if kept_room(items)) {
            *self = OwnedValue::Seq(Vec::new());
        }
        match self {
            OwnedValue::Seq(items) => items,
            // (made a sequence just above)
            _ => unreachable!("a value refilled as a sequence is one"),
        }
    }

    /// Makes this value a map and gives its entries, as
    /// [`OwnedValue::refill_seq`] gives a sequence's items.
    pub(crate) fn refill_map(&mut self) -> &mut Vec<(String, OwnedValue)> {
        if !matches!(self, OwnedValue::Map(entries) if kept_room(entries)) {
            *self = OwnedValue::Map(Vec::new());
        }
        match self {
            OwnedValue::Map(entries) => entries,
            // (made a map just above)
            _ => unreachable!("a value refilled as a map is one"),
        }
    }

    /// Makes this value `scalar`, as [`OwnedValue::from_value`] keeps it,
    /// writing a string into the one it holds (see
    /// [`OwnedValue::refill_str`]).
    pub(crate) fn refill_scalar(&mut self, scalar: crate::value::Scalar<'_>) {
        use crate::value::Scalar;
        // (each as `from_value`'s visitor keeps it, without the visit)
        *self = match scalar {
            Scalar::Str(s) => return self.refill_str().push_str(s),
            Scalar::I64(i) => OwnedValue::I64(i),
            Scalar::U64(u) => OwnedValue::U64(u),
            Scalar::F64(x) => OwnedValue::F64(x),
            Scalar::Bool(b) => OwnedValue::Bool(b),
            Scalar::None => OwnedValue::None,
            Scalar::Unpersistable => OwnedValue::Unpersistable,
        };
    }

    /// The string, if this is one.
    ///
    /// ```
    /// assert_eq!(logcore::OwnedValue::Str("x".into()).as_str(), Some("x"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OwnedValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an unsigned integer, if it is a whole number that fits
    /// (integers read back from JSON are `I64`; this takes either kind).
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// assert_eq!(OwnedValue::I64(250).as_u64(), Some(250));
    /// assert_eq!(OwnedValue::I64(-1).as_u64(), None);
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            OwnedValue::U64(u) => Some(*u),
            OwnedValue::I64(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }

    /// The value as a signed integer, if it is a whole number that fits.
    ///
    /// ```
    /// assert_eq!(logcore::OwnedValue::U64(7).as_i64(), Some(7));
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            OwnedValue::I64(i) => Some(*i),
            OwnedValue::U64(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    /// The value as a float, if it is a number.
    ///
    /// ```
    /// assert_eq!(logcore::OwnedValue::I64(2).as_f64(), Some(2.0));
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            OwnedValue::F64(f) => Some(*f),
            OwnedValue::I64(i) => Some(*i as f64),
            OwnedValue::U64(u) => Some(*u as f64),
            _ => None,
        }
    }

    /// The value of `key`, if this is a map that has it.
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// let m = OwnedValue::Map(vec![("a".into(), OwnedValue::Bool(true))]);
    /// assert_eq!(m.get("a"), Some(&OwnedValue::Bool(true)));
    /// ```
    pub fn get(&self, key: &str) -> Option<&OwnedValue> {
        match self {
            OwnedValue::Map(entries) => {
                entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// Converts a JSON tree.
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// let v = OwnedValue::from_json(serde_json::json!({"unpersistable": true}));
    /// assert_eq!(v, OwnedValue::Unpersistable);
    /// ```
    pub fn from_json(json: serde_json::Value) -> OwnedValue {
        use serde_json::Value as J;
        match json {
            J::Null => OwnedValue::None,
            J::Bool(b) => OwnedValue::Bool(b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    OwnedValue::I64(i)
                } else if let Some(u) = n.as_u64() {
                    OwnedValue::U64(u)
                } else {
                    OwnedValue::F64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            J::String(s) => OwnedValue::Str(s),
            J::Array(items) => {
                OwnedValue::Seq(items.into_iter().map(OwnedValue::from_json).collect())
            }
            J::Object(map) => {
                if map.len() == 1 && map.get("unpersistable") == Some(&J::Bool(true)) {
                    return OwnedValue::Unpersistable;
                }
                OwnedValue::Map(
                    map.into_iter()
                        .map(|(k, v)| (k, OwnedValue::from_json(v)))
                        .collect(),
                )
            }
        }
    }

    /// Converts to a JSON tree (non-finite floats become `null`: JSON has no
    /// token for them).
    ///
    /// ```
    /// use logcore::OwnedValue;
    /// assert_eq!(OwnedValue::Unpersistable.to_json(), serde_json::json!({"unpersistable": true}));
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            OwnedValue::None => J::Null,
            OwnedValue::Bool(b) => J::Bool(*b),
            OwnedValue::I64(i) => J::from(*i),
            OwnedValue::U64(u) => J::from(*u),
            OwnedValue::F64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            OwnedValue::Str(s) => J::String(s.clone()),
            OwnedValue::Seq(items) => J::Array(items.iter().map(OwnedValue::to_json).collect()),
            OwnedValue::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            OwnedValue::Unpersistable => serde_json::json!({"unpersistable": true}),
        }
    }
}

/// Text as twisted's `str()` would give it: strings bare, strings inside
/// sequences and maps quoted.
impl fmt::Display for OwnedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.__scalar() {
            Some(scalar) => scalar.fmt(f),
            // a sequence or a map
            None => f.pad(&format!("{:?}", crate::ValueDebug(self))),
        }
    }
}

struct Entries<'a>(&'a [(String, OwnedValue)]);
impl Map for Entries<'_> {
    fn each(&self, f: &mut dyn FnMut(&dyn Value, &dyn Value)) {
        for (k, v) in self.0 {
            f(k, v)
        }
    }
}

impl Value for OwnedValue {
    fn visit(&self, visitor: &mut dyn Visit) {
        match self {
            OwnedValue::Seq(items) => visitor.visit_seq(&crate::value::SliceSeq(items.as_slice())),
            OwnedValue::Map(entries) => visitor.visit_map(&Entries(entries)),
            scalar => {
                if let Some(scalar) = scalar.__scalar() {
                    scalar.visit(visitor)
                }
            }
        }
    }
    fn __field<'a>(&'a self, this: &'a dyn Value) -> FieldValue<'a> {
        match self.__scalar() {
            Some(scalar) => FieldValue::scalar_of(scalar),
            None => FieldValue::from_dyn(this),
        }
    }
    fn __scalar(&self) -> Option<Scalar<'_>> {
        Some(match self {
            OwnedValue::Str(s) => Scalar::Str(s),
            OwnedValue::I64(i) => Scalar::I64(*i),
            OwnedValue::U64(u) => Scalar::U64(*u),
            OwnedValue::F64(x) => Scalar::F64(*x),
            OwnedValue::Bool(b) => Scalar::Bool(*b),
            OwnedValue::None => Scalar::None,
            OwnedValue::Unpersistable => Scalar::Unpersistable,
            OwnedValue::Seq(_) | OwnedValue::Map(_) => return None,
        })
    }
    fn __pack(&self, packer: &mut crate::packed::Packer<'_>) -> bool {
        // read back, it is equal to itself, so it renders the same
        self.visit(packer);
        true
    }
}

/// Builds an [`OwnedValue`] from a visit.
struct Builder(OwnedValue);

impl Visit for Builder {
    fn visit_debug(&mut self, value: &dyn fmt::Debug) {
        self.0 = OwnedValue::Str(crate::text::catch_text(|out| {
            fmt::write(out, format_args!("{value:?}"))
        }));
    }
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        self.0 = OwnedValue::Str(crate::text::catch_text(|out| {
            fmt::write(out, format_args!("{value}"))
        }));
    }
    fn visit_str(&mut self, value: &str) {
        self.0 = OwnedValue::Str(value.to_string());
    }
    fn visit_i64(&mut self, value: i64) {
        self.0 = OwnedValue::I64(value);
    }
    fn visit_u64(&mut self, value: u64) {
        self.0 = OwnedValue::U64(value);
    }
    fn visit_i128(&mut self, value: i128) {
        self.0 = match (i64::try_from(value), u64::try_from(value)) {
            (Ok(i), _) => OwnedValue::I64(i),
            (_, Ok(u)) => OwnedValue::U64(u),
            _ => OwnedValue::Str(value.to_string()),
        };
    }
    fn visit_f64(&mut self, value: f64) {
        self.0 = OwnedValue::F64(value);
    }
    fn visit_bool(&mut self, value: bool) {
        self.0 = OwnedValue::Bool(value);
    }
    fn visit_char(&mut self, value: char) {
        self.0 = OwnedValue::Str(value.to_string());
    }
    fn visit_none(&mut self) {
        self.0 = OwnedValue::None;
    }
    fn visit_seq(&mut self, seq: &dyn Seq) {
        let mut items = Vec::new();
        seq.each(&mut |v| items.push(OwnedValue::from_value(v)));
        self.0 = OwnedValue::Seq(items);
    }
    fn visit_map(&mut self, map: &dyn Map) {
        let mut entries = Vec::new();
        map.each(&mut |k, v| {
            let key = match OwnedValue::from_value(k) {
                OwnedValue::Str(s) => s,
                other => other.to_string(),
            };
            entries.push((key, OwnedValue::from_value(v)));
        });
        self.0 = OwnedValue::Map(entries);
    }
    fn visit_unpersistable(&mut self) {
        self.0 = OwnedValue::Unpersistable;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DebugValue, DisplayValue};
    use std::collections::HashMap;

    #[test]
    fn a_scalar_refilled_over_any_value_is_what_from_value_keeps() {
        use crate::value::Scalar;
        let scalars = [
            Scalar::Str("text"),
            Scalar::I64(-3),
            Scalar::U64(u64::MAX),
            Scalar::F64(0.5),
            Scalar::Bool(true),
            Scalar::None,
            Scalar::Unpersistable,
        ];
        let before = [
            OwnedValue::Str("a much longer string than text".into()),
            OwnedValue::Seq(vec![OwnedValue::I64(1)]),
            OwnedValue::U64(7),
        ];
        for scalar in scalars {
            for old in &before {
                let mut slot = old.clone();
                slot.refill_scalar(scalar);
                assert_eq!(
                    slot,
                    OwnedValue::from_value(&scalar),
                    "{scalar:?} over {old:?}"
                );
            }
        }
    }

    #[test]
    fn every_kind_converts() {
        let cases: Vec<(OwnedValue, OwnedValue)> = vec![
            (OwnedValue::from_value(&-3i8), OwnedValue::I64(-3)),
            (OwnedValue::from_value(&u64::MAX), OwnedValue::U64(u64::MAX)),
            (
                OwnedValue::from_value(&u128::MAX),
                OwnedValue::Str(u128::MAX.to_string()),
            ),
            (OwnedValue::from_value(&(-5i128)), OwnedValue::I64(-5)),
            (OwnedValue::from_value(&1.5f32), OwnedValue::F64(1.5)),
            (OwnedValue::from_value(&true), OwnedValue::Bool(true)),
            (OwnedValue::from_value(&'é'), OwnedValue::Str("é".into())),
            (
                OwnedValue::from_value(&String::from("s")),
                OwnedValue::Str("s".into()),
            ),
            (OwnedValue::from_value(&None::<u8>), OwnedValue::None),
            (OwnedValue::from_value(&()), OwnedValue::None),
            (
                OwnedValue::from_value(&[1u8, 2]),
                OwnedValue::Seq(vec![OwnedValue::U64(1), OwnedValue::U64(2)]),
            ),
            (
                OwnedValue::from_value(&Box::new(std::sync::Arc::new(4i32))),
                OwnedValue::I64(4),
            ),
            (
                OwnedValue::from_value(&HashMap::from([(1u8, "x")])),
                OwnedValue::Map(vec![("1".into(), OwnedValue::Str("x".into()))]),
            ),
            (
                OwnedValue::from_value(&DisplayValue(3.25)),
                OwnedValue::Str("3.25".into()),
            ),
            (
                OwnedValue::from_value(&DebugValue("q")),
                OwnedValue::Str("\"q\"".into()),
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn json_round_trip_and_text() {
        let v = OwnedValue::Map(vec![
            ("s".into(), OwnedValue::Str("x".into())),
            (
                "l".into(),
                OwnedValue::Seq(vec![
                    OwnedValue::I64(1),
                    OwnedValue::Str("y".into()),
                    OwnedValue::None,
                ]),
            ),
            ("u".into(), OwnedValue::Unpersistable),
        ]);
        assert_eq!(OwnedValue::from_json(v.to_json()), v);
        assert_eq!(
            v.to_string(),
            r#"{"s": "x", "l": [1, "y", None], "u": <unpersistable>}"#
        );
        assert_eq!(format!("{:>4}", OwnedValue::Str("ab".into())), "  ab");
        assert_eq!(OwnedValue::F64(f64::NAN).to_json(), serde_json::Value::Null);
    }
}
