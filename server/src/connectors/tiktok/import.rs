//! TikTok files `pnl import` reads: saved API responses (whole envelopes or just their `data`),
//! recognised by their keys and normalised by the same normalisers as a live sync.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model;
use super::normalize::{self, ads::AdsContext, Context};
use crate::connectors::seam::{FileBatch, FileContext, FileFormat, FileInput};
use crate::connectors::Normalized;
use crate::error::{Error, Result};
use crate::money::Currency;

macro_rules! formats {
    ($($variant:ident = $name:literal, $kind:literal, $doc:literal;)+) => {
        /// A file format `pnl import` understands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Format {
            $(#[doc = $doc] $variant,)+
        }

        /// Every format, as the import seam names them.
        pub const FILE_FORMATS: &[FileFormat] = &[$(FileFormat { name: $name, description: $doc }),+];

        impl Format {
            /// Every format.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name used by `--format`.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $name),+ }
            }

            /// What the format is, in a sentence (shown by `pnl import --help`).
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => $doc),+ }
            }

            /// The format as the import seam names it.
            pub fn file_format(self) -> FileFormat {
                FileFormat { name: self.name(), description: self.description() }
            }

            /// The raw record's `source_kind`.
            pub fn source_kind(self) -> &'static str {
                match self { $(Self::$variant => $kind),+ }
            }
        }
    };
}

formats! {
    StatementTransactions2501 = "tiktok-statement-transactions-202501", "tiktok.finance.202501.statement_transactions", "TikTok 202501 statement transactions (nested).";
    StatementTransactions2309 = "tiktok-statement-transactions-202309", "tiktok.finance.202309.statement_transactions", "TikTok 202309 statement transactions (flat).";
    OrderTransactions2501 = "tiktok-order-transactions-202501", "tiktok.finance.202501.order_transactions", "TikTok 202501 transactions of one order, by SKU.";
    OrderTransactions2309 = "tiktok-order-transactions-202309", "tiktok.finance.202309.order_transactions", "TikTok 202309 transactions of one order, by SKU.";
    Unsettled2507 = "tiktok-unsettled-202507", "tiktok.finance.202507.unsettled", "TikTok 202507 unsettled (estimated) transactions.";
    Statements2309 = "tiktok-statements-202309", "tiktok.finance.202309.statements", "TikTok statement list.";
    Payments2309 = "tiktok-payments-202309", "tiktok.finance.202309.payments", "TikTok payment list.";
    Orders2309 = "tiktok-orders-202309", "tiktok.order.202309.orders", "TikTok order search or detail.";
    AffiliateOrders202410 = "tiktok-affiliate-orders-202410", "tiktok.affiliate_seller.202410.orders", "TikTok affiliate (creator) orders.";
    AdsIntegratedReport = "tiktok-ads-integrated-report", "tiktok_ads.report.integrated", "TikTok Ads integrated report (daily spend per campaign).";
    AdsGmvMaxReport = "tiktok-ads-gmv-max-report", "tiktok_ads.report.gmv_max", "TikTok Ads GMV Max report (cost per product).";
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                Error::bad_input(format!(
                    "unknown format {text:?}; expected one of: {}",
                    names.join(", ")
                ))
            })
    }
}

fn has(value: &Value, key: &str) -> bool {
    value.get(key).is_some()
}

fn first<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.get(key)?.as_array()?.first()
}

/// Recognises a payload (`data`) by its keys.
pub fn detect(data: &Value) -> Option<Format> {
    if has(data, "sku_transactions") {
        return Some(Format::OrderTransactions2501);
    }
    if has(data, "order_id") && has(data, "statement_transactions") {
        return Some(Format::OrderTransactions2309);
    }
    if has(data, "statement_transactions") {
        return Some(Format::StatementTransactions2309);
    }
    if has(data, "transactions") {
        let unsettled = has(data, "sum_est_settlement_amount")
            || first(data, "transactions").is_some_and(|tx| {
                has(tx, "est_settlement_amount") || has(tx, "est_revenue_amount")
            });
        return Some(if unsettled {
            Format::Unsettled2507
        } else {
            Format::StatementTransactions2501
        });
    }
    if has(data, "statements") {
        return Some(Format::Statements2309);
    }
    if has(data, "payments") {
        return Some(Format::Payments2309);
    }
    if let Some(order) = first(data, "orders") {
        if has(order, "skus") {
            return Some(Format::AffiliateOrders202410);
        }
        if has(order, "line_items") || has(order, "payment") {
            return Some(Format::Orders2309);
        }
    }
    if let Some(row) = first(data, "list") {
        let metrics = row.get("metrics")?;
        if has(metrics, "cost")
            || row
                .get("dimensions")
                .is_some_and(|d| has(d, "item_group_id"))
        {
            return Some(Format::AdsGmvMaxReport);
        }
        if has(metrics, "spend") {
            return Some(Format::AdsIntegratedReport);
        }
    }
    None
}

/// The `data` of a saved response: an envelope's (refused when it is an error response), or the
/// file's whole JSON.
///
/// # Errors
/// An error response, or an envelope without data, naming `file`.
fn unwrap_envelope<'a>(file: &str, value: &'a Value) -> Result<&'a Value> {
    match (value.get("code"), value.get("data")) {
        (Some(code), Some(data)) => {
            if code.as_i64() != Some(0) {
                let message = value.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(Error::bad_input(format!(
                    "{file}: is an error response (code {code}: {message}), not data"
                )));
            }
            Ok(data)
        }
        (Some(_), None) => Err(Error::bad_input(format!("{file}: envelope without data"))),
        (None, Some(data)) => Ok(data),
        _ => Ok(value),
    }
}

/// Recognises a saved TikTok response among JSON files.
///
/// # Errors
/// A TikTok error response or an envelope without data, naming the file.
pub fn detect_file(input: &FileInput<'_>) -> Result<Option<FileFormat>> {
    let Some(value) = input.json else {
        return Ok(None);
    };
    let data = unwrap_envelope(input.file, value)?;
    Ok(detect(data).map(Format::file_format))
}

/// `data` read as `T`, from the parsed document (no copy of it).
fn parse<T: DeserializeOwned>(file: &str, format: Format, data: &Value) -> Result<T> {
    T::deserialize(data).map_err(|error| {
        Error::bad_input(format!(
            "{file}: not a valid {} payload: {error}",
            format.name()
        ))
    })
}

/// Normalises a saved TikTok response as `format`.
///
/// # Errors
/// A file that is not JSON, an error response, a payload that does not match its format, or
/// one that names no currency when `--currency` was not given; each naming the file.
pub fn normalize_file(
    input: &FileInput<'_>,
    format: FileFormat,
    ctx: &FileContext<'_>,
) -> Result<FileBatch> {
    let file = input.file;
    let format: Format = format.name.parse()?;
    let value = input.json.ok_or_else(|| {
        Error::bad_input(format!("{file}: not JSON, so not a {} file", format.name()))
    })?;
    let data = unwrap_envelope(file, value)?;
    let currency_needed = || {
        ctx.currency.ok_or_else(|| {
            Error::bad_input(format!(
                "{file}: {} payloads name no currency; pass --currency",
                format.name()
            ))
        })
    };
    let (normalized, source_id, currency): (Normalized, String, Option<Currency>) = match format {
        Format::StatementTransactions2501 => {
            let data: model::StatementTransactions2501 = parse(input.file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::statement_transactions_2501(&data, &context),
                data.id.clone(),
                Some(currency),
            )
        }
        Format::StatementTransactions2309 => {
            let data: model::StatementTransactions2309 = parse(input.file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::statement_transactions_2309(&data, &context),
                data.statement_id.clone(),
                Some(currency),
            )
        }
        Format::OrderTransactions2501 => {
            let data: model::OrderTransactions2501 = parse(input.file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::order_transactions_2501(&data, &context),
                data.order_id.clone(),
                Some(currency),
            )
        }
        Format::OrderTransactions2309 => {
            let data: model::OrderTransactions2309 = parse(input.file, format, data)?;
            let currency = match data
                .statement_transactions
                .first()
                .and_then(|row| row.get("currency"))
                .and_then(Value::as_str)
            {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::order_transactions_2309(&data, &context),
                data.order_id.clone(),
                Some(currency),
            )
        }
        Format::Unsettled2507 => {
            let data: model::Unsettled2507 = parse(input.file, format, data)?;
            let currency = match data
                .currency
                .as_deref()
                .or_else(|| data.transactions.iter().find_map(|t| t.currency.as_deref()))
            {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::unsettled_2507(&data, &context),
                input.file.to_owned(),
                Some(currency),
            )
        }
        Format::Statements2309 => {
            let data: model::StatementList = parse(input.file, format, data)?;
            let currency = data
                .statements
                .first()
                .map(|s| Currency::parse(&s.currency))
                .transpose()?;
            // An empty list names no currency and posts nothing.
            let normalized = match currency {
                Some(currency) => normalize::statements_202309(
                    &data,
                    &Context {
                        mapper: ctx.mapper,
                        currency,
                    },
                ),
                None => Normalized::default(),
            };
            (normalized, input.file.to_owned(), currency)
        }
        Format::Payments2309 => {
            let data: model::PaymentList = parse(input.file, format, data)?;
            let currency = data
                .payments
                .first()
                .map(|p| Currency::parse(&p.amount.currency))
                .transpose()?;
            let normalized = match currency {
                Some(currency) => normalize::payments_202309(
                    &data,
                    &Context {
                        mapper: ctx.mapper,
                        currency,
                    },
                ),
                None => Normalized::default(),
            };
            (normalized, input.file.to_owned(), currency)
        }
        Format::Orders2309 => {
            let data: model::OrderList = parse(input.file, format, data)?;
            let named = data
                .orders
                .iter()
                .flat_map(|o| o.line_items.iter())
                .find_map(|item| item.currency.as_deref());
            let currency = match named {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::orders_202309(&data, &context),
                input.file.to_owned(),
                Some(currency),
            )
        }
        Format::AffiliateOrders202410 => {
            let data: model::AffiliateOrderList = parse(input.file, format, data)?;
            let named = data
                .orders
                .iter()
                .flat_map(|o| o.skus.iter())
                .find_map(|sku| {
                    sku.estimated_paid_commission
                        .as_ref()
                        .and_then(|c| c.currency.clone())
                });
            let currency = match named {
                Some(code) => Currency::parse(&code)?,
                None => currency_needed()?,
            };
            let context = Context {
                mapper: ctx.mapper,
                currency,
            };
            (
                normalize::affiliate_orders_202410(&data, &context),
                input.file.to_owned(),
                Some(currency),
            )
        }
        Format::AdsIntegratedReport | Format::AdsGmvMaxReport => {
            let data: model::AdsReport = parse(input.file, format, data)?;
            let currency = currency_needed()?;
            let advertiser = ctx.advertiser.unwrap_or("imported").to_owned();
            let ads = AdsContext {
                mapper: ctx.mapper,
                advertiser_id: &advertiser,
                currency,
                time_zone: ctx.time_zone.unwrap_or(chrono_tz::UTC),
            };
            let normalized = if format == Format::AdsGmvMaxReport {
                normalize::ads::gmv_max_report(&data, &ads)
            } else {
                normalize::ads::integrated_report(&data, &ads)
            };
            (normalized, input.file.to_owned(), Some(currency))
        }
    };
    Ok(FileBatch {
        source_kind: format.source_kind(),
        source_id,
        currency,
        normalized,
        text: None,
    })
}
