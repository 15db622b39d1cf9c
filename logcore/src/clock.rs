//! The time of events: the cycle counter, turned into wall-clock seconds
//! against a reading of the system clock taken at most once a second, and
//! rounded to the microsecond ([`to_micros`]). Reading the counter costs a
//! third of reading the system clock.

use std::cell::Cell;
use std::sync::{LazyLock, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// The cycle counter (where the CPU has a reliable one; the OS clock
/// otherwise), calibrated once per process (about half a millisecond).
/// A `OnceLock` read through [`clock`], whose check is inlined where a
/// `LazyLock`'s was a call on every reading.
static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();

/// The calibrated counter.
#[inline]
fn clock() -> &'static quanta::Clock {
    match CLOCK.get() {
        Some(clock) => clock,
        None => calibrate(),
    }
}

/// A reading of the counter, for [`WallClock::wall`].
#[inline]
pub(crate) fn raw() -> u64 {
    clock().raw()
}

/// Makes sure the counter is calibrated (so no event pays for it).
#[cold]
pub(crate) fn calibrate() -> &'static quanta::Clock {
    CLOCK.get_or_init(quanta::Clock::new)
}

/// The system clock, in seconds since the Unix epoch.
pub(crate) fn system_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `seconds` to the nearest microsecond (the float nearest a whole number
/// of them), for times from 1970 to 2106; any other number is returned as
/// it is. Every event's time is rounded so: writers then print it without
/// searching for its shortest digits (see the JSON writer's
/// `whole_micros`). This drops about two bits: floats of today's times are
/// 0.24 µs apart.
#[inline]
pub(crate) fn to_micros(seconds: f64) -> f64 {
    if (0.0..4_294_967_296.0).contains(&seconds) {
        // (below 2^53 microseconds: the integer and the division are exact
        // and correctly rounded; `i64`, whose conversions are one
        // instruction each on x86-64, where `u64`'s are several)
        ((seconds * 1e6 + 0.5) as i64) as f64 / 1e6
    } else {
        seconds
    }
}

/// Seconds per counter unit, and counter units per second.
static SCALE: LazyLock<(f64, u64)> = LazyLock::new(|| {
    // the counter's conversion, over a span long enough to be exact
    const SPAN: u64 = 1 << 40;
    let secs = clock().delta(0, SPAN).as_secs_f64();
    let per_unit = if secs > 0.0 { secs / SPAN as f64 } else { 1e-9 };
    (per_unit, (1.0 / per_unit) as u64)
});

/// Turns counter readings into wall-clock seconds: a reference pair
/// (counter, system clock) plus the time the counter says has passed since,
/// with the reference taken again once it is a second old.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WallClock {
    raw_ref: u64,
    wall_ref: f64,
    /// Seconds per counter unit, and units per second (see [`SCALE`]).
    per_unit: f64,
    per_second: u64,
}

impl WallClock {
    /// In step with the system clock now.
    pub(crate) fn new() -> WallClock {
        let (per_unit, per_second) = *SCALE;
        WallClock {
            raw_ref: raw(),
            wall_ref: system_now(),
            per_unit,
            per_second,
        }
    }

    /// The wall-clock time of a reading (taken before or after the
    /// reference), to the microsecond.
    #[inline]
    pub(crate) fn wall(&mut self, raw_now: u64) -> f64 {
        to_micros(match raw_now.checked_sub(self.raw_ref) {
            Some(ahead) if ahead <= self.per_second => self.wall_ref + ahead as f64 * self.per_unit,
            _ => self.wall_slow(raw_now),
        })
    }

    /// A reading before the reference, or a second or more after it.
    #[cold]
    fn wall_slow(&mut self, raw_now: u64) -> f64 {
        if raw_now > self.raw_ref {
            *self = WallClock::new();
        }
        match raw_now.checked_sub(self.raw_ref) {
            Some(ahead) => self.wall_ref + ahead as f64 * self.per_unit,
            None => self.wall_ref - (self.raw_ref - raw_now) as f64 * self.per_unit,
        }
    }
}

thread_local! {
    static THREAD_CLOCK: Cell<Option<WallClock>> = const { Cell::new(None) };
}

/// Now, as an event's time: seconds since the Unix epoch, to the
/// microsecond, read from the cycle counter (the system clock where the
/// CPU has no reliable one). Every event the macros build is stamped so;
/// use it for events made by hand ([`OwnedEvent`](crate::OwnedEvent)).
///
/// ```
/// let t = logcore::now();
/// let system = std::time::SystemTime::now()
///     .duration_since(std::time::UNIX_EPOCH)
///     .unwrap()
///     .as_secs_f64();
/// assert!((t - system).abs() < 1.0);
/// assert_eq!((t * 1e6).round() / 1e6, t);
/// ```
pub fn now() -> f64 {
    let raw_now = raw();
    THREAD_CLOCK
        .try_with(|cell| {
            let mut clock = cell.get().unwrap_or_else(WallClock::new);
            let wall = clock.wall(raw_now);
            cell.set(Some(clock));
            wall
        })
        .unwrap_or_else(|_| to_micros(system_now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_keeps_to_the_system_clock() {
        let mut readings = Vec::new();
        for _ in 0..50 {
            let before = system_now();
            let t = now();
            let after = system_now();
            readings.push(t);
            assert!(
                before - 0.002 <= t && t <= after + 0.002,
                "{before} {t} {after}"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(readings.windows(2).all(|w| w[0] <= w[1]));
        // to the microsecond: the float nearest a whole number of them
        for t in readings {
            let micros = (t * 1e6).round();
            assert_eq!(micros / 1e6, t);
        }
    }

    #[test]
    fn times_are_rounded_to_the_microsecond_and_others_kept() {
        assert_eq!(to_micros(1_796_659_979.278_983_6), 1_796_659_979.278_984);
        assert_eq!(to_micros(1_796_659_979.278_983_4), 1_796_659_979.278_983);
        assert_eq!(to_micros(0.000_000_4), 0.0);
        for other in [-1.5, 5e9, f64::INFINITY] {
            assert_eq!(to_micros(other), other);
        }
        assert!(to_micros(f64::NAN).is_nan());
    }
}
