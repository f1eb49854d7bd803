//! Fair sharing between orgs: each org runs at most `graphql.org_concurrency` profit reports at a
//! time; more wait their turn (in arrival order). One org's request of many heavy reports then
//! queues behind its own slots and cannot take every database connection and core from the
//! other orgs, whose own slots stay free.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The report slots of every org seen so far.
#[derive(Debug)]
pub struct OrgGates {
    per_org: usize,
    gates: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

impl OrgGates {
    /// Gates of `per_org` slots each (at least one).
    pub fn new(per_org: usize) -> Self {
        Self {
            per_org: per_org.max(1),
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for one of `org_id`'s slots; the slot is free again when the permit is dropped.
    pub async fn enter(&self, org_id: i64) -> OwnedSemaphorePermit {
        let gate = {
            let mut gates = self
                .gates
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                gates
                    .entry(org_id)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_org))),
            )
        };
        // The semaphore is never closed, so acquiring cannot fail; wait again if it ever did.
        loop {
            if let Ok(permit) = Arc::clone(&gate).acquire_owned().await {
                return permit;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_org_waits_for_its_own_slots_only() {
        let gates = OrgGates::new(1);
        let held = gates.enter(1).await;
        let other_org = tokio::time::timeout(std::time::Duration::from_millis(100), gates.enter(2));
        assert!(other_org.await.is_ok(), "another org is not held up");
        let same_org = tokio::time::timeout(std::time::Duration::from_millis(100), gates.enter(1));
        assert!(same_org.await.is_err(), "the same org waits");
        drop(held);
        let again = tokio::time::timeout(std::time::Duration::from_millis(100), gates.enter(1));
        assert!(again.await.is_ok(), "the slot is free again");
    }
}
