const _: () = {
    #[automatically_derived]
    impl<T> ::spindle::__private::Map for Request<T>
    where
        String: ::spindle::__private::Value,
        usize: ::spindle::__private::Value,
    {
        fn each(
            &self,
            __spindle_f: &mut dyn ::core::ops::FnMut(
                &dyn ::spindle::__private::Value,
                &dyn ::spindle::__private::Value,
            ),
        ) {
            __spindle_f(&"uri", &self.uri);
            let _ = &self.token;
            __spindle_f(&"token", &"<redacted>");
            let _ = &self.extra;
            __spindle_f(&"size", &self.bytes);
        }
    }
    #[automatically_derived]
    impl<T> ::spindle::__private::Value for Request<T>
    where
        String: ::spindle::__private::Value,
        usize: ::spindle::__private::Value,
    {
        fn visit(&self, __spindle_visitor: &mut dyn ::spindle::__private::Visit) {
            __spindle_visitor.visit_map(self)
        }
    }
    #[automatically_derived]
    impl<T> ::spindle::__private::LogSource for Request<T>
    where
        String: ::spindle::__private::Value,
        usize: ::spindle::__private::Value,
    {
        fn log_namespace(&self) -> &'static str {
            ::core::concat!(::core::module_path!(), "::", "Request")
        }
    }
};
