//! `spindle`: the command-line tool for JSON logs (spindle's or twisted's).
//!
//! ```text
//! spindle cat [--level L] [--namespace NS] [--since TIME] [--until TIME] [--json] FILE…|-
//! ```

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use spindle::{
    Event, LogLevel, OwnedEvent, TextObserver, event_as_json, events_from_json_log_file,
};

const USAGE: &str = "\
usage: spindle cat [--level LEVEL] [--namespace NS] [--since TIME] [--until TIME] [--json] FILE...|-

Renders JSON logs (spindle's or twisted's, RS-framed or JSON Lines) as text
lines, or with --json re-emits the records that pass the filters.

  --level LEVEL     only events at LEVEL or above (trace, debug, info, warn, error, critical)
  --namespace NS    only events of NS and the namespaces below it (NS::x, NS.x)
  --since TIME      only events at or after TIME (RFC 3339, e.g. 2026-11-23T05:52:21+00:00, or Unix seconds)
  --until TIME      only events before TIME
  --json            write JSON records (RS-framed) instead of text
  -                 read standard input

Exit status: 0 when every file was read (malformed records are counted on
stderr), 1 when a file could not be read, 2 for a usage error.";

struct Options {
    level: Option<LogLevel>,
    namespace: Option<String>,
    since: Option<f64>,
    until: Option<f64>,
    json: bool,
    files: Vec<String>,
}

fn parse_time(text: &str) -> Result<f64, String> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Ok(seconds);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(t) = chrono::DateTime::parse_from_str(text, format) {
            return Ok(t.timestamp() as f64 + f64::from(t.timestamp_subsec_nanos()) / 1e9);
        }
    }
    Err(format!(
        "`{text}` is not a time: give RFC 3339 (2026-11-23T05:52:21+00:00) or Unix seconds"
    ))
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        Some("cat") => {}
        Some("-h" | "--help" | "help") => return Err(String::new()),
        Some(other) => return Err(format!("unknown command `{other}`")),
        None => return Err("a command is missing".to_string()),
    }
    let mut o = Options {
        level: None,
        namespace: None,
        since: None,
        until: None,
        json: false,
        files: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--level" => {
                o.level = Some(
                    value("--level")?
                        .parse()
                        .map_err(|e| format!("--level: {e}"))?,
                )
            }
            "--namespace" => o.namespace = Some(value("--namespace")?),
            "--since" => o.since = Some(parse_time(&value("--since")?)?),
            "--until" => o.until = Some(parse_time(&value("--until")?)?),
            "--json" => o.json = true,
            "-h" | "--help" => return Err(String::new()),
            "-" => o.files.push(arg.clone()),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            _ => o.files.push(arg.clone()),
        }
    }
    if o.files.is_empty() {
        return Err("no FILE given (use - for standard input)".to_string());
    }
    Ok(o)
}

fn in_namespace(namespace: Option<&str>, wanted: &str) -> bool {
    let Some(ns) = namespace else { return false };
    ns == wanted
        || ns
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with("::") || rest.starts_with('.'))
}

fn passes(o: &Options, e: &OwnedEvent) -> bool {
    o.level.is_none_or(|l| e.level.is_some_and(|el| el >= l))
        && o.namespace
            .as_deref()
            .is_none_or(|ns| in_namespace(e.namespace.as_deref(), ns))
        && o.since.is_none_or(|s| e.time.is_some_and(|t| t >= s))
        && o.until.is_none_or(|u| e.time.is_some_and(|t| t < u))
}

/// Writes the events of one input that pass the filters, and says on stderr
/// how many records were malformed.
fn cat(o: &Options, name: &str, input: impl Read, out: &mut impl Write) -> io::Result<()> {
    let mut reader = events_from_json_log_file(input).report_errors(false);
    let text = TextObserver::new(Vec::new());
    let mut line = String::new();
    for event in reader.by_ref() {
        if !passes(o, &event) {
            continue;
        }
        line.clear();
        if o.json {
            line.push('\x1e');
            event_as_json(&event, &mut line);
            line.push('\n');
        } else {
            text.format_line(&Event::from_owned(&event), &mut line);
        }
        out.write_all(line.as_bytes())?;
    }
    let errors = reader.errors();
    if let Some(first) = errors.first() {
        eprintln!(
            "spindle: {name}: {} malformed record(s) skipped; the first: {first}",
            errors.len()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(why) if why.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("spindle: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut status = ExitCode::SUCCESS;
    for name in &options.files {
        let result = if name == "-" {
            cat(&options, "<stdin>", io::stdin().lock(), &mut out)
        } else {
            match std::fs::File::open(name) {
                Ok(file) => cat(&options, name, file, &mut out),
                Err(e) => {
                    eprintln!("spindle: cannot read {name}: {e}");
                    status = ExitCode::from(1);
                    continue;
                }
            }
        };
        if let Err(e) = result.and_then(|()| out.flush()) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return status;
            }
            eprintln!("spindle: cannot write: {e}");
            return ExitCode::from(1);
        }
    }
    status
}
