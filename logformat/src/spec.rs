//! Format specs: `[[fill]align][sign][#][0][width][grouping][.precision][type]`.

/// Where padding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `<`
    Left,
    /// `^`
    Center,
    /// `>`
    Right,
    /// `=` (Python only): padding after the sign, before the digits.
    AfterSign,
}

/// The sign flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// `+`: always a sign.
    Plus,
    /// `-`: a sign only for negatives (the default).
    Minus,
    /// ` ` (Python only): a space for positives.
    Space,
}

/// Which language's spec grammar to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFlavor {
    /// Rust's `format!` specs (types `?`, `x`, `X`, `o`, `b`, `e`, `E`, `x?`, `X?`).
    Rust,
    /// Python's format specs (types `bcdeEfFgGnosxX%`, `=` align, `,`/`_` grouping).
    Python,
}

/// A parsed format spec.
///
/// ```
/// use logformat::{parse_spec, Align, SpecFlavor};
///
/// let spec = parse_spec("*^+#012.3x", SpecFlavor::Rust).unwrap();
/// assert_eq!((spec.fill, spec.align), ('*', Some(Align::Center)));
/// assert!(spec.alternate && spec.zero);
/// assert_eq!((spec.width, spec.precision, spec.ty.as_str()), (Some(12), Some(3), "x"));
/// assert!(parse_spec(",.2f", SpecFlavor::Python).is_ok());
/// assert!(parse_spec(",.2f", SpecFlavor::Rust).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    /// The fill character (space unless given).
    pub fill: char,
    /// The alignment, if given.
    pub align: Option<Align>,
    /// The sign flag, if given.
    pub sign: Option<Sign>,
    /// `#`
    pub alternate: bool,
    /// `0`: pad numbers with zeros after the sign.
    pub zero: bool,
    /// The minimum width.
    pub width: Option<usize>,
    /// Python's thousands separator (`,` or `_`).
    pub grouping: Option<char>,
    /// The precision.
    pub precision: Option<usize>,
    /// The type, e.g. `x`, `?`, `f` (empty when not given).
    pub ty: String,
}

const RUST_TYPES: &[&str] = &["", "?", "x", "X", "o", "b", "e", "E", "x?", "X?"];
const PYTHON_TYPES: &str = "bcdeEfFgGnosxX%";

fn align_of(c: char, flavor: SpecFlavor) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '^' => Some(Align::Center),
        '>' => Some(Align::Right),
        '=' if flavor == SpecFlavor::Python => Some(Align::AfterSign),
        _ => None,
    }
}

fn number(chars: &[char], i: &mut usize, what: &str) -> Result<Option<usize>, String> {
    let start = *i;
    while *i < chars.len() && chars[*i].is_ascii_digit() {
        *i += 1;
    }
    if start == *i {
        return Ok(None);
    }
    let digits: String = chars[start..*i].iter().collect();
    digits
        .parse()
        .map(Some)
        .map_err(|_| format!("the {what} `{digits}` is too large"))
}

/// Parses a format spec (the part after `:`), saying what is wrong if it
/// does not parse.
///
/// ```
/// use logformat::{parse_spec, SpecFlavor};
/// assert_eq!(parse_spec("08", SpecFlavor::Rust).unwrap().width, Some(8));
/// assert!(parse_spec("zz", SpecFlavor::Rust).unwrap_err().contains("zz"));
/// ```
pub fn parse_spec(spec: &str, flavor: SpecFlavor) -> Result<FormatSpec, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out = FormatSpec {
        fill: ' ',
        align: None,
        sign: None,
        alternate: false,
        zero: false,
        width: None,
        grouping: None,
        precision: None,
        ty: String::new(),
    };
    let mut i = 0;
    if chars.len() >= 2
        && let Some(a) = align_of(chars[1], flavor)
    {
        out.fill = chars[0];
        out.align = Some(a);
        i = 2;
    } else if let Some(a) = chars.first().and_then(|&c| align_of(c, flavor)) {
        out.align = Some(a);
        i = 1;
    }
    match chars.get(i) {
        Some('+') => out.sign = Some(Sign::Plus),
        Some('-') => out.sign = Some(Sign::Minus),
        Some(' ') if flavor == SpecFlavor::Python => out.sign = Some(Sign::Space),
        _ => {}
    }
    if out.sign.is_some() {
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        out.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        out.zero = true;
        i += 1;
    }
    out.width = number(&chars, &mut i, "width")?;
    if flavor == SpecFlavor::Rust && matches!(chars.get(i), Some('$') | Some('*')) {
        return Err("width and precision arguments (`$`, `*`) are not supported".into());
    }
    if flavor == SpecFlavor::Python && matches!(chars.get(i), Some(',') | Some('_')) {
        out.grouping = chars.get(i).copied();
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        out.precision = number(&chars, &mut i, "precision")?;
        if out.precision.is_none() {
            return Err("a precision is missing after `.`".into());
        }
        if flavor == SpecFlavor::Rust && matches!(chars.get(i), Some('$') | Some('*')) {
            return Err("width and precision arguments (`$`, `*`) are not supported".into());
        }
    }
    let ty: String = chars[i..].iter().collect();
    let known = match flavor {
        SpecFlavor::Rust => RUST_TYPES.contains(&ty.as_str()),
        SpecFlavor::Python => {
            ty.is_empty() || (ty.chars().count() == 1 && PYTHON_TYPES.contains(ty.as_str()))
        }
    };
    if !known {
        return Err(format!("unknown format type `{ty}` in `{spec}`"));
    }
    out.ty = ty;
    Ok(out)
}
