//! Settlement report V2 flat files (reference B): tab-separated, header line, a summary row,
//! then one row per amount component with the same money as the group's Finances events.
//! US files are UTF-8 with `MM/DD/YY` posted dates; DE files are cp1252 with decimal commas
//! and `dd.mm.yyyy` dates (the locale formats of reference B.5 and pitfall E.1).

use chrono::{DateTime, Utc};

use super::config::AmazonSellerSpec;
use super::world::{Event, Group, Kind, Part};
use crate::money::Minor;

/// The V2 header plus the trailing `promotion-id` (reference B.2).
pub(crate) const HEADER: [&str; 24] = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
];

struct Locale {
    us: bool,
}

impl Locale {
    fn amount(&self, minor: Minor) -> String {
        let text = rust_decimal::Decimal::new(minor, 2).to_string();
        if self.us {
            text
        } else {
            text.replace('.', ",")
        }
    }

    fn date_time(&self, t: DateTime<Utc>) -> String {
        if self.us {
            t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        } else {
            t.format("%d.%m.%Y %H:%M:%S UTC").to_string()
        }
    }

    fn date(&self, t: DateTime<Utc>) -> String {
        if self.us {
            t.format("%m/%d/%y").to_string()
        } else {
            t.format("%d.%m.%Y").to_string()
        }
    }
}

/// (transaction-type, amount-type, amount-description) of one component.
fn keys(
    e: &Event,
    part: Part,
    label: &'static str,
    amount: Minor,
) -> (&'static str, &'static str, &'static str) {
    match e.kind {
        Kind::Shipment | Kind::Refund => {
            let tx = if e.kind == Kind::Shipment {
                "Order"
            } else {
                "Refund"
            };
            match part {
                Part::Charge if label == "ShippingCharge" => (tx, "ItemPrice", "Shipping"),
                Part::Charge => (tx, "ItemPrice", label),
                Part::TaxWithheld => (tx, "ItemWithheldTax", label),
                Part::Promotion => (tx, "Promotion", "Principal"),
                Part::Fee | Part::Amount => (tx, "ItemFees", label),
            }
        }
        Kind::ServiceFee if label == "FBAStorageFee" => {
            ("other-transaction", "other-transaction", "Storage Fee")
        }
        Kind::ServiceFee => ("ServiceFee", "other-transaction", label),
        Kind::Ads => (
            "ServiceFee",
            "Cost of Advertising",
            "TransactionTotalAmount",
        ),
        Kind::Reimbursement => (
            "other-transaction",
            "FBA Inventory Reimbursement",
            "WAREHOUSE_LOST",
        ),
        Kind::Reserve if amount >= 0 => (
            "other-transaction",
            "other-transaction",
            "Previous Reserve Amount Balance",
        ),
        Kind::Reserve => (
            "other-transaction",
            "other-transaction",
            "Current Reserve Amount",
        ),
    }
}

/// The file's rows (without the header), each a list of cells; the summary row first.
pub(crate) fn rows(g: &Group, spec: &AmazonSellerSpec) -> Vec<Vec<String>> {
    let loc = Locale { us: spec.is_us() };
    let mut summary = vec![String::new(); HEADER.len()];
    summary[0].clone_from(&g.settlement_id);
    summary[1] = loc.date_time(g.start);
    summary[2] = loc.date_time(g.end);
    summary[3] = loc.date_time(g.fund_transfer_date());
    summary[4] = loc.amount(g.total);
    summary[5].clone_from(&spec.currency);
    let mut out = vec![summary];
    for e in &g.events {
        // Ads invoices settle as one total line (base + tax).
        let parts: Vec<(Part, &'static str, Minor)> = if e.kind == Kind::Ads {
            vec![(Part::Amount, "TransactionTotalAmount", e.total())]
        } else {
            e.components
                .iter()
                .map(|c| (c.part, c.label, c.amount))
                .collect()
        };
        for (part, label, amount) in parts {
            let (tx, amount_type, description) = keys(e, part, label, amount);
            let item = matches!(e.kind, Kind::Shipment | Kind::Refund);
            let mut row = vec![String::new(); HEADER.len()];
            row[0].clone_from(&g.settlement_id);
            row[5].clone_from(&spec.currency);
            row[6] = tx.to_owned();
            if item {
                row[7].clone_from(&e.reference);
                if !spec.is_us() {
                    // A German seller's own order number: a non-ASCII cp1252 byte in the file.
                    row[8] = format!("KÖLN-{}", &e.reference[e.reference.len() - 7..]);
                }
                row[11].clone_from(&spec.marketplace_name);
                row[15] = "AFN".to_owned();
            }
            if e.kind == Kind::Refund {
                row[9].clone_from(&e.item_id);
            } else if e.kind == Kind::Reimbursement {
                row[9].clone_from(&e.reference);
            }
            row[12] = amount_type.to_owned();
            row[13] = description.to_owned();
            row[14] = loc.amount(amount);
            row[16] = loc.date(e.posted);
            row[17] = loc.date_time(e.posted);
            if e.kind == Kind::Shipment {
                row[18].clone_from(&e.item_id);
            }
            if let Some(l) = e.listing {
                row[21] = l.seller_sku.to_owned();
                row[22] = e.quantity.to_string();
            }
            if part == Part::Promotion {
                row[23].clone_from(&e.promotion_id);
            }
            out.push(row);
        }
    }
    out
}

/// The file's bytes: UTF-8 for the US, cp1252 elsewhere in the EU.
pub(crate) fn file(g: &Group, spec: &AmazonSellerSpec) -> Vec<u8> {
    let mut text = HEADER.join("\t");
    text.push('\n');
    for row in rows(g, spec) {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    if spec.is_us() {
        text.into_bytes()
    } else {
        encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
    }
}
