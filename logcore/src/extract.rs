use std::fmt;

use logformat::{Conversion, Field, Segment};

use crate::event::AsEvent;
use crate::owned_event::OwnedEvent;
use crate::owned_value::OwnedValue;

/// Why [`extract_field`] found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractError {
    field: String,
    reason: String,
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot extract `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for ExtractError {}

/// Extracts a format field from an event, as twisted's `extractField`: the
/// text between the braces of a placeholder, e.g. `"log_source.a"`,
/// `"req.headers[0]"`, `"n!s"` (with a conversion, the rendered text).
/// Placeholders of the event's format are found in its `log_flattened`;
/// other paths are looked up in its fields and system keys.
///
/// ```
/// use logcore::{extract_field, OwnedEvent, OwnedValue, LogLevel};
/// let event = OwnedEvent::new(LogLevel::Info, "app", "hi")
///     .with_field("req", OwnedValue::Map(vec![("status".into(), OwnedValue::U64(404))]));
/// assert_eq!(extract_field("req.status", &event), Ok(OwnedValue::U64(404)));
/// assert_eq!(extract_field("log_level", &event), Ok(OwnedValue::Str("info".into())));
/// assert_eq!(
///     extract_field("req.nope", &event).unwrap_err().to_string(),
///     "cannot extract `req.nope`: no `req.nope` in {\"status\": 404}"
/// );
/// assert_eq!(
///     extract_field("user", &event).unwrap_err().to_string(),
///     "cannot extract `user`: the event has no field `user`"
/// );
/// ```
pub fn extract_field<E: AsEvent + ?Sized>(
    field: &str,
    event: &E,
) -> Result<OwnedValue, ExtractError> {
    let err = |reason: String| ExtractError {
        field: field.to_string(),
        reason,
    };
    let parsed =
        logformat::parse_lenient(&format!("{{{field}}}")).map_err(|e| err(e.to_string()))?;
    let Some(placeholder) = parsed.fields().next().filter(|_| parsed.pieces.len() == 1) else {
        return Err(err("not a single field".to_string()));
    };
    event.with_event(|e| match e.as_owned() {
        Some(owned) => extract_owned(owned, placeholder),
        None => extract_owned(&e.to_owned_event(), placeholder),
    })
}

fn extract_owned(event: &OwnedEvent, field: &Field) -> Result<OwnedValue, ExtractError> {
    let key = match field.conversion {
        Some(c) => format!("{}!{}:{}", field.name, c.letter(), field.spec),
        None => field.raw_key(),
    };
    if let Some(value) = event.flattened(&key) {
        return Ok(value.clone());
    }
    let value = lookup_path(event, field)?;
    Ok(match field.conversion {
        None => value,
        Some(Conversion::Str) => OwnedValue::Str(value.to_string()),
        Some(Conversion::Repr) => OwnedValue::Str(format!("{:?}", crate::ValueDebug(&value))),
    })
}

/// Follows a placeholder's path through an event's system keys and fields.
pub(crate) fn lookup_path(event: &OwnedEvent, field: &Field) -> Result<OwnedValue, ExtractError> {
    let err = |reason: String| ExtractError {
        field: field.name.clone(),
        reason,
    };
    if field.call {
        return Err(err(
            "a call is only stored for placeholders of the event's format".to_string(),
        ));
    }
    let root = field.root();
    let system = |s: Option<&str>| s.map(|s| OwnedValue::Str(s.to_string()));
    let mut current = match root {
        "log_level" => event.level.map(|l| OwnedValue::Str(l.name().to_string())),
        "log_namespace" => system(event.namespace.as_deref()),
        "log_format" => system(event.format.as_deref()),
        "log_system" => system(event.system.as_deref()),
        "log_file" => system(event.file.as_deref()),
        "log_time" => event.time.map(OwnedValue::F64),
        "log_line" => event.line.map(|l| OwnedValue::U64(l.into())),
        "log_source" => event.source.clone(),
        _ => event.field(root).cloned(),
    }
    .ok_or_else(|| err(format!("the event has no field `{root}`")))?;
    for segment in &field.segments[1..] {
        let next = match (segment, &current) {
            (Segment::Name { name, .. }, value) => value.get(name).cloned(),
            (Segment::Index { index, .. }, OwnedValue::Seq(items)) => index
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .cloned(),
            (Segment::Index { index, .. }, value) => value.get(index).cloned(),
        };
        current = next.ok_or_else(|| {
            err(format!(
                "no `{}` in {current}",
                &field.name[..segment.span().end - field.name_span.start]
            ))
        })?;
    }
    Ok(current)
}
