use std::backtrace::Backtrace;
use std::error::Error;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// An error with its `source()` chain and the stack where it was logged:
/// what `failure!` puts in `log_failure` (twisted's `Failure`).
///
/// ```
/// use logcore::Failure;
/// let err = std::io::Error::other("disk on fire");
/// let failure = Failure::capture(&err);
/// assert_eq!(failure.message(), "disk on fire");
/// assert_eq!(failure.type_name(), "std::io::error::Error");
/// assert!(failure.traceback().ends_with("std::io::error::Error: disk on fire\n"));
/// ```
#[derive(Clone)]
pub struct Failure {
    inner: Arc<Inner>,
}

struct Inner {
    type_name: String,
    message: String,
    causes: Vec<String>,
    /// The stack as captured, its symbols not looked up yet: that takes
    /// most of a capture's time, and is done only if the frames are asked
    /// for (by an observer that writes the traceback, maybe on another
    /// thread).
    stack: Option<Backtrace>,
    /// The frames, from `stack` when first asked for.
    frames: OnceLock<Vec<Frame>>,
    parents: Vec<String>,
}

/// One stack frame of a [`Failure`], outermost first (twisted's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function, e.g. `app::handler`.
    pub function: String,
    /// The source file.
    pub file: String,
    /// The line in `file`.
    pub line: u32,
}

/// Turns an error of any shape into `&dyn Error`: concrete errors, `dyn Error`
/// (with or without `Send + Sync`), and anything that derefs to them
/// (`Box<dyn Error>`, `anyhow::Error`), through method-call autoderef.
pub trait AsDynError {
    /// The error as a trait object.
    fn as_dyn_error(&self) -> &(dyn Error + 'static);
    /// The error's type name.
    fn error_type_name(&self) -> &'static str;
}

impl<E: Error + 'static> AsDynError for E {
    fn as_dyn_error(&self) -> &(dyn Error + 'static) {
        self
    }
    fn error_type_name(&self) -> &'static str {
        std::any::type_name::<E>()
    }
}

macro_rules! as_dyn_error {
    ($($t:ty),*) => {$(
        impl AsDynError for $t {
            fn as_dyn_error(&self) -> &(dyn Error + 'static) {
                self
            }
            fn error_type_name(&self) -> &'static str {
                "dyn std::error::Error"
            }
        }
    )*};
}
as_dyn_error!(
    dyn Error + 'static,
    dyn Error + Send + 'static,
    dyn Error + Send + Sync + 'static
);

impl Failure {
    /// Captures `error`, its `source()` chain and the current stack.
    pub fn capture<E: AsDynError + ?Sized>(error: &E) -> Failure {
        Failure::from_parts(
            error.error_type_name(),
            error.as_dyn_error(),
            Backtrace::force_capture(),
        )
    }

    /// Captures an error given as a trait object with its type name (what
    /// `failure!` expands to).
    #[doc(hidden)]
    pub fn from_dyn(type_name: &str, error: &(dyn Error + 'static)) -> Failure {
        Failure::from_parts(type_name, error, Backtrace::force_capture())
    }

    fn from_parts(type_name: &str, error: &(dyn Error + 'static), stack: Backtrace) -> Failure {
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            if causes.len() == 64 {
                causes.push("… (chain cut at 64 causes)".to_string());
                break;
            }
            causes.push(crate::text::catch_text(|out| {
                fmt::write(out, format_args!("{cause}"))
            }));
            source = cause.source();
        }
        Failure {
            inner: Arc::new(Inner {
                type_name: type_name.to_string(),
                message: crate::text::catch_text(|out| fmt::write(out, format_args!("{error}"))),
                causes,
                stack: Some(stack),
                frames: OnceLock::new(),
                parents: Vec::new(),
            }),
        }
    }

    /// Builds a failure from stored parts (for events read back from files).
    ///
    /// ```
    /// use logcore::{Failure, Frame};
    /// let f = Failure::from_stored("builtins.ZeroDivisionError", "division by zero", vec![], vec![]);
    /// assert_eq!(f.traceback(), "Traceback (most recent call last):\nbuiltins.ZeroDivisionError: division by zero\n");
    /// ```
    pub fn from_stored(
        type_name: &str,
        message: &str,
        causes: Vec<String>,
        frames: Vec<Frame>,
    ) -> Failure {
        Failure {
            inner: Arc::new(Inner {
                type_name: type_name.to_string(),
                message: message.to_string(),
                causes,
                stack: None,
                frames: OnceLock::from(frames),
                parents: Vec::new(),
            }),
        }
    }

    /// The same failure with the qualified names of its type's parents (as
    /// twisted stores them).
    ///
    /// ```
    /// let f = logcore::Failure::from_stored("builtins.KeyError", "'k'", vec![], vec![])
    ///     .with_parents(vec!["builtins.LookupError".into()]);
    /// assert_eq!(f.parents(), ["builtins.LookupError"]);
    /// ```
    pub fn with_parents(self, parents: Vec<String>) -> Failure {
        let inner = &self.inner;
        Failure {
            inner: Arc::new(Inner {
                type_name: inner.type_name.clone(),
                message: inner.message.clone(),
                causes: inner.causes.clone(),
                stack: None,
                frames: OnceLock::from(self.frames().to_vec()),
                parents,
            }),
        }
    }

    /// The error's type name.
    pub fn type_name(&self) -> &str {
        &self.inner.type_name
    }

    /// The error's message (its `Display`).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The messages of the `source()` chain, nearest first.
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct Outer(std::io::Error);
    /// impl std::fmt::Display for Outer {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("outer") }
    /// }
    /// impl std::error::Error for Outer {
    ///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> { Some(&self.0) }
    /// }
    /// let f = logcore::Failure::capture(&Outer(std::io::Error::other("inner")));
    /// assert_eq!(f.causes(), ["inner"]);
    /// ```
    pub fn causes(&self) -> &[String] {
        &self.inner.causes
    }

    /// The stack frames, outermost first (a captured stack's symbols are
    /// looked up the first time they are asked for).
    pub fn frames(&self) -> &[Frame] {
        self.inner.frames.get_or_init(|| {
            self.inner
                .stack
                .as_ref()
                .map(|stack| parse_backtrace(&stack.to_string()))
                .unwrap_or_default()
        })
    }

    /// Qualified names of the error's type's parents (from twisted's files;
    /// empty for Rust errors).
    pub fn parents(&self) -> &[String] {
        &self.inner.parents
    }

    /// The traceback text, in the layout of twisted's `getTraceback()`:
    /// frames outermost first, then `type: message`, then the causes.
    pub fn traceback(&self) -> String {
        let mut out = String::from("Traceback (most recent call last):\n");
        for frame in self.frames() {
            out.push_str(&format!(
                "  File \"{}\", line {}, in {}\n",
                frame.file, frame.line, frame.function
            ));
        }
        out.push_str(&format!("{}: {}\n", self.type_name(), self.message()));
        for cause in self.causes() {
            out.push_str(&format!("Caused by: {cause}\n"));
        }
        out
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("type_name", &self.inner.type_name)
            .field("message", &self.inner.message)
            .field("causes", &self.inner.causes)
            .field("frames", &self.frames().len())
            .finish()
    }
}

impl PartialEq for Failure {
    fn eq(&self, other: &Self) -> bool {
        self.type_name() == other.type_name()
            && self.message() == other.message()
            && self.causes() == other.causes()
            && self.frames() == other.frames()
    }
}

/// Frames of the capturing machinery and of the runtime around `main`, which
/// say nothing about the program.
fn is_noise(function: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "std::backtrace",
        "std::sys::backtrace",
        "std::rt::",
        "std::panicking",
        "std::panic::",
        "core::ops::function",
        "core::panicking",
        "logcore::failure",
        "spindle::__private::",
        "<logcore::failure",
        "__libc_start",
        "_start",
        "__rust",
        "rust_begin_unwind",
    ];
    const INFIXES: &[&str] = &[
        "std::sys::",
        "core::ops::function::FnOnce",
        "std::thread::",
        "core::panic::unwind_safe",
    ];
    PREFIXES.iter().any(|p| function.starts_with(p))
        || INFIXES.iter().any(|p| function.contains(p))
        || matches!(function, "main" | "start_thread" | "clone" | "clone3")
}

/// Parses std's backtrace text (`  N: function` then `at file:line:col`)
/// into frames, outermost first.
pub(crate) fn parse_backtrace(text: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some((number, function)) = trimmed.split_once(": ") else {
            continue;
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let function = strip_hash(function.trim());
        let (mut file, mut line_no) = (String::from("<unknown>"), 0);
        if let Some(next) = lines.peek()
            && let Some(location) = next.trim_start().strip_prefix("at ")
        {
            let mut parts = location.rsplitn(3, ':');
            let (_col, line_part, file_part) = (parts.next(), parts.next(), parts.next());
            if let (Some(l), Some(f)) = (line_part, file_part) {
                file = f.to_string();
                line_no = l.parse().unwrap_or(0);
            }
            lines.next();
        }
        if !is_noise(&function) {
            frames.push(Frame {
                function,
                file,
                line: line_no,
            });
        }
    }
    frames.reverse();
    frames
}

/// Removes the `::h0123456789abcdef` hash suffix of a symbol.
fn strip_hash(function: &str) -> String {
    match function.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head.to_string()
        }
        _ => function.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_captured_stack_is_looked_up_once_when_first_asked_for() {
        // (this module's own frames are noise: the test harness's are not;
        // tests/macros.rs checks that the caller's function is found)
        let failure = Failure::capture(&std::io::Error::other("late"));
        assert!(failure.inner.frames.get().is_none(), "not looked up yet");
        let copy = failure.clone();
        // looked up on another thread, for both copies
        let frames = std::thread::spawn(move || copy.frames().to_vec())
            .join()
            .unwrap();
        assert!(
            frames.iter().any(|f| f.function.starts_with("test::")),
            "{frames:?}"
        );
        assert_eq!(failure.inner.frames.get(), Some(&frames));
        assert_eq!(failure.traceback().matches("  File ").count(), frames.len());
    }

    #[test]
    fn parses_std_backtrace_text() {
        let text = "   0: std::backtrace::Backtrace::force_capture
             at /rustc/x/library/std/src/backtrace.rs:312:13
   1: logcore::failure::Failure::capture
             at ./src/failure.rs:10:5
   2: app::work::h0123456789abcdef
             at ./src/main.rs:7:9
   3: app::main
             at ./src/main.rs:3:5
   4: core::ops::function::FnOnce::call_once
   5: main
   6: __libc_start_main
";
        let frames = parse_backtrace(text);
        assert_eq!(
            frames,
            [
                Frame {
                    function: "app::main".into(),
                    file: "./src/main.rs".into(),
                    line: 3
                },
                Frame {
                    function: "app::work".into(),
                    file: "./src/main.rs".into(),
                    line: 7
                },
            ]
        );
    }

    #[test]
    fn capture_holds_chain_and_stack() {
        #[derive(Debug)]
        struct Wrapper(Box<dyn Error + Send + Sync>);
        impl fmt::Display for Wrapper {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("wrapper failed")
            }
        }
        impl Error for Wrapper {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&*self.0)
            }
        }
        let inner: Box<dyn Error + Send + Sync> = "parse error".into();
        let failure = Failure::capture(&Wrapper(inner));
        assert_eq!(failure.message(), "wrapper failed");
        assert_eq!(failure.causes(), ["parse error"]);
        assert!(failure.type_name().ends_with("Wrapper"));
        assert!(failure.traceback().contains("Caused by: parse error\n"));
        // boxed errors go through autoderef
        let boxed: Box<dyn Error + Send + Sync> = "boxed".into();
        let failure = Failure::capture(&*boxed);
        assert_eq!(
            (failure.type_name(), failure.message()),
            ("dyn std::error::Error", "boxed")
        );
    }
}
