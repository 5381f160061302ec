//! Floating-point intervals that are guaranteed to contain the exact value.
//!
//! The rules decide every comparison exactly, but computing every price with big rationals is
//! slow. They first compare intervals: when two intervals do not overlap the comparison is
//! decided, and only overlapping (close or tied) cases are recomputed exactly. Every operation
//! rounds its bounds outwards by one unit in the last place, which covers the at most half a
//! unit of error of the round-to-nearest float operation, so the exact value always stays inside.

use num_rational::BigRational;
use num_traits::ToPrimitive;

/// A closed interval `[low, high]` of reals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// The interval that contains everything (the answer when a float computation fails).
    pub const EVERYTHING: Interval = Interval { low: f64::NEG_INFINITY, high: f64::INFINITY };

    /// The single value zero.
    pub const ZERO: Interval = Interval { low: 0.0, high: 0.0 };

    fn checked(low: f64, high: f64) -> Interval {
        if low.is_nan() || high.is_nan() { Interval::EVERYTHING } else { Interval { low, high } }
    }

    /// An interval around an integer.
    pub fn from_integer(value: i128) -> Interval {
        // Integers of up to 53 bits are exact in an f64 (and converting from i64 is one
        // instruction, from i128 a library call).
        if value.unsigned_abs() < (1 << 53) {
            let approximate = value as i64 as f64;
            Interval { low: approximate, high: approximate }
        } else {
            let approximate = value as f64;
            Interval { low: approximate.next_down(), high: approximate.next_up() }
        }
    }

    /// An interval around an exact rational.
    pub fn from_rational(value: &BigRational) -> Interval {
        match value.to_f64() {
            // The conversion is correctly rounded; four units of slack leave a wide margin.
            Some(approximate) if approximate.is_finite() => Interval {
                low: approximate.next_down().next_down().next_down().next_down(),
                high: approximate.next_up().next_up().next_up().next_up(),
            },
            _ => Interval::EVERYTHING,
        }
    }

    pub fn add(self, other: Interval) -> Interval {
        Interval::checked((self.low + other.low).next_down(), (self.high + other.high).next_up())
    }

    pub fn sub(self, other: Interval) -> Interval {
        Interval::checked((self.low - other.high).next_down(), (self.high - other.low).next_up())
    }

    pub fn mul(self, other: Interval) -> Interval {
        let products = [self.low * other.low, self.low * other.high, self.high * other.low, self.high * other.high];
        if products.iter().any(|product| product.is_nan()) {
            return Interval::EVERYTHING;
        }
        let low = products.iter().copied().fold(f64::INFINITY, f64::min);
        let high = products.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Interval { low: low.next_down(), high: high.next_up() }
    }

    pub fn div(self, other: Interval) -> Interval {
        if other.low <= 0.0 && other.high >= 0.0 {
            return Interval::EVERYTHING;
        }
        let quotients = [self.low / other.low, self.low / other.high, self.high / other.low, self.high / other.high];
        if quotients.iter().any(|quotient| quotient.is_nan()) {
            return Interval::EVERYTHING;
        }
        let low = quotients.iter().copied().fold(f64::INFINITY, f64::min);
        let high = quotients.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Interval { low: low.next_down(), high: high.next_up() }
    }

    /// The midpoint, for estimates.
    pub fn middle(self) -> f64 {
        if self.low.is_finite() && self.high.is_finite() { self.low / 2.0 + self.high / 2.0 } else { f64::NAN }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use proptest::prelude::*;

    fn rational(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(BigInt::from(numerator), BigInt::from(denominator))
    }

    fn contains(interval: Interval, value: &BigRational) -> bool {
        let low = BigRational::from_float(interval.low);
        let high = BigRational::from_float(interval.high);
        low.is_none_or(|low| &low <= value) && high.is_none_or(|high| value <= &high)
    }

    proptest! {
        #[test]
        fn operations_contain_the_exact_result(a in -1_000_000i64..1_000_000, b in 1i64..1_000_000, c in -1_000_000i64..1_000_000, d in 1i64..1_000_000) {
            let (x, y) = (rational(a, b), rational(c, d));
            let (ix, iy) = (Interval::from_rational(&x), Interval::from_rational(&y));
            prop_assert!(contains(ix.add(iy), &(&x + &y)));
            prop_assert!(contains(ix.sub(iy), &(&x - &y)));
            prop_assert!(contains(ix.mul(iy), &(&x * &y)));
            if c != 0 {
                prop_assert!(contains(ix.div(iy), &(&x / &y)));
            }
        }
    }
}
