//! A field's value as a live event holds it.

use std::fmt;

use crate::packed::Packer;
use crate::value::{Scalar, Value, ValueDebug, Visit};

/// A field's value as an event gives it ([`Event::for_each_field`]): a
/// string, an integer, a float or a boolean held as itself, any other value
/// through `&dyn Value`. The macros pick which when they capture the field,
/// from its type, so visiting a string or a number takes no dynamic call to
/// the value, only the one to the visitor.
///
/// It dereferences to `dyn Value`, so it goes wherever a `&dyn Value` does
/// (`&*value`), and [`FieldValue::visit`] is called as [`Value::visit`] is.
///
/// [`Event::for_each_field`]: crate::Event::for_each_field
///
/// ```
/// use logcore::{FieldValue, OwnedValue, Visit};
/// struct Kind(&'static str);
/// impl Visit for Kind {
///     fn visit_debug(&mut self, _: &dyn std::fmt::Debug) { self.0 = "other" }
///     fn visit_u64(&mut self, _: u64) { self.0 = "u64" }
///     fn visit_str(&mut self, _: &str) { self.0 = "str" }
/// }
/// let (n, s, list) = (7u16, "hi", vec![1, 2]);
/// for (value, kind) in [
///     (FieldValue::of(&n), "u64"),
///     (FieldValue::of(&s), "str"),
///     (FieldValue::of(&list), "other"),
/// ] {
///     let mut seen = Kind("");
///     value.visit(&mut seen);
///     assert_eq!(seen.0, kind);
/// }
/// assert_eq!(OwnedValue::from_value(&*FieldValue::of(&n)), OwnedValue::U64(7));
/// assert_eq!(format!("{:?}", FieldValue::of(&s)), "\"hi\"");
/// ```
#[derive(Clone, Copy)]
pub struct FieldValue<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// A string or scalar, visited without a call to the value.
    Scalar(Scalar<'a>),
    /// Any other value.
    Value(&'a dyn Value),
}

impl<'a> FieldValue<'a> {
    /// The field value of `value`: held as itself if it is a string, an
    /// integer of at most 64 bits, an `f64` or a `bool` (or a reference to
    /// one), by reference otherwise.
    #[inline]
    pub fn of<T: Value>(value: &'a T) -> FieldValue<'a> {
        value.__field(value)
    }

    /// A value known only as `&dyn Value`, held by reference.
    #[inline]
    pub fn from_dyn(value: &'a dyn Value) -> FieldValue<'a> {
        FieldValue(Repr::Value(value))
    }

    /// Holds a string or scalar as itself.
    #[inline]
    pub(crate) fn scalar_of(scalar: Scalar<'a>) -> FieldValue<'a> {
        FieldValue(Repr::Scalar(scalar))
    }

    /// The string or scalar held as itself, if it is. Not part of the
    /// stable API.
    #[doc(hidden)]
    #[inline]
    pub fn __held(&self) -> Option<Scalar<'a>> {
        match self.0 {
            Repr::Scalar(scalar) => Some(scalar),
            Repr::Value(_) => None,
        }
    }

    /// Calls the visitor's method for this value's kind, as
    /// [`Value::visit`] does.
    #[inline]
    pub fn visit(&self, visitor: &mut dyn Visit) {
        match self.0 {
            Repr::Scalar(scalar) => scalar.visit(visitor),
            Repr::Value(value) => value.visit(visitor),
        }
    }

    /// The value as a string or scalar whose `Display` is its text, as
    /// [`Value::__scalar`] gives it. Not part of the stable API.
    #[doc(hidden)]
    #[inline]
    pub fn __scalar(&self) -> Option<Scalar<'a>> {
        match self.0 {
            Repr::Scalar(scalar) => Some(scalar),
            Repr::Value(value) => value.__scalar(),
        }
    }

    /// Packs the value, as [`Value::__pack`] does. Not part of the stable
    /// API.
    #[doc(hidden)]
    #[inline]
    pub fn __pack(&self, packer: &mut Packer<'_>) -> bool {
        match self.0 {
            Repr::Scalar(scalar) => {
                packer.scalar(scalar);
                true
            }
            // (a copy: see `Packer::lend`)
            Repr::Value(value) => packer.lend(|p| value.__pack(p)),
        }
    }
}

/// A plain `{name}` of the field, for a live event given no placeholders
/// (see [`LiveParts`](crate::LiveParts)): the scalar's text, which is the
/// value's `Display` text for each type the macros leave placeholders out
/// for (integers, floats, bools, strings). Any other value, in a hand-made
/// event, shows as its kept copy does.
impl crate::placeholder::Render for FieldValue<'_> {
    #[inline]
    fn render(&self, sink: &mut dyn crate::placeholder::Sink) {
        match self.__scalar() {
            Some(scalar) => sink.put(format_args!("{scalar}"), Some(&scalar)),
            None => {
                let kept = crate::OwnedValue::from_value(&**self);
                sink.put(format_args!("{kept}"), Some(&**self))
            }
        }
    }
    #[inline]
    fn __write_plain(&self, out: &mut String) -> bool {
        self.__scalar().is_some_and(|s| s.write_plain(out))
    }
}

impl<'a> std::ops::Deref for FieldValue<'a> {
    type Target = dyn Value + 'a;
    #[inline]
    fn deref(&self) -> &(dyn Value + 'a) {
        match &self.0 {
            Repr::Scalar(scalar) => scalar,
            Repr::Value(value) => *value,
        }
    }
}

impl Value for FieldValue<'_> {
    #[inline]
    fn visit(&self, visitor: &mut dyn Visit) {
        FieldValue::visit(self, visitor)
    }
    #[inline]
    fn __scalar(&self) -> Option<Scalar<'_>> {
        FieldValue::__scalar(self)
    }
    #[inline]
    fn __field<'b>(&'b self, _: &'b dyn Value) -> FieldValue<'b> {
        *self
    }
    #[inline]
    fn __pack(&self, packer: &mut Packer<'_>) -> bool {
        FieldValue::__pack(self, packer)
    }
}

/// The value's `Debug`, as [`ValueDebug`] shows it.
impl fmt::Debug for FieldValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&ValueDebug(&**self), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DisplayValue, OwnedValue};

    /// Every kind of value is held as the same value it is, as itself
    /// exactly when it is a string or scalar.
    #[test]
    fn a_field_value_is_its_value_held_as_itself_when_it_can_be() {
        fn check(value: FieldValue<'_>, as_itself: bool, owned: OwnedValue) {
            assert_eq!(value.__held().is_some(), as_itself, "{owned:?}");
            assert_eq!(OwnedValue::from_value(&value), owned);
            assert_eq!(OwnedValue::from_value(&*value), owned);
            if as_itself {
                assert_eq!(value.__scalar(), owned.__scalar());
            }
        }
        let text = String::from("hi");
        let str = || OwnedValue::Str("hi".into());
        check(FieldValue::of(&-3i8), true, OwnedValue::I64(-3));
        check(FieldValue::of(&u64::MAX), true, OwnedValue::U64(u64::MAX));
        check(FieldValue::of(&7usize), true, OwnedValue::U64(7));
        check(FieldValue::of(&1.5f64), true, OwnedValue::F64(1.5));
        check(FieldValue::of(&true), true, OwnedValue::Bool(true));
        check(FieldValue::of(&"hi"), true, str());
        check(FieldValue::of(&text), true, str());
        check(FieldValue::of(&&&text), true, str());
        check(
            FieldValue::of(&std::borrow::Cow::Borrowed("hi")),
            true,
            str(),
        );
        check(
            FieldValue::of(&OwnedValue::I64(5)),
            true,
            OwnedValue::I64(5),
        );
        check(
            FieldValue::of(&FieldValue::of(&5u8)),
            true,
            OwnedValue::U64(5),
        );
        // held by reference: not a string or scalar of its own, or one whose
        // text is not the scalar's (an f32 widened prints more digits)
        check(FieldValue::of(&1.5f32), false, OwnedValue::F64(1.5));
        check(FieldValue::of(&'c'), false, OwnedValue::Str("c".into()));
        check(FieldValue::of(&Some(2u8)), false, OwnedValue::U64(2));
        let seq = OwnedValue::Seq(vec![OwnedValue::U64(1)]);
        check(FieldValue::of(&vec![1u8]), false, seq.clone());
        check(FieldValue::of(&seq), false, seq.clone());
        check(
            FieldValue::of(&DisplayValue(4)),
            false,
            OwnedValue::Str("4".into()),
        );
        check(FieldValue::from_dyn(&9u8), false, OwnedValue::U64(9));
    }
}
