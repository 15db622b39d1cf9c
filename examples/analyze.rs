//! Reads a JSON log (spindle's or twisted's) and aggregates it with
//! `extract_field`: requests per status, the slowest request, failures.
//!
//! Run it with `cargo run --example analyze -- FILE` (for instance the file
//! `cargo run --example service` prints).

use std::collections::BTreeMap;

use spindle::{LogLevel, events_from_json_log_file, extract_field, format_event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: analyze FILE.json");
        std::process::exit(2);
    };
    let file = std::fs::File::open(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut reader = events_from_json_log_file(file).report_errors(false);
    let (mut by_status, mut failures) = (BTreeMap::<u64, u32>::new(), Vec::new());
    let mut slowest: Option<(u64, String)> = None;
    let mut total = 0;
    for event in reader.by_ref() {
        total += 1;
        if let Some(status) = extract_field("log_source.status", &event)
            .ok()
            .and_then(|v| v.as_u64())
        {
            *by_status.entry(status).or_default() += 1;
        }
        if let Some(ms) = extract_field("log_source.ms", &event)
            .ok()
            .and_then(|v| v.as_u64())
            && slowest.as_ref().is_none_or(|(max, _)| ms > *max)
        {
            slowest = Some((ms, format_event(&event)));
        }
        if event.level == Some(LogLevel::Critical)
            && let Some(f) = &event.failure
        {
            failures.push(format!("{} ({})", format_event(&event), f.message()));
        }
    }
    println!("{total} events read from {path}");
    println!("requests by status: {by_status:?}");
    if let Some((ms, text)) = slowest {
        println!("slowest: {text} [{ms} ms]");
    }
    println!("failures: {}", failures.len());
    for f in &failures {
        println!("  {f}");
    }
    if !reader.errors().is_empty() {
        println!("{} malformed records skipped", reader.errors().len());
    }
    Ok(())
}
