//! Checks a call's format string with `logformat` and turns its byte offsets
//! into diagnostics.
//!
//! On stable Rust a span cannot point inside a string literal, so an error
//! spans the literal and its message quotes the offending part with a caret
//! line under it.

use std::ops::Range;

use logformat::{Format, ParseError};
use syn::LitStr;

use crate::args::LogCall;
use crate::errors::{Errors, closest};

/// The message for an error at `span` (byte offsets) of `value`, with the
/// line of the format string it is on and carets under it.
pub(crate) fn pointed(
    value: &str,
    span: Range<usize>,
    message: &str,
    hint: Option<&str>,
) -> String {
    let line_start = value[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = value[span.start..]
        .find('\n')
        .map_or(value.len(), |i| span.start + i);
    let line = &value[line_start..line_end];
    let pad = value[line_start..span.start].chars().count();
    let width = value[span.start..span.end.min(line_end).max(span.start)]
        .chars()
        .count()
        .max(1);
    let mut out = format!(
        "{message}\n  | {line}\n  | {}{}",
        " ".repeat(pad),
        "^".repeat(width)
    );
    if let Some(hint) = hint {
        out.push_str("\n  = help: ");
        out.push_str(hint);
    }
    out
}

fn parse_error(lit: &LitStr, value: &str, e: &ParseError) -> syn::Error {
    syn::Error::new(
        lit.span(),
        pointed(value, e.span.clone(), &e.to_string(), e.hint()),
    )
}

/// Parses the call's format and checks that every placeholder's root is
/// captured. Returns the parsed format when there are no errors.
pub(crate) fn check(call: &LogCall, errors: &mut Errors) -> Option<Format> {
    let lit = &call.format;
    let value = lit.value();
    let names: Vec<String> = call.fields.iter().map(|f| f.name.to_string()).collect();
    let is_captured = |root: &str| names.iter().any(|n| n == root);
    let format = match logformat::parse_mixed(&value, &is_captured) {
        Ok(format) => format,
        Err(parse_errors) => {
            for e in &parse_errors {
                errors.push(parse_error(lit, &value, e));
            }
            return None;
        }
    };
    let mut ok = true;
    for field in format.fields() {
        let root = field.root();
        let root_span = field.segments[0].span();
        if root == "log_source" {
            if call.source.is_none() {
                ok = false;
                errors.at(
                    lit.span(),
                    pointed(
                        &value,
                        root_span,
                        "`log_source` is used but the call has no source",
                        Some("give one before the format string: `info!(source: &value, \"…\")`"),
                    ),
                );
            }
            continue;
        }
        if is_captured(root) {
            continue;
        }
        ok = false;
        let hint = match closest(root, names.iter().map(String::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "capture it after the format string: `…\", {root})` or `…\", {root} = value)`"
            ),
        };
        errors.at(
            lit.span(),
            pointed(
                &value,
                root_span,
                &format!("`{root}` is not captured by this call"),
                Some(&hint),
            ),
        );
    }
    ok.then_some(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_point_at_the_offending_part() {
        assert_eq!(
            pointed("ab {x} cd", 3..6, "bad", None),
            "bad\n  | ab {x} cd\n  |    ^^^"
        );
        assert_eq!(
            pointed("é\n{y}", 3..6, "bad", Some("fix")),
            "bad\n  | {y}\n  | ^^^\n  = help: fix"
        );
        assert_eq!(pointed("x {", 2..3, "bad", None), "bad\n  | x {\n  |   ^");
    }
}
