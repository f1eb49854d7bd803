//! Amazon (SP-API): everything the channel needs, behind the connector seam
//! ([`connector::Amazon`]).
//!
//! # Layout
//! - `auth`, `client`, `rate`, `reports`, `error`: Login with Amazon, the Finances v0, Sellers
//!   and Reports clients, per-operation usage plans (a `governor` bucket each, re-tuned from
//!   `x-amzn-RateLimit-Limit`), backoff with jitter.
//! - `model`, `finances`, `settlement`, `labels`: wire models, the pure normalisers (Finances v0
//!   events and the V2 settlement flat file → ledger lines) and the label → bucket table.
//! - `config`, `credentials`, `connect`: `[amazon]` settings, the sealed refresh token, the
//!   Seller Central consent flow (`/connect/amazon`).
//! - `sync`, `connector`: the `amazon.finances` stream (event groups, their events, settlement
//!   reports) and the seam implementation (streams, OAuth, file format, labels).
//!
//! Finances v0 events and the V2 settlement report → ledger lines:
//!
//! Both sources describe the same money: a financial event group of the Finances API and the
//! settlement report of the same period list the same charges and fees. Either may arrive first
//! (a sync, then a saved report imported; or a report first, then a backfill), and each may be
//! read again. The rule that makes every amount post once:
//!
//! # The same money once
//!
//! **Entry keys are built from what both sources carry, never from a source's own ids.**
//! Every key starts `amazon:{period start day}:{currency}:`, the settlement period the money
//! was settled in (group `FinancialEventGroupStart` ↔ file `settlement-start-date`), so an
//! occurrence counter never meets the money of another period. Then:
//!
//! - **order money** — `order:{order id}:{kind}:{item}:{group}:{component}`, where
//!   - the order id is `AmazonOrderId` ↔ `order-id` (on order rows only: `order-id` holds an
//!     FBA shipment id on `FBAFees` rows, reference pitfall 6, and those rows are account money);
//!   - the kind is `sale` (Shipment/ShipmentSettle events ↔ `Order`), `refund` (↔ `Refund`),
//!     `claim` (guarantee claims ↔ `A-to-z Guarantee Refund`), `chargeback`
//!     (↔ `Chargeback Refund`) or `retro` (retrocharges ↔ `*_Retrocharge`);
//!   - the item is the seller SKU (`SellerSKU` ↔ `sku`), which both sources write on every
//!     item row of every kind; only without one the item id (`OrderItemId` or, on refunds,
//!     `OrderAdjustmentItemId` ↔ `order-item-code`), else `order`. `shipment` for shipment-level
//!     fees (`ShipmentFeeList` ↔ amount-type `ShipmentFees`), `order` for order-level money and
//!     retrocharges. ⚠ Ids are the fallback because a refund's item is named differently by the
//!     two sources: the API gives `OrderAdjustmentItemId` (often without `OrderItemId`), the
//!     file `adjustment-id` / `merchant-adjustment-item-id` and maybe `order-item-code` [U].
//!     Two items of one SKU in one order (or two refunds of one item in one period) are told
//!     apart by occurrence;
//!   - the group is `charge` (`ItemChargeList`… ↔ `ItemPrice`), `fee` (↔ `ItemFees`,
//!     `ShipmentFees`), `withheld` (`ItemTaxWithheldList` ↔ `ItemWithheldTax`) or `promotion`
//!     (↔ `Promotion`, by occurrence: `PromotionType` and the file's description differ [O]);
//!   - the component is the `ChargeType` / `FeeType` ↔ `amount-description`, compared in one
//!     spelling ([`labels::canonical`]: any casing, `Shipping` = `ShippingCharge`, …);
//! - **account money** (service fees, storage, reserves, advertising, reimbursements, program
//!   fees) has no id both sources carry: `account:{label}`, the label in the one spelling
//!   (API `ProductAdsPaymentEvent` = file `Cost of Advertising`, …);
//! - a key repeated within one period gets `#2`, `#3`… in document order (all pages of a group
//!   are normalised together for this reason). If the two sources order repeats differently the
//!   second source restates them (a correction), it never adds them.
//!
//! The lines' content matches as well (label, bucket, SKU, quantity, date, payout), so the
//! second source finds every key current with the same content and posts nothing:
//!
//! - an account-level event whose file row is one total (advertising, coupons, deals, review
//!   enrolment) is one line in both sources (the event's total, which Amazon states as the sum
//!   of its parts: all parts are in the same bucket);
//! - dates are `PostedDate` ↔ `posted-date-time` [U: assumed equal]. A service fee has no date
//!   in the API and is dated at the group's start; the file's own date then restates it (a
//!   correction of the date, never a second amount);
//! - **the payout**: `FinancialEventGroupId` ≠ `settlement-id` (reference A.3, pitfall 7), so
//!   both payouts are stored with [`PayoutInfo::same_period`](crate::connectors::PayoutInfo):
//!   a settlement of the same shop and currency whose period starts and ends on the same days
//!   is the payout already stored, and the second source's lines are booked to it. ⚠ That a
//!   group and its settlement report share their period to the day is [U]; when they do not,
//!   the second source's lines are corrections moving the money to its own payout, still once.
//!
//! What is [U] here is listed where it is used; see also reference/amazon-shopify-walmart-api.md
//! sections A, B and E.

pub mod auth;
pub mod client;
pub mod config;
pub mod connect;
pub mod connector;
pub mod credentials;
pub mod error;
pub mod finances;
pub mod labels;
pub mod model;
pub mod rate;
mod replay;
pub mod reports;
pub mod settlement;
pub mod sync;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{Granularity, Line, Normalized, PayoutKind, PayoutRef, SkuRef};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::{Channel, EntryStatus};
use crate::money::{Currency, Money};

pub use auth::{exchange_code, AmazonConfig, LwaTokens, Region, Regional};
pub use client::{AmazonClient, RawPage, Window};
pub use connector::{Amazon, SHOP_STREAM};
pub use error::AmazonError;
pub use rate::{Backoff, Operation, OperationQuota, Quotas};
pub use reports::{ReportPage, SettlementReport};

/// The channel every Amazon line belongs to.
pub const AMAZON: Channel = Channel::Amazon;

/// The channel of Amazon's shops (the seam's name for [`AMAZON`]).
pub(crate) const CHANNEL_OF: Channel = AMAZON;

/// What kind of order money a component is (see the module docs); `Account` for money that
/// belongs to no order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Sale,
    Refund,
    Claim,
    Chargeback,
    Retro,
    Account,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::Refund => "refund",
            Self::Claim => "claim",
            Self::Chargeback => "chargeback",
            Self::Retro => "retro",
            Self::Account => "account",
        }
    }

    /// The label prefix of its charges: the same `Principal` is a sale or a refund.
    fn prefix(self) -> Option<&'static str> {
        match self {
            Self::Refund => Some("Refund"),
            Self::Claim => Some("GuaranteeClaim"),
            Self::Chargeback => Some("Chargeback"),
            _ => None,
        }
    }
}

/// Which list of an order item the component comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Charge,
    Fee,
    Withheld,
    Promotion,
    Direct,
}

impl Group {
    fn key(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Fee => "fee",
            Self::Withheld => "withheld",
            Self::Promotion => "promotion",
            Self::Direct => "direct",
        }
    }
}

/// The item part of an order line's key: `sku:{seller SKU}` (trimmed), else the item id, else
/// `order` (see the module doc).
pub(crate) fn item_key(sku: Option<&str>, id: Option<&str>) -> String {
    match (sku.map(str::trim), id.map(str::trim)) {
        (Some(sku), _) if !sku.is_empty() => format!("sku:{sku}"),
        (_, Some(id)) if !id.is_empty() => id.to_owned(),
        _ => "order".to_owned(),
    }
}

/// One amount of one source row or event, in the vocabulary both sources share.
#[derive(Clone, Debug)]
pub(crate) struct Component {
    pub(crate) kind: Kind,
    pub(crate) order_id: Option<String>,
    /// Order item id, `shipment` or `order` (order money only).
    pub(crate) item: Option<String>,
    pub(crate) group: Group,
    /// The component's name in the one spelling (`Principal`, `Commission`, `Cost of
    /// Advertising`, …).
    pub(crate) name: String,
    pub(crate) amount: Money,
    pub(crate) seller_sku: Option<String>,
    pub(crate) asin: Option<String>,
    /// Units of the item (only counted on principal lines).
    pub(crate) units: i32,
    pub(crate) occurred_at: DateTime<Utc>,
}

/// The settlement period a source covers: the key prefix and the payout of its lines.
#[derive(Clone, Debug)]
pub(crate) struct Period {
    pub(crate) start: DateTime<Utc>,
    pub(crate) currency: Currency,
    pub(crate) payout: PayoutRef,
}

impl Period {
    pub(crate) fn settlement(external_id: &str, start: DateTime<Utc>, currency: Currency) -> Self {
        Self {
            start,
            currency,
            payout: PayoutRef {
                kind: PayoutKind::Settlement,
                external_id: external_id.to_owned(),
            },
        }
    }
}

/// Components → lines (keys, labels, buckets, units) and the SKUs they name.
pub(crate) fn lines(
    period: &Period,
    components: Vec<Component>,
    mapper: &FeeMapper,
    out: &mut Normalized,
) {
    let prefix = format!(
        "amazon:{}:{}",
        period.start.format("%Y-%m-%d"),
        period.currency.as_str()
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut skus: BTreeSet<String> = out
        .listings
        .iter()
        .map(|sku| sku.channel_sku_id.clone())
        .collect();
    for component in components {
        if component.amount.is_zero() {
            continue;
        }
        // A promotion is named by its list: its type (API) and description (file) differ.
        let name = match (component.kind, component.group) {
            (Kind::Account, _) => component.name.clone(),
            (_, Group::Promotion) => "Promotion".to_owned(),
            _ => component.name.clone(),
        };
        let folded = labels::fold(&name);
        let (base, label, granularity) = match (&component.kind, &component.order_id) {
            (Kind::Account, _) | (_, None) => (
                format!("{prefix}:account:{folded}"),
                name,
                Granularity::Standalone,
            ),
            (kind, Some(order)) => {
                let item = component.item.as_deref().unwrap_or("order");
                let label = match (kind.prefix(), component.group) {
                    (Some(prefix), Group::Charge | Group::Promotion) => format!("{prefix}:{name}"),
                    _ => name,
                };
                let granularity = if matches!(item, "order" | "shipment") {
                    Granularity::Order
                } else {
                    Granularity::Sku
                };
                (
                    format!(
                        "{prefix}:order:{order}:{}:{item}:{}:{folded}",
                        kind.key(),
                        component.group.key()
                    ),
                    label,
                    granularity,
                )
            }
        };
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        let entry_key = if *count == 1 {
            base
        } else {
            format!("{base}#{count}")
        };
        let order_money = component.kind != Kind::Account && component.order_id.is_some();
        // Order- and shipment-level money belongs to no SKU, whatever a row repeats.
        let sku = component
            .seller_sku
            .as_ref()
            .filter(|_| !order_money || granularity == Granularity::Sku)
            .filter(|sku| !sku.trim().is_empty())
            .map(|sku| SkuRef {
                channel_sku_id: sku.trim().to_owned(),
                seller_sku: Some(sku.trim().to_owned()),
                channel_product_id: component.asin.clone(),
                name: None,
            });
        if let Some(sku) = &sku {
            if skus.insert(sku.channel_sku_id.clone()) {
                out.listings.push(sku.clone());
            }
        }
        // Units sold ride on the sale's principal, units returned on the refund's.
        let quantity = match (component.kind, component.group, folded.as_str()) {
            (Kind::Sale, Group::Charge, "principal")
                if !component.amount.amount().is_sign_negative() =>
            {
                component.units.saturating_abs()
            }
            (Kind::Refund, Group::Charge, "principal") => -component.units.saturating_abs(),
            _ => 0,
        };
        let mapping = mapper.resolve(AMAZON, &label);
        out.lines.push(Line {
            entry_key,
            order_id: component.order_id.clone().filter(|_| order_money),
            sku,
            creator: None,
            bucket: mapping.bucket,
            label,
            mapped: mapping.mapped,
            amount: component.amount,
            quantity,
            occurred_at: component.occurred_at,
            status: EntryStatus::Settled,
            payout: Some(period.payout.clone()),
            granularity,
            statement: Some(period.payout.external_id.clone()),
            product: None,
            excluded_by: None,
            replaces: Vec::new(),
        });
    }
}
