//! `Money`: an exact amount (a decimal string, never a float) and its currency.

use super::scalars::Decimal;
use async_graphql::SimpleObject;

/// An exact amount of money. `amount` is a decimal string with exactly the currency's minor-unit
/// digits ("12.30" USD, "1200" JPY, "1.250" KWD); positive is money to the seller.
#[derive(Clone, Debug, SimpleObject)]
#[graphql(name = "Money")]
pub struct MoneyObject {
    /// The signed amount as a decimal string.
    pub amount: Decimal,
    /// ISO 4217 currency code.
    pub currency: String,
}

impl From<crate::money::Money> for MoneyObject {
    fn from(money: crate::money::Money) -> Self {
        Self {
            amount: money.amount().into(),
            currency: money.currency().as_str().to_owned(),
        }
    }
}
