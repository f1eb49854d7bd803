//! Per-shop catalogue (products and SKUs), creators and fee rules.

use crate::ids;
use crate::money::{self, Minor};
use crate::rng::{stream, Rng};

/// (product index, product name, SKU name, seller SKU, USD price in cents).
const SKUS: [(usize, &str, &str, &str, i64); 14] = [
    (0, "Classic Cotton Tee", "Black, M", "SKU-TEE-BLK-M", 1999),
    (0, "Classic Cotton Tee", "Black, L", "SKU-TEE-BLK-L", 1999),
    (0, "Classic Cotton Tee", "White, L", "SKU-TEE-WHT-L", 1999),
    (1, "Everyday Hoodie", "Grey, M", "SKU-HOOD-GRY-M", 4499),
    (1, "Everyday Hoodie", "Navy, L", "SKU-HOOD-NVY-L", 4499),
    (2, "Glow Serum 30ml", "Default", "SKU-SERUM-30", 2499),
    (
        3,
        "Hydrating Face Mask (5 pack)",
        "Default",
        "SKU-MASK-5PK",
        1499,
    ),
    (
        4,
        "Stainless Water Bottle 750ml",
        "Sage",
        "SKU-BTL-SAGE-750",
        2999,
    ),
    (
        4,
        "Stainless Water Bottle 750ml",
        "Black",
        "SKU-BTL-BLK-750",
        2999,
    ),
    (5, "Phone Ring Light", "Default", "SKU-RING-LIGHT", 1999),
    (
        6,
        "Silk Scrunchies (3 pack)",
        "Assorted",
        "SKU-SCRUNCH-3PK",
        999,
    ),
    (7, "Yoga Mat", "Purple", "SKU-YOGA-PRP", 3999),
    (8, "LED Desk Lamp", "White", "SKU-LAMP-WHT", 3499),
    (9, "Travel Makeup Bag", "Pink", "SKU-BAG-PNK", 1799),
];

/// Number of distinct products in [`SKUS`].
pub(crate) const PRODUCT_COUNT: usize = 10;

const CREATORS: [&str; 16] = [
    "glowwithmaya",
    "techtom.reviews",
    "fitbyjess",
    "homehacks.sam",
    "lizzy.looks",
    "dailydealsdan",
    "skincare.by.aya",
    "the.gadget.guy",
    "momlife.kate",
    "stylebyrio",
    "budgetbeauty.lu",
    "kitchenwithkai",
    "runwithrosa",
    "deskset.dev",
    "glamby.noor",
    "outdoorowen",
];

/// One sellable SKU.
#[derive(Debug, Clone)]
pub(crate) struct Sku {
    /// Index of the product in [`Catalog::product_ids`].
    pub(crate) product: usize,
    pub(crate) product_id: String,
    pub(crate) sku_id: String,
    pub(crate) seller_sku: &'static str,
    pub(crate) product_name: &'static str,
    pub(crate) sku_name: &'static str,
    /// List price in minor units.
    pub(crate) price: Minor,
    /// Relative popularity (1–10).
    pub(crate) weight: u64,
}

/// Platform fee rules of a region (all rates in basis points).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FeeRules {
    /// `referral_fee_amount` (US) or `platform_commission_amount` (elsewhere).
    pub(crate) commission_field: &'static str,
    pub(crate) commission_bp: i64,
    pub(crate) transaction_fee_bp: i64,
    /// Fixed part of the transaction fee per order, minor units.
    pub(crate) transaction_fee_fixed: Minor,
    /// 202309 flat statements use the UK/US formula (net sales + shipping + fee + adj).
    pub(crate) uk_us: bool,
}

impl FeeRules {
    /// The rules of a region: US referral 8% + 2.9% + 0.30; GB commission 9% + 1.9% + 0.20;
    /// everywhere else commission 5% + 2%.
    pub(crate) fn for_region(region: &str, currency: &str) -> Self {
        match region {
            "US" => Self {
                commission_field: "referral_fee_amount",
                commission_bp: 800,
                transaction_fee_bp: 290,
                transaction_fee_fixed: money::from_usd_cents(30, currency),
                uk_us: true,
            },
            "GB" => Self {
                commission_field: "platform_commission_amount",
                commission_bp: 900,
                transaction_fee_bp: 190,
                transaction_fee_fixed: money::from_usd_cents(20, currency),
                uk_us: true,
            },
            _ => Self {
                commission_field: "platform_commission_amount",
                commission_bp: 500,
                transaction_fee_bp: 200,
                transaction_fee_fixed: 0,
                uk_us: false,
            },
        }
    }
}

/// The catalogue and creators of a shop.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) skus: Vec<Sku>,
    pub(crate) product_ids: Vec<String>,
    pub(crate) creators: Vec<String>,
    total_weight: u64,
}

impl Catalog {
    /// Generates the catalogue of shop `shop`.
    pub(crate) fn generate(seed: u64, shop: usize, currency: &str) -> Self {
        let mut rng = Rng::stream(&[seed, stream::CATALOG, shop as u64]);
        let product_ids: Vec<String> = (0..PRODUCT_COUNT)
            .map(|p| ids::encode(seed, ids::PRODUCT, &[shop as u64, p as u64]))
            .collect();
        let skus: Vec<Sku> = SKUS
            .iter()
            .enumerate()
            .map(
                |(i, &(product, product_name, sku_name, seller_sku, cents))| Sku {
                    product,
                    product_id: product_ids[product].clone(),
                    sku_id: ids::encode(seed, ids::SKU, &[shop as u64, i as u64]),
                    seller_sku,
                    product_name,
                    sku_name,
                    price: money::from_usd_cents(cents, currency),
                    weight: rng.range(1, 10) as u64,
                },
            )
            .collect();
        let mut pool: Vec<&str> = CREATORS.to_vec();
        let mut creators = Vec::with_capacity(8);
        for _ in 0..8 {
            creators.push(pool.remove(rng.index(pool.len())).to_owned());
        }
        let total_weight = skus.iter().map(|s| s.weight).sum();
        Self {
            skus,
            product_ids,
            creators,
            total_weight,
        }
    }

    /// Picks a SKU index by popularity.
    pub(crate) fn pick_sku(&self, rng: &mut Rng) -> usize {
        let mut ticket = rng.below(self.total_weight);
        for (i, sku) in self.skus.iter().enumerate() {
            if ticket < sku.weight {
                return i;
            }
            ticket -= sku.weight;
        }
        0
    }
}
