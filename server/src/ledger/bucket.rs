//! Closed vocabularies of the ledger: channels, fee buckets and entry status, with their stable
//! database spellings (the GraphQL enum names).

/// A closed vocabulary stored as text: an enum that is also a GraphQL enum (same spellings),
/// with `ALL`, `as_str`, `FromStr` (BAD_USER_INPUT naming the unknown text) and `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
        pub enum $name {
            $($(#[$vmeta])* #[graphql(name = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable spelling stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::error::Error;

            fn from_str(text: &str) -> ::std::result::Result<Self, $crate::error::Error> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::error::Error::BadInput(format!(
                        concat!("unknown ", stringify!($name), " {:?}"), other
                    ))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// A sales channel.
    Channel {
        /// TikTok Shop (and TikTok Ads spend for its shops).
        TikTokShop = "TIKTOK_SHOP",
        /// Amazon (SP-API).
        Amazon = "AMAZON",
        /// Shopify.
        Shopify = "SHOPIFY",
        /// Walmart Marketplace.
        Walmart = "WALMART",
        /// Any other channel that exports a statement.
        Other = "OTHER",
    }
}

text_enum! {
    /// The shared fee-bucket taxonomy. Sign convention: positive is money to the seller,
    /// negative is money away from the seller.
    FeeBucket {
        /// Item principal before seller discounts (net sales).
        ProductSales = "PRODUCT_SALES",
        /// Seller-funded discounts, vouchers, promotion rebates (net sales).
        SellerDiscounts = "SELLER_DISCOUNTS",
        /// Shipping paid by the buyer (net sales).
        ShippingIncome = "SHIPPING_INCOME",
        /// Principal refunded, and refunded seller discounts (net sales).
        Refunds = "REFUNDS",
        /// Platform commission or referral fee, and its refund-back (channel fee).
        PlatformCommission = "PLATFORM_COMMISSION",
        /// Payment processing fees (channel fee).
        TransactionFees = "TRANSACTION_FEES",
        /// Refund administration fees (channel fee).
        RefundAdminFees = "REFUND_ADMIN_FEES",
        /// Fulfilment by the platform: FBA, FBT (channel fee).
        Fulfillment = "FULFILLMENT",
        /// Shipping labels, return shipping, shipping fee adjustments (channel fee).
        ShippingCosts = "SHIPPING_COSTS",
        /// Warehouse storage (channel fee).
        Storage = "STORAGE",
        /// SFP, flash sale, voucher, subscription and other service fees (channel fee).
        ProgramFees = "PROGRAM_FEES",
        /// Platform penalties and chargebacks (channel fee).
        Penalties = "PENALTIES",
        /// Creator, affiliate and shop-ads commission (creator cost).
        AffiliateCommission = "AFFILIATE_COMMISSION",
        /// Ad spend, including ads paid out of GMV (ad cost).
        Advertising = "ADVERTISING",
        /// Reimbursements, compensation, rebates (other).
        Adjustments = "ADJUSTMENTS",
        /// Tax charged to the buyer (excluded from profit).
        TaxesCollected = "TAXES_COLLECTED",
        /// Tax the marketplace withholds and remits for the seller (excluded from profit).
        TaxesRemitted = "TAXES_REMITTED",
        /// Personal income tax and other withholding (channel fee).
        WithholdingTax = "WITHHOLDING_TAX",
        /// Reserve held or released: cash timing only (excluded from profit).
        Reserves = "RESERVES",
        /// Anything unmapped, always listed by its source label (channel fee).
        Other = "OTHER",
    }
}

text_enum! {
    /// Whether a line is an order-time estimate or settled by the channel.
    EntryStatus {
        /// Expected at order time; replaced when the settlement arrives.
        Estimated = "ESTIMATED",
        /// Reported by the channel's settlement.
        Settled = "SETTLED",
    }
}

/// A vocabulary `ledger_entry` stores as a `SMALLINT` code (`migration::vocabulary`, the one
/// definition of the codes; each enum's test holds its spellings to it).
macro_rules! coded {
    ($name:ident, $vocabulary:path) => {
        impl $name {
            /// Its code in `ledger_entry`.
            pub fn code(self) -> i16 {
                // Every value has a code (the tests below); 0 is no code, refused when read.
                migration::vocabulary::code($vocabulary, self.as_str()).unwrap_or(0)
            }

            /// The value of a stored code.
            ///
            /// # Errors
            /// A code this version does not know (a row written by a newer one).
            pub fn from_code(code: i16) -> crate::error::Result<Self> {
                match migration::vocabulary::text($vocabulary, code) {
                    Some(text) => text.parse(),
                    None => Err(anyhow::anyhow!(
                        concat!(
                            "a ledger row holds ",
                            stringify!($name),
                            " code {} this version does not know"
                        ),
                        code
                    )
                    .into()),
                }
            }
        }
    };
}

coded!(Channel, migration::vocabulary::CHANNELS);
coded!(FeeBucket, migration::vocabulary::BUCKETS);
coded!(EntryStatus, migration::vocabulary::STATUSES);

/// Where a bucket counts in contribution profit (DESIGN.md, "Profit").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfitRole {
    /// Part of net sales.
    NetSales,
    /// A channel fee.
    ChannelFee,
    /// A creator cost.
    CreatorCost,
    /// An ad cost.
    AdCost,
    /// Counted in profit as an adjustment.
    Adjustment,
    /// Not part of profit (taxes passed through, reserves).
    Excluded,
}

impl FeeBucket {
    /// How the bucket enters contribution profit.
    pub fn profit_role(self) -> ProfitRole {
        match self {
            Self::ProductSales | Self::SellerDiscounts | Self::ShippingIncome | Self::Refunds => {
                ProfitRole::NetSales
            }
            Self::PlatformCommission
            | Self::TransactionFees
            | Self::RefundAdminFees
            | Self::Fulfillment
            | Self::ShippingCosts
            | Self::Storage
            | Self::ProgramFees
            | Self::Penalties
            | Self::WithholdingTax
            | Self::Other => ProfitRole::ChannelFee,
            Self::AffiliateCommission => ProfitRole::CreatorCost,
            Self::Advertising => ProfitRole::AdCost,
            Self::Adjustments => ProfitRole::Adjustment,
            Self::TaxesCollected | Self::TaxesRemitted | Self::Reserves => ProfitRole::Excluded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_round_trips_through_its_text() {
        for bucket in FeeBucket::ALL {
            assert_eq!(bucket.as_str().parse::<FeeBucket>().unwrap(), *bucket);
        }
        assert_eq!(FeeBucket::ALL.len(), 20, "DESIGN.md names twenty buckets");
    }

    #[test]
    fn every_stored_value_has_its_own_code_and_reads_back() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            vocabulary: migration::vocabulary::Vocabulary,
            code: fn(T) -> i16,
            from_code: fn(i16) -> crate::error::Result<T>,
        ) {
            for value in all {
                assert_ne!(code(*value), 0, "{value:?} has no code");
                assert_eq!(from_code(code(*value)).unwrap(), *value);
            }
            assert_eq!(all.len(), vocabulary.len(), "a code without a value");
        }
        check(
            Channel::ALL,
            migration::vocabulary::CHANNELS,
            Channel::code,
            Channel::from_code,
        );
        check(
            FeeBucket::ALL,
            migration::vocabulary::BUCKETS,
            FeeBucket::code,
            FeeBucket::from_code,
        );
        check(
            EntryStatus::ALL,
            migration::vocabulary::STATUSES,
            EntryStatus::code,
            EntryStatus::from_code,
        );
        let error = FeeBucket::from_code(99).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a ledger row holds FeeBucket code 99 this version does not know"
        );
    }

    #[test]
    fn unknown_text_is_a_clear_error() {
        let error = "FEES".parse::<FeeBucket>().unwrap_err();
        assert_eq!(error.to_string(), "unknown FeeBucket \"FEES\"");
    }
}
