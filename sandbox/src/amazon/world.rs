//! The generated truth of the Amazon sellers: orders, refunds, fees, storage, ads,
//! reimbursements and reserves as Finances v0 events, grouped into 14-day financial event
//! groups (the last one Open), each closed group with its settlement report.
//!
//! Every amount is integer minor units; a group's `OriginalTotal` is the exact sum of its
//! events' money by construction. Generation is deterministic per seed.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::catalog::{listings, Listing};
use super::config::{AmazonSandboxConfig, AmazonSellerSpec};
use crate::money::{pct, Minor};
use crate::rng::{hash, Rng};

/// Stream purposes of the Amazon generator (distinct from the TikTok ones).
const AMAZON_STREAM: u64 = 0xA3A2;
/// Length of a financial event group.
const GROUP_DAYS: i64 = 14;

/// Which list of a `ShipmentItem` (or event) a money component sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// `ItemChargeList` / `ItemChargeAdjustmentList` (`ChargeType`).
    Charge,
    /// `ItemFeeList` / `ItemFeeAdjustmentList` (`FeeType`).
    Fee,
    /// `ItemTaxWithheldList` (`MarketplaceFacilitator`).
    TaxWithheld,
    /// `PromotionList` / `PromotionAdjustmentList`.
    Promotion,
    /// The event's own amount (service fees, ads, adjustments, reserves).
    Amount,
}

/// One money component of an event.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    pub(crate) part: Part,
    /// `ChargeType`, `FeeType`, promotion type or adjustment/fee label.
    pub(crate) label: &'static str,
    pub(crate) amount: Minor,
}

/// Kinds of events the generator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `ShipmentEventList`.
    Shipment,
    /// `RefundEventList`.
    Refund,
    /// `ServiceFeeEventList` (storage, or the unmapped program fee).
    ServiceFee,
    /// `ProductAdsPaymentEventList`.
    Ads,
    /// `AdjustmentEventList`, `FBAInventoryReimbursement`.
    Reimbursement,
    /// `AdjustmentEventList`, `ReserveEvent` (release of the previous reserve, or a hold).
    Reserve,
}

/// One financial event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) kind: Kind,
    /// When Amazon posted it (ServiceFeeEvent has no PostedDate on the wire; this dates it
    /// for window filters and the settlement file).
    pub(crate) posted: DateTime<Utc>,
    /// The order, refund or invoice id (ads), empty for account-level events.
    pub(crate) reference: String,
    /// Order item id or adjustment item id.
    pub(crate) item_id: String,
    pub(crate) listing: Option<Listing>,
    pub(crate) quantity: u32,
    /// Promotion id when there is a promotion.
    pub(crate) promotion_id: String,
    pub(crate) components: Vec<Component>,
}

impl Event {
    /// The event's money: the sum of its components.
    pub(crate) fn total(&self) -> Minor {
        self.components.iter().map(|c| c.amount).sum()
    }
}

/// One financial event group (a settlement period).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) id: String,
    /// The settlement report's id: a different value, as in reality (models#5143).
    pub(crate) settlement_id: String,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) open: bool,
    pub(crate) events: Vec<Event>,
    pub(crate) total: Minor,
}

impl Group {
    /// When the funds were transferred (closed groups): a day after the end.
    pub(crate) fn fund_transfer_date(&self) -> DateTime<Utc> {
        self.end + Duration::days(1)
    }
}

/// One seller's world.
#[derive(Debug, Clone)]
pub(crate) struct SellerWorld {
    pub(crate) spec: AmazonSellerSpec,
    pub(crate) groups: Vec<Group>,
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn rng(seed: u64, seller: usize, purpose: u64, day: i64) -> Rng {
    Rng::stream(&[seed, AMAZON_STREAM, seller as u64, purpose, day as u64])
}

/// An Amazon order id in the 3-7-7 format (US orders start 11x, EU 30x).
fn order_id(seed: u64, seller: usize, day: i64, n: u64, us: bool) -> String {
    let h = hash(&[seed, AMAZON_STREAM, seller as u64, day as u64, n]);
    let prefix = if us { 111 + h % 4 } else { 302 + h % 4 };
    format!(
        "{prefix}-{:07}-{:07}",
        (h >> 8) % 10_000_000,
        (h >> 32) % 10_000_000
    )
}

/// A 14-digit numeric id (order item ids, adjustment ids).
fn digits14(parts: &[u64]) -> String {
    format!("{:014}", hash(parts) % 100_000_000_000_000)
}

/// A group id in Amazon's opaque style (43 characters of `[A-Za-z0-9-]`).
fn group_id(seed: u64, seller: usize, index: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
    let mut rng = Rng::stream(&[seed, AMAZON_STREAM, 0x6E0, seller as u64, index as u64]);
    (0..43)
        .map(|_| ALPHABET[rng.index(ALPHABET.len())] as char)
        .collect()
}

fn at(day: DateTime<Utc>, rng: &mut Rng) -> DateTime<Utc> {
    day + Duration::seconds(rng.range(0, 86_399))
}

fn comp(part: Part, label: &'static str, amount: Minor) -> Component {
    Component {
        part,
        label,
        amount,
    }
}

/// Generates every seller's world for `today` (the last event is posted yesterday).
pub(crate) fn generate(
    config: &AmazonSandboxConfig,
    seed: u64,
    today: NaiveDate,
) -> Vec<SellerWorld> {
    config
        .sellers
        .iter()
        .enumerate()
        .map(|(i, spec)| SellerWorld {
            spec: spec.clone(),
            groups: generate_seller(config, seed, today, i, spec),
        })
        .collect()
}

fn generate_seller(
    config: &AmazonSandboxConfig,
    seed: u64,
    today: NaiveDate,
    seller: usize,
    spec: &AmazonSellerSpec,
) -> Vec<Group> {
    let first = midnight(today) - Duration::days(i64::from(config.history_days));
    let end_of_history = midnight(today);
    let mut events = Vec::new();
    let catalog = listings();
    let us = spec.is_us();
    for d in 0..i64::from(config.history_days) {
        let day = first + Duration::days(d);
        let day_no = day.timestamp() / 86_400;
        let mut r = rng(seed, seller, 1, day_no);
        let orders = r.binomial_around(config.orders_per_day);
        for n in 0..u64::from(orders) {
            let listing = catalog[r.index(catalog.len())];
            let oid = order_id(seed, seller, day_no, n, us);
            let posted = at(day, &mut r);
            let shipment = shipment(&mut r, &oid, listing, posted, us, seed);
            if r.chance(80) {
                let refund_at = shipment.posted + Duration::days(r.range(3, 20));
                if refund_at < end_of_history {
                    events.push(refund(&mut r, &shipment, refund_at, us, seed));
                }
            }
            events.push(shipment);
        }
        // Sponsored Products invoices, weekly.
        if d % 7 == 3 {
            events.push(ads(&mut r, day, seed, seller, us));
        }
        // Monthly storage on the 7th (ServiceFeeEvent, no PostedDate on the wire).
        if chrono::Datelike::day(&day.date_naive()) == 7 {
            events.push(service_fee(
                day + Duration::hours(9),
                "FBAStorageFee",
                -r.range(2_000, 9_000),
            ));
        }
        if d % 17 == 5 {
            let listing = catalog[r.index(catalog.len())];
            events.push(reimbursement(&mut r, day, listing, seed, seller));
        }
    }
    group_events(seed, seller, first, end_of_history, events, us)
}

fn shipment(
    r: &mut Rng,
    oid: &str,
    listing: Listing,
    posted: DateTime<Utc>,
    us: bool,
    seed: u64,
) -> Event {
    let quantity = if r.chance(150) { 2 } else { 1 };
    let principal = listing.price * i64::from(quantity);
    let tax = if us {
        pct(principal, 825)
    } else {
        pct(principal, 1900)
    };
    let mut components = vec![
        comp(Part::Charge, "Principal", principal),
        comp(Part::Charge, "Tax", tax),
    ];
    if r.chance(200) {
        components.push(comp(Part::Charge, "ShippingCharge", 499));
    }
    if us {
        components.push(comp(
            Part::TaxWithheld,
            "MarketplaceFacilitatorTax-Principal",
            -tax,
        ));
    }
    components.push(comp(Part::Fee, "Commission", -pct(principal, 1500)));
    components.push(comp(
        Part::Fee,
        "FBAPerUnitFulfillmentFee",
        -listing.fba_fee * i64::from(quantity),
    ));
    let mut promotion_id = String::new();
    if r.chance(100) {
        components.push(comp(
            Part::Promotion,
            "PromotionMetaDataDefinitionValue",
            -pct(principal, 1000),
        ));
        promotion_id = format!("PLM-{}", &digits14(&[seed, 0x960, r.next_u64()])[..10]);
    }
    Event {
        kind: Kind::Shipment,
        posted,
        reference: oid.to_owned(),
        item_id: digits14(&[seed, 0x17E, r.next_u64()]),
        listing: Some(listing),
        quantity,
        promotion_id,
        components,
    }
}

fn refund(r: &mut Rng, shipment: &Event, posted: DateTime<Utc>, us: bool, seed: u64) -> Event {
    let amount = |label: &str| {
        shipment
            .components
            .iter()
            .find(|c| c.label == label)
            .map_or(0, |c| c.amount)
    };
    let (principal, tax, commission) = (amount("Principal"), amount("Tax"), amount("Commission"));
    // Amazon keeps 20 % of the referral fee (at most 5.00) as a refund administration fee.
    let admin = pct(-commission, 2000).min(500);
    let mut components = vec![
        comp(Part::Charge, "Principal", -principal),
        comp(Part::Charge, "Tax", -tax),
    ];
    if us {
        components.push(comp(
            Part::TaxWithheld,
            "MarketplaceFacilitatorTax-Principal",
            tax,
        ));
    }
    components.push(comp(Part::Fee, "Commission", -commission));
    components.push(comp(Part::Fee, "RefundCommission", -admin));
    Event {
        kind: Kind::Refund,
        posted,
        reference: shipment.reference.clone(),
        item_id: digits14(&[seed, 0xADD, r.next_u64()]),
        promotion_id: String::new(),
        components,
        ..shipment.clone()
    }
}

fn service_fee(posted: DateTime<Utc>, label: &'static str, amount: Minor) -> Event {
    Event {
        kind: Kind::ServiceFee,
        posted,
        reference: String::new(),
        item_id: String::new(),
        listing: None,
        quantity: 0,
        promotion_id: String::new(),
        components: vec![comp(Part::Fee, label, amount)],
    }
}

fn ads(r: &mut Rng, day: DateTime<Utc>, seed: u64, seller: usize, us: bool) -> Event {
    let base = -r.range(3_000, 15_000);
    let tax = if us { 0 } else { pct(base, 1900) };
    let invoice = format!(
        "TR1SANDB{:06}",
        hash(&[seed, 0xAD5, seller as u64, day.timestamp() as u64]) % 1_000_000
    );
    Event {
        kind: Kind::Ads,
        posted: at(day, r),
        reference: invoice,
        item_id: String::new(),
        listing: None,
        quantity: 0,
        promotion_id: String::new(),
        components: vec![
            comp(Part::Amount, "baseValue", base),
            comp(Part::Amount, "taxValue", tax),
        ],
    }
}

fn reimbursement(
    r: &mut Rng,
    day: DateTime<Utc>,
    listing: Listing,
    seed: u64,
    seller: usize,
) -> Event {
    Event {
        kind: Kind::Reimbursement,
        posted: at(day, r),
        reference: digits14(&[seed, 0xEE1, seller as u64, day.timestamp() as u64]),
        item_id: String::new(),
        listing: Some(listing),
        quantity: 1,
        promotion_id: String::new(),
        components: vec![comp(
            Part::Amount,
            "FBAInventoryReimbursement",
            listing.price,
        )],
    }
}

fn reserve(posted: DateTime<Utc>, amount: Minor) -> Event {
    Event {
        kind: Kind::Reserve,
        posted,
        reference: String::new(),
        item_id: String::new(),
        listing: None,
        quantity: 0,
        promotion_id: String::new(),
        components: vec![comp(Part::Amount, "ReserveEvent", amount)],
    }
}

/// Cuts the history into 14-day groups; adds the reserve releases and holds and the one
/// program fee nobody maps; totals each group.
fn group_events(
    seed: u64,
    seller: usize,
    first: DateTime<Utc>,
    end_of_history: DateTime<Utc>,
    mut events: Vec<Event>,
    us: bool,
) -> Vec<Group> {
    events.sort_by(|a, b| a.posted.cmp(&b.posted).then(a.reference.cmp(&b.reference)));
    let mut groups = Vec::new();
    let mut start = first;
    let mut previous_reserve = 0;
    let mut rest = events.into_iter().peekable();
    while start < end_of_history {
        let end = start + Duration::days(GROUP_DAYS);
        let open = end > end_of_history;
        let mut in_group: Vec<Event> = Vec::new();
        while let Some(e) = rest.next_if(|e| e.posted < end) {
            in_group.push(e);
        }
        let index = groups.len();
        if previous_reserve != 0 {
            in_group.insert(0, reserve(start + Duration::minutes(1), previous_reserve));
        }
        if index % 3 == 1 {
            let fee = -(99 + (hash(&[seed, 0xF1E, seller as u64, index as u64]) % 400) as Minor);
            in_group.push(service_fee(
                start + Duration::days(2),
                "SellerCentralNewProgramFee",
                fee,
            ));
        }
        if !open {
            // Amazon holds back part of the sales for A-to-z claims and returns.
            let sales: Minor = in_group
                .iter()
                .filter(|e| e.kind == Kind::Shipment)
                .map(Event::total)
                .sum();
            let hold = pct(sales.max(0), if us { 800 } else { 1000 });
            previous_reserve = hold;
            in_group.push(reserve(end - Duration::minutes(1), -hold));
        }
        in_group.sort_by_key(|e| e.posted);
        let total = in_group.iter().map(Event::total).sum();
        groups.push(Group {
            id: group_id(seed, seller, index),
            settlement_id: format!(
                "{:011}",
                hash(&[seed, 0x5E7, seller as u64, index as u64]) % 100_000_000_000
            ),
            start,
            end,
            open,
            events: in_group,
            total,
        });
        start = end;
    }
    groups
}
