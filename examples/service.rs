//! A small HTTP-style service loop: each request is a `#[derive(LogSource)]`
//! value, logged as text to stderr and as JSON to a rotating file.
//!
//! Run it with `cargo run --example service`, then read its log with
//! `cargo run --example analyze -- <the path it prints>`.

use spindle::{LogSource, Rotation, Setup, failure, info, warn};

#[derive(LogSource)]
struct Request {
    method: &'static str,
    path: &'static str,
    status: u16,
    ms: u32,
    #[log(redact)]
    session: String,
}

impl Request {
    /// The line an access log would show; runs only if an observer renders it.
    fn summary(&self) -> String {
        format!("{} {} -> {}", self.method, self.path, self.status)
    }
}

#[derive(Debug)]
struct UpstreamError(&'static str);

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "upstream {} did not answer", self.0)
    }
}

impl std::error::Error for UpstreamError {}

/// Pretends to serve a request.
fn handle(n: u32) -> Result<Request, UpstreamError> {
    let paths = ["/", "/login", "/search", "/admin", "/static/app.js"];
    let path = paths[n as usize % paths.len()];
    if n % 7 == 6 {
        return Err(UpstreamError("search-backend"));
    }
    let status = match path {
        "/admin" => 403,
        "/login" => 302,
        _ => 200,
    };
    Ok(Request {
        method: "GET",
        path,
        status,
        ms: 3 + (n * 37) % 120,
        session: format!("s{n:04}"),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("spindle-service-example");
    std::fs::create_dir_all(&dir)?;
    let log_path = dir.join("access.json");
    // Text to stderr (levels from SPINDLE_LOG/RUST_LOG, else info), JSON to
    // a file rotated at 1 MiB keeping 3 old ones, written in the background.
    let guard = Setup::new()
        .json_file(&log_path, Rotation::Size(1 << 20), 3)
        .begin()?;
    info!("listening on port {port}", port = 8080);
    for n in 0..20 {
        match handle(n) {
            Ok(req) if req.ms > 100 => {
                warn!(source: &req, "slow: {log_source.summary()} took {log_source.ms}ms")
            }
            Ok(req) => info!(source: &req, "{log_source.summary()} in {log_source.ms}ms"),
            Err(e) => failure!("request {n} failed", e, n),
        }
    }
    info!("shutting down");
    guard.flush();
    println!("{}", log_path.display());
    Ok(())
}
