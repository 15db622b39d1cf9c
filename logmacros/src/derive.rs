//! `#[derive(LogSource)]`: implements `LogSource`, `Value` and `Map` for a
//! struct, its fields visited as a map (skipped, redacted and renamed as the
//! `#[log(…)]` attributes say).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, Type};

use crate::errors::Errors;

/// What `#[log(…)]` says of a field.
#[derive(Default)]
struct FieldAttrs {
    skip: bool,
    redact: bool,
    rename: Option<LitStr>,
}

/// The text a redacted field shows in every output.
const REDACTED: &str = "<redacted>";

fn field_attrs(field: &syn::Field, errors: &mut Errors) -> FieldAttrs {
    let mut attrs = FieldAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("log")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                attrs.skip = true;
            } else if meta.path.is_ident("redact") {
                attrs.redact = true;
            } else if meta.path.is_ident("rename") {
                attrs.rename = Some(meta.value()?.parse()?);
            } else {
                return Err(meta.error("unknown `log` attribute\nhelp: the attributes are `skip`, `redact` and `rename = \"…\"`"));
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
        if attrs.skip && attrs.redact {
            errors.at(attr.path().get_ident().map_or_else(proc_macro2::Span::call_site, |i| i.span()), "a field cannot be both `skip` and `redact`\nhelp: `skip` leaves it out; `redact` shows it as `<redacted>`");
        }
    }
    attrs
}

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let p = quote!(::spindle::__private);
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        Data::Enum(e) => {
            return Err(syn::Error::new(
                e.enum_token.span,
                "`LogSource` can only be derived for structs\nhelp: implement `spindle::Value` and `spindle::LogSource` by hand for an enum",
            ));
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "`LogSource` can only be derived for structs",
            ));
        }
    };
    let mut errors = Errors::default();
    let mut entries = Vec::new();
    let mut bounds: Vec<&Type> = Vec::new();
    let members: Vec<(syn::Member, String)> = match fields {
        Fields::Named(named) => named
            .named
            .iter()
            .map(|f| {
                let ident = f.ident.clone().expect("named field");
                let key = ident.to_string();
                (syn::Member::Named(ident), key)
            })
            .collect(),
        Fields::Unnamed(unnamed) => (0..unnamed.unnamed.len())
            .map(|i| (syn::Member::Unnamed(i.into()), i.to_string()))
            .collect(),
        Fields::Unit => Vec::new(),
    };
    for (field, (member, key)) in fields.iter().zip(members) {
        let attrs = field_attrs(field, &mut errors);
        if attrs.skip {
            // Read it, so that a field only logging would read is not dead code.
            entries.push(quote!(let _ = &self.#member;));
            continue;
        }
        let key = attrs.rename.map_or(key, |r| r.value());
        if attrs.redact {
            entries.push(quote!(let _ = &self.#member; __spindle_f(&#key, &#REDACTED);));
        } else {
            bounds.push(&field.ty);
            entries.push(quote!(__spindle_f(&#key, &self.#member);));
        }
    }
    errors.finish()?;
    let name = &input.ident;
    let name_str = name.to_string();
    let mut generics = input.generics.clone();
    {
        let where_clause = generics.make_where_clause();
        for ty in bounds {
            where_clause
                .predicates
                .push(syn::parse_quote!(#ty: #p::Value));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #p::Map for #name #ty_generics #where_clause {
                fn each(&self, __spindle_f: &mut dyn ::core::ops::FnMut(&dyn #p::Value, &dyn #p::Value)) {
                    #(#entries)*
                }
            }
            #[automatically_derived]
            impl #impl_generics #p::Value for #name #ty_generics #where_clause {
                fn visit(&self, __spindle_visitor: &mut dyn #p::Visit) {
                    __spindle_visitor.visit_map(self)
                }
            }
            #[automatically_derived]
            impl #impl_generics #p::LogSource for #name #ty_generics #where_clause {
                fn log_namespace(&self) -> &'static str {
                    ::core::concat!(::core::module_path!(), "::", #name_str)
                }
            }
        };
    })
}
