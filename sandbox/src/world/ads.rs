//! The shop's ad account: regular (card-paid) campaigns and one GMV Max campaign.
//!
//! Delivery is generated per *ad-account calendar day* (the dates the Marketing API reports
//! in `stat_time_day`). GMV Max cost of calendar date D is what the shop statement of UTC
//! day D deducts as `GMV_PAYMENT_FOR_ADS`: the sandbox aligns by date, not by instant, so a
//! connector matches `stat_time_day` to the statement day (`statement_time` − 1 day).

use crate::ids;
use crate::money::{self, Minor};
use crate::rng::{stream, Rng};

use super::catalog::{Catalog, PRODUCT_COUNT};

/// One campaign.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub(crate) id: String,
    pub(crate) name: &'static str,
    /// Cost per mille in US cents (drives impressions).
    cpm: i64,
    /// Click-through rate in basis points.
    ctr: i64,
    /// Conversion rate of clicks in basis points.
    cvr: i64,
}

/// The advertiser linked to one shop.
#[derive(Debug, Clone)]
pub(crate) struct AdAccount {
    pub(crate) advertiser_id: String,
    pub(crate) name: String,
    pub(crate) timezone: &'static str,
    pub(crate) currency: String,
    pub(crate) regular: Vec<Campaign>,
    pub(crate) gmv_max: Campaign,
    seed: u64,
    shop: usize,
}

/// One day of delivery of one campaign (and, for GMV Max, one item group).
#[derive(Debug, Clone)]
pub(crate) struct Fact {
    /// Campaign id.
    pub(crate) campaign: String,
    pub(crate) campaign_name: &'static str,
    /// Product index of the GMV Max item group.
    pub(crate) item_group: Option<usize>,
    pub(crate) day: i64,
    /// Spend (`spend` / `cost`) in minor units of the advertiser currency.
    pub(crate) spend: Minor,
    pub(crate) impressions: i64,
    pub(crate) clicks: i64,
    pub(crate) conversions: i64,
    pub(crate) gross_revenue: Minor,
    pub(crate) orders: i64,
    /// A campaign that was live but did not deliver: every metric reports `"-"`.
    pub(crate) no_data: bool,
}

const REGULAR_NAMES: [&str; 3] = [
    "Spring Drop - Prospecting",
    "Retargeting - Product Viewers",
    "Hoodie Launch - Video Views",
];

fn timezone(region: &str) -> &'static str {
    match region {
        "US" => "America/Los_Angeles",
        "GB" => "Europe/London",
        "ID" => "Asia/Jakarta",
        "MY" => "Asia/Kuala_Lumpur",
        "TH" => "Asia/Bangkok",
        "VN" => "Asia/Ho_Chi_Minh",
        "PH" => "Asia/Manila",
        "SG" => "Asia/Singapore",
        _ => "Etc/GMT",
    }
}

impl AdAccount {
    /// The ad account of shop `shop`.
    pub(crate) fn generate(
        seed: u64,
        shop: usize,
        region: &str,
        currency: &str,
        shop_name: &str,
    ) -> Self {
        let mut rng = Rng::stream(&[seed, stream::ADS_SETUP, shop as u64]);
        let count = rng.range(2, 3) as usize;
        let mut campaign = |i: usize, name: &'static str| Campaign {
            id: ids::encode(seed, ids::CAMPAIGN, &[shop as u64, i as u64]),
            name,
            cpm: rng.range(600, 1500),
            ctr: rng.range(80, 250),
            cvr: rng.range(200, 800),
        };
        let regular = (0..count).map(|i| campaign(i, REGULAR_NAMES[i])).collect();
        let gmv_max = campaign(9, "GMV Max - All Products");
        Self {
            advertiser_id: ids::encode(seed, ids::ADVERTISER, &[shop as u64]),
            name: format!("{shop_name} Ads"),
            timezone: timezone(region),
            currency: currency.to_owned(),
            regular,
            gmv_max,
            seed,
            shop,
        }
    }

    /// Delivery of the regular campaigns on calendar `day` (absent: no spend that day).
    pub(crate) fn regular_facts(&self, day: i64) -> Vec<Fact> {
        let mut rng = Rng::stream(&[self.seed, stream::ADS_REGULAR, self.shop as u64, day as u64]);
        let mut facts = Vec::new();
        for c in &self.regular {
            let paused = rng.chance(150);
            let spend_cents = rng.range(500, 8000);
            if paused {
                continue;
            }
            let impressions = spend_cents * 1000 / c.cpm;
            let clicks = impressions * c.ctr / 10_000;
            facts.push(Fact {
                campaign: c.id.clone(),
                campaign_name: c.name,
                item_group: None,
                day,
                spend: money::from_usd_cents(spend_cents, &self.currency),
                impressions,
                clicks,
                conversions: clicks * c.cvr / 10_000,
                gross_revenue: 0,
                orders: 0,
                no_data: false,
            });
        }
        facts
    }

    /// GMV Max delivery on calendar `day`, one fact per item group (product) with cost;
    /// a single `no_data` fact when the campaign did not deliver at all.
    pub(crate) fn gmv_facts(&self, catalog: &Catalog, day: i64) -> Vec<Fact> {
        let mut rng = Rng::stream(&[self.seed, stream::ADS_GMV_MAX, self.shop as u64, day as u64]);
        let c = &self.gmv_max;
        let blank = Fact {
            campaign: c.id.clone(),
            campaign_name: c.name,
            item_group: None,
            day,
            spend: 0,
            impressions: 0,
            clicks: 0,
            conversions: 0,
            gross_revenue: 0,
            orders: 0,
            no_data: true,
        };
        if rng.chance(100) {
            return vec![blank];
        }
        let mut facts = Vec::new();
        for product in 0..PRODUCT_COUNT {
            let active = rng.chance(450) || (product == PRODUCT_COUNT - 1 && facts.is_empty());
            let cost_cents = rng.range(200, 3000);
            let roi_pct = rng.range(150, 600);
            let ctr = rng.range(100, 300);
            if !active {
                continue;
            }
            let spend = money::from_usd_cents(cost_cents, &self.currency);
            let gross_revenue = money::pct(spend, roi_pct * 100);
            let price = catalog
                .skus
                .iter()
                .find(|s| s.product == product)
                .map_or(1, |s| s.price.max(1));
            let impressions = cost_cents * 1000 / c.cpm;
            facts.push(Fact {
                item_group: Some(product),
                spend,
                impressions,
                clicks: impressions * ctr / 10_000,
                gross_revenue,
                orders: (money::round_div(i128::from(gross_revenue), i128::from(price)) as i64)
                    .max(1),
                no_data: false,
                ..blank.clone()
            });
        }
        facts
    }

    /// Total GMV Max cost of calendar `day`.
    pub(crate) fn gmv_cost(&self, catalog: &Catalog, day: i64) -> Minor {
        self.gmv_facts(catalog, day).iter().map(|f| f.spend).sum()
    }
}
