//! Every macro form in a crate that denies warnings and imports nothing.
#![deny(warnings)]
#![deny(clippy::all)]

#[derive(spindle::LogSource)]
struct Request<T> {
    uri: String,
    status: u16,
    #[log(redact)]
    token: String,
    #[log(skip)]
    extra: T,
    #[log(rename = "size")]
    bytes: usize,
}

impl<T> Request<T> {
    fn summary(&self) -> String {
        format!("{} {}", self.uri, self.status)
    }
}

#[derive(Debug)]
struct E;
impl std::fmt::Display for E {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("e")
    }
}
impl std::error::Error for E {}

fn main() {
    let req = Request { uri: "/".to_string(), status: 200, token: String::new(), extra: (), bytes: 3 };
    let _ = &req.extra;
    let n = 3;
    let logger = spindle::Logger::new("app");
    spindle::trace!("{n}", n);
    spindle::debug!("{n!r}", n);
    spindle::info!("<req.uri> answered <req.status>", req);
    spindle::info!("{req.uri} {req.summary()} {x:>4}", req, x = n + 1);
    spindle::warn!(logger: &logger, "{a} {b}", a = %n, b = ?n);
    spindle::error!(logger: logger.clone(), source: &req, "{log_source.uri}");
    spindle::critical!(source: &req, "{log_source.status:04}");
    spindle::emit!(spindle::LogLevel::Info, "plain");
    spindle::failure!("failed {n}", E, n);
    spindle::info!("no fields",);
}
