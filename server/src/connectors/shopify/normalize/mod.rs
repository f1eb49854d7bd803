//! Pure normalisers: Shopify answers → [`Normalized`] lines and payouts. No I/O.
//!
//! # Keys, and how the ingest's rules make estimates, splits and unsplit lines replace each other
//! - An order's ESTIMATED lines are keyed `shopify:est:ord:{order}:{component}` (granularity
//!   `Order`, no `:sku:`): the ingest's "settled lines of an order retire its estimates" finds
//!   them by their `:ord:` and the order id, so the first settled charge of the order reverses
//!   them, and estimates read again after that are not posted.
//! - A refund that went back through another gateway (store credit, gift card, cash) on an order
//!   Shopify Payments settles will never have a balance transaction: it is keyed
//!   `shopify:est:offline:{order}:refund:…` (no `:ord:`, granularity `Standalone`), so the
//!   settled charge neither retires it nor stops it being posted. Orders paid only through other
//!   gateways (PayPal, manual, gift cards) have no balance transaction at all: their estimates
//!   stay for good, their settlement being out of Shopify Payments' reach.
//! - A balance transaction is a "statement" of its own: its lines share the prefix
//!   `shopify:bt:{transaction}:ord:{order}:`. Split by its order, every line sits under
//!   `{prefix}sku:` with granularity `Sku` (the `sku:` marks the finer set, not a SKU: shipping
//!   and the fee are in it too). Unsplit (the order was not known), it is `{prefix}unsplit_charge`
//!   (or `unsplit_refund`) and `{prefix}fee`, granularity `Order`.
//! - When the split arrives after the unsplit lines, the ingest sees `Sku` lines of that prefix
//!   and retires every live row of the prefix the batch does not carry (the unsplit gross and its
//!   fee); when the unsplit lines arrive again after the split (a balance-transaction page read
//!   without its orders), live rows under `{prefix}sku:` make the ingest drop them. Either order
//!   ends with the split lines only, and never with both.
//!
//! Amounts are read in `shopMoney` and must be in the shop's currency (a Failure names any
//! other). An order with a bad amount posts nothing and is listed as a failure.

mod order;
mod payments;
mod refund;
#[cfg(test)]
mod replace_tests;
#[cfg(test)]
mod tests;

pub use order::order;
pub use payments::{balance_transactions, orders_to_fetch, payouts};

use chrono::{DateTime, Utc};

use super::model::{MoneyBag, MoneyV2};
use crate::connectors::{Failure, Granularity, Line, PayoutRef, SkuRef};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::EntryStatus;
use crate::money::{Currency, Money};

/// What every normaliser needs: the mapping in force and the shop's currency.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Label → bucket.
    pub mapper: &'a FeeMapper,
    /// The shop's currency: every line is in it.
    pub currency: Currency,
}

/// One money component of an order or refund, before it becomes a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Component {
    /// The component's part of the key, e.g. `line:11:sales`.
    pub key: String,
    /// Its label (see `labels.rs`).
    pub label: &'static str,
    /// Signed amount.
    pub amount: Money,
    /// The SKU, for line-item components.
    pub sku: Option<SkuRef>,
    /// Units (sold: +, given back to stock: −).
    pub quantity: i32,
}

/// A `MoneyV2` as money of the shop's currency.
pub(crate) fn money_v2(
    value: &MoneyV2,
    ctx: &Context<'_>,
    position: &str,
) -> Result<Money, Failure> {
    let currency = match value.currency_code.as_deref() {
        None => ctx.currency,
        Some(code) => Currency::parse(code).map_err(|error| Failure {
            position: format!("{position}.currencyCode"),
            reason: error.to_string(),
        })?,
    };
    if currency != ctx.currency {
        return Err(Failure {
            position: format!("{position}.currencyCode"),
            reason: format!("{currency} is not the shop's currency {}", ctx.currency),
        });
    }
    let money = Money::from_decimal(value.amount.0, currency);
    if money.amount() != value.amount.0 {
        return Err(Failure {
            position: format!("{position}.amount"),
            reason: format!(
                "{} has more decimals than {} allows",
                value.amount.0, currency
            ),
        });
    }
    Ok(money)
}

/// A `MoneyBag`'s `shopMoney` (zero when absent).
pub(crate) fn money_bag(
    value: Option<&MoneyBag>,
    ctx: &Context<'_>,
    position: &str,
) -> Result<Money, Failure> {
    match value {
        Some(bag) => money_v2(&bag.shop_money, ctx, &format!("{position}.shopMoney")),
        None => Ok(Money::zero(ctx.currency)),
    }
}

/// `a + b`, as a failure at `position` when it overflows.
pub(crate) fn add(a: Money, b: Money, position: &str) -> Result<Money, Failure> {
    a.checked_add(b).map_err(|error| Failure {
        position: position.to_owned(),
        reason: error.to_string(),
    })
}

/// `a − b`, as a failure at `position` when it overflows.
pub(crate) fn sub(a: Money, b: Money, position: &str) -> Result<Money, Failure> {
    a.checked_sub(b).map_err(|error| Failure {
        position: position.to_owned(),
        reason: error.to_string(),
    })
}

/// The sum of the components' amounts.
pub(crate) fn total(parts: &[Component], currency: Currency) -> Result<Money, Failure> {
    Money::checked_sum(parts.iter().map(|part| part.amount), currency).map_err(|error| Failure {
        position: "sum of components".to_owned(),
        reason: error.to_string(),
    })
}

/// How lines of one source are posted.
#[derive(Clone, Copy)]
pub(crate) struct LineSpec<'a> {
    pub key_prefix: &'a str,
    pub order_id: Option<&'a str>,
    pub occurred_at: DateTime<Utc>,
    pub status: EntryStatus,
    pub payout: Option<&'a PayoutRef>,
    pub granularity: Granularity,
    pub statement: Option<&'a str>,
}

/// A line of `spec` for `component`.
pub(crate) fn line(ctx: &Context<'_>, spec: &LineSpec<'_>, component: Component) -> Line {
    let mapping = super::labels::resolve(ctx.mapper, component.label);
    Line {
        entry_key: format!("{}{}", spec.key_prefix, component.key),
        order_id: spec.order_id.map(ToOwned::to_owned),
        sku: component.sku,
        creator: None,
        bucket: mapping.bucket,
        label: component.label.to_owned(),
        mapped: mapping.mapped,
        amount: component.amount,
        quantity: component.quantity,
        occurred_at: spec.occurred_at,
        status: spec.status,
        payout: spec.payout.cloned(),
        granularity: spec.granularity,
        statement: spec.statement.map(ToOwned::to_owned),
        product: None,
        excluded_by: None,
        replaces: Vec::new(),
    }
}

/// A balance-transaction line whose label is dynamic (a transaction type Shopify may add).
pub(crate) fn typed_line(
    ctx: &Context<'_>,
    spec: &LineSpec<'_>,
    key: &str,
    label: &str,
    amount: Money,
) -> Line {
    let mapping = super::labels::resolve(ctx.mapper, label);
    Line {
        entry_key: format!("{}{key}", spec.key_prefix),
        order_id: spec.order_id.map(ToOwned::to_owned),
        sku: None,
        creator: None,
        bucket: mapping.bucket,
        label: label.to_owned(),
        mapped: mapping.mapped,
        amount,
        quantity: 0,
        occurred_at: spec.occurred_at,
        status: spec.status,
        payout: spec.payout.cloned(),
        granularity: spec.granularity,
        statement: spec.statement.map(ToOwned::to_owned),
        product: None,
        excluded_by: None,
        replaces: Vec::new(),
    }
}
