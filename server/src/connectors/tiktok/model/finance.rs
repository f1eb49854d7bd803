//! Finance payloads: statements, payments, statement and order transactions, unsettled.

use serde::Deserialize;

use super::{id, opt_amount, opt_id, opt_ts, Fields};

/// `fee_tax_breakdown`: fees and taxes.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FeeTaxBreakdown {
    /// Fee fields.
    #[serde(default)]
    pub fee: Fields,
    /// Tax fields.
    #[serde(default)]
    pub tax: Fields,
}

/// The three breakdowns of a 202501/202507 transaction or SKU row.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Breakdowns {
    /// `revenue_breakdown`.
    #[serde(default)]
    pub revenue_breakdown: Option<Fields>,
    /// `fee_tax_breakdown`.
    #[serde(default)]
    pub fee_tax_breakdown: Option<FeeTaxBreakdown>,
    /// `shipping_cost_breakdown` (its `supplementary_component` is informational).
    #[serde(default)]
    pub shipping_cost_breakdown: Option<Fields>,
}

/// `GET /finance/202501/statements/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct StatementTransactions2501 {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Statement time.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// Currency of every amount.
    pub currency: String,
    /// The statement's total: the assertion the lines must sum to.
    #[serde(default, deserialize_with = "opt_amount")]
    pub total_settlement_amount: Option<String>,
    /// Next page, empty on the last.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// The transactions (the list key is `transactions` in 202501).
    #[serde(default)]
    pub transactions: Vec<Transaction2501>,
}

/// One 202501 statement transaction.
#[derive(Clone, Debug, Deserialize)]
pub struct Transaction2501 {
    /// Transaction id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// ORDER, RESERVE or an adjustment type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The order, for ORDER transactions.
    #[serde(default, deserialize_with = "opt_id")]
    pub order_id: Option<String>,
    /// The adjustment id, for adjustments.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_id: Option<String>,
    /// The order an adjustment relates to.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_order_id: Option<String>,
    /// When the order was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Reserve held or released.
    #[serde(default, deserialize_with = "opt_amount")]
    pub reserve_amount: Option<String>,
    /// The transaction's total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Revenue total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub revenue_amount: Option<String>,
    /// Fees and taxes total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub fee_tax_amount: Option<String>,
    /// Shipping total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub shipping_cost_amount: Option<String>,
    /// Adjustment total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub adjustment_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/statements/{id}/statement_transactions` → `data` (flat rows).
#[derive(Clone, Debug, Deserialize)]
pub struct StatementTransactions2309 {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub statement_id: String,
    /// Statement time.
    #[serde(default, deserialize_with = "opt_ts")]
    pub statement_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// The statement total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Flat rows: ids plus money fields.
    #[serde(default)]
    pub statement_transactions: Vec<Fields>,
}

/// `GET /finance/202501/orders/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderTransactions2501 {
    /// The order.
    #[serde(deserialize_with = "id")]
    pub order_id: String,
    /// When it was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Per-SKU rows.
    #[serde(default)]
    pub sku_transactions: Vec<SkuTransaction2501>,
}

/// One SKU row of an order's settlement.
#[derive(Clone, Debug, Deserialize)]
pub struct SkuTransaction2501 {
    /// TikTok SKU id.
    #[serde(deserialize_with = "id")]
    pub sku_id: String,
    /// SKU name.
    #[serde(default)]
    pub sku_name: Option<String>,
    /// Product name.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Units (a string in 202501).
    #[serde(default, deserialize_with = "opt_amount")]
    pub quantity: Option<String>,
    /// The statement that settled it.
    #[serde(default, deserialize_with = "opt_id")]
    pub statement_id: Option<String>,
    /// Row total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// Revenue total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub revenue_amount: Option<String>,
    /// Fees and taxes total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub fee_tax_amount: Option<String>,
    /// Shipping total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub shipping_cost_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/orders/{id}/statement_transactions` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderTransactions2309 {
    /// The order.
    #[serde(deserialize_with = "id")]
    pub order_id: String,
    /// When it was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Per-statement rows, each with `sku_statement_transactions[]` (kept open).
    #[serde(default)]
    pub statement_transactions: Vec<Fields>,
}

/// `GET /finance/202507/orders/unsettled` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct Unsettled2507 {
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Currency, when given at this level.
    #[serde(default)]
    pub currency: Option<String>,
    /// Estimated transactions.
    #[serde(default)]
    pub transactions: Vec<UnsettledTransaction>,
}

/// One unsettled (estimated) transaction.
#[derive(Clone, Debug, Deserialize)]
pub struct UnsettledTransaction {
    /// Transaction id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// ORDER or an adjustment type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The order.
    #[serde(default, deserialize_with = "opt_id")]
    pub order_id: Option<String>,
    /// The adjustment.
    #[serde(default, deserialize_with = "opt_id")]
    pub adjustment_id: Option<String>,
    /// When the order was created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub order_create_time: Option<i64>,
    /// Currency, when given per transaction.
    #[serde(default)]
    pub currency: Option<String>,
    /// Estimated total.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_settlement_amount: Option<String>,
    /// Estimated revenue.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_revenue_amount: Option<String>,
    /// Estimated fees and taxes.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_fee_tax_amount: Option<String>,
    /// Estimated shipping.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_shipping_cost_amount: Option<String>,
    /// Estimated adjustment.
    #[serde(default, deserialize_with = "opt_amount")]
    pub est_adjustment_amount: Option<String>,
    /// The breakdowns.
    #[serde(flatten)]
    pub breakdowns: Breakdowns,
}

/// `GET /finance/202309/statements` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct StatementList {
    /// Statements.
    #[serde(default)]
    pub statements: Vec<Statement>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A daily statement.
#[derive(Clone, Debug, Deserialize)]
pub struct Statement {
    /// Statement id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// 00:00 UTC of the day after the statement's day.
    #[serde(default, deserialize_with = "opt_ts")]
    pub statement_time: Option<i64>,
    /// Currency.
    pub currency: String,
    /// Total settled.
    #[serde(default, deserialize_with = "opt_amount")]
    pub settlement_amount: Option<String>,
    /// The payment that paid it.
    #[serde(default, deserialize_with = "opt_id")]
    pub payment_id: Option<String>,
    /// PAID, FAILED or PROCESSING.
    #[serde(default)]
    pub payment_status: Option<String>,
}

/// `GET /finance/202309/payments` → `data`.
#[derive(Clone, Debug, Deserialize)]
pub struct PaymentList {
    /// Payments.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Next page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `{currency, value}`.
#[derive(Clone, Debug, Deserialize)]
pub struct CurrencyValue {
    /// Currency.
    pub currency: String,
    /// Amount.
    #[serde(default, deserialize_with = "opt_amount")]
    pub value: Option<String>,
}

/// A payment to the seller's bank account.
#[derive(Clone, Debug, Deserialize)]
pub struct Payment {
    /// Payment id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// PAID, FAILED or PROCESSING.
    #[serde(default)]
    pub status: Option<String>,
    /// Created.
    #[serde(default, deserialize_with = "opt_ts")]
    pub create_time: Option<i64>,
    /// Paid.
    #[serde(default, deserialize_with = "opt_ts")]
    pub paid_time: Option<i64>,
    /// Amount paid.
    pub amount: CurrencyValue,
}
