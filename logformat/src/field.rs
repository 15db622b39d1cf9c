use std::ops::Range;

/// A `!` conversion: how a field's value becomes text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conversion {
    /// `!s`: the value's `Display` (Python's `str`).
    Str,
    /// `!r`: the value's `Debug` (Python's `repr`).
    Repr,
}

impl Conversion {
    /// The letter after `!`.
    ///
    /// ```
    /// assert_eq!(logformat::Conversion::Repr.letter(), 'r');
    /// ```
    pub fn letter(self) -> char {
        match self {
            Conversion::Str => 's',
            Conversion::Repr => 'r',
        }
    }
}

/// One step of a placeholder's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The root, or `.name` after it.
    Name {
        /// The identifier.
        name: String,
        /// Its byte range in the format string.
        span: Range<usize>,
    },
    /// `[index]`: the text between the brackets.
    Index {
        /// The text between the brackets (`0`, `key`).
        index: String,
        /// Its byte range in the format string, brackets included.
        span: Range<usize>,
    },
}

impl Segment {
    /// The byte range of this segment in the format string.
    ///
    /// ```
    /// let format = logformat::parse("x={a.b}").unwrap();
    /// let field = format.fields().next().unwrap();
    /// assert_eq!(field.segments[1].span(), 5..6);
    /// ```
    pub fn span(&self) -> Range<usize> {
        match self {
            Segment::Name { span, .. } | Segment::Index { span, .. } => span.clone(),
        }
    }
}

/// A placeholder: `{path!conversion:spec}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name as written between the braces, before `!` or `:`,
    /// e.g. `req.uri`, `req.summary()`, `items[0]`. This is the name twisted
    /// uses in `log_flattened` keys.
    pub name: String,
    /// The path, root first.
    pub segments: Vec<Segment>,
    /// Whether the path ends in `()`.
    pub call: bool,
    /// The conversion, if one was written.
    pub conversion: Option<Conversion>,
    /// The format spec after `:`, as written (empty if none).
    pub spec: String,
    /// Byte range of the whole placeholder, delimiters included.
    pub span: Range<usize>,
    /// Byte range of `name`.
    pub name_span: Range<usize>,
}

impl Field {
    /// The root name of the path (`req` in `req.uri`).
    ///
    /// ```
    /// let format = logformat::parse("{req.uri}").unwrap();
    /// assert_eq!(format.fields().next().unwrap().root(), "req");
    /// ```
    pub fn root(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Name { name, .. }) => name,
            _ => "",
        }
    }

    /// The key of the field's rendered text in `log_flattened`
    /// (`name!s:spec`, or `!r` with that conversion), before repeat numbering.
    ///
    /// ```
    /// let format = logformat::parse("{n:03}").unwrap();
    /// assert_eq!(format.fields().next().unwrap().text_key(), "n!s:03");
    /// ```
    pub fn text_key(&self) -> String {
        let conversion = self.conversion.unwrap_or(Conversion::Str).letter();
        format!("{}!{}:{}", self.name, conversion, self.spec)
    }

    /// The key of the field's raw value in `log_flattened` (`name!:spec`),
    /// before repeat numbering.
    ///
    /// ```
    /// let format = logformat::parse("{n!r}").unwrap();
    /// assert_eq!(format.fields().next().unwrap().raw_key(), "n!:");
    /// ```
    pub fn raw_key(&self) -> String {
        format!("{}!:{}", self.name, self.spec)
    }
}
