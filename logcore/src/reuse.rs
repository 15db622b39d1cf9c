//! Buffers a live event reuses instead of allocating: its rendered text
//! comes from a small per-thread pool and goes back when the event is
//! dropped (a live event never leaves the thread that built it), and the
//! ranges of its placeholders live inline for up to eight of them.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

/// How many strings a thread keeps, and the largest it keeps.
const POOL_SIZE: usize = 8;
const MAX_KEPT: usize = 64 * 1024;

thread_local! {
    static POOL: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A string from this thread's pool, returned to it on drop.
pub(crate) struct PooledString(String);

impl PooledString {
    pub(crate) fn with_capacity(capacity: usize) -> PooledString {
        let reused = POOL
            .try_with(|pool| pool.try_borrow_mut().ok().and_then(|mut p| p.pop()))
            .ok()
            .flatten();
        match reused {
            Some(mut s) => {
                s.clear();
                s.reserve(capacity);
                PooledString(s)
            }
            None => PooledString(String::with_capacity(capacity)),
        }
    }
}

impl Deref for PooledString {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl DerefMut for PooledString {
    fn deref_mut(&mut self) -> &mut String {
        &mut self.0
    }
}

impl Drop for PooledString {
    fn drop(&mut self) {
        let s = std::mem::take(&mut self.0);
        if s.capacity() == 0 || s.capacity() > MAX_KEPT {
            return;
        }
        // During thread teardown the pool may be gone: then just free it.
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut()
                && pool.len() < POOL_SIZE
            {
                pool.push(s);
            }
        });
    }
}

/// A placeholder's byte range in the rendered text; `None` where it failed.
pub(crate) type Span = Option<(u32, u32)>;

/// Up to eight spans inline; more spill to the heap.
pub(crate) enum Spans {
    Inline(u8, [Span; 8]),
    Heap(Vec<Span>),
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
                let mut heap = items[..*len as usize].to_vec();
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
}
