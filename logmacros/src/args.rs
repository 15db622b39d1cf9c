//! What a log call looks like: `[logger: EXPR,] [source: EXPR,] "format", [error,] fields…`.

use syn::parse::{Parse, ParseStream};
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

use crate::errors::Errors;

/// How a field's value is captured.
pub(crate) enum Capture {
    /// `name`: the variable of that name.
    Shorthand,
    /// `name = expr`.
    Value(Expr),
    /// `name = %expr` (or `%name`): through `Display`.
    Display(Expr),
    /// `name = ?expr` (or `?name`): through `Debug`.
    Debug(Expr),
}

/// One captured field.
pub(crate) struct FieldArg {
    pub(crate) name: Ident,
    pub(crate) capture: Capture,
}

/// Which level a call logs at.
pub(crate) enum LevelArg {
    /// Fixed by the macro's name (`info!`).
    Fixed(&'static str),
    /// `emit!(level, …)`.
    Expr(Expr),
}

/// A parsed log call.
pub(crate) struct LogCall {
    pub(crate) level: LevelArg,
    pub(crate) logger: Option<Expr>,
    pub(crate) source: Option<Expr>,
    pub(crate) format: LitStr,
    pub(crate) error: Option<Expr>,
    pub(crate) fields: Vec<FieldArg>,
}

/// Which macro is being parsed.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Level(&'static str),
    Emit,
    Failure,
}

impl LogCall {
    pub(crate) fn parse(input: ParseStream<'_>, kind: Kind) -> syn::Result<LogCall> {
        let level = match kind {
            Kind::Level(name) => LevelArg::Fixed(name),
            Kind::Failure => LevelArg::Fixed("Critical"),
            Kind::Emit => {
                if input.is_empty() {
                    return Err(input.error(
                        "`emit!` takes a level first: `emit!(LogLevel::Info, \"format\", fields…)`",
                    ));
                }
                let level: Expr = input.parse()?;
                input.parse::<Token![,]>()?;
                LevelArg::Expr(level)
            }
        };
        let mut logger = None;
        let mut source = None;
        while input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            let key: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            let slot = match key.to_string().as_str() {
                "logger" => &mut logger,
                "source" => &mut source,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}:`; the options are `logger:` and `source:`"
                        ),
                    ));
                }
            };
            if slot.is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    format!("`{key}:` is given twice"),
                ));
            }
            *slot = Some(input.parse::<Expr>()?);
            input.parse::<Token![,]>()?;
        }
        if input.is_empty() {
            return Err(
                input.error("expected a format string literal, e.g. `info!(\"{n} items\", n)`")
            );
        }
        let format = match input.parse::<Expr>()? {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => s,
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "the format must be a string literal, so that it can be checked at compile time\n\
                     help: to log a computed string, capture it: `info!(\"{text}\", text = value)`",
                ));
            }
        };
        let mut error = None;
        if let Kind::Failure = kind {
            if input.is_empty() {
                return Err(syn::Error::new(
                    format.span(),
                    "`failure!` needs the error after the format: `failure!(\"what failed\", err)`",
                ));
            }
            input.parse::<Token![,]>()?;
            error = Some(input.parse::<Expr>()?);
        }
        let mut fields = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            fields.push(input.parse::<FieldArg>()?);
        }
        Ok(LogCall {
            level,
            logger,
            source,
            format,
            error,
            fields,
        })
    }

    /// Checks field names: no `log_*` names, none captured twice.
    pub(crate) fn check_fields(&self, errors: &mut Errors) {
        for (i, field) in self.fields.iter().enumerate() {
            let name = field.name.to_string();
            if name.starts_with("log_") {
                let hint = if name == "log_source" {
                    "help: set the source with `source: &value` before the format string"
                        .to_string()
                } else {
                    format!(
                        "help: rename it, e.g. `{} = …`",
                        name.trim_start_matches("log_")
                    )
                };
                errors.at(
                    field.name.span(),
                    format!(
                        "field names starting with `log_` are reserved for system keys\n{hint}"
                    ),
                );
            }
            if self.fields[..i].iter().any(|f| f.name == field.name) {
                errors.at(
                    field.name.span(),
                    format!("`{name}` is captured twice\nhelp: remove one of the captures"),
                );
            }
        }
    }
}

impl Parse for FieldArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<FieldArg> {
        if input.peek(Token![%]) || input.peek(Token![?]) {
            let display = input.peek(Token![%]);
            if display {
                input.parse::<Token![%]>()?;
            } else {
                input.parse::<Token![?]>()?;
            }
            let name: Ident = input.parse()?;
            let expr: Expr = syn::parse_quote_spanned!(name.span()=> #name);
            let capture = if display {
                Capture::Display(expr)
            } else {
                Capture::Debug(expr)
            };
            return Ok(FieldArg { name, capture });
        }
        if !input.peek(Ident) {
            return Err(input.error(
                "expected a field: `name`, `name = value`, `name = %value` (Display) or `name = ?value` (Debug)\n\
                 help: positional values are not supported; name each one",
            ));
        }
        let name: Ident = input.parse()?;
        if input.peek(Token![.]) || input.peek(Token![::]) || input.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "a field is a name, not an expression\nhelp: write `{name} = {name}…` to name the value"
                ),
            ));
        }
        if !input.peek(Token![=]) {
            return Ok(FieldArg {
                name,
                capture: Capture::Shorthand,
            });
        }
        input.parse::<Token![=]>()?;
        let capture = if input.peek(Token![%]) {
            input.parse::<Token![%]>()?;
            Capture::Display(input.parse()?)
        } else if input.peek(Token![?]) {
            input.parse::<Token![?]>()?;
            Capture::Debug(input.parse()?)
        } else {
            Capture::Value(input.parse()?)
        };
        Ok(FieldArg { name, capture })
    }
}
