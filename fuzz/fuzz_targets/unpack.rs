//! Packed records read back from any words: never a panic, and the two
//! ways of reading (kept, and live borrowing the record; for a kept event's
//! record, into a new event and into the reused one) agree on what they
//! read and on its text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logcore::{Callsite, CallsiteId, Event, FieldValue, LiveParts, LogLevel, Piece, Unpacker};

static SITE: Callsite = Callsite {
    format: "{a} and {b:>4} then {c}",
    pieces: &[
        Piece::Field("a!s:", "a!:"),
        Piece::Literal(" and "),
        Piece::Field("b!s:>4", "b!:>4"),
        Piece::Literal(" then "),
        Piece::Field("c!s:", "c!:"),
    ],
    names: &["a", "c"],
    module_path: "fuzz",
    file: "unpack.rs",
    line: 1,
    calls: false,
    bare: &[0, u8::MAX, 1],
    escape_free: true,
    id: CallsiteId::new(),
    interest: logcore::Interest::new(),
};

/// Packs one event of `SITE`, so that it has a number.
fn site_id() -> u64 {
    if let Some(id) = SITE.id.get() {
        return u64::from(id);
    }
    let (a, c) = ("x", 2u8);
    let values = [FieldValue::of(&a), FieldValue::of(&c)];
    let show_a = logcore::ShowValue(&a);
    let show_b = |s: &mut dyn logcore::Sink| s.put(format_args!("{:>4}", 1), Some(&1));
    let show_c = logcore::ShowValue(&c);
    let placeholders: [&logcore::Placeholder<'_>; 3] = [&show_a, &show_b, &show_c];
    let pack = |namespace: &str, logger: Option<&logcore::Logger>| {
        let event = Event::live(LiveParts {
            level: LogLevel::Info,
            callsite: &SITE,
            namespace,
            values: &values,
            placeholders: &placeholders,
            source: None,
            failure: None,
            logger,
        });
        assert!(logcore::pack(&event, &mut Vec::new()));
    };
    pack("fuzz", None);
    // and a logger's, so that a namespace number is known too
    let logger = logcore::Logger::new("fuzz::numbered");
    pack(logger.namespace(), Some(&logger));
    u64::from(SITE.id.get().expect("numbered"))
}

fuzz_target!(|data: &[u8]| {
    let id = site_id();
    let mut words: Vec<u64> = data
        .chunks(8)
        .map(|c| {
            let mut w = [0; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect();
    // mostly our call site, or a kept event's record (number 0), so that
    // reading gets past the first word
    if let Some(first) = words.first_mut()
        && *first & 0x8000_0000 == 0
    {
        let number = if *first & 0x4000_0000 == 0 { id } else { 0 };
        *first = *first & !0xffff_ffff | number;
    }
    let mut unpacker = Unpacker::new();
    let kept = unpacker.unpack(&words);
    let mut live = None;
    let read = unpacker.unpack_with(&words, &mut |e| {
        live = Some((e.to_owned_event(), logcore::format_event(e)))
    });
    match (kept, read) {
        (Ok(mut kept), Ok(())) => {
            let (mut live, text) = live.expect("handed over");
            assert_eq!(text, logcore::format_event(&kept));
            (kept.time, live.time) = (None, None);
            // (as text: a NaN is not equal to itself)
            assert_eq!(format!("{live:?}"), format!("{kept:?}"));
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (kept, read) => panic!("the two ways disagree: {kept:?} / {read:?}"),
    }
});
