//! The Shopify Payments ledger of a store: balance transactions (a `CHARGE` per sale, a
//! `REFUND` per refund, the odd `ADJUSTMENT` and `DISPUTE`, a `TRANSFER` row per payout) and
//! daily payouts of what became available two days before.

use serde_json::{json, Value};

use super::orders::{legacy, GenOrder};
use super::wire::{gid, money, time};
use crate::money::{from_usd_cents, Minor};
use crate::rng::Rng;

const STREAM: u64 = 102;
/// Days between a transaction and the first payout that may carry it.
pub(crate) const AVAILABLE_AFTER_DAYS: i64 = 2;

/// One balance transaction.
#[derive(Debug, Clone)]
pub(crate) struct Bal {
    pub(crate) legacy: u64,
    pub(crate) kind: &'static str,
    pub(crate) source_type: &'static str,
    pub(crate) source_id: u64,
    pub(crate) at: i64,
    pub(crate) amount: Minor,
    pub(crate) fee: Minor,
    pub(crate) order_transaction: Option<u64>,
    pub(crate) order: Option<(String, String)>,
    pub(crate) adjustment_reason: Option<&'static str>,
    /// Index of its payout in [`Ledger::payouts`].
    pub(crate) payout: Option<usize>,
}

impl Bal {
    pub(crate) fn net(&self) -> Minor {
        self.amount - self.fee
    }

    pub(crate) fn gid(&self) -> String {
        gid("ShopifyPaymentsBalanceTransaction", self.legacy)
    }
}

/// One payout.
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    pub(crate) legacy: u64,
    pub(crate) issued: i64,
    pub(crate) status: &'static str,
    /// Indices of its balance transactions (not its TRANSFER row).
    pub(crate) transactions: Vec<usize>,
    pub(crate) net: Minor,
}

impl Payout {
    pub(crate) fn gid(&self) -> String {
        gid("ShopifyPaymentsPayout", self.legacy)
    }
}

/// A store's balance transactions (by time) and payouts (by issue time).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger {
    pub(crate) balance: Vec<Bal>,
    pub(crate) payouts: Vec<Payout>,
    next_legacy: u64,
    store: usize,
}

impl Ledger {
    /// The ledger of `orders` from `first_day` through `today` (days since 1970).
    pub(crate) fn build(
        seed: u64,
        store: usize,
        currency: &str,
        orders: &[GenOrder],
        first_day: i64,
        today: i64,
    ) -> Self {
        let mut ledger = Self {
            store,
            next_legacy: 1,
            ..Self::default()
        };
        let mut rng = Rng::stream(&[seed, STREAM, store as u64]);
        for order in orders {
            let named = Some((
                order.value["id"].as_str().unwrap_or_default().to_owned(),
                order.name.clone(),
            ));
            if let Some(sale) = &order.sale {
                ledger.push(
                    "CHARGE",
                    "CHARGE",
                    sale.transaction_id,
                    sale.at,
                    sale.amount,
                    sale.fee,
                    Some(sale.transaction_id),
                    named.clone(),
                    None,
                );
                if rng.chance(7) && sale.at / 86_400 + 3 < today {
                    ledger.push(
                        "DISPUTE",
                        "DISPUTE",
                        legacy(store, 9, order.legacy_id % 10_000_000),
                        sale.at + 3 * 86_400,
                        -sale.amount,
                        from_usd_cents(1500, currency),
                        None,
                        named.clone(),
                        None,
                    );
                }
            }
            for refund in &order.refunds {
                ledger.push(
                    "REFUND",
                    "REFUND",
                    refund.refund.unwrap_or_default(),
                    refund.at,
                    -refund.amount,
                    refund.fee,
                    Some(refund.transaction_id),
                    named.clone(),
                    None,
                );
            }
        }
        for day in first_day..today {
            if rng.chance(100) {
                let at = day * 86_400 + 43_200;
                let id = legacy(store, 9, 9_000_000 + day as u64);
                ledger.push(
                    "ADJUSTMENT",
                    "ADJUSTMENT",
                    id,
                    at,
                    -from_usd_cents(150, currency),
                    0,
                    None,
                    None,
                    Some("adjustment"),
                );
            }
            // A rolling reserve now and then: held, then released a week later.
            if day % 10 == 3 && day + 7 < today {
                let held = from_usd_cents(2500, currency);
                for (kind, at, amount) in [
                    ("RESERVED_FUNDS", day * 86_400 + 50_000, -held),
                    ("RESERVED_FUNDS_REVERSAL", (day + 7) * 86_400 + 50_000, held),
                ] {
                    let id = legacy(store, 9, 8_000_000 + (at / 3600) as u64);
                    ledger.push(
                        kind,
                        "SYSTEM_ADJUSTMENT",
                        id,
                        at,
                        amount,
                        0,
                        None,
                        None,
                        None,
                    );
                }
            }
        }
        ledger.balance.sort_by_key(|b| (b.at, b.legacy));
        for day in first_day + AVAILABLE_AFTER_DAYS..=today {
            let status = if day == today {
                "SCHEDULED"
            } else if day + 1 == today {
                "IN_TRANSIT"
            } else {
                "PAID"
            };
            ledger.pay_out(
                day * 86_400 + 6 * 3600,
                (day - AVAILABLE_AFTER_DAYS + 1) * 86_400,
                status,
            );
        }
        ledger.sort();
        ledger
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: &'static str,
        source_type: &'static str,
        source_id: u64,
        at: i64,
        amount: Minor,
        fee: Minor,
        order_transaction: Option<u64>,
        order: Option<(String, String)>,
        adjustment_reason: Option<&'static str>,
    ) {
        let legacy = legacy(self.store, 10, self.next_legacy);
        self.next_legacy += 1;
        self.balance.push(Bal {
            legacy,
            kind,
            source_type,
            source_id,
            at,
            amount,
            fee,
            order_transaction,
            order,
            adjustment_reason,
            payout: None,
        });
    }

    /// Pays out every unassigned transaction processed before `before` in a payout issued at
    /// `issued`, with its TRANSFER row. None when there was nothing to pay.
    pub(crate) fn pay_out(
        &mut self,
        issued: i64,
        before: i64,
        status: &'static str,
    ) -> Option<usize> {
        let index = self.payouts.len();
        let members: Vec<usize> = (0..self.balance.len())
            .filter(|&i| {
                self.balance[i].payout.is_none()
                    && self.balance[i].at < before
                    && self.balance[i].kind != "TRANSFER"
            })
            .collect();
        if members.is_empty() {
            return None;
        }
        let net: Minor = members.iter().map(|&i| self.balance[i].net()).sum();
        for &i in &members {
            self.balance[i].payout = Some(index);
        }
        let payout_legacy = legacy(self.store, 11, index as u64 + 1);
        self.payouts.push(Payout {
            legacy: payout_legacy,
            issued,
            status,
            transactions: members,
            net,
        });
        let transfer_legacy = legacy(self.store, 10, self.next_legacy);
        self.next_legacy += 1;
        let row = Bal {
            legacy: transfer_legacy,
            kind: "TRANSFER",
            source_type: "TRANSFER",
            source_id: payout_legacy,
            at: issued,
            amount: -net,
            fee: 0,
            order_transaction: None,
            order: None,
            adjustment_reason: None,
            payout: Some(index),
        };
        // Appended: [`Ledger::sort`] puts it in time order once every payout is made.
        self.balance.push(row);
        Some(index)
    }

    /// Orders the balance transactions by time, keeping the payouts' member indices right.
    pub(crate) fn sort(&mut self) {
        let mut order: Vec<usize> = (0..self.balance.len()).collect();
        order.sort_by_key(|&i| (self.balance[i].at, self.balance[i].legacy));
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut slots: Vec<Option<Bal>> = std::mem::take(&mut self.balance)
            .into_iter()
            .map(Some)
            .collect();
        self.balance = order.iter().filter_map(|&i| slots[i].take()).collect();
        for payout in &mut self.payouts {
            for member in &mut payout.transactions {
                *member = new_index[*member];
            }
        }
    }

    /// A balance transaction as `ShopifyPaymentsBalanceTransaction`.
    pub(crate) fn balance_value(&self, b: &Bal, digits: u32, currency: &str) -> Value {
        let payout = b.payout.map(|p| &self.payouts[p]);
        // An unassigned transaction: `associatedPayout { id: null, status: PENDING }` [U]:
        // the docs type `id` as nullable; readers should accept a null `associatedPayout` too.
        let associated = match payout {
            Some(p) => {
                json!({"__typename": "ShopifyPaymentsBalanceTransactionAssociatedPayout", "id": p.gid(), "status": p.status})
            }
            None => {
                json!({"__typename": "ShopifyPaymentsBalanceTransactionAssociatedPayout", "id": null, "status": "PENDING"})
            }
        };
        json!({
            "__typename": "ShopifyPaymentsBalanceTransaction", "id": b.gid(), "type": b.kind, "test": false,
            "transactionDate": time(b.at), "adjustmentReason": b.adjustment_reason,
            "sourceId": b.source_id.to_string(), "sourceType": b.source_type,
            "sourceOrderTransactionId": b.order_transaction.map(|t| t.to_string()),
            "amount": money(b.amount, digits, currency), "fee": money(b.fee, digits, currency),
            "net": money(b.net(), digits, currency),
            "associatedOrder": b.order.as_ref().map(|(id, name)| json!({"__typename": "ShopifyPaymentsAssociatedOrder", "id": id, "name": name})),
            "associatedPayout": associated,
            "adjustmentsOrders": [],
        })
    }

    /// A payout as `ShopifyPaymentsPayout`, its summary from its transactions.
    pub(crate) fn payout_value(&self, p: &Payout, digits: u32, currency: &str) -> Value {
        let sum = |kinds: &[&str], fee: bool| -> Minor {
            p.transactions
                .iter()
                .map(|&i| &self.balance[i])
                .filter(|b| kinds.contains(&b.kind))
                .map(|b| if fee { b.fee } else { b.amount })
                .sum()
        };
        let m = |v: Minor| money(v, digits, currency);
        json!({
            "__typename": "ShopifyPaymentsPayout", "id": p.gid(), "legacyResourceId": p.legacy.to_string(),
            "issuedAt": time(p.issued), "status": p.status,
            "transactionType": if p.net < 0 { "WITHDRAWAL" } else { "DEPOSIT" },
            "net": m(p.net),
            "summary": {
                "__typename": "ShopifyPaymentsPayoutSummary",
                "adjustmentsFee": m(sum(&["ADJUSTMENT", "DISPUTE"], true)),
                "adjustmentsGross": m(sum(&["ADJUSTMENT", "DISPUTE"], false)),
                "chargesFee": m(sum(&["CHARGE"], true)), "chargesGross": m(sum(&["CHARGE"], false)),
                "refundsFee": m(sum(&["REFUND"], true)), "refundsFeeGross": m(sum(&["REFUND"], false)),
                "reservedFundsFee": m(sum(&["RESERVED_FUNDS", "RESERVED_FUNDS_REVERSAL"], true)),
                "reservedFundsGross": m(sum(&["RESERVED_FUNDS", "RESERVED_FUNDS_REVERSAL"], false)),
                "retriedPayoutsFee": m(0), "retriedPayoutsGross": m(0),
            },
        })
    }
}
