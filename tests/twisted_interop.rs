//! Interchange with the real twisted.logger: twisted writes, spindle reads
//! and prints the same text; spindle writes, twisted reads and prints what
//! spindle printed.
//!
//! The test makes a virtualenv under the target directory and installs
//! twisted from PyPI the first time. It is skipped, loudly, only when that
//! install cannot reach PyPI.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use spindle::{
    JsonObserver, LogLevel, LogSource, Logger, Observer, TextObserver, emit,
    events_from_json_log_file, failure, info,
};

/// A Python with twisted, or why there is none.
fn twisted_python() -> Result<PathBuf, String> {
    if let Some(python) = std::env::var_os("SPINDLE_TWISTED_PYTHON") {
        return Ok(PathBuf::from(python));
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let venv = target.join("twisted-venv");
    let python = venv.join("bin/python");
    let has_twisted = |p: &Path| {
        Command::new(p)
            .args(["-c", "import twisted.logger"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has_twisted(&python) {
        return Ok(python);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| format!("python3 -m venv: {e}"))?;
    if !made.status.success() {
        return Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&made.stderr)
        ));
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "twisted",
        ])
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.status.success() {
        return Err(format!(
            "pip install twisted failed (is PyPI reachable?):\n{}",
            String::from_utf8_lossy(&pip.stderr)
        ));
    }
    if has_twisted(&python) {
        Ok(python)
    } else {
        Err("twisted installed but does not import".to_string())
    }
}

fn run(python: &Path, script: &str, args: &[&Path]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/twisted")
        .join(script);
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Text log records: a first line and the lines after it that start with a
/// tab. For comparison, a failure's record keeps only its first line and
/// its `File` lines (twisted also prints source lines and the exception's
/// value, which a file cannot carry).
fn records(text: &str) -> Vec<String> {
    let mut records: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        match records.last_mut() {
            Some(record) if line.starts_with('\t') => record.push(line),
            _ => records.push(vec![line]),
        }
    }
    records
        .into_iter()
        .map(|lines| {
            if lines
                .iter()
                .any(|l| l.starts_with("\tTraceback (most recent call last):"))
            {
                let kept: Vec<&str> = std::iter::once(lines[0])
                    .chain(lines.iter().copied().filter(|l| l.starts_with("\t  File ")))
                    .collect();
                kept.join("\n")
            } else {
                lines.join("\n")
            }
        })
        .collect()
}

#[derive(LogSource)]
struct Worker {
    a: u32,
    name: &'static str,
}

struct Request {
    uri: &'static str,
    status: u16,
}

impl Request {
    fn summary(&self) -> String {
        format!("GET {} -> {}", self.uri, self.status)
    }
}

#[derive(Debug)]
struct MathError;

impl std::fmt::Display for MathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}

impl std::error::Error for MathError {}

/// Logs the same kinds of events as `write_events.py`, through the macros.
fn log_with_spindle(log: &Logger) {
    let req = Request {
        uri: "/index",
        status: 200,
    };
    let worker = Worker {
        a: 3,
        name: "wörker",
    };
    info!(logger: log, "plain text");
    info!(logger: log, "n={n:03} f={f:.2} w=[{w:>6}] [{w:<6}] hex={h:x}", n = 7, f = 2.0 / 3.0, w = "ab", h = 255);
    info!(logger: log, "repr {s!r} str {s!s}", s = "x\ny");
    info!(logger: log, "{req.uri} answered {req.status}: {req.summary()}", req);
    info!(logger: log, "items {items[1]} and {m[k]}", items = vec![10, 20], m = std::collections::HashMap::from([("k", "v")]));
    info!(logger: log, "unicode: {u} ✓", u = "日本語 ünïcödé");
    info!(logger: log, "multi\nline {x}\nthird", x = "val");
    info!(logger: log, "{{literal braces}} {a} and {a} again {a!r}", a = "rep");
    for level in [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warn,
        LogLevel::Error,
        LogLevel::Critical,
    ] {
        emit!(level, logger: log, "at level {lv}", lv = %level);
    }
    info!(logger: &log.clone().with_system("my-system"), "custom system");
    info!(logger: log, source: &worker, "source a={log_source.a} name={log_source.name!r}");
    info!(logger: log, "nan {x} inf {y}", x = f64::NAN, y = f64::INFINITY);
    failure!(logger: log, "Math is hard!", MathError);
}

#[test]
fn spindle_and_twisted_read_each_others_files_and_print_the_same_text() {
    let python = match twisted_python() {
        Ok(p) => p,
        Err(why) => {
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
            );
            eprintln!("!!! SKIPPED: the twisted interop test needs twisted from PyPI: {why}");
            eprintln!(
                "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            return;
        }
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/twisted-interop");
    std::fs::create_dir_all(&dir).unwrap();
    // Both sides print local time from the same TZ / localtime.

    // (a) twisted writes; spindle reads the JSON and prints the same text.
    let (tw_json, tw_text) = (dir.join("twisted.json"), dir.join("twisted.txt"));
    run(&python, "write_events.py", &[&tw_json, &tw_text]);
    let file = std::fs::File::open(&tw_json).unwrap();
    let mut reader = events_from_json_log_file(file).report_errors(false);
    let text = TextObserver::new(Vec::new());
    let mut count = 0;
    for event in reader.by_ref() {
        text.observe(&spindle::Event::from_owned(&event));
        count += 1;
    }
    assert!(reader.errors().is_empty(), "{:?}", reader.errors());
    let ours = String::from_utf8(text.into_inner()).unwrap();
    let theirs = std::fs::read_to_string(&tw_text).unwrap();
    assert_eq!(count, 17);
    assert_eq!(
        records(&ours),
        records(&theirs),
        "spindle's reading of twisted's JSON\n{ours}\n---\n{theirs}"
    );

    // (b) spindle writes; twisted reads the JSON and prints what spindle printed.
    let (sp_json, sp_text, tw_reread) = (
        dir.join("spindle.json"),
        dir.join("spindle.txt"),
        dir.join("spindle-read-by-twisted.txt"),
    );
    let json = Arc::new(JsonObserver::new(std::fs::File::create(&sp_json).unwrap()));
    let text = Arc::new(TextObserver::new(std::fs::File::create(&sp_text).unwrap()));
    let publisher = Arc::new(spindle::LogPublisher::new());
    publisher.add_observer(json.clone());
    publisher.add_observer(text.clone());
    let log = Logger::new("app.web").with_observer(publisher);
    log_with_spindle(&log);
    run(&python, "read_events.py", &[&sp_json, &tw_reread]);
    let ours = std::fs::read_to_string(&sp_text).unwrap();
    let theirs = std::fs::read_to_string(&tw_reread).unwrap();
    assert_eq!(records(&ours).len(), 17);
    assert_eq!(
        records(&ours),
        records(&theirs),
        "twisted's reading of spindle's JSON\n{ours}\n---\n{theirs}"
    );
}
