use std::io::{self, Write};

use logcore::{Event, LogLevel, Logger, OwnedEvent, OwnedValue};

/// An `io::Write` that logs each line written to it as an event (twisted's
/// `LoggingFile`), with the line in the field `log_io` and the format
/// `{log_io}`: for a child process's output, or a library that only prints.
/// An unterminated last line is logged when the writer is flushed by drop.
///
/// ```
/// use std::io::Write;
/// use logobservers::LineWriter;
/// use logcore::{captured_logs, format_event, LogLevel, Logger};
///
/// let events = captured_logs(|| {
///     let mut out = LineWriter::new(Logger::new("child"), LogLevel::Warn);
///     out.write_all(b"one\ntw").unwrap();
///     out.write_all(b"o\nunfinished").unwrap();
/// });
/// let texts: Vec<String> = events.iter().map(format_event).collect();
/// assert_eq!(texts, ["one", "two", "unfinished"]);
/// assert_eq!(events[0].level, Some(LogLevel::Warn));
/// assert_eq!(events[0].namespace.as_deref(), Some("child"));
/// ```
#[derive(Debug)]
pub struct LineWriter {
    logger: Logger,
    level: LogLevel,
    buffer: Vec<u8>,
}

impl LineWriter {
    /// Logs each line through `logger` at `level`.
    pub fn new(logger: Logger, level: LogLevel) -> Self {
        LineWriter {
            logger,
            level,
            buffer: Vec::new(),
        }
    }

    fn emit(&self, line: &[u8]) {
        if !self.logger.enabled(self.level) {
            return;
        }
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned();
        let mut event = OwnedEvent::new(self.level, self.logger.namespace(), "{log_io}");
        event.system = self.logger.system().map(str::to_string);
        event
            .fields
            .push(("log_io".into(), OwnedValue::Str(line.clone())));
        event.fields.extend(
            self.logger
                .bound()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        event
            .flattened
            .push(("log_io!s:".into(), OwnedValue::Str(line.clone())));
        event
            .flattened
            .push(("log_io!:".into(), OwnedValue::Str(line)));
        self.logger.publish(&Event::from_owned(&event));
    }
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if let Some(last) = self.buffer.iter().rposition(|&b| b == b'\n') {
            let rest = self.buffer.split_off(last + 1);
            let complete = std::mem::replace(&mut self.buffer, rest);
            for line in complete[..complete.len() - 1].split(|&b| b == b'\n') {
                self.emit(line);
            }
        }
        Ok(buf.len())
    }

    /// Lines are logged as they complete; an unfinished line waits for its
    /// newline (or for the writer to be dropped).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if !self.buffer.is_empty() {
            let rest = std::mem::take(&mut self.buffer);
            self.emit(&rest);
        }
    }
}
