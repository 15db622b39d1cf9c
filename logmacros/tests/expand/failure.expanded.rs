fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "Math is hard!",
                pieces: &[::spindle::__private::Piece::Literal("Math is hard!")],
                names: &["n"],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel =
            ::spindle::__private::LogLevel::Critical;
        if ::spindle::__private::static_enabled(__spindle_level)
            && ::spindle::__private::global_enabled(__spindle_level)
            && ::spindle::__private::callsite_enabled(&__SPINDLE_CALLSITE, __spindle_level)
        {
            match (&(1),) {
                (n,) => {
                    let __spindle_error = &(err);
                    let __spindle_values = [(&&::spindle::__private::Probe(&n)).__spindle_field()];
                    ::spindle::__private::cold_path(move || {
                        if !::spindle::__private::callsite_wanted(
                            &__SPINDLE_CALLSITE,
                            ::spindle::__private::LogLevel::Critical,
                        ) {
                            return;
                        }
                        let __spindle_publisher = ::spindle::__private::global_publisher();
                        let __spindle_failure = ::spindle::__private::Failure::from_dyn(
                            (*__spindle_error).error_type_name(),
                            (*__spindle_error).as_dyn_error(),
                        );
                        __spindle_publisher.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: ::spindle::__private::LogLevel::Critical,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: ::core::module_path!(),
                                values: &__spindle_values,
                                placeholders: &[],
                                source: ::core::option::Option::None,
                                failure: ::core::option::Option::Some(&__spindle_failure),
                                logger: ::core::option::Option::None,
                            },
                        ));
                    });
                }
            }
        }
    }
}
