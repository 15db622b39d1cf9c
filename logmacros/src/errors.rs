//! Errors collected while checking one macro call, emitted together.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};

/// Collects `syn::Error`s so that one call reports every problem at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// The errors, or `Ok(())` when there are none.
    pub(crate) fn finish(self) -> syn::Result<()> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Emits the error (as `compile_error!`s) or the expansion.
pub(crate) fn emit(result: syn::Result<TokenStream>) -> proc_macro::TokenStream {
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// The edit distance between two names, for "did you mean" hints.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest of `names` to `name`, if close enough to be a likely typo.
pub(crate) fn closest<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .map(|n| (distance(name, n), n))
        .filter(|&(d, n)| d <= (n.chars().count().max(name.chars().count()) / 3).max(1))
        .min()
        .map(|(_, n)| n)
}
