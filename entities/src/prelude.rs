//! Every entity under its table's name.

pub use crate::ad_account::Entity as AdAccount;
pub use crate::api_client::Entity as ApiClient;
pub use crate::creator::Entity as Creator;
pub use crate::creator_fee::Entity as CreatorFee;
pub use crate::fee_mapping::Entity as FeeMapping;
pub use crate::fx_rate::Entity as FxRate;
pub use crate::issued_token::Entity as IssuedToken;
pub use crate::ledger_day::Entity as LedgerDay;
pub use crate::ledger_entry::Entity as LedgerEntry;
pub use crate::listing::Entity as Listing;
pub use crate::mapping_change::Entity as MappingChange;
pub use crate::oauth_state::Entity as OauthState;
pub use crate::order_attribution::Entity as OrderAttribution;
pub use crate::org::Entity as Org;
pub use crate::payout::Entity as Payout;
pub use crate::product::Entity as Product;
pub use crate::product_cost::Entity as ProductCost;
pub use crate::raw_record::Entity as RawRecord;
pub use crate::replay_run::Entity as ReplayRun;
pub use crate::shop::Entity as Shop;
pub use crate::sync_state::Entity as SyncState;
