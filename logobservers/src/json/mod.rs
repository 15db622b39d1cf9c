//! JSON logs in twisted's format: RS + one JSON object + `\n` per event
//! (RFC 7464), or plain JSON Lines.

mod names;
mod observer;
mod parse;
mod read;
mod shape;
mod syntax;
mod template;
mod write;

/// The level UUID as a literal, for `concat!`.
macro_rules! level_uuid {
    () => {
        "02e59486-f24d-46ad-8224-3acdf2a5732a"
    };
}

/// `__class_uuid__` of a level object.
pub const LEVEL_UUID: &str = level_uuid!();

/// A level object as spindle writes it, before and after the level's name.
const LEVEL_OBJECT: (&str, &str) = (
    r#"{"name":""#,
    concat!(r#"","__class_uuid__":""#, level_uuid!(), r#""}"#),
);

/// The same with Python's `json` separators, as twisted writes it.
const LEVEL_OBJECT_SPACED: (&str, &str) = (
    r#"{"name": ""#,
    concat!(r#"", "__class_uuid__": ""#, level_uuid!(), r#""}"#),
);
/// `__class_uuid__` of a failure object.
pub const FAILURE_UUID: &str = "e76887e2-20ed-49bf-a8f8-ba25cc586f2d";
/// The record separator, `0x1e`.
pub const RS: u8 = 0x1e;

pub use observer::JsonObserver;
pub use parse::event_from_json;
pub use read::{JsonLogReader, RecordError, events_from_json_log_file};
pub use write::{event_as_json, write_event};
