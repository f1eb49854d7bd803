//! The reader's building blocks: amounts, charges, fees, withheld taxes, and the shipment and
//! adjustment events that carry them.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::super::model::{
    AdjustmentEvent, Amount, Charge, Fee, ShipmentEvent, ShipmentItem, TaxWithheld,
};
use super::super::{labels, Component, Group, Kind};
use super::Reader;
use crate::money::Money;

impl Reader {
    pub(super) fn money(&self, amount: Option<&Amount>) -> Result<Option<Money>, String> {
        match amount {
            None => Ok(None),
            Some(amount) => amount.money(self.currency).map_err(|e| e.to_string()),
        }
    }

    /// `total` when given, else the sum of `parts`.
    pub(super) fn total(
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

    pub(super) fn account(&mut self, name: &str, money: Option<Money>, at: Option<DateTime<Utc>>) {
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

    pub(super) fn push(&mut self, component: Option<Component>) {
        self.components.extend(component);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_order(
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
                Some(crate::connectors::amazon::item_key(
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

    pub(super) fn charge(
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

    pub(super) fn fee(
        &self,
        kind: Kind,
        fee: &Fee,
        at: DateTime<Utc>,
    ) -> Result<Option<Component>, String> {
        let name = fee.fee_type.as_deref().unwrap_or("UnnamedFee");
        Ok(self
            .money(fee.fee_amount.as_ref())?
            .map(|amount| self.plain(kind, Group::Fee, name, amount, at)))
    }

    pub(super) fn plain(
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

    pub(super) fn withheld(
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

    pub(super) fn shipment(&mut self, kind: Kind, raw: &RawValue) -> Result<(), String> {
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

    pub(super) fn item(
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

    pub(super) fn adjustment(&mut self, raw: &RawValue) -> Result<(), String> {
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

/// One raw event as `T`.
pub(super) fn parse<T: DeserializeOwned>(raw: &RawValue) -> Result<T, String> {
    serde_json::from_str(raw.get()).map_err(|error| format!("unreadable event: {error}"))
}
