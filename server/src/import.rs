//! `pnl import`: saved TikTok API responses (whole envelopes or just their `data`) → the same
//! normalisers and the same idempotent posting as a live sync. The format is detected from the
//! content; a file that is not JSON, is an error response, or has no known shape is refused
//! with a message naming the file, and nothing is written.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::connectors::ingest::{ingest_in, Batch, IngestReport};
use crate::connectors::tiktok::model;
use crate::connectors::tiktok::normalize::{self, ads::AdsContext, Context};
use crate::connectors::{catalog, Normalized};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::Channel;
use crate::money::Currency;

macro_rules! formats {
    ($($variant:ident = $name:literal, $kind:literal, $doc:literal;)+) => {
        /// A file format `pnl import` understands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Format {
            $(#[doc = $doc] $variant,)+
        }

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

/// Options of one import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The shop's external id (default: a shop named "TikTok Shop (imported)").
    pub shop: Option<String>,
    /// Forces a format instead of detecting it.
    pub format: Option<Format>,
    /// Currency for payloads that do not name one (orders, ads reports).
    pub currency: Option<Currency>,
    /// Ads: the advertiser id (default: `imported`).
    pub advertiser: Option<String>,
    /// Ads: the ad account's time zone (default UTC).
    pub time_zone: Option<chrono_tz::Tz>,
}

/// What one file gave.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The detected or forced format.
    pub format: Format,
    /// The ingest counts.
    pub ingest: IngestReport,
}

fn parse<T: DeserializeOwned>(file: &str, format: Format, data: Value) -> Result<T> {
    serde_json::from_value(data).map_err(|error| {
        Error::bad_input(format!(
            "{file}: not a valid {} payload: {error}",
            format.name()
        ))
    })
}

/// Imports one file for `org_id`.
///
/// # Errors
/// An unreadable file, invalid JSON, an error envelope, an unknown shape, a payload that does
/// not match its format, or a database failure; nothing is written then.
pub async fn import_file(
    db: &Db,
    org_id: i64,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|error| Error::bad_input(format!("{file}: cannot read: {error}")))?;
    import_text(db, org_id, &file, &text, options).await
}

/// Imports a payload given as text; `file` names it in messages and as the source id.
///
/// # Errors
/// As [`import_file`].
pub async fn import_text(
    db: &Db,
    org_id: i64,
    file: &str,
    text: &str,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let value: Value = serde_json::from_str(text)
        .map_err(|error| Error::bad_input(format!("{file}: not JSON: {error}")))?;
    if model::contains_nul(&value) {
        return Err(Error::bad_input(format!(
            "{file}: holds a NUL character (\\u0000), which cannot be stored"
        )));
    }
    let data = match (value.get("code"), value.get("data")) {
        (Some(code), Some(data)) => {
            if code.as_i64() != Some(0) {
                let message = value.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(Error::bad_input(format!(
                    "{file}: is an error response (code {code}: {message}), not data"
                )));
            }
            data.clone()
        }
        (Some(_), None) => return Err(Error::bad_input(format!("{file}: envelope without data"))),
        (None, Some(data)) => data.clone(),
        _ => value,
    };
    let format = match options.format {
        Some(format) => format,
        None => detect(&data).ok_or_else(|| {
            Error::bad_input(format!("{file}: unknown shape: not a TikTok response this version understands (use --format to force one)"))
        })?,
    };
    let mapper = FeeMapper::load(db.conn(), org_id).await?;
    let currency_needed = || {
        options.currency.ok_or_else(|| {
            Error::bad_input(format!(
                "{file}: {} payloads name no currency; pass --currency",
                format.name()
            ))
        })
    };
    let (normalized, source_id, currency): (Normalized, String, Option<Currency>) = match format {
        Format::StatementTransactions2501 => {
            let data: model::StatementTransactions2501 = parse(file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::statement_transactions_2501(&data, &ctx),
                data.id.clone(),
                Some(currency),
            )
        }
        Format::StatementTransactions2309 => {
            let data: model::StatementTransactions2309 = parse(file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::statement_transactions_2309(&data, &ctx),
                data.statement_id.clone(),
                Some(currency),
            )
        }
        Format::OrderTransactions2501 => {
            let data: model::OrderTransactions2501 = parse(file, format, data)?;
            let currency = Currency::parse(&data.currency)?;
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::order_transactions_2501(&data, &ctx),
                data.order_id.clone(),
                Some(currency),
            )
        }
        Format::OrderTransactions2309 => {
            let data: model::OrderTransactions2309 = parse(file, format, data)?;
            let currency = match data
                .statement_transactions
                .first()
                .and_then(|row| row.get("currency"))
                .and_then(Value::as_str)
            {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::order_transactions_2309(&data, &ctx),
                data.order_id.clone(),
                Some(currency),
            )
        }
        Format::Unsettled2507 => {
            let data: model::Unsettled2507 = parse(file, format, data)?;
            let currency = match data
                .currency
                .as_deref()
                .or_else(|| data.transactions.iter().find_map(|t| t.currency.as_deref()))
            {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::unsettled_2507(&data, &ctx),
                file.to_owned(),
                Some(currency),
            )
        }
        Format::Statements2309 => {
            let data: model::StatementList = parse(file, format, data)?;
            let currency = data
                .statements
                .first()
                .map(|s| Currency::parse(&s.currency))
                .transpose()?;
            let ctx = Context {
                mapper: &mapper,
                currency: currency.unwrap_or(Currency::parse("USD")?),
            };
            (
                normalize::statements_202309(&data, &ctx),
                file.to_owned(),
                currency,
            )
        }
        Format::Payments2309 => {
            let data: model::PaymentList = parse(file, format, data)?;
            let currency = data
                .payments
                .first()
                .map(|p| Currency::parse(&p.amount.currency))
                .transpose()?;
            let ctx = Context {
                mapper: &mapper,
                currency: currency.unwrap_or(Currency::parse("USD")?),
            };
            (
                normalize::payments_202309(&data, &ctx),
                file.to_owned(),
                currency,
            )
        }
        Format::Orders2309 => {
            let data: model::OrderList = parse(file, format, data)?;
            let named = data
                .orders
                .iter()
                .flat_map(|o| o.line_items.iter())
                .find_map(|item| item.currency.as_deref());
            let currency = match named {
                Some(code) => Currency::parse(code)?,
                None => currency_needed()?,
            };
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::orders_202309(&data, &ctx),
                file.to_owned(),
                Some(currency),
            )
        }
        Format::AffiliateOrders202410 => {
            let data: model::AffiliateOrderList = parse(file, format, data)?;
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
            let ctx = Context {
                mapper: &mapper,
                currency,
            };
            (
                normalize::affiliate_orders_202410(&data, &ctx),
                file.to_owned(),
                Some(currency),
            )
        }
        Format::AdsIntegratedReport | Format::AdsGmvMaxReport => {
            let data: model::AdsReport = parse(file, format, data)?;
            let currency = currency_needed()?;
            let advertiser = options
                .advertiser
                .clone()
                .unwrap_or_else(|| "imported".to_owned());
            let ctx = AdsContext {
                mapper: &mapper,
                advertiser_id: &advertiser,
                currency,
                time_zone: options.time_zone.unwrap_or(chrono_tz::UTC),
            };
            let normalized = if format == Format::AdsGmvMaxReport {
                normalize::ads::gmv_max_report(&data, &ctx)
            } else {
                normalize::ads::integrated_report(&data, &ctx)
            };
            (normalized, file.to_owned(), Some(currency))
        }
    };
    let shop_external = options
        .shop
        .clone()
        .unwrap_or_else(|| "imported".to_owned());
    // The shop is created in the same transaction as the posting: a file refused while
    // posting (an amount past the ledger's range, …) leaves no shop behind either.
    let txn = db.begin_write().await?;
    let shop = catalog::ensure_shop(
        &*txn,
        org_id,
        Channel::TikTokShop,
        &shop_external,
        "TikTok Shop (imported)",
        currency.map(|c| c.as_str()),
    )
    .await?;
    let batch = Batch::tiktok(
        shop.id,
        format.source_kind(),
        &source_id,
        text.to_owned(),
        normalized,
    );
    let report = ingest_in(&*txn, org_id, batch).await?;
    txn.commit().await?;
    db.wrote(report.posted + report.retired).await;
    Ok(ImportReport {
        format,
        ingest: report,
    })
}
