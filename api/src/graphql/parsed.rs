//! Parsed documents kept by their text. Clients send the same few documents over and over (an
//! app's screens are fixed queries with variables), and parsing one costs more than running a
//! query the catalog answers from memory. A document is parsed once and then cloned.
//!
//! Only documents that passed every check and validated are kept (the request policy offers
//! them after validation), the cache is bounded by an estimate of the bytes its documents
//! hold, and anonymous callers' documents live on a shelf of their own, so they can neither
//! fill memory with refused documents nor push out what signed-in callers use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::Positioned;
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};

/// Documents longer than this are parsed every time: the cache is for an app's own queries.
const MAX_CACHED_LEN: usize = 16 * 1024;
/// What one parsed selection holds, about: the node, its field, and the allocator's overhead
/// (an estimate from the parser's types, generous for arguments and directives).
const NODE_BYTES: usize =
    std::mem::size_of::<Positioned<Selection>>() + std::mem::size_of::<Field>() + 64;
/// The anonymous callers' shelf takes this fraction of the budget.
const ANONYMOUS_SHARE: usize = 4;

/// A bounded cache of parsed documents shared by every request.
pub struct ParsedDocuments {
    signed_in: Mutex<Shelf>,
    anonymous: Mutex<Shelf>,
}

/// Who offered a document for keeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeper {
    SignedIn,
    Anonymous,
}

impl ParsedDocuments {
    /// A cache holding documents worth about `budget_bytes` (0 keeps none).
    pub fn new(budget_bytes: usize) -> Self {
        let anonymous = budget_bytes / ANONYMOUS_SHARE;
        Self {
            signed_in: Mutex::new(Shelf::new(budget_bytes - anonymous)),
            anonymous: Mutex::new(Shelf::new(anonymous)),
        }
    }

    /// The parsed form of `query`, if it was kept.
    pub fn cached(&self, query: &str) -> Option<ExecutableDocument> {
        if query.len() > MAX_CACHED_LEN {
            return None;
        }
        lock(&self.signed_in)
            .get(query)
            .or_else(|| lock(&self.anonymous).get(query))
            .map(|found| ExecutableDocument::clone(&found))
    }

    /// Whether a document of this text could be kept at all (so a caller need not hold a copy
    /// of one that could not).
    pub fn may_keep(&self, query: &str) -> bool {
        query.len() <= MAX_CACHED_LEN && lock(&self.signed_in).budget > 0
    }

    /// Keeps a document that passed validation, on its keeper's shelf.
    pub fn keep(&self, query: &str, document: ExecutableDocument, keeper: Keeper) {
        if !self.may_keep(query) {
            return;
        }
        let shelf = match keeper {
            Keeper::SignedIn => &self.signed_in,
            Keeper::Anonymous => &self.anonymous,
        };
        let weight = weight(query, &document);
        lock(shelf).insert(query, Arc::new(document), weight);
    }

    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        (lock(&self.signed_in).used, lock(&self.anonymous).used)
    }
}

/// One keeper's documents: least recently used goes first once the budget is spent.
struct Shelf {
    budget: usize,
    used: usize,
    tick: u64,
    documents: HashMap<Box<str>, Entry>,
}

struct Entry {
    document: Arc<ExecutableDocument>,
    weight: usize,
    used_at: u64,
}

impl Shelf {
    fn new(budget: usize) -> Self {
        Self {
            budget,
            used: 0,
            tick: 0,
            documents: HashMap::new(),
        }
    }

    fn get(&mut self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.tick += 1;
        let tick = self.tick;
        self.documents.get_mut(query).map(|entry| {
            entry.used_at = tick;
            entry.document.clone()
        })
    }

    fn insert(&mut self, query: &str, document: Arc<ExecutableDocument>, weight: usize) {
        if weight > self.budget || self.documents.contains_key(query) {
            return;
        }
        while self.used + weight > self.budget {
            let Some(oldest) = self
                .documents
                .iter()
                .min_by_key(|(_, entry)| entry.used_at)
                .map(|(text, _)| text.clone())
            else {
                break;
            };
            if let Some(gone) = self.documents.remove(&oldest) {
                self.used -= gone.weight;
            }
        }
        self.tick += 1;
        self.used += weight;
        self.documents.insert(
            query.into(),
            Entry {
                document,
                weight,
                used_at: self.tick,
            },
        );
    }
}

/// About how many bytes a parsed document holds: its text (names are copied out of it) and
/// a node for every selection, argument and directive.
fn weight(query: &str, document: &ExecutableDocument) -> usize {
    let mut nodes = 0;
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        nodes += operation.variable_definitions.len() + operation.directives.len();
        nodes += count(&operation.selection_set.node);
    }
    for fragment in document.fragments.values() {
        nodes += 1 + fragment.node.directives.len() + count(&fragment.node.selection_set.node);
    }
    query.len() + nodes * NODE_BYTES
}

fn count(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                1 + field.arguments.len()
                    + field.directives.len()
                    + count(&field.selection_set.node)
            }
            Selection::FragmentSpread(spread) => 1 + spread.node.directives.len(),
            Selection::InlineFragment(inline) => {
                1 + inline.node.directives.len() + count(&inline.node.selection_set.node)
            }
        })
        .sum()
}

fn lock(shelf: &Mutex<Shelf>) -> std::sync::MutexGuard<'_, Shelf> {
    // A panic while holding the lock cannot leave a shelf half-changed in a way that matters
    // (every entry is a whole document; `used` is at worst off by one entry's weight), so a
    // poisoned lock is used as it is.
    shelf
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn keep(cache: &ParsedDocuments, query: &str, keeper: Keeper) {
        cache.keep(query, parse_query(query).expect("parses"), keeper);
    }

    #[test]
    fn a_kept_document_comes_back_with_the_same_shape() {
        let cache = ParsedDocuments::new(1 << 20);
        assert!(cache.cached("{ me { id } }").is_none());
        keep(&cache, "{ me { id } }", Keeper::SignedIn);
        let again = cache.cached("{ me { id } }").expect("kept");
        let fresh = parse_query("{ me { id } }").expect("parses");
        assert_eq!(format!("{again:?}"), format!("{fresh:?}"));
    }

    #[test]
    fn the_budget_is_bytes_and_the_least_recently_used_go_first() {
        let one = weight("{ a }", &parse_query("{ a }").expect("parses"));
        // Room for three one-field documents signed in.
        let cache = ParsedDocuments::new((3 * one + 2) * ANONYMOUS_SHARE / (ANONYMOUS_SHARE - 1));
        for field in ["a", "b", "c"] {
            keep(&cache, &format!("{{ {field} }}"), Keeper::SignedIn);
        }
        assert!(cache.cached("{ a }").is_some());
        keep(&cache, "{ d }", Keeper::SignedIn);
        assert!(
            cache.cached("{ b }").is_none(),
            "the oldest unused one goes"
        );
        assert!(cache.cached("{ a }").is_some(), "one just used stays");
        let (signed_in, _) = cache.held();
        assert!(signed_in <= 3 * one + 2, "{signed_in} held");
    }

    #[test]
    fn anonymous_documents_never_push_out_signed_in_ones() {
        let cache = ParsedDocuments::new(64 * 1024);
        keep(&cache, "{ me { id } }", Keeper::SignedIn);
        for n in 0..2_000 {
            keep(&cache, &format!("{{ f{n} }}"), Keeper::Anonymous);
        }
        assert!(cache.cached("{ me { id } }").is_some());
        let (_, anonymous) = cache.held();
        assert!(anonymous <= 16 * 1024, "{anonymous} held");
    }

    #[test]
    fn a_document_weighs_more_with_every_selection() {
        let small = "{ a }";
        let large = format!("{{ {} }}", "a ".repeat(1_000));
        let w_small = weight(small, &parse_query(small).expect("parses"));
        let w_large = weight(&large, &parse_query(&large).expect("parses"));
        assert!(w_large >= 1_000 * NODE_BYTES, "{w_large}");
        assert!(w_small < NODE_BYTES * 2, "{w_small}");
    }

    #[test]
    fn long_documents_and_a_zero_budget_are_not_kept() {
        let long = format!("{{ {} }}", "a ".repeat(MAX_CACHED_LEN));
        let cache = ParsedDocuments::new(1 << 30);
        keep(&cache, &long, Keeper::SignedIn);
        assert!(cache.cached(&long).is_none());
        let off = ParsedDocuments::new(0);
        keep(&off, "{ a }", Keeper::SignedIn);
        assert!(off.cached("{ a }").is_none());
    }
}
