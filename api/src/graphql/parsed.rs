//! Parsed documents kept by their text. Clients send the same few documents over and over (an
//! app's screens are fixed queries with variables), and parsing one costs more than running a
//! query the catalog answers from memory. A document is parsed once and then cloned.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::ServerError;
use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;

/// Documents longer than this are parsed every time: the cache is for an app's own queries.
const MAX_CACHED_LEN: usize = 16 * 1024;

/// A bounded cache of parsed documents shared by every request. When it is full it starts
/// over, so a client sending ever-new documents costs it memory up to the bound, never more.
pub struct ParsedDocuments {
    capacity: usize,
    documents: Mutex<HashMap<Box<str>, Arc<ExecutableDocument>>>,
}

impl ParsedDocuments {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            documents: Mutex::new(HashMap::new()),
        }
    }

    /// The parsed form of `query`: from the cache, or parsed now (and kept if it parsed).
    pub fn parse(&self, query: &str) -> Result<ExecutableDocument, ServerError> {
        if self.capacity == 0 || query.len() > MAX_CACHED_LEN {
            return Ok(parse_query(query)?);
        }
        if let Some(found) = self.lock().get(query).cloned() {
            return Ok(ExecutableDocument::clone(&found));
        }
        let document = parse_query(query)?;
        let mut documents = self.lock();
        if documents.len() >= self.capacity {
            documents.clear();
        }
        documents.insert(query.into(), Arc::new(document.clone()));
        Ok(document)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<ExecutableDocument>>> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters (every entry is a whole document), so a poisoned lock is used as it is.
        self.documents
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_parsed_once_and_the_same_shape_comes_back() {
        let cache = ParsedDocuments::new(4);
        let first = cache.parse("{ me { id } }").expect("parses");
        let again = cache.parse("{ me { id } }").expect("parses");
        assert_eq!(cache.len(), 1);
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn a_document_that_does_not_parse_is_refused_and_not_kept() {
        let cache = ParsedDocuments::new(4);
        assert!(cache.parse("{ me { id }").is_err());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = ParsedDocuments::new(2);
        for field in ["a", "b", "c"] {
            cache.parse(&format!("{{ {field} }}")).expect("parses");
        }
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn long_documents_and_a_zero_capacity_are_not_kept() {
        let long = format!("{{ {} }}", "a ".repeat(MAX_CACHED_LEN));
        let cache = ParsedDocuments::new(4);
        cache.parse(&long).expect("parses");
        assert_eq!(cache.len(), 0);
        let off = ParsedDocuments::new(0);
        off.parse("{ a }").expect("parses");
        assert_eq!(off.len(), 0);
    }
}
