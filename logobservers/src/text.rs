use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};

use logcore::{Event, LogLevel, Observer, write_system_id};
use logformat::line_escape_start;

use crate::record_writer::RecordWriter;
use crate::scan::any_byte;

/// Writes each event as one text line in twisted's layout
/// (`<time> [<system>] <text>`, continuation lines and tracebacks indented
/// with a tab), to any `Write`: a file, stderr, a buffer.
///
/// Control characters in the text other than newline and tab (`\r`, ANSI
/// escapes, `\x1e`…) are written as escapes (`\r`, `\x1b`), so no value can
/// forge a log line or rewrite the terminal (CWE-117); every newline is
/// followed by a tab, so a forged line never starts like a record.
///
/// ```
/// use logobservers::TextObserver;
/// use logcore::{Event, LogLevel, Observer, OwnedEvent};
///
/// let observer = TextObserver::new(Vec::new()).with_time_format(None);
/// let event = OwnedEvent::new(LogLevel::Warn, "app::web", "two\nlines, one \r sneaky");
/// observer.observe(&Event::from_owned(&event));
/// let out = String::from_utf8(observer.into_inner()).unwrap();
/// assert_eq!(out, "- [app::web#warn] two\n\tlines, one \\r sneaky\n");
/// ```
pub struct TextObserver<W: Write + Send> {
    out: RecordWriter<W>,
    time: TimeLayout,
    colour: bool,
}

/// How a line shows the event's time, decided once, not per line.
#[derive(Debug)]
enum TimeLayout {
    /// `-`: the clock is not read.
    Dash,
    /// twisted's layout, formatted once a second (`logcore::write_time`).
    Twisted,
    /// Another `strftime` layout, formatted for every line; whether it
    /// shows the offset from UTC or a timestamp (see [`needs_offset`]).
    Custom(String, bool),
}

impl<W: Write + Send> std::fmt::Debug for TextObserver<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextObserver")
            .field("time", &self.time)
            .field("colour", &self.colour)
            .finish_non_exhaustive()
    }
}

/// The time layout twisted uses: `2026-11-23T05:52:21+0000`.
pub const TWISTED_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%z";

impl<W: Write + Send> TextObserver<W> {
    /// An observer writing to `writer`, with twisted's time format, no
    /// colour, flushing after each event.
    pub fn new(writer: W) -> Self {
        TextObserver {
            out: RecordWriter::new(writer, "text observer"),
            time: TimeLayout::Twisted,
            colour: false,
        }
    }

    /// Sets the time format (chrono's `strftime` syntax, local time); `None`
    /// writes `-` for every time. A format that shows the offset from UTC
    /// or the zone (`%z`, `%Z`, `%:z`, `%+`…) or a timestamp (`%s`) costs
    /// chrono an allocation a line; others are written without one.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, Observer, OwnedEvent};
    /// let observer = logobservers::TextObserver::new(Vec::new())
    ///     .with_time_format(Some("%H:%M:%S%.3f"));
    /// observer.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "up")));
    /// let line = String::from_utf8(observer.into_inner()).unwrap();
    /// assert_eq!(line.find(" [app#info] up\n"), Some("12:34:56.789".len()));
    /// ```
    pub fn with_time_format(mut self, format: Option<&str>) -> Self {
        self.time = match format {
            None => TimeLayout::Dash,
            Some(TWISTED_TIME_FORMAT) => TimeLayout::Twisted,
            Some(format) => TimeLayout::Custom(format.to_string(), needs_offset(format)),
        };
        self
    }

    /// Colours the `[system]` part by level with ANSI escapes.
    pub fn with_colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }

    /// Whether to flush the writer after every event (default `true`). Turn
    /// it off for a `BufWriter` you flush yourself, or on shutdown through
    /// [`Observer::flush`].
    pub fn with_flush_each(mut self, flush: bool) -> Self {
        self.out.set_flush_each(flush);
        self
    }

    /// With [`with_flush_each(false)`](Self::with_flush_each), keeps each
    /// thread's lines in a buffer of its own and writes them `bytes` at a
    /// time, so that threads logging at once do not take turns at one
    /// buffer (its cache lines moving between cores for every line). Each
    /// thread's lines keep their order; lines of different threads
    /// interleave by batches instead of one by one. Every thread's batch is
    /// written whenever one is full, on [`Observer::flush`], and when the
    /// observer is dropped or taken apart. 0 (the default) writes each line
    /// at once.
    ///
    /// ```
    /// use logcore::{Event, LogLevel, Observer, OwnedEvent};
    /// use logobservers::TextObserver;
    /// let observer = TextObserver::new(Vec::new())
    ///     .with_time_format(None)
    ///     .with_flush_each(false)
    ///     .with_thread_batches(8 * 1024);
    /// observer.observe(&Event::from_owned(&OwnedEvent::new(LogLevel::Info, "app", "kept back")));
    /// let lines = observer.into_inner(); // writes the batches
    /// assert_eq!(String::from_utf8(lines).unwrap(), "- [app#info] kept back\n");
    /// ```
    pub fn with_thread_batches(mut self, bytes: usize) -> Self {
        self.out.set_thread_batches(bytes);
        self
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out.into_inner()
    }

    /// Appends the line for `event` (with its final newline) to `out`;
    /// nothing for an event with no text.
    pub fn format_line(&self, event: &Event<'_>, out: &mut String) {
        let traceback = event.failure().map(|f| f.traceback());
        let line_start = out.len();
        match &self.time {
            TimeLayout::Dash => out.push('-'),
            TimeLayout::Twisted => logcore::write_time(event.time(), out),
            TimeLayout::Custom(format, offset) => match event.time() {
                Some(time) => write_time_as(time, format, *offset, out),
                None => out.push('-'),
            },
        }
        out.push(' ');
        let (start, end) = match (self.colour, event.level()) {
            (true, Some(level)) => (colour_of(level), "\x1b[0m"),
            _ => ("", ""),
        };
        out.push_str(start);
        out.push('[');
        let system_start = out.len();
        write_system_id(event, out);
        // (`namespace#level`, with a namespace known to need no escaping,
        // is not looked at again)
        let known = event.system().is_none() && event.namespace_escape_free();
        if !known && any_byte(&out.as_bytes()[system_start..], line_escape_start) {
            escape_tail(out, system_start);
        }
        out.push(']');
        out.push_str(end);
        out.push(' ');
        let text_start = out.len();
        event.write_text(out);
        if out.len() == text_start && traceback.is_none() {
            // no text: no line
            return out.truncate(line_start);
        }
        if any_byte(&out.as_bytes()[text_start..], line_escape_start) {
            escape_tail(out, text_start);
        }
        if let Some(traceback) = traceback {
            out.push_str("\n\t");
            escape_into(&traceback, out);
        }
        out.push('\n');
    }
}

/// Appends local time in `format`; `-` for a time chrono cannot show.
/// Only a format that shows the offset from UTC or a timestamp
/// (`offset`) is given it, which costs chrono an allocation.
fn write_time_as(time: f64, format: &str, offset: bool, out: &mut String) {
    let secs = time.floor();
    let utc = (time.is_finite() && (-1e15..1e15).contains(&secs))
        .then(|| {
            let nanos = ((time - secs) * 1e9) as u32;
            chrono::DateTime::from_timestamp(secs as i64, nanos.min(999_999_999))
        })
        .flatten();
    let start = out.len();
    // (`write_to`, not `Display`, which formats into a string of its own)
    let written = utc.is_some_and(|utc| {
        let local = utc.with_timezone(&chrono::Local);
        if offset {
            local.format(format).write_to(out).is_ok()
        } else {
            local.naive_local().format(format).write_to(out).is_ok()
        }
    });
    if !written {
        out.truncate(start);
        out.push('-');
    }
}

/// Whether a `strftime` format shows something of the time that the local
/// date and time alone do not give: the offset from UTC, the zone's name,
/// or a Unix timestamp (anything but the items known not to).
fn needs_offset(format: &str) -> bool {
    use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
    StrftimeItems::new(format).any(|item| match item {
        Item::Numeric(Numeric::Timestamp, _) => true,
        Item::Fixed(fixed) => !matches!(
            fixed,
            Fixed::ShortMonthName
                | Fixed::LongMonthName
                | Fixed::ShortWeekdayName
                | Fixed::LongWeekdayName
                | Fixed::LowerAmPm
                | Fixed::UpperAmPm
                | Fixed::Nanosecond
                | Fixed::Nanosecond3
                | Fixed::Nanosecond6
                | Fixed::Nanosecond9
        ),
        _ => false,
    })
}

fn colour_of(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "\x1b[2m",
        LogLevel::Debug => "\x1b[34m",
        LogLevel::Info => "\x1b[32m",
        LogLevel::Warn => "\x1b[33m",
        LogLevel::Error => "\x1b[31m",
        LogLevel::Critical => "\x1b[1;31m",
    }
}

/// Escapes `out[start..]` in place, as [`escape_into`] copies, through a
/// string the thread keeps for it (so nothing is allocated once it has
/// grown to fit).
fn escape_tail(out: &mut String, start: usize) {
    thread_local! {
        static RAW: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let escaped = RAW.try_with(|raw| {
        let raw = &mut *raw.borrow_mut();
        raw.clear();
        raw.push_str(&out[start..]);
        out.truncate(start);
        escape_into(raw, out);
        if raw.capacity() > 64 * 1024 {
            *raw = String::new();
        }
    });
    if escaped.is_err() {
        // (the thread is ending)
        let raw = out.split_off(start);
        escape_into(&raw, out);
    }
}

/// Copies `text`, turning every newline into newline + tab and every other
/// control character into an escape.
fn escape_into(text: &str, out: &mut String) {
    // Most text has no control character but newline: copy it in runs.
    // (C1 controls, U+0080..U+009F, are 0xC2 0x80..0x9F in UTF-8.)
    if !any_byte(text.as_bytes(), line_escape_start) {
        out.push_str(text);
        return;
    }
    if !text.contains(|c: char| c.is_control() && c != '\n' && c != '\t') {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("\n\t");
            }
            out.push_str(part);
        }
        return;
    }
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\n\t"),
            '\t' => out.push('\t'),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

impl TextObserver<io::Stderr> {
    /// An observer writing to stderr, coloured when stderr is a terminal and
    /// `NO_COLOR` is not set.
    pub fn stderr() -> Self {
        let colour =
            io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        TextObserver::new(io::stderr()).with_colour(colour)
    }
}

impl<W: Write + Send> Observer for TextObserver<W> {
    fn observe(&self, event: &Event<'_>) {
        // The line is built outside the lock (a value's Display may log).
        self.out.write(|line| self.format_line(event, line));
    }

    fn flush(&self) {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::escape_into;

    /// A logger's namespace said to need no escaping (and so not looked
    /// at again in a line) holds no byte a line escapes.
    #[test]
    fn a_namespace_known_to_need_no_escaping_holds_nothing_a_line_escapes() {
        use logcore::{Callsite, Event, LiveParts, LogLevel, Logger, Piece};
        static SITE: Callsite = crate::test_support::site("hi", &[Piece::Literal("hi")], &[], &[]);
        let known = |namespace: String| {
            let logger = Logger::new(namespace);
            let event = Event::live(LiveParts {
                level: LogLevel::Info,
                callsite: &SITE,
                namespace: logger.namespace(),
                values: &[],
                placeholders: &[],
                source: None,
                failure: None,
                logger: Some(&logger),
            });
            event.namespace_escape_free()
        };
        assert!(known("app::db".to_string()), "a plain namespace is known");
        let mut escaped = 0;
        for c in (0..=0xff).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            if c.encode_utf8(&mut utf8).bytes().any(line_escape_start) {
                escaped += 1;
                assert!(!known(format!("app{c}db")), "{c:?}");
            }
        }
        // the controls, DEL, and what starts with 0xC2 (C1 controls too)
        assert_eq!(escaped, 31 + 1 + 64);
    }

    #[test]
    fn a_control_character_is_escaped_wherever_it_stands() {
        let cases = [
            ('\u{1}', "\\x01"),
            ('\u{7f}', "\\x7f"),
            ('\u{85}', "\\x85"),
            ('\r', "\\r"),
            ('\n', "\n\t"),
        ];
        crate::scan::assert_escapes_everywhere("a", &cases, escape_into);
        let mut out = String::new();
        escape_into("tab\tand é ok", &mut out);
        assert_eq!(out, "tab\tand é ok");
    }

    use logcore::{Failure, LogPublisher, OwnedEvent};

    use super::*;

    fn line(observer: &TextObserver<Vec<u8>>, event: &OwnedEvent) -> String {
        let mut out = String::new();
        observer.format_line(&Event::from_owned(event), &mut out);
        out
    }

    #[test]
    fn twisted_layout_escapes_and_colour() {
        let plain = TextObserver::new(Vec::new());
        let mut event = OwnedEvent::new(
            LogLevel::Info,
            "app::web",
            "a\nb\tc \x1b[31mred\x1e end\u{85}",
        );
        event.time = Some(0.0);
        let got = line(&plain, &event);
        let time = logcore::format_time(Some(0.0));
        assert_eq!(
            got,
            format!("{time} [app::web#info] a\n\tb\tc \\x1b[31mred\\x1e end\\x85\n")
        );
        // a C1 control alone takes the careful path too
        event.format = Some("x\u{9b}y £".into());
        assert_eq!(
            line(&plain, &event),
            format!("{time} [app::web#info] x\\x9by £\n")
        );
        // an event with no text writes nothing
        event.format = Some("".into());
        assert_eq!(line(&plain, &event), "");
        // colour wraps the system
        let coloured = TextObserver::new(Vec::new())
            .with_time_format(None)
            .with_colour(true);
        event.format = Some("x".into());
        assert_eq!(
            line(&coloured, &event),
            "- \x1b[32m[app::web#info]\x1b[0m x\n"
        );
        // a custom time format
        let custom = TextObserver::new(Vec::new()).with_time_format(Some("%Y"));
        assert!(
            line(&custom, &event).starts_with("1970 [")
                || line(&custom, &event).starts_with("1969 [")
        );
        // a format without the offset is written from the local time
        // alone, the same as from the time with its offset
        let time = 1_796_659_979.123_456;
        for format in ["%Y-%m-%d %H:%M:%S%.6f", "%a %b %e %T %p %A %B", "%c", "%Q"] {
            assert!(!needs_offset(format), "{format}");
            let (mut naive, mut full) = (String::from(">"), String::from(">"));
            write_time_as(time, format, false, &mut naive);
            write_time_as(time, format, true, &mut full);
            assert_eq!(naive, full, "{format}");
        }
        for format in ["%z", "%Z", "%:z", "%+", "%s", "%H %#z"] {
            assert!(needs_offset(format), "{format}");
        }
        let mut out = String::from(">");
        write_time_as(time, "%Q", true, &mut out);
        assert_eq!(out, ">-", "a format chrono refuses");
        // a forged system cannot break out either
        event.system = Some("a]\n[b".into());
        assert_eq!(line(&coloured, &event.clone()).matches('\n').count(), 2);
    }

    #[test]
    fn failures_are_indented_under_the_line() {
        let observer = TextObserver::new(Vec::new()).with_time_format(None);
        let mut event = OwnedEvent::new(LogLevel::Critical, "app", "Math is hard!");
        event.failure = Some(Failure::from_stored(
            "app::MathError",
            "oops",
            vec!["inner".into()],
            vec![],
        ));
        assert_eq!(
            line(&observer, &event),
            "- [app#critical] Math is hard!\n\tTraceback (most recent call last):\n\tapp::MathError: oops\n\tCaused by: inner\n\t\n"
        );
    }

    #[test]
    fn write_errors_are_reported_once_per_burst() {
        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            return;
        };
        let publisher = LogPublisher::new();
        publisher.add_observer(TextObserver::new(full));
        let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = reports.clone();
        publisher.add_observer(move |e: &Event<'_>| {
            if e.namespace() == Some("spindle::publisher") {
                sink.lock().unwrap().push(e.text().into_owned());
            }
        });
        for _ in 0..5 {
            publisher.publish(&Event::from_owned(&OwnedEvent::new(
                LogLevel::Info,
                "app",
                "x",
            )));
        }
        let reports = reports.lock().unwrap();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(
            reports[0].contains("text observer could not write"),
            "{}",
            reports[0]
        );
    }
}
