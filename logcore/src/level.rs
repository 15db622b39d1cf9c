use std::fmt;
use std::str::FromStr;

/// The level of an event: `trace < debug < info < warn < error < critical`
/// (twisted's five, with `trace` below `debug`).
///
/// ```
/// use logcore::LogLevel;
/// assert!(LogLevel::Debug < LogLevel::Info);
/// assert_eq!("WARN".parse::<LogLevel>().unwrap(), LogLevel::Warn);
/// assert_eq!(LogLevel::Critical.to_string(), "critical");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    /// Very fine detail, below twisted's levels.
    Trace = 0,
    /// Information for debugging.
    Debug = 1,
    /// Informational messages.
    Info = 2,
    /// Something unexpected that was handled.
    Warn = 3,
    /// A failure the program recovers from.
    Error = 4,
    /// A failure the program may not recover from.
    Critical = 5,
}

/// Every level, least severe first.
pub const ALL_LEVELS: [LogLevel; 6] = [
    LogLevel::Trace,
    LogLevel::Debug,
    LogLevel::Info,
    LogLevel::Warn,
    LogLevel::Error,
    LogLevel::Critical,
];

/// The value of a level threshold that enables nothing (one above critical).
pub(crate) const LEVEL_OFF: u8 = 6;

impl LogLevel {
    /// The lower-case name, as twisted writes it.
    ///
    /// ```
    /// assert_eq!(logcore::LogLevel::Info.name(), "info");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
        }
    }

    /// The level for a number from [`LogLevel::as_u8`].
    ///
    /// ```
    /// use logcore::LogLevel;
    /// assert_eq!(LogLevel::from_u8(LogLevel::Error.as_u8()), Some(LogLevel::Error));
    /// assert_eq!(LogLevel::from_u8(9), None);
    /// ```
    pub const fn from_u8(n: u8) -> Option<LogLevel> {
        Some(match n {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            4 => LogLevel::Error,
            5 => LogLevel::Critical,
            _ => return None,
        })
    }

    /// The level as a number, `trace` = 0 to `critical` = 5.
    ///
    /// ```
    /// assert_eq!(logcore::LogLevel::Trace.as_u8(), 0);
    /// ```
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The error of parsing a [`LogLevel`] from a string.
///
/// ```
/// let err = "loud".parse::<logcore::LogLevel>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "unknown log level `loud`: expected one of trace, debug, info, warn, error, critical"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError {
    input: String,
}

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown log level `{}`: expected one of trace, debug, info, warn, error, critical",
            self.input
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for LogLevel {
    type Err = ParseLevelError;

    /// Case-insensitive; `warning` is accepted for `warn` (Python's name).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        ALL_LEVELS
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
            .or(name
                .eq_ignore_ascii_case("warning")
                .then_some(LogLevel::Warn))
            .ok_or_else(|| ParseLevelError {
                input: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_round_trip_and_order() {
        for (i, level) in ALL_LEVELS.into_iter().enumerate() {
            assert_eq!(level.to_string().parse::<LogLevel>().unwrap(), level);
            assert_eq!(
                level.name().to_uppercase().parse::<LogLevel>().unwrap(),
                level
            );
            assert_eq!(level.as_u8() as usize, i);
        }
        assert!(ALL_LEVELS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(" Warning ".parse::<LogLevel>(), Ok(LogLevel::Warn));
        assert!("".parse::<LogLevel>().is_err());
        assert_eq!(format!("[{:>6}]", LogLevel::Info), "[  info]");
    }
}
