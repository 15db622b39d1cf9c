//! The value model: what a field's value can be, visited without allocating.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use crate::field_value::FieldValue;
use crate::packed::Packer;

/// A value that can be stored in an event: visited by observers (JSON,
/// flattening) through a [`Visit`]or, without allocating.
///
/// Implemented for integers, floats, `bool`, `char`, strings, `Option`,
/// slices, `Vec`, arrays, maps, smart pointers, [`OwnedValue`](crate::OwnedValue),
/// `#[derive(LogSource)]` types, and the wrappers [`DisplayValue`] (`%expr`),
/// [`DebugValue`] (`?expr`) and [`SerdeValue`] (any `serde::Serialize`).
///
/// ```
/// use logcore::{Value, OwnedValue};
/// let v = vec![Some(1), None];
/// assert_eq!(
///     OwnedValue::from_value(&v),
///     OwnedValue::Seq(vec![OwnedValue::I64(1), OwnedValue::None])
/// );
/// ```
pub trait Value {
    /// Calls the visitor's method for this value's kind.
    fn visit(&self, visitor: &mut dyn Visit);

    /// The value as a string or a scalar whose `Display` is the text of
    /// that value (what packing copies without visiting, and a plain
    /// `{name}` writes without `fmt`); `None` for any other value. Not part
    /// of the stable API; the default, `None`, is right for every type.
    #[doc(hidden)]
    fn __scalar(&self) -> Option<Scalar<'_>> {
        None
    }

    /// The value as a live event holds it (see
    /// [`FieldValue::of`](crate::FieldValue::of)): `this` (the value
    /// itself, as the caller made it a `&dyn Value`) by reference, unless
    /// the type is held as a string or scalar. Not part of the stable API:
    /// the default is right for every type. (Not made from
    /// [`Value::__scalar`]: that may render text, as a `%` capture's does,
    /// which a field is captured without.)
    #[doc(hidden)]
    #[inline]
    fn __field<'a>(&'a self, this: &'a dyn Value) -> FieldValue<'a> {
        FieldValue::from_dyn(this)
    }

    /// Packs the value (see [`pack`](crate::pack)) and says whether its
    /// `Display` is the text of the value packed, so that a plain `{name}`
    /// can be rendered from it later. Not part of the stable API: the
    /// default packs what [`Value::__scalar`] gives, or visits, and is right
    /// for every type.
    #[doc(hidden)]
    fn __pack(&self, packer: &mut Packer<'_>) -> bool {
        match self.__scalar() {
            Some(scalar) => {
                packer.scalar(scalar);
                true
            }
            None => {
                self.visit(packer);
                false
            }
        }
    }
}

/// A string or a scalar, as [`Value::__scalar`] gives it (and as a packed
/// event is read back). Its `Display` is [`OwnedValue`](crate::OwnedValue)'s
/// for the same value. Not part of the stable API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// A string.
    Str(&'a str),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// No value.
    None,
    /// A value that could not be kept.
    Unpersistable,
}

impl Scalar<'_> {
    /// Appends the `Display` text of a string or an integer without `fmt`
    /// (and says whether it did: other scalars decline).
    #[inline]
    pub(crate) fn write_plain(self, out: &mut String) -> bool {
        match self {
            Scalar::Str(s) => out.push_str(s),
            Scalar::I64(i) => crate::text::push_int(out, i),
            Scalar::U64(u) => crate::text::push_int(out, u),
            _ => return false,
        }
        true
    }
}

impl Value for Scalar<'_> {
    #[inline]
    fn visit(&self, visitor: &mut dyn Visit) {
        match *self {
            Scalar::Str(s) => visitor.visit_str(s),
            Scalar::I64(i) => visitor.visit_i64(i),
            Scalar::U64(u) => visitor.visit_u64(u),
            Scalar::F64(x) => visitor.visit_f64(x),
            Scalar::Bool(b) => visitor.visit_bool(b),
            Scalar::None => visitor.visit_none(),
            Scalar::Unpersistable => visitor.visit_unpersistable(),
        }
    }
    fn __scalar(&self) -> Option<Scalar<'_>> {
        Some(*self)
    }
    #[inline]
    fn __field<'a>(&'a self, _: &'a dyn Value) -> FieldValue<'a> {
        FieldValue::scalar_of(*self)
    }
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(s) => f.pad(s),
            Scalar::I64(i) => fmt::Display::fmt(i, f),
            Scalar::U64(u) => fmt::Display::fmt(u, f),
            Scalar::F64(x) => fmt::Display::fmt(x, f),
            Scalar::Bool(b) => fmt::Display::fmt(b, f),
            Scalar::None => f.pad("None"),
            Scalar::Unpersistable => f.pad("<unpersistable>"),
        }
    }
}

/// Receives a value by kind. Only [`Visit::visit_debug`] is required; every
/// other method defaults to it (through the value's text), so a visitor
/// overrides just the kinds it treats specially.
///
/// ```
/// use logcore::{Value, Visit};
/// struct Sum(i64);
/// impl Visit for Sum {
///     fn visit_debug(&mut self, _: &dyn std::fmt::Debug) {}
///     fn visit_i64(&mut self, v: i64) { self.0 += v }
///     fn visit_seq(&mut self, seq: &dyn logcore::Seq) { seq.each(&mut |v| v.visit(self)) }
/// }
/// let mut sum = Sum(0);
/// vec![1, 2, 3].visit(&mut sum);
/// assert_eq!(sum.0, 6);
/// ```
pub trait Visit {
    /// Any value, through its `Debug`.
    fn visit_debug(&mut self, value: &dyn fmt::Debug);
    /// A value known only through its `Display`.
    fn visit_display(&mut self, value: &dyn fmt::Display) {
        self.visit_debug(&DisplayAsDebug(value))
    }
    /// A string.
    fn visit_str(&mut self, value: &str) {
        self.visit_debug(&value)
    }
    /// A signed integer.
    fn visit_i64(&mut self, value: i64) {
        self.visit_debug(&value)
    }
    /// An unsigned integer.
    fn visit_u64(&mut self, value: u64) {
        self.visit_debug(&value)
    }
    /// A 128-bit integer.
    fn visit_i128(&mut self, value: i128) {
        self.visit_debug(&value)
    }
    /// A float.
    fn visit_f64(&mut self, value: f64) {
        self.visit_debug(&value)
    }
    /// A boolean.
    fn visit_bool(&mut self, value: bool) {
        self.visit_debug(&value)
    }
    /// A character.
    fn visit_char(&mut self, value: char) {
        self.visit_debug(&value)
    }
    /// No value (`None`, `()`).
    fn visit_none(&mut self) {
        self.visit_debug(&None::<()>)
    }
    /// A sequence.
    fn visit_seq(&mut self, seq: &dyn Seq) {
        self.visit_debug(&SeqDebug(seq))
    }
    /// A map, or a struct's named fields.
    fn visit_map(&mut self, map: &dyn Map) {
        self.visit_debug(&MapDebug(map))
    }
    /// A value that cannot be stored (twisted's `{"unpersistable": true}`).
    fn visit_unpersistable(&mut self) {
        self.visit_debug(&Unpersistable)
    }
}

/// A sequence of values, iterated without allocating.
pub trait Seq {
    /// Calls `f` with each element in order.
    fn each(&self, f: &mut dyn FnMut(&dyn Value));
}

/// A map of values (or a struct's fields), iterated without allocating.
pub trait Map {
    /// Calls `f` with each key and value in order.
    fn each(&self, f: &mut dyn FnMut(&dyn Value, &dyn Value));
}

struct DisplayAsDebug<'a>(&'a dyn fmt::Display);
impl fmt::Debug for DisplayAsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

struct Unpersistable;
impl fmt::Debug for Unpersistable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<unpersistable>")
    }
}

/// Shows any [`Value`] through `Debug`, in Rust's notation.
///
/// ```
/// use logcore::ValueDebug;
/// assert_eq!(format!("{:?}", ValueDebug(&vec![Some("a"), None])), r#"["a", None]"#);
/// ```
pub struct ValueDebug<'a>(pub &'a dyn Value);

impl fmt::Debug for ValueDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Writer<'a, 'b> {
            f: &'a mut fmt::Formatter<'b>,
            result: fmt::Result,
        }
        impl Visit for Writer<'_, '_> {
            fn visit_debug(&mut self, value: &dyn fmt::Debug) {
                self.result = fmt::Debug::fmt(value, self.f);
            }
            fn visit_display(&mut self, value: &dyn fmt::Display) {
                self.result = fmt::Display::fmt(value, self.f);
            }
            fn visit_none(&mut self) {
                self.result = self.f.write_str("None");
            }
        }
        let mut w = Writer { f, result: Ok(()) };
        self.0.visit(&mut w);
        w.result
    }
}

impl fmt::Debug for dyn Value + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValueDebug(self).fmt(f)
    }
}

struct SeqDebug<'a>(&'a dyn Seq);
impl fmt::Debug for SeqDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        self.0.each(&mut |v| {
            list.entry(&ValueDebug(v));
        });
        list.finish()
    }
}

struct MapDebug<'a>(&'a dyn Map);
impl fmt::Debug for MapDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        self.0.each(&mut |k, v| {
            map.entry(&ValueDebug(k), &ValueDebug(v));
        });
        map.finish()
    }
}

macro_rules! value_as {
    ($method:ident as $as:ty: $($t:ty),*) => {$(
        impl Value for $t {
            #[inline]
            fn visit(&self, visitor: &mut dyn Visit) {
                visitor.$method(*self as $as)
            }
        }
    )*};
    // values whose `Display` is the text of the scalar they become
    ($method:ident as $as:ty, scalar $pack:ident: $($t:ty),*) => {$(
        impl Value for $t {
            #[inline]
            fn visit(&self, visitor: &mut dyn Visit) {
                visitor.$method(*self as $as)
            }
            #[inline]
            fn __scalar(&self) -> Option<Scalar<'_>> {
                Some(Scalar::$pack(*self as $as))
            }
            #[inline]
            fn __field<'a>(&'a self, _: &'a dyn Value) -> FieldValue<'a> {
                FieldValue::scalar_of(Scalar::$pack(*self as $as))
            }
        }
        impl ShowsAsScalar for $t {}
    )*};
}
value_as!(visit_i64 as i64, scalar I64: i8, i16, i32, i64, isize);
value_as!(visit_u64 as u64, scalar U64: u8, u16, u32, u64, usize);
value_as!(visit_f64 as f64, scalar F64: f64);
value_as!(visit_bool as bool, scalar Bool: bool);
// an f32 widened to f64 prints more digits than the f32 does
value_as!(visit_f64 as f64: f32);
value_as!(visit_i128 as i128: i128);

impl Value for char {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_char(*self)
    }
    fn __pack(&self, packer: &mut Packer<'_>) -> bool {
        packer.str(self.encode_utf8(&mut [0; 4]));
        true
    }
}

impl Value for u128 {
    fn visit(&self, visitor: &mut dyn Visit) {
        match u64::try_from(*self) {
            Ok(v) => visitor.visit_u64(v),
            Err(_) => visitor.visit_display(self),
        }
    }
}

macro_rules! value_str {
    ($($t:ty),*) => {$(
        impl Value for $t {
            #[inline]
            fn visit(&self, visitor: &mut dyn Visit) {
                visitor.visit_str(self)
            }
            #[inline]
            fn __scalar(&self) -> Option<Scalar<'_>> {
                Some(Scalar::Str(self))
            }
            #[inline]
            fn __field<'a>(&'a self, _: &'a dyn Value) -> FieldValue<'a> {
                FieldValue::scalar_of(Scalar::Str(self))
            }
        }
        impl ShowsAsScalar for $t {}
    )*};
}
value_str!(str, String);

impl Value for () {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_none()
    }
}

impl<T: Value> Value for Option<T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        match self {
            Some(v) => v.visit(visitor),
            None => visitor.visit_none(),
        }
    }
}

macro_rules! value_deref {
    ($($t:ty),*) => {$(
        impl<T: Value + ?Sized> Value for $t {
            #[inline]
            fn visit(&self, visitor: &mut dyn Visit) {
                (**self).visit(visitor)
            }
            #[inline]
            fn __scalar(&self) -> Option<Scalar<'_>> {
                (**self).__scalar()
            }
            #[inline]
            fn __field<'a>(&'a self, this: &'a dyn Value) -> FieldValue<'a> {
                (**self).__field(this)
            }
            #[inline]
            fn __pack(&self, packer: &mut Packer<'_>) -> bool {
                (**self).__pack(packer)
            }
        }
        impl<T: ShowsAsScalar + ?Sized> ShowsAsScalar for $t {}
    )*};
}
value_deref!(&T, &mut T, Box<T>, Arc<T>, Rc<T>);

/// A [`Value`] whose field is always held as a [`Scalar`] (its
/// [`Value::__scalar`] is never `None`) and whose `Display` text is that
/// scalar's: integers to 64 bits, `f64`, `bool`, strings, and references
/// and smart pointers to them. A call site whose placeholders are all plain
/// `{name}`s of such fields needs no placeholder of its own: each renders
/// from the field's value. Not part of the stable API.
///
/// ```
/// fn shows<T: logcore::ShowsAsScalar + ?Sized>() {}
/// shows::<u16>();
/// shows::<&str>();
/// shows::<std::sync::Arc<String>>();
/// ```
#[doc(hidden)]
pub trait ShowsAsScalar: Value {}

impl<T: Value + ToOwned + ?Sized> Value for Cow<'_, T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        (**self).visit(visitor)
    }
    fn __scalar(&self) -> Option<Scalar<'_>> {
        (**self).__scalar()
    }
    fn __field<'a>(&'a self, this: &'a dyn Value) -> FieldValue<'a> {
        (**self).__field(this)
    }
    fn __pack(&self, packer: &mut Packer<'_>) -> bool {
        (**self).__pack(packer)
    }
}

impl<T: ShowsAsScalar + ToOwned + ?Sized> ShowsAsScalar for Cow<'_, T> {}

/// A slice as a [`Seq`] (slices are unsized, so they cannot be `&dyn Seq`).
pub(crate) struct SliceSeq<'a, T>(pub(crate) &'a [T]);

impl<T: Value> Seq for SliceSeq<'_, T> {
    fn each(&self, f: &mut dyn FnMut(&dyn Value)) {
        for v in self.0 {
            f(v)
        }
    }
}

impl<T: Value> Value for [T] {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_seq(&SliceSeq(self))
    }
}

impl<T: Value> Value for Vec<T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_seq(&SliceSeq(self.as_slice()))
    }
}

impl<T: Value, const N: usize> Value for [T; N] {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_seq(&SliceSeq(self.as_slice()))
    }
}

macro_rules! value_map {
    ($($t:ident),*) => {$(
        impl<K: Value, V: Value, S> Map for $t<K, V, S> {
            fn each(&self, f: &mut dyn FnMut(&dyn Value, &dyn Value)) {
                for (k, v) in self {
                    f(k, v)
                }
            }
        }
        impl<K: Value, V: Value, S> Value for $t<K, V, S> {
            fn visit(&self, visitor: &mut dyn Visit) {
                visitor.visit_map(self)
            }
        }
    )*};
}
value_map!(HashMap);

impl<K: Value, V: Value> Map for BTreeMap<K, V> {
    fn each(&self, f: &mut dyn FnMut(&dyn Value, &dyn Value)) {
        for (k, v) in self {
            f(k, v)
        }
    }
}

impl<K: Value, V: Value> Value for BTreeMap<K, V> {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_map(self)
    }
}

/// A value captured through its `Display` (`name = %expr` in a macro).
///
/// ```
/// use logcore::{DisplayValue, OwnedValue};
/// let addr = std::net::Ipv4Addr::LOCALHOST;
/// assert_eq!(OwnedValue::from_value(&DisplayValue(&addr)), OwnedValue::Str("127.0.0.1".into()));
/// ```
#[derive(Clone, Copy)]
pub struct DisplayValue<T: ?Sized>(pub T);

impl<T: fmt::Display> Value for DisplayValue<T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_display(&self.0)
    }
}

impl<T: fmt::Display> fmt::Display for DisplayValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Debug for DisplayValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A value captured through its `Debug` (`name = ?expr` in a macro). Its
/// `Display` is the value's `Debug`, so `{name}` renders it.
///
/// ```
/// use logcore::{DebugValue, OwnedValue};
/// #[derive(Debug)]
/// struct Point { x: i32 }
/// assert_eq!(OwnedValue::from_value(&DebugValue(&Point { x: 1 })), OwnedValue::Str("Point { x: 1 }".into()));
/// ```
#[derive(Clone, Copy)]
pub struct DebugValue<T: ?Sized>(pub T);

impl<T: fmt::Debug> Value for DebugValue<T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_debug(&self.0)
    }
}

impl<T: fmt::Debug> fmt::Display for DebugValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Debug> fmt::Debug for DebugValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A value captured through `serde::Serialize`: it is stored as the structure
/// serde gives (maps, sequences, numbers, strings). Visiting it serializes it
/// once into a temporary tree, so unlike other values it allocates.
///
/// ```
/// use logcore::{SerdeValue, OwnedValue};
/// #[derive(serde::Serialize)]
/// struct Point { x: i32 }
/// assert_eq!(
///     OwnedValue::from_value(&SerdeValue(Point { x: 1 })),
///     OwnedValue::Map(vec![("x".into(), OwnedValue::I64(1))])
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SerdeValue<T>(pub T);

impl<T: serde::Serialize> Value for SerdeValue<T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        match serde_json::to_value(&self.0) {
            Ok(tree) => crate::OwnedValue::from_json(tree).visit(visitor),
            Err(_) => visitor.visit_unpersistable(),
        }
    }
}

/// What `name = %expr` and `name = ?expr` capture: the value, formatted
/// through `Display` or `Debug` at most once per event. The placeholder's
/// text and the stored field both come from that one text, so a `Display`
/// that can only run once works. (Doc-hidden: the macros' own wrapper;
/// [`DisplayValue`] and [`DebugValue`] are the public ones.)
#[doc(hidden)]
pub struct TextOnce<'a, T: ?Sized> {
    value: &'a T,
    /// `Display::fmt` or `Debug::fmt` of `T`.
    format: fn(&T, &mut fmt::Formatter<'_>) -> fmt::Result,
    /// From the thread's pool of strings (back to it with the event).
    text: std::cell::OnceCell<crate::reuse::PooledString>,
}

impl<'a, T: ?Sized> TextOnce<'a, T> {
    /// Wraps a value shown through `Display` (`%expr`).
    pub fn display(value: &'a T) -> Self
    where
        T: fmt::Display,
    {
        TextOnce::new(value, <T as fmt::Display>::fmt)
    }

    /// Wraps a value shown through `Debug` (`?expr`).
    pub fn debug(value: &'a T) -> Self
    where
        T: fmt::Debug,
    {
        TextOnce::new(value, <T as fmt::Debug>::fmt)
    }

    fn new(value: &'a T, format: fn(&T, &mut fmt::Formatter<'_>) -> fmt::Result) -> Self {
        TextOnce {
            value,
            format,
            text: std::cell::OnceCell::new(),
        }
    }

    fn text(&self) -> &str {
        struct Show<'s, T: ?Sized>(&'s TextOnce<'s, T>);
        impl<T: ?Sized> fmt::Display for Show<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                (self.0.format)(self.0.value, f)
            }
        }
        self.text.get_or_init(|| {
            let mut text = crate::reuse::PooledString::with_capacity(0);
            crate::text::catch_text_into(&mut text, |out| {
                fmt::write(out, format_args!("{}", Show(self)))
            });
            text
        })
    }
}

impl<T: ?Sized> Value for TextOnce<'_, T> {
    fn visit(&self, visitor: &mut dyn Visit) {
        visitor.visit_str(self.text())
    }
    fn __scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Str(self.text()))
    }
}

/// The text, padded and aligned as the placeholder's spec says.
impl<T: ?Sized> fmt::Display for TextOnce<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.text())
    }
}

/// The same text: the value was captured as text already.
impl<T: ?Sized> fmt::Debug for TextOnce<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.text())
    }
}
