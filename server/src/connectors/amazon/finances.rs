//! Finances v0 → payouts (`listFinancialEventGroups`) and lines (`listFinancialEventsByGroupId`).
//! Pure: bytes in, [`Normalized`] out. Keys and labels follow the rules of the module docs of
//! [`super`], so a settlement report of the same period posts nothing again.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::model::{
    AdjustmentEvent, AffordabilityExpenseEvent, Amount, Charge, ChargeRefundEvent,
    ChargeRefundTransaction, ComminglingEvent, Envelope, EventsPayload, Fee, FeeListEvent,
    FinancialEventGroup, GroupsPayload, LiquidationEvent, PayWithAmazonEvent,
    ProductAdsPaymentEvent, ProgramPaymentEvent, RemovalShipmentEvent, RentalEvent,
    RetrochargeEvent, SellerDealPaymentEvent, ServiceFeeEvent, ShipmentEvent, ShipmentItem,
    SingleAmountEvent, TaxWithheld,
};
use super::{labels, lines, Component, Group, Kind, Period};
use crate::connectors::{Failure, Normalized, PayoutInfo, PayoutKind, PayoutRef};
use crate::ledger::mapping::FeeMapper;
use crate::money::{Currency, Money};
use crate::payout::OPEN;

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
                    reader.list(&list, events.unwrap_or_default());
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
    fn list(&mut self, list: &str, events: Vec<Box<RawValue>>) {
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

    fn money(&self, amount: Option<&Amount>) -> Result<Option<Money>, String> {
        match amount {
            None => Ok(None),
            Some(amount) => amount.money(self.currency).map_err(|e| e.to_string()),
        }
    }

    /// `total` when given, else the sum of `parts`.
    fn total(
        &self,
        total: Option<&Amount>,
        parts: &[Option<&Amount>],
    ) -> Result<Option<Money>, String> {
        if let Some(total) = self.money(total)? {
            return Ok(Some(total));
        }
        let mut sum: Option<Money> = None;
        for part in parts {
            if let Some(money) = self.money(*part)? {
                sum = Some(match sum {
                    None => money,
                    Some(sum) => sum.checked_add(money).map_err(|e| e.to_string())?,
                });
            }
        }
        Ok(sum)
    }

    fn account(&mut self, name: &str, money: Option<Money>, at: Option<DateTime<Utc>>) {
        if let Some(amount) = money {
            self.components.push(Component {
                kind: Kind::Account,
                order_id: None,
                item: None,
                group: Group::Charge,
                name: labels::canonical(name),
                amount,
                seller_sku: None,
                asin: None,
                units: 0,
                occurred_at: at.unwrap_or(self.start),
            });
        }
    }

    fn push(&mut self, component: Option<Component>) {
        self.components.extend(component);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_order(
        &mut self,
        kind: Kind,
        order: &Option<String>,
        item: Option<&ShipmentItem>,
        group: Group,
        name: &str,
        money: Option<Money>,
        at: DateTime<Utc>,
    ) {
        let Some(amount) = money else { return };
        let (item_id, sku, units) = match item {
            Some(item) => (
                Some(super::item_key(
                    item.seller_sku.as_deref(),
                    item.order_item_id
                        .as_deref()
                        .or(item.order_adjustment_item_id.as_deref()),
                )),
                item.seller_sku.clone(),
                item.quantity_shipped
                    .and_then(|q| i32::try_from(q).ok())
                    .unwrap_or(0),
            ),
            None => (None, None, 0),
        };
        let kind = if order.is_some() { kind } else { Kind::Account };
        self.components.push(Component {
            kind,
            order_id: order.clone(),
            item: Some(item_id.unwrap_or_else(|| "order".to_owned())),
            group,
            name: labels::canonical(name),
            amount,
            seller_sku: sku,
            asin: None,
            units,
            occurred_at: at,
        });
    }

    fn charge(
        &self,
        kind: Kind,
        charge: &Charge,
        at: DateTime<Utc>,
    ) -> Result<Option<Component>, String> {
        let name = charge.charge_type.as_deref().unwrap_or("UnnamedCharge");
        Ok(self
            .money(charge.charge_amount.as_ref())?
            .map(|amount| self.plain(kind, Group::Charge, name, amount, at)))
    }

    fn fee(&self, kind: Kind, fee: &Fee, at: DateTime<Utc>) -> Result<Option<Component>, String> {
        let name = fee.fee_type.as_deref().unwrap_or("UnnamedFee");
        Ok(self
            .money(fee.fee_amount.as_ref())?
            .map(|amount| self.plain(kind, Group::Fee, name, amount, at)))
    }

    fn plain(
        &self,
        kind: Kind,
        group: Group,
        name: &str,
        amount: Money,
        at: DateTime<Utc>,
    ) -> Component {
        Component {
            kind,
            order_id: None,
            item: None,
            group,
            name: labels::canonical(name),
            amount,
            seller_sku: None,
            asin: None,
            units: 0,
            occurred_at: at,
        }
    }

    fn withheld(
        &mut self,
        kind: Kind,
        order: &Option<String>,
        item: Option<&ShipmentItem>,
        list: &[TaxWithheld],
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        for withheld in list {
            for tax in &withheld.taxes_withheld {
                let money = self.money(tax.charge_amount.as_ref())?;
                let name = tax.charge_type.as_deref().unwrap_or("UnnamedTax");
                self.push_order(kind, order, item, Group::Withheld, name, money, at);
            }
        }
        Ok(())
    }

    fn shipment(&mut self, kind: Kind, raw: &RawValue) -> Result<(), String> {
        let e: ShipmentEvent = parse(raw)?;
        let at = e.posted_date.unwrap_or(self.start);
        let order = e.amazon_order_id.clone();
        let order_level = [
            (Group::Charge, &e.order_charge_list, "order"),
            (Group::Charge, &e.order_charge_adjustment_list, "order"),
        ];
        for (group, list, _) in order_level {
            for charge in list {
                let money = self.money(charge.charge_amount.as_ref())?;
                let name = charge.charge_type.as_deref().unwrap_or("UnnamedCharge");
                self.push_order(kind, &order, None, group, name, money, at);
            }
        }
        let fee_lists = [
            (&e.shipment_fee_list, "shipment"),
            (&e.shipment_fee_adjustment_list, "shipment"),
            (&e.order_fee_list, "order"),
            (&e.order_fee_adjustment_list, "order"),
        ];
        for (list, item) in fee_lists {
            for fee in list {
                let money = self.money(fee.fee_amount.as_ref())?;
                let name = fee.fee_type.as_deref().unwrap_or("UnnamedFee");
                let before = self.components.len();
                self.push_order(kind, &order, None, Group::Fee, name, money, at);
                if let Some(c) = self.components.get_mut(before) {
                    c.item = Some(item.to_owned());
                }
            }
        }
        for payment in &e.direct_payment_list {
            let money = self.money(payment.direct_payment_amount.as_ref())?;
            let name = payment
                .direct_payment_type
                .as_deref()
                .unwrap_or("DirectPayment");
            self.push_order(kind, &order, None, Group::Direct, name, money, at);
        }
        for item in e
            .shipment_item_list
            .iter()
            .chain(&e.shipment_item_adjustment_list)
        {
            self.item(kind, &order, item, at)?;
        }
        Ok(())
    }

    fn item(
        &mut self,
        kind: Kind,
        order: &Option<String>,
        item: &ShipmentItem,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        for charge in item
            .item_charge_list
            .iter()
            .chain(&item.item_charge_adjustment_list)
        {
            let money = self.money(charge.charge_amount.as_ref())?;
            let name = charge.charge_type.as_deref().unwrap_or("UnnamedCharge");
            self.push_order(kind, order, Some(item), Group::Charge, name, money, at);
        }
        for fee in item
            .item_fee_list
            .iter()
            .chain(&item.item_fee_adjustment_list)
        {
            let money = self.money(fee.fee_amount.as_ref())?;
            let name = fee.fee_type.as_deref().unwrap_or("UnnamedFee");
            self.push_order(kind, order, Some(item), Group::Fee, name, money, at);
        }
        self.withheld(kind, order, Some(item), &item.item_tax_withheld_list, at)?;
        for promotion in item
            .promotion_list
            .iter()
            .chain(&item.promotion_adjustment_list)
        {
            let money = self.money(promotion.promotion_amount.as_ref())?;
            self.push_order(
                kind,
                order,
                Some(item),
                Group::Promotion,
                "Promotion",
                money,
                at,
            );
        }
        for (name, amount) in [
            ("CostOfPointsGranted", &item.cost_of_points_granted),
            ("CostOfPointsReturned", &item.cost_of_points_returned),
        ] {
            let money = self.money(amount.as_ref())?;
            self.push_order(kind, order, Some(item), Group::Charge, name, money, at);
        }
        Ok(())
    }

    fn adjustment(&mut self, raw: &RawValue) -> Result<(), String> {
        let e: AdjustmentEvent = parse(raw)?;
        let kind = e.adjustment_type.as_deref().unwrap_or("Adjustment").trim();
        let total = self.money(e.adjustment_amount.as_ref())?;
        // ⚠ A reserve appears in the file as the balance released and the amount held [U]:
        // the event's sign tells which.
        let name = match (kind, total) {
            ("ReserveEvent", Some(total)) if total.amount().is_sign_negative() => {
                "Current Reserve Amount".to_owned()
            }
            ("ReserveEvent", Some(_)) => "Previous Reserve Amount Balance".to_owned(),
            ("FBAInventoryReimbursement", _) => "FBA Inventory Reimbursement".to_owned(),
            (other, _) => labels::canonical(other),
        };
        let at = e.posted_date.unwrap_or(self.start);
        let mut items = Vec::new();
        for item in &e.adjustment_item_list {
            if let Some(money) = self.money(item.total_amount.as_ref())? {
                items.push((item, money));
            }
        }
        let item_sum = Money::checked_sum(items.iter().map(|(_, m)| *m), self.currency)
            .map_err(|e| e.to_string())?;
        // Items are the event's parts when they add up to it; otherwise the event's own total
        // is the money (nothing is summed twice, nothing lost).
        if !items.is_empty() && total.is_none_or(|total| total == item_sum) {
            for (item, amount) in items {
                self.components.push(Component {
                    seller_sku: item.seller_sku.clone(),
                    asin: item.asin.clone(),
                    ..self.plain(Kind::Account, Group::Charge, &name, amount, at)
                });
            }
        } else if let Some(total) = total {
            self.components
                .push(self.plain(Kind::Account, Group::Charge, &name, total, at));
        }
        Ok(())
    }
}

fn parse<T: DeserializeOwned>(raw: &RawValue) -> Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|error| format!("unreadable event: {error}"))
}
