fn expansion() {
    {
        #[allow(unused_imports)]
        use ::spindle::__private::{
            AsDynError as _, CaptureCopy as _, CaptureRef as _, ShowsOther as _, ShowsScalar as _,
            ViaFallback as _, ViaValue as _,
        };
        static __SPINDLE_CALLSITE: ::spindle::__private::Callsite =
            ::spindle::__private::Callsite {
                format: "plain",
                pieces: &[::spindle::__private::Piece::Literal("plain")],
                names: &[],
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                calls: false,
                bare: &[],
                escape_free: true,
                id: ::spindle::__private::CallsiteId::new(),
                interest: ::spindle::__private::Interest::new(),
            };
        let __spindle_level: ::spindle::__private::LogLevel = level;
        if ::spindle::__private::static_enabled(__spindle_level)
            && ::spindle::__private::global_enabled(__spindle_level)
            && ::spindle::__private::callsite_enabled(&__SPINDLE_CALLSITE, __spindle_level)
        {
            match () {
                () => {
                    let __spindle_values = [];
                    ::spindle::__private::cold_path(move || {
                        if !::spindle::__private::callsite_wanted(
                            &__SPINDLE_CALLSITE,
                            __spindle_level,
                        ) {
                            return;
                        }
                        let __spindle_publisher = ::spindle::__private::global_publisher();
                        if __spindle_publisher.__publish_direct(
                            __spindle_level,
                            &__SPINDLE_CALLSITE,
                            &__spindle_values,
                        ) {
                            return;
                        }
                        __spindle_publisher.publish(&::spindle::__private::Event::live(
                            ::spindle::__private::LiveParts {
                                level: __spindle_level,
                                callsite: &__SPINDLE_CALLSITE,
                                namespace: ::core::module_path!(),
                                values: &__spindle_values,
                                placeholders: &[],
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
