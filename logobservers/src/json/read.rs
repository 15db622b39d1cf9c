use std::fmt;
use std::io::{BufRead, BufReader, Read};

use logcore::{Event, Failure, Frame, LogLevel, OwnedEvent, OwnedValue, global_publisher};
use serde_json::Value as Json;

use super::{FAILURE_UUID, LEVEL_UUID, RS};

/// A record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record's number in the file, from 1.
    pub record: usize,
    /// The byte offset where the record starts.
    pub offset: u64,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} at byte {}: {}",
            self.record, self.offset, self.reason
        )
    }
}

impl std::error::Error for RecordError {}

/// Reads events from a JSON log (spindle's or twisted's): the framing is
/// found from the first byte (`0x1e`: RFC 7464 records, which must end in
/// `\n`; anything else: JSON Lines). Accepts twisted's `NaN` / `Infinity`
/// tokens and `\uXXXX` escapes. A record that cannot be read (bad UTF-8, bad
/// JSON, truncated, an unknown `__class_uuid__`) is skipped, kept in
/// [`JsonLogReader::errors`] and reported as an error event to the global
/// publisher; reading goes on.
///
/// ```
/// let file = b"\x1e{\"log_format\":\"hi {n}\",\"n\":1}\n\x1e{broken\n\x1e{\"log_format\":\"bye\"}\n";
/// let mut reader = logobservers::events_from_json_log_file(&file[..]).report_errors(false);
/// let texts: Vec<String> = reader.by_ref().map(|e| logcore::format_event(&e)).collect();
/// assert_eq!(texts, ["hi 1", "bye"]);
/// assert_eq!(reader.errors().len(), 1);
/// ```
pub fn events_from_json_log_file<R: Read>(reader: R) -> JsonLogReader<R> {
    JsonLogReader {
        reader: BufReader::new(reader),
        framing: None,
        offset: 0,
        record: 0,
        errors: Vec::new(),
        report: true,
        done: false,
    }
}

/// The iterator [`events_from_json_log_file`] returns.
#[derive(Debug)]
pub struct JsonLogReader<R> {
    reader: BufReader<R>,
    framing: Option<u8>,
    offset: u64,
    record: usize,
    errors: Vec<RecordError>,
    report: bool,
    done: bool,
}

impl<R: Read> JsonLogReader<R> {
    /// Whether to report bad records as error events to the global
    /// publisher (default `true`); they are kept in [`Self::errors`] either way.
    pub fn report_errors(mut self, report: bool) -> Self {
        self.report = report;
        self
    }

    /// The records that could not be read so far.
    pub fn errors(&self) -> &[RecordError] {
        &self.errors
    }

    fn fail(&mut self, offset: u64, reason: String) {
        let error = RecordError {
            record: self.record,
            offset,
            reason,
        };
        if self.report {
            let event = OwnedEvent::new(
                LogLevel::Error,
                "spindle::json",
                "Unable to read JSON record {record}: {reason}",
            )
            .with_field("record", error.record)
            .with_field("offset", error.offset)
            .with_field("reason", error.reason.as_str());
            global_publisher().publish(&Event::from_owned(&event));
        }
        self.errors.push(error);
    }

    /// The next raw record and its offset, without separators.
    fn next_record(&mut self) -> Option<(u64, Vec<u8>, bool)> {
        if self.done {
            return None;
        }
        let framing = match self.framing {
            Some(f) => f,
            None => {
                let first = match self.reader.fill_buf() {
                    Ok([]) | Err(_) => {
                        self.done = true;
                        return None;
                    }
                    Ok(buf) => buf[0],
                };
                let f = if first == RS { RS } else { b'\n' };
                if f == RS {
                    self.reader.consume(1);
                    self.offset = 1;
                }
                self.framing = Some(f);
                f
            }
        };
        let mut record = Vec::new();
        let start = self.offset;
        match self.reader.read_until(framing, &mut record) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(n) => {
                self.offset += n as u64;
                let complete = record.last() == Some(&framing);
                if complete {
                    record.pop();
                }
                Some((start, record, complete))
            }
            Err(e) => {
                self.done = true;
                self.record += 1;
                self.fail(start, format!("read error: {e}"));
                None
            }
        }
    }
}

impl<R: Read> Iterator for JsonLogReader<R> {
    type Item = OwnedEvent;

    fn next(&mut self) -> Option<OwnedEvent> {
        loop {
            let (offset, mut record, _) = self.next_record()?;
            if self.framing == Some(RS) {
                if record.is_empty() {
                    continue;
                }
                self.record += 1;
                if record.last() != Some(&b'\n') {
                    self.fail(offset, "truncated record (no final newline)".to_string());
                    continue;
                }
            } else {
                if record.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                self.record += 1;
            }
            while record.last().is_some_and(u8::is_ascii_whitespace) {
                record.pop();
            }
            let text = match String::from_utf8(record) {
                Ok(t) => t,
                Err(e) => {
                    self.fail(
                        offset,
                        format!(
                            "bad UTF-8 at byte {} of the record",
                            e.utf8_error().valid_up_to()
                        ),
                    );
                    continue;
                }
            };
            match event_from_json(&text) {
                Ok(event) => return Some(event),
                Err(reason) => self.fail(offset, reason),
            }
        }
    }
}

/// A string no JSON text holds, standing for a non-finite float while the
/// record is parsed.
const NON_FINITE: &str = "\u{0}spindle-non-finite:";

/// Rewrites twisted's `NaN`, `Infinity` and `-Infinity` tokens (outside
/// strings) as marker strings serde_json accepts.
fn replace_non_finite(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") {
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
        } else {
            let token = ["-Infinity", "Infinity", "NaN"]
                .into_iter()
                .find(|t| rest.starts_with(t));
            if let Some(token) = token {
                out.push('"');
                out.push_str(&NON_FINITE.replace('\0', "\\u0000"));
                out.push_str(token);
                out.push('"');
                rest = &rest[token.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
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
    let json: Json =
        serde_json::from_str(&replace_non_finite(text)).map_err(|e| format!("bad JSON: {e}"))?;
    let Json::Object(map) = json else {
        return Err("a record must be a JSON object".to_string());
    };
    let mut event = OwnedEvent::default();
    for (key, value) in map {
        match key.as_str() {
            "log_level" => event.level = level(&value)?,
            "log_namespace" => event.namespace = text_of(value),
            "log_format" => event.format = text_of(value),
            "log_system" => event.system = text_of(value),
            "log_file" => event.file = text_of(value),
            "log_line" => event.line = value.as_u64().and_then(|l| u32::try_from(l).ok()),
            "log_time" => event.time = value.as_f64().or_else(|| non_finite(&value)),
            "log_source" => event.source = Some(owned(value)?),
            "log_failure" => event.failure = failure(value)?,
            "log_logger" => {}
            "log_flattened" => match owned(value)? {
                OwnedValue::Map(entries) => event.flattened = entries,
                _ => return Err("`log_flattened` must be an object".to_string()),
            },
            _ => event.fields.push((key, owned(value)?)),
        }
    }
    Ok(event)
}

fn text_of(value: Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

fn non_finite(value: &Json) -> Option<f64> {
    let token = value.as_str()?.strip_prefix(NON_FINITE)?;
    Some(match token {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => f64::NEG_INFINITY,
    })
}

fn level(value: &Json) -> Result<Option<LogLevel>, String> {
    match value {
        Json::Object(map)
            if map.get("__class_uuid__").and_then(Json::as_str) == Some(LEVEL_UUID) =>
        {
            Ok(map
                .get("name")
                .and_then(Json::as_str)
                .and_then(|n| n.parse().ok()))
        }
        Json::String(name) => Ok(name.parse().ok()),
        Json::Null => Ok(None),
        other => Err(format!("`log_level` is not a level: {other}")),
    }
}

fn failure(value: Json) -> Result<Option<Failure>, String> {
    let Json::Object(map) = value else {
        return Ok(None);
    };
    if map.get("__class_uuid__").and_then(Json::as_str) != Some(FAILURE_UUID) {
        return Err("`log_failure` is not a failure".to_string());
    }
    let type_name = match map.get("rust_type").and_then(Json::as_str) {
        Some(t) => t.to_string(),
        None => {
            let ty = map.get("type");
            let module = ty
                .and_then(|t| t.get("__module__"))
                .and_then(Json::as_str)
                .unwrap_or("builtins");
            let name = ty
                .and_then(|t| t.get("__name__"))
                .and_then(Json::as_str)
                .unwrap_or("Exception");
            format!("{module}.{name}")
        }
    };
    let message = match map.get("value") {
        Some(Json::String(s)) => s.clone(),
        // What twisted prints for a failure it read back.
        _ => "{'unpersistable': True}".to_string(),
    };
    let strings = |key: &str| -> Vec<String> {
        map.get(key)
            .and_then(Json::as_array)
            .map_or_else(Vec::new, |a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
    };
    let frames = map
        .get("frames")
        .and_then(Json::as_array)
        .map(|frames| {
            frames
                .iter()
                .filter_map(|f| {
                    let f = f.as_array()?;
                    Some(Frame {
                        function: f.first()?.as_str()?.to_string(),
                        file: f.get(1)?.as_str()?.to_string(),
                        line: f.get(2)?.as_u64().and_then(|l| u32::try_from(l).ok())?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(
        Failure::from_stored(&type_name, &message, strings("causes"), frames)
            .with_parents(strings("parents")),
    ))
}

/// A JSON value as an owned value; level and failure objects nested in
/// fields become their text; any other `__class_uuid__` is an error (twisted
/// aborts the whole file on one; we skip the record).
fn owned(value: Json) -> Result<OwnedValue, String> {
    Ok(match value {
        Json::String(s) => match non_finite(&Json::String(s.clone())) {
            Some(f) => OwnedValue::F64(f),
            None => OwnedValue::Str(s),
        },
        Json::Array(items) => {
            OwnedValue::Seq(items.into_iter().map(owned).collect::<Result<_, _>>()?)
        }
        Json::Object(map) => {
            if let Some(uuid) = map.get("__class_uuid__") {
                let uuid = uuid.as_str().unwrap_or("");
                if uuid == LEVEL_UUID {
                    return Ok(map
                        .get("name")
                        .and_then(Json::as_str)
                        .map_or(OwnedValue::None, |n| OwnedValue::Str(n.to_string())));
                }
                if uuid != FAILURE_UUID {
                    return Err(format!("unknown __class_uuid__ `{uuid}`"));
                }
            }
            if map.len() == 1 && map.get("unpersistable") == Some(&Json::Bool(true)) {
                return Ok(OwnedValue::Unpersistable);
            }
            OwnedValue::Map(
                map.into_iter()
                    .map(|(k, v)| Ok((k, owned(v)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        other => OwnedValue::from_json(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let mut reader = events_from_json_log_file(bytes).report_errors(false);
        let texts = reader.by_ref().map(|e| logcore::format_event(&e)).collect();
        (
            texts,
            reader.errors().iter().map(|e| e.reason.clone()).collect(),
        )
    }

    #[test]
    fn framings_and_bad_records() {
        let rs = b"\x1e{\"log_format\":\"a\"}\n\x1e{\"log_format\":\"b\"}\n";
        assert_eq!(read(rs), (vec!["a".into(), "b".into()], vec![]));
        let lines = b"{\"log_format\":\"a\"}\n\n{\"log_format\":\"b\"}";
        assert_eq!(read(lines), (vec!["a".into(), "b".into()], vec![]));
        let truncated = b"\x1e{\"log_format\":\"a\"}\n\x1e{\"log_format\":\"b\"}";
        assert_eq!(
            read(truncated),
            (
                vec!["a".into()],
                vec!["truncated record (no final newline)".into()]
            )
        );
        let bad = b"\x1e\xff\xfe\n\x1e{\"log_format\":\"ok\"}\n\x1e[1]\n\x1e{\"x\":{\"__class_uuid__\":\"nope\"}}\n";
        let (texts, errors) = read(bad);
        assert_eq!(texts, ["ok"]);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("bad UTF-8"));
        assert_eq!(errors[2], "unknown __class_uuid__ `nope`");
        assert_eq!(read(b""), (vec![], vec![]));
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
    fn errors_are_reported_to_the_global_publisher() {
        let events = logcore::captured_logs(|| {
            let _ = events_from_json_log_file(&b"\x1e{oops\n"[..]).count();
        });
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].level, Some(LogLevel::Error));
        assert!(
            logcore::format_event(&events[0]).starts_with("Unable to read JSON record 1: bad JSON"),
            "{}",
            logcore::format_event(&events[0])
        );
    }
}
