//! The `log` bridge both ways: a crate that logs through `log` (here
//! globset, building a glob set) shows up as spindle events; and spindle
//! events can be forwarded to any `log::Log`.
//!
//! Run it with `SPINDLE_LOG=debug cargo run --example log_bridge`.

use spindle::{LogForwarder, Logger, info};

/// A minimal `log::Log` standing in for a program's existing `log` setup.
struct PrintLog;

impl log::Log for PrintLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        println!(
            "[log] {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Text to stderr, levels from SPINDLE_LOG / RUST_LOG, and the log bridge.
    let _guard = spindle::init()?;
    log::info!(target: "legacy::module", "a record from the log crate, with {} args", 2);
    let mut builder = globset::GlobSetBuilder::new();
    builder.add(globset::Glob::new("*.rs")?);
    builder.build()?; // globset logs at debug through `log`

    // The other way: these events go to a `log::Log`.
    let forwarded =
        Logger::new("bridge::out").with_observer(std::sync::Arc::new(LogForwarder::new(PrintLog)));
    info!(logger: &forwarded, "sent to a log::Log: {n}", n = 42);
    Ok(())
}
