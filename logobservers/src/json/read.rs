use std::fmt;
use std::io::{BufRead, BufReader, Read};

use logcore::{Event, LogLevel, OwnedEvent, global_publisher};

use super::RS;
use super::names::LastNames;
use super::parse::record_from_json;
use super::shape::Shapes;

/// A record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record's number in the file, from 1.
    pub record: usize,
    /// The byte offset where the record starts.
    pub offset: u64,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} at byte {}: {}",
            self.record, self.offset, self.reason
        )
    }
}

impl std::error::Error for RecordError {}

/// Reads events from a JSON log (spindle's or twisted's): the framing is
/// found from the first byte (`0x1e`: RFC 7464 records, which must end in
/// `\n`; anything else: JSON Lines). Accepts twisted's `NaN` / `Infinity`
/// tokens and `\uXXXX` escapes (`docs/observers.md` says how it reads
/// what the JSON standard leaves open). A record that cannot be read (bad UTF-8, bad
/// JSON, truncated, an unknown `__class_uuid__`) is skipped, kept in
/// [`JsonLogReader::errors`] and reported as an error event to the global
/// publisher; reading goes on.
///
/// ```
/// let file = b"\x1e{\"log_format\":\"hi {n}\",\"n\":1}\n\x1e{broken\n\x1e{\"log_format\":\"bye\"}\n";
/// let mut reader = logobservers::events_from_json_log_file(&file[..]).report_errors(false);
/// let texts: Vec<String> = reader.by_ref().map(|e| logcore::format_event(&e)).collect();
/// assert_eq!(texts, ["hi 1", "bye"]);
/// assert_eq!(reader.errors().len(), 1);
/// ```
pub fn events_from_json_log_file<R: Read>(reader: R) -> JsonLogReader<R> {
    JsonLogReader {
        // Big enough that few records straddle two fills (those are
        // copied out; the others are read in place).
        reader: BufReader::with_capacity(64 * 1024, reader),
        framing: None,
        offset: 0,
        record: 0,
        errors: Vec::new(),
        report: true,
        done: false,
        buf: Vec::new(),
        names: LastNames::new(),
        shapes: Shapes::default(),
    }
}

/// The iterator [`events_from_json_log_file`] returns.
#[derive(Debug)]
pub struct JsonLogReader<R> {
    reader: BufReader<R>,
    framing: Option<u8>,
    offset: u64,
    record: usize,
    errors: Vec<RecordError>,
    report: bool,
    done: bool,
    /// The record being read, when it straddles two fills of `reader`.
    buf: Vec<u8>,
    /// The last record's names.
    names: LastNames,
    /// The last records' shapes.
    pub(super) shapes: Shapes,
}

impl<R: Read> JsonLogReader<R> {
    /// Whether to report bad records as error events to the global
    /// publisher (default `true`); they are kept in [`Self::errors`] either way.
    pub fn report_errors(mut self, report: bool) -> Self {
        self.report = report;
        self
    }

    /// The records that could not be read so far.
    pub fn errors(&self) -> &[RecordError] {
        &self.errors
    }

    fn fail(&mut self, offset: u64, reason: String) {
        let error = RecordError {
            record: self.record,
            offset,
            reason,
        };
        if self.report {
            let event = OwnedEvent::new(
                LogLevel::Error,
                "spindle::json",
                "Unable to read JSON record {record}: {reason}",
            )
            .with_field("record", error.record)
            .with_field("offset", error.offset)
            .with_field("reason", error.reason.as_str());
            global_publisher().publish(&Event::from_owned(&event));
        }
        self.errors.push(error);
    }

    /// The framing, found from the first byte; `None` once the input is
    /// done (or empty).
    fn framing(&mut self) -> Option<u8> {
        if self.done {
            return None;
        }
        if let Some(f) = self.framing {
            return Some(f);
        }
        let first = match self.reader.fill_buf() {
            Ok([]) | Err(_) => {
                self.done = true;
                return None;
            }
            Ok(buf) => buf[0],
        };
        let f = if first == RS { RS } else { b'\n' };
        if f == RS {
            self.reader.consume(1);
            self.offset = 1;
        }
        self.framing = Some(f);
        Some(f)
    }

    /// Reads the next raw record into `self.buf`, without its separator
    /// (for a record not wholly in the reader's buffer).
    fn next_record(&mut self, framing: u8) -> Option<()> {
        let start = self.offset;
        self.buf.clear();
        match self.reader.read_until(framing, &mut self.buf) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(n) => {
                self.offset += n as u64;
                if self.buf.last() == Some(&framing) {
                    self.buf.pop();
                }
                Some(())
            }
            Err(e) => {
                self.done = true;
                self.record += 1;
                self.fail(start, format!("read error: {e}"));
                None
            }
        }
    }
}

/// What one record's bytes (without the separator after them) hold.
enum Record {
    /// Nothing: not counted as a record.
    Blank,
    /// An event (read into the event given).
    Event,
    Bad(String),
}

/// Reads a record (into `event`, if it holds one).
fn read_record(
    framing: u8,
    record: &[u8],
    names: &mut LastNames,
    shapes: &mut Shapes,
    event: &mut OwnedEvent,
) -> Record {
    if framing == RS {
        if record.is_empty() {
            return Record::Blank;
        }
        if record.last() != Some(&b'\n') {
            return Record::Bad("truncated record (no final newline)".to_string());
        }
    } else if record.iter().all(u8::is_ascii_whitespace) {
        return Record::Blank;
    }
    let end = record
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    // (simdutf8: many bytes at a time where the processor can, and the
    // same error as std's)
    let parsed = match simdutf8::compat::from_utf8(&record[..end]) {
        Ok(text) => record_from_json(text, names, shapes, event),
        Err(e) => Err(format!(
            "bad UTF-8 at byte {} of the record",
            e.valid_up_to()
        )),
    };
    match parsed {
        Ok(()) => Record::Event,
        Err(reason) => Record::Bad(reason),
    }
}

impl<R: Read> Iterator for JsonLogReader<R> {
    type Item = OwnedEvent;

    fn next(&mut self) -> Option<OwnedEvent> {
        let mut event = OwnedEvent::default();
        loop {
            let framing = self.framing()?;
            let start = self.offset;
            // Read in place when the record's end is in the buffer.
            let in_buffer = match self.reader.fill_buf() {
                Ok(buf) => memchr::memchr(framing, buf).map(|end| {
                    (
                        end,
                        read_record(
                            framing,
                            &buf[..end],
                            &mut self.names,
                            &mut self.shapes,
                            &mut event,
                        ),
                    )
                }),
                Err(_) => None,
            };
            let record = match in_buffer {
                Some((end, record)) => {
                    self.reader.consume(end + 1);
                    self.offset += end as u64 + 1;
                    record
                }
                None => {
                    self.next_record(framing)?;
                    read_record(
                        framing,
                        &self.buf,
                        &mut self.names,
                        &mut self.shapes,
                        &mut event,
                    )
                }
            };
            match record {
                Record::Blank => {}
                Record::Event => {
                    self.record += 1;
                    return Some(event);
                }
                Record::Bad(reason) => {
                    self.record += 1;
                    self.fail(start, reason);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let mut reader = events_from_json_log_file(bytes).report_errors(false);
        let texts = reader.by_ref().map(|e| logcore::format_event(&e)).collect();
        (
            texts,
            reader.errors().iter().map(|e| e.reason.clone()).collect(),
        )
    }

    #[test]
    fn framings_and_bad_records() {
        let rs = b"\x1e{\"log_format\":\"a\"}\n\x1e{\"log_format\":\"b\"}\n";
        assert_eq!(read(rs), (vec!["a".into(), "b".into()], vec![]));
        let lines = b"{\"log_format\":\"a\"}\n\n{\"log_format\":\"b\"}";
        assert_eq!(read(lines), (vec!["a".into(), "b".into()], vec![]));
        let truncated = b"\x1e{\"log_format\":\"a\"}\n\x1e{\"log_format\":\"b\"}";
        assert_eq!(
            read(truncated),
            (
                vec!["a".into()],
                vec!["truncated record (no final newline)".into()]
            )
        );
        let bad = b"\x1e\xff\xfe\n\x1e{\"log_format\":\"ok\"}\n\x1e[1]\n\x1e{\"x\":{\"__class_uuid__\":\"nope\"}}\n";
        let (texts, errors) = read(bad);
        assert_eq!(texts, ["ok"]);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0], "bad UTF-8 at byte 0 of the record");
        assert_eq!(
            errors[2],
            "unknown __class_uuid__ `nope` at line 1 column 6"
        );
        // Where the bad byte is, after two-byte characters, in a short
        // record and in a long one.
        for pad in [0, 100] {
            let mut bad = format!(r#"{{"a":"{}é"#, "x".repeat(pad)).into_bytes();
            let at = bad.len();
            bad.extend_from_slice(b"\xff\"}\n");
            assert_eq!(
                read(&bad).1,
                [format!("bad UTF-8 at byte {at} of the record")]
            );
        }
        assert_eq!(read(b""), (vec![], vec![]));
    }

    /// Hands out its bytes a few at a time, so that records straddle the
    /// reader's fills.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn records_read_the_same_in_place_or_across_fills() {
        let rs = b"\x1e{\"log_format\":\"a {x}\",\"x\":1}\n\x1e\x1e{bad\n\x1e{\"log_format\":\"b\"}\n\x1e{\"log_format\":\"c\"}";
        let lines = b"{\"log_format\":\"a {x}\",\"x\":1}\n \n{bad\n{\"log_format\":\"b\"}\n{\"log_format\":\"c\"}";
        for file in [&rs[..], &lines[..]] {
            let whole = read(file);
            for step in 1..12 {
                let mut reader =
                    events_from_json_log_file(Trickle(file, step)).report_errors(false);
                let texts: Vec<String> =
                    reader.by_ref().map(|e| logcore::format_event(&e)).collect();
                let errors: Vec<String> = reader.errors().iter().map(|e| format!("{e}")).collect();
                assert_eq!(texts, whole.0, "step {step}");
                let mut all = events_from_json_log_file(file).report_errors(false);
                all.by_ref().for_each(drop);
                let want: Vec<String> = all.errors().iter().map(|e| format!("{e}")).collect();
                assert_eq!(errors, want, "step {step}: same records, same offsets");
            }
        }
        assert_eq!(read(rs).0, ["a 1", "b"]);
        assert_eq!(read(rs).1.len(), 2, "{:?}", read(rs).1);
        assert_eq!(read(lines).0, ["a 1", "b", "c"]);
    }

    #[test]
    fn errors_are_reported_to_the_global_publisher() {
        let events = logcore::captured_logs(|| {
            let _ = events_from_json_log_file(&b"\x1e{oops\n"[..]).count();
        });
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].level, Some(LogLevel::Error));
        assert!(
            logcore::format_event(&events[0]).starts_with("Unable to read JSON record 1: bad JSON"),
            "{}",
            logcore::format_event(&events[0])
        );
    }
}
