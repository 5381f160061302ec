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
            let approximate = wide_to_f64(value);
            Interval { low: down(approximate), high: up(approximate) }
        }
    }

    /// An interval around an exact rational.
    pub fn from_rational(value: &BigRational) -> Interval {
        match value.to_f64() {
            // The conversion is correctly rounded; four units of slack leave a wide margin.
            Some(approximate) if approximate.is_finite() => {
                Interval { low: down(down(down(down(approximate)))), high: up(up(up(up(approximate)))) }
            }
            _ => Interval::EVERYTHING,
        }
    }

    pub fn add(self, other: Interval) -> Interval {
        Interval::checked(down(self.low + other.low), up(self.high + other.high))
    }

    pub fn sub(self, other: Interval) -> Interval {
        Interval::checked(down(self.low - other.high), up(self.high - other.low))
    }

    pub fn mul(self, other: Interval) -> Interval {
        let products = [self.low * other.low, self.low * other.high, self.high * other.low, self.high * other.high];
        if products.iter().any(|product| product.is_nan()) {
            return Interval::EVERYTHING;
        }
        let low = products.iter().copied().fold(f64::INFINITY, f64::min);
        let high = products.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Interval { low: down(low), high: up(high) }
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
        Interval { low: down(low), high: up(high) }
    }

    /// An interval around `1 / divisor` for a positive integer `divisor` exact in an `f64`
    /// (below 2^53): multiplying by it with [`Interval::times_positive`] replaces a division.
    pub fn reciprocal(divisor: f64) -> Interval {
        debug_assert!(divisor > 0.0 && divisor < 9_007_199_254_740_992.0 && divisor.fract() == 0.0);
        let approximate = 1.0 / divisor;
        Interval { low: down(approximate), high: up(approximate) }
    }

    /// The interval times `factor`, whose bounds are both positive: two products, the bound
    /// of each chosen by its sign (loads are never negative, but a lower bound may dip below
    /// zero by rounding).
    pub fn times_positive(self, factor: Interval) -> Interval {
        debug_assert!(factor.low > 0.0);
        let low = if self.low >= 0.0 { self.low * factor.low } else { self.low * factor.high };
        let high = if self.high >= 0.0 { self.high * factor.high } else { self.high * factor.low };
        Interval::checked(down(low), up(high))
    }

    /// The midpoint, for estimates.
    pub fn middle(self) -> f64 {
        if self.low.is_finite() && self.high.is_finite() { self.low / 2.0 + self.high / 2.0 } else { f64::NAN }
    }
}

/// Bounds on a sum of non-negative reals from two plain float sums of `terms` terms: `low`
/// summed from lower bounds of the terms passed through [`low_term`], `high` from upper bounds
/// passed through [`high_term`], each term a product of such a bound by a positive integer
/// below 2^53 (or the bound alone).
///
/// Cheaper than rounding outwards at every step, which chains a branch onto every addition:
/// with every term non-negative and normal (or zero), the computed sum of `n` products is within
/// a relative `(n + 1)·u/(1 − (n + 1)·u)` of the exact sum of the same bounds (Higham, *Accuracy
/// and Stability of Numerical Algorithms*, §4.2), and widening by `2(2n + 4)·u` covers it.
pub(crate) fn sum_bounds(low: f64, high: f64, terms: usize) -> Interval {
    let slack = (2 * terms + 4) as f64 * f64::EPSILON;
    // A lower sum that overflowed says nothing: 0 still bounds a non-negative sum from below.
    let low = if low.is_finite() && low > 0.0 { down(low * (1.0 - slack)) } else { 0.0 };
    Interval { low, high: up(high * (1.0 + slack)) }
}

/// A term's lower bound for [`sum_bounds`]: the quantities summed are never negative, so 0
/// bounds them from below, and replaces bounds outside the normal range, where the relative
/// error bound would not hold.
#[inline]
pub(crate) fn low_term(bound: f64) -> f64 {
    if (f64::MIN_POSITIVE..=f64::MAX).contains(&bound) { bound } else { 0.0 }
}

/// A term's upper bound for [`sum_bounds`]: raised to the normal range if below it.
#[inline]
pub(crate) fn high_term(bound: f64) -> f64 {
    bound.max(f64::MIN_POSITIVE)
}

/// The general 128-bit conversion, out of line: inlined, the compiler merges both paths of
/// [`Interval::from_integer`] (and of estimates elsewhere) into this slow conversion, which it knows gives the same result.
#[inline(never)]
pub(crate) fn wide_to_f64(value: i128) -> f64 {
    value as f64
}

/// The next float up: `f64::next_up`, with a fast path for the positive finite values that
/// loads, prices and money nearly always are (their successor is the next bit pattern).
#[inline]
pub(crate) fn up(value: f64) -> f64 {
    if value > 0.0 && value < f64::INFINITY { f64::from_bits(value.to_bits() + 1) } else { value.next_up() }
}

/// The next float down: `f64::next_down`, with the same fast path.
#[inline]
pub(crate) fn down(value: f64) -> f64 {
    if value > 0.0 && value <= f64::MAX { f64::from_bits(value.to_bits() - 1) } else { value.next_down() }
}

/// Whether `interval` contains the exact `value` (for tests of certified bounds).
#[cfg(test)]
pub(crate) fn contains(interval: Interval, value: &BigRational) -> bool {
    let low = BigRational::from_float(interval.low);
    let high = BigRational::from_float(interval.high);
    low.is_none_or(|low| &low <= value) && high.is_none_or(|high| value <= &high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use proptest::prelude::*;

    fn rational(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(BigInt::from(numerator), BigInt::from(denominator))
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
            let factor = BigRational::from_integer(BigInt::from(d));
            prop_assert!(contains(ix.times_positive(Interval::reciprocal(d as f64)), &(&x / &factor)));
        }

        /// Plain float sums widened by `sum_bounds` contain the exact sum. The terms are floats
        /// taken as exact points, so that nothing but the widening covers the sums' rounding.
        #[test]
        fn sum_bounds_contain_the_exact_sum(terms in prop::collection::vec((0.0f64..1e12, 1u64..(1 << 40)), 1..60)) {
            let (mut low, mut high) = (0.0f64, 0.0f64);
            let mut exact = BigRational::from_integer(BigInt::from(0));
            for &(value, weight) in &terms {
                low += low_term(value) * weight as f64;
                high += high_term(value) * weight as f64;
                if let Some(value) = BigRational::from_float(value) {
                    exact += value * BigRational::from_integer(BigInt::from(weight));
                }
            }
            let bounds = sum_bounds(low, high, terms.len());
            prop_assert!(contains(bounds, &exact), "{bounds:?} does not contain {exact}");
        }

        #[test]
        fn the_fast_neighbours_are_the_standard_ones(bits in any::<u64>()) {
            let value = f64::from_bits(bits);
            prop_assert_eq!(up(value).to_bits(), value.next_up().to_bits());
            prop_assert_eq!(down(value).to_bits(), value.next_down().to_bits());
        }
    }
}
