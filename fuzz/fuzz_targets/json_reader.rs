//! The JSON log reader on any bytes: it skips what it cannot read, and what
//! it reads renders and writes back without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = logobservers::events_from_json_log_file(data).report_errors(false);
    for event in reader.by_ref() {
        let _ = logcore::format_event(&event);
        let mut out = String::new();
        logobservers::event_as_json(&event, &mut out);
        let again = logobservers::event_from_json(&out).expect("what we write, we read");
        assert_eq!(logcore::format_event(&again), logcore::format_event(&event));
    }
});
