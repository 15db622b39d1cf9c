fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "value {log_source.value}",
                pieces: &[
                    ::spindle::__private::Piece::Literal("value "),
                    ::spindle::__private::Piece::Field("log_source.value!s:", "log_source.value!:"),
                ],
                names: &[],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[255u8],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel = ::spindle::__private::LogLevel::Info;
        let __spindle_logger = &(&log);
        let __spindle_logger: &::spindle::__private::Logger =
            ::core::borrow::Borrow::borrow(__spindle_logger);
        if ::spindle::__private::static_enabled(__spindle_level)
            && __spindle_logger.enabled(__spindle_level)
        {
            match (&(&worker),) {
                (log_source,) => {
                    let __spindle_values = [];
                    ::spindle::__private::cold_path(move || {
                        if !__spindle_logger.wanted(::spindle::__private::LogLevel::Info) {
                            return;
                        }
                        __spindle_logger.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: ::spindle::__private::LogLevel::Info,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: __spindle_logger.namespace(),
                                values: &__spindle_values,
                                placeholders: &[
                                    &|__spindle_sink: &mut dyn ::spindle::__private::Sink| {
                                        let __spindle_value = &(log_source.value);
                                        __spindle_sink.put(
                                            ::core::format_args!("{}", __spindle_value),
                                            (&&::spindle::__private::Probe(__spindle_value))
                                                .__spindle_raw(),
                                        )
                                    },
                                ],
                                source: ::core::option::Option::Some(
                                    ::spindle::__private::source_value(log_source),
                                ),
                                failure: ::core::option::Option::None,
                                logger: ::core::option::Option::Some(__spindle_logger),
                            },
                        ));
                    });
                }
            }
        }
    }
}
