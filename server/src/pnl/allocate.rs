//! Spreading ad spend that is tied to no SKU over the SKUs of its period, by net sales.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::fold::{NO_SKU, UNLINKED};
use super::row::{add, PnlKey, PnlRow};
use crate::error::Result;
use crate::ledger::FeeBucket;
use crate::money::Money;

/// Whether a row's key names no product (spend not tied to a SKU).
fn untied(key: &PnlKey) -> bool {
    key.sku.as_deref() == Some(NO_SKU) || key.product.as_deref() == Some(UNLINKED)
}

/// The key a row shares with its siblings: everything but SKU and product.
fn siblings(key: &PnlKey) -> PnlKey {
    PnlKey {
        sku: None,
        product: None,
        ..key.clone()
    }
}

/// Moves the ADVERTISING of untied rows onto the rows with the same other keys (channel, shop,
/// period, …) in proportion to their net sales; rounding remainders go to the largest share,
/// so the total is unchanged to the minor unit. Untied spend with no sales to carry it stays.
pub(super) fn allocate_ads(rows: &mut BTreeMap<PnlKey, PnlRow>) -> Result<()> {
    let untied_keys: Vec<PnlKey> = rows.keys().filter(|key| untied(key)).cloned().collect();
    for key in untied_keys {
        let Some(spend) = rows
            .get(&key)
            .and_then(|row| row.buckets.get(&FeeBucket::Advertising).copied())
        else {
            continue;
        };
        if spend.is_zero() {
            continue;
        }
        let group = siblings(&key);
        let mut shares: Vec<(PnlKey, Decimal)> = Vec::new();
        for (other, row) in rows.iter() {
            if untied(other) || siblings(other) != group {
                continue;
            }
            let net = row.net_sales()?.amount();
            if net > Decimal::ZERO {
                shares.push((other.clone(), net));
            }
        }
        let total: Decimal = shares.iter().map(|(_, net)| *net).sum();
        if shares.is_empty() || total.is_zero() {
            continue;
        }
        let mut parts: Vec<(PnlKey, Money)> = shares
            .iter()
            .map(|(other, net)| {
                (
                    other.clone(),
                    Money::from_decimal(spend.amount() * *net / total, spend.currency()),
                )
            })
            .collect();
        let given = Money::checked_sum(parts.iter().map(|(_, m)| *m), spend.currency())?;
        let remainder = spend.checked_sub(given)?;
        if let Some(largest) = shares
            .iter()
            .enumerate()
            .max_by_key(|(_, (_, net))| *net)
            .map(|(i, _)| i)
        {
            parts[largest].1 = parts[largest].1.checked_add(remainder)?;
        }
        for (other, part) in parts {
            if let Some(row) = rows.get_mut(&other) {
                add(&mut row.buckets, FeeBucket::Advertising, part)?;
            }
        }
        if let Some(row) = rows.get_mut(&key) {
            add(&mut row.buckets, FeeBucket::Advertising, -spend)?;
            let empty = row.buckets.values().all(Money::is_zero)
                && row.units_sold == 0
                && row.cogs.is_zero();
            if empty {
                rows.remove(&key);
            }
        }
    }
    Ok(())
}
