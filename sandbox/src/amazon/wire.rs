//! Finances v0 JSON (PascalCase, `ProductAdsPaymentEvent` camelCase), amounts as JSON
//! numbers with two decimals written from integer minor units (never through a float).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::config::AmazonSellerSpec;
use super::world::{Event, Group, Kind, Part};
use crate::money::Minor;

/// A JSON tree whose numbers keep their exact text.
#[derive(Debug, Clone)]
pub(crate) enum J {
    Obj(Vec<(&'static str, Self)>),
    Arr(Vec<Self>),
    Str(String),
    Int(i64),
    Bool(bool),
    /// Minor units printed with two decimals as a JSON number (`-4.35`).
    Amt(Minor),
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Obj(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Self::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Str(text) => s.serialize_str(text),
            Self::Int(n) => s.serialize_i64(*n),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Amt(minor) => {
                let text = rust_decimal::Decimal::new(*minor, 2).to_string();
                RawValue::from_string(text)
                    .map_err(serde::ser::Error::custom)?
                    .serialize(s)
            }
        }
    }
}

impl J {
    /// The JSON text.
    pub(crate) fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn s(text: impl Into<String>) -> J {
    J::Str(text.into())
}

/// ISO-8601 UTC with seconds, as Amazon prints dates (`2024-05-01T07:00:00Z`).
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn money(code: &str, amount: Minor) -> J {
    J::Obj(vec![
        ("CurrencyCode", s(code)),
        ("CurrencyAmount", J::Amt(amount)),
    ])
}

/// A `FinancialEventGroup`.
pub(crate) fn group(g: &Group, spec: &AmazonSellerSpec) -> J {
    let c = spec.currency.as_str();
    let mut f = vec![
        ("FinancialEventGroupId", s(&g.id)),
        (
            "ProcessingStatus",
            s(if g.open { "Open" } else { "Closed" }),
        ),
    ];
    if !g.open {
        f.push(("FundTransferStatus", s("Succeeded")));
    }
    f.push(("OriginalTotal", money(c, g.total)));
    if !g.open {
        f.push(("ConvertedTotal", money(c, g.total)));
        f.push(("FundTransferDate", s(iso(g.fund_transfer_date()))));
        f.push(("TraceId", s(format!("{}SANDBOX", &g.settlement_id[..8]))));
        f.push(("AccountTail", s("042")));
    }
    f.push(("BeginningBalance", money(c, 0)));
    f.push(("FinancialEventGroupStart", s(iso(g.start))));
    if !g.open {
        f.push(("FinancialEventGroupEnd", s(iso(g.end))));
    }
    J::Obj(f)
}

fn components(e: &Event, part: Part, kind: &'static str, amount: &'static str, code: &str) -> J {
    J::Arr(
        e.components
            .iter()
            .filter(|c| c.part == part)
            .map(|c| J::Obj(vec![(kind, s(c.label)), (amount, money(code, c.amount))]))
            .collect(),
    )
}

fn shipment_event(e: &Event, spec: &AmazonSellerSpec) -> J {
    let c = spec.currency.as_str();
    let refund = e.kind == Kind::Refund;
    let sku = e.listing.map_or("", |l| l.seller_sku);
    let mut item = vec![
        ("SellerSKU", s(sku)),
        (
            if refund {
                "OrderAdjustmentItemId"
            } else {
                "OrderItemId"
            },
            s(&e.item_id),
        ),
        ("QuantityShipped", J::Int(i64::from(e.quantity))),
        (
            if refund {
                "ItemChargeAdjustmentList"
            } else {
                "ItemChargeList"
            },
            components(e, Part::Charge, "ChargeType", "ChargeAmount", c),
        ),
        (
            if refund {
                "ItemFeeAdjustmentList"
            } else {
                "ItemFeeList"
            },
            components(e, Part::Fee, "FeeType", "FeeAmount", c),
        ),
    ];
    if e.components.iter().any(|x| x.part == Part::TaxWithheld) {
        item.push((
            "ItemTaxWithheldList",
            J::Arr(vec![J::Obj(vec![
                ("TaxCollectionModel", s("MarketplaceFacilitator")),
                (
                    "TaxesWithheld",
                    components(e, Part::TaxWithheld, "ChargeType", "ChargeAmount", c),
                ),
            ])]),
        ));
    }
    let promotions: Vec<J> = e
        .components
        .iter()
        .filter(|x| x.part == Part::Promotion)
        .map(|x| {
            J::Obj(vec![
                ("PromotionType", s(x.label)),
                ("PromotionId", s(&e.promotion_id)),
                ("PromotionAmount", money(c, x.amount)),
            ])
        })
        .collect();
    if !promotions.is_empty() {
        item.push(("PromotionList", J::Arr(promotions)));
    }
    J::Obj(vec![
        ("AmazonOrderId", s(&e.reference)),
        ("MarketplaceName", s(&spec.marketplace_name)),
        ("PostedDate", s(iso(e.posted))),
        (
            if refund {
                "ShipmentItemAdjustmentList"
            } else {
                "ShipmentItemList"
            },
            J::Arr(vec![J::Obj(item)]),
        ),
    ])
}

fn service_fee_event(e: &Event, spec: &AmazonSellerSpec) -> J {
    let storage = e.components.iter().any(|c| c.label == "FBAStorageFee");
    // The model's ServiceFeeEvent has no PostedDate (reference A.9): none is sent.
    J::Obj(vec![
        (
            "FeeReason",
            s(if storage {
                "FBAStorageBilling"
            } else {
                "NewProgramEnrollment"
            }),
        ),
        (
            "FeeList",
            components(e, Part::Fee, "FeeType", "FeeAmount", &spec.currency),
        ),
        (
            "FeeDescription",
            s(if storage {
                "FBA storage fee"
            } else {
                "Seller Central new program fee"
            }),
        ),
    ])
}

fn amount_of(e: &Event, label: &str) -> Minor {
    e.components
        .iter()
        .filter(|c| c.label == label)
        .map(|c| c.amount)
        .sum()
}

fn ads_event(e: &Event, spec: &AmazonSellerSpec) -> J {
    let c = spec.currency.as_str();
    // camelCase names and PascalCase Currency inside, as in the model (reference A.9).
    J::Obj(vec![
        ("postedDate", s(iso(e.posted))),
        ("transactionType", s("Charge")),
        ("invoiceId", s(&e.reference)),
        ("baseValue", money(c, amount_of(e, "baseValue"))),
        ("taxValue", money(c, amount_of(e, "taxValue"))),
        ("transactionValue", money(c, e.total())),
    ])
}

fn adjustment_event(e: &Event, spec: &AmazonSellerSpec) -> J {
    let c = spec.currency.as_str();
    let label = e.components.first().map_or("", |x| x.label);
    let mut f = vec![
        ("AdjustmentType", s(label)),
        ("PostedDate", s(iso(e.posted))),
        ("AdjustmentAmount", money(c, e.total())),
    ];
    if let Some(l) = e.listing {
        f.push((
            "AdjustmentItemList",
            J::Arr(vec![J::Obj(vec![
                ("Quantity", s(e.quantity.to_string())),
                ("PerUnitAmount", money(c, e.total())),
                ("TotalAmount", money(c, e.total())),
                ("SellerSKU", s(l.seller_sku)),
                ("FnSKU", s(l.fnsku())),
                ("ProductDescription", s(l.title)),
                ("ASIN", s(l.asin)),
                ("TransactionNumber", s(&e.reference)),
            ])]),
        ));
    }
    J::Obj(f)
}

/// A `FinancialEvents` container of `events`, every list of the kinds the sandbox makes
/// present (empty when nothing is in it, as Amazon sends them).
pub(crate) fn financial_events<'a>(
    events: impl Iterator<Item = &'a Event>,
    spec: &AmazonSellerSpec,
) -> J {
    let (mut ship, mut refund, mut fee, mut ads, mut adj) =
        (vec![], vec![], vec![], vec![], vec![]);
    for e in events {
        match e.kind {
            Kind::Shipment => ship.push(shipment_event(e, spec)),
            Kind::Refund => refund.push(shipment_event(e, spec)),
            Kind::ServiceFee => fee.push(service_fee_event(e, spec)),
            Kind::Ads => ads.push(ads_event(e, spec)),
            Kind::Reimbursement | Kind::Reserve => adj.push(adjustment_event(e, spec)),
        }
    }
    J::Obj(vec![
        ("ShipmentEventList", J::Arr(ship)),
        ("RefundEventList", J::Arr(refund)),
        ("GuaranteeClaimEventList", J::Arr(vec![])),
        ("ChargebackEventList", J::Arr(vec![])),
        ("ServiceFeeEventList", J::Arr(fee)),
        ("ProductAdsPaymentEventList", J::Arr(ads)),
        ("AdjustmentEventList", J::Arr(adj)),
    ])
}

/// `{"payload": {...}}` with an optional `NextToken` (omitted on the last page).
pub(crate) fn payload(list_name: &'static str, list: J, next: Option<String>) -> J {
    let mut p = Vec::new();
    if let Some(token) = next {
        p.push(("NextToken", s(token)));
    }
    p.push((list_name, list));
    J::Obj(vec![("payload", J::Obj(p))])
}
