//! Numbers for loggers' namespaces, so that a packed event carries its
//! logger's namespace as one word instead of its text (see
//! [`pack_into`](crate::pack_into)). A number is given per text, once per
//! process, and never taken back, so that an event packed before its
//! logger was dropped still reads back. At most [`MAX_NUMBERED`]
//! namespaces are numbered (the texts are kept for the life of the
//! process); past that, namespaces are packed as text.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// How many namespaces get a number: a program that makes a logger per
/// request with a namespace of its own (`Logger::new(format!("req-{id}"))`)
/// keeps no more than this many texts.
const MAX_NUMBERED: usize = 4096;

/// Not numbered: asked, and the registry was full.
const NONE: u32 = u32::MAX;

/// The numbered namespaces: number `i + 1` is `texts[i]`.
#[derive(Default)]
struct Registry {
    by_text: HashMap<Arc<str>, u32>,
    texts: Vec<Arc<str>>,
}

static REGISTRY: RwLock<Option<Registry>> = RwLock::new(None);

/// A namespace's number, kept with a logger (and its clones) once asked.
#[derive(Debug, Default)]
pub(crate) struct NamespaceNumber(AtomicU32);

impl NamespaceNumber {
    /// The number of `namespace` (which must be the same text every time
    /// this is asked), given now if it has none yet; `None` if the
    /// registry is full.
    #[inline]
    pub(crate) fn get(&self, namespace: &str) -> Option<u32> {
        match self.0.load(Ordering::Relaxed) {
            0 => self.ask(namespace),
            NONE => None,
            n => Some(n),
        }
    }

    #[cold]
    #[inline(never)]
    fn ask(&self, namespace: &str) -> Option<u32> {
        let number = number(namespace);
        self.0.store(number.unwrap_or(NONE), Ordering::Relaxed);
        number
    }
}

/// The number of `namespace`, given now if it has none yet (`None`: the
/// registry is full).
fn number(namespace: &str) -> Option<u32> {
    if let Some(registry) = &*REGISTRY.read().unwrap_or_else(PoisonError::into_inner)
        && let Some(&n) = registry.by_text.get(namespace)
    {
        return Some(n);
    }
    REGISTRY
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(Registry::default)
        .number(namespace, MAX_NUMBERED)
}

impl Registry {
    /// The number of `namespace`, given now if it has none yet and fewer
    /// than `max` have one.
    fn number(&mut self, namespace: &str, max: usize) -> Option<u32> {
        if let Some(&n) = self.by_text.get(namespace) {
            return Some(n);
        }
        if self.texts.len() >= max {
            return None;
        }
        let n = u32::try_from(self.texts.len() + 1).ok()?;
        let text: Arc<str> = Arc::from(namespace);
        self.texts.push(text.clone());
        self.by_text.insert(text, n);
        Some(n)
    }
}

/// The namespaces numbered so far, from number `known + 1` on, appended
/// to `out` (what a reader of packed events keeps, so that it looks at
/// the registry only for a number it has not seen).
pub(crate) fn numbered_since(known: usize, out: &mut Vec<Arc<str>>) {
    if let Some(registry) = &*REGISTRY.read().unwrap_or_else(PoisonError::into_inner) {
        out.extend(registry.texts.iter().skip(known).cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_keeps_its_number_and_the_texts_read_back() {
        let (a, b) = (NamespaceNumber::default(), NamespaceNumber::default());
        let n = a.get("number-test::a").expect("a number");
        assert_eq!(a.get("number-test::a"), Some(n), "kept");
        // another logger of the same namespace: the same number
        assert_eq!(b.get("number-test::a"), Some(n));
        let m = NamespaceNumber::default()
            .get("number-test::b")
            .expect("a number");
        assert_ne!(n, m);
        let mut texts = Vec::new();
        numbered_since(0, &mut texts);
        assert_eq!(&*texts[n as usize - 1], "number-test::a");
        assert_eq!(&*texts[m as usize - 1], "number-test::b");
        // (other tests may number namespaces meanwhile: `later` goes on
        // from where `texts` stopped, perhaps further)
        let mut later = Vec::new();
        numbered_since(n as usize, &mut later);
        assert_eq!(later[..texts.len() - n as usize], texts[n as usize..]);
    }

    #[test]
    fn past_the_limit_a_namespace_gets_no_number() {
        let mut registry = Registry::default();
        assert_eq!(registry.number("a", 2), Some(1));
        assert_eq!(registry.number("b", 2), Some(2));
        assert_eq!(registry.number("c", 2), None);
        // one numbered before still has its number
        assert_eq!(registry.number("a", 2), Some(1));
        assert_eq!(registry.texts.len(), 2);
    }

    #[test]
    fn a_namespace_without_a_number_is_not_asked_again() {
        let number = NamespaceNumber(AtomicU32::new(NONE));
        assert_eq!(number.get("number-test::never"), None);
        let mut texts = Vec::new();
        numbered_since(0, &mut texts);
        assert!(texts.iter().all(|t| &**t != "number-test::never"));
    }
}
