//! Exact numbers: parsing the decimal and fractional notations of Pabulib files, and printing
//! exact values back.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde::{Serialize, Serializer};
use std::fmt;

/// An exact rational number as used for money, points, prices (ρ) and loads.
///
/// Displays as a decimal rounded to at most six places (for people) and serialises to JSON as
/// the exact value (an integer, or `numerator/denominator`), so that nothing is lost. Values
/// whose numerator and denominator fit in 128 bits — nearly all of them — are kept in machine
/// integers: an outcome reports several per project, and big integers would cost more than
/// the tally of a small election.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exact(Repr);

/// Canonical: `Small` whenever the reduced value fits, so equal values have equal forms. Small
/// enough (24 bytes) that explanations, which hold several per project, stay cheap to move.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Reduced, with a positive denominator; the numerator is never `i64::MIN`.
    Small {
        numerator: i64,
        denominator: i64,
    },
    Big(Box<BigRational>),
}

impl Exact {
    /// `numerator / denominator` exactly (`denominator` must not be zero).
    pub fn ratio(numerator: i128, denominator: i128) -> Exact {
        // The usual case in 64 bits: a 128-bit division is a slow library call.
        if let (Ok(n), Ok(d)) = (i64::try_from(numerator), i64::try_from(denominator))
            && n != i64::MIN
            && d != i64::MIN
            && d != 0
        {
            let divisor = i64::try_from(n.unsigned_abs().gcd(&d.unsigned_abs())).unwrap_or(1).max(1);
            let sign = if d < 0 { -1 } else { 1 };
            return Exact(Repr::Small { numerator: sign * (n / divisor), denominator: sign * (d / divisor) });
        }
        Exact::from(BigRational::new(BigInt::from(numerator), BigInt::from(denominator)))
    }

    /// The value as a big rational.
    pub fn value(&self) -> BigRational {
        match &self.0 {
            Repr::Small { numerator, denominator } => {
                BigRational::new_raw(BigInt::from(*numerator), BigInt::from(*denominator))
            }
            Repr::Big(value) => (**value).clone(),
        }
    }

    /// The exact value as `integer` or `numerator/denominator`.
    pub fn exact_string(&self) -> String {
        match &self.0 {
            Repr::Small { numerator, denominator: 1 } => numerator.to_string(),
            Repr::Small { numerator, denominator } => format!("{numerator}/{denominator}"),
            Repr::Big(value) if value.is_integer() => value.numer().to_string(),
            Repr::Big(value) => format!("{}/{}", value.numer(), value.denom()),
        }
    }

    /// The closest `f64`, for display and JSON consumers that want a number.
    pub fn approximate(&self) -> f64 {
        const EXACT_IN_F64: u64 = 1 << 53;
        match &self.0 {
            // Both exact as floats: one correctly rounded division.
            Repr::Small { numerator, denominator }
                if numerator.unsigned_abs() <= EXACT_IN_F64 && denominator.unsigned_abs() <= EXACT_IN_F64 =>
            {
                Some(*numerator as f64 / *denominator as f64)
            }
            Repr::Small { numerator, denominator } => {
                BigRational::new_raw(BigInt::from(*numerator), BigInt::from(*denominator)).to_f64()
            }
            Repr::Big(value) => value.to_f64(),
        }
        .unwrap_or(f64::NAN)
    }
}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if let (Repr::Small { numerator: a, denominator: b }, Repr::Small { numerator: c, denominator: d }) =
            (&self.0, &other.0)
        {
            // Products of 64-bit values fit in 128 bits; denominators are positive.
            return (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)));
        }
        self.value().cmp(&other.value())
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&decimal_string(&self.value(), 6))
    }
}

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.exact_string())
    }
}

impl From<BigRational> for Exact {
    fn from(value: BigRational) -> Self {
        match small(&value) {
            Some(repr) => Exact(repr),
            None => Exact(Repr::Big(Box::new(value))),
        }
    }
}

impl From<&BigRational> for Exact {
    /// Without copying the big integers when the value fits in machine integers.
    fn from(value: &BigRational) -> Self {
        match small(value) {
            Some(repr) => Exact(repr),
            None => Exact(Repr::Big(Box::new(value.clone()))),
        }
    }
}

/// The machine-integer form of a (reduced) rational, if it has one.
fn small(value: &BigRational) -> Option<Repr> {
    match (value.numer().to_i64(), value.denom().to_i64()) {
        (Some(numerator), Some(denominator)) if numerator != i64::MIN && denominator > 0 => {
            Some(Repr::Small { numerator, denominator })
        }
        _ => None,
    }
}

/// Parses a number the way pabutools' `mpq(...)` reads Pabulib values: an optional sign, digits
/// with an optional decimal part and exponent (`4000.0`, `1.5e3`), or a fraction `a/b`.
pub fn parse_exact(text: &str) -> Option<BigRational> {
    let text = text.trim();
    if let Some((numerator, denominator)) = text.split_once('/') {
        let numerator = parse_integer(numerator.trim())?;
        let denominator = parse_integer(denominator.trim())?;
        if denominator.is_zero() {
            return None;
        }
        return Some(BigRational::new(numerator, denominator));
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(position) => (&text[..position], text[position + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, unsigned) = match mantissa.as_bytes().first() {
        Some(b'-') => (true, &mantissa[1..]),
        Some(b'+') => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.bytes().all(|byte| byte.is_ascii_digit()) || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // Bounding the exponent keeps a hostile `1e999999999` from allocating gigabytes.
    if exponent.unsigned_abs() > 4096 || whole.len() + fraction.len() > 4096 {
        return None;
    }
    let digits: BigInt = format!("{whole}{fraction}0").parse::<BigInt>().ok()? / 10;
    let scale = exponent - i32::try_from(fraction.len()).ok()?;
    let ten = BigInt::from(10);
    let mut value = BigRational::from_integer(digits);
    let power = BigRational::from_integer(num_traits::pow(ten, scale.unsigned_abs() as usize));
    if scale >= 0 {
        value *= power;
    } else {
        value /= power;
    }
    Some(if negative { -value } else { value })
}

fn parse_integer(text: &str) -> Option<BigInt> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || digits.len() > 4096 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Writes an exact value in the notation Pabulib files use: integers plainly, terminating
/// decimals as decimals, and anything else as a fraction `a/b` (which pabutools also reads).
pub fn pabulib_number(value: &BigRational) -> String {
    if value.is_integer() {
        return value.numer().to_string();
    }
    let mut denominator = value.denom().clone();
    let mut places = 0usize;
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let ten = BigInt::from(10);
    while denominator.is_multiple_of(&two) || denominator.is_multiple_of(&five) {
        if denominator.is_multiple_of(&ten) {
            denominator /= &ten;
        } else if denominator.is_multiple_of(&two) {
            denominator /= &two;
        } else {
            denominator /= &five;
        }
        places += 1;
    }
    if denominator.is_one() { decimal_string(value, places) } else { format!("{}/{}", value.numer(), value.denom()) }
}

/// A decimal rendering rounded half away from zero to `places` digits, trailing zeros removed.
pub fn decimal_string(value: &BigRational, places: usize) -> String {
    let scale = num_traits::pow(BigInt::from(10), places);
    let scaled = (value.abs() * BigRational::from_integer(scale.clone())).round().to_integer();
    let (whole, fraction) = scaled.div_rem(&scale);
    let sign = if value.is_negative() && !scaled.is_zero() { "-" } else { "" };
    if places == 0 || fraction.is_zero() {
        return format!("{sign}{whole}");
    }
    let fraction = format!("{:0>width$}", fraction.to_string(), width = places);
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rational(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(numerator.into(), denominator.into())
    }

    #[test]
    fn parses_pabulib_notations() {
        assert_eq!(parse_exact("4000.0"), Some(rational(4000, 1)));
        assert_eq!(parse_exact("12.50"), Some(rational(25, 2)));
        assert_eq!(parse_exact("-3"), Some(rational(-3, 1)));
        assert_eq!(parse_exact("1.5e3"), Some(rational(1500, 1)));
        assert_eq!(parse_exact("3/4"), Some(rational(3, 4)));
        assert_eq!(parse_exact(".5"), Some(rational(1, 2)));
        assert_eq!(parse_exact("7."), Some(rational(7, 1)));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for text in ["", "abc", "1,5", "1/0", "--1", ".", "1e", "e5", "1e99999999", "0x10"] {
            assert_eq!(parse_exact(text), None, "{text}");
        }
    }

    #[test]
    fn writes_numbers_back_exactly() {
        for value in [rational(4000, 1), rational(25, 2), rational(1, 3), rational(-7, 8)] {
            assert_eq!(parse_exact(&pabulib_number(&value)), Some(value));
        }
        assert_eq!(pabulib_number(&rational(25, 2)), "12.5");
    }

    #[test]
    fn small_and_big_values_compare_and_print_alike() {
        let huge = BigRational::new(BigInt::from(10).pow(40u32), BigInt::from(3));
        assert_eq!(Exact::ratio(6, -4), Exact::from(rational(-3, 2)));
        assert_eq!(Exact::ratio(6, -4).exact_string(), "-3/2");
        assert_eq!(Exact::ratio(8, 4).exact_string(), "2");
        assert!(Exact::ratio(1, 3) < Exact::ratio(1, 2));
        assert!(Exact::ratio(-1, 2) < Exact::from(huge.clone()));
        assert_eq!(Exact::from(huge.clone()).value(), huge);
        assert_eq!(Exact::from(huge).exact_string(), format!("{}/3", BigInt::from(10).pow(40u32)));
        assert_eq!(Exact::ratio(2, 3).approximate(), 2.0 / 3.0);
    }

    #[test]
    fn displays_rounded_decimals() {
        assert_eq!(decimal_string(&rational(2, 3), 3), "0.667");
        assert_eq!(decimal_string(&rational(-1, 2), 0), "-1");
        assert_eq!(Exact::from(rational(5, 1)).to_string(), "5");
    }
}
