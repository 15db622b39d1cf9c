//! With the `max_level_info` feature, `trace!` and `debug!` are compiled out:
//! their fields are never evaluated, even while a capture enables every level.

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use spindle::{LogLevel, captured_logs, debug, format_event, info, trace};

    #[test]
    fn calls_below_the_static_level_are_compiled_out() {
        assert_eq!(spindle::__private::STATIC_MAX_LEVEL, LogLevel::Info.as_u8());
        let evaluated = Cell::new(0);
        let touch = || {
            evaluated.set(evaluated.get() + 1);
            1
        };
        let events = captured_logs(|| {
            trace!("t {x}", x = touch());
            debug!("d {x}", x = touch());
            info!("i {x}", x = touch());
        });
        assert_eq!(evaluated.get(), 1, "only the info call evaluated its field");
        assert_eq!(events.iter().map(format_event).collect::<Vec<_>>(), ["i 1"]);
    }
}
