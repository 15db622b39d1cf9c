//! A library and the program that uses it. The library logs (some through
//! spindle, some through the `log` crate) and configures nothing; the program
//! decides where events go. The `log` bridge works both ways.
//!
//! Run it with `SPINDLE_LOG=debug cargo run --example library_and_binary`.

/// Stands for a library crate: it logs, and never sets up observers.
mod configlib {
    use spindle::{debug, warn};

    /// Parses `key=value` lines.
    pub fn parse(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (number, line) in text.lines().enumerate() {
            match line.split_once('=') {
                Some((k, v)) => out.push((k.trim().to_string(), v.trim().to_string())),
                None => warn!("line {number} has no `=`: {line!r}", number, line),
            }
        }
        debug!("parsed {count} entries", count = out.len());
        // Some dependencies log through `log`; the bridge brings them in too.
        log::info!(target: "configlib::compat", "legacy message through log, {} entries", out.len());
        out
    }
}

/// A minimal `log::Log`, standing for a program whose logging is set up
/// through `log` (env_logger, for instance).
struct PrintLog;

impl log::Log for PrintLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        println!(
            "[via log] {} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The program: text to stderr, levels from SPINDLE_LOG, the `log` bridge.
    let _guard = spindle::init()?;
    let entries = configlib::parse("name = spindle\nbroken line\nlevel = debug");
    spindle::info!("configured with {n} entries", n = entries.len());

    // A program set up through `log` instead gets spindle's events forwarded.
    let forwarded = spindle::Logger::new("bridge::out")
        .with_observer(std::sync::Arc::new(spindle::LogForwarder::new(PrintLog)));
    spindle::info!(logger: &forwarded, "this event went to a log::Log: {n}", n = 42);
    Ok(())
}
