//! A small bounded memo cache for generated days.
//!
//! Worlds may hold millions of orders, so nothing is kept forever: when the cache is full
//! it is simply cleared (generation is deterministic, so anything evicted is regenerated
//! identically on demand). Values are built outside the lock.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::sandbox::lock;

/// A bounded map from keys to shared, immutable values.
#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    map: Mutex<HashMap<K, Arc<V>>>,
    capacity: usize,
}

impl<K: Hash + Eq + Copy, V> Cache<K, V> {
    /// A cache of at most `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, built by `make` on a miss.
    pub(crate) fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> Arc<V> {
        if let Some(v) = lock(&self.map).get(&key) {
            return Arc::clone(v);
        }
        let value = Arc::new(make());
        let mut map = lock(&self.map);
        if map.len() >= self.capacity {
            map.clear();
        }
        Arc::clone(map.entry(key).or_insert(value))
    }
}
