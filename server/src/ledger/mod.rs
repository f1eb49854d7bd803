//! The ledger: the shared fee-bucket taxonomy, the normalised line every connector produces, and
//! the idempotent, append-only posting of those lines (see DESIGN.md, "The ledger").
//!
//! This module owns the invariants: lines are keyed by channel identifiers, a replay is a no-op,
//! a correction is a reversal plus a new row, raw records are stored verbatim before anything
//! derived from them, and amounts are exact minor units.

mod bucket;
mod bulk;
mod content;
mod current;
mod dictionary;
pub mod mapping;
pub mod packed_key;
mod post;
pub mod query;
pub mod raw;
mod rebook;
pub mod rollup;
pub mod time;

pub(crate) use bucket::text_enum;
pub use bucket::{Channel, EntryStatus, FeeBucket, ProfitRole};
pub use content::key_hash;
pub use current::{elsewhere_candidates, held_elsewhere, live_keys, Elsewhere};
pub use packed_key::entry_key;
/// The predicate of the partial index `ix_ledger_entry_org_unmapped (org_id, channel, label_id)
/// WHERE NOT mapped` (migrations `m20261209_000002`, `m20261211_000001`), spelled as the index spells it: both
/// planners use a partial index only for a query that states its predicate literally.
pub(crate) const UNMAPPED: &str = "NOT ledger_entry.mapped";

pub use post::{
    attribute, post, post_in, unattributed_products, NewLine, PostOutcome, PostRequest,
};
