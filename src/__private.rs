//! What the macros expand to. Not a stable API: names here change without
//! notice.

pub use logcore::{
    AsDynError, Callsite, CallsiteId, DebugValue, DirectCall, DisplayValue, Event, Failure,
    FieldValue, Interest, LiveParts, LogLevel, LogSource, Logger, Map, Piece, Placeholder,
    ShowText, ShowValue, ShowsAsScalar, Sink, TextOnce, Value, Visit, callsite_enabled,
    callsite_wanted, global_enabled, global_publisher,
};

/// The least severe level compiled in, from the `max_level_*` features
/// (the most restrictive one wins); 6 compiles out everything.
pub const STATIC_MAX_LEVEL: u8 = if cfg!(feature = "max_level_off") {
    6
} else if cfg!(feature = "max_level_critical") {
    5
} else if cfg!(feature = "max_level_error") {
    4
} else if cfg!(feature = "max_level_warn") {
    3
} else if cfg!(feature = "max_level_info") {
    2
} else if cfg!(feature = "max_level_debug") {
    1
} else {
    0
};

/// Whether `level` is compiled in; constant-folded for a fixed level.
#[inline(always)]
#[allow(clippy::absurd_extreme_comparisons)] // constant per build: that is the point
pub const fn static_enabled(level: LogLevel) -> bool {
    level.as_u8() >= STATIC_MAX_LEVEL
}

/// Runs the enabled path of a log call out of line, so the caller's code is
/// the level check and a call: a disabled call sets up no stack frame for
/// the event it does not build. (Not `#[cold]`: that optimises the enabled
/// path for size, which measured 30% slower.)
#[inline(never)]
pub fn cold_path<F: FnOnce()>(f: F) {
    f()
}

/// The namespace of events logged with `source`.
#[inline]
pub fn source_namespace<T: LogSource + ?Sized>(source: &T) -> &'static str {
    source.log_namespace()
}

/// `source` as a value.
#[inline]
pub fn source_value<T: LogSource>(source: &T) -> &dyn Value {
    source
}

/// Wraps a value so that method resolution picks [`ViaValue`] when the type
/// is a [`Value`] and [`ViaFallback`] otherwise (autoref specialisation).
#[allow(missing_debug_implementations)]
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// Picked for `Copy` values named by themselves (`info!("{n}", n)`): the
/// value is copied into the enabled path, so the caller's variable need
/// not be in memory before the level check.
pub trait CaptureCopy {
    /// The captured value.
    type Out;
    /// Copies the value.
    fn __spindle_capture(&self) -> Self::Out;
}

impl<T: Copy> CaptureCopy for &Probe<'_, T> {
    type Out = T;
    #[inline(always)]
    fn __spindle_capture(&self) -> T {
        *self.0
    }
}

/// Picked for other values: captured by reference.
pub trait CaptureRef {
    /// The captured reference.
    type Out;
    /// Borrows the value.
    fn __spindle_capture(&self) -> Self::Out;
}

impl<'a, T: ?Sized> CaptureRef for Probe<'a, T> {
    type Out = &'a T;
    #[inline(always)]
    fn __spindle_capture(&self) -> &'a T {
        self.0
    }
}

/// A value that is not a [`Value`]: stored as `{"unpersistable": true}`.
struct Unpersistable;

impl Value for Unpersistable {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_unpersistable()
    }
}

/// Picked for types that are [`Value`]s.
pub trait ViaValue {
    /// How a plain `{name}` of the field renders.
    type Show;
    /// The raw value of a placeholder.
    fn __spindle_raw(&self) -> Option<&dyn Value>;
    /// A captured field's value (`FieldValue`: a string or scalar held as
    /// itself).
    type Field;
    /// The value of a captured field.
    fn __spindle_field(&self) -> Self::Field;
    /// A plain `{name}` of the field: its text and value.
    fn __spindle_show(&self) -> Self::Show;
}

impl<'a, T: Value> ViaValue for &Probe<'a, T> {
    type Show = ShowValue<'a, T>;
    #[inline(always)]
    fn __spindle_show(&self) -> ShowValue<'a, T> {
        ShowValue(self.0)
    }
    #[inline(always)]
    fn __spindle_raw(&self) -> Option<&dyn Value> {
        Some(self.0)
    }
    type Field = FieldValue<'a>;
    #[inline(always)]
    fn __spindle_field(&self) -> FieldValue<'a> {
        FieldValue::of(self.0)
    }
}

/// Picked for types that are not [`Value`]s.
pub trait ViaFallback {
    /// How a plain `{name}` of the field renders.
    type Show;
    /// No raw value: the placeholder's text is stored, its value is not.
    fn __spindle_raw(&self) -> Option<&dyn Value>;
    /// An unpersistable field's value (`FieldValue`).
    type Field;
    /// An unpersistable field.
    fn __spindle_field(&self) -> Self::Field;
    /// A plain `{name}` of the field: its text alone.
    fn __spindle_show(&self) -> Self::Show;
}

impl<'a, T: ?Sized> ViaFallback for Probe<'a, T> {
    type Show = ShowText<'a, T>;
    #[inline(always)]
    fn __spindle_show(&self) -> ShowText<'a, T> {
        ShowText(self.0)
    }
    #[inline(always)]
    fn __spindle_raw(&self) -> Option<&dyn Value> {
        None
    }
    type Field = FieldValue<'static>;
    #[inline(always)]
    fn __spindle_field(&self) -> FieldValue<'static> {
        // (not a scalar held as itself: a plain `{name}` of it shows its
        // text, which packing must not take this value for)
        FieldValue::from_dyn(&Unpersistable)
    }
}

/// Picked for a field whose plain `{name}` renders as its value's scalar
/// ([`ShowsAsScalar`]): the call site needs no placeholder for it.
pub trait ShowsScalar {
    /// Whether the field renders from its value alone.
    fn __spindle_scalar(&self) -> bool;
}

impl<T: ShowsAsScalar + ?Sized> ShowsScalar for &Probe<'_, T> {
    #[inline(always)]
    fn __spindle_scalar(&self) -> bool {
        true
    }
}

/// Picked for any other field.
pub trait ShowsOther {
    /// Whether the field renders from its value alone.
    fn __spindle_scalar(&self) -> bool;
}

impl<T: ?Sized> ShowsOther for Probe<'_, T> {
    #[inline(always)]
    fn __spindle_scalar(&self) -> bool {
        false
    }
}

/// No placeholders when every field they show renders as its scalar
/// (`scalar`: one constant each, so this folds to one or the other, and
/// the placeholders left out are not built), else `given`.
#[inline(always)]
pub fn shown_or<'a>(
    scalar: &[bool],
    given: &'a [&'a Placeholder<'a>],
) -> &'a [&'a Placeholder<'a>] {
    if scalar.iter().all(|&s| s) {
        &[]
    } else {
        given
    }
}
