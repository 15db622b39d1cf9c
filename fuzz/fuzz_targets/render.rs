//! The renderer on an arbitrary format with arbitrary fields and flattened
//! values: the text is bounded and nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logcore::{LogLevel, OwnedEvent, OwnedValue};

fuzz_target!(|data: &str| {
    // format \0 key \0 value \0 key \0 value …
    let mut parts = data.split('\0');
    let format = parts.next().unwrap_or("");
    let mut event = OwnedEvent::new(LogLevel::Info, "fuzz", format);
    while let (Some(key), Some(value)) = (parts.next(), parts.next()) {
        let value = match value.parse::<i64>() {
            Ok(i) => OwnedValue::I64(i),
            Err(_) => match value.parse::<f64>() {
                Ok(f) => OwnedValue::F64(f),
                Err(_) => OwnedValue::Str(value.to_string()),
            },
        };
        if key.contains('!') {
            event.flattened.push((key.to_string().into(), value));
        } else {
            event.fields.push((key.to_string().into(), value.clone()));
            let _ = logcore::apply_spec(&value, None, key);
        }
    }
    let text = logcore::format_event(&event);
    assert!(text.len() <= data.len() * 4 + 10 * 4096 + 200, "{} bytes", text.len());
    let _ = logcore::event_as_text(&event);
});
