//! Floating-point intervals that are guaranteed to contain the exact value.
//!
//! The rules decide every comparison exactly, but computing every price with big rationals is
//! slow. They first compare intervals: when two intervals do not overlap the comparison is
//! decided, and only overlapping (close or tied) cases are recomputed exactly. Every operation
//! rounds its bounds outwards by one unit in the last place, which covers the at most half a
//! unit of error of the round-to-nearest float operation, so the exact value always stays inside.

use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

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
        if value.is_zero() {
            return Interval::ZERO;
        }
        match value.to_f64() {
            // The conversion is correctly rounded; four units of slack leave a wide margin.
            Some(approximate) if approximate.is_finite() => {
                Interval { low: down(down(down(down(approximate)))), high: up(up(up(up(approximate)))) }
            }
            _ => Interval::EVERYTHING,
        }
    }

    pub fn add(self, other: Interval) -> Interval {
        Interval::checked(down_sum(self.low + other.low), up_sum(self.high + other.high))
    }

    pub fn sub(self, other: Interval) -> Interval {
        Interval::checked(down_sum(self.low - other.high), up_sum(self.high - other.low))
    }

    pub fn mul(self, other: Interval) -> Interval {
        let products = [self.low * other.low, self.low * other.high, self.high * other.low, self.high * other.high];
        if products.iter().any(|product| product.is_nan()) {
            return Interval::EVERYTHING;
        }
        let low = products.iter().copied().fold(f64::INFINITY, f64::min);
        let high = products.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let zero_is_exact = self.is_tame() && other.is_tame();
        Interval { low: down_product(low, zero_is_exact), high: up_product(high, zero_is_exact) }
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
        // A tame dividend over a divisor of at most 2^500 gives 0 only from a zero dividend.
        let zero_is_exact = self.is_tame() && other.low.abs().max(other.high.abs()) <= TAME.recip();
        Interval { low: down_product(low, zero_is_exact), high: up_product(high, zero_is_exact) }
    }

    /// Whether each bound is 0 or at least [`TAME`] in magnitude: products of such bounds are
    /// exactly 0 (a factor is 0) or far above the subnormal range.
    fn is_tame(self) -> bool {
        let tame = |bound: f64| bound == 0.0 || bound.abs() >= TAME;
        tame(self.low) && tame(self.high)
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
        let zero_is_exact = self.is_tame() && factor.is_tame();
        Interval::checked(down_product(low, zero_is_exact), up_product(high, zero_is_exact))
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

/// 2^-500: bounds at least this far from 0 multiply to products far above the subnormal range.
const TAME: f64 = f64::from_bits((1023 - 500) << 52);

/// Why zeros are kept exact: widening an exact 0 by one unit makes the smallest subnormal
/// (±5e-324), and every later product of a subnormal takes a microcode assist on x86 — on the
/// add-one proofs, where most affine forms have zero parts, that was most of the time spent.
///
/// [`down`] for a sum or difference. A sum of two floats is a multiple of the smallest
/// subnormal, so one that comes out 0 or subnormal is exact (no rounding happened) and needs no
/// widening.
#[inline]
fn down_sum(value: f64) -> f64 {
    if value.abs() < f64::MIN_POSITIVE { value } else { down(value) }
}

/// [`up`] for a sum or difference (see [`down_sum`]).
#[inline]
fn up_sum(value: f64) -> f64 {
    if value.abs() < f64::MIN_POSITIVE { value } else { up(value) }
}

/// [`down`] for a product or quotient: a 0 is kept when the operands show it is exact.
#[inline]
fn down_product(value: f64, zero_is_exact: bool) -> f64 {
    if value == 0.0 && zero_is_exact { value } else { down(value) }
}

/// [`up`] for a product or quotient (see [`down_product`]).
#[inline]
fn up_product(value: f64, zero_is_exact: bool) -> f64 {
    if value == 0.0 && zero_is_exact { value } else { up(value) }
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

    #[test]
    fn tame_is_two_to_the_minus_500() {
        assert_eq!(TAME, 2f64.powi(-500));
    }

    #[test]
    fn exact_zeros_are_not_widened_into_subnormals() {
        let zero = Interval::ZERO;
        let money = Interval { low: 1234.5, high: 1234.75 };
        assert_eq!(zero.add(zero), zero);
        assert_eq!(zero.sub(zero), zero);
        assert_eq!(zero.mul(money), zero);
        assert_eq!(money.mul(zero), zero);
        assert_eq!(zero.div(money), zero);
        assert_eq!(zero.times_positive(Interval::reciprocal(7.0)), zero);
        assert_eq!(Interval::from_rational(&BigRational::from_integer(BigInt::from(0))), zero);
        // A product of tiny factors that underflows to 0 is not exact: it is still widened.
        let tiny = Interval { low: 1e-200, high: 1e-200 };
        let product = tiny.mul(tiny);
        assert!(product.low < 0.0 && product.high > 0.0, "{product:?}");
    }

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

        /// Keeping exact zeros unwidened loses nothing: every result still contains the exact
        /// one, down to operands near the subnormal range (that zeros stay zero is
        /// `exact_zeros_are_not_widened_into_subnormals`).
        #[test]
        fn tiny_results_are_still_contained(a in -1_000i64..1_000, b in 0i64..3, scale in -1_100i32..-900) {
            let tiny = BigRational::from_float(2f64.powi(scale)).expect("finite");
            let x = BigRational::from_integer(BigInt::from(a)) * &tiny;
            let y = BigRational::from_integer(BigInt::from(b)) * &tiny;
            let point = |value: &BigRational| {
                let approximate = value.to_f64().expect("finite");
                Interval { low: approximate, high: approximate }
            };
            // The scaled values are exact floats (|a| < 2^10, the scale within the subnormal
            // range's reach), so the intervals are points.
            let (ix, iy) = (point(&x), point(&y));
            prop_assume!(BigRational::from_float(ix.low).as_ref() == Some(&x));
            prop_assume!(BigRational::from_float(iy.low).as_ref() == Some(&y));
            prop_assert!(contains(ix.add(iy), &(&x + &y)));
            prop_assert!(contains(ix.sub(iy), &(&x - &y)));
            prop_assert!(contains(ix.mul(iy), &(&x * &y)));
            prop_assert!(contains(ix.mul(Interval::from_integer(3)), &(&x * BigRational::from_integer(BigInt::from(3)))));
        }

        #[test]
        fn the_fast_neighbours_are_the_standard_ones(bits in any::<u64>()) {
            let value = f64::from_bits(bits);
            prop_assert_eq!(up(value).to_bits(), value.next_up().to_bits());
            prop_assert_eq!(down(value).to_bits(), value.next_down().to_bits());
        }
    }
}
