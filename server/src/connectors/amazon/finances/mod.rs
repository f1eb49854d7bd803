//! Finances v0 → payouts (`listFinancialEventGroups`) and lines (`listFinancialEventsByGroupId`).
//! Pure: bytes in, [`Normalized`] out. Keys and labels follow the rules of the module docs of
//! [`super`], so a settlement report of the same period posts nothing again.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::model::{
    AffordabilityExpenseEvent, Amount, ChargeRefundEvent, ChargeRefundTransaction,
    ComminglingEvent, Envelope, EventsPayload, FeeListEvent, FinancialEventGroup, GroupsPayload,
    LiquidationEvent, PayWithAmazonEvent, ProductAdsPaymentEvent, ProgramPaymentEvent,
    RemovalShipmentEvent, RentalEvent, RetrochargeEvent, SellerDealPaymentEvent, ServiceFeeEvent,
    SingleAmountEvent,
};
mod reader;

use super::{labels, lines, Component, Group, Kind, Period};
use crate::connectors::{Failure, Normalized, PayoutInfo, PayoutKind, PayoutRef};
use crate::ledger::mapping::FeeMapper;
use crate::money::{Currency, Money};
use crate::payout::OPEN;
use reader::parse;

/// A page of `listFinancialEventGroups` → one SETTLEMENT payout per group.
///
/// The reported total is `OriginalTotal` (marketplace currency); an `Open` group's total is a
/// running balance, so its status is OPEN (shown as open, never as a mismatch). A Closed
/// group's status is its `FundTransferStatus` (upper-cased), or CLOSED.
pub fn normalize_groups(page: &[u8]) -> Normalized {
    let mut out = Normalized::default();
    let payload = match parse_envelope::<GroupsPayload>(page, "listFinancialEventGroups") {
        Ok(payload) => payload,
        Err(failure) => {
            out.failures.push(failure);
            return out;
        }
    };
    out.rows = payload.financial_event_group_list.len();
    for (index, group) in payload.financial_event_group_list.iter().enumerate() {
        match group_payout(group) {
            Ok(info) => out.payouts.push(info),
            Err(reason) => out.failures.push(Failure {
                position: format!("FinancialEventGroupList[{index}]"),
                reason,
            }),
        }
    }
    out
}

/// The payout a group reports.
///
/// # Errors
/// A group without a total, period start or readable amount, named in words.
pub fn group_payout(group: &FinancialEventGroup) -> Result<PayoutInfo, String> {
    let id = &group.financial_event_group_id;
    let reported = group
        .original_total
        .as_ref()
        .ok_or_else(|| format!("group {id} has no OriginalTotal"))?;
    let currency = currency_of(reported).ok_or_else(|| format!("group {id}: no currency"))?;
    let reported = reported
        .money(currency)
        .map_err(|error| format!("group {id} OriginalTotal: {error}"))?
        .unwrap_or_else(|| Money::zero(currency));
    let open = group
        .processing_status
        .as_deref()
        .is_some_and(|status| status.trim().eq_ignore_ascii_case("open"));
    let status = if open {
        OPEN.to_owned()
    } else {
        group
            .fund_transfer_status
            .as_deref()
            .map(str::trim)
            .filter(|status| !status.is_empty())
            .map_or_else(|| "CLOSED".to_owned(), str::to_ascii_uppercase)
    };
    Ok(PayoutInfo {
        reference: PayoutRef {
            kind: PayoutKind::Settlement,
            external_id: id.clone(),
        },
        reported,
        period_start: group.financial_event_group_start,
        period_end: group.financial_event_group_end,
        paid_at: group.fund_transfer_date,
        status: Some(status),
        parent: None,
        same_period: true,
    })
}

fn currency_of(amount: &Amount) -> Option<Currency> {
    amount
        .currency_code
        .as_deref()
        .and_then(|code| Currency::parse(code.trim()).ok())
}

/// The groups one `listFinancialEventGroups` page lists (none when it does not read as one).
pub fn groups_in(page: &[u8]) -> Vec<FinancialEventGroup> {
    parse_envelope::<GroupsPayload>(page, "listFinancialEventGroups")
        .map(|payload| payload.financial_event_group_list)
        .unwrap_or_default()
}

fn parse_envelope<T: DeserializeOwned>(page: &[u8], operation: &str) -> Result<T, Failure> {
    let envelope: Envelope<T> = serde_json::from_slice(page).map_err(|error| Failure {
        position: operation.to_owned(),
        reason: format!("not a {operation} response: {error}"),
    })?;
    if let Some(error) = envelope.errors.first() {
        return Err(Failure {
            position: operation.to_owned(),
            reason: format!("Amazon reported {}: {}", error.code, error.message),
        });
    }
    envelope.payload.ok_or_else(|| Failure {
        position: operation.to_owned(),
        reason: "no payload".to_owned(),
    })
}

/// Every page of one group's `listFinancialEventsByGroupId` → SETTLED lines of the group's
/// payout (and the group's payout itself, so the lines reach it under either id).
///
/// All pages of a group are normalised together: a key repeated in the group is numbered in
/// document order across pages. An event list this code does not know, and an event it cannot
/// read, is a listed failure.
pub fn normalize_events(
    group: &FinancialEventGroup,
    pages: &[&[u8]],
    mapper: &FeeMapper,
) -> Normalized {
    let mut out = Normalized::default();
    let info = match group_payout(group) {
        Ok(info) => info,
        Err(reason) => {
            out.failures.push(Failure {
                position: "FinancialEventGroup".to_owned(),
                reason,
            });
            return out;
        }
    };
    let Some(start) = group.financial_event_group_start else {
        out.failures.push(Failure {
            position: "FinancialEventGroup".to_owned(),
            reason: format!(
                "group {} has no FinancialEventGroupStart",
                group.financial_event_group_id
            ),
        });
        return out;
    };
    let currency = info.reported.currency();
    let period = Period::settlement(&group.financial_event_group_id, start, currency);
    let mut reader = Reader {
        currency,
        start,
        components: Vec::new(),
        failures: Vec::new(),
        rows: 0,
    };
    for (number, page) in pages.iter().enumerate() {
        match parse_envelope::<EventsPayload>(page, "listFinancialEventsByGroupId") {
            Ok(payload) => {
                for (list, events) in payload.financial_events {
                    reader.list(&list, &events.unwrap_or_default());
                }
            }
            Err(mut failure) => {
                failure.position = format!("page {}: {}", number + 1, failure.position);
                reader.failures.push(failure);
            }
        }
    }
    out.rows = reader.rows;
    out.failures = reader.failures;
    lines(&period, reader.components, mapper, &mut out);
    out.payouts.push(info);
    out
}

/// Reads event lists into components.
struct Reader {
    currency: Currency,
    start: DateTime<Utc>,
    components: Vec<Component>,
    failures: Vec<Failure>,
    rows: usize,
}

impl Reader {
    fn list(&mut self, list: &str, events: &[Box<RawValue>]) {
        self.rows += events.len();
        for (index, raw) in events.iter().enumerate() {
            let position = format!("{list}[{index}]");
            if let Err(reason) = self.event(list, raw) {
                self.failures.push(Failure { position, reason });
            }
        }
    }

    fn event(&mut self, list: &str, raw: &RawValue) -> Result<(), String> {
        match list {
            "ShipmentEventList" | "ShipmentSettleEventList" => self.shipment(Kind::Sale, raw),
            "RefundEventList" => self.shipment(Kind::Refund, raw),
            "GuaranteeClaimEventList" => self.shipment(Kind::Claim, raw),
            "ChargebackEventList" => self.shipment(Kind::Chargeback, raw),
            "ServiceFeeEventList" => {
                let event: ServiceFeeEvent = parse(raw)?;
                let start = self.start;
                for fee in &event.fee_list {
                    let mut c = self.fee(Kind::Account, fee, start)?;
                    if let Some(c) = c.as_mut() {
                        c.seller_sku.clone_from(&event.seller_sku);
                        c.asin.clone_from(&event.asin);
                    }
                    self.push(c);
                }
                Ok(())
            }
            "AdjustmentEventList" => self.adjustment(raw),
            "ProductAdsPaymentEventList" => {
                let e: ProductAdsPaymentEvent = parse(raw)?;
                let refund = e
                    .transaction_type
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("refund"));
                let name = if refund {
                    "Refund for Advertiser"
                } else {
                    "Cost of Advertising"
                };
                let total = self.total(
                    e.transaction_value.as_ref(),
                    &[e.base_value.as_ref(), e.tax_value.as_ref()],
                )?;
                self.account(name, total, e.posted_date);
                Ok(())
            }
            "SellerDealPaymentEventList" => {
                let e: SellerDealPaymentEvent = parse(raw)?;
                let total = self.total(
                    e.total_amount.as_ref(),
                    &[e.fee_amount.as_ref(), e.tax_amount.as_ref()],
                )?;
                let name = labels::canonical(e.fee_type.as_deref().unwrap_or("LightningDealFee"));
                self.account(&name, total, e.posted_date);
                Ok(())
            }
            "CouponPaymentEventList" | "SellerReviewEnrollmentPaymentEventList" => {
                let e: ProgramPaymentEvent = parse(raw)?;
                let parts = [
                    e.fee_component.as_ref().and_then(|f| f.fee_amount.as_ref()),
                    e.charge_component
                        .as_ref()
                        .and_then(|c| c.charge_amount.as_ref()),
                ];
                let total = self.total(e.total_amount.as_ref(), &parts)?;
                let name = if list.starts_with("Coupon") {
                    "CouponRedemptionFee"
                } else {
                    "Review Enrollment Fee"
                };
                self.account(name, total, e.posted_date);
                Ok(())
            }
            "RetrochargeEventList" => {
                let e: RetrochargeEvent = parse(raw)?;
                let at = e.posted_date.unwrap_or(self.start);
                let order = e.amazon_order_id.clone();
                for (name, amount) in [("Tax", &e.base_tax), ("ShippingTax", &e.shipping_tax)] {
                    let money = self.money(amount.as_ref())?;
                    self.push_order(Kind::Retro, &order, None, Group::Charge, name, money, at);
                }
                self.withheld(
                    Kind::Retro,
                    &order,
                    None,
                    &e.retrocharge_tax_withheld_list,
                    at,
                )
            }
            "RemovalShipmentEventList" | "RemovalShipmentAdjustmentEventList" => {
                let e: RemovalShipmentEvent = parse(raw)?;
                let at = e.posted_date.unwrap_or(self.start);
                for item in e
                    .removal_shipment_item_list
                    .iter()
                    .chain(&e.removal_shipment_item_adjustment_list)
                {
                    for (name, amount) in [
                        ("RemovalShipmentRevenue", &item.revenue),
                        ("RemovalShipmentFee", &item.fee_amount),
                        ("RemovalShipmentTax", &item.tax_amount),
                        ("RemovalShipmentTaxWithheld", &item.tax_withheld),
                    ] {
                        let money = self.money(amount.as_ref())?;
                        self.account(name, money, Some(at));
                    }
                }
                Ok(())
            }
            "FBALiquidationEventList" => {
                let e: LiquidationEvent = parse(raw)?;
                let proceeds = self.money(e.liquidation_proceeds_amount.as_ref())?;
                let fee = self.money(e.liquidation_fee_amount.as_ref())?;
                self.account("Liquidations", proceeds, e.posted_date);
                self.account("LiquidationsFee", fee, e.posted_date);
                Ok(())
            }
            "SAFETReimbursementEventList"
            | "TDSReimbursementEventList"
            | "AdhocDisbursementEventList"
            | "FailedAdhocDisbursementEventList"
            | "ValueAddedServiceChargeEventList"
            | "CapacityReservationBillingEventList"
            | "TaxWithholdingEventList"
            | "DebtRecoveryEventList"
            | "LoanServicingEventList"
            | "ServiceProviderCreditEventList" => {
                let e: SingleAmountEvent = parse(raw)?;
                let money = self.money(e.amount.as_ref())?;
                let name = match list {
                    "SAFETReimbursementEventList" => "SAFETReimbursement",
                    "TDSReimbursementEventList" => "TDSReimbursement",
                    "AdhocDisbursementEventList" => "AdhocDisbursement",
                    "FailedAdhocDisbursementEventList" => "FailedAdhocDisbursement",
                    "ValueAddedServiceChargeEventList" => "ValueAddedServiceCharge",
                    "CapacityReservationBillingEventList" => "CapacityReservationFee",
                    "TaxWithholdingEventList" => "TaxWithholding",
                    "DebtRecoveryEventList" => "DebtRecovery",
                    "LoanServicingEventList" => "LoanServicing",
                    _ => "ServiceProviderCredit",
                };
                self.account(name, money, e.posted_date);
                Ok(())
            }
            "ImagingServicesFeeEventList" | "TrialShipmentEventList" => {
                let e: FeeListEvent = parse(raw)?;
                let at = e.posted_date.unwrap_or(self.start);
                for fee in &e.fee_list {
                    let mut c = self.fee(Kind::Account, fee, at)?;
                    if let Some(c) = c.as_mut() {
                        c.seller_sku.clone_from(&e.sku);
                    }
                    self.push(c);
                }
                Ok(())
            }
            "AffordabilityExpenseEventList" | "AffordabilityExpenseReversalEventList" => {
                let e: AffordabilityExpenseEvent = parse(raw)?;
                let name = list.trim_end_matches("EventList");
                for amount in [
                    &e.base_expense,
                    &e.tax_type_cgst,
                    &e.tax_type_sgst,
                    &e.tax_type_igst,
                ] {
                    let money = self.money(amount.as_ref())?;
                    self.account(name, money, e.posted_date);
                }
                Ok(())
            }
            "NetworkComminglingTransactionEventList" => {
                let e: ComminglingEvent = parse(raw)?;
                let tax = self.money(e.tax_amount.as_ref())?;
                let exclusive = self.money(e.tax_exclusive_amount.as_ref())?;
                self.account("Commingling VAT", tax, e.posted_date);
                self.account("NetCoTaxExclusiveAmount", exclusive, e.posted_date);
                Ok(())
            }
            "ChargeRefundEventList" => {
                let e: ChargeRefundEvent = parse(raw)?;
                let transactions: Vec<ChargeRefundTransaction> =
                    match e.charge_refund_transactions.as_deref() {
                        None => Vec::new(),
                        Some(raw) if raw.get().trim_start().starts_with('[') => parse(raw)?,
                        Some(raw) => vec![parse(raw)?],
                    };
                for t in transactions {
                    let money = self.money(t.charge_amount.as_ref())?;
                    self.account("ChargeRefund", money, e.posted_date);
                }
                Ok(())
            }
            "PayWithAmazonEventList" => {
                let e: PayWithAmazonEvent = parse(raw)?;
                let at = e.transaction_posted_date.unwrap_or(self.start);
                if let Some(charge) = &e.charge {
                    let c = self.charge(Kind::Account, charge, at)?;
                    self.push(c);
                }
                for fee in &e.fee_list {
                    let c = self.fee(Kind::Account, fee, at)?;
                    self.push(c);
                }
                Ok(())
            }
            "RentalTransactionEventList" => {
                let e: RentalEvent = parse(raw)?;
                let at = e.posted_date.unwrap_or(self.start);
                for charge in &e.rental_charge_list {
                    let c = self.charge(Kind::Account, charge, at)?;
                    self.push(c);
                }
                for fee in &e.rental_fee_list {
                    let c = self.fee(Kind::Account, fee, at)?;
                    self.push(c);
                }
                let money = self.money(e.rental_reimbursement.as_ref())?;
                self.account("RentalReimbursement", money, Some(at));
                self.withheld(Kind::Account, &None, None, &e.rental_tax_withheld_list, at)
            }
            other => Err(format!(
                "event list {other} is not read by this version; its money is not in the ledger"
            )),
        }
    }
}
