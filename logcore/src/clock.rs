//! The time of events: the cycle counter, turned into wall-clock time
//! against a reading of the system clock taken at most once a second, in
//! integer nanoseconds, then rounded once to the microsecond and given as
//! seconds ([`seconds_of`]; [`to_micros`] for a reading of the system clock
//! itself). Reading the counter costs a third of reading the system clock.

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
/// it is. Every event's time is rounded so (the counter's readings by
/// [`seconds_of`], to floats of the same kind): writers then print it without
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

/// Nanoseconds per counter unit times 2^32 (a fixed-point scale), and
/// counter units per second.
static SCALE: LazyLock<(u64, u64)> = LazyLock::new(|| {
    // the nanoseconds 2^32 units take are the scale itself
    let mult = u64::try_from(clock().delta(0, 1 << 32).as_nanos())
        .unwrap_or(u64::MAX)
        .max(1);
    let per_second = (1_000_000_000u128 << 32) / u128::from(mult);
    (mult, u64::try_from(per_second).unwrap_or(u64::MAX))
});

/// The system clock, in nanoseconds since the Unix epoch.
fn system_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// `units` of the counter in nanoseconds, at the scale `mult`.
#[inline]
fn scale(units: u64, mult: u64) -> u64 {
    u64::try_from((u128::from(units) * u128::from(mult)) >> 32).unwrap_or(u64::MAX)
}

/// Nanoseconds since the epoch as an event's time: seconds, to the nearest
/// microsecond (the float nearest a whole number of them, as
/// [`to_micros`] gives).
#[inline]
fn seconds_of(nanos: u64) -> f64 {
    let micros = nanos.saturating_add(500) / 1000;
    // (below 2^63 and 2^53: the conversions are exact, and `i64`'s is
    // one instruction on x86-64, where `u64`'s are several)
    i64::try_from(micros).map_or(f64::MAX, |m| m as f64) / 1e6
}

/// Turns counter readings into wall-clock time: a reference pair
/// (counter, system clock) plus the time the counter says has passed since,
/// with the reference taken again once it is a second old. All in
/// integers, rounded once, to the microsecond, at the end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WallClock {
    raw_ref: u64,
    /// The system clock at `raw_ref`, in nanoseconds since the epoch.
    wall_ref: u64,
    /// Nanoseconds per counter unit times 2^32, and units per second (see
    /// [`SCALE`]).
    mult: u64,
    per_second: u64,
}

impl WallClock {
    /// Not yet in step: its first reading takes a reference.
    const UNSET: WallClock = WallClock {
        raw_ref: 0,
        wall_ref: 0,
        mult: 0,
        per_second: 0,
    };

    /// In step with the system clock now.
    pub(crate) fn new() -> WallClock {
        let (mult, per_second) = *SCALE;
        WallClock {
            raw_ref: raw(),
            wall_ref: system_nanos(),
            mult,
            per_second,
        }
    }

    /// The time of a reading less than a second after the reference, in
    /// nanoseconds since the epoch; `None` for any other.
    #[inline]
    fn fast(&self, raw_now: u64) -> Option<u64> {
        match raw_now.checked_sub(self.raw_ref) {
            // (at most 10^9 * 2^32 before the shift: no overflow)
            Some(ahead) if ahead < self.per_second => {
                Some(self.wall_ref.saturating_add(scale(ahead, self.mult)))
            }
            _ => None,
        }
    }

    /// The wall-clock time of a reading (taken before or after the
    /// reference), to the microsecond.
    #[inline]
    pub(crate) fn wall(&mut self, raw_now: u64) -> f64 {
        seconds_of(match self.fast(raw_now) {
            Some(nanos) => nanos,
            None => self.wall_slow(raw_now),
        })
    }

    /// A reading before the reference, or a second or more after it: in
    /// nanoseconds since the epoch, after taking a new reference for the
    /// latter.
    #[cold]
    fn wall_slow(&mut self, raw_now: u64) -> u64 {
        if raw_now >= self.raw_ref {
            *self = WallClock::new();
        }
        match raw_now.checked_sub(self.raw_ref) {
            Some(ahead) => self.wall_ref.saturating_add(scale(ahead, self.mult)),
            None => self
                .wall_ref
                .saturating_sub(scale(self.raw_ref - raw_now, self.mult)),
        }
    }
}

thread_local! {
    static THREAD_CLOCK: Cell<WallClock> = const { Cell::new(WallClock::UNSET) };
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
            let clock = cell.get();
            match clock.fast(raw_now) {
                // (the clock is written back only when it changes)
                Some(nanos) => seconds_of(nanos),
                None => {
                    let mut clock = clock;
                    let wall = clock.wall(raw_now);
                    cell.set(clock);
                    wall
                }
            }
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

    /// A clock whose counter counts nanoseconds, in step at `raw_ref`.
    fn ns_clock(raw_ref: u64, wall_ref: u64) -> WallClock {
        WallClock {
            raw_ref,
            wall_ref,
            mult: 1 << 32,
            per_second: 1_000_000_000,
        }
    }

    #[test]
    fn readings_are_scaled_and_rounded_once_to_the_microsecond() {
        let wall_ref = 1_796_659_979_278_983_600;
        let mut clock = ns_clock(1_000, wall_ref);
        // after the reference (at ...983.6 µs): 400 ns later is ...984.0 µs,
        // 399 ns later ...983.999 µs, rounded up, as the reference itself is
        assert_eq!(clock.wall(1_400), 1_796_659_979.278_984);
        assert_eq!(clock.wall(1_399), 1_796_659_979.278_984);
        assert_eq!(clock.wall(1_000), 1_796_659_979.278_984);
        assert_eq!(clock.wall(899), 1_796_659_979.278_983);
        // before it (a reading taken earlier than the reference, as the
        // non-blocking reader's are): half a microsecond rounds up
        assert_eq!(clock.wall(900), 1_796_659_979.278_984);
        assert_eq!(clock.wall(0), 1_796_659_979.278_983);
        // nearly a second after it, still from the same reference
        assert_eq!(clock.wall(1_000 + 999_999_000), 1_796_659_980.278_983);
        assert_eq!(clock.raw_ref, 1_000);
        // a slower counter: 3 units a nanosecond (mult = 2^32 / 3)
        let mut slow = WallClock {
            mult: (1 << 32) / 3,
            per_second: 3_000_000_000,
            ..ns_clock(0, 1_000_000_000_000_000_000)
        };
        assert_eq!(slow.wall(3_000_000), 1_000_000_000.001);
    }

    #[test]
    fn a_reference_a_second_old_or_unset_is_taken_again() {
        // (the counter is the real one here: a new reference is read from it)
        let mut unset = WallClock::UNSET;
        let before = system_now();
        let t = unset.wall(raw());
        assert!((t - before).abs() < 0.01, "{t} {before}");
        assert_ne!(unset.per_second, 0);
        // a reference a second old, from a clock that said 1970
        let mut old = WallClock::new();
        old.wall_ref = 0;
        old.raw_ref = raw().saturating_sub(old.per_second);
        let t = old.wall(raw());
        assert!((t - system_now()).abs() < 0.01, "{t}");
        assert_ne!(old.wall_ref, 0);
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
