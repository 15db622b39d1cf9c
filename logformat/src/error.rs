use std::fmt;
use std::ops::Range;

/// What is wrong with a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A `{` that is never closed.
    UnclosedBrace,
    /// A `}` with no `{` before it (write `}}` for a literal brace).
    UnmatchedClose,
    /// A `<` placeholder that is never closed with `>`.
    UnclosedAngle,
    /// `{}`, `{0}`, `<0>` or a placeholder with no name: fields are named.
    Positional,
    /// `{f(x)}`: only calls without arguments are allowed.
    CallWithArguments,
    /// `{a.f().b}`: a call may only end a path.
    CallNotLast,
    /// A conversion other than `s` or `r`.
    UnknownConversion(String),
    /// A path that is not `root(.name | [index])*` with identifiers.
    InvalidPath(String),
    /// A `[` in a path that is never closed.
    UnclosedIndex,
    /// `{x:{width}}`: a placeholder inside a format spec.
    NestedPlaceholder,
    /// A format spec that does not parse.
    InvalidSpec(String),
}

/// An error found while parsing a format string, with the byte range of the
/// offending part of the source.
///
/// ```
/// let err = logformat::parse("ok {").unwrap_err().remove(0);
/// assert_eq!(err.span, 3..4);
/// assert_eq!(err.to_string(), "unclosed `{` in format string");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ErrorKind,
    /// Byte offsets into the format string.
    pub span: Range<usize>,
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, span: Range<usize>) -> Self {
        ParseError { kind, span }
    }

    /// A suggestion of how to fix it, where there is one.
    ///
    /// ```
    /// let err = logformat::parse("{}").unwrap_err().remove(0);
    /// assert!(err.hint().unwrap().contains("name"));
    /// ```
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            ErrorKind::UnclosedBrace => "close it with `}`, or write `{{` for a literal `{`",
            ErrorKind::UnmatchedClose => "write `}}` for a literal `}`",
            ErrorKind::UnclosedAngle => "close it with `>`, or write `<<` for a literal `<`",
            ErrorKind::Positional => {
                "name the field, e.g. `{count}`, and capture it after the format string: `count = n`"
            }
            ErrorKind::CallWithArguments => {
                "compute the value first and capture it: `info!(\"{v}\", v = f(x))`"
            }
            ErrorKind::CallNotLast => "capture the result of the call as a field of its own",
            ErrorKind::UnknownConversion(_) => {
                "use `!s` (Display) or `!r` (Debug), or a format spec such as `:?`"
            }
            ErrorKind::InvalidPath(_) => {
                "a path is `root(.field | [index])*`, e.g. `req.headers[0]`"
            }
            ErrorKind::UnclosedIndex => "close the index with `]`",
            ErrorKind::NestedPlaceholder => "compute the formatted text first and capture it",
            ErrorKind::InvalidSpec(_) => {
                "a spec is `[[fill]align][sign][#][0][width][.precision][type]`, e.g. `>8`, `.3`, `08`, `x`, `?`"
            }
        })
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::UnclosedBrace => f.write_str("unclosed `{` in format string"),
            ErrorKind::UnmatchedClose => f.write_str("unmatched `}` in format string"),
            ErrorKind::UnclosedAngle => f.write_str("unclosed `<` placeholder in format string"),
            ErrorKind::Positional => f.write_str("positional placeholders are not supported"),
            ErrorKind::CallWithArguments => {
                f.write_str("a call in a placeholder cannot take arguments")
            }
            ErrorKind::CallNotLast => f.write_str("a call can only end a placeholder's path"),
            ErrorKind::UnknownConversion(c) => write!(f, "unknown conversion `!{c}`"),
            ErrorKind::InvalidPath(why) => write!(f, "invalid placeholder path: {why}"),
            ErrorKind::UnclosedIndex => f.write_str("unclosed `[` in placeholder path"),
            ErrorKind::NestedPlaceholder => {
                f.write_str("placeholders inside a format spec are not supported")
            }
            ErrorKind::InvalidSpec(why) => write!(f, "invalid format spec: {why}"),
        }
    }
}

impl std::error::Error for ParseError {}
