//! Payouts as the API shows them.

use super::scalars::DateTime;
use async_graphql::{InputObject, SimpleObject, ID};

use super::money::MoneyObject;
use crate::connectors::PayoutKind;
use crate::ledger::{Channel, FeeBucket};
use crate::payout::{PayoutFilter as DomainFilter, PayoutView, ReconcileStatus};

/// An amount booked in one fee bucket.
#[derive(Clone, Debug, SimpleObject)]
pub struct BucketAmount {
    /// The bucket.
    pub bucket: FeeBucket,
    /// The signed total.
    pub amount: MoneyObject,
}

/// A total a channel reports — a TikTok statement or payment, an Amazon settlement, a Shopify
/// payout — checked against the ledger. `reported` is the channel's figure, `ledger` the sum of
/// the ledger lines that belong to it (for a payment: of the statements it paid), `residual`
/// the difference; a residual is shown, never absorbed.
#[derive(Clone, Debug, SimpleObject)]
pub struct Payout {
    /// Row id.
    pub id: ID,
    /// STATEMENT, PAYMENT, SETTLEMENT or PAYOUT.
    pub kind: PayoutKind,
    /// Channel.
    pub channel: Channel,
    /// The channel's id for it.
    pub external_id: String,
    /// What the channel reported (null until the channel's own total has been read).
    pub reported: Option<MoneyObject>,
    /// Sum of its ledger lines. A statement's settlement leaves out reserves held or released
    /// (they are in `breakdown` as RESERVES); a payment's ledger includes them, as the payment does.
    pub ledger: MoneyObject,
    /// reported − ledger (null until reported).
    pub residual: Option<MoneyObject>,
    /// MATCHED, MISMATCHED or NOT_REPORTED.
    pub status: ReconcileStatus,
    /// The channel's own status (PAID, PROCESSING, SETTLED, …).
    pub channel_status: String,
    /// The ledger total per bucket.
    pub breakdown: Vec<BucketAmount>,
    /// Start of the period covered.
    pub period_start: Option<DateTime>,
    /// End of the period covered.
    pub period_end: Option<DateTime>,
    /// When it was paid.
    pub paid_at: Option<DateTime>,
    /// The external id of the payout that paid this one (a statement's payment).
    pub paid_by: Option<String>,
}

impl From<PayoutView> for Payout {
    fn from(view: PayoutView) -> Self {
        Self {
            id: ID(view.id.to_string()),
            kind: view.kind,
            channel: view.channel,
            external_id: view.external_id,
            reported: view.reported.map(Into::into),
            ledger: view.ledger.into(),
            residual: view.residual.map(Into::into),
            status: view.status,
            channel_status: view.channel_status,
            breakdown: view
                .breakdown
                .into_iter()
                .map(|(bucket, amount)| BucketAmount {
                    bucket,
                    amount: amount.into(),
                })
                .collect(),
            period_start: view.period_start.map(Into::into),
            period_end: view.period_end.map(Into::into),
            paid_at: view.paid_at.map(Into::into),
            paid_by: view.parent_external_id,
        }
    }
}

/// Which payouts to list.
#[derive(Clone, Debug, Default, InputObject)]
pub struct PayoutFilter {
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this kind.
    pub kind: Option<PayoutKind>,
    /// Period ending at or after.
    pub from: Option<DateTime>,
    /// Period ending before.
    pub to: Option<DateTime>,
}

impl From<PayoutFilter> for DomainFilter {
    fn from(filter: PayoutFilter) -> Self {
        Self {
            channel: filter.channel,
            kind: filter.kind,
            from: filter.from.map(|at| at.0),
            to: filter.to.map(|at| at.0),
        }
    }
}
