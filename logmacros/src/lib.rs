//! The procedural macros of spindle. Use them through the `spindle` crate,
//! whose documentation describes the syntax; everything they expand to names
//! `::spindle::__private`.
//!
//! ```
//! use spindle::{LogSource, captured_logs, format_event, info};
//! #[derive(LogSource)]
//! struct Request { uri: String, status: u16 }
//! let req = Request { uri: "/".into(), status: 200 };
//! let events = captured_logs(|| info!("<req.uri> answered <req.status>", req));
//! assert_eq!(format_event(&events[0]), "/ answered 200");
//! ```
#![warn(missing_docs)]

use proc_macro::TokenStream;
use syn::parse::Parser;

mod args;
mod derive;
mod errors;
mod expand;
mod format;

use args::{Kind, LogCall};

fn log_call(input: TokenStream, kind: Kind) -> TokenStream {
    let parser = |stream: syn::parse::ParseStream<'_>| LogCall::parse(stream, kind);
    errors::emit(parser.parse(input).and_then(expand::expand))
}

/// Logs at trace level: `trace!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn trace(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Trace"))
}

/// Logs at debug level: `debug!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn debug(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Debug"))
}

/// Logs at info level: `info!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn info(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Info"))
}

/// Logs at warn level: `warn!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn warn(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Warn"))
}

/// Logs at error level: `error!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn error(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Error"))
}

/// Logs at critical level: `critical!([logger: L,] [source: &S,] "format", fields…)`.
#[proc_macro]
pub fn critical(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Level("Critical"))
}

/// Logs at a level chosen at run time: `emit!(level, "format", fields…)`.
#[proc_macro]
pub fn emit(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Emit)
}

/// Logs an error at critical level with its chain and backtrace in
/// `log_failure`: `failure!("format", err, fields…)`.
#[proc_macro]
pub fn failure(input: TokenStream) -> TokenStream {
    log_call(input, Kind::Failure)
}

/// Makes a struct usable as `log_source` and as a field value.
#[proc_macro_derive(LogSource, attributes(log))]
pub fn derive_log_source(input: TokenStream) -> TokenStream {
    errors::emit(syn::parse::<syn::DeriveInput>(input).and_then(derive::expand))
}

#[cfg(test)]
mod snapshots;
