fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "{addr} {p:>8?}",
                pieces: &[
                    ::spindle::__private::Piece::Field("addr!s:", "addr!:"),
                    ::spindle::__private::Piece::Literal(" "),
                    ::spindle::__private::Piece::Field("p!s:>8?", "p!:>8?"),
                ],
                names: &["addr", "p"],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[0u8, 255u8],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel = ::spindle::__private::LogLevel::Debug;
        if ::spindle::__private::static_enabled(__spindle_level)
            && ::spindle::__private::global_enabled(__spindle_level)
            && ::spindle::__private::callsite_enabled(&__SPINDLE_CALLSITE, __spindle_level)
        {
            match (
                &::spindle::__private::TextOnce::display(&(addr)),
                &::spindle::__private::TextOnce::debug(&(point)),
            ) {
                (addr, p) => {
                    let __spindle_values = [
                        (&&::spindle::__private::Probe(&addr)).__spindle_field(),
                        (&&::spindle::__private::Probe(&p)).__spindle_field(),
                    ];
                    ::spindle::__private::cold_path(move || {
                        if !::spindle::__private::callsite_wanted(
                            &__SPINDLE_CALLSITE,
                            ::spindle::__private::LogLevel::Debug,
                        ) {
                            return;
                        }
                        let __spindle_publisher = ::spindle::__private::global_publisher();
                        __spindle_publisher.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: ::spindle::__private::LogLevel::Debug,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: ::core::module_path!(),
                                values: &__spindle_values,
                                placeholders: &[
                                    &(&&::spindle::__private::Probe(&addr)).__spindle_show(),
                                    &|__spindle_sink: &mut dyn ::spindle::__private::Sink| {
                                        let __spindle_value = &(p);
                                        __spindle_sink.put(
                                            ::core::format_args!("{:>8?}", __spindle_value),
                                            (&&::spindle::__private::Probe(__spindle_value))
                                                .__spindle_raw(),
                                        )
                                    },
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
