//! A row of the pivot: its key, its money by bucket, and every figure derived from them
//! (net sales, fees, contribution profit, margin, KPIs).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::error::Result;
use crate::ledger::{Channel, FeeBucket, ProfitRole};
use crate::money::{Currency, Money};

/// A row's key: the grouped dimensions are set, the others are none.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PnlKey {
    /// Channel.
    pub channel: Option<Channel>,
    /// Shop name.
    pub shop: Option<String>,
    /// Master SKU, or the channel SKU id while unlinked.
    pub sku: Option<String>,
    /// Master product (its SKU and name).
    pub product: Option<String>,
    /// Creator handle.
    pub creator: Option<String>,
    /// Bucket.
    pub bucket: Option<FeeBucket>,
    /// Day, ISO week or month.
    pub period: Option<String>,
}

/// One row of the pivot, in the reporting currency.
#[derive(Clone, Debug)]
pub struct PnlRow {
    /// Its key.
    pub key: PnlKey,
    /// Ledger total per bucket.
    pub buckets: BTreeMap<FeeBucket, Money>,
    /// Units sold.
    pub units_sold: i64,
    /// Units refunded.
    pub units_returned: i64,
    /// Sale lines (an order's sale of one SKU).
    pub orders: i64,
    /// Cost of goods (negative).
    pub cogs: Money,
    /// Whether every unit sold had a unit cost.
    pub cogs_complete: bool,
    pub(super) settled_abs: Decimal,
    pub(super) total_abs: Decimal,
}

impl PnlRow {
    pub(super) fn new(key: PnlKey, currency: Currency) -> Self {
        Self {
            key,
            buckets: BTreeMap::new(),
            units_sold: 0,
            units_returned: 0,
            orders: 0,
            cogs: Money::zero(currency),
            cogs_complete: true,
            settled_abs: Decimal::ZERO,
            total_abs: Decimal::ZERO,
        }
    }

    fn sum(&self, role: ProfitRole) -> Result<Money> {
        let currency = self.cogs.currency();
        Ok(Money::checked_sum(
            self.buckets
                .iter()
                .filter(|(b, _)| b.profit_role() == role)
                .map(|(_, m)| *m),
            currency,
        )?)
    }

    /// PRODUCT_SALES + SELLER_DISCOUNTS + SHIPPING_INCOME + REFUNDS.
    ///
    /// # Errors
    /// Overflow.
    pub fn net_sales(&self) -> Result<Money> {
        self.sum(ProfitRole::NetSales)
    }

    /// PRODUCT_SALES.
    pub fn gross_sales(&self) -> Money {
        self.buckets
            .get(&FeeBucket::ProductSales)
            .copied()
            .unwrap_or(Money::zero(self.cogs.currency()))
    }

    /// Channel fees (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn channel_fees(&self) -> Result<Money> {
        self.sum(ProfitRole::ChannelFee)
    }

    /// Creator costs (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn creator_costs(&self) -> Result<Money> {
        self.sum(ProfitRole::CreatorCost)
    }

    /// Ad costs (negative).
    ///
    /// # Errors
    /// Overflow.
    pub fn ad_costs(&self) -> Result<Money> {
        self.sum(ProfitRole::AdCost)
    }

    /// ADJUSTMENTS.
    ///
    /// # Errors
    /// Overflow.
    pub fn adjustments(&self) -> Result<Money> {
        self.sum(ProfitRole::Adjustment)
    }

    /// The plain sum of the parts above and COGS.
    ///
    /// # Errors
    /// Overflow.
    pub fn contribution_profit(&self) -> Result<Money> {
        Ok(Money::checked_sum(
            [
                self.net_sales()?,
                self.channel_fees()?,
                self.creator_costs()?,
                self.ad_costs()?,
                self.adjustments()?,
                self.cogs,
            ],
            self.cogs.currency(),
        )?)
    }

    /// Contribution profit / net sales, 4 decimals; none when net sales is zero.
    ///
    /// # Errors
    /// Overflow.
    pub fn margin(&self) -> Result<Option<Decimal>> {
        let net = self.net_sales()?;
        if net.is_zero() {
            return Ok(None);
        }
        Ok(self
            .contribution_profit()?
            .amount()
            .checked_div(net.amount())
            .map(ratio))
    }

    /// GMV: item principal plus buyer-paid shipping (PRODUCT_SALES + SHIPPING_INCOME).
    ///
    /// # Errors
    /// Overflow.
    pub fn gmv(&self) -> Result<Money> {
        let shipping = self
            .buckets
            .get(&FeeBucket::ShippingIncome)
            .copied()
            .unwrap_or(Money::zero(self.cogs.currency()));
        Ok(self.gross_sales().checked_add(shipping)?)
    }

    /// Average order value: net sales / orders.
    ///
    /// # Errors
    /// Overflow.
    pub fn aov(&self) -> Result<Option<Money>> {
        if self.orders <= 0 {
            return Ok(None);
        }
        let net = self.net_sales()?;
        Ok(net
            .amount()
            .checked_div(Decimal::from(self.orders))
            .map(|value| Money::from_decimal(value, net.currency())))
    }

    /// Units refunded / units sold.
    pub fn refund_rate(&self) -> Option<Decimal> {
        (self.units_sold > 0)
            .then(|| ratio(Decimal::from(self.units_returned) / Decimal::from(self.units_sold)))
    }

    /// Return on ad spend: net sales / ad cost (none without ad cost).
    ///
    /// # Errors
    /// Overflow.
    pub fn roas(&self) -> Result<Option<Decimal>> {
        let ads = self.ad_costs()?;
        if ads.is_zero() {
            return Ok(None);
        }
        Ok(self
            .net_sales()?
            .amount()
            .checked_div(-ads.amount())
            .map(ratio))
    }

    /// Total advertising cost of sales: ad cost / net sales (none without net sales).
    ///
    /// # Errors
    /// Overflow.
    pub fn tacos(&self) -> Result<Option<Decimal>> {
        let net = self.net_sales()?;
        if net.is_zero() {
            return Ok(None);
        }
        Ok((-self.ad_costs()?.amount())
            .checked_div(net.amount())
            .map(ratio))
    }

    /// Share of the row's money (by absolute amount) that is SETTLED rather than ESTIMATED.
    pub fn settled_share(&self) -> Option<Decimal> {
        (!self.total_abs.is_zero()).then(|| ratio(self.settled_abs / self.total_abs))
    }

    pub(super) fn absorb(&mut self, other: &Self) -> Result<()> {
        for (bucket, money) in &other.buckets {
            add(&mut self.buckets, *bucket, *money)?;
        }
        self.units_sold += other.units_sold;
        self.units_returned += other.units_returned;
        self.orders += other.orders;
        self.cogs = self.cogs.checked_add(other.cogs)?;
        self.cogs_complete &= other.cogs_complete;
        self.settled_abs += other.settled_abs;
        self.total_abs += other.total_abs;
        Ok(())
    }
}

/// A ratio with exactly four decimals ("0.5450"), rounded half to even.
pub(super) fn ratio(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp(4);
    rounded.rescale(4);
    rounded
}

pub(super) fn add(
    buckets: &mut BTreeMap<FeeBucket, Money>,
    bucket: FeeBucket,
    money: Money,
) -> Result<()> {
    let entry = buckets
        .entry(bucket)
        .or_insert(Money::zero(money.currency()));
    *entry = entry.checked_add(money)?;
    Ok(())
}
