//! One JSON record into an event: its keys are walked with
//! [`super::syntax::Parser`], and the event is built as they go by (no
//! JSON tree in between).

use std::borrow::Cow;

use logcore::{Failure, Frame, LogLevel, OwnedEvent, OwnedValue};

use super::names::LastNames;
use super::shape::{Learning, Shapes, Slot};
use super::syntax::{Parser, Result};
use super::{FAILURE_UUID, LEVEL_OBJECT, LEVEL_OBJECT_SPACED, LEVEL_UUID};

/// Parses one JSON record (without framing) into an event.
///
/// ```
/// let e = logobservers::event_from_json(r#"{"log_format": "{x:.1f}", "x": NaN, "log_namespace": "a.b"}"#).unwrap();
/// assert!(matches!(e.field("x"), Some(logcore::OwnedValue::F64(f)) if f.is_nan()));
/// assert_eq!(logcore::format_event(&e), "NaN");
/// assert!(logobservers::event_from_json("[1]").is_err());
/// ```
pub fn event_from_json(text: &str) -> std::result::Result<OwnedEvent, String> {
    whole(text, &mut LastNames::none(), &mut Learning::off())
}

/// [`event_from_json`] for a reader, into `event` (in place: an event is
/// large, and moving it costs): read against the shapes of its last
/// records when it has one of them, else whole, finding the record's
/// names among `names` and keeping its shape.
pub(super) fn record_from_json(
    text: &str,
    names: &mut LastNames,
    shapes: &mut Shapes,
    event: &mut OwnedEvent,
) -> std::result::Result<(), String> {
    if shapes.read(text, event) {
        return Ok(());
    }
    let mut learning = shapes.learning();
    *event = whole(text, names, &mut learning)?;
    shapes.learn(text, learning, event);
    Ok(())
}

/// One record, read whole.
fn whole(
    text: &str,
    names: &mut LastNames,
    learning: &mut Learning,
) -> std::result::Result<OwnedEvent, String> {
    let mut parser = Parser::new(text);
    names.start();
    let event = record(&mut parser, names, learning).and_then(|event| {
        parser.end()?;
        Ok(event)
    });
    event.map_err(|e| parser.describe(&e))
}

fn record(
    p: &mut Parser<'_>,
    names: &mut LastNames,
    learning: &mut Learning,
) -> Result<OwnedEvent> {
    if p.peek() != Some(b'{') {
        let kind = p.kind();
        return Err(p.data(format!("a record must be a JSON object, not {kind}")));
    }
    let mut event = OwnedEvent::default();
    p.object(|p, key| {
        match &*key {
            "log_level" => event.level = level(p)?,
            "log_namespace" => event.namespace = name_text(p, names)?,
            "log_format" => event.format = name_text(p, names)?,
            "log_system" => learning.fill(p, Slot::System, &mut event)?,
            "log_file" => event.file = name_text(p, names)?,
            "log_line" => {
                event.line = p.value()?.as_u64().and_then(|l| u32::try_from(l).ok());
            }
            "log_time" => learning.fill(p, Slot::Time, &mut event)?,
            "log_source" => learning.fill(p, Slot::Source, &mut event)?,
            "log_failure" => {
                learning.give_up();
                let at_value = p.mark();
                event.failure =
                    failure(p.value()?).map_err(|why| Parser::data_at(at_value, why))?;
            }
            "log_logger" => p.skip()?,
            "log_flattened" => flattened(p, names, learning, &mut event)?,
            _ => learning.fill(p, Slot::Field(names.name(key)), &mut event)?,
        }
        Ok(())
    })?;
    Ok(event)
}

/// A system key's text: a string as it is, null as none, anything else
/// as its JSON-ish rendering.
pub(super) fn text_of(value: OwnedValue) -> Option<String> {
    match value {
        OwnedValue::Str(s) => Some(s),
        OwnedValue::None => None,
        other => Some(other.to_string()),
    }
}

/// A system key that names something (the format, the file): kept once
/// (see [`super::names`]) when it is a string.
fn name_text(p: &mut Parser<'_>, names: &mut LastNames) -> Result<Option<Cow<'static, str>>> {
    if p.peek() == Some(b'"') {
        return Ok(Some(names.name(p.string()?)));
    }
    Ok(text_of(p.value()?).map(Cow::Owned))
}

/// The level objects spindle and twisted write, around the name: matched
/// byte for byte before the general path, which reads any other form.
const LEVEL_FORMS: [(&str, &str); 2] = [LEVEL_OBJECT, LEVEL_OBJECT_SPACED];

/// `log_level`: a level object, a name, or null, read without copying
/// anything. An unknown name is no level, as twisted reads it.
fn level(p: &mut Parser<'_>) -> Result<Option<LogLevel>> {
    match p.peek() {
        Some(b'"') => return Ok(p.string()?.parse().ok()),
        Some(b'{') => {}
        Some(b'n') => return p.value().map(|_| None),
        _ => return Err(p.invalid_type("a level for `log_level`")),
    }
    let mark = p.mark();
    for (before, after) in LEVEL_FORMS {
        if p.eat(before.as_bytes()) {
            if let Some(name) = p.plain_run()
                && p.eat(after.as_bytes())
            {
                return Ok(name.parse().ok());
            }
            p.rewind(mark);
        }
    }
    let at_object = p.mark();
    let (mut name, mut uuid) = (None, None);
    p.object(|p, key| {
        let slot = match &*key {
            "name" => &mut name,
            "__class_uuid__" => &mut uuid,
            _ => return p.skip(),
        };
        if p.peek() != Some(b'"') {
            return Err(p.invalid_type(&format!("a string for a level's `{key}`")));
        }
        *slot = Some(p.string()?);
        Ok(())
    })?;
    match uuid.as_deref() {
        Some(LEVEL_UUID) => Ok(name.and_then(|n| n.parse().ok())),
        Some(uuid) if uuid != FAILURE_UUID => Err(Parser::unknown_class(at_object, uuid)),
        _ => Err(Parser::data_at(
            at_object,
            "`log_level` is not a level object",
        )),
    }
}

/// `log_flattened`: its entries straight into the event's.
fn flattened(
    p: &mut Parser<'_>,
    names: &mut LastNames,
    learning: &mut Learning,
    event: &mut OwnedEvent,
) -> Result<()> {
    if p.peek() != Some(b'{') {
        return Err(p.invalid_type("an object for `log_flattened`"));
    }
    // Two entries per placeholder: room for three at once.
    event.flattened.reserve(6);
    p.object(|p, key| learning.fill(p, Slot::Flattened(names.name(key)), event))
}

/// `log_failure`: twisted's failure state (or spindle's, with its extras).
fn failure(value: OwnedValue) -> std::result::Result<Option<Failure>, String> {
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
    fn level_objects_read_the_same_by_either_path() {
        // What the writer writes is the first form.
        let mut written = String::new();
        let event = OwnedEvent::new(LogLevel::Warn, "app", "x");
        super::super::event_as_json(&event, &mut written);
        let (before, after) = LEVEL_FORMS[0];
        assert!(
            written.contains(&format!("{before}warn{after}")),
            "{written}"
        );
        for (before, after) in LEVEL_FORMS {
            for name in ["debug", "info", "warn", "error", "critical", "nope", ""] {
                let quick = format!(r#"{{"log_level": {before}{name}{after}}}"#);
                // The same object in another form (key order, spacing).
                let long = format!(
                    r#"{{"log_level": {{ "__class_uuid__": "{LEVEL_UUID}", "name": "{name}" }}}}"#
                );
                let (quick, long) = (event_from_json(&quick), event_from_json(&long));
                assert_eq!(quick.map(|e| e.level), long.map(|e| e.level), "{name}");
            }
        }
        let info = format!(
            r#"{{"log_level": {}info{}}}"#,
            LEVEL_FORMS[0].0, LEVEL_FORMS[0].1
        );
        assert_eq!(event_from_json(&info).unwrap().level, Some(LogLevel::Info));
        // Near misses take the general path.
        for near in [
            r#"{"log_level": {"name":"info","__class_uuid__":"02e59486-f24d-46ad-8224-3acdf2a5732a","x":1}}"#,
            r#"{"log_level": {"name":"in\u0066o","__class_uuid__":"02e59486-f24d-46ad-8224-3acdf2a5732a"}}"#,
        ] {
            assert_eq!(
                event_from_json(near).unwrap().level,
                Some(LogLevel::Info),
                "{near}"
            );
        }
        let broken = r#"{"log_level": {"name":"info","__class_uuid__":"02e59486-f24d-46ad-8224-3acdf2a5732b"}}"#;
        assert!(
            event_from_json(broken)
                .unwrap_err()
                .contains("unknown __class_uuid__")
        );
    }

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
        // System keys that are not strings: null is none, others their text.
        let e = event_from_json(
            r#"{"log_system": 5, "log_format": null, "log_file": [1, "a"], "log_namespace": true}"#,
        )
        .unwrap();
        assert_eq!(e.system.as_deref(), Some("5"));
        assert_eq!(e.format, None);
        assert_eq!(e.file.as_deref(), Some(r#"[1, "a"]"#));
        assert_eq!(e.namespace.as_deref(), Some("true"));
        let unknown_level = event_from_json(r#"{"log_level": {"name": "trace-ish", "__class_uuid__": "02e59486-f24d-46ad-8224-3acdf2a5732a"}}"#).unwrap();
        assert_eq!(unknown_level.level, None);
        // Every error a record can meet here, whole, with where it is.
        for (bad, why) in [
            (
                "[1]",
                "a record must be a JSON object, not an array at line 1 column 1",
            ),
            (
                "",
                "a record must be a JSON object, not the end of the record at line 1 column 1",
            ),
            (
                r#"{"x": {"__class_uuid__": "nope"}}"#,
                "unknown __class_uuid__ `nope` at line 1 column 7",
            ),
            (
                r#"{"log_flattened": 3}"#,
                "invalid type: a number, expected an object for `log_flattened` at line 1 column 19",
            ),
            (
                r#"{"log_flattened": true}"#,
                "invalid type: a boolean, expected an object for `log_flattened` at line 1 column 19",
            ),
            (
                r#"{"log_flattened": "s"}"#,
                "invalid type: a string, expected an object for `log_flattened` at line 1 column 19",
            ),
            (
                r#"{"log_flattened": [1]}"#,
                "invalid type: an array, expected an object for `log_flattened` at line 1 column 19",
            ),
            (
                r#"{"log_level": 3}"#,
                "invalid type: a number, expected a level for `log_level` at line 1 column 15",
            ),
            (
                r#"{"log_level": x}"#,
                "invalid type: not a JSON value, expected a level for `log_level` at line 1 column 15",
            ),
            (
                r#"{"log_level": {"name": 3}}"#,
                "invalid type: a number, expected a string for a level's `name` at line 1 column 24",
            ),
            (
                r#"{"log_level": {"name": "info"}}"#,
                "`log_level` is not a level object at line 1 column 15",
            ),
            (
                r#"{"log_level": {"__class_uuid__": "x"}}"#,
                "unknown __class_uuid__ `x` at line 1 column 15",
            ),
            (
                r#"{"log_failure": {"x": 1}}"#,
                "`log_failure` is not a failure at line 1 column 16",
            ),
            (
                r#"{"x": 1} 2"#,
                "bad JSON: trailing characters at line 1 column 10",
            ),
            (
                r#"{"x": "#,
                "bad JSON: EOF while parsing a value at line 1 column 7",
            ),
        ] {
            assert_eq!(event_from_json(bad).unwrap_err(), why, "{bad}");
        }
        // `null` for a level is no level; for `log_flattened`, not an object.
        assert_eq!(
            event_from_json(r#"{"log_level": null}"#).unwrap().level,
            None
        );
        assert_eq!(
            event_from_json(r#"{"log_flattened": null}"#).unwrap_err(),
            "invalid type: null, expected an object for `log_flattened` at line 1 column 19"
        );
    }
}
