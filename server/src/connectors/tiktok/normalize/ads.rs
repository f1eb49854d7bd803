//! TikTok Ads (Marketing API v1.3) reports → ADVERTISING lines.
//!
//! The rule that keeps ad money from being counted twice (reference §6, GMV Max):
//! - card-paid campaigns: the integrated report's daily `spend` per campaign is posted as
//!   ad cost (untied to any SKU);
//! - GMV Max is paid out of shop GMV, so its money is already in the shop statement as a
//!   `GMV_PAYMENT_FOR_ADS` adjustment (ADVERTISING). The GMV Max report's `cost` is therefore
//!   never posted as new money: for each campaign and day it is posted as a pair that nets to
//!   zero — per product, the cost tied to that product (−), and one untying line for the
//!   campaign-day (+) — which moves the statement's spend onto the products it bought.
//! - a campaign-day present in the GMV Max report is not also posted from the integrated report
//!   (either order of arrival: the GMV Max allocation replaces and excludes the integrated
//!   line).
//!
//! Report dates are days in the ad account's time zone (`stat_time_day` carries no zone).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::amount;
use crate::connectors::tiktok::model::{AdsReport, Fields};
use crate::connectors::{Failure, Granularity, Line, Normalized};
use crate::ledger::mapping::FeeMapper;
use crate::ledger::EntryStatus;
use crate::money::{Currency, Money};

/// What ads normalisers need.
#[derive(Clone, Copy, Debug)]
pub struct AdsContext<'a> {
    /// Label → bucket.
    pub mapper: &'a FeeMapper,
    /// The advertiser (ad account) id.
    pub advertiser_id: &'a str,
    /// The ad account's currency.
    pub currency: Currency,
    /// The ad account's time zone.
    pub time_zone: Tz,
}

fn text(fields: &Fields, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(text) if !text.trim().is_empty() && text.trim() != "-" => {
            Some(text.trim().to_owned())
        }
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `"2026-01-01 00:00:00"` or `"2026-01-01"` in the account's zone → that day and its start in UTC.
fn day(
    ctx: &AdsContext<'_>,
    text: &str,
    position: &str,
) -> Result<(NaiveDate, DateTime<Utc>), Failure> {
    let failure = || Failure {
        position: position.to_owned(),
        reason: format!("invalid stat_time_day {text:?}"),
    };
    let date = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .map(|t| t.date())
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
        // The years both backends store and order correctly (see `super::time`).
        .filter(|date| (1..=9999).contains(&date.year()))
        .ok_or_else(failure)?;
    let start = ctx
        .time_zone
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).ok_or_else(failure)?)
        .earliest()
        .ok_or_else(failure)?;
    Ok((date, start.with_timezone(&Utc)))
}

fn currency_of(
    ctx: &AdsContext<'_>,
    metrics: &Fields,
    position: &str,
) -> Result<Currency, Failure> {
    match text(metrics, "currency") {
        None => Ok(ctx.currency),
        Some(code) => Currency::parse(&code).map_err(|error| Failure {
            position: format!("{position}.currency"),
            reason: error.to_string(),
        }),
    }
}

fn line(ctx: &AdsContext<'_>, key: String, label: &str, amount: Money, at: DateTime<Utc>) -> Line {
    let mapping = ctx
        .mapper
        .resolve(crate::connectors::tiktok::CHANNEL, label);
    Line {
        entry_key: key,
        order_id: None,
        sku: None,
        creator: None,
        bucket: mapping.bucket,
        label: label.to_owned(),
        mapped: mapping.mapped,
        amount,
        quantity: 0,
        occurred_at: at,
        status: EntryStatus::Settled,
        payout: None,
        granularity: Granularity::Standalone,
        statement: None,
        product: None,
        excluded_by: None,
        replaces: Vec::new(),
    }
}

fn spend_key(advertiser: &str, campaign: &str, date: NaiveDate) -> String {
    format!("tiktokads:{advertiser}:campaign:{campaign}:day:{date}:spend")
}

fn allocation_key(advertiser: &str, campaign: &str, date: NaiveDate) -> String {
    format!("tiktokads:{advertiser}:gmvmax:{campaign}:day:{date}:allocation")
}

/// Integrated report rows (dimensions `campaign_id`, `stat_time_day`; metric `spend`) → daily
/// ad cost per campaign.
pub fn integrated_report(data: &AdsReport, ctx: &AdsContext<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.list.len(),
        ..Normalized::default()
    };
    for (index, row) in data.list.iter().enumerate() {
        let position = format!("list[{index}]");
        let result = (|| -> Result<Option<Line>, Failure> {
            let Some(spend) = text(&row.metrics, "spend") else {
                return Ok(None);
            };
            let currency = currency_of(ctx, &row.metrics, &format!("{position}.metrics"))?;
            let Some(spend) = amount(currency, Some(&spend), &format!("{position}.metrics.spend"))?
                .filter(|m| !m.is_zero())
            else {
                return Ok(None);
            };
            let stamp = text(&row.dimensions, "stat_time_day").ok_or_else(|| Failure {
                position: format!("{position}.dimensions"),
                reason: "no stat_time_day dimension".to_owned(),
            })?;
            let (date, at) = day(ctx, &stamp, &format!("{position}.dimensions.stat_time_day"))?;
            let campaign =
                text(&row.dimensions, "campaign_id").unwrap_or_else(|| "advertiser".to_owned());
            let mut posted = line(
                ctx,
                spend_key(ctx.advertiser_id, &campaign, date),
                "ads_spend",
                -spend,
                at,
            );
            posted.excluded_by = Some(allocation_key(ctx.advertiser_id, &campaign, date));
            Ok(Some(posted))
        })();
        match result {
            Ok(Some(posted)) => out.lines.push(posted),
            Ok(None) => {}
            Err(failure) => out.failures.push(failure),
        }
    }
    out
}

/// GMV Max report rows (dimensions `campaign_id`, `stat_time_day`, `item_group_id`; metric
/// `cost`) → per-product allocation pairs (see the module docs).
pub fn gmv_max_report(data: &AdsReport, ctx: &AdsContext<'_>) -> Normalized {
    let mut out = Normalized {
        rows: data.list.len(),
        ..Normalized::default()
    };
    let mut untie: BTreeMap<(String, NaiveDate), (Money, DateTime<Utc>)> = BTreeMap::new();
    for (index, row) in data.list.iter().enumerate() {
        let position = format!("list[{index}]");
        let result = (|| -> Result<(), Failure> {
            let Some(cost) = text(&row.metrics, "cost") else {
                return Ok(());
            };
            let currency = currency_of(ctx, &row.metrics, &format!("{position}.metrics"))?;
            let Some(cost) = amount(currency, Some(&cost), &format!("{position}.metrics.cost"))?
                .filter(|m| !m.is_zero())
            else {
                return Ok(());
            };
            let stamp = text(&row.dimensions, "stat_time_day").ok_or_else(|| Failure {
                position: format!("{position}.dimensions"),
                reason: "no stat_time_day dimension".to_owned(),
            })?;
            let (date, at) = day(ctx, &stamp, &format!("{position}.dimensions.stat_time_day"))?;
            let campaign =
                text(&row.dimensions, "campaign_id").unwrap_or_else(|| "gmvmax".to_owned());
            let item =
                text(&row.dimensions, "item_group_id").or_else(|| text(&row.dimensions, "item_id"));
            let key = format!(
                "tiktokads:{}:gmvmax:{campaign}:day:{date}:item:{}:cost",
                ctx.advertiser_id,
                item.as_deref().unwrap_or("none")
            );
            // The day's untying total first: a row that cannot join it (another currency, an
            // overflow) is a failure and posts nothing, so tied and untied lines still net to zero.
            let entry = untie
                .entry((campaign, date))
                .or_insert((Money::zero(cost.currency()), at));
            entry.0 = entry.0.checked_add(cost).map_err(|error| Failure {
                position: position.clone(),
                reason: error.to_string(),
            })?;
            let mut tied = line(ctx, key, "gmv_max_cost", -cost, at);
            tied.product = item;
            out.lines.push(tied);
            Ok(())
        })();
        if let Err(failure) = result {
            out.failures.push(failure);
        }
    }
    for ((campaign, date), (total, at)) in untie {
        let mut allocation = line(
            ctx,
            allocation_key(ctx.advertiser_id, &campaign, date),
            "gmv_max_paid_from_gmv",
            total,
            at,
        );
        allocation
            .replaces
            .push(spend_key(ctx.advertiser_id, &campaign, date));
        out.lines.push(allocation);
    }
    out
}
