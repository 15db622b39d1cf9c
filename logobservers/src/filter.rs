use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use logcore::{DirectCall, Event, LogLevel, Observer, global_publisher};

/// A predicate's answer about an event (twisted's `PredicateResult`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredicateResult {
    /// Accept the event now; later predicates are not asked.
    Yes,
    /// Reject the event now.
    No,
    /// No opinion: ask the next predicate (all `Maybe` accepts).
    Maybe,
}

/// Decides whether a [`FilteringObserver`] passes an event on. Any
/// `Fn(&Event) -> PredicateResult + Send + Sync` is one.
pub trait Predicate: Send + Sync {
    /// The answer for `event`.
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult;

    /// A promise: below this level the answer is always `No` (`None`: it is
    /// `No` for every event). Lets the publisher skip building such events.
    fn floor(&self) -> Option<LogLevel> {
        Some(LogLevel::Trace)
    }

    /// The same promise for the events of `namespace` alone (at least as
    /// severe as [`Predicate::floor`], which it defaults to). The global
    /// publisher asks it once per call site and keeps the answer, so a
    /// predicate whose answer can change must call
    /// `global_publisher().update_max_level()` when it does.
    ///
    /// ```
    /// use logobservers::{LogLevelFilterPredicate, Predicate};
    /// use logcore::LogLevel;
    /// let p = LogLevelFilterPredicate::from_directives("warn,app::db=debug").unwrap();
    /// assert_eq!(p.floor(), Some(LogLevel::Debug));
    /// assert_eq!(p.floor_for("app::db::pool"), Some(LogLevel::Debug));
    /// assert_eq!(p.floor_for("app::web"), Some(LogLevel::Warn));
    /// ```
    fn floor_for(&self, namespace: &str) -> Option<LogLevel> {
        let _ = namespace;
        self.floor()
    }

    /// Whether it can ever answer `Yes` (which would overrule the floors of
    /// the predicates after it).
    fn may_say_yes(&self) -> bool {
        true
    }

    /// The answer for an event at `level` in `namespace`, when that is all
    /// the predicate looks at; `None` (the default) when it needs the
    /// event. A [`FilteringObserver`] asks it for a call handed on without
    /// its event (non-blocking output packs plain calls so); on `None` the
    /// call builds its event and [`Predicate::evaluate`] is asked.
    ///
    /// ```
    /// use logobservers::{LogLevelFilterPredicate, Predicate, PredicateResult, TextRegexPredicate};
    /// use logcore::LogLevel;
    /// let p = LogLevelFilterPredicate::from_directives("warn,app::db=debug").unwrap();
    /// assert_eq!(p.evaluate_level("app::db", LogLevel::Debug), Some(PredicateResult::Maybe));
    /// assert_eq!(p.evaluate_level("app::web", LogLevel::Info), Some(PredicateResult::No));
    /// let text = TextRegexPredicate::new("timeout").unwrap();
    /// assert_eq!(text.evaluate_level("app", LogLevel::Error), None, "needs the text");
    /// ```
    fn evaluate_level(&self, namespace: &str, level: LogLevel) -> Option<PredicateResult> {
        let _ = (namespace, level);
        None
    }
}

impl<F: Fn(&Event<'_>) -> PredicateResult + Send + Sync> Predicate for F {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        self(event)
    }
}

/// Passes on to `observer` the events its predicates accept, asking them in
/// order (twisted's `FilteringLogObserver`).
///
/// ```
/// use logobservers::{FilteringObserver, LogLevelFilterPredicate, PredicateResult};
/// use logcore::{Event, LogLevel, Observer, OwnedEvent};
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let levels = LogLevelFilterPredicate::from_directives("warn,app::db=debug").unwrap();
/// let filter = FilteringObserver::new(move |e: &Event<'_>| sink.lock().unwrap().push(e.text().into_owned()))
///     .with_predicate(levels);
/// for (ns, level) in [("app::web", LogLevel::Info), ("app::db::pool", LogLevel::Debug), ("x", LogLevel::Error)] {
///     filter.observe(&Event::from_owned(&OwnedEvent::new(level, ns, ns)));
/// }
/// assert_eq!(*seen.lock().unwrap(), ["app::db::pool", "x"]);
/// assert_eq!(filter.max_level(), Some(LogLevel::Debug));
/// ```
pub struct FilteringObserver<O> {
    observer: O,
    predicates: Vec<Box<dyn Predicate>>,
}

impl<O> fmt::Debug for FilteringObserver<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilteringObserver")
            .field("predicates", &self.predicates.len())
            .finish_non_exhaustive()
    }
}

impl<O: Observer> FilteringObserver<O> {
    /// The least severe level that can pass: the predicates' floors (each
    /// from `floor`) up to the first that may say yes, and the observer's
    /// own level (`inner`).
    fn least_level(
        &self,
        floor: impl Fn(&dyn Predicate) -> Option<LogLevel>,
        inner: Option<LogLevel>,
    ) -> Option<LogLevel> {
        let mut least = Some(LogLevel::Trace);
        for predicate in &self.predicates {
            least = match (least, floor(predicate.as_ref())) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            if predicate.may_say_yes() {
                break;
            }
        }
        match (least, inner) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        }
    }

    /// A filter with no predicates (it accepts everything).
    pub fn new(observer: O) -> Self {
        FilteringObserver {
            observer,
            predicates: Vec::new(),
        }
    }

    /// Adds a predicate, asked after those added before.
    pub fn with_predicate(mut self, predicate: impl Predicate + 'static) -> Self {
        self.predicates.push(Box::new(predicate));
        self
    }
}

impl<O> FilteringObserver<O> {
    /// Whether the predicates let an event through, each asked in turn
    /// with `ask`: the first `Yes` lets it through, the first `No` stops
    /// it, and it passes if all say `Maybe`. `None` if one cannot answer
    /// (`ask` gave `None`).
    #[inline]
    fn passes(
        &self,
        mut ask: impl FnMut(&dyn Predicate) -> Option<PredicateResult>,
    ) -> Option<bool> {
        for predicate in &self.predicates {
            match ask(&**predicate)? {
                PredicateResult::Yes => return Some(true),
                PredicateResult::No => return Some(false),
                PredicateResult::Maybe => {}
            }
        }
        Some(true)
    }
}

impl<O: Observer> Observer for FilteringObserver<O> {
    fn observe(&self, event: &Event<'_>) {
        if self.passes(|p| Some(p.evaluate(event))) == Some(true) {
            self.observer.observe(event)
        }
    }

    fn max_level(&self) -> Option<LogLevel> {
        self.least_level(|p| p.floor(), self.observer.max_level())
    }

    fn max_level_for(&self, namespace: &str) -> Option<LogLevel> {
        self.least_level(
            |p| p.floor_for(namespace),
            self.observer.max_level_for(namespace),
        )
    }

    fn flush(&self) {
        self.observer.flush()
    }

    fn __takes_direct(&self) -> bool {
        self.observer.__takes_direct()
    }

    /// Asks the predicates about the call's namespace and level, and hands
    /// it on; `false` (nothing done) if one needs the event.
    fn __observe_direct(&self, call: &DirectCall<'_>) -> bool {
        match self.passes(|p| p.evaluate_level(call.namespace(), call.level)) {
            Some(true) => self.observer.__observe_direct(call),
            // (filtered out: done with)
            Some(false) => true,
            None => false,
        }
    }
}

/// A level per namespace: an event passes when its level is at least that
/// of the longest configured prefix of its namespace (on `::` or `.`
/// boundaries), else the default level (info unless set). Answers `No` or
/// `Maybe` (twisted's `LogLevelFilterPredicate`). Levels can change while
/// the program runs; the global publisher is told at once.
///
/// ```
/// use logobservers::LogLevelFilterPredicate;
/// use logcore::LogLevel;
/// let p = LogLevelFilterPredicate::new();
/// p.set_level("app", Some(LogLevel::Debug));
/// p.set_level("app.web", Some(LogLevel::Error));
/// assert_eq!(p.level_for("app::db"), Some(LogLevel::Debug));
/// assert_eq!(p.level_for("app.web.views"), Some(LogLevel::Error));
/// assert_eq!(p.level_for("application"), Some(LogLevel::Info));
/// ```
#[derive(Debug)]
pub struct LogLevelFilterPredicate {
    /// Replaced whole on every change; read through each thread's copy
    /// (see [`LogLevelFilterPredicate::with_levels`]).
    levels: RwLock<Arc<Levels>>,
    /// Moves on after every change, so that threads read the levels again.
    generation: AtomicU64,
    /// Names this predicate in the threads' copies (never reused).
    id: u64,
    /// While no namespace has a level of its own, the default level's
    /// number ([`LogLevel::as_u8`]; [`NO_LEVEL`] for none), read without
    /// the thread's copy: a filter of one level (`SPINDLE_LOG=info`)
    /// answers from it alone. [`PER_NAMESPACE`] otherwise.
    only_default: AtomicU8,
}

/// In `only_default`: no level passes.
const NO_LEVEL: u8 = u8::MAX - 1;
/// In `only_default`: the namespace must be looked up.
const PER_NAMESPACE: u8 = u8::MAX;

#[derive(Debug, Clone)]
struct Levels {
    default: Option<LogLevel>,
    /// (namespace, level), longest namespace first.
    by_namespace: Vec<(String, Option<LogLevel>)>,
}

impl Levels {
    fn floor(&self) -> Option<LogLevel> {
        std::iter::once(self.default)
            .chain(self.by_namespace.iter().map(|(_, l)| *l))
            .flatten()
            .min()
    }
}

thread_local! {
    /// The levels each thread read last, per predicate: (id, generation,
    /// levels). Reading them takes no lock and writes nothing other
    /// threads read, so threads that log at once do not slow each other.
    static COPIES: RefCell<Vec<(u64, u64, Arc<Levels>)>> = const { RefCell::new(Vec::new()) };
}

/// How many predicates' levels a thread keeps.
const COPIES_KEPT: usize = 4;

impl Default for LogLevelFilterPredicate {
    fn default() -> Self {
        Self::new()
    }
}

/// What `only_default` holds for `levels`.
fn only_default(levels: &Levels) -> u8 {
    match (levels.by_namespace.is_empty(), levels.default) {
        (false, _) => PER_NAMESPACE,
        (true, Some(level)) => level.as_u8(),
        (true, None) => NO_LEVEL,
    }
}

/// Whether `prefix` is `namespace` or one of its ancestors.
fn is_prefix(prefix: &str, namespace: &str) -> bool {
    namespace == prefix
        || (namespace.starts_with(prefix)
            && (namespace[prefix.len()..].starts_with("::")
                || namespace[prefix.len()..].starts_with('.')))
}

impl LogLevelFilterPredicate {
    /// Info for every namespace.
    pub fn new() -> Self {
        static IDS: AtomicU64 = AtomicU64::new(0);
        LogLevelFilterPredicate {
            levels: RwLock::new(Arc::default()),
            generation: AtomicU64::new(0),
            id: IDS.fetch_add(1, Ordering::Relaxed),
            only_default: AtomicU8::new(only_default(&Levels::default())),
        }
    }

    /// Parses directives such as `info,app::db=debug,hyper=warn`: a bare
    /// level sets the default, `namespace=level` sets one namespace; `off`
    /// rejects everything.
    pub fn from_directives(directives: &str) -> Result<Self, DirectiveError> {
        let predicate = LogLevelFilterPredicate::new();
        for (namespace, level) in parse_directives(directives)? {
            match namespace {
                Some(ns) => predicate.set_level(&ns, level),
                None => predicate.set_default(level),
            }
        }
        Ok(predicate)
    }

    /// Changes the levels, then tells the threads and the global publisher.
    fn change(&self, change: impl FnOnce(&mut Levels)) {
        {
            let mut levels = self.levels.write().unwrap_or_else(|e| e.into_inner());
            let mut changed = Levels::clone(&levels);
            change(&mut changed);
            self.only_default
                .store(only_default(&changed), Ordering::Release);
            *levels = Arc::new(changed);
        }
        // After the levels: a thread that sees this generation reads them.
        self.generation.fetch_add(1, Ordering::Release);
        global_publisher().update_max_level();
    }

    /// Sets the level of `namespace` and its descendants (`None`: off).
    pub fn set_level(&self, namespace: &str, level: Option<LogLevel>) {
        self.change(|levels| {
            levels.by_namespace.retain(|(ns, _)| ns != namespace);
            levels.by_namespace.push((namespace.to_string(), level));
            levels
                .by_namespace
                .sort_by_key(|(ns, _)| std::cmp::Reverse(ns.len()));
        });
    }

    /// Sets the level of namespaces without one of their own.
    pub fn set_default(&self, level: Option<LogLevel>) {
        self.change(|levels| levels.default = level);
    }

    /// Forgets every namespace's level; the default becomes info.
    pub fn clear(&self) {
        self.change(|levels| *levels = Levels::default());
    }

    /// The least severe level that passes for `namespace` (`None`: none).
    pub fn level_for(&self, namespace: &str) -> Option<LogLevel> {
        match self.only_default.load(Ordering::Acquire) {
            PER_NAMESPACE => {}
            NO_LEVEL => return None,
            level => return LogLevel::from_u8(level),
        }
        self.with_levels(|levels| {
            levels
                .by_namespace
                .iter()
                .find(|(ns, _)| is_prefix(ns, namespace))
                .map_or(levels.default, |(_, l)| *l)
        })
    }

    /// Runs `read` on the levels, from this thread's copy while no change
    /// has been made since it was taken (a change made before this call,
    /// on any thread, is always seen).
    fn with_levels<R>(&self, read: impl Fn(&Levels) -> R) -> R {
        let generation = self.generation.load(Ordering::Acquire);
        let from_copy = COPIES.try_with(|copies| {
            let mut copies = copies.try_borrow_mut().ok()?;
            let at = match copies.iter().position(|(id, ..)| *id == self.id) {
                Some(at) => at,
                None => {
                    if copies.len() == COPIES_KEPT {
                        copies.remove(0);
                    }
                    copies.push((self.id, generation.wrapping_sub(1), Arc::default()));
                    copies.len() - 1
                }
            };
            let copy = &mut copies[at];
            if copy.1 != generation {
                *copy = (self.id, generation, self.current());
            }
            Some(read(&copy.2))
        });
        // Re-entered, or the thread is ending: the shared levels.
        from_copy
            .ok()
            .flatten()
            .unwrap_or_else(|| read(&self.current()))
    }

    /// The levels as they are now.
    fn current(&self) -> Arc<Levels> {
        self.levels
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Info for every namespace.
impl Default for Levels {
    fn default() -> Self {
        Levels {
            default: Some(LogLevel::Info),
            by_namespace: Vec::new(),
        }
    }
}

impl LogLevelFilterPredicate {
    /// The answer for an event at `level` (if it has one) in `namespace`.
    fn answer(&self, namespace: &str, level: Option<LogLevel>) -> PredicateResult {
        match (level, self.level_for(namespace)) {
            (_, None) => PredicateResult::No,
            (Some(level), Some(t)) if level < t => PredicateResult::No,
            _ => PredicateResult::Maybe,
        }
    }
}

impl Predicate for LogLevelFilterPredicate {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        self.answer(event.namespace().unwrap_or(""), event.level())
    }

    fn evaluate_level(&self, namespace: &str, level: LogLevel) -> Option<PredicateResult> {
        Some(self.answer(namespace, Some(level)))
    }

    fn floor(&self) -> Option<LogLevel> {
        self.with_levels(Levels::floor)
    }

    fn floor_for(&self, namespace: &str) -> Option<LogLevel> {
        self.level_for(namespace)
    }

    fn may_say_yes(&self) -> bool {
        false
    }
}

/// A directive that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// The directive as written.
    pub directive: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for DirectiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad log directive `{}`: {}", self.directive, self.reason)
    }
}

impl std::error::Error for DirectiveError {}

fn parse_level(text: &str) -> Result<Option<LogLevel>, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse::<LogLevel>()
        .map(Some)
        .map_err(|e| e.to_string().replace("critical", "critical, off"))
}

/// One directive: a namespace (`None` for the default) and its level
/// (`None`: off).
pub type Directive = (Option<String>, Option<LogLevel>);

/// Parses `RUST_LOG`-style directives: `level` (the default) and
/// `namespace=level`, separated by commas.
///
/// ```
/// use logobservers::parse_directives;
/// use logcore::LogLevel;
/// let d = parse_directives("warn, app::db=debug").unwrap();
/// assert_eq!(d, [(None, Some(LogLevel::Warn)), (Some("app::db".to_string()), Some(LogLevel::Debug))]);
/// assert!(parse_directives("app=loud").unwrap_err().to_string().contains("app=loud"));
/// ```
pub fn parse_directives(directives: &str) -> Result<Vec<Directive>, DirectiveError> {
    let mut out = Vec::new();
    for directive in directives
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let err = |reason: String| DirectiveError {
            directive: directive.to_string(),
            reason,
        };
        match directive.split_once('=') {
            Some((namespace, level)) => {
                let namespace = namespace.trim();
                if namespace.is_empty() || namespace.contains(char::is_whitespace) {
                    return Err(err("the namespace is empty or has spaces".to_string()));
                }
                out.push((
                    Some(namespace.to_string()),
                    parse_level(level).map_err(err)?,
                ));
            }
            None => match parse_level(directive) {
                Ok(level) => out.push((None, level)),
                // A bare namespace means "everything" for it, as RUST_LOG does.
                Err(_) if !directive.contains(char::is_whitespace) => {
                    out.push((Some(directive.to_string()), Some(LogLevel::Trace)))
                }
                Err(e) => return Err(err(e)),
            },
        }
    }
    Ok(out)
}

/// Accepts events of exactly one namespace (`Maybe`), rejects the rest.
///
/// ```
/// use logobservers::{NamespacePredicate, Predicate, PredicateResult};
/// use logcore::{Event, LogLevel, OwnedEvent};
/// let p = NamespacePredicate::new("app::db");
/// let e = OwnedEvent::new(LogLevel::Info, "app::db", "");
/// assert_eq!(p.evaluate(&Event::from_owned(&e)), PredicateResult::Maybe);
/// ```
#[derive(Debug, Clone)]
pub struct NamespacePredicate(String);

impl NamespacePredicate {
    /// Passes only `namespace`.
    pub fn new(namespace: &str) -> Self {
        NamespacePredicate(namespace.to_string())
    }
}

impl Predicate for NamespacePredicate {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        maybe_if(event.namespace() == Some(self.0.as_str()))
    }
    fn evaluate_level(&self, namespace: &str, _: LogLevel) -> Option<PredicateResult> {
        Some(maybe_if(namespace == self.0))
    }
    fn floor_for(&self, namespace: &str) -> Option<LogLevel> {
        (namespace == self.0).then_some(LogLevel::Trace)
    }
    fn may_say_yes(&self) -> bool {
        false
    }
}

/// `Maybe` (pass it on to the next predicate) if `passes`, else `No`.
fn maybe_if(passes: bool) -> PredicateResult {
    if passes {
        PredicateResult::Maybe
    } else {
        PredicateResult::No
    }
}

/// Passes namespaces matching a glob (`*` any run of characters, `?` one).
///
/// ```
/// use logobservers::GlobPredicate;
/// let p = GlobPredicate::new("app::*::db");
/// assert!(p.matches("app::eu::db") && !p.matches("app::db::x"));
/// ```
#[derive(Debug, Clone)]
pub struct GlobPredicate(Vec<char>);

impl GlobPredicate {
    /// Passes namespaces that match `glob`.
    pub fn new(glob: &str) -> Self {
        GlobPredicate(glob.chars().collect())
    }

    /// Whether `namespace` matches. (Walks the namespace in place: it runs
    /// for every event, so it allocates nothing.)
    pub fn matches(&self, namespace: &str) -> bool {
        // `t` and `mark` are byte offsets in `namespace`, on char boundaries
        let next = |at: usize| namespace[at..].chars().next();
        let (pattern, mut p, mut t) = (&self.0, 0, 0);
        let (mut star, mut mark) = (None, 0);
        while let Some(c) = next(t) {
            if p < pattern.len() && (pattern[p] == '?' || pattern[p] == c) {
                p += 1;
                t += c.len_utf8();
            } else if p < pattern.len() && pattern[p] == '*' {
                star = Some(p);
                mark = t;
                p += 1;
            } else if let Some(s) = star {
                p = s + 1;
                mark += next(mark).map_or(1, char::len_utf8);
                t = mark;
            } else {
                return false;
            }
        }
        pattern[p..].iter().all(|&c| c == '*')
    }
}

impl Predicate for GlobPredicate {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        maybe_if(self.matches(event.namespace().unwrap_or("")))
    }
    fn evaluate_level(&self, namespace: &str, _: LogLevel) -> Option<PredicateResult> {
        Some(maybe_if(self.matches(namespace)))
    }
    fn floor_for(&self, namespace: &str) -> Option<LogLevel> {
        self.matches(namespace).then_some(LogLevel::Trace)
    }
    fn may_say_yes(&self) -> bool {
        false
    }
}

/// Passes events whose rendered text matches a regular expression.
///
/// ```
/// use logobservers::{TextRegexPredicate, Predicate, PredicateResult};
/// use logcore::{Event, LogLevel, OwnedEvent};
/// let p = TextRegexPredicate::new(r"timeout after \d+ms").unwrap();
/// let e = OwnedEvent::new(LogLevel::Warn, "net", "timeout after 30ms");
/// assert_eq!(p.evaluate(&Event::from_owned(&e)), PredicateResult::Maybe);
/// assert!(TextRegexPredicate::new("(").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct TextRegexPredicate(regex::Regex);

impl TextRegexPredicate {
    /// Passes events whose text matches `pattern`.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        regex::Regex::new(pattern).map(TextRegexPredicate)
    }
}

impl Predicate for TextRegexPredicate {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        maybe_if(self.0.is_match(&event.text()))
    }
    fn may_say_yes(&self) -> bool {
        false
    }
}

/// A shared predicate (one [`LogLevelFilterPredicate`] can filter several
/// observers and still be changed at run time).
impl<P: Predicate + ?Sized> Predicate for std::sync::Arc<P> {
    fn evaluate(&self, event: &Event<'_>) -> PredicateResult {
        (**self).evaluate(event)
    }
    fn floor(&self) -> Option<LogLevel> {
        (**self).floor()
    }
    fn floor_for(&self, namespace: &str) -> Option<LogLevel> {
        (**self).floor_for(namespace)
    }
    fn may_say_yes(&self) -> bool {
        (**self).may_say_yes()
    }
    fn evaluate_level(&self, namespace: &str, level: LogLevel) -> Option<PredicateResult> {
        (**self).evaluate_level(namespace, level)
    }
}

#[cfg(test)]
mod tests {
    use logcore::OwnedEvent;

    use super::*;

    /// Takes calls without an event, counting them.
    struct Takes(std::sync::atomic::AtomicUsize);
    impl Observer for Takes {
        fn observe(&self, _: &Event<'_>) {}
        fn __takes_direct(&self) -> bool {
            true
        }
        fn __observe_direct(&self, _: &DirectCall<'_>) -> bool {
            self.0.fetch_add(1, Ordering::Relaxed);
            true
        }
    }

    #[test]
    fn a_filter_of_one_level_answers_without_looking_up_the_namespace() {
        let only = |p: &LogLevelFilterPredicate| p.only_default.load(Ordering::Relaxed);
        let p = LogLevelFilterPredicate::from_directives("warn").unwrap();
        assert_eq!(only(&p), LogLevel::Warn.as_u8());
        assert_eq!(p.level_for("any::thing"), Some(LogLevel::Warn));
        p.set_level("db", Some(LogLevel::Debug));
        assert_eq!(only(&p), PER_NAMESPACE);
        assert_eq!(p.level_for("db::pool"), Some(LogLevel::Debug));
        assert_eq!(p.level_for("web"), Some(LogLevel::Warn));
        p.clear();
        assert_eq!(only(&p), LogLevel::Info.as_u8());
        assert_eq!(p.level_for("db::pool"), Some(LogLevel::Info));
        p.set_default(None);
        assert_eq!(only(&p), NO_LEVEL);
        assert_eq!(p.level_for("db"), None);
        // a change made on another thread is seen
        std::thread::scope(|s| {
            s.spawn(|| p.set_default(Some(LogLevel::Error)));
        });
        assert_eq!(p.level_for("db"), Some(LogLevel::Error));
        assert_eq!(
            LogLevelFilterPredicate::new().level_for("x"),
            Some(LogLevel::Info)
        );
    }

    #[test]
    fn a_filter_answers_a_call_without_an_event_as_it_would_its_event() {
        use logcore::{ALL_LEVELS, Callsite, CallsiteId, Interest, Piece};
        let levels = || LogLevelFilterPredicate::from_directives("warn,app::db=debug").unwrap();
        let predicates: [Box<dyn Predicate>; 3] = [
            Box::new(levels()),
            Box::new(NamespacePredicate::new("app::db")),
            Box::new(GlobPredicate::new("app::*")),
        ];
        for predicate in &predicates {
            for namespace in ["app::db", "app::web", "other", ""] {
                for level in ALL_LEVELS {
                    let event = OwnedEvent::new(level, namespace, "plain");
                    let whole = predicate.evaluate(&Event::from_owned(&event));
                    let by_level = predicate.evaluate_level(namespace, level);
                    assert_eq!(by_level, Some(whole), "{namespace} {level:?}");
                }
            }
        }
        static SITE: Callsite = Callsite {
            format: "plain",
            pieces: &[Piece::Literal("plain")],
            names: &[],
            module_path: "app::db",
            file: "filter.rs",
            line: 1,
            calls: false,
            bare: &[],
            escape_free: true,
            id: CallsiteId::new(),
            interest: Interest::new(),
        };
        let call = |level| DirectCall {
            level,
            callsite: &SITE,
            values: &[],
            logger: None,
        };
        let filter = FilteringObserver::new(Takes(Default::default())).with_predicate(levels());
        assert!(filter.__takes_direct());
        // passed on, or filtered out (done with)
        assert!(filter.__observe_direct(&call(LogLevel::Debug)));
        assert!(filter.__observe_direct(&call(LogLevel::Trace)));
        assert_eq!(filter.observer.0.load(Ordering::Relaxed), 1);
        // a predicate that needs the event: given back, nothing done
        let text = FilteringObserver::new(Takes(Default::default()))
            .with_predicate(levels())
            .with_predicate(TextRegexPredicate::new("plain").unwrap());
        assert!(!text.__observe_direct(&call(LogLevel::Error)));
        assert_eq!(text.observer.0.load(Ordering::Relaxed), 0);
        // (but one filtered out before it is done with)
        assert!(text.__observe_direct(&call(LogLevel::Trace)));
        // an observer that takes no calls so: neither does its filter
        assert!(!FilteringObserver::new(|_: &Event<'_>| {}).__takes_direct());
    }

    #[test]
    fn directive_table() {
        use LogLevel::*;
        type Case<'a> = (&'a str, &'a [(Option<&'a str>, Option<LogLevel>)]);
        let ok: &[Case<'_>] = &[
            ("", &[]),
            ("info", &[(None, Some(Info))]),
            ("OFF", &[(None, None)]),
            (
                "warn,app::db=debug,hyper=warn",
                &[
                    (None, Some(Warn)),
                    (Some("app::db"), Some(Debug)),
                    (Some("hyper"), Some(Warn)),
                ],
            ),
            (" app = trace , ", &[(Some("app"), Some(Trace))]),
            ("app.web=error", &[(Some("app.web"), Some(Error))]),
            ("my_crate", &[(Some("my_crate"), Some(Trace))]),
            ("x=warning", &[(Some("x"), Some(Warn))]),
        ];
        for (input, want) in ok {
            let got = parse_directives(input).unwrap();
            let want: Vec<_> = want
                .iter()
                .map(|(n, l)| (n.map(str::to_string), *l))
                .collect();
            assert_eq!(got, want, "{input:?}");
        }
        for bad in ["app=loud", "=info", "a b=info", "x=", "warn,app=nope"] {
            let e = parse_directives(bad).unwrap_err();
            assert!(e.to_string().starts_with("bad log directive `"), "{e}");
        }
        assert!(
            parse_directives("app=loud")
                .unwrap_err()
                .reason
                .contains("expected one of")
        );
    }

    #[test]
    fn longest_prefix_on_segment_boundaries() {
        let p =
            LogLevelFilterPredicate::from_directives("error,app=info,app::db=debug,app.web=warn")
                .unwrap();
        let cases = [
            ("app", Some(LogLevel::Info)),
            ("app::db", Some(LogLevel::Debug)),
            ("app::db::pool", Some(LogLevel::Debug)),
            ("app::dbx", Some(LogLevel::Info)),
            ("app.web.views", Some(LogLevel::Warn)),
            ("apple", Some(LogLevel::Error)),
            ("", Some(LogLevel::Error)),
        ];
        for (ns, want) in cases {
            assert_eq!(p.level_for(ns), want, "{ns}");
        }
        assert_eq!(p.floor(), Some(LogLevel::Debug));
        p.set_level("app::db", None);
        assert_eq!(p.level_for("app::db::pool"), None);
        let e = OwnedEvent::new(LogLevel::Critical, "app::db", "");
        assert_eq!(p.evaluate(&Event::from_owned(&e)), PredicateResult::No);
        p.clear();
        assert_eq!(p.level_for("app::db"), Some(LogLevel::Info));
    }

    #[test]
    fn a_yes_before_a_level_predicate_keeps_lower_levels_enabled() {
        let yes_for_db = |e: &Event<'_>| {
            if e.namespace() == Some("db") {
                PredicateResult::Yes
            } else {
                PredicateResult::Maybe
            }
        };
        let seen = std::sync::Arc::new(std::sync::Mutex::new(0));
        let count = seen.clone();
        let f = FilteringObserver::new(move |_: &Event<'_>| *count.lock().unwrap() += 1)
            .with_predicate(yes_for_db)
            .with_predicate(LogLevelFilterPredicate::from_directives("error").unwrap());
        assert_eq!(
            f.max_level(),
            Some(LogLevel::Trace),
            "the first predicate may accept anything"
        );
        f.observe(&Event::from_owned(&OwnedEvent::new(
            LogLevel::Debug,
            "db",
            "",
        )));
        f.observe(&Event::from_owned(&OwnedEvent::new(
            LogLevel::Debug,
            "web",
            "",
        )));
        assert_eq!(*seen.lock().unwrap(), 1);
        let levels_first = FilteringObserver::new(|_: &Event<'_>| {})
            .with_predicate(LogLevelFilterPredicate::from_directives("error").unwrap())
            .with_predicate(yes_for_db);
        assert_eq!(levels_first.max_level(), Some(LogLevel::Error));
        let off = FilteringObserver::new(|_: &Event<'_>| {})
            .with_predicate(LogLevelFilterPredicate::from_directives("off").unwrap());
        assert_eq!(off.max_level(), None);
    }

    #[test]
    fn level_changes_are_seen_at_once_by_every_thread() {
        // More predicates than a thread keeps copies of, read in turn.
        let predicates: Vec<LogLevelFilterPredicate> = (0..COPIES_KEPT + 2)
            .map(|_| LogLevelFilterPredicate::new())
            .collect();
        for round in 0..3 {
            for (i, p) in predicates.iter().enumerate() {
                assert_eq!(p.level_for("app::db"), Some(LogLevel::Info), "{round} {i}");
            }
        }
        let p = &predicates[0];
        // Changed on this thread: seen by the next call.
        p.set_level("app", Some(LogLevel::Debug));
        assert_eq!(p.level_for("app::db"), Some(LogLevel::Debug));
        assert_eq!(p.floor(), Some(LogLevel::Debug));
        // Changed on another thread while this one reads: seen once the
        // change is done, and the other predicates keep their own.
        std::thread::scope(|s| {
            s.spawn(|| p.set_level("app::db", Some(LogLevel::Error)))
                .join()
                .unwrap();
        });
        assert_eq!(p.level_for("app::db"), Some(LogLevel::Error));
        assert_eq!(p.level_for("app::web"), Some(LogLevel::Debug));
        assert_eq!(predicates[1].level_for("app::db"), Some(LogLevel::Info));
        // Threads reading while another changes the default: each read
        // sees the level before or after the change, nothing else, and
        // once the change is done every thread sees it.
        let q = &predicates[2];
        std::thread::scope(|s| {
            let readers: Vec<_> = (0..3)
                .map(|_| {
                    s.spawn(|| {
                        for _ in 0..2000 {
                            let level = q.level_for("x");
                            assert!(level == Some(LogLevel::Info) || level == Some(LogLevel::Warn));
                        }
                    })
                })
                .collect();
            q.set_default(Some(LogLevel::Warn));
            for r in readers {
                r.join().unwrap();
            }
            s.spawn(|| assert_eq!(q.level_for("x"), Some(LogLevel::Warn)));
        });
        q.set_default(None);
        assert_eq!((q.level_for("x"), q.floor()), (None, None));
        q.clear();
        assert_eq!(
            (q.level_for("app"), q.floor()),
            (Some(LogLevel::Info), Some(LogLevel::Info))
        );
    }

    #[test]
    fn levels_per_namespace_for_call_sites() {
        let levels =
            LogLevelFilterPredicate::from_directives("warn,app::db=debug,hyper=off").unwrap();
        let f = FilteringObserver::new(|_: &Event<'_>| {}).with_predicate(levels);
        assert_eq!(f.max_level(), Some(LogLevel::Debug));
        assert_eq!(f.max_level_for("app::db::pool"), Some(LogLevel::Debug));
        assert_eq!(f.max_level_for("app::web"), Some(LogLevel::Warn));
        assert_eq!(f.max_level_for("hyper::client"), None);
        // Namespace and glob predicates answer per namespace; one that may
        // say yes, or a closure, answers with its floor.
        let only = FilteringObserver::new(|_: &Event<'_>| {})
            .with_predicate(NamespacePredicate::new("app::db"))
            .with_predicate(GlobPredicate::new("app::*"));
        assert_eq!(only.max_level_for("app::db"), Some(LogLevel::Trace));
        assert_eq!(only.max_level_for("app::web"), None);
        let globbed =
            FilteringObserver::new(|_: &Event<'_>| {}).with_predicate(GlobPredicate::new("app::*"));
        assert_eq!(globbed.max_level_for("app::web"), Some(LogLevel::Trace));
        assert_eq!(globbed.max_level_for("db"), None);
        let open = FilteringObserver::new(|_: &Event<'_>| {})
            .with_predicate(|_: &Event<'_>| PredicateResult::Yes)
            .with_predicate(NamespacePredicate::new("app::db"));
        assert_eq!(open.max_level_for("elsewhere"), Some(LogLevel::Trace));
        // Shared predicates answer as themselves.
        let shared = Arc::new(NamespacePredicate::new("x"));
        assert_eq!(shared.floor_for("y"), None);
    }

    #[test]
    fn globs() {
        let cases = [
            ("*", "anything", true),
            ("app::*", "app::db", true),
            ("app::*", "ap", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*db*", "x::db::y", true),
            ("", "", true),
            ("", "x", false),
            // several characters of several bytes, and backtracking over them
            ("é?::*ü", "éö::äü", true),
            ("*é*é", "aébéé", true),
            ("*é*é", "aébéx", false),
            ("?", "ü", true),
        ];
        for (glob, ns, want) in cases {
            assert_eq!(GlobPredicate::new(glob).matches(ns), want, "{glob} {ns}");
        }
    }
}
