//! [`AmazonWorld`]: the generated Amazon truth (built on first use), the LWA token store and
//! the usage-plan counters, with the accessors tests assert against.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::config::AmazonSandboxConfig;
use super::limits::{Limits, OperationStats};
use super::lwa::LwaStore;
use super::world::{self, Event, Group, Kind, SellerWorld};
use super::{settlement, AmazonFaults};
use crate::rng::hash;
use crate::sandbox::lock;

/// One financial event group as the sandbox generated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonGroupInfo {
    /// `FinancialEventGroupId`.
    pub id: String,
    /// The settlement report's `settlement-id` (differs from the group id, as at Amazon).
    pub settlement_id: String,
    /// `FinancialEventGroupStart`.
    pub start: DateTime<Utc>,
    /// `FinancialEventGroupEnd` (exclusive; not sent while the group is Open).
    pub end: DateTime<Utc>,
    /// `ProcessingStatus` Open (the last group) or Closed.
    pub open: bool,
    /// `OriginalTotal`: the exact sum of the group's events.
    pub total: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// Number of events.
    pub events: usize,
    /// The settlement report's document id (closed groups only).
    pub report_document_id: Option<String>,
    /// Sum of the group's money per component label (`Principal`, `Commission`,
    /// `FBAStorageFee`, `baseValue`, `ReserveEvent`, ...).
    pub by_label: BTreeMap<String, Decimal>,
}

/// The event [`AmazonFaults::drop_line`] hides from a group's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedLine {
    /// Its `AmazonOrderId`.
    pub amazon_order_id: String,
    /// Its money (the residual a reconciler must show).
    pub amount: Decimal,
}

/// The Amazon side of a sandbox.
#[derive(Debug)]
pub struct AmazonWorld {
    pub(crate) config: AmazonSandboxConfig,
    seed: u64,
    today: NaiveDate,
    sellers: OnceLock<Vec<SellerWorld>>,
    pub(crate) tokens: Mutex<LwaStore>,
    pub(crate) limits: Limits,
    pub(crate) lwa_calls: AtomicU64,
}

impl AmazonWorld {
    /// The Amazon side of a sandbox of `config`, `seed` and `today` without a server (the
    /// truth is generated on first use), e.g. to read its catalogue or groups in a unit test.
    pub fn new(config: AmazonSandboxConfig, seed: u64, today: NaiveDate) -> Self {
        Self {
            config,
            seed,
            today,
            sellers: OnceLock::new(),
            tokens: Mutex::new(LwaStore::default()),
            limits: Limits::default(),
            lwa_calls: AtomicU64::new(0),
        }
    }

    pub(crate) fn sellers(&self) -> &[SellerWorld] {
        self.sellers
            .get_or_init(|| world::generate(&self.config, self.seed, self.today))
    }

    pub(crate) fn seller_index(&self, seller_id: &str) -> Option<usize> {
        self.config
            .sellers
            .iter()
            .position(|s| s.seller_id == seller_id)
    }

    pub(crate) fn group(&self, seller: usize, group_id: &str) -> Option<&Group> {
        self.sellers()
            .get(seller)?
            .groups
            .iter()
            .find(|g| g.id == group_id)
    }

    /// The report document id of group `index` of `seller` (closed groups).
    pub(crate) fn document_id(&self, seller: usize, index: usize) -> String {
        let region = self.config.sellers[seller].region.to_ascii_lowercase();
        let h = hash(&[self.seed, 0xD0C, seller as u64, index as u64]);
        format!(
            "amzn1.spdoc.1.4.{region}.{:08x}-{:04x}-{:04x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xFFFF,
            h & 0xFFFF,
            hash(&[h]) & 0xFFFF_FFFF_FFFF
        )
    }

    /// The seller, group index and group of a document id.
    pub(crate) fn document(&self, document_id: &str) -> Option<(usize, usize, &Group)> {
        self.sellers().iter().enumerate().find_map(|(s, seller)| {
            seller.groups.iter().enumerate().find_map(|(i, g)| {
                (!g.open && self.document_id(s, i) == document_id).then_some((s, i, g))
            })
        })
    }

    /// Whether a document is served gzip-compressed (every other one is plain).
    pub(crate) fn compressed(index: usize) -> bool {
        index % 2 == 0
    }

    /// The bytes the document URL serves (gzip when compressed).
    pub fn document_bytes(&self, document_id: &str) -> Option<Vec<u8>> {
        self.document_bytes_dropping(document_id, false)
    }

    /// [`Self::document_bytes`], without the group's droppable event when `dropped` (the
    /// line [`AmazonFaults::drop_line`] hides is missing from Amazon's data, not only from
    /// one listing: the file's total keeps it, as the group's does).
    pub(crate) fn document_bytes_dropping(
        &self,
        document_id: &str,
        dropped: bool,
    ) -> Option<Vec<u8>> {
        let (seller, index, group) = self.document(document_id)?;
        let file = if dropped {
            let hidden = self.droppable(&group.id);
            let mut without = group.clone();
            without.events = group
                .events
                .iter()
                .filter(|e| !hidden.is_some_and(|d| std::ptr::eq(*e, d)))
                .cloned()
                .collect();
            settlement::file(&without, &self.config.sellers[seller])
        } else {
            settlement::file(group, &self.config.sellers[seller])
        };
        if !Self::compressed(index) {
            return Some(file);
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&file).ok()?;
        gz.finish().ok()
    }

    /// The configuration.
    pub fn config(&self) -> &AmazonSandboxConfig {
        &self.config
    }

    /// The catalogue of `seller_id` (seller SKUs verbatim, as the seller typed them; prices
    /// before tax in the seller's currency); empty for an unknown seller.
    pub fn skus(&self, seller_id: &str) -> Vec<crate::SkuInfo> {
        let Some(s) = self.seller_index(seller_id) else {
            return Vec::new();
        };
        let currency = &self.config.sellers[s].currency;
        super::catalog::listings()
            .iter()
            .map(|l| crate::SkuInfo {
                seller_sku: l.seller_sku.to_owned(),
                product_name: l.title.to_owned(),
                sku_name: l.asin.to_owned(),
                price: Decimal::new(l.price, 2),
                currency: currency.clone(),
            })
            .collect()
    }

    /// The groups of `seller_id`, oldest first (empty for an unknown seller).
    pub fn groups(&self, seller_id: &str) -> Vec<AmazonGroupInfo> {
        let Some(s) = self.seller_index(seller_id) else {
            return Vec::new();
        };
        let currency = &self.config.sellers[s].currency;
        self.sellers()[s]
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut by_label = BTreeMap::new();
                for c in g.events.iter().flat_map(|e| &e.components) {
                    *by_label.entry(c.label.to_owned()).or_insert(Decimal::ZERO) +=
                        Decimal::new(c.amount, 2);
                }
                AmazonGroupInfo {
                    id: g.id.clone(),
                    settlement_id: g.settlement_id.clone(),
                    start: g.start,
                    end: g.end,
                    open: g.open,
                    total: Decimal::new(g.total, 2),
                    currency: currency.clone(),
                    events: g.events.len(),
                    report_document_id: (!g.open).then(|| self.document_id(s, i)),
                    by_label,
                }
            })
            .collect()
    }

    /// The settlement V2 file of a closed group, uncompressed, in its encoding.
    pub fn settlement_file(&self, group_id: &str) -> Option<Vec<u8>> {
        self.config
            .sellers
            .iter()
            .enumerate()
            .find_map(|(s, spec)| {
                let g = self.group(s, group_id).filter(|g| !g.open)?;
                Some(settlement::file(g, spec))
            })
    }

    /// The event [`AmazonFaults::drop_line`] would hide from `group_id`.
    pub fn line_to_drop(&self, group_id: &str) -> Option<DroppedLine> {
        let e = self.droppable(group_id)?;
        Some(DroppedLine {
            amazon_order_id: e.reference.clone(),
            amount: Decimal::new(e.total(), 2),
        })
    }

    pub(crate) fn droppable(&self, group_id: &str) -> Option<&Event> {
        (0..self.config.sellers.len())
            .find_map(|s| self.group(s, group_id))?
            .events
            .iter()
            .find(|e| e.kind == Kind::Shipment)
    }

    /// A refresh token for `seller_id`, as if the seller had authorised the app (None for
    /// an unknown seller).
    pub fn issue_refresh_token(&self, seller_id: &str, faults: &AmazonFaults) -> Option<String> {
        let s = self.seller_index(seller_id)?;
        Some(lock(&self.tokens).issue_refresh(s, faults.revoke_generation(seller_id)))
    }

    /// A single-use `spapi_oauth_code` for `seller_id`, as the consent page redirects with.
    pub fn issue_auth_code(&self, seller_id: &str) -> Option<String> {
        let s = self.seller_index(seller_id)?;
        Some(lock(&self.tokens).issue_code(s))
    }

    /// Calls of the LWA token endpoint so far (every grant type, failures included).
    pub fn lwa_calls(&self) -> u64 {
        self.lwa_calls.load(Ordering::SeqCst)
    }

    /// Per operationId (`listFinancialEventGroups`, `listFinancialEventsByGroupId`,
    /// `getReports`, `getReportDocument`): requests, 429s and 200s so far.
    pub fn stats(&self) -> BTreeMap<&'static str, OperationStats> {
        self.limits.stats()
    }

    /// Forgets the counters (LWA calls and per-operation stats) and refills every bucket.
    pub fn reset_stats(&self) {
        self.limits.reset();
        self.lwa_calls.store(0, Ordering::SeqCst);
    }
}
