//! The JSON log reader on any bytes: it skips what it cannot read, what it
//! reads renders and writes back without panicking, and (for JSON Lines)
//! each record reads as it does on its own: records read against the
//! shape of an earlier one must come out as if read whole.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = logobservers::events_from_json_log_file(data).report_errors(false);
    let events: Vec<_> = reader.by_ref().collect();
    for event in &events {
        let _ = logcore::format_event(event);
        let mut out = String::new();
        logobservers::event_as_json(event, &mut out);
        let again = logobservers::event_from_json(&out).expect("what we write, we read");
        assert_eq!(logcore::format_event(&again), logcore::format_event(event));
    }
    if data.first() == Some(&0x1e) {
        return;
    }
    // JSON Lines: each non-blank line is a record, without the whitespace
    // at its end.
    let (mut alone, mut errors) = (Vec::new(), Vec::new());
    let lines = data.split(|&b| b == b'\n');
    for (n, line) in lines.filter(|l| !l.iter().all(u8::is_ascii_whitespace)).enumerate() {
        let end = line.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        match std::str::from_utf8(&line[..end]) {
            Ok(text) => match logobservers::event_from_json(text) {
                Ok(event) => alone.push(event),
                Err(why) => errors.push((n + 1, why)),
            },
            Err(e) => errors.push((
                n + 1,
                format!("bad UTF-8 at byte {} of the record", e.valid_up_to()),
            )),
        }
    }
    let debug = |events: &[logcore::OwnedEvent]| events.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>();
    assert_eq!(debug(&events), debug(&alone));
    let read: Vec<_> = reader.errors().iter().map(|e| (e.record, e.reason.clone())).collect();
    assert_eq!(read, errors);
});
