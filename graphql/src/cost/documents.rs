//! Parsed documents kept by their text, so that the queries clients send again and again are
//! parsed and measured once.
//!
//! Only documents that passed [`super::check`] are kept, only up to
//! [`MAX_CACHED_DOCUMENT_BYTES`] of text each and [`CACHED_DOCUMENTS`] in all (least recently
//! used first out): a client sending a new document each time costs what it cost before, and
//! the memory held stays bounded.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// The longest document text kept.
pub const MAX_CACHED_DOCUMENT_BYTES: usize = 8 * 1024;

/// How many documents are kept.
pub const CACHED_DOCUMENTS: NonZeroUsize = NonZeroUsize::new(256).expect("non-zero");

/// Checked documents by their text.
#[derive(Debug)]
pub struct DocumentCache {
    documents: Mutex<LruCache<String, ExecutableDocument>>,
    parsed: AtomicU64,
    looked_up: AtomicU64,
}

/// Marks a request whose document [`super::CostGuard::prepare`] checked (or took from the
/// cache). Request data is set by the server only, never by a client.
pub(super) struct Checked;

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache {
            documents: Mutex::new(LruCache::new(CACHED_DOCUMENTS)),
            parsed: AtomicU64::new(0),
            looked_up: AtomicU64::new(0),
        }
    }
}

impl DocumentCache {
    /// The checked document of `text`, if it is kept.
    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        if text.len() > MAX_CACHED_DOCUMENT_BYTES {
            return None;
        }
        self.looked_up.fetch_add(1, Ordering::Relaxed);
        self.lock().get(text).cloned()
    }

    /// Times the cache was looked up since it was made.
    pub fn looked_up(&self) -> u64 {
        self.looked_up.load(Ordering::Relaxed)
    }

    /// Keeps `document`, parsed from `text` and checked, if it is small enough.
    pub fn keep(&self, text: &str, document: &ExecutableDocument) {
        if text.len() <= MAX_CACHED_DOCUMENT_BYTES {
            self.lock().put(text.to_owned(), document.clone());
        }
    }

    /// Counts a document parsed and measured (not found here).
    pub fn count_parse(&self) {
        self.parsed.fetch_add(1, Ordering::Relaxed);
    }

    /// Documents parsed and measured since this cache was made.
    pub fn parsed(&self) -> u64 {
        self.parsed.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        self.documents.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}
