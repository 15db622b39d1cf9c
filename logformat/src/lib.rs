//! The format-string grammar of spindle.
//!
//! One parser serves the `logmacros` crate at build time (which maps its byte
//! offsets to spans) and the runtime, which parses `log_format` strings of
//! events read back from JSON (spindle's own or twisted's).
//!
//! ```
//! use logformat::{parse, Piece, Conversion};
//!
//! let format = parse("{req.uri}: status={req.status!r:>4} {{ok}}").unwrap();
//! let fields: Vec<_> = format.fields().collect();
//! assert_eq!(fields[0].name, "req.uri");
//! assert_eq!(fields[1].conversion, Some(Conversion::Repr));
//! assert_eq!(fields[1].spec, ">4");
//! assert_eq!(format.pieces.last(), Some(&Piece::Literal(" {ok}".into())));
//! // the two keys twisted stores for a field in `log_flattened`
//! assert_eq!(fields[1].text_key(), "req.status!r:>4");
//! assert_eq!(fields[1].raw_key(), "req.status!:>4");
//! ```
//!
//! The grammar of a placeholder is `{path[!conversion][:spec]}` where `path`
//! is `root(.name | [index])*` with an optional final `()`, `conversion` is `s`
//! or `r`, and `spec` is a format spec (Rust's and Python's share one grammar,
//! see [`FormatSpec`]). `{{` and `}}` stand for `{` and `}`.
//!
//! [`parse_mixed`] also accepts the angle notation `<path…>`, which is a
//! placeholder only when its root is a captured name (`<<` stands for `<`).
#![warn(missing_docs)]

mod error;
mod field;
mod parser;
mod spec;

pub use error::{ErrorKind, ParseError};
pub use field::{Conversion, Field, Segment};
pub use parser::{Format, Mode, Piece, parse, parse_lenient, parse_mixed};
pub use spec::{Align, FormatSpec, Sign, SpecFlavor, parse_spec};

/// The keys [`Field::text_key`] and [`Field::raw_key`] gives, numbered for
/// repeats as twisted's `KeyFlattener` does (`/2`, `/3`, …).
///
/// ```
/// let format = logformat::parse("{n} and {n} and {n!r}").unwrap();
/// let keys = logformat::flattened_keys(&format);
/// assert_eq!(keys[0], ("n!s:".to_string(), "n!:".to_string()));
/// assert_eq!(keys[1], ("n!s:/2".to_string(), "n!:/2".to_string()));
/// assert_eq!(keys[2], ("n!r:".to_string(), "n!:/3".to_string()));
/// ```
pub fn flattened_keys(format: &Format) -> Vec<(String, String)> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut number = |key: String| -> String {
        let count = match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((key.clone(), 1));
                1
            }
        };
        if count == 1 {
            key
        } else {
            format!("{key}/{count}")
        }
    };
    format
        .fields()
        .map(|f| {
            let text = number(f.text_key());
            let raw = number(f.raw_key());
            (text, raw)
        })
        .collect()
}

/// Whether `text` holds no character that a string in a log record must
/// escape: a quote, a backslash or a control character (U+0000 to U+001F,
/// and U+007F). The macros bake this into each call site for its format,
/// field names and `log_flattened` keys, so that writers copy them as they
/// are.
///
/// ```
/// assert!(logformat::escape_free("{req.uri}: status={req.status!r:>4}"));
/// assert!(!logformat::escape_free("say \"{n}\""));
/// assert!(!logformat::escape_free("two\nlines"));
/// ```
pub fn escape_free(text: &str) -> bool {
    !text
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || b < 0x20 || b == 0x7f)
}

/// Whether a text line may have to escape what starts with byte `b`: a
/// control character other than tab (a newline becomes newline and tab,
/// any other an escape), DEL, or 0xC2, with which the C1 controls
/// (U+0080 to U+009F) start in UTF-8, as do a few printable characters
/// (which the line then looks at more closely and copies as they are).
///
/// ```
/// assert!(logformat::line_escape_start(b'\n'));
/// assert!(logformat::line_escape_start(0xc2)); // "\u{85}" is 0xC2 0x85
/// assert!(!logformat::line_escape_start(b'\t'));
/// assert!(!logformat::line_escape_start(b'"')); // JSON escapes it; a line does not
/// ```
#[inline(always)]
pub fn line_escape_start(b: u8) -> bool {
    (b < 0x20 && b != b'\t') | (b == 0x7f) | (b == 0xc2)
}

/// Whether `text` needs nothing escaped in a JSON string
/// ([`escape_free`]) nor in a text line ([`line_escape_start`]): what a
/// namespace is looked at for once, so that writers of both copy it as it
/// is.
///
/// ```
/// assert!(logformat::escape_free_everywhere("app::db"));
/// assert!(!logformat::escape_free_everywhere("app\"db")); // JSON
/// assert!(!logformat::escape_free_everywhere("app\u{85}db")); // a text line
/// assert!(!logformat::escape_free_everywhere("app¢")); // 0xC2 0xA2: looked at again
/// ```
pub fn escape_free_everywhere(text: &str) -> bool {
    escape_free(text) && !text.bytes().any(line_escape_start)
}

#[cfg(test)]
mod tests;
