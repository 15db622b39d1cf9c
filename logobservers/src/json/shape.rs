//! The shapes of the last records a reader read. Records from one call
//! site differ only in their values: their keys, level, namespace,
//! format, file and line are the same bytes every time. A shape is a
//! record read once, with the places of the values that vary (the
//! fields, `log_time`, `log_system`, `log_source`, `log_flattened`'s
//! values) marked;
//! the next record is read against it by comparing the bytes between
//! those places and parsing only the values. Anything that does not match
//! byte for byte, or does not parse, is read the usual way instead, which
//! also reports its errors.
//!
//! Why this reads what a full parse reads: a JSON parser's state after a
//! value inside an object is the same whatever the value was, and what
//! follows is read from that state and the bytes alone. The bytes between
//! the values are those of a record that was parsed whole, so they parse
//! as they did then, to the same effect: the shape keeps that effect (the
//! event's level, namespace, format, file and line) and the values'
//! places. A record with `log_failure`, or longer than [`LONGEST`], is not
//! kept as a shape.

use std::borrow::Cow;

use logcore::{OwnedEvent, OwnedValue};

use super::syntax::{Parser, Result};

/// How many shapes a reader keeps.
const KEPT: usize = 8;

/// The longest record kept as a shape (a shape keeps its record's text).
const LONGEST: usize = 16 * 1024;

/// What a value in a record fills.
#[derive(Debug, Clone)]
pub(super) enum Slot {
    /// A field of the user's, by name.
    Field(Cow<'static, str>),
    /// A `log_flattened` entry, by key.
    Flattened(Cow<'static, str>),
    /// `log_time`.
    Time,
    /// `log_source`.
    Source,
    /// `log_system` (twisted's may name a connection).
    System,
}

impl Slot {
    /// Parses the next value into `event` (the one way a record's varying
    /// values are read, whole or against a shape).
    pub(super) fn fill(&self, p: &mut Parser<'_>, event: &mut OwnedEvent) -> Result<()> {
        match self {
            Slot::Field(name) => push_value(p, &mut event.fields, name.clone())?,
            Slot::Flattened(key) => push_value(p, &mut event.flattened, key.clone())?,
            Slot::Time => event.time = p.value()?.as_f64(),
            Slot::Source => event.source = Some(p.value()?),
            Slot::System => event.system = super::parse::text_of(p.value()?),
        }
        Ok(())
    }
}

/// Appends `name` and the next value to `entries`, the value written where
/// it stays (see `Parser::value_into`).
fn push_value(
    p: &mut Parser<'_>,
    entries: &mut Vec<(Cow<'static, str>, OwnedValue)>,
    name: Cow<'static, str>,
) -> Result<()> {
    entries.push((name, OwnedValue::None));
    match entries.last_mut() {
        Some((_, value)) => p.value_into(value),
        None => Ok(()),
    }
}

/// A value's place in the record a shape was made from.
#[derive(Debug)]
struct Hole {
    /// Its first byte and the byte after its last.
    start: usize,
    end: usize,
    /// How deep in the record it is (for the parser's nesting limit).
    depth: u32,
    slot: Slot,
}

/// The holes of a record being read whole, or `None` once it cannot be
/// a shape.
#[derive(Debug)]
pub(super) struct Learning {
    holes: Option<Vec<Hole>>,
}

impl Learning {
    /// Learns nothing (a record read on its own).
    pub(super) fn off() -> Learning {
        Learning { holes: None }
    }

    /// Learns the holes of a record read whole, for [`Shapes::learn`].
    fn on() -> Learning {
        Learning {
            holes: Some(Vec::new()),
        }
    }

    /// Parses the next value into `slot`, noting where it was.
    pub(super) fn fill(
        &mut self,
        p: &mut Parser<'_>,
        slot: Slot,
        event: &mut OwnedEvent,
    ) -> Result<()> {
        let Some(holes) = &mut self.holes else {
            return slot.fill(p, event);
        };
        p.peek();
        let (start, depth) = (p.mark(), p.depth());
        slot.fill(p, event)?;
        holes.push(Hole {
            start,
            end: p.mark(),
            depth,
            slot,
        });
        Ok(())
    }

    /// The record cannot be a shape.
    pub(super) fn give_up(&mut self) {
        self.holes = None;
    }
}

/// A record with its values' places, and what the rest of it sets.
#[derive(Debug)]
struct Shape {
    text: Box<str>,
    holes: Vec<Hole>,
    /// The event without the values: level, namespace, format, file and
    /// line.
    base: OwnedEvent,
    fields: usize,
    flattened: usize,
    /// The shape of the record that came after the last one of this shape.
    next: Option<usize>,
    /// When a record last had this shape (see [`Shapes::tick`]).
    used: u64,
}

impl Shape {
    /// Whether `text` has this shape's bytes between its values, `value`
    /// taking each value (at its depth) as it comes; `false` at the first
    /// difference or the first value `value` refuses.
    fn walk(&self, text: &str, mut value: impl FnMut(&mut Parser<'_>, &Hole) -> bool) -> bool {
        let mut p = Parser::new(text);
        let mut done = 0;
        for hole in &self.holes {
            // (bytes: a slice of the `str` would check both ends for a
            // character's boundary, which a hole's ends always are)
            if !p.eat(&self.text.as_bytes()[done..hole.start]) {
                return false;
            }
            p.set_depth(hole.depth);
            if !value(&mut p, hole) {
                return false;
            }
            done = hole.end;
        }
        p.rest() == &self.text[done..]
    }

    /// `text` read into `event` against this shape, if it has it (else
    /// `event` holds a part of it): the values read as they come.
    fn read(&self, text: &str, event: &mut OwnedEvent) -> bool {
        self.start(event);
        self.walk(text, |p, hole| hole.slot.fill(p, event).is_ok())
    }

    /// Whether `text` may have this shape, found cheaply: each value passed
    /// over loosely, noting where it starts and ends (for
    /// [`Self::read_spans`], which checks them).
    fn may_have(&self, text: &str, spans: &mut Vec<(usize, usize)>) -> bool {
        spans.clear();
        self.walk(text, |p, _| {
            let start = p.mark();
            let passed = p.skip_loosely();
            spans.push((start, p.mark()));
            passed
        })
    }

    /// The values of `text` at `spans` (from [`Self::may_have`]), each of
    /// which must be one value, and end where it was found to end.
    fn read_spans(&self, text: &str, spans: &[(usize, usize)], event: &mut OwnedEvent) -> bool {
        self.start(event);
        let mut p = Parser::new(text);
        self.holes.iter().zip(spans).all(|(hole, &(start, end))| {
            p.rewind(start);
            p.set_depth(hole.depth);
            hole.slot.fill(&mut p, event).is_ok() && p.mark() == end
        })
    }

    /// `event` as this shape's before its values, with room for them (in
    /// place: an event is large, and moving it costs).
    fn start(&self, event: &mut OwnedEvent) {
        let OwnedEvent {
            level,
            namespace,
            format,
            time,
            system,
            source,
            failure,
            file,
            line,
            fields,
            flattened,
        } = event;
        let base = &self.base;
        *level = base.level;
        namespace.clone_from(&base.namespace);
        format.clone_from(&base.format);
        file.clone_from(&base.file);
        *line = base.line;
        // (the values, which a record read in part may have set)
        *time = None;
        *system = None;
        *source = None;
        *failure = None;
        fields.clear();
        fields.reserve_exact(self.fields);
        flattened.clear();
        flattened.reserve_exact(self.flattened);
    }
}

/// A reader's last shapes, and which came after which.
#[derive(Debug, Default)]
pub(super) struct Shapes {
    kept: Vec<Shape>,
    /// The last record's shape.
    last: Option<usize>,
    /// Counts records read against a shape or kept as one.
    tick: u64,
    /// Records in a row that had none of the shapes.
    misses: u32,
    /// Whether the last record had the shape guessed for it.
    trust_guess: bool,
    /// Records still to read whole before trying shapes again.
    resting: u32,
    /// Where each value of the record being read starts and ends.
    spans: Vec<(usize, usize)>,
    /// How many records were read against a shape.
    #[cfg(test)]
    pub(super) hits: usize,
}

impl Shapes {
    /// After this many records in a row that had none of the shapes...
    const MISSES: u32 = 16;
    /// ...this many are read whole without trying them (records that all
    /// differ would otherwise pay for the trying and the keeping).
    const REST: u32 = 256;

    /// `text` read against one of the shapes, if it has one. The guess is
    /// the shape that came after the last record's shape last time; when
    /// the last guess was right, it is read at once. Otherwise (or if it
    /// is wrong) the guess, the last record's shape and then the others are
    /// compared cheaply, and the first that matches is read.
    pub(super) fn read(&mut self, text: &str, event: &mut OwnedEvent) -> bool {
        if self.resting > 0 {
            self.resting -= 1;
            return false;
        }
        let guess = self.last.and_then(|l| self.kept[l].next);
        // shapes tried already, one bit each
        let mut tried = 0u64;
        if self.trust_guess
            && let Some(g) = guess
        {
            if self.kept[g].read(text, event) {
                self.had(g, true);
                return true;
            }
            tried |= 1 << g;
        }
        let order = guess.into_iter().chain(self.last).chain(0..self.kept.len());
        for i in order {
            if tried & 1 << i != 0 {
                continue;
            }
            tried |= 1 << i;
            let shape = &self.kept[i];
            if shape.may_have(text, &mut self.spans) && shape.read_spans(text, &self.spans, event) {
                self.had(i, Some(i) == guess);
                return true;
            }
        }
        false
    }

    /// The record just read had shape `i` (`guessed`: as guessed).
    fn had(&mut self, i: usize, guessed: bool) {
        #[cfg(test)]
        {
            self.hits += 1;
        }
        self.misses = 0;
        self.trust_guess = guessed;
        self.use_shape(i);
    }

    /// The record just read has shape `i`: it is the last, and follows the
    /// one before.
    fn use_shape(&mut self, i: usize) {
        self.tick += 1;
        self.kept[i].used = self.tick;
        if let Some(last) = self.last {
            self.kept[last].next = Some(i);
        }
        self.last = Some(i);
    }

    /// How to read a record that had none of the shapes: noting its holes,
    /// unless resting.
    pub(super) fn learning(&self) -> Learning {
        if self.resting > 0 {
            Learning::off()
        } else {
            Learning::on()
        }
    }

    /// Keeps `text`'s shape (what `learning` saw while it was read whole
    /// into `event`, having none of the shapes), in place of the one used
    /// longest ago.
    pub(super) fn learn(&mut self, text: &str, learning: Learning, event: &OwnedEvent) {
        if self.resting > 0 {
            return;
        }
        self.misses += 1;
        if self.misses >= Self::MISSES {
            self.misses = 0;
            self.resting = Self::REST;
            return;
        }
        let Some(holes) = learning.holes.filter(|_| text.len() <= LONGEST) else {
            return;
        };
        let base = OwnedEvent {
            level: event.level,
            namespace: event.namespace.clone(),
            format: event.format.clone(),
            file: event.file.clone(),
            line: event.line,
            ..OwnedEvent::default()
        };
        let count = |f: fn(&Slot) -> bool| holes.iter().filter(|h| f(&h.slot)).count();
        let shape = Shape {
            text: text.into(),
            fields: count(|s| matches!(s, Slot::Field(_))),
            flattened: count(|s| matches!(s, Slot::Flattened(_))),
            holes,
            base,
            next: None,
            used: 0,
        };
        let i = if self.kept.len() < KEPT {
            self.kept.push(shape);
            self.kept.len() - 1
        } else {
            let oldest = (0..KEPT).min_by_key(|&i| self.kept[i].used).unwrap_or(0);
            self.kept[oldest] = shape;
            oldest
        };
        self.trust_guess = false;
        self.use_shape(i);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        LEVEL_OBJECT, LEVEL_OBJECT_SPACED, event_from_json, events_from_json_log_file,
    };

    /// xorshift: the same records every run.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
            of[self.below(of.len())]
        }
    }

    fn value(rng: &mut Rng, depth: u32) -> String {
        let scalars = [
            "0",
            "-7",
            "200",
            "18446744073709551615",
            "1.5e3",
            "-0",
            "1e400",
            "NaN",
            "-Infinity",
            "true",
            "false",
            "null",
            r#""""#,
            r#""/index.html""#,
            r#""a\"b\\c\n\u00e9\ud800""#,
            r#"{"unpersistable": true}"#,
            r#"{"__class_uuid__": "nope"}"#,
        ];
        match rng.below(if depth > 2 { 1 } else { 5 }) {
            0 | 1 => rng.pick(&scalars).to_string(),
            // nested to about the parser's limit, which depends on where
            4 if depth == 0 && rng.below(4) == 0 => {
                let n = 126 + rng.below(3);
                "[".repeat(n) + &"]".repeat(n)
            }
            4 => "1".to_string(),
            2 => format!("[{}, {}]", value(rng, depth + 1), value(rng, depth + 1)),
            _ => format!(
                r#"{{"k": {}, "k2":{}}}"#,
                value(rng, depth + 1),
                value(rng, depth + 1)
            ),
        }
    }

    /// A record of one of a few call sites, with new values (`{}` in a
    /// site's text is a value).
    fn record(rng: &mut Rng) -> String {
        let (before, after) = if rng.below(2) == 0 {
            LEVEL_OBJECT
        } else {
            LEVEL_OBJECT_SPACED
        };
        let level = format!("{before}{}{after}", rng.pick(&["info", "warn", "nope"]));
        let sites = [
            format!(r#"{{"path":{{}},"status":{{}},"log_level":{level},"log_namespace":"bench","log_format":"p={{path}} s={{status}}","log_time":{{}},"log_file":"a.rs","log_line":6,"log_flattened":{{"path!s:":{{}},"path!:":{{}},"status!s:":{{}},"status!:":{{}}}}}}"#),
            format!(r#"{{"n": {{}}, "log_logger": {{"unpersistable": true}}, "log_level": {level}, "log_namespace": "tw.app", "log_source": {{}}, "log_format": "{{n}} left", "log_time": {{}}, "log_system": {{}}}}"#),
            r#"{"x": {}, "x": {}, "log_namespace": "dup", "log_namespace": "dup2", "log_time": {}, "log_time": {}}"#.to_string(),
            r#"{"log_format":"f","log_failure":{"__class_uuid__":"e76887e2-20ed-49bf-a8f8-ba25cc586f2d","type":{"__module__":"m","__name__":"E"},"value":"v"},"e":{}}"#.to_string(),
            r#"  { "a" : {} ,"b":{}}  "#.to_string(),
            r#"{"log_flattened": {}, "v": {}}"#.to_string(),
        ];
        let site = &sites[rng.below(sites.len()).min(rng.below(sites.len()))];
        let mut out = String::new();
        let mut parts = site.split("{}").peekable();
        while let Some(part) = parts.next() {
            out.push_str(part);
            if parts.peek().is_some() {
                out.push_str(&value(rng, 0));
            }
        }
        // Now and then a byte changed, dropped or added (not a newline).
        if rng.below(8) == 0 && !out.is_empty() {
            let at = rng.below(out.len());
            if out.is_char_boundary(at) && out.is_char_boundary(at + 1) {
                let with = rng.pick(&["", " ", "1", "\"", "}", ",", "{", "x"]);
                let cut = rng.below(2);
                out.replace_range(at..at + cut, with);
            }
        }
        out
    }

    #[test]
    fn records_read_against_a_shape_are_read_as_they_are_whole() {
        let mut rng = Rng(0x5eed_cafe);
        let records: Vec<String> = (0..6000).map(|_| record(&mut rng)).collect();
        let file = records.join("\n");
        let mut reader = events_from_json_log_file(file.as_bytes()).report_errors(false);
        let events: Vec<_> = reader.by_ref().collect();
        let errors: Vec<_> = reader
            .errors()
            .iter()
            .map(|e| (e.record, e.reason.clone()))
            .collect();
        let (mut want_events, mut want_errors) = (Vec::new(), Vec::new());
        let mut n = 0;
        for record in records.iter().filter(|r| !r.trim().is_empty()) {
            n += 1;
            // (the reader leaves out the whitespace at a record's end)
            match event_from_json(record.trim_end_matches(|c: char| c.is_ascii_whitespace())) {
                Ok(e) => want_events.push(e),
                Err(why) => want_errors.push((n, why)),
            }
        }
        // NaN is not equal to itself: compare what was read as text.
        let text = |events: &[logcore::OwnedEvent]| {
            events.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>()
        };
        assert_eq!(text(&events), text(&want_events));
        assert_eq!(errors, want_errors);
        // Both ways were taken many times, and records were both read and
        // refused.
        let hits = reader.shapes.hits;
        assert!(
            hits > 600 && events.len() - hits > 1000,
            "{hits} of {}",
            events.len()
        );
        assert!(want_errors.len() > 300, "{}", want_errors.len());
    }

    /// Records read one by one through `shapes`, as a reader does.
    fn read_all(shapes: &mut super::Shapes, records: &[String]) {
        let mut names = super::super::names::LastNames::new();
        for record in records {
            let mut event = logcore::OwnedEvent::default();
            super::super::parse::record_from_json(record, &mut names, shapes, &mut event).unwrap();
            assert_eq!(event, event_from_json(record).unwrap());
        }
    }

    #[test]
    fn shapes_are_kept_up_to_a_number_and_a_length_and_rest_after_misses() {
        let site = |i: usize, pad: usize| {
            format!(
                r#"{{"n": {i}, "log_format": "site {i}{}"}}"#,
                "x".repeat(pad)
            )
        };
        // Nine call sites in turn: eight shapes kept, the oldest replaced.
        let mut shapes = super::Shapes::default();
        let nine: Vec<String> = (0..9).map(|i| site(i, 0)).collect();
        read_all(&mut shapes, &nine);
        assert_eq!((shapes.kept.len(), shapes.hits), (super::KEPT, 0));
        let kept = |shapes: &super::Shapes, record: &String| {
            shapes.kept.iter().any(|s| *s.text == **record)
        };
        assert!(!kept(&shapes, &nine[0]) && nine[1..].iter().all(|r| kept(&shapes, r)));
        // Three in turn: read against their shapes after the first round.
        let mut shapes = super::Shapes::default();
        let three: Vec<String> = (0..30).map(|i| site(i % 3, 0)).collect();
        read_all(&mut shapes, &three);
        assert_eq!(shapes.hits, 27);
        // A record too long to keep.
        let mut shapes = super::Shapes::default();
        read_all(&mut shapes, &[site(0, super::LONGEST)]);
        assert!(shapes.kept.is_empty());
        // Every record different: after 16 misses, 256 records read whole
        // with no shape tried or kept, then trying again.
        let mut shapes = super::Shapes::default();
        let all: Vec<String> = (0..16 + 256 + 1).map(|i| site(i, 0)).collect();
        read_all(&mut shapes, &all[..16]);
        assert_eq!(
            (shapes.resting, shapes.kept.len()),
            (super::Shapes::REST, super::KEPT)
        );
        read_all(&mut shapes, &all[16..16 + 256]);
        assert_eq!(shapes.resting, 0);
        read_all(&mut shapes, &all[16 + 256..]);
        assert!(kept(&shapes, &all[16 + 256]));
        assert_eq!(shapes.hits, 0);
    }
}
