//! The Amazon sellers' catalogue: seller SKUs, ASINs, FNSKUs, prices and FBA fees.
//!
//! A few seller SKUs equal the TikTok sandbox's (`world/catalog.rs`) up to case and
//! surrounding whitespace, as sellers type them differently per channel, so cross-channel
//! product linking can be tested; the others exist on Amazon only.

use crate::money::Minor;

/// (seller SKU, ASIN, title, price in cents, FBA fee per unit in cents).
const SKUS: [(&str, &str, &str, Minor, Minor); 8] = [
    (
        "sku-tee-blk-m",
        "B0SANDTEE1",
        "Classic Cotton Tee, Black, M",
        1999,
        322,
    ),
    (" SKU-SERUM-30", "B0SANDSRM3", "Glow Serum 30ml", 2499, 306),
    (
        "SKU-MASK-5PK ",
        "B0SANDMSK5",
        "Hydrating Face Mask (5 pack)",
        1499,
        322,
    ),
    ("Sku-Yoga-Prp", "B0SANDYOGA", "Yoga Mat, Purple", 3999, 612),
    (
        "SKU-BTL-SAGE-750",
        "B0SANDBTL7",
        "Stainless Water Bottle 750ml, Sage",
        2999,
        447,
    ),
    (
        "AMZ-BLENDER-01",
        "B0SANDBLND",
        "Personal Blender",
        4999,
        612,
    ),
    (
        "AMZ-CANDLE-LAV",
        "B0SANDCNDL",
        "Lavender Soy Candle",
        1899,
        306,
    ),
    (
        "AMZ-TOWEL-SET",
        "B0SANDTWL3",
        "Bamboo Towel Set (3)",
        3499,
        447,
    ),
];

/// One listing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing {
    /// The seller's SKU, verbatim (case and whitespace as the seller typed it).
    pub(crate) seller_sku: &'static str,
    /// The ASIN.
    pub(crate) asin: &'static str,
    /// Product title.
    pub(crate) title: &'static str,
    /// Item price before tax, minor units.
    pub(crate) price: Minor,
    /// FBA per-unit fulfilment fee, minor units (positive; charged negative).
    pub(crate) fba_fee: Minor,
}

impl Listing {
    /// The FNSKU: `X00` + the ASIN's tail.
    pub(crate) fn fnsku(&self) -> String {
        format!("X00{}", &self.asin[3..])
    }
}

/// Every listing of every seller (the same catalogue, priced alike in USD and EUR).
pub(crate) fn listings() -> Vec<Listing> {
    SKUS.iter()
        .map(|&(seller_sku, asin, title, price, fba_fee)| Listing {
            seller_sku,
            asin,
            title,
            price,
            fba_fee,
        })
        .collect()
}
