//! Sync progress: reported by the running job through a watch channel, written to
//! `sync_state.progress` (so every replica, the GraphQL subscription and `pnl sync` can read it).

use chrono::{DateTime, Utc};
use entities::sync_state;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connectors::seam::Progress;
use crate::db::Db;

/// What `sync_state.progress` holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProgress {
    /// The step running.
    pub step: String,
    /// Units done.
    pub done: usize,
    /// Units in all, when known.
    pub total: Option<usize>,
    /// When this was recorded.
    pub at: Option<DateTime<Utc>>,
}

impl StoredProgress {
    /// Parses a stored value (absent or unreadable: none).
    pub fn parse(text: Option<&str>) -> Option<Self> {
        serde_json::from_str(text?).ok()
    }
}

/// Starts writing progress of job `id`; send into the returned sender, drop it when done.
pub fn writer(db: Db, id: i64) -> (watch::Sender<Progress>, JoinHandle<()>) {
    let (sender, mut receiver) = watch::channel(Progress::default());
    let task = tokio::spawn(async move {
        while receiver.changed().await.is_ok() {
            let progress = receiver.borrow_and_update().clone();
            let stored = StoredProgress {
                step: progress.step,
                done: progress.done,
                total: progress.total,
                at: Some(Utc::now()),
            };
            let text = serde_json::to_string(&stored).unwrap_or_default();
            let result = sync_state::Entity::update_many()
                .col_expr(sync_state::Column::Progress, Expr::value(Some(text)))
                .filter(sync_state::Column::Id.eq(id))
                .exec(db.conn())
                .await;
            if let Err(error) = result {
                tracing::warn!(%error, job = id, "could not record sync progress");
            }
            // Coalesce bursts: one write per quarter second at most.
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    });
    (sender, task)
}
