//! What bounds a WebSocket session's subscriptions: how many one connection and one org may hold
//! open, and how long each lives — until the token expires, or until the token or its partner
//! app is revoked (checked every [`RECHECK`]). A subscription that ends this way sends an error
//! saying why, then completes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::ErrorExtensions;
use futures::{Stream, StreamExt};

use crate::error::Error;
use crate::state::AppState;

/// How often an open subscription checks that its token still stands.
pub const RECHECK: Duration = Duration::from_secs(10);

/// One WebSocket connection's authentication, set at `connection_init`.
#[derive(Clone)]
pub struct Session {
    /// The bearer token, to re-check for revocation.
    pub token: String,
    /// When the token expires (Unix seconds).
    pub expires_at: i64,
    /// Subscriptions open on this connection.
    pub open: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("open", &self.open)
            .finish()
    }
}

/// Subscriptions open per org, over every connection of this process.
#[derive(Debug, Default)]
pub struct OrgSubscriptions(Mutex<HashMap<i64, usize>>);

/// Holds one subscription's places in the connection's and the org's counts; frees them when
/// dropped (the stream ended or the client stopped it).
#[derive(Debug)]
pub struct Place {
    connection: Arc<AtomicUsize>,
    orgs: Arc<OrgSubscriptions>,
    org_id: i64,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.connection.fetch_sub(1, Ordering::AcqRel);
        let mut counts = self
            .orgs
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.org_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.org_id);
            }
        }
    }
}

impl OrgSubscriptions {
    /// Takes a place for a new subscription of `org_id` on `session`'s connection.
    ///
    /// # Errors
    /// BAD_USER_INPUT naming the limit when the connection or the org holds as many as allowed.
    pub fn enter(
        self: &Arc<Self>,
        session: &Session,
        org_id: i64,
        per_connection: usize,
        per_org: usize,
    ) -> Result<Place, Error> {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let org_count = counts.entry(org_id).or_insert(0);
        if *org_count >= per_org {
            return Err(Error::bad_input(format!(
                "the org has {per_org} subscriptions open, the most allowed: close one first"
            )));
        }
        if session.open.fetch_add(1, Ordering::AcqRel) >= per_connection {
            session.open.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::bad_input(format!(
                "this connection has {per_connection} subscriptions open, the most allowed: \
                 close one first"
            )));
        }
        *org_count += 1;
        Ok(Place {
            connection: Arc::clone(&session.open),
            orgs: Arc::clone(self),
            org_id,
        })
    }
}

/// Why a session no longer stands, if it does not.
async fn lapsed(state: &AppState, session: &Session) -> Option<Error> {
    if chrono::Utc::now().timestamp() >= session.expires_at {
        return Some(Error::Unauthenticated(
            "the token expired: reconnect with a new token".to_owned(),
        ));
    }
    match crate::http::viewer_from_token(state, &session.token).await {
        Ok(_) => None,
        Err(Error::Unauthenticated(reason)) => Some(Error::Unauthenticated(reason)),
        // A database hiccup does not end the subscription; the next check tries again.
        Err(_) => None,
    }
}

/// `events`, ended with an error once `session`'s token expires or is revoked; `place` is held
/// as long as the stream lives.
pub fn guarded<T, S>(
    events: S,
    state: AppState,
    session: Session,
    place: Place,
) -> impl Stream<Item = async_graphql::Result<T>>
where
    S: Stream<Item = async_graphql::Result<T>> + Send + Unpin + 'static,
    T: Send + 'static,
{
    futures::stream::unfold(
        Some((events, state, session, place)),
        |current| async move {
            let (mut events, state, session, place) = current?;
            loop {
                let until_expiry =
                    u64::try_from(session.expires_at - chrono::Utc::now().timestamp()).unwrap_or(0);
                let wait = RECHECK.min(Duration::from_secs(until_expiry));
                tokio::select! {
                    event = events.next() => {
                        let event = event?;
                        return Some((event, Some((events, state, session, place))));
                    }
                    () = tokio::time::sleep(wait) => {
                        if let Some(reason) = lapsed(&state, &session).await {
                            drop(place);
                            return Some((Err(reason.extend()), None));
                        }
                    }
                }
            }
        },
    )
}
