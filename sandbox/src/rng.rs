//! A tiny deterministic PRNG (SplitMix64) and stream hashing.
//!
//! The generator must give byte-identical worlds for the same seed on every platform and
//! every version of this crate, so it depends on no external RNG crate (whose algorithms
//! may change between versions) and uses integer arithmetic only: no floats anywhere.
//! Every piece of generated data draws from its own stream, keyed by `(seed, purpose,
//! shop, day, ...)`, so a day can be generated on its own, in any order.

/// The SplitMix64 increment (the golden ratio in 64-bit fixed point).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Purposes of the independent streams; part of every stream key.
pub(crate) mod stream {
    /// Product catalogue and creators of a shop.
    pub(crate) const CATALOG: u64 = 1;
    /// How many orders a shop has on a day.
    pub(crate) const ORDER_COUNT: u64 = 2;
    /// The orders of a shop on a day.
    pub(crate) const ORDERS: u64 = 3;
    /// Platform adjustments of a statement day.
    pub(crate) const ADJUSTMENTS: u64 = 4;
    /// Reserve collections of a statement day.
    pub(crate) const RESERVES: u64 = 5;
    /// Advertiser and campaign set-up of a shop.
    pub(crate) const ADS_SETUP: u64 = 6;
    /// Regular campaign delivery of a day.
    pub(crate) const ADS_REGULAR: u64 = 7;
    /// GMV Max delivery of a day.
    pub(crate) const ADS_GMV_MAX: u64 = 8;
    /// Check digits of identifiers.
    pub(crate) const IDS: u64 = 9;
    /// Shop identity (ids, cipher, code).
    pub(crate) const SHOP: u64 = 10;
}

/// The SplitMix64 output function: a strong 64-bit mixer.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes a key of several words into one well-mixed word.
pub(crate) fn hash(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x6A09_E667_F3BC_C909;
    for &p in parts {
        h = mix64(h ^ mix64(p.wrapping_add(GOLDEN)));
    }
    h
}

/// A SplitMix64 generator.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for the stream named by `parts` (seed first by convention).
    pub(crate) fn stream(parts: &[u64]) -> Self {
        Self { state: hash(parts) }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0), by the multiply-shift method.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An index in `0..len` (0 when `len` is 0).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A count drawn from Binomial(2·mean, ½): mean `mean`, variance `mean / 2`.
    ///
    /// Poisson-ish without floating point: the popcount of `2·mean` random bits.
    pub(crate) fn binomial_around(&mut self, mean: u32) -> u32 {
        let mut bits = u64::from(mean) * 2;
        let mut count = 0;
        while bits > 0 {
            let take = bits.min(64);
            let word = self.next_u64();
            let masked = if take == 64 {
                word
            } else {
                word & ((1u64 << take) - 1)
            };
            count += masked.count_ones();
            bits -= take;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_published_reference_sequence() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut rng = Rng { state: 0 };
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn binomial_stays_near_its_mean() {
        let mut rng = Rng::stream(&[1, 2, 3]);
        let total: u32 = (0..1000).map(|_| rng.binomial_around(20)).sum();
        assert!((19_000..21_000).contains(&total), "{total}");
    }
}
