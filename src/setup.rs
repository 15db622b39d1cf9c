//! One-line setup: [`init`] and the [`Setup`] builder.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use logcore::{Observer, global_log_beginner, install_panic_hook};
use logobservers::{
    DirectiveError, FilteringObserver, FullPolicy, JsonObserver, LogLevelFilterPredicate,
    NonBlocking, NonBlockingGuard, RotatingFile, Rotation, TextObserver,
};

/// Why setting up logging failed.
#[derive(Debug)]
pub enum InitError {
    /// A level directive (from the builder or an environment variable) does not parse.
    Directive {
        /// Where it came from: `SPINDLE_LOG`, `RUST_LOG` or `Setup::directives`.
        source: &'static str,
        /// What is wrong with it.
        error: DirectiveError,
    },
    /// The background thread that writes files could not be started.
    Thread {
        /// Why.
        error: io::Error,
    },
    /// A log file could not be opened.
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::Directive { source, error } => write!(f, "{source}: {error}"),
            InitError::Thread { error } => write!(f, "cannot start the logging thread: {error}"),
            // RotatingFile's errors name the file already.
            InitError::File { error, .. } => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for InitError {}

/// Logs to stderr in twisted's text layout (coloured on a terminal unless
/// `NO_COLOR` is set), with levels from `SPINDLE_LOG`, else `RUST_LOG`
/// (directives such as `info,app::db=debug`), else `info`; installs the
/// panic hook and, with the `log` feature, the `log` bridge; and begins
/// logging, replaying what was logged before.
///
/// ```no_run
/// fn main() -> Result<(), spindle::InitError> {
///     spindle::init()?;
///     spindle::info!("ready");
///     Ok(())
/// }
/// ```
pub fn init() -> Result<LoggingGuard, InitError> {
    Setup::new().begin()
}

/// Builds a logging setup: text to stderr, and optionally JSON (twisted's
/// format) to a rotating file written from a background thread; one set of
/// level directives for both.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("spindle-doc-setup-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let guard = spindle::Setup::new()
///     .directives("info,app::db=debug")
///     .stderr(false)
///     .json_file(dir.join("app.json"), spindle::Rotation::Size(10 << 20), 5)
///     .begin()
///     .unwrap();
/// spindle::info!("hello {n}", n = 1);
/// drop(guard); // delivers what is queued
/// let text = std::fs::read_to_string(dir.join("app.json")).unwrap();
/// assert!(text.contains(r#""log_format":"hello {n}""#), "{text}");
/// assert!(text.contains(r#""n!s:":"1""#), "{text}");
/// ```
#[derive(Debug)]
pub struct Setup {
    directives: Option<String>,
    stderr: bool,
    json: Option<(PathBuf, Rotation, usize)>,
    queue: usize,
    panic_hook: bool,
    log_bridge: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup::new()
    }
}

impl Setup {
    /// Text to stderr, levels from the environment, panic hook and `log`
    /// bridge on.
    pub fn new() -> Self {
        Setup {
            directives: None,
            stderr: true,
            json: None,
            // 1 MiB of ring per logging thread
            queue: 16 * 1024,
            panic_hook: true,
            log_bridge: true,
        }
    }

    /// Level directives (instead of `SPINDLE_LOG` / `RUST_LOG`).
    pub fn directives(mut self, directives: &str) -> Self {
        self.directives = Some(directives.to_string());
        self
    }

    /// Whether to write text to stderr (default yes).
    pub fn stderr(mut self, on: bool) -> Self {
        self.stderr = on;
        self
    }

    /// Also writes JSON to `path`, rotated as `rotation` says, keeping
    /// `keep` old files; written from a background thread through a queue
    /// that blocks when full, so nothing is lost.
    pub fn json_file(mut self, path: impl Into<PathBuf>, rotation: Rotation, keep: usize) -> Self {
        self.json = Some((path.into(), rotation, keep));
        self
    }

    /// Whether to install the panic hook (default yes).
    pub fn panic_hook(mut self, on: bool) -> Self {
        self.panic_hook = on;
        self
    }

    /// Whether to install the `log` bridge (default yes, with the `log` feature).
    pub fn log_bridge(mut self, on: bool) -> Self {
        self.log_bridge = on;
        self
    }

    fn predicate(&self) -> Result<LogLevelFilterPredicate, InitError> {
        let (source, directives) = match &self.directives {
            Some(d) => ("Setup::directives", d.clone()),
            None => match (std::env::var("SPINDLE_LOG"), std::env::var("RUST_LOG")) {
                (Ok(d), _) => ("SPINDLE_LOG", d),
                (_, Ok(d)) => ("RUST_LOG", d),
                _ => ("default", "info".to_string()),
            },
        };
        LogLevelFilterPredicate::from_directives(&directives)
            .map_err(|error| InitError::Directive { source, error })
    }

    /// Sets it all up and begins logging (replaying what was logged before).
    pub fn begin(self) -> Result<LoggingGuard, InitError> {
        let levels = Arc::new(self.predicate()?);
        let mut observers: Vec<Arc<dyn Observer>> = Vec::new();
        let mut guards = Vec::new();
        if self.stderr {
            observers.push(Arc::new(
                FilteringObserver::new(TextObserver::stderr()).with_predicate(levels.clone()),
            ));
        }
        if let Some((path, rotation, keep)) = self.json {
            let file = RotatingFile::new(&path, rotation, keep)
                .map_err(|error| InitError::File { path, error })?;
            let json = JsonObserver::new(file).with_flush_each(false);
            let (queued, guard) = NonBlocking::new(json, self.queue, FullPolicy::Block)
                .map_err(|error| InitError::Thread { error })?;
            observers.push(Arc::new(
                FilteringObserver::new(queued).with_predicate(levels.clone()),
            ));
            guards.push(guard);
        }
        if self.panic_hook {
            install_panic_hook();
        }
        #[cfg(feature = "log")]
        if self.log_bridge {
            // Another `log` logger may be installed already; spindle still works.
            let _ = logobservers::install_log_bridge();
        }
        global_log_beginner().begin_logging_to(observers);
        Ok(LoggingGuard { levels, guards })
    }
}

/// Keeps logging running: dropping it delivers everything queued for files.
/// Keep it in `main`; use [`LoggingGuard::exit`] instead of
/// `std::process::exit`, which would skip the drop.
#[must_use = "dropping the guard stops file logging"]
#[derive(Debug)]
pub struct LoggingGuard {
    levels: Arc<LogLevelFilterPredicate>,
    guards: Vec<NonBlockingGuard>,
}

impl LoggingGuard {
    /// The level predicate, to change levels while the program runs.
    ///
    /// ```no_run
    /// let guard = spindle::init().unwrap();
    /// guard.levels().set_level("app::db", Some(spindle::LogLevel::Debug));
    /// ```
    pub fn levels(&self) -> &LogLevelFilterPredicate {
        &self.levels
    }

    /// Waits until everything logged so far is written.
    pub fn flush(&self) {
        for guard in &self.guards {
            guard.flush();
        }
        logcore::global_publisher().flush();
    }

    /// Writes everything out, then exits the process with `code`.
    pub fn exit(self, code: i32) -> ! {
        drop(self);
        std::process::exit(code)
    }
}

impl Drop for LoggingGuard {
    fn drop(&mut self) {
        logcore::global_publisher().flush();
    }
}
