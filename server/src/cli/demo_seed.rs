//! What the demo brand would have entered beside its channel data, stored through the same
//! domain functions the GraphQL mutations call (`setProductCost`, `setFxRate`, `setCreatorFee`):
//! a landed unit cost for every SKU its sandbox shops and its Amazon seller sell, daily FX rates
//! from every shop currency into the reporting currency over the whole sandbox history, and one
//! creator's flat
//! fee. Every value is derived from the sandbox's catalogue and days (no randomness of its own),
//! and seeding again on the same database changes nothing. It never touches the ledger.

use chrono::{Duration, NaiveDate};
use entities::creator_fee;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::costs::fx::{self, FxRate};
use crate::costs::unit_cost::{self, Components, UnitCost};
use crate::db::Db;
use crate::ledger::Channel;
use crate::money::{Currency, Money};
use crate::pnl::creators::{self, NewCreatorFee};

/// Sold below a healthy margin, so `marginAlerts(threshold: "0.20")` has something to say.
const LOSS_LEADER: &str = "SKU-RING-LIGHT";
/// Its freight and a new import duty raise its cost halfway through the history.
const COST_CHANGE: &str = "SKU-HOOD-GRY-M";
/// Bought from a UK supplier: costed in GBP (COGS is converted like any other amount).
const GBP_COSTED: &str = "SKU-SCRUNCH-3PK";
/// The monthly retainer of the creator who drove the most orders in the first month.
const CREATOR_FEE: Decimal = Decimal::from_parts(25_000, 0, 0, false, 2);
/// Approximate value of one unit in USD, the base of the demo's rate series.
const USD_VALUE: [(&str, Decimal); 4] = [
    ("USD", Decimal::ONE),
    ("GBP", Decimal::from_parts(12_700, 0, 0, false, 4)),
    ("EUR", Decimal::from_parts(10_800, 0, 0, false, 4)),
    ("IDR", Decimal::from_parts(62, 0, 0, false, 6)),
];

/// What was seeded (rows written or confirmed).
#[derive(Debug, Default)]
pub(super) struct Seeded {
    /// Unit cost rows (one per SKU, plus the mid-period change).
    pub(super) costs: usize,
    /// Daily rates.
    pub(super) rates: usize,
    /// The creator given a flat fee, and the fee's period.
    pub(super) creator_fee: Option<(String, NaiveDate, NaiveDate)>,
}

/// `per_mille`‰ of `price`.
fn share(price: Decimal, per_mille: i64) -> Decimal {
    price * Decimal::new(per_mille, 3)
}

/// The landed cost of a SKU listed at `price`: goods 25% of the list price, inbound freight
/// 5.5%, packaging 1.5% (a $19.99 tee costs 5.00 + 1.10 + 0.30 = 6.40). The loss leader's goods
/// cost 70%. Every third SKU is entered as a plain unit cost, without components.
fn cost_of(index: usize, sku: &str, price: Decimal, currency: Currency) -> (Money, Components) {
    let money = |amount: Decimal| Money::from_decimal(amount, currency);
    let goods = if sku == LOSS_LEADER { 700 } else { 250 };
    let components = Components {
        product: Some(money(share(price, goods))),
        freight: Some(money(share(price, 55))),
        duty: None,
        packaging: Some(money(share(price, 15))),
    };
    let total = total(&components, currency);
    if index % 3 == 2 {
        (total, Components::default())
    } else {
        (total, components)
    }
}

/// The sum of the components, in `currency` (each is already rounded to it, so it is exact).
fn total(components: &Components, currency: Currency) -> Money {
    let sum = [
        components.product,
        components.freight,
        components.duty,
        components.packaging,
    ]
    .into_iter()
    .flatten()
    .map(|m| m.amount())
    .sum::<Decimal>();
    Money::from_decimal(sum, currency)
}

/// The unit costs of every SKU the world's shops and the Amazon seller (`amazon`, its catalogue)
/// sell, from the first order day on, plus the change halfway through. A SKU sold by several
/// shops is costed once, in the currency of the first shop that sells it (USD for the sandbox's
/// US shop), except [`GBP_COSTED`]. Amazon's seller SKUs that equal a TikTok SKU after
/// normalisation (`" sku-tee-blk-m"`) are that product, whose listing links to it; the others
/// are costed under their trimmed SKU, the product their listing creates.
fn unit_costs(
    world: &sandbox::World,
    amazon: &[sandbox::SkuInfo],
) -> anyhow::Result<Vec<UnitCost>> {
    let mut chosen: Vec<(usize, sandbox::SkuInfo)> = Vec::new();
    for shop in world.shops() {
        for (index, sku) in world.skus(&shop.id).into_iter().enumerate() {
            let gbp = sku.seller_sku == GBP_COSTED && sku.currency == "GBP";
            match chosen
                .iter_mut()
                .find(|(_, c)| c.seller_sku == sku.seller_sku)
            {
                None => chosen.push((index, sku)),
                Some(slot) if gbp => *slot = (index, sku),
                Some(_) => {}
            }
        }
    }
    for (index, sku) in amazon.iter().enumerate() {
        let key = migration::normalized_sku(&sku.seller_sku);
        if !chosen
            .iter()
            .any(|(_, c)| migration::normalized_sku(&c.seller_sku) == key)
        {
            let mut sku = sku.clone();
            sku.seller_sku = sku.seller_sku.trim().to_owned();
            chosen.push((index, sku));
        }
    }
    let from = world.first_order_day();
    let middle =
        world.first_day() + Duration::days((world.last_day() - world.first_day()).num_days() / 2);
    let mut costs = Vec::with_capacity(chosen.len() + 1);
    for (index, sku) in chosen {
        let currency = Currency::parse(&sku.currency)?;
        let (unit_cost, components) = cost_of(index, &sku.seller_sku, sku.price, currency);
        if sku.seller_sku == COST_CHANGE && components != Components::default() {
            let mut raised = components;
            raised.freight = raised.freight.map(|f| f.checked_add(f)).transpose()?;
            raised.duty = Some(Money::from_decimal(share(sku.price, 40), currency));
            costs.push(UnitCost {
                sku: sku.seller_sku.clone(),
                effective_from: middle,
                unit_cost: total(&raised, currency),
                components: raised,
            });
        }
        costs.push(UnitCost {
            sku: sku.seller_sku,
            effective_from: from,
            unit_cost,
            components,
        });
    }
    Ok(costs)
}

/// One day's rate of `base` in `quote`: the ratio of their USD values, moved by a slow swing of
/// ±1.5% over 60 days and a daily jitter of ±0.2%, both following the day number (the same day
/// always gets the same rate); 6 significant digits.
fn rate_on(base: Currency, quote: Currency, day: NaiveDate) -> Option<Decimal> {
    let usd = |c: Currency| {
        USD_VALUE
            .iter()
            .find(|(code, _)| *code == c.as_str())
            .map(|(_, v)| *v)
    };
    let days = day.signed_duration_since(NaiveDate::default()).num_days();
    let swing = Decimal::new(((days.rem_euclid(60)) - 30).abs() - 15, 3);
    let jitter = Decimal::new((days * 7_919).rem_euclid(41) - 20, 4);
    (usd(base)? / usd(quote)? * (Decimal::ONE + swing + jitter)).round_sf(6)
}

/// Seeds the demo brand's inputs into org `org_key` (created if new); `amazon` is the Amazon
/// seller's catalogue.
///
/// # Errors
/// A currency the rate table does not know, or database failures.
pub(super) async fn seed(
    db: &Db,
    org_key: &str,
    world: &sandbox::World,
    amazon: &[sandbox::SkuInfo],
) -> anyhow::Result<Seeded> {
    let org = crate::org::ensure(db.conn(), org_key).await?;
    let reporting = crate::org::settings(db.conn(), org.id).await?.currency;
    let mut seeded = Seeded::default();
    let txn = db.begin_write().await?;
    for cost in unit_costs(world, amazon)? {
        unit_cost::set(&*txn, org.id, &cost).await?;
        seeded.costs += 1;
    }
    let mut currencies: Vec<Currency> = Vec::new();
    let shop_currencies = world.shops().iter().map(|s| s.currency.as_str());
    for code in shop_currencies.chain(amazon.iter().map(|s| s.currency.as_str())) {
        let currency = Currency::parse(code)?;
        if currency != reporting && !currencies.contains(&currency) {
            currencies.push(currency);
        }
    }
    let (first, last) = (world.first_order_day(), world.last_day());
    for base in currencies {
        let mut day = first;
        while day <= last {
            let rate = rate_on(base, reporting, day).ok_or_else(|| {
                anyhow::anyhow!("the demo has no rates from {base} to {reporting}: change the org's currency to USD")
            })?;
            fx::set(
                &*txn,
                org.id,
                &FxRate {
                    day,
                    base,
                    quote: reporting,
                    rate,
                },
            )
            .await?;
            seeded.rates += 1;
            day += Duration::days(1);
        }
    }
    seeded.creator_fee = creator_fee(&*txn, org.id, world, reporting).await?;
    txn.commit().await?;
    Ok(seeded)
}

/// A flat fee for the first shop's busiest creator over the history's first 31 days, unless
/// the same creator already has a fee for that period.
async fn creator_fee(
    db: &impl ConnectionTrait,
    org_id: i64,
    world: &sandbox::World,
    currency: Currency,
) -> anyhow::Result<Option<(String, NaiveDate, NaiveDate)>> {
    let Some(shop) = world.shops().first() else {
        return Ok(None);
    };
    let start = world.first_day();
    let end = (start + Duration::days(30)).min(world.last_day());
    let Some((handle, _)) = world
        .creator_orders(&shop.id, start, end)
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let creator_id =
        crate::connectors::catalog::ensure_creator(db, org_id, Channel::TikTokShop, &handle)
            .await?;
    let existing = creator_fee::Entity::find()
        .filter(creator_fee::Column::OrgId.eq(org_id))
        .filter(creator_fee::Column::CreatorId.eq(creator_id))
        .filter(creator_fee::Column::PeriodStart.eq(start))
        .filter(creator_fee::Column::PeriodEnd.eq(end))
        .one(db)
        .await?;
    if existing.is_none() {
        let fee = NewCreatorFee {
            creator: handle.clone(),
            channel: Channel::TikTokShop,
            period_start: start,
            period_end: end,
            amount: Money::from_decimal(CREATOR_FEE, currency),
            note: Some("pnl demo: monthly retainer".to_owned()),
        };
        creators::add_fee(db, org_id, &fee).await?;
    }
    Ok(Some((handle, start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> sandbox::World {
        sandbox::World::new(&super::super::demo::sandbox_config(90, 2)).unwrap()
    }

    /// The demo's Amazon seller's catalogue.
    fn amazon() -> Vec<sandbox::SkuInfo> {
        let config = super::super::demo::sandbox_config(90, 2);
        sandbox::AmazonWorld::new(config.amazon, config.seed, config.today)
            .skus(super::super::demo::AMAZON_SELLER)
    }

    #[test]
    fn every_sku_gets_a_cost_that_its_components_add_up_to() {
        let world = world();
        let amazon = amazon();
        let costs = unit_costs(&world, &amazon).unwrap();
        let mut skus: std::collections::BTreeSet<String> = world
            .shops()
            .iter()
            .flat_map(|s| world.skus(&s.id))
            .map(|s| s.seller_sku)
            .collect();
        // Amazon's spellings of TikTok's SKUs are the same products; the rest are Amazon's own.
        assert!(amazon.iter().any(|s| s.seller_sku == "sku-tee-blk-m"));
        for sku in &amazon {
            let key = migration::normalized_sku(&sku.seller_sku);
            if !skus.iter().any(|s| migration::normalized_sku(s) == key) {
                skus.insert(sku.seller_sku.trim().to_owned());
            }
        }
        assert!(skus.contains("AMZ-BLENDER-01"), "{skus:?}");
        let costed: std::collections::BTreeSet<String> =
            costs.iter().map(|c| c.sku.clone()).collect();
        assert_eq!(skus, costed);
        assert_eq!(costs.len(), skus.len() + 1, "one mid-period change");
        for cost in &costs {
            unit_cost::validate(cost).unwrap();
        }
        let tee = costs.iter().find(|c| c.sku == "SKU-TEE-BLK-M").unwrap();
        assert_eq!(tee.unit_cost.amount().to_string(), "6.40");
        assert!(costs.iter().any(|c| c.components.freight.is_none()));
        let gbp = costs.iter().find(|c| c.sku == GBP_COSTED).unwrap();
        assert_eq!(gbp.unit_cost.currency().as_str(), "GBP");
    }

    #[tokio::test]
    async fn seeding_twice_changes_nothing_and_leaves_no_sku_or_day_uncovered() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("pnl.db").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let world = world();
        let amazon = amazon();
        let first = seed(&db, "demo", &world, &amazon).await.unwrap();
        let again = seed(&db, "demo", &world, &amazon).await.unwrap();
        assert_eq!(
            (first.costs, first.rates, &first.creator_fee),
            (again.costs, again.rates, &again.creator_fee)
        );
        let org = crate::org::ensure(db.conn(), "demo").await.unwrap();
        let count = |table: &str| {
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            let db = db.conn().clone();
            async move {
                let row = db
                    .query_one(sea_orm::Statement::from_string(
                        db.get_database_backend(),
                        sql,
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get::<i64>("", "n").unwrap() as usize
            }
        };
        assert_eq!(count("product_cost").await, first.costs);
        assert_eq!(count("fx_rate").await, first.rates);
        assert_eq!(count("creator_fee").await, 1);
        assert!(unit_cost::products_without_cost(db.conn(), org.id)
            .await
            .unwrap()
            .is_empty());
        let (gbp, usd) = (
            Currency::parse("GBP").unwrap(),
            Currency::parse("USD").unwrap(),
        );
        for day in [world.first_order_day(), world.last_day()] {
            let found = fx::rate_on(db.conn(), org.id, gbp, usd, day).await.unwrap();
            assert_eq!(found.day, day, "a rate of the day itself, no fallback");
        }
        db.close().await;
    }

    #[test]
    fn rates_are_deterministic_and_near_the_table() {
        let (gbp, usd) = (
            Currency::parse("GBP").unwrap(),
            Currency::parse("USD").unwrap(),
        );
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let rate = rate_on(gbp, usd, day).unwrap();
        assert_eq!(rate, rate_on(gbp, usd, day).unwrap());
        assert!(
            rate > Decimal::new(125, 2) && rate < Decimal::new(129, 2),
            "{rate}"
        );
        assert!(rate_on(usd, Currency::parse("JPY").unwrap(), day).is_none());
    }
}
