//! Places counted per owner within one process: open sockets per account, webhook attempts in
//! flight per organization. A place is held while its guard lives.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How many places each owner holds now.
pub struct Places<K> {
    held: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K> Clone for Places<K> {
    fn clone(&self) -> Self {
        Self {
            held: Arc::clone(&self.held),
        }
    }
}

impl<K> Default for Places<K> {
    fn default() -> Self {
        Self {
            held: Arc::default(),
        }
    }
}

impl<K: Hash + Eq + Clone> Places<K> {
    /// A place for `owner` if it holds fewer than `max`; freed when the guard drops.
    pub fn take(&self, owner: K, max: usize) -> Option<Place<K>> {
        let mut held = lock(&self.held);
        let count = held.entry(owner.clone()).or_default();
        if *count >= max {
            if *count == 0 {
                held.remove(&owner);
            }
            return None;
        }
        *count += 1;
        Some(Place {
            places: self.clone(),
            owner,
        })
    }

    /// How many places `owner` holds.
    pub fn held(&self, owner: &K) -> usize {
        lock(&self.held).get(owner).copied().unwrap_or(0)
    }
}

fn lock<K>(held: &Mutex<HashMap<K, usize>>) -> MutexGuard<'_, HashMap<K, usize>> {
    // Counts are whole numbers changed under the lock: a poisoned one is still right.
    held.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One place held by its owner.
pub struct Place<K: Hash + Eq> {
    places: Places<K>,
    owner: K,
}

impl<K: Hash + Eq> Drop for Place<K> {
    fn drop(&mut self) {
        let mut held = lock(&self.places.held);
        if let Some(count) = held.get_mut(&self.owner) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.owner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_holds_at_most_its_share_and_a_dropped_place_is_free_again() {
        let places = Places::default();
        let first = places.take("a", 2);
        let second = places.take("a", 2);
        assert!(first.is_some() && second.is_some());
        assert!(places.take("a", 2).is_none());
        assert!(places.take("b", 2).is_some(), "owners are counted apart");
        drop(first);
        assert_eq!(places.held(&"a"), 1);
        assert!(places.take("a", 2).is_some());
        drop(second);
        assert_eq!(places.held(&"a"), 0);
        assert!(places.take("c", 0).is_none());
        assert_eq!(places.held(&"c"), 0, "a refused owner leaves no entry");
    }
}
