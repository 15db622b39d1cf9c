//! Records of one call site at one level differ only in their values: the
//! keys, the field names, the level object, the format, the file and line
//! are the same text every time. Each thread keeps, per call site and
//! level, the text of one of its records around the values (a template),
//! made by the ordinary writer the first time, and writes later records by
//! copying that text and writing only the values between. A logger's fields
//! and system are values too: a template made from an event with either has
//! a hole for each (written as nothing for a logger without), and one made
//! without is made again for the call site's first event with them. So are
//! `log_flattened`'s entries when they are rendered (a placeholder that is
//! not a plain `{name}` of a string or an integer): an event fits if its
//! entries have the template's keys, one for one (a placeholder whose text
//! failed has no text entry).

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Arc, Weak};

use logcore::{Callsite, Event, FieldValue, LogLevel, OwnedValue, Scalar};

use super::write::{
    Hole, Holes, Optional, Second, write_field, write_namespace, write_record, write_str,
    write_str_as_is, write_time, write_value,
};

/// Templates kept per thread (in slots picked by call site and level; a
/// call site whose slot is taken replaces the template there).
const SLOTS: usize = 64;
/// Call sites with more fields are written without a template.
const MAX_FIELDS: usize = 16;

/// One call site's record at one level, without its values.
#[derive(Debug, Default)]
struct Template {
    /// The call site's address and the level (`None`: an empty slot).
    key: Option<(usize, LogLevel)>,
    /// Each value in order, with the text before it (strings of their own,
    /// so that writing one needs no slicing; kept when the slot is made
    /// again, so that two call sites taking turns in one slot allocate
    /// nothing once both have been seen).
    holes: Vec<(String, Hole)>,
    /// How many of `holes` are this template's.
    used: usize,
    /// The optional parts it has holes for: those of the event it was made
    /// from.
    optional: Optional,
    /// The text after the last value.
    tail: String,
}

/// A thread's templates.
#[derive(Debug, Default)]
struct Templates {
    slots: Vec<Template>,
    /// Where the values of the record a template is made from went.
    holes: Holes,
    /// Text of earlier records that later ones write again.
    again: Again,
}

/// Text of a thread's earlier records that later ones write again.
#[derive(Debug, Default)]
struct Again {
    /// The text of the seconds of the time last written.
    second: Second,
    /// The JSON of the bound fields of the loggers seen last.
    bound: BoundJson,
}

/// A logger's bound fields, as [`Event::logger_bound_fields`] gives them.
type Fields = [(Cow<'static, str>, OwnedValue)];

/// The JSON of the bound fields of the last few loggers a thread wrote a
/// record of (`,"name":value` for each), made once: a logger's bound fields
/// never change. Each is known by its fields' address, which the `Weak`
/// keeps from being given to other fields (without keeping the values).
#[derive(Debug, Default)]
struct BoundJson {
    kept: [(Option<Weak<Fields>>, String); 4],
    /// The entry the next logger takes.
    next: usize,
}

/// Bound fields whose JSON is longer are written each time.
const MAX_BOUND_JSON: usize = 1024;

thread_local! {
    static TEMPLATES: RefCell<Templates> = RefCell::default();
}

/// Writes `event`'s record from its call site's template, making the
/// template first if there is none. `false`, with nothing written, for an
/// event a template cannot write (see [`Event::callsite_values`]), or when
/// this thread is already writing one (a value whose `Display` logs).
pub(super) fn write(event: &Event<'_>, out: &mut String) -> bool {
    let Some(((callsite, values), level)) = event.callsite_values().zip(event.level()) else {
        return false;
    };
    // A logger's fields follow the call site's with a comma each; with no
    // field of the call site's before them, the first would have none.
    if values.is_empty() && event.has_logger_fields() {
        return false;
    }
    let optional = Optional::of(event);
    let key = (std::ptr::from_ref::<Callsite>(callsite) as usize, level);
    TEMPLATES
        .try_with(|templates| {
            let Ok(mut templates) = templates.try_borrow_mut() else {
                return false;
            };
            let Templates {
                slots,
                holes,
                again,
            } = &mut *templates;
            if slots.is_empty() {
                slots.resize_with(SLOTS, Template::default);
            }
            let template = &mut slots[slot(key)];
            if template.key == Some(key) && template.optional.covers(optional) {
                let start = out.len();
                if template.write(event, values, out, again) {
                    return true;
                }
                // (an event of the call site that the template does not fit:
                // a plain placeholder's value is not a string or integer this
                // time, or a rendered entry is missing: a text that failed)
                out.truncate(start);
                return false;
            }
            template.make(key, event, out, holes);
            true
        })
        .unwrap_or(false)
}

/// The slot of a call site and level.
fn slot((address, level): (usize, LogLevel)) -> usize {
    let mixed = (address ^ usize::from(level.as_u8())).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed >> (usize::BITS - SLOTS.trailing_zeros())
}

impl Template {
    /// Writes `event`'s record with the ordinary writer, and keeps its text
    /// around the values as this slot's template (unless the call site has
    /// more than [`MAX_FIELDS`] fields).
    fn make(
        &mut self,
        key: (usize, LogLevel),
        event: &Event<'_>,
        out: &mut String,
        holes: &mut Holes,
    ) {
        let start = out.len();
        holes.clear();
        write_record(event, out, Some(holes));
        let fits = holes
            .iter()
            .filter(|(hole, _)| *hole == Hole::Field)
            .count()
            <= MAX_FIELDS;
        if !fits {
            return;
        }
        self.key = Some(key);
        self.optional = Optional::of(event);
        self.used = 0;
        let mut from = start;
        for (hole, range) in holes.iter() {
            let text = &out[from..range.start];
            match self.holes.get_mut(self.used) {
                Some((kept, kind)) => {
                    kept.clear();
                    kept.push_str(text);
                    *kind = *hole;
                }
                None => self.holes.push((text.to_string(), *hole)),
            }
            self.used += 1;
            from = range.end;
        }
        self.tail.clear();
        self.tail.push_str(&out[from..]);
    }

    /// Writes `event`'s record: this template's text with the event's
    /// values between. A plain placeholder's text and value are its field's
    /// JSON again (quoted, for an integer's text), copied. `false` (with
    /// part of a record written) if the event does not fit the template: a
    /// plain placeholder's field is not a string or an integer this time,
    /// or its rendered `log_flattened` entries have other keys.
    // (Out of line: inlined into `write` above, its copies were not
    // inlined into it, 36 instructions a record more.)
    #[inline(never)]
    fn write(
        &self,
        event: &Event<'_>,
        values: &[FieldValue<'_>],
        out: &mut String,
        again: &mut Again,
    ) -> bool {
        // where each field's JSON went
        let mut fields = [(0, 0); MAX_FIELDS];
        let mut next_field = 0;
        let mut holes = self.holes[..self.used].iter();
        while let Some((text, hole)) = holes.next() {
            out.push_str(text);
            match *hole {
                Hole::Field => {
                    let (Some(value), Some(json)) =
                        (values.get(next_field), fields.get_mut(next_field))
                    else {
                        return false;
                    };
                    let start = out.len();
                    write_field(out, *value);
                    *json = (start, out.len());
                    next_field += 1;
                }
                Hole::LoggerFields | Hole::System | Hole::Source => {
                    write_optional_hole(*hole, event, out, &mut again.bound)
                }
                Hole::Namespace => {
                    write_namespace(out, event, event.namespace().unwrap_or_default())
                }
                Hole::Time => write_time(out, event.time().unwrap_or_default(), &mut again.second),
                Hole::FlatText(field) => {
                    let written = &fields[..next_field];
                    let (Some(value), Some(&(start, end))) =
                        (values.get(field), written.get(field))
                    else {
                        return false;
                    };
                    let quoted = match value.__scalar() {
                        Some(Scalar::Str(_)) => false,
                        Some(Scalar::I64(_) | Scalar::U64(_)) => true,
                        _ => return false,
                    };
                    if quoted {
                        out.push('"');
                    }
                    copy_within(out, start..end);
                    if quoted {
                        out.push('"');
                    }
                    let Some((text, Hole::FlatRaw)) = holes.next() else {
                        return false;
                    };
                    out.push_str(text);
                    copy_within(out, start..end);
                }
                Hole::FlatRaw => return false,
                // The rendered entries, all at once: each must have the key
                // the template has there.
                Hole::Flat(first) => {
                    let mut first = Some(first);
                    let mut fits = true;
                    event.for_each_flattened(&mut |key, value| {
                        let expected = first.take().or_else(|| match holes.next() {
                            Some((text, Hole::Flat(address))) => {
                                out.push_str(text);
                                Some(*address)
                            }
                            _ => None,
                        });
                        if fits && expected == Some(key.as_ptr() as usize) {
                            write_value(out, value);
                        } else {
                            fits = false;
                        }
                    });
                    // (an entry fewer than the template's: its first never
                    // came, or holes are left, where only the tail may be)
                    if !fits || first.is_some() || holes.len() > 0 {
                        return false;
                    }
                }
            }
        }
        out.push_str(&self.tail);
        next_field == values.len()
    }
}

/// An optional hole: a logger's fields, each after a comma (bound ones
/// as [`BoundJson`] kept them); or `log_system` or `log_source` with its
/// comma and key, if the event has it. (Out of line: only templates made
/// for an event with any of them have these holes.)
#[inline(never)]
fn write_optional_hole(hole: Hole, event: &Event<'_>, out: &mut String, bound: &mut BoundJson) {
    match hole {
        Hole::LoggerFields => match event.logger_bound_fields() {
            Some(fields) => bound.write(fields, event, out),
            None => write_logger_fields(event, out),
        },
        Hole::System => {
            if let Some(system) = event.system() {
                out.push_str(",\"log_system\":");
                write_str(out, system);
            }
        }
        Hole::Source => {
            if let Some(source) = event.source() {
                out.push_str(",\"log_source\":");
                write_value(out, source);
            }
        }
        _ => {}
    }
}

/// A logger's fields, each after a comma.
fn write_logger_fields(event: &Event<'_>, out: &mut String) {
    let plain = event.logger_field_names_escape_free();
    event.for_each_logger_field(&mut |name, value| {
        out.push(',');
        if plain {
            write_str_as_is(out, name)
        } else {
            write_str(out, name)
        }
        out.push(':');
        write_field(out, value);
    })
}

impl BoundJson {
    /// Writes `fields` (`event`'s logger's) as they were written last, or
    /// writes them and keeps the JSON in place of the oldest kept.
    fn write(&mut self, fields: &Arc<Fields>, event: &Event<'_>, out: &mut String) {
        let address = Arc::as_ptr(fields);
        let seen = self.kept.iter().find(|(kept, _)| {
            kept.as_ref()
                .is_some_and(|kept| std::ptr::addr_eq(kept.as_ptr(), address))
        });
        if let Some((_, json)) = seen {
            out.push_str(json);
            return;
        }
        let start = out.len();
        write_logger_fields(event, out);
        if out.len() - start <= MAX_BOUND_JSON {
            let (kept, json) = &mut self.kept[self.next];
            *kept = Some(Arc::downgrade(fields));
            json.clear();
            json.push_str(&out[start..]);
            self.next = (self.next + 1) % self.kept.len();
        }
    }
}

/// Appends `out[range]` to `out` again (room made first: so written, the
/// copy stays inline in the record writer whatever else the compiler puts
/// beside it; a call out of line took 45 instructions a copy).
#[inline(always)]
fn copy_within(out: &mut String, range: std::ops::Range<usize>) {
    out.reserve(range.len());
    out.extend_from_within(range);
}

#[cfg(test)]
mod tests {
    use super::*;
    use logcore::{CallsiteId, Interest, LiveParts, OwnedValue, Piece, Render, ShowValue};

    static A: Callsite = crate::test_support::site(
        "{n} of {who}",
        &[
            Piece::Field("n!s:", "n!:"),
            Piece::Literal(" of "),
            Piece::Field("who!s:", "who!:"),
        ],
        &["n", "who"],
        &[0, 1],
    );
    // (made by hand: strings that need escaping)
    static B: Callsite = Callsite {
        format: "just \"{v}\"",
        pieces: &[
            Piece::Literal("just \""),
            Piece::Field("v!s:", "v!:"),
            Piece::Literal("\""),
        ],
        names: &["v"],
        module_path: "b",
        file: "b\\b.rs",
        line: 2,
        calls: false,
        bare: &[0],
        escape_free: false,
        id: CallsiteId::new(),
        interest: Interest::new(),
    };

    /// Calls `f` with a live event of `site` whose fields are `values`
    /// (every placeholder a plain `{name}`).
    fn with_event(site: &'static Callsite, values: &[OwnedValue], f: impl FnOnce(&Event<'_>)) {
        let shows: Vec<ShowValue<'_, OwnedValue>> = values.iter().map(ShowValue).collect();
        let placeholders: Vec<&dyn Render> = shows.iter().map(|s| s as &dyn Render).collect();
        let values: Vec<FieldValue<'_>> = values.iter().map(FieldValue::of).collect();
        f(&Event::live(LiveParts {
            level: LogLevel::Info,
            callsite: site,
            namespace: site.module_path,
            values: &values,
            placeholders: &placeholders,
            source: None,
            failure: None,
            logger: None,
        }));
    }

    /// What the ordinary writer gives for `event`.
    fn record(event: &Event<'_>) -> String {
        let mut out = String::new();
        write_record(event, &mut out, None);
        out
    }

    /// Thousands of events, from four call sites at two levels (one with no
    /// fields, one whose `log_flattened` is rendered and whose texts fail
    /// now and then), through loggers of every shape and with values of
    /// every kind, in an order that makes templates, remakes them and has
    /// call sites take turns in a slot: each record is what the ordinary
    /// writer writes. More loggers with bound fields than a thread keeps
    /// the JSON of, and one made for an event and dropped after it (whose
    /// fields the next one's may take the place of), each with its own
    /// value.
    #[test]
    fn random_sequences_of_events_are_written_as_the_writer_writes() {
        use logcore::Logger;
        static NONE: Callsite =
            crate::test_support::site("nothing", &[Piece::Literal("nothing")], &[], &[]);
        // two specs: `log_flattened` is rendered
        static SPEC: Callsite = crate::test_support::site(
            "{a:>4} then {b:<3}",
            &[
                Piece::Field("a!s:>4", "a!:>4"),
                Piece::Literal(" then "),
                Piece::Field("b!s:<3", "b!:<3"),
            ],
            &["a", "b"],
            &[u8::MAX, u8::MAX],
        );
        /// Text that fails to render now and then (its entry is left out).
        struct Flaky(bool);
        impl std::fmt::Display for Flaky {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                if self.0 {
                    return Err(std::fmt::Error);
                }
                f.write_str("ok")
            }
        }
        let loggers = [
            Logger::new("plain"),
            Logger::new("bound").bind("k", 1u8),
            Logger::new("system").with_system("sys"),
            Logger::new("q\"uote")
                .with_system("x\ny")
                .bind("k\n", "v\"")
                .bind("n", -2i8),
            Logger::new("bound").bind("k", 2u8),
            Logger::new("bound").bind("k", 3u8).bind("j", 0.5),
            Logger::new("context")
                .bind("k", 4u8)
                .with_context(logcore::Context::PID),
            Logger::new("long").bind("k", "long ".repeat(300)),
        ];
        let mut next = crate::test_support::xorshift(0x2545_f491_4f6c_dd1du64);
        let mut templated = 0;
        for _ in 0..3000 {
            let site: &'static Callsite = [&A, &B, &NONE, &SPEC][(next() % 4) as usize];
            let values: Vec<OwnedValue> = (0..site.names.len())
                .map(|_| match next() % 7 {
                    0 => OwnedValue::Str("a \"b\"\n".into()),
                    1 => OwnedValue::Str("plain".into()),
                    2 => OwnedValue::U64(next() % 1000),
                    3 => OwnedValue::I64(-((next() % 1000) as i64)),
                    4 => OwnedValue::F64(0.5),
                    // (its JSON, `1e21`, is not its text)
                    5 => OwnedValue::F64(1e21),
                    _ => OwnedValue::Bool(true),
                })
                .collect();
            let made = Logger::new("made").bind("made", next() % 1000);
            let logger = match next() % 10 {
                8 => Some(&made),
                9 => None,
                i => Some(&loggers[i as usize]),
            };
            let level = [LogLevel::Info, LogLevel::Warn][(next() % 2) as usize];
            let shows: Vec<ShowValue<'_, OwnedValue>> = values.iter().map(ShowValue).collect();
            let mut placeholders: Vec<&dyn Render> =
                shows.iter().map(|s| s as &dyn Render).collect();
            // (either text may fail, so that two events of the call site
            // can have as many entries with other keys)
            let (flaky_a, flaky_b) = (
                Flaky(next().is_multiple_of(6)),
                Flaky(next().is_multiple_of(6)),
            );
            let spec_a = |sink: &mut dyn logcore::Sink| match values.first() {
                Some(a) if flaky_a.0 => sink.put(format_args!("{flaky_a}"), Some(a)),
                Some(a) => sink.put(format_args!("{a:>4}"), Some(a)),
                None => {}
            };
            let spec_b = |sink: &mut dyn logcore::Sink| match values.get(1) {
                Some(b) if flaky_b.0 => sink.put(format_args!("{flaky_b}"), Some(b)),
                Some(b) => sink.put(format_args!("{b:<3}"), Some(b)),
                None => {}
            };
            if std::ptr::eq(site, &SPEC) {
                placeholders = vec![&spec_a, &spec_b];
            }
            // (held as itself, as the macros hold a scalar, or by reference)
            let fields: Vec<FieldValue<'_>> = values
                .iter()
                .map(|v| match next() % 2 {
                    0 => FieldValue::of(v),
                    _ => FieldValue::from_dyn(v),
                })
                .collect();
            // (a call site gives a source or not, always; here any event may)
            let source = OwnedValue::Str("src \"x\"".into());
            let source = next()
                .is_multiple_of(4)
                .then_some(&source as &dyn logcore::Value);
            let event = Event::live(LiveParts {
                level,
                callsite: site,
                namespace: logger.map_or(site.module_path, Logger::namespace),
                values: &fields,
                placeholders: &placeholders,
                source,
                failure: None,
                logger,
            });
            let mut out = String::new();
            if write(&event, &mut out) {
                templated += 1;
            } else {
                write_record(&event, &mut out, None);
            }
            assert_eq!(
                out,
                record(&event),
                "{values:?} {logger:?} {level:?} {source:?}"
            );
        }
        // a good part went through a template
        assert!(templated > 1000, "{templated}");
    }

    #[test]
    fn a_template_made_without_a_source_is_made_again_for_an_event_with_one() {
        let n = OwnedValue::U64(3);
        let show = ShowValue(&n);
        let placeholders = [&show as &dyn Render];
        let values = [FieldValue::of(&n)];
        let source = OwnedValue::Str("src".into());
        for source in [None, Some(&source as &dyn logcore::Value), None] {
            let event = Event::live(LiveParts {
                level: LogLevel::Info,
                callsite: &B,
                namespace: B.module_path,
                values: &values,
                placeholders: &placeholders,
                source,
                failure: None,
                logger: None,
            });
            let mut out = String::new();
            assert!(write(&event, &mut out));
            assert_eq!(out, record(&event));
            assert_eq!(out.contains("\"log_source\":\"src\""), source.is_some());
        }
    }

    #[test]
    fn more_values_than_names_with_a_loggers_fields_are_written_as_the_writer_writes() {
        // (the macros write a value per name; a hand-made event may not)
        let logger = logcore::Logger::new("b").bind("k", 1u8);
        let (one, two) = (OwnedValue::U64(1), OwnedValue::Str("x".into()));
        let show = ShowValue(&one);
        let values = [FieldValue::of(&one), FieldValue::from_dyn(&two)];
        let placeholders = [&show as &dyn Render];
        let event = Event::live(LiveParts {
            level: LogLevel::Info,
            callsite: &B,
            namespace: logger.namespace(),
            values: &values,
            placeholders: &placeholders,
            source: None,
            failure: None,
            logger: Some(&logger),
        });
        for _ in 0..2 {
            let mut out = String::new();
            super::super::write::write_event(&event, &mut out);
            assert_eq!(out, record(&event));
        }
    }

    #[test]
    fn two_call_sites_taking_turns_in_one_slot_write_what_the_writer_writes() {
        let mut template = Template::default();
        let mut holes = Holes::new();
        let a = [
            vec![OwnedValue::I64(-3), OwnedValue::Str("a \"b\"\n".into())],
            vec![OwnedValue::U64(7), OwnedValue::Str("c".into())],
        ];
        let b = [vec![OwnedValue::Str("x".into())], vec![OwnedValue::I64(12)]];
        for round in 0..2 {
            for (site, values) in [(&A, &a[round]), (&B, &b[round])] {
                with_event(site, values, |event| {
                    let key = (std::ptr::from_ref(site) as usize, LogLevel::Info);
                    let mut out = String::from("> ");
                    template.make(key, event, &mut out, &mut holes);
                    assert_eq!(out, format!("> {}", record(event)));
                    let mut again = String::from("> ");
                    assert!(template.write(
                        event,
                        event.callsite_values().unwrap().1,
                        &mut again,
                        &mut Again::default()
                    ));
                    assert_eq!(again, out);
                });
            }
        }
        // A's eight values, B's five: the strings are kept for the next turn
        assert_eq!(template.holes.len(), 8);
        assert_eq!(template.used, 5);
    }

    #[test]
    fn an_event_whose_placeholder_is_not_a_string_or_an_integer_this_time_does_not_fit() {
        let write_event = super::super::write::write_event;
        let mut template = Template::default();
        let key = (std::ptr::from_ref(&B) as usize, LogLevel::Info);
        with_event(&B, &[OwnedValue::Str("x".into())], |event| {
            template.make(key, event, &mut String::new(), &mut Holes::new());
            // and this thread's template for B
            write_event(event, &mut String::new());
        });
        assert_eq!(template.key, Some(key));
        for value in [
            OwnedValue::F64(0.5),
            OwnedValue::Bool(true),
            OwnedValue::None,
        ] {
            with_event(&B, &[value], |event| {
                let values = event.callsite_values().unwrap().1;
                assert!(!template.write(event, values, &mut String::new(), &mut Again::default()));
                // the ordinary writer writes it instead
                let mut out = String::from("> ");
                write_event(event, &mut out);
                assert_eq!(out, format!("> {}", record(event)));
            });
        }
    }
}
