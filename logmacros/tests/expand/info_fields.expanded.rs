fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "{req.uri}: status={req.status}, bytes={size}",
                pieces: &[
                    ::spindle::__private::Piece::Field("req.uri!s:", "req.uri!:"),
                    ::spindle::__private::Piece::Literal(": status="),
                    ::spindle::__private::Piece::Field("req.status!s:", "req.status!:"),
                    ::spindle::__private::Piece::Literal(", bytes="),
                    ::spindle::__private::Piece::Field("size!s:", "size!:"),
                ],
                names: &["req", "size"],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[255u8, 255u8, 1u8],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel = ::spindle::__private::LogLevel::Info;
        if ::spindle::__private::static_enabled(__spindle_level)
            && ::spindle::__private::global_enabled(__spindle_level)
            && ::spindle::__private::callsite_enabled(&__SPINDLE_CALLSITE, __spindle_level)
        {
            match (
                (&&::spindle::__private::Probe(&req)).__spindle_capture(),
                &(body.len()),
            ) {
                (req, size) => {
                    let __spindle_values = [
                        (&&::spindle::__private::Probe(&req)).__spindle_field(),
                        (&&::spindle::__private::Probe(&size)).__spindle_field(),
                    ];
                    ::spindle::__private::cold_path(move || {
                        if !::spindle::__private::callsite_wanted(
                            &__SPINDLE_CALLSITE,
                            ::spindle::__private::LogLevel::Info,
                        ) {
                            return;
                        }
                        let __spindle_publisher = ::spindle::__private::global_publisher();
                        __spindle_publisher.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: ::spindle::__private::LogLevel::Info,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: ::core::module_path!(),
                                values: &__spindle_values,
                                placeholders: &[
                                    &|__spindle_sink: &mut dyn ::spindle::__private::Sink| {
                                        let __spindle_value = &(req.uri);
                                        __spindle_sink.put(
                                            ::core::format_args!("{}", __spindle_value),
                                            (&&::spindle::__private::Probe(__spindle_value))
                                                .__spindle_raw(),
                                        )
                                    },
                                    &|__spindle_sink: &mut dyn ::spindle::__private::Sink| {
                                        let __spindle_value = &(req.status);
                                        __spindle_sink.put(
                                            ::core::format_args!("{}", __spindle_value),
                                            (&&::spindle::__private::Probe(__spindle_value))
                                                .__spindle_raw(),
                                        )
                                    },
                                    &(&&::spindle::__private::Probe(&size)).__spindle_show(),
                                ],
                                source: ::core::option::Option::None,
                                failure: ::core::option::Option::None,
                                logger: ::core::option::Option::None,
                            },
                        ));
                    });
                }
            }
        }
    }
}
