//! The `spindle` command-line tool, run as a process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use spindle::{Event, JsonObserver, LogLevel, Observer, OwnedEvent};

fn spindle(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn event(level: LogLevel, ns: &str, text: &str, time: f64) -> OwnedEvent {
    let mut e = OwnedEvent::new(level, ns, text);
    e.time = Some(time);
    e
}

fn sample_file(dir: &std::path::Path) -> std::path::PathBuf {
    let json = JsonObserver::new(Vec::new());
    for e in [
        event(LogLevel::Debug, "app::db", "query", 1000.0),
        event(LogLevel::Info, "app::web", "request", 2000.0),
        event(LogLevel::Error, "app::dbx", "not db", 3000.0),
        event(LogLevel::Critical, "app::db::pool", "pool gone", 4000.0),
    ] {
        json.observe(&Event::from_owned(&e));
    }
    let mut bytes = json.into_inner();
    bytes.extend_from_slice(b"\x1e{broken\n");
    let path = dir.join("sample.json");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn cat_filters_renders_and_reports() {
    let dir = std::env::temp_dir().join(format!("spindle-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = sample_file(&dir);
    let file = file.to_str().unwrap();

    let all = spindle(&["cat", file], b"");
    assert!(all.status.success(), "{}", stderr(&all));
    let lines: Vec<String> = stdout(&all)
        .lines()
        .map(|l| l.split_once(' ').unwrap().1.to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "[app::db#debug] query",
            "[app::web#info] request",
            "[app::dbx#error] not db",
            "[app::db::pool#critical] pool gone"
        ]
    );
    assert!(
        stdout(&all).starts_with("1970-01-01T00:16:40+0000 [app::db#debug] query\n"),
        "{}",
        stdout(&all)
    );
    assert!(
        stderr(&all).contains("1 malformed record(s) skipped; the first: record 5 at byte"),
        "{}",
        stderr(&all)
    );

    let filtered = spindle(
        &["cat", "--level", "INFO", "--namespace", "app::db", file],
        b"",
    );
    assert_eq!(stdout(&filtered).lines().count(), 1);
    assert!(stdout(&filtered).contains("pool gone"));

    let window = spindle(
        &[
            "cat",
            "--since",
            "1970-01-01T00:33:20+00:00",
            "--until",
            "4000",
            file,
        ],
        b"",
    );
    assert_eq!(
        stdout(&window)
            .lines()
            .map(|l| l.rsplit(' ').next().unwrap())
            .collect::<Vec<_>>(),
        ["request", "db"]
    );

    // --json re-emits records that read back the same; - reads stdin
    let json = spindle(&["cat", "--json", "--level", "error", file], b"");
    let again = spindle(&["cat", "-"], &json.stdout);
    assert!(again.status.success());
    assert_eq!(stdout(&again).lines().count(), 2);
    assert!(stderr(&again).is_empty(), "{}", stderr(&again));

    // twisted's JSON Lines (no RS) with its spaced layout
    let twisted = br#"{"log_level": {"name": "warn", "__class_uuid__": "02e59486-f24d-46ad-8224-3acdf2a5732a"}, "log_namespace": "tw.app", "log_format": "x={x!r}", "log_time": 0.0, "log_flattened": {"x!r:": "'y'", "x!:": "y"}}"#;
    let tw = spindle(&["cat", "-"], twisted);
    assert_eq!(
        stdout(&tw),
        "1970-01-01T00:00:00+0000 [tw.app#warn] x='y'\n"
    );

    // errors: unreadable file (exit 1, others still read), usage (exit 2)
    let missing = spindle(&["cat", "/no/such/file.json", file], b"");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("spindle: cannot read /no/such/file.json: "),
        "{}",
        stderr(&missing)
    );
    assert_eq!(stdout(&missing).lines().count(), 4);
    for bad in [
        &["cat", "--level", "loud", file][..],
        &["cat"],
        &["dog", file],
        &["cat", "--since", "yesterday", file],
        &["cat", "--bogus", file],
    ] {
        let out = spindle(bad, b"");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&out).contains("usage: spindle cat"), "{bad:?}");
    }
    assert!(spindle(&["--help"], b"").status.success());
    assert!(
        spindle(&["cat", "--level", "loud", file], b"")
            .stderr
            .starts_with(b"spindle: --level: unknown log level `loud`")
    );
}
