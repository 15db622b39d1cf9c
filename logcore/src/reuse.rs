//! Buffers a live event reuses instead of allocating: its rendered text,
//! a `%`/`?` capture's text and a call site's values come from small
//! per-thread pools and go back when the event is dropped (a live event
//! never leaves the thread that built it), and the ranges of its
//! placeholders live inline for up to eight of them.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

use crate::owned_value::OwnedValue;

/// How many buffers of a kind a thread keeps.
const POOL_SIZE: usize = 8;
/// The most bytes a kept buffer may hold on to.
pub(crate) const MAX_KEPT: usize = 64 * 1024;

thread_local! {
    static STRINGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static VALUES: RefCell<Vec<Vec<OwnedValue>>> = const { RefCell::new(Vec::new()) };
    static SPANS: RefCell<Vec<Vec<Span>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer kept in a per-thread pool.
pub(crate) trait Reusable: Default + 'static {
    /// This thread's pool of them.
    fn pool() -> &'static LocalKey<RefCell<Vec<Self>>>;
    /// Empties it, keeping its room.
    fn clear(&mut self);
    /// The bytes it holds on to (0: nothing to keep).
    fn bytes(&self) -> usize;
    /// Makes room for `more`.
    fn reserve(&mut self, more: usize);
}

impl Reusable for String {
    fn pool() -> &'static LocalKey<RefCell<Vec<String>>> {
        &STRINGS
    }
    fn clear(&mut self) {
        String::clear(self)
    }
    fn bytes(&self) -> usize {
        self.capacity()
    }
    fn reserve(&mut self, more: usize) {
        String::reserve(self, more)
    }
}

impl Reusable for Vec<OwnedValue> {
    fn pool() -> &'static LocalKey<RefCell<Vec<Vec<OwnedValue>>>> {
        &VALUES
    }
    /// Empties it; its strings go to the pool of strings, for
    /// [`pooled_str`].
    fn clear(&mut self) {
        for value in self.drain(..) {
            if let OwnedValue::Str(s) = value {
                drop(Pooled(s));
            }
        }
    }
    fn bytes(&self) -> usize {
        self.capacity() * size_of::<OwnedValue>()
    }
    fn reserve(&mut self, more: usize) {
        Vec::reserve(self, more)
    }
}

impl Reusable for Vec<Span> {
    fn pool() -> &'static LocalKey<RefCell<Vec<Vec<Span>>>> {
        &SPANS
    }
    fn clear(&mut self) {
        Vec::clear(self)
    }
    fn bytes(&self) -> usize {
        self.capacity() * size_of::<Span>()
    }
    fn reserve(&mut self, more: usize) {
        Vec::reserve(self, more)
    }
}

/// A buffer from this thread's pool, returned to it (emptied) on drop.
pub(crate) struct Pooled<T: Reusable>(T);

/// A string from this thread's pool.
pub(crate) type PooledString = Pooled<String>;

impl<T: Reusable> Pooled<T> {
    /// An empty one with room for `capacity` (from the pool when it has one).
    pub(crate) fn with_capacity(capacity: usize) -> Pooled<T> {
        let mut buffer = T::pool()
            .try_with(|pool| pool.try_borrow_mut().ok().and_then(|mut p| p.pop()))
            .ok()
            .flatten()
            .unwrap_or_default();
        buffer.reserve(capacity);
        Pooled(buffer)
    }
}

/// A copy of `text` in a string from this thread's pool (one that a
/// list of values gave back, say), to be owned.
pub(crate) fn pooled_str(text: &str) -> String {
    let mut s = PooledString::with_capacity(text.len());
    s.push_str(text);
    std::mem::take(&mut s.0)
}

impl<T: Reusable> Deref for Pooled<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Reusable> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Reusable> Drop for Pooled<T> {
    fn drop(&mut self) {
        let mut buffer = std::mem::take(&mut self.0);
        if buffer.bytes() == 0 || buffer.bytes() > MAX_KEPT {
            return;
        }
        // (what it holds is dropped here, before the pool is borrowed: a
        // value's drop may log)
        buffer.clear();
        // During thread teardown the pool may be gone: then just free it.
        let _ = T::pool().try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut()
                && pool.len() < POOL_SIZE
            {
                pool.push(buffer);
            }
        });
    }
}

/// A placeholder's byte range in the rendered text; `None` where it failed.
pub(crate) type Span = Option<(u32, u32)>;

/// Up to eight spans inline; more spill to a pooled list.
pub(crate) enum Spans {
    Inline(u8, [Span; 8]),
    Heap(Pooled<Vec<Span>>),
}

impl Spans {
    pub(crate) fn new() -> Spans {
        Spans::Inline(0, [None; 8])
    }

    pub(crate) fn push(&mut self, span: Span) {
        match self {
            Spans::Inline(len, items) if (*len as usize) < items.len() => {
                items[*len as usize] = span;
                *len += 1;
            }
            Spans::Inline(len, items) => {
                let mut heap = Pooled::<Vec<Span>>::with_capacity(2 * items.len());
                heap.extend_from_slice(&items[..*len as usize]);
                heap.push(span);
                *self = Spans::Heap(heap);
            }
            Spans::Heap(v) => v.push(span),
        }
    }

    pub(crate) fn as_slice(&self) -> &[Span] {
        match self {
            Spans::Inline(len, items) => &items[..*len as usize],
            Spans::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_spill_past_eight() {
        let mut spans = Spans::new();
        for i in 0..10u32 {
            spans.push(Some((i, i + 1)));
        }
        assert_eq!(spans.as_slice().len(), 10);
        assert_eq!(spans.as_slice()[9], Some((9, 10)));
    }

    #[test]
    fn strings_are_reused_on_this_thread() {
        let first = PooledString::with_capacity(100);
        let ptr = first.as_ptr();
        drop(first);
        let second = PooledString::with_capacity(10);
        assert_eq!(second.as_ptr(), ptr, "the dropped string came back");
        assert!(second.is_empty());
    }

    #[test]
    fn value_lists_are_reused_emptied() {
        let mut first = Pooled::<Vec<OwnedValue>>::with_capacity(3);
        first.push(OwnedValue::Str("kept?".into()));
        let ptr = first.as_ptr();
        drop(first);
        let second = Pooled::<Vec<OwnedValue>>::with_capacity(2);
        assert_eq!(second.as_ptr(), ptr, "the dropped list came back");
        assert!(second.is_empty(), "its values were dropped");
        // its string went to the pool of strings
        let mut values = Pooled::<Vec<OwnedValue>>::with_capacity(1);
        values.push(OwnedValue::Str(pooled_str("0123456789")));
        let ptr = values[0].as_str().unwrap().as_ptr();
        drop(values);
        let again = pooled_str("abc");
        assert_eq!((again.as_ptr(), again.as_str()), (ptr, "abc"));
        // too big to keep: freed instead
        let big = Pooled::<Vec<OwnedValue>>::with_capacity(MAX_KEPT);
        let ptr = big.as_ptr();
        drop(big);
        assert_ne!(Pooled::<Vec<OwnedValue>>::with_capacity(1).as_ptr(), ptr);
    }
}
