//! One JSON record into an event, deserialized straight into spindle's
//! types (no intermediate JSON tree).

use std::fmt;

use logcore::{Failure, Frame, LogLevel, OwnedEvent, OwnedValue};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{FAILURE_UUID, LEVEL_UUID};
use crate::scan::any_byte;

/// A string no JSON text holds, standing for a non-finite float while the
/// record is parsed.
const NON_FINITE: &str = "\u{0}spindle-non-finite:";

/// Rewrites twisted's `NaN`, `Infinity` and `-Infinity` tokens (outside
/// strings) as marker strings serde_json accepts.
fn replace_non_finite(text: &str) -> std::borrow::Cow<'_, str> {
    // Most records hold neither token: a scan for their first letters,
    // 16 bytes at a time (vector compares), tells.
    if !any_byte(text.as_bytes(), |b| b == b'N' || b == b'I')
        || !text.contains("NaN") && !text.contains("Infinity")
    {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(token) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            out.push('"');
            out.push_str(&NON_FINITE.replace('\0', "\\u0000"));
            out.push_str(token);
            out.push('"');
            rest = &rest[token.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
}

fn non_finite(s: &str) -> Option<f64> {
    Some(match s.strip_prefix(NON_FINITE)? {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => f64::NEG_INFINITY,
    })
}

/// Parses one JSON record (without framing) into an event.
///
/// ```
/// let e = logobservers::event_from_json(r#"{"log_format": "{x:.1f}", "x": NaN, "log_namespace": "a.b"}"#).unwrap();
/// assert!(matches!(e.field("x"), Some(logcore::OwnedValue::F64(f)) if f.is_nan()));
/// assert_eq!(logcore::format_event(&e), "NaN");
/// assert!(logobservers::event_from_json("[1]").is_err());
/// ```
pub fn event_from_json(text: &str) -> Result<OwnedEvent, String> {
    let text = replace_non_finite(text);
    let mut de = serde_json::Deserializer::from_str(&text);
    let event = de.deserialize_any(EventVisitor).map_err(|e| bad_json(&e))?;
    de.end().map_err(|e| bad_json(&e))?;
    Ok(event)
}

fn bad_json(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => e.to_string(),
        _ => format!("bad JSON: {e}"),
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = OwnedEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record must be a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OwnedEvent, A::Error> {
        let mut event = OwnedEvent::default();
        while let Some(key) = map.next_key_seed(StrSeed)? {
            match &*key {
                "log_level" => event.level = map.next_value_seed(LevelSeed)?,
                "log_namespace" => event.namespace = text_of(map.next_value_seed(ValueSeed)?),
                "log_format" => {
                    event.format = text_of(map.next_value_seed(ValueSeed)?).map(Into::into)
                }
                "log_system" => event.system = text_of(map.next_value_seed(ValueSeed)?),
                "log_file" => event.file = text_of(map.next_value_seed(ValueSeed)?).map(Into::into),
                "log_line" => {
                    event.line = map
                        .next_value_seed(ValueSeed)?
                        .as_u64()
                        .and_then(|l| u32::try_from(l).ok())
                }
                "log_time" => event.time = map.next_value_seed(ValueSeed)?.as_f64(),
                "log_source" => event.source = Some(map.next_value_seed(ValueSeed)?),
                "log_failure" => {
                    event.failure =
                        failure(map.next_value_seed(ValueSeed)?).map_err(de::Error::custom)?
                }
                "log_logger" => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                "log_flattened" => map.next_value_seed(FlattenedSeed(&mut event.flattened))?,
                _ => {
                    let value = map.next_value_seed(ValueSeed)?;
                    event.fields.push((key.into_owned().into(), value));
                }
            }
        }
        Ok(event)
    }
}

/// Deserializes any JSON value as an [`OwnedValue`]: level objects become
/// their name, `{"unpersistable": true}` becomes `Unpersistable`, marker
/// strings become non-finite floats, and an unknown `__class_uuid__` is an
/// error (twisted aborts the whole file on one; the reader skips the record).
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = OwnedValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OwnedValue, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// A key or another string, borrowed from the record unless it holds an
/// escape (serde's own `Cow<str>` always copies).
struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(StrSeed)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.to_string().into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = OwnedValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<OwnedValue, E> {
        Ok(OwnedValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<OwnedValue, E> {
        Ok(OwnedValue::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<OwnedValue, E> {
        Ok(i64::try_from(v).map_or(OwnedValue::U64(v), OwnedValue::I64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<OwnedValue, E> {
        Ok(OwnedValue::F64(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<OwnedValue, E> {
        Ok(non_finite(v).map_or_else(|| OwnedValue::Str(v.to_string()), OwnedValue::F64))
    }
    fn visit_string<E>(self, v: String) -> Result<OwnedValue, E> {
        Ok(match non_finite(&v) {
            Some(f) => OwnedValue::F64(f),
            None => OwnedValue::Str(v),
        })
    }
    fn visit_unit<E>(self) -> Result<OwnedValue, E> {
        Ok(OwnedValue::None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OwnedValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            items.push(item);
        }
        Ok(OwnedValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OwnedValue, A::Error> {
        // Keys borrowed from the record where they can be: a level object's
        // are thrown away, and the others are copied once, at the end.
        let mut entries: Vec<(std::borrow::Cow<'de, str>, OwnedValue)> = Vec::new();
        while let Some(key) = map.next_key_seed(StrSeed)? {
            let value = map.next_value_seed(ValueSeed)?;
            entries.push((key, value));
        }
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
                return Err(de::Error::custom(format!(
                    "unknown __class_uuid__ `{uuid}`"
                )));
            }
        }
        if entries.len() == 1
            && entries[0].0 == "unpersistable"
            && entries[0].1 == OwnedValue::Bool(true)
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
}

fn text_of(value: OwnedValue) -> Option<String> {
    match value {
        OwnedValue::Str(s) => Some(s),
        OwnedValue::None => None,
        other => Some(other.to_string()),
    }
}

/// `log_level`: a level object, a name, or null, read without copying
/// anything. An unknown name is no level, as twisted reads it.
struct LevelSeed;

impl<'de> DeserializeSeed<'de> for LevelSeed {
    type Value = Option<LogLevel>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LevelSeed)
    }
}

impl<'de> Visitor<'de> for LevelSeed {
    type Value = Option<LogLevel>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a level for `log_level`")
    }
    fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
        Ok(name.parse().ok())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut name, mut uuid) = (None, None);
        while let Some(key) = map.next_key_seed(StrSeed)? {
            match &*key {
                "name" => name = Some(map.next_value_seed(StrSeed)?),
                "__class_uuid__" => uuid = Some(map.next_value_seed(StrSeed)?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        match uuid.as_deref() {
            Some(LEVEL_UUID) => Ok(name.and_then(|n| n.parse().ok())),
            Some(uuid) if uuid != FAILURE_UUID => Err(de::Error::custom(format!(
                "unknown __class_uuid__ `{uuid}`"
            ))),
            _ => Err(de::Error::custom("`log_level` is not a level object")),
        }
    }
}

/// `log_flattened`: its entries straight into the event's.
struct FlattenedSeed<'e>(&'e mut Vec<(std::borrow::Cow<'static, str>, OwnedValue)>);

impl<'de> DeserializeSeed<'de> for FlattenedSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FlattenedSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object for `log_flattened`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(StrSeed)? {
            let value = map.next_value_seed(ValueSeed)?;
            self.0.push((key.into_owned().into(), value));
        }
        Ok(())
    }
}

/// `log_failure`: twisted's failure state (or spindle's, with its extras).
fn failure(value: OwnedValue) -> Result<Option<Failure>, String> {
    let OwnedValue::Map(_) = &value else {
        return Ok(None);
    };
    if value.get("__class_uuid__").and_then(OwnedValue::as_str) != Some(FAILURE_UUID) {
        return Err("`log_failure` is not a failure".to_string());
    }
    let type_name = match value.get("rust_type").and_then(OwnedValue::as_str) {
        Some(t) => t.to_string(),
        None => {
            let ty = value.get("type");
            let module = ty
                .and_then(|t| t.get("__module__"))
                .and_then(OwnedValue::as_str)
                .unwrap_or("builtins");
            let name = ty
                .and_then(|t| t.get("__name__"))
                .and_then(OwnedValue::as_str)
                .unwrap_or("Exception");
            format!("{module}.{name}")
        }
    };
    let message = match value.get("value") {
        Some(OwnedValue::Str(s)) => s.clone(),
        // What twisted prints for a failure it read back.
        _ => "{'unpersistable': True}".to_string(),
    };
    let strings = |key: &str| -> Vec<String> {
        match value.get(key) {
            Some(OwnedValue::Seq(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let frames = match value.get("frames") {
        Some(OwnedValue::Seq(frames)) => frames
            .iter()
            .filter_map(|f| {
                let OwnedValue::Seq(f) = f else { return None };
                Some(Frame {
                    function: f.first()?.as_str()?.to_string(),
                    file: f.get(1)?.as_str()?.to_string(),
                    line: f.get(2)?.as_u64().and_then(|l| u32::try_from(l).ok())?,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(
        Failure::from_stored(&type_name, &message, strings("causes"), frames)
            .with_parents(strings("parents")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_tokens_only_outside_strings() {
        let e = event_from_json(
            r#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity", "d": "\"NaN"}"#,
        )
        .unwrap();
        assert!(matches!(e.field("a"), Some(OwnedValue::F64(f)) if f.is_nan()));
        assert_eq!(
            e.field("b"),
            Some(&OwnedValue::Seq(vec![
                OwnedValue::F64(f64::INFINITY),
                OwnedValue::F64(f64::NEG_INFINITY)
            ]))
        );
        assert_eq!(e.field("c"), Some(&OwnedValue::Str("NaN Infinity".into())));
        assert_eq!(e.field("d"), Some(&OwnedValue::Str("\"NaN".into())));
    }

    #[test]
    fn system_keys_levels_and_errors() {
        let e = event_from_json(
            r#"{"x": {"y": [1, null, true]}, "log_level": {"name": "warn", "__class_uuid__": "02e59486-f24d-46ad-8224-3acdf2a5732a"}, "log_time": 1.5, "log_line": 3, "log_logger": {"unpersistable": true}, "big": 18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(e.level, Some(LogLevel::Warn));
        assert_eq!((e.time, e.line), (Some(1.5), Some(3)));
        assert_eq!(
            e.field("x").and_then(|x| x.get("y")),
            Some(&OwnedValue::Seq(vec![
                OwnedValue::I64(1),
                OwnedValue::None,
                OwnedValue::Bool(true)
            ]))
        );
        assert_eq!(e.field("big"), Some(&OwnedValue::U64(u64::MAX)));
        assert!(e.field("log_logger").is_none());
        let unknown_level = event_from_json(r#"{"log_level": {"name": "trace-ish", "__class_uuid__": "02e59486-f24d-46ad-8224-3acdf2a5732a"}}"#).unwrap();
        assert_eq!(unknown_level.level, None);
        for (bad, why) in [
            ("[1]", "a record must be a JSON object"),
            (
                r#"{"x": {"__class_uuid__": "nope"}}"#,
                "unknown __class_uuid__ `nope`",
            ),
            (
                r#"{"log_flattened": 3}"#,
                "expected an object for `log_flattened`",
            ),
            (r#"{"log_level": 3}"#, "expected a level for `log_level`"),
            (
                r#"{"log_level": {"name": "info"}}"#,
                "`log_level` is not a level object",
            ),
            (
                r#"{"log_level": {"__class_uuid__": "x"}}"#,
                "unknown __class_uuid__ `x`",
            ),
            (r#"{"x": 1} 2"#, "bad JSON: trailing characters"),
            (r#"{"x": "#, "bad JSON: EOF"),
        ] {
            let err = event_from_json(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
