//! Wire models of the answers to [`super::queries`]: what Shopify's Admin GraphQL API sends,
//! read tolerantly, and the page parsers that refuse an answer carrying `errors`.
//!
//! Tolerance (reference section C, [O]/[U] facts):
//! - money amounts are decimal strings (`"29.99"`, `"-5.00"`); a JSON number is accepted too
//!   (read through its shortest decimal spelling, never kept as a float);
//! - connections come as `nodes` or `edges { node }` (saved answers and bulk exports use both);
//! - `legacyResourceId` and the `BigInt` ids are strings or numbers;
//! - enum values (`type`, `kind`, `status`, …) are kept as strings: Shopify's enums keep growing.
//!
//! Errors name the position inside the answer (`data.orders.nodes[3].lineItems.nodes[0].
//! originalUnitPriceSet.shopMoney.amount: "1,00" is not an amount`).

mod order;
mod payments;

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};

pub use order::{
    App, CustomAttribute, DiscountAllocation, LineItem, Order, OrderAdjustment, OrderTransaction,
    ProductRef, Refund, RefundLineItem, RefundLineItemRef, RefundShippingLine, ShippingLine,
    TaxLine, TransactionFee, VariantRef,
};
pub use payments::{
    AdjustmentOrder, AssociatedOrder, AssociatedPayout, BalanceTransaction, Payout, PayoutSummary,
};

use crate::error::{Error, Result};

/// A decimal amount read exactly from Shopify's `Decimal` scalar (a string) or a JSON number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct AmountVisitor;

        fn parse<E: serde::de::Error>(text: &str) -> std::result::Result<Amount, E> {
            let trimmed = text.trim();
            let plain = !trimmed.is_empty()
                && trimmed
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+');
            match Decimal::from_str(trimmed) {
                Ok(value) if plain => Ok(Amount(value)),
                _ => Err(E::custom(format!("{text:?} is not an amount"))),
            }
        }

        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount such as \"29.99\"")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<Amount, E> {
                parse(text)
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> std::result::Result<Amount, E> {
                Ok(Amount(Decimal::from(value)))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> std::result::Result<Amount, E> {
                Ok(Amount(Decimal::from(value)))
            }

            // [O] a number where Shopify documents a string: its shortest round-trip spelling
            // ("29.99" for 29.99) is what the sender wrote; read that text exactly.
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> std::result::Result<Amount, E> {
                if !value.is_finite() {
                    return Err(E::custom(format!("{value} is not an amount")));
                }
                parse(&value.to_string())
            }
        }

        deserializer.deserialize_any(AmountVisitor)
    }
}

/// An id Shopify sends as a string or a number (`legacyResourceId`, `sourceId`, …), kept as
/// its decimal text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct LegacyId(pub String);

impl<'de> Deserialize<'de> for LegacyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct IdVisitor;

        impl Visitor<'_> for IdVisitor {
            type Value = LegacyId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (string or integer)")
            }

            fn visit_str<E: serde::de::Error>(
                self,
                text: &str,
            ) -> std::result::Result<LegacyId, E> {
                if text.trim().is_empty() {
                    return Err(E::custom("empty id"));
                }
                Ok(LegacyId(text.trim().to_owned()))
            }

            fn visit_u64<E: serde::de::Error>(
                self,
                value: u64,
            ) -> std::result::Result<LegacyId, E> {
                Ok(LegacyId(value.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(
                self,
                value: i64,
            ) -> std::result::Result<LegacyId, E> {
                Ok(LegacyId(value.to_string()))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

/// An optional id: `null`, a missing field and an empty string are all "none" (saved answers
/// from other tools write `""`); a gid is kept as sent (compare with [`gid_tail`]).
pub(crate) fn optional_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<LegacyId>, D::Error> {
    struct OptionalId;

    impl<'de> Visitor<'de> for OptionalId {
        type Value = Option<LegacyId>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an id (string or integer) or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(
            self,
            deserializer: D2,
        ) -> std::result::Result<Self::Value, D2::Error> {
            deserializer.deserialize_any(self)
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> std::result::Result<Self::Value, E> {
            let text = text.trim();
            Ok((!text.is_empty()).then(|| LegacyId(text.to_owned())))
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(LegacyId(value.to_string())))
        }

        fn visit_i64<E: serde::de::Error>(self, value: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(LegacyId(value.to_string())))
        }
    }

    deserializer.deserialize_option(OptionalId)
}

/// The last path segment of a gid (`gid://shopify/Order/5001` → `5001`), without any query
/// string; the text itself when it is not a gid.
pub fn gid_tail(gid: &str) -> &str {
    let gid = gid.split('?').next().unwrap_or(gid);
    gid.rsplit('/').next().unwrap_or(gid)
}

/// The resource type of a gid (`gid://shopify/LineItem/1` → `LineItem`).
pub fn gid_type(gid: &str) -> Option<&str> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    rest.split('/').next()
}

/// `MoneyV2`: an amount and its currency code.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyV2 {
    /// The amount.
    pub amount: Amount,
    /// ISO 4217 code; [O] some saved answers leave it out (the shop's currency then).
    #[serde(default)]
    pub currency_code: Option<String>,
}

/// `MoneyBag`: an amount in the shop's and in the buyer's (presentment) currency. Books use
/// `shopMoney`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyBag {
    /// In the shop's currency.
    pub shop_money: MoneyV2,
    /// In the buyer's currency.
    #[serde(default)]
    pub presentment_money: Option<MoneyV2>,
}

/// Relay paging state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Whether another page follows.
    #[serde(default)]
    pub has_next_page: bool,
    /// The cursor to ask for it with.
    #[serde(default)]
    pub end_cursor: Option<String>,
}

/// A connection's nodes, whether sent as `nodes` or as `edges { node }` (null entries skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection<T> {
    /// The nodes, in order.
    pub nodes: Vec<T>,
    /// Paging state, when asked for.
    pub page_info: PageInfo,
}

impl<T> Default for Connection<T> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            page_info: PageInfo::default(),
        }
    }
}

#[derive(Deserialize)]
struct Edge<T> {
    node: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConnection<T> {
    #[serde(default = "Option::default")]
    nodes: Option<Vec<Option<T>>>,
    #[serde(default = "Option::default")]
    edges: Option<Vec<Option<Edge<T>>>>,
    #[serde(default)]
    page_info: Option<PageInfo>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Connection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let raw = RawConnection::<T>::deserialize(deserializer)?;
        let mut nodes: Vec<T> = raw
            .nodes
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        nodes.extend(
            raw.edges
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .filter_map(|edge| edge.node),
        );
        Ok(Self {
            nodes,
            page_info: raw.page_info.unwrap_or_default(),
        })
    }
}

/// Deserialises `null` as the type's default (Shopify sends `null` for empty lists at times).
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// One entry of a GraphQL answer's `errors`.
#[derive(Debug, Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorsOnly {
    #[serde(default)]
    errors: Option<Vec<GraphqlError>>,
}

/// Refuses an answer whose top level carries `errors`, naming them.
///
/// # Errors
/// The answer's error messages, or a body that is not JSON.
pub fn refuse_errors(body: &str) -> Result<()> {
    let parsed: ErrorsOnly = serde_json::from_str(body)
        .map_err(|error| Error::bad_input(format!("not a Shopify GraphQL answer: {error}")))?;
    refuse_error_list(parsed.errors)
}

fn refuse_error_list(errors: Option<Vec<GraphqlError>>) -> Result<()> {
    match errors {
        Some(errors) if !errors.is_empty() => {
            let messages: Vec<String> = errors
                .iter()
                .map(|error| {
                    error
                        .message
                        .clone()
                        .unwrap_or_else(|| "(no message)".to_owned())
                })
                .collect();
            Err(Error::bad_input(format!(
                "Shopify answered with errors: {}",
                messages.join("; ")
            )))
        }
        _ => Ok(()),
    }
}

/// Deserialises `body` as `T`, naming the position of what does not fit.
///
/// # Errors
/// A body that is not JSON or does not match `T`, with the path of the offending value.
pub(crate) fn parse_at<T: DeserializeOwned>(body: &str) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        if path == "." {
            return Error::bad_input(format!("not a Shopify GraphQL answer: {message}"));
        }
        // serde_json appends " at line L column C"; the path says where, and reads better.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        Error::bad_input(format!("{path}: {message}"))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrdersData {
    #[serde(default)]
    orders: Option<Connection<Order>>,
    #[serde(default)]
    nodes: Option<Vec<Option<Order>>>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Option<Vec<GraphqlError>>,
}

fn envelope<T: DeserializeOwned>(body: &str, what: &str) -> Result<T> {
    refuse_errors(body)?;
    let parsed: Envelope<T> = parse_at(body)?;
    refuse_error_list(parsed.errors)?;
    parsed
        .data
        .ok_or_else(|| Error::bad_input(format!("Shopify's answer has no data ({what})")))
}

/// A page of `PnlOrders` (`data.orders`) or the answer of `PnlOrdersById` (`data.nodes`, null
/// entries skipped, no further page).
///
/// # Errors
/// An answer with `errors`, or one that does not match, naming the position.
pub fn parse_orders_page(body: &str) -> Result<(Vec<Order>, PageInfo)> {
    let data: OrdersData = envelope(body, "orders")?;
    match (data.orders, data.nodes) {
        (Some(connection), _) => Ok((connection.nodes, connection.page_info)),
        (None, Some(nodes)) => Ok((nodes.into_iter().flatten().collect(), PageInfo::default())),
        (None, None) => Err(Error::bad_input(
            "Shopify's answer has neither data.orders nor data.nodes",
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderLineItems {
    line_items: Connection<LineItem>,
}

#[derive(Deserialize)]
struct OrderLineItemsData {
    order: Option<OrderLineItems>,
}

/// A page of `PnlOrderLineItems` (`data.order.lineItems`): the rest of an order's line items,
/// to append to the order's first page.
///
/// # Errors
/// An answer with `errors`, a null order, or one that does not match, naming the position.
pub fn parse_order_line_items_page(body: &str) -> Result<(Vec<LineItem>, PageInfo)> {
    let data: OrderLineItemsData = envelope(body, "order line items")?;
    let order = data
        .order
        .ok_or_else(|| Error::bad_input("data.order is null: the order does not exist"))?;
    Ok((order.line_items.nodes, order.line_items.page_info))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountData<T> {
    shopify_payments_account: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BalanceTransactionsAccount {
    balance_transactions: Connection<BalanceTransaction>,
}

#[derive(Deserialize)]
struct PayoutsAccount {
    payouts: Connection<Payout>,
}

/// A page of `PnlBalanceTransactions` (`data.shopifyPaymentsAccount.balanceTransactions`).
///
/// # Errors
/// An answer with `errors`, or one that does not match, naming the position.
pub fn parse_balance_transactions_page(body: &str) -> Result<(Vec<BalanceTransaction>, PageInfo)> {
    let data: AccountData<BalanceTransactionsAccount> = envelope(body, "balance transactions")?;
    let account = data.shopify_payments_account.ok_or_else(|| {
        Error::bad_input("data.shopifyPaymentsAccount is null: the shop has no Shopify Payments")
    })?;
    let connection = account.balance_transactions;
    Ok((connection.nodes, connection.page_info))
}

/// A page of `PnlPayouts` (`data.shopifyPaymentsAccount.payouts`).
///
/// # Errors
/// An answer with `errors`, or one that does not match, naming the position.
pub fn parse_payouts_page(body: &str) -> Result<(Vec<Payout>, PageInfo)> {
    let data: AccountData<PayoutsAccount> = envelope(body, "payouts")?;
    let account = data.shopify_payments_account.ok_or_else(|| {
        Error::bad_input("data.shopifyPaymentsAccount is null: the shop has no Shopify Payments")
    })?;
    Ok((account.payouts.nodes, account.payouts.page_info))
}
