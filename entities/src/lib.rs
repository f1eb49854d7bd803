//! sea-orm entities of the pnl database, one module per table, written to match `migration`.
//!
//! Entities carry no behaviour beyond relations and no GraphQL derives: the server maps them into
//! domain types, and GraphQL types are built from those, so a column never leaks by accident.
//! Money columns are `i64` minor units beside a currency code; enum-like columns are the
//! SCREAMING_SNAKE names of the server's enums, stored as text — except on `ledger_entry`, whose
//! channel, bucket and status are small codes and whose label and source kind are ids of per-org
//! dictionaries (`ledger_label`, `source_kind`).

pub mod ad_account;
pub mod api_client;
pub mod channel_setting;
pub mod creator;
pub mod creator_fee;
pub mod fee_mapping;
pub mod fx_rate;
pub mod issued_token;
pub mod ledger_day;
pub mod ledger_entry;
pub mod ledger_label;
pub mod ledger_month;
pub mod ledger_week;
pub mod listing;
pub mod mapping_change;
pub mod mirrored_order;
pub mod oauth_state;
pub mod order_attribution;
pub mod org;
pub mod payout;
pub mod prelude;
pub mod product;
pub mod product_cost;
pub mod raw_record;
pub mod replay_run;
pub mod shop;
pub mod source_kind;
pub mod statement_mapping;
pub mod sync_state;
