//! Exact amounts of money: hundredths of the currency's unit in an integer, read from and
//! written as decimal strings (`"1000000"`, `"2500.50"`), never a float.

use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;
use serde::{Deserialize, Serialize};

use crate::error::InvalidInput;

/// The largest amount accepted: a trillion units.
const MAX_HUNDREDTHS: i64 = 100_000_000_000_000;

/// An amount, in hundredths of the currency's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// Reads a non-negative decimal with at most two decimal places, as `field` of the input.
    pub fn parse(field: &'static str, text: &str) -> Result<Money, InvalidInput> {
        let invalid = || InvalidInput::new(field, "must be an amount like 1000000 or 2500.50");
        let text = text.trim();
        let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if units.is_empty() || !digits(units) || !digits(fraction) || fraction.len() > 2 || units.len() > 15 {
            return Err(invalid());
        }
        let units: i64 = units.parse().map_err(|_| invalid())?;
        let hundredths: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        let amount = units.checked_mul(100).and_then(|value| value.checked_add(hundredths)).ok_or_else(invalid)?;
        if amount > MAX_HUNDREDTHS {
            return Err(InvalidInput::new(field, "is too large"));
        }
        Ok(Money(amount))
    }

    /// The amount as an exact rational number of units (what the tally engine counts in).
    pub fn units(self) -> BigRational {
        BigRational::new(BigInt::from(self.0), BigInt::from(100))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (units, hundredths) = (self.0 / 100, self.0 % 100);
        if hundredths == 0 { write!(f, "{units}") } else { write!(f, "{units}.{hundredths:02}") }
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Money::parse("amount", &text).map_err(|invalid| serde::de::Error::custom(invalid.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly() {
        for (text, hundredths, shown) in [
            ("1000000", 100_000_000, "1000000"),
            ("2500.50", 250_050, "2500.50"),
            ("0.05", 5, "0.05"),
            ("7.", 700, "7"),
        ] {
            let money = Money::parse("budget", text).expect(text);
            assert_eq!((money.0, money.to_string().as_str()), (hundredths, shown));
        }
        for bad in ["", "-1", "1.234", "1e6", "abc", ".5", "1,000", "9999999999999999"] {
            assert!(Money::parse("budget", bad).is_err(), "{bad}");
        }
        assert_eq!(Money(250_050).units(), BigRational::new(BigInt::from(5001), BigInt::from(2)));
    }
}
