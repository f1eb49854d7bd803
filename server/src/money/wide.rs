//! A 192-bit unsigned integer, just enough for exact products of two `Decimal` mantissas
//! (see `Money::convert`).

use super::MoneyError;

/// An unsigned 192-bit integer in little-endian 64-bit limbs: just enough room for the exact
/// product of two 96-bit `Decimal` mantissas.
pub(super) struct Wide([u64; 3]);

impl Wide {
    /// The exact product of two numbers below 2^96.
    pub(super) fn product(left: u128, right: u128) -> Self {
        let split = |value: u128| (value >> 64, value & u128::from(u64::MAX));
        let (left_high, left_low) = split(left);
        let (right_high, right_low) = split(right);
        // With both inputs below 2^96 the high halves are below 2^32, so none of these
        // partial products or sums can overflow u128.
        let low = left_low * right_low;
        let cross = left_high * right_low + left_low * right_high;
        let high = left_high * right_high;
        let middle = (low >> 64) + (cross & u128::from(u64::MAX));
        let top = (middle >> 64) + (cross >> 64) + high;
        Self([low as u64, middle as u64, top as u64])
    }

    /// Divides by ten in place and returns the remainder.
    pub(super) fn div_rem_10(&mut self) -> u8 {
        let mut remainder: u128 = 0;
        for limb in self.0.iter_mut().rev() {
            let current = (remainder << 64) | u128::from(*limb);
            *limb = (current / 10) as u64;
            remainder = current % 10;
        }
        remainder as u8
    }

    /// Multiplies by ten and adds `digit`.
    pub(super) fn push_digit(&mut self, digit: u8) -> Result<(), MoneyError> {
        let mut carry = u128::from(digit);
        for limb in &mut self.0 {
            let current = u128::from(*limb) * 10 + carry;
            *limb = current as u64;
            carry = current >> 64;
        }
        if carry == 0 {
            Ok(())
        } else {
            Err(MoneyError::Overflow)
        }
    }

    /// The value as a `u128`, when it fits.
    pub(super) fn to_u128(&self) -> Result<u128, MoneyError> {
        let [low, middle, top] = self.0;
        if top == 0 {
            Ok(u128::from(middle) << 64 | u128::from(low))
        } else {
            Err(MoneyError::Overflow)
        }
    }
}
