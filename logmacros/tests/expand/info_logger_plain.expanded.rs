fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "handled {path} status={status}",
                pieces: &[
                    ::spindle::__private::Piece::Literal("handled "),
                    ::spindle::__private::Piece::Field("path!s:", "path!:"),
                    ::spindle::__private::Piece::Literal(" status="),
                    ::spindle::__private::Piece::Field("status!s:", "status!:"),
                ],
                names: &["path", "status"],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[0u8, 1u8],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel = ::spindle::__private::LogLevel::Info;
        let __spindle_logger = &(log);
        let __spindle_logger: &::spindle::__private::Logger =
            ::core::borrow::Borrow::borrow(__spindle_logger);
        if ::spindle::__private::static_enabled(__spindle_level)
            && __spindle_logger.enabled(__spindle_level)
        {
            match (
                (&&::spindle::__private::Probe(&path)).__spindle_capture(),
                (&&::spindle::__private::Probe(&status)).__spindle_capture(),
            ) {
                (path, status) => {
                    let __spindle_values = [
                        (&&::spindle::__private::Probe(&path)).__spindle_field(),
                        (&&::spindle::__private::Probe(&status)).__spindle_field(),
                    ];
                    ::spindle::__private::cold_path(move || {
                        if !__spindle_logger.wanted(::spindle::__private::LogLevel::Info) {
                            return;
                        }
                        if __spindle_logger.__publish_direct(
                            ::spindle::__private::LogLevel::Info,
                            &__SPINDLE_CALLSITE,
                            &__spindle_values,
                        ) {
                            return;
                        }
                        __spindle_logger.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: ::spindle::__private::LogLevel::Info,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: __spindle_logger.namespace(),
                                values: &__spindle_values,
                                placeholders: ::spindle::__private::shown_or(
                                    &[
                                        (&&::spindle::__private::Probe(&path)).__spindle_scalar(),
                                        (&&::spindle::__private::Probe(&status)).__spindle_scalar(),
                                    ],
                                    &[
                                        &(&&::spindle::__private::Probe(&path)).__spindle_show(),
                                        &(&&::spindle::__private::Probe(&status)).__spindle_show(),
                                    ],
                                ),
                                source: ::core::option::Option::None,
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
