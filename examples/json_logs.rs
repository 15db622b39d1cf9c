//! JSON logs: write them (twisted's format, rotated, from a background
//! thread), read them back, and analyse them with `extract_field`.
//!
//! Run it with `cargo run --example json_logs`.

use std::collections::BTreeMap;

use spindle::{
    LogSource, Rotation, Setup, events_from_json_log_file, extract_field, format_event, info, warn,
};

#[derive(LogSource)]
struct Request {
    path: &'static str,
    status: u16,
    ms: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("spindle-json-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("requests.json");

    // Text to stderr and JSON to a file rotated at 10 MiB, keeping 3.
    let guard = Setup::new()
        .directives("info")
        .json_file(&path, Rotation::Size(10 << 20), 3)
        .begin()?;
    for (path, status, ms) in [
        ("/", 200, 12),
        ("/login", 302, 30),
        ("/", 200, 9),
        ("/admin", 403, 4),
        ("/", 500, 250),
    ] {
        let req = Request { path, status, ms };
        if status >= 500 {
            warn!("{req.path} failed with {req.status} after {req.ms}ms", req);
        } else {
            info!("{req.path} answered {req.status} in {req.ms}ms", req);
        }
    }
    guard.flush();

    // Read the file back (twisted's own files read the same way).
    let mut by_status: BTreeMap<String, u32> = BTreeMap::new();
    let mut slowest = (0, String::new());
    for event in events_from_json_log_file(std::fs::File::open(&path)?) {
        let Ok(status) = extract_field("req.status", &event) else {
            continue;
        };
        *by_status.entry(status.to_string()).or_default() += 1;
        if let Some(ms) = extract_field("req.ms", &event)
            .ok()
            .and_then(|v| v.as_u64())
            && ms > slowest.0
        {
            slowest = (ms, format_event(&event));
        }
    }
    println!("requests by status: {by_status:?}");
    println!("slowest: {} ({}ms)", slowest.1, slowest.0);
    println!(
        "the log is at {}; try `cargo run --bin spindle -- cat {}`",
        path.display(),
        path.display()
    );
    Ok(())
}
