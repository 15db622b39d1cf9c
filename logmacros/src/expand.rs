//! The code a log call expands to.
//!
//! ```text
//! {
//!     static CALLSITE: Callsite = { format, pieces, names: &["req", "size"], module_path!(), ..};
//!     let level = LogLevel::Info;
//!     if static_enabled(level) && global_enabled(level)        // one relaxed load
//!         && callsite_enabled(&CALLSITE, level)                // one more, kept in CALLSITE
//!     {
//!         match (&req, &(body.len())) {                       // fields, borrowed
//!             (req, size) => {
//!                 let values = [FieldValue::of(req), FieldValue::of(size)]; // names in CALLSITE
//!                 cold_path(move || {                                   // out of line
//!                     // (only when every placeholder is a plain `{name}`)
//!                     if publisher.__publish_direct(level, &CALLSITE, &values) { return } // no event
//!                     publisher.publish(&Event::live(LiveParts {
//!                         values: &values,
//!                         placeholders: &[&|sink| sink.put(format_args!("{}", &(req.uri)), raw)],
//!                         ..
//!                     }))
//!                 })
//!             }
//!         }
//!     }
//! }
//! ```

use logformat::{Conversion, Field, Format, Piece, Segment};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitInt, LitStr};

use crate::args::{Capture, LevelArg, LogCall};
use crate::errors::Errors;

/// Checks a parsed call and expands it.
pub(crate) fn expand(call: LogCall) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    call.check_fields(&mut errors);
    let format = crate::format::check(&call, &mut errors);
    errors.finish()?;
    let format = format.expect("a format is returned when there are no errors");
    Ok(codegen(&call, &format))
}

fn codegen(call: &LogCall, format: &Format) -> TokenStream {
    let p = quote!(::spindle::__private);
    let lit_span = call.format.span();
    let normalized = LitStr::new(&format.to_brace_string(), lit_span);
    let flattened_keys = logformat::flattened_keys(format);
    // Whether writers may copy the call site's strings as they are.
    let escape_free = logformat::escape_free(&normalized.value())
        && call
            .fields
            .iter()
            .all(|field| logformat::escape_free(&field.name.to_string()))
        && flattened_keys
            .iter()
            .all(|(text, raw)| logformat::escape_free(text) && logformat::escape_free(raw));
    let mut keys = flattened_keys.into_iter();
    let pieces = format.pieces.iter().map(|piece| match piece {
        Piece::Literal(text) => quote!(#p::Piece::Literal(#text)),
        Piece::Field(_) => {
            let (text_key, raw_key) = keys.next().expect("one key pair per field");
            quote!(#p::Piece::Field(#text_key, #raw_key))
        }
    });
    let level = match &call.level {
        LevelArg::Fixed(name) => {
            let ident = format_ident!("{}", name);
            quote!(#p::LogLevel::#ident)
        }
        LevelArg::Expr(e) => quote_spanned!(e.span()=> #e),
    };
    // A fixed level is a constant inside the closure, so the closure does
    // not capture the level variable (which would put it in memory before
    // the check).
    let level_in_closure = match &call.level {
        LevelArg::Fixed(_) => level.clone(),
        LevelArg::Expr(_) => {
            let var = Ident::new("__spindle_level", Span::mixed_site());
            quote!(#var)
        }
    };
    let sink = Ident::new("__spindle_sink", Span::mixed_site());
    let value = Ident::new("__spindle_value", Span::mixed_site());
    let calls = format.fields().any(|field| field.call);
    // For each placeholder, the field it shows unchanged (`{name}`), if any.
    let shows: Vec<Option<usize>> = format
        .fields()
        .map(|field| {
            let unchanged = field.segments.len() == 1 && !field.call && rust_format(field) == "{}";
            unchanged
                .then(|| {
                    call.fields
                        .iter()
                        .position(|f| f.name == field.name.as_str())
                })
                .flatten()
        })
        .collect();
    // (`u8::MAX`: no field, and past the 255th field packing shows none)
    let bare = shows
        .iter()
        .map(|j| j.and_then(|j| u8::try_from(j).ok()).unwrap_or(u8::MAX));
    // A field shown unchanged is rendered by a type shared by every call
    // site (built once by the compiler); others by a closure of their own.
    let placeholders = format
        .fields()
        .zip(&shows)
        .map(|(field, shows)| match shows {
            Some(j) => {
                let name = &call.fields[*j].name;
                quote_spanned!(lit_span=> &(&&#p::Probe(&#name)).__spindle_show())
            }
            None => placeholder(field, lit_span, &sink, &value),
        });

    // Placeholders that are all plain `{name}`s of fields whose values
    // render as their scalars (integers, floats, bools, strings: known
    // from the types, one constant each) are left out: the event renders
    // each from its field. The array is still written out for any other
    // type; where it is not used the optimiser removes it (visit 199 to
    // 182 instructions; about 10% more time to build 1000 calls).
    let placeholders: Vec<TokenStream> = placeholders.collect();
    let placeholders_field = if !shows.is_empty() && shows.iter().all(Option::is_some) {
        let scalar = shows.iter().flatten().map(|j| {
            let name = &call.fields[*j].name;
            quote_spanned!(lit_span=> (&&#p::Probe(&#name)).__spindle_scalar())
        });
        quote!(#p::shown_or(&[#(#scalar),*], &[#(#placeholders),*]))
    } else {
        quote!(&[#(#placeholders),*])
    };

    // What the match binds: the source, then each field (borrowed).
    let mut scrutinee = Vec::new();
    let mut patterns = Vec::new();
    let source_binding = Ident::new("log_source", lit_span);
    if let Some(source) = &call.source {
        scrutinee.push(quote_spanned!(source.span()=> &(#source)));
        patterns.push(quote!(#source_binding));
    }
    for field in &call.fields {
        let name = &field.name;
        scrutinee.push(match &field.capture {
            // A `Copy` value is copied, so that its variable's address is
            // not taken (and the variable not spilled) before the level check.
            Capture::Shorthand => {
                quote_spanned!(name.span()=> (&&#p::Probe(&#name)).__spindle_capture())
            }
            Capture::Value(e) => quote_spanned!(e.span()=> &(#e)),
            Capture::Display(e) => quote_spanned!(e.span()=> &#p::TextOnce::display(&(#e))),
            Capture::Debug(e) => quote_spanned!(e.span()=> &#p::TextOnce::debug(&(#e))),
        });
        patterns.push(quote!(#name));
    }
    let names = call.fields.iter().map(|field| field.name.to_string());
    let values = call.fields.iter().map(|field| {
        let name = &field.name;
        quote_spanned!(name.span()=> (&&#p::Probe(&#name)).__spindle_field())
    });

    let logger = Ident::new("__spindle_logger", Span::mixed_site());
    let level_var = Ident::new("__spindle_level", Span::mixed_site());
    let failure_var = Ident::new("__spindle_failure", Span::mixed_site());
    // Built before the out-of-line part, from the captures while they are
    // still in registers: reading them back from the closure there cost an
    // enabled event 2-3 ns (see docs/benchmarks.md).
    let values_var = Ident::new("__spindle_values", Span::mixed_site());
    // The global publisher, looked up once in the out-of-line part.
    let publisher = Ident::new("__spindle_publisher", Span::mixed_site());
    let (logger_let, enabled, publish, logger_field) = match &call.logger {
        Some(expr) => (
            quote_spanned!(expr.span()=>
                let #logger = &(#expr);
                let #logger: &#p::Logger = ::core::borrow::Borrow::borrow(#logger);
            ),
            quote!(#logger.enabled(#level_var)),
            quote!(#logger.publish),
            quote!(::core::option::Option::Some(#logger)),
        ),
        // Without a source, the namespace is the module path, fixed here:
        // the levels wanted there are asked once and kept in the call site
        // (`callsite_enabled` reads what is kept; `callsite_wanted`, out of
        // line below, asks when nothing is).
        None if call.source.is_none() => (
            quote!(),
            quote!(#p::global_enabled(#level_var) && #p::callsite_enabled(&__SPINDLE_CALLSITE, #level_var)),
            quote!(#publisher.publish),
            quote!(::core::option::Option::None),
        ),
        None => (
            quote!(),
            quote!(#p::global_enabled(#level_var)),
            quote!(#p::global_publisher().publish),
            quote!(::core::option::Option::None),
        ),
    };
    // Asked before the event is built (out of line): whether the global
    // publisher's observers want it in the call site's namespace (kept in
    // the call site) or the logger's (kept with the logger).
    let wanted = match (&call.logger, &call.source) {
        (None, None) => quote!(
            if !#p::callsite_wanted(&__SPINDLE_CALLSITE, #level_in_closure) {
                return;
            }
            let #publisher = #p::global_publisher();
        ),
        (Some(_), _) => quote!(
            if !#logger.wanted(#level_in_closure) {
                return;
            }
        ),
        (None, Some(_)) => quote!(),
    };
    // A call whose placeholders are all plain `{name}`s is offered to the
    // logger's observer (or the global publisher's only one) first without
    // its event (non-blocking output packs it straight into its ring). Not
    // with a source or failure, or a `%` or `?` capture: its text is not a
    // value packing takes.
    let direct = (call.source.is_none()
        && call.error.is_none()
        && !calls
        && shows.iter().all(Option::is_some)
        && call
            .fields
            .iter()
            .all(|f| matches!(f.capture, Capture::Shorthand | Capture::Value(_))))
    .then(|| {
        let to = match &call.logger {
            Some(_) => quote!(#logger),
            None => quote!(#publisher),
        };
        quote!(
            if #to.__publish_direct(#level_in_closure, &__SPINDLE_CALLSITE, &#values_var) {
                return;
            }
        )
    });
    let namespace = match (&call.logger, &call.source) {
        (Some(_), _) => quote!(#logger.namespace()),
        (None, Some(source)) => {
            quote_spanned!(source.span()=> #p::source_namespace(#source_binding))
        }
        (None, None) => quote!(::core::module_path!()),
    };
    let source_field = match &call.source {
        Some(source) => {
            quote_spanned!(source.span()=> ::core::option::Option::Some(#p::source_value(#source_binding)))
        }
        None => quote!(::core::option::Option::None),
    };
    // The error expression is the user's code (it may use `?`): evaluated
    // here; the failure is captured in the cold path.
    let (error_let, failure_let, failure_field) = match &call.error {
        Some(err) => {
            let e = Ident::new("__spindle_error", Span::mixed_site());
            (
                quote_spanned!(err.span()=> let #e = &(#err);),
                quote_spanned!(err.span()=>
                    let #failure_var = #p::Failure::from_dyn((*#e).error_type_name(), (*#e).as_dyn_error());
                ),
                quote!(::core::option::Option::Some(&#failure_var)),
            )
        }
        None => (quote!(), quote!(), quote!(::core::option::Option::None)),
    };
    quote! {{
        #[allow(unused_imports)]
        use #p::{AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _, ViaFallback as _, ViaValue as _};
        static __SPINDLE_CALLSITE: #p::Callsite = #p::Callsite {
            format: #normalized,
            pieces: &[#(#pieces),*],
            names: &[#(#names),*],
            module_path: ::core::module_path!(),
            file: ::core::file!(),
            line: ::core::line!(),
            calls: #calls,
            bare: &[#(#bare),*],
            escape_free: #escape_free,
            id: #p::CallsiteId::new(),
            interest: #p::Interest::new(),
        };
        let #level_var: #p::LogLevel = #level;
        #logger_let
        if #p::static_enabled(#level_var) && #enabled {
            match (#(#scrutinee,)*) {
                (#(#patterns,)*) => {
                    #error_let
                    let #values_var = [#(#values),*];
                    // Out of line, so that a disabled call pays for no stack
                    // frame: the check above is all it runs.
                    // `move`: every binding here is a reference or `Copy`
                    // (the level, copied captures, the array of field
                    // values), so the closure moves no user data.
                    #p::cold_path(move || {
                    #wanted
                    #direct
                    #failure_let
                    #publish(&#p::Event::live(#p::LiveParts {
                        level: #level_in_closure,
                        callsite: &__SPINDLE_CALLSITE,
                        namespace: #namespace,
                        values: &#values_var,
                        placeholders: #placeholders_field,
                        source: #source_field,
                        failure: #failure_field,
                        logger: #logger_field,
                    }));
                    });
                }
            }
        }
    }}
}

/// The closure of one placeholder: evaluates the path, renders its text with
/// the conversion and spec, and hands over its raw value.
fn placeholder(field: &Field, span: Span, sink: &Ident, value: &Ident) -> TokenStream {
    let p = quote!(::spindle::__private);
    let mut path = TokenStream::new();
    for (i, segment) in field.segments.iter().enumerate() {
        path.extend(match segment {
            Segment::Name { name, .. } if i == 0 => {
                let ident = Ident::new(name, span);
                quote!(#ident)
            }
            Segment::Name { name, .. } if name.bytes().all(|b| b.is_ascii_digit()) => {
                let index = syn::Index {
                    index: name.parse().unwrap_or(0),
                    span,
                };
                quote!(.#index)
            }
            Segment::Name { name, .. } => {
                let ident = Ident::new(name, span);
                quote!(.#ident)
            }
            Segment::Index { index, .. } if index.bytes().all(|b| b.is_ascii_digit()) => {
                let lit = LitInt::new(index, span);
                quote!([#lit])
            }
            Segment::Index { index, .. } => {
                let lit = LitStr::new(index, span);
                quote!([#lit])
            }
        });
    }
    if field.call {
        path.extend(quote!(()));
    }
    let fmt = LitStr::new(&rust_format(field), span);
    quote_spanned! {span=>
        &|#sink: &mut dyn #p::Sink| {
            let #value = &(#path);
            #sink.put(::core::format_args!(#fmt, #value), (&&#p::Probe(#value)).__spindle_raw())
        }
    }
}

/// The `format_args!` string for a field: its spec, with `?` added for `!r`.
fn rust_format(field: &Field) -> String {
    let mut spec = field.spec.clone();
    if field.conversion == Some(Conversion::Repr) && !spec.ends_with('?') {
        spec.push('?');
    }
    if spec.is_empty() {
        "{}".to_string()
    } else {
        format!("{{:{spec}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_strings_for_conversions_and_specs() {
        let cases = [
            ("{x}", "{}"),
            ("{x!s}", "{}"),
            ("{x!r}", "{:?}"),
            ("{x:>8}", "{:>8}"),
            ("{x!r:>8}", "{:>8?}"),
            ("{x:x}", "{:x}"),
            ("{x!r:x}", "{:x?}"),
            ("{x:#?}", "{:#?}"),
            ("{x!r:?}", "{:?}"),
        ];
        for (input, want) in cases {
            let format = logformat::parse(input).unwrap();
            assert_eq!(
                rust_format(format.fields().next().unwrap()),
                want,
                "{input}"
            );
        }
    }
}
