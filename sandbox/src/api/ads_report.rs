//! Marketing API reports (reference §6): the integrated report (regular, card-paid
//! campaigns only) and the GMV Max report (cost per campaign, day and item group).
//!
//! List parameters are JSON strings (`dimensions=["campaign_id","stat_time_day"]`); dates
//! are inclusive calendar dates of the advertiser's time zone; metric values are strings,
//! `"-"` where there is no value (ratios over zero; GMV Max days without delivery). Regular
//! campaigns' days without spend have no row. Not-JSON lists answer 40006, unknown
//! dimensions or metrics and missing parameters 40002.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::ads::{advertiser, guard, Params};
use super::envelope::{ads_ok, ApiError, ApiResult};
use super::Shared;
use crate::money::{self, Minor};
use crate::world::{date_of, Fact, World};

const INTEGRATED_DIMENSIONS: &[&str] = &["advertiser_id", "campaign_id", "stat_time_day"];
const INTEGRATED_METRICS: &[&str] = &[
    "spend",
    "cash_spend",
    "voucher_spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "conversion",
    "cost_per_conversion",
    "currency",
    "campaign_name",
];
const GMV_DIMENSIONS: &[&str] = &[
    "advertiser_id",
    "campaign_id",
    "stat_time_day",
    "item_group_id",
];
const GMV_METRICS: &[&str] = &[
    "cost",
    "net_cost",
    "gross_revenue",
    "orders",
    "roi",
    "cost_per_order",
    "product_impressions",
    "product_clicks",
    "product_click_rate",
    "currency",
];

fn json_list(
    q: &HashMap<String, String>,
    key: &str,
    default: Option<&[&str]>,
) -> Result<Vec<String>, ApiError> {
    match (q.get(key).filter(|v| !v.is_empty()), default) {
        (None, Some(d)) => Ok(d.iter().map(|s| (*s).to_owned()).collect()),
        (None, None) => Err(ApiError::ads(
            40002,
            format!("{key}: Missing data for required field."),
        )),
        (Some(raw), _) => serde_json::from_str::<Vec<String>>(raw)
            .map_err(|_| ApiError::ads(40006, format!("{key}: Not a valid JSON list of strings."))),
    }
}

fn date(q: &HashMap<String, String>, key: &str) -> Result<NaiveDate, ApiError> {
    let raw = q.get(key).map_or("", String::as_str);
    if raw.is_empty() {
        return Err(ApiError::ads(
            40002,
            format!("{key}: Missing data for required field."),
        ));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiError::ads(
            40002,
            format!("{key}: Not a valid date, expect YYYY-MM-DD."),
        )
    })
}

fn number(
    q: &HashMap<String, String>,
    key: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match q.get(key).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::ads(
                40002,
                format!("{key}: must be between 1 and {max}."),
            )),
        },
    }
}

fn check_subset(key: &str, got: &[String], allowed: &[&str]) -> Result<(), ApiError> {
    let bad: Vec<&String> = got
        .iter()
        .filter(|g| !allowed.contains(&g.as_str()))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(&bad).unwrap_or_default();
    let what = if key == "metrics" {
        "metric"
    } else {
        "dimension"
    };
    Err(ApiError::ads(
        40002,
        format!("Invalid {what} fields: {list}"),
    ))
}

/// Aggregated delivery of one report row.
#[derive(Debug, Default)]
struct Agg {
    spend: Minor,
    impressions: i64,
    clicks: i64,
    conversions: i64,
    gross_revenue: Minor,
    orders: i64,
    delivered: bool,
    campaign_name: &'static str,
}

fn ratio(n: Decimal, d: Decimal, scale: u32) -> Value {
    if d.is_zero() {
        return json!("-");
    }
    let mut v = (n / d).round_dp(scale);
    v.rescale(scale);
    json!(v.to_string())
}

fn metric(name: &str, a: &Agg, currency: &str, digits: u32) -> Value {
    if !a.delivered && name != "currency" {
        return json!("-");
    }
    let cash = |v: Minor| json!(money::fixed(v, digits));
    let dec = |v: Minor| money::decimal(v, digits);
    let int = |v: i64| Decimal::from(v);
    match name {
        "spend" | "cash_spend" | "cost" | "net_cost" => cash(a.spend),
        "voucher_spend" => cash(0),
        "gross_revenue" => cash(a.gross_revenue),
        "impressions" | "product_impressions" => json!(a.impressions.to_string()),
        "clicks" | "product_clicks" => json!(a.clicks.to_string()),
        "conversion" => json!(a.conversions.to_string()),
        "orders" => json!(a.orders.to_string()),
        "ctr" | "product_click_rate" => {
            ratio(int(a.clicks) * Decimal::from(100), int(a.impressions), 2)
        }
        "cpc" => ratio(dec(a.spend), int(a.clicks), 2),
        "cpm" => ratio(dec(a.spend) * Decimal::from(1000), int(a.impressions), 2),
        "cost_per_conversion" => ratio(dec(a.spend), int(a.conversions), 2),
        "cost_per_order" => ratio(dec(a.spend), int(a.orders), 2),
        "roi" => ratio(dec(a.gross_revenue), dec(a.spend), 2),
        "currency" => json!(currency),
        "campaign_name" => json!(a.campaign_name),
        _ => json!("-"),
    }
}

struct Report {
    shop: usize,
    dims: Vec<String>,
    metrics: Vec<String>,
    page: usize,
    page_size: usize,
}

fn render(world: &World, r: &Report, facts: &[Fact]) -> Value {
    let shop = world.shop(r.shop);
    let by_item = r.dims.iter().any(|d| d == "item_group_id");
    let mut groups: BTreeMap<Vec<String>, Agg> = BTreeMap::new();
    for f in facts {
        if by_item && f.item_group.is_none() {
            continue;
        }
        let key: Vec<String> = r
            .dims
            .iter()
            .map(|d| match d.as_str() {
                "advertiser_id" => shop.ads.advertiser_id.clone(),
                "campaign_id" => f.campaign.clone(),
                "stat_time_day" => format!("{} 00:00:00", date_of(f.day)),
                _ => f
                    .item_group
                    .map_or_else(String::new, |p| shop.catalog.product_ids[p].clone()),
            })
            .collect();
        let a = groups.entry(key).or_default();
        a.spend += f.spend;
        a.impressions += f.impressions;
        a.clicks += f.clicks;
        a.conversions += f.conversions;
        a.gross_revenue += f.gross_revenue;
        a.orders += f.orders;
        a.delivered |= !f.no_data;
        a.campaign_name = if r.dims.iter().any(|d| d == "campaign_id") {
            f.campaign_name
        } else {
            "-"
        };
    }
    let total = groups.len();
    let rows: Vec<Value> = groups
        .into_iter()
        .skip((r.page - 1).saturating_mul(r.page_size))
        .take(r.page_size)
        .map(|(key, agg)| {
            let dims: Map<String, Value> = r
                .dims
                .iter()
                .cloned()
                .zip(key.into_iter().map(Value::String))
                .collect();
            let metrics: Map<String, Value> = r
                .metrics
                .iter()
                .map(|m| (m.clone(), metric(m, &agg, &shop.currency, shop.digits)))
                .collect();
            json!({ "dimensions": dims, "metrics": metrics })
        })
        .collect();
    json!({
        "list": rows,
        "page_info": {
            "page": r.page,
            "page_size": r.page_size,
            "total_number": total,
            "total_page": total.div_ceil(r.page_size),
        }
    })
}

fn parse(
    s: &Shared,
    q: &HashMap<String, String>,
    dims: &[&str],
    metrics: &[&str],
    default_metrics: &[&str],
) -> Result<(Report, i64, i64), ApiError> {
    let shop = advertiser(s, q)?;
    let d = json_list(q, "dimensions", None)?;
    check_subset("dimensions", &d, dims)?;
    let m = json_list(q, "metrics", Some(default_metrics))?;
    check_subset("metrics", &m, metrics)?;
    let (start, end) = (date(q, "start_date")?, date(q, "end_date")?);
    if end < start {
        return Err(ApiError::ads(
            40002,
            "end_date: must not be earlier than start_date.",
        ));
    }
    let day = |x: NaiveDate| x.signed_duration_since(NaiveDate::default()).num_days();
    let world = &s.world;
    // Delivery exists for the searchable order window only.
    let lo = day(start).max(world.order_first_day());
    let hi = day(end).min(world.last_day_number());
    let report = Report {
        shop,
        dims: d,
        metrics: m,
        page: number(q, "page", 1, usize::MAX)?,
        page_size: number(q, "page_size", 10, 1000)?,
    };
    Ok((report, lo, hi))
}

/// `GET /open_api/v1.3/report/integrated/get/` (`report_type=BASIC`, `data_level`
/// `AUCTION_CAMPAIGN` or `AUCTION_ADVERTISER`).
pub(crate) async fn integrated(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> ApiResult {
    guard(&s, &headers)?;
    if q.get("report_type").map(String::as_str) != Some("BASIC") {
        return Err(ApiError::ads(
            40002,
            "report_type: only BASIC is supported by the sandbox.",
        ));
    }
    let level = q.get("data_level").map_or("", String::as_str);
    if !matches!(level, "AUCTION_CAMPAIGN" | "AUCTION_ADVERTISER") {
        return Err(ApiError::ads(
            40002,
            "data_level: must be AUCTION_CAMPAIGN or AUCTION_ADVERTISER.",
        ));
    }
    let (report, lo, hi) = parse(
        &s,
        &q,
        INTEGRATED_DIMENSIONS,
        INTEGRATED_METRICS,
        &["spend", "impressions", "clicks"],
    )?;
    if level == "AUCTION_ADVERTISER" && report.dims.iter().any(|d| d == "campaign_id") {
        return Err(ApiError::ads(
            40002,
            "Invalid dimension fields: [\"campaign_id\"]",
        ));
    }
    let ads = &s.world.shop(report.shop).ads;
    let facts: Vec<Fact> = (lo..=hi).flat_map(|day| ads.regular_facts(day)).collect();
    Ok(ads_ok(render(&s.world, &report, &facts)))
}

/// `GET /open_api/v1.3/gmv_max/report/get/` (`store_ids` must name the advertiser's shop).
pub(crate) async fn gmv_max(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Params,
) -> ApiResult {
    guard(&s, &headers)?;
    let stores = json_list(&q, "store_ids", None)?;
    let (report, lo, hi) = parse(
        &s,
        &q,
        GMV_DIMENSIONS,
        GMV_METRICS,
        &["cost", "orders", "gross_revenue"],
    )?;
    let shop = s.world.shop(report.shop);
    let store = &s.world.shops()[report.shop].id;
    if !stores.iter().any(|x| x == store) {
        return Err(ApiError::ads(
            40001,
            "No permission to access the store_ids for this advertiser",
        ));
    }
    let facts: Vec<Fact> = (lo..=hi)
        .flat_map(|day| shop.ads.gmv_facts(&shop.catalog, day))
        .collect();
    Ok(ads_ok(render(&s.world, &report, &facts)))
}
