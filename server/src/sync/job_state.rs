//! The state of one sync job, stored as text in `sync_state.state` (the same spellings the API
//! shows).

use crate::ledger::text_enum;

text_enum! {
    /// Where a sync job is.
    SyncState {
        /// Waiting for its next run.
        Idle = "IDLE",
        /// Claimed by a worker and running.
        Running = "RUNNING",
        /// Its last run failed; it runs again after the retry delay.
        Failed = "FAILED",
        /// Stopped until someone acts (re-authorise the shop); not retried.
        Paused = "PAUSED",
    }
}

#[cfg(test)]
mod tests {
    use super::SyncState;

    #[test]
    fn every_state_round_trips_through_its_stored_text() {
        for state in SyncState::ALL {
            assert_eq!(state.as_str().parse::<SyncState>().unwrap(), *state);
        }
        assert_eq!(SyncState::Paused.as_str(), "PAUSED");
        assert_eq!(
            "DONE".parse::<SyncState>().unwrap_err().to_string(),
            "unknown SyncState \"DONE\""
        );
    }
}
