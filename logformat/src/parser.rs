use crate::error::{ErrorKind, ParseError};
use crate::field::{Conversion, Field, Segment};
use crate::spec::{SpecFlavor, parse_spec};

/// How strictly placeholder paths and specs are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The macros' grammar: Rust identifiers, Rust format specs.
    Strict,
    /// Python's `string.Formatter` grammar, for formats read from files:
    /// any text between `.` and `[`, specs checked only when rendered.
    Lenient,
}

/// A piece of a parsed format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text, with escapes (`{{`, `}}`, `<<`) already resolved.
    Literal(String),
    /// A placeholder.
    Field(Field),
}

/// A parsed format string: literal text and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Format {
    /// The pieces, in order. Adjacent literals are merged.
    pub pieces: Vec<Piece>,
}

impl Format {
    /// The placeholders, in order.
    ///
    /// ```
    /// let format = logformat::parse("{a} {b.c}").unwrap();
    /// let names: Vec<_> = format.fields().map(|f| f.name.as_str()).collect();
    /// assert_eq!(names, ["a", "b.c"]);
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Field(f) => Some(f),
            Piece::Literal(_) => None,
        })
    }

    /// The format in brace notation (what is stored as `log_format`):
    /// literal braces escaped, angle placeholders written with braces.
    ///
    /// ```
    /// let format = logformat::parse_mixed("<req.uri> took {{ms}}", &|r| r == "req").unwrap();
    /// assert_eq!(format.to_brace_string(), "{req.uri} took {{ms}}");
    /// ```
    pub fn to_brace_string(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => {
                    for c in text.chars() {
                        match c {
                            '{' => out.push_str("{{"),
                            '}' => out.push_str("}}"),
                            c => out.push(c),
                        }
                    }
                }
                Piece::Field(field) => {
                    out.push('{');
                    out.push_str(&field.name);
                    if let Some(c) = field.conversion {
                        out.push('!');
                        out.push(c.letter());
                    }
                    if !field.spec.is_empty() {
                        out.push(':');
                        out.push_str(&field.spec);
                    }
                    out.push('}');
                }
            }
        }
        out
    }
}

/// Parses a format string in brace notation with the macros' strict grammar,
/// returning every error found.
///
/// ```
/// let errors = logformat::parse("{} and {x!z}").unwrap_err();
/// assert_eq!(errors.len(), 2);
/// assert_eq!(errors[0].span, 0..2);
/// assert_eq!(errors[1].span, 9..11);
/// ```
pub fn parse(src: &str) -> Result<Format, Vec<ParseError>> {
    Parser::new(src, Mode::Strict, None).run()
}

/// Parses a format string the way Python's `string.Formatter` would (for
/// `log_format` values read from files), returning the first error.
///
/// ```
/// let format = logformat::parse_lenient("{a-b[key]:03d}").unwrap();
/// assert_eq!(format.fields().next().unwrap().name, "a-b[key]");
/// ```
pub fn parse_lenient(src: &str) -> Result<Format, ParseError> {
    Parser::new(src, Mode::Lenient, None)
        .run()
        .map_err(|mut e| e.swap_remove(0))
}

/// Parses a format string in brace and angle notation, strictly. A `<` opens a
/// placeholder only when the name after it is `log_source` or a name for which
/// `is_captured` says yes; `<<` stands for `<`; `<0>` is a positional error.
///
/// ```
/// let captured = |root: &str| root == "req";
/// let format = logformat::parse_mixed("<req.uri> as Vec<u8>, a << b", &captured).unwrap();
/// assert_eq!(format.to_brace_string(), "{req.uri} as Vec<u8>, a < b");
/// ```
pub fn parse_mixed(
    src: &str,
    is_captured: &dyn Fn(&str) -> bool,
) -> Result<Format, Vec<ParseError>> {
    Parser::new(src, Mode::Strict, Some(is_captured)).run()
}

struct Parser<'a> {
    src: &'a str,
    mode: Mode,
    angle: Option<&'a dyn Fn(&str) -> bool>,
    pieces: Vec<Piece>,
    literal: String,
    errors: Vec<ParseError>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, mode: Mode, angle: Option<&'a dyn Fn(&str) -> bool>) -> Self {
        Parser {
            src,
            mode,
            angle,
            pieces: Vec::new(),
            literal: String::new(),
            errors: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Format, Vec<ParseError>> {
        let bytes = self.src.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'{' if bytes.get(i + 1) == Some(&b'{') => {
                    self.literal.push('{');
                    i += 2;
                }
                b'}' if bytes.get(i + 1) == Some(&b'}') => {
                    self.literal.push('}');
                    i += 2;
                }
                b'{' => i = self.brace(i),
                b'}' => {
                    self.errors
                        .push(ParseError::new(ErrorKind::UnmatchedClose, i..i + 1));
                    i += 1;
                }
                b'<' if self.angle.is_some() => {
                    if bytes.get(i + 1) == Some(&b'<') {
                        self.literal.push('<');
                        i += 2;
                    } else {
                        i = self.angle(i);
                    }
                }
                _ => {
                    let c = self.src[i..]
                        .chars()
                        .next()
                        .expect("in bounds, on a char boundary");
                    self.literal.push(c);
                    i += c.len_utf8();
                }
            }
        }
        self.flush_literal();
        if self.errors.is_empty() {
            Ok(Format {
                pieces: self.pieces,
            })
        } else {
            Err(self.errors)
        }
    }

    fn flush_literal(&mut self) {
        if !self.literal.is_empty() {
            self.pieces
                .push(Piece::Literal(std::mem::take(&mut self.literal)));
        }
    }

    /// A `{` at `open`; returns where scanning resumes.
    fn brace(&mut self, open: usize) -> usize {
        let bytes = self.src.as_bytes();
        let (mut depth, mut bracket, mut nested) = (0usize, false, false);
        let mut j = open + 1;
        while j < bytes.len() {
            match bytes[j] {
                b'[' if depth == 0 => bracket = true,
                b']' if depth == 0 => bracket = false,
                b'{' if !bracket => {
                    depth += 1;
                    nested = true;
                }
                b'}' if !bracket && depth > 0 => depth -= 1,
                b'}' if !bracket => break,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() {
            self.errors
                .push(ParseError::new(ErrorKind::UnclosedBrace, open..open + 1));
            return bytes.len();
        }
        if nested {
            self.errors
                .push(ParseError::new(ErrorKind::NestedPlaceholder, open..j + 1));
        } else {
            self.field(open, open + 1, j, j + 1);
        }
        j + 1
    }

    /// A `<` at `open` (not `<<`); returns where scanning resumes.
    fn angle(&mut self, open: usize) -> usize {
        let bytes = self.src.as_bytes();
        let start = open + 1;
        let root_end = start
            + self.src[start..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(self.src.len() - start);
        let root = &self.src[start..root_end];
        if !root.is_empty()
            && root.bytes().all(|b| b.is_ascii_digit())
            && bytes.get(root_end) == Some(&b'>')
        {
            self.errors
                .push(ParseError::new(ErrorKind::Positional, open..root_end + 1));
            return root_end + 1;
        }
        let is_captured = self.angle.expect("angle mode");
        if root.is_empty() || !(root == "log_source" || is_captured(root)) {
            self.literal.push('<');
            return start;
        }
        let mut j = root_end;
        let mut bracket = false;
        while j < bytes.len() {
            match bytes[j] {
                b'[' => bracket = true,
                b']' => bracket = false,
                b'>' if !bracket => break,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() {
            self.errors
                .push(ParseError::new(ErrorKind::UnclosedAngle, open..open + 1));
            return bytes.len();
        }
        self.field(open, start, j, j + 1);
        j + 1
    }

    /// Parses `src[start..end]` as a placeholder spanning `open..close`.
    fn field(&mut self, open: usize, start: usize, end: usize, close: usize) {
        match parse_field(self.src, self.mode, open, start, end, close) {
            Ok(field) => {
                self.flush_literal();
                self.pieces.push(Piece::Field(field));
            }
            Err(errors) => self.errors.extend(errors),
        }
    }
}

fn parse_field(
    src: &str,
    mode: Mode,
    open: usize,
    start: usize,
    end: usize,
    close: usize,
) -> Result<Field, Vec<ParseError>> {
    let content = &src[start..end];
    // The name ends at the first `!` or `:` outside brackets and parentheses.
    let (mut bracket, mut paren) = (false, 0usize);
    let mut name_end = content.len();
    for (k, b) in content.bytes().enumerate() {
        match b {
            b'[' => bracket = true,
            b']' => bracket = false,
            b'(' if !bracket => paren += 1,
            b')' if !bracket => paren = paren.saturating_sub(1),
            b'!' | b':' if !bracket && paren == 0 => {
                name_end = k;
                break;
            }
            _ => {}
        }
    }
    let name = &content[..name_end];
    let mut errors = Vec::new();
    let mut conversion = None;
    let mut spec = "";
    let rest = &content[name_end..];
    if let Some(after) = rest.strip_prefix('!') {
        let conv_len = after.find(':').unwrap_or(after.len());
        let conv = &after[..conv_len];
        let conv_start = start + name_end + 1;
        match conv {
            "s" => conversion = Some(Conversion::Str),
            "r" => conversion = Some(Conversion::Repr),
            other => errors.push(ParseError::new(
                ErrorKind::UnknownConversion(other.to_string()),
                conv_start - 1..conv_start + conv_len,
            )),
        }
        if conv_len < after.len() {
            spec = &after[conv_len + 1..];
        }
    } else if let Some(after) = rest.strip_prefix(':') {
        spec = after;
    }
    let spec_start = end - spec.len();
    if mode == Mode::Strict
        && let Err(why) = parse_spec(spec, SpecFlavor::Rust)
    {
        errors.push(ParseError::new(
            ErrorKind::InvalidSpec(why),
            spec_start..end,
        ));
    }
    let name_span = start..start + name_end;
    let (segments, call) = match parse_path(name, start, mode) {
        Ok(parsed) => parsed,
        Err(e) => {
            errors.insert(
                0,
                if e.kind == ErrorKind::Positional {
                    ParseError::new(e.kind, open..close)
                } else {
                    e
                },
            );
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Field {
        name: name.to_string(),
        segments,
        call,
        conversion,
        spec: spec.to_string(),
        span: open..close,
        name_span,
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && s != "_"
}

/// Splits a field name into segments; `base` is its offset in the source.
fn parse_path(name: &str, base: usize, mode: Mode) -> Result<(Vec<Segment>, bool), ParseError> {
    let whole = base..base + name.len();
    if name.is_empty() || name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::new(ErrorKind::Positional, whole));
    }
    let invalid = |why: String, span| Err(ParseError::new(ErrorKind::InvalidPath(why), span));
    let mut segments = Vec::new();
    let mut call = false;
    let bytes = name.as_bytes();
    let mut i = 0;
    let mut expect_name = true; // the root, or after a `.`
    while i < bytes.len() {
        if call {
            return Err(ParseError::new(ErrorKind::CallNotLast, base + i..whole.end));
        }
        if expect_name {
            let len = name[i..].find(['.', '[', '(']).unwrap_or(name.len() - i);
            let part = &name[i..i + len];
            let span = base + i..base + i + len;
            let tuple_index = !segments.is_empty()
                && !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit());
            if mode == Mode::Strict && !is_identifier(part) && !tuple_index {
                let why = if part.is_empty() {
                    "a name is missing".to_string()
                } else {
                    format!("`{part}` is not an identifier")
                };
                return invalid(why, if part.is_empty() { whole } else { span });
            }
            if mode == Mode::Strict
                && segments.is_empty()
                && part.starts_with("log_")
                && part != "log_source"
            {
                return invalid(
                    format!(
                        "`{part}` is a reserved system key; only `log_source` can be a placeholder"
                    ),
                    span,
                );
            }
            segments.push(Segment::Name {
                name: part.to_string(),
                span,
            });
            i += len;
            expect_name = false;
            continue;
        }
        match bytes[i] {
            b'.' => {
                expect_name = true;
                i += 1;
                if i == bytes.len() {
                    return invalid(
                        "a name is missing after `.`".to_string(),
                        base + i - 1..base + i,
                    );
                }
            }
            b'[' => {
                let Some(len) = name[i..].find(']') else {
                    return Err(ParseError::new(
                        ErrorKind::UnclosedIndex,
                        base + i..whole.end,
                    ));
                };
                let index = &name[i + 1..i + len];
                let span = base + i..base + i + len + 1;
                if mode == Mode::Strict && index.is_empty() {
                    return invalid("an index is empty".to_string(), span);
                }
                segments.push(Segment::Index {
                    index: index.to_string(),
                    span,
                });
                i += len + 1;
            }
            b'(' => {
                if name[i..].starts_with("()") {
                    call = true;
                    i += 2;
                } else {
                    let len = name[i..].find(')').map_or(name.len() - i, |l| l + 1);
                    return Err(ParseError::new(
                        ErrorKind::CallWithArguments,
                        base + i..base + i + len,
                    ));
                }
            }
            _ => {
                let c = name[i..].chars().next().unwrap_or('?');
                return invalid(
                    format!("unexpected `{c}`"),
                    base + i..base + i + c.len_utf8(),
                );
            }
        }
    }
    Ok((segments, call))
}
