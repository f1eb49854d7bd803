//! [`RunMemo`]: what a connector keeps between the records of one replay run.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a connector keeps between the records of one replay run, under keys of its choosing:
/// an index it would otherwise build from stored records again for each record it reads
/// (Amazon: which stored group list describes each event group). It lives as long as the run.
#[derive(Default)]
pub struct RunMemo(Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>);

impl RunMemo {
    /// The value kept under `key`, when it is a `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let kept = self.lock().get(key).cloned()?;
        kept.downcast().ok()
    }

    /// Keeps `value` under `key` (replacing what was kept there).
    pub fn put<T: Any + Send + Sync>(&self, key: String, value: Arc<T>) {
        self.lock().insert(key, value);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<dyn Any + Send + Sync>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for RunMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.lock().keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_value_is_shared_by_its_key_and_its_type() {
        let memo = RunMemo::default();
        assert!(memo.get::<u32>("groups").is_none());
        let kept = Arc::new(7_u32);
        memo.put("groups".to_owned(), Arc::clone(&kept));
        let found = memo.get::<u32>("groups").expect("kept");
        assert!(Arc::ptr_eq(&found, &kept), "the same value, not a copy");
        assert!(
            memo.get::<String>("groups").is_none(),
            "another type is not it"
        );
        assert!(memo.get::<u32>("other").is_none(), "another key is not it");
        assert_eq!(format!("{memo:?}"), r#"{"groups"}"#);
    }
}
