//! Prices of projects under equal shares: certified intervals first, exact values on demand.

use super::ledger::{Entry, Ledger};
use crate::budgeting::number::Exact;
use crate::budgeting::rules::interval::{Interval, down, high_term, low_term, sum_bounds, up, wide_to_f64};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// The nearest float of an integer; a single instruction for the usual 64-bit values, where the
/// general 128-bit conversion is a slow library call. Estimates only: decisions use intervals.
fn approximate(value: i128) -> f64 {
    match i64::try_from(value) {
        Ok(small) => small as f64,
        Err(_) => wide_to_f64(value),
    }
}

fn rational(value: i128) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

/// What the interval computation could establish about a project's price.
pub(super) enum Estimate {
    Unaffordable,
    Price(Interval),
    Unknown,
}

/// Bounds on the money supporters can pay at price `price`: Σ w·min(money, price·s), on the
/// side asked for (`upper`). Every quantity is non-negative, so each product is rounded one way
/// only and the sum is a plain float sum with an error bound ([`sum_bounds`]) — a fraction of
/// the work of full interval arithmetic on the hottest loop of a tally.
pub(super) fn payable(entries: &[Entry], ledger: &Ledger, price: f64, upper: bool) -> f64 {
    let mut total = 0.0f64;
    for entry in entries {
        let money = ledger.approximate[entry.class as usize];
        let satisfaction = Interval::from_integer(entry.satisfaction);
        let weight = entry.weight as f64;
        if upper {
            total += high_term(money.high.min(up(price * satisfaction.high))) * weight;
        } else {
            total += low_term(money.low.min(down(price * satisfaction.low))) * weight;
        }
    }
    let bounds = sum_bounds(total, total, entries.len());
    if upper { bounds.high } else { bounds.low }
}

/// Bounds the price ρ of a project on intervals, or says it cannot.
///
/// The lower end is always certified (it prunes later rounds). The upper end only matters to
/// the cheapest project of a round, so it is certified only when the estimate is below
/// `best_high`, the best certified upper end so far, and is infinite otherwise.
/// `total_satisfaction` is `Σ w·s` over the entries.
pub(super) fn estimate_price(
    cost: i128,
    total_satisfaction: i128,
    entries: &[Entry],
    ledger: &Ledger,
    best_high: f64,
) -> Estimate {
    let cost_interval = Interval::from_integer(cost);
    // Most projects priced in a round are dearer than the best one so far: one pass proves it
    // and bounds their price from below, where the full estimate takes several.
    if best_high < f64::INFINITY {
        match dearer_than(cost_interval, entries, ledger, best_high) {
            Dearer::Unaffordable => return Estimate::Unaffordable,
            Dearer::Above(low) => return Estimate::Price(Interval { low, high: f64::INFINITY }),
            Dearer::Unknown => {}
        }
    }
    // When every supporter can pay their share of `cost / total satisfaction`, that share is the
    // price (the root is unique): common while money is plentiful, and one pass decides it.
    let share = if total_satisfaction > 0 {
        cost_interval.div(Interval::from_integer(total_satisfaction))
    } else {
        Interval::EVERYTHING
    };
    let mut everyone_pays_the_share = total_satisfaction > 0;
    // All the supporters' money, rounded down and up (everything is non-negative).
    let (mut low, mut high) = (0.0f64, 0.0f64);
    for entry in entries {
        let money = ledger.approximate[entry.class as usize];
        // Weights count voters, fewer than 2^40 (see `Problem::new`): exact in an f64.
        let weight = entry.weight as f64;
        low += low_term(money.low) * weight;
        high += high_term(money.high) * weight;
        everyone_pays_the_share &= money.low >= up(share.high * Interval::from_integer(entry.satisfaction).high);
    }
    let Interval { low, high } = sum_bounds(low, high, entries.len());
    if everyone_pays_the_share {
        return Estimate::Price(share);
    }
    if high < cost_interval.low {
        return Estimate::Unaffordable;
    }
    if low < cost_interval.high {
        return Estimate::Unknown;
    }
    // Estimate ρ with midpoints, then certify a tight interval around it: F(x) = Σ w·min(money,
    // x·s) is increasing, so F(low) < cost proves low < ρ and cost ≤ F(high) proves ρ ≤ high.
    let Some(estimate) = newton_estimate(cost, entries, ledger) else {
        return Estimate::Unknown;
    };
    let certified = |below: bool| {
        [1e-15, 1e-13, 1e-11, 1e-9].into_iter().find_map(|relative| {
            if below {
                let low = estimate * (1.0 - relative);
                (payable(entries, ledger, low, true) < cost_interval.low).then_some(low)
            } else {
                let high = estimate * (1.0 + relative);
                (payable(entries, ledger, high, false) >= cost_interval.high).then_some(high)
            }
        })
    };
    let Some(low) = certified(true) else { return Estimate::Unknown };
    if estimate >= best_high {
        return Estimate::Price(Interval { low, high: f64::INFINITY });
    }
    match certified(false) {
        Some(high) => Estimate::Price(Interval { low, high }),
        None => Estimate::Unknown,
    }
}

/// What one pass at a price `x` establishes about a project's price ρ.
enum Dearer {
    /// Its supporters cannot pay its cost at any price.
    Unaffordable,
    /// ρ is above `x`, and at least this.
    Above(f64),
    /// ρ may be at most `x`.
    Unknown,
}

/// Whether a project's price is above `price`, from one pass over its supporter groups: an upper
/// bound on F(price) = Σ w·min(money, price·s) below the cost proves it. F is concave, so its
/// tangent at `price` lies above it: the slope bounds how fast F can still rise, and where that
/// line reaches the cost is a lower bound on ρ — tight when few groups switch to paying
/// everything they have between `price` and ρ.
fn dearer_than(cost: Interval, entries: &[Entry], ledger: &Ledger, price: f64) -> Dearer {
    let (paid, slope) = tangent(entries, ledger, price);
    if paid >= cost.low {
        return Dearer::Unknown;
    }
    if slope == 0 {
        return Dearer::Unaffordable;
    }
    // One step: a second would tighten the bound for another pass; only one step has been
    // measured (BENCHMARKS.md, issue 17).
    Dearer::Above(newton_step(cost, price, paid, slope))
}

/// At `price`: an upper bound on F(price), and one on F's right derivative there (the
/// satisfaction of every group that may still pay more).
fn tangent(entries: &[Entry], ledger: &Ledger, price: f64) -> (f64, i128) {
    let mut paid = 0.0f64;
    let mut slope: i128 = 0;
    for entry in entries {
        let money = ledger.approximate[entry.class as usize].high;
        let satisfaction = Interval::from_integer(entry.satisfaction);
        paid += high_term(money.min(up(price * satisfaction.high))) * entry.weight as f64;
        if money > down(price * satisfaction.low) {
            slope += entry.satisfaction * i128::from(entry.weight);
        }
    }
    (sum_bounds(paid, paid, entries.len()).high, slope)
}

/// Where the tangent at `price` reaches the cost: ρ ≥ price + (cost − F(price)) / slope, every
/// step rounded towards a smaller result (and never below `price`).
fn newton_step(cost: Interval, price: f64, paid: f64, slope: i128) -> f64 {
    let step = down(down(cost.low - paid) / Interval::from_integer(slope).high);
    down(price + step).max(price)
}

/// A float estimate of ρ, the root of F(x) = cost: Newton's method from below. F is concave,
/// piecewise linear and increasing, so every tangent lies above it: each step stays at or below
/// ρ and passes at least one kink (a group switching to paying everything it has), which makes
/// a few linear passes enough, with no sorting and no allocation.
fn newton_estimate(cost: i128, entries: &[Entry], ledger: &Ledger) -> Option<f64> {
    let target = approximate(cost);
    let total_satisfaction: f64 =
        entries.iter().map(|entry| approximate(entry.satisfaction) * entry.weight as f64).sum();
    let mut estimate = target / total_satisfaction;
    for _ in 0..=entries.len() {
        let mut paid = 0.0;
        let mut slope = 0.0;
        for entry in entries {
            let money = ledger.approximate[entry.class as usize].middle();
            let satisfaction = approximate(entry.satisfaction);
            let weight = entry.weight as f64;
            if money <= estimate * satisfaction {
                paid += money * weight;
            } else {
                paid += estimate * satisfaction * weight;
                slope += satisfaction * weight;
            }
        }
        let step = (target - paid) / slope;
        if step.is_nan() || step <= estimate * f64::EPSILON {
            break;
        }
        estimate += step;
    }
    (estimate.is_finite() && estimate > 0.0).then_some(estimate)
}

/// A tighter interval for the price of the bought project: with the partition into those who
/// pay everything and those who pay `ρ·s` certain, ρ = (cost − money of the former) / (total
/// satisfaction of the latter), evaluated on intervals.
pub(super) fn tighten_price(cost: i128, entries: &[Entry], ledger: &Ledger, interval: Interval) -> Interval {
    let mut poor_money = Interval::ZERO;
    let mut rich_satisfaction: i128 = 0;
    for entry in entries {
        let per_satisfaction = ledger.approximate[entry.class as usize].div(Interval::from_integer(entry.satisfaction));
        if per_satisfaction.high < interval.low {
            poor_money = poor_money
                .add(ledger.approximate[entry.class as usize].mul(Interval::from_integer(i128::from(entry.weight))));
        } else if per_satisfaction.low > interval.high {
            rich_satisfaction += entry.satisfaction * i128::from(entry.weight);
        } else {
            return interval;
        }
    }
    if rich_satisfaction <= 0 {
        return interval;
    }
    let tight = Interval::from_integer(cost).sub(poor_money).div(Interval::from_integer(rich_satisfaction));
    Interval { low: tight.low.max(interval.low), high: tight.high.min(interval.high) }
}

/// The exact price of a project whose price is known to lie in `interval`.
///
/// Supporters whose money per satisfaction is certainly below the interval pay everything they
/// have; those certainly above pay `ρ·s`; only the few in between are sorted exactly. The result
/// is then checked exactly (it solves the price equation, whose root is unique); if not, or with
/// no interval, all groups are sorted exactly — the plain sweep.
pub(super) fn exact_price_within(
    ledger: &mut Ledger,
    cost: i128,
    entries: &[Entry],
    interval: Interval,
) -> Option<BigRational> {
    // Everyone able to pay the full share of `cost / total satisfaction`: that is the price, with
    // no big-rational sweep (common: with cost satisfaction it is 1 / number of supporters).
    let total_satisfaction: i128 = entries.iter().map(|entry| entry.satisfaction * i128::from(entry.weight)).sum();
    if total_satisfaction > 0 {
        let rho = Interval::from_integer(cost).div(Interval::from_integer(total_satisfaction));
        let everyone_pays_the_share = entries.iter().all(|entry| {
            ledger.approximate[entry.class as usize].low >= rho.mul(Interval::from_integer(entry.satisfaction)).high
        });
        if everyone_pays_the_share {
            return Some(Exact::ratio(cost, total_satisfaction).value());
        }
    }
    // A price that solves the equation exactly is the price (the root is unique), wherever the
    // partial sweep found it.
    if let Some(rho) = sweep(ledger, cost, entries, interval)
        && solves(ledger, cost, entries, &rho)
    {
        return Some(rho);
    }
    sweep(ledger, cost, entries, Interval::EVERYTHING)
}

/// The MES sweep over supporter groups sorted by money per satisfaction, with the groups
/// certainly below `interval` taken as paying everything without sorting them.
pub(super) fn sweep(ledger: &mut Ledger, cost: i128, entries: &[Entry], interval: Interval) -> Option<BigRational> {
    let mut poor_money = BigRational::zero();
    let mut remaining_satisfaction: i128 =
        entries.iter().map(|entry| entry.satisfaction * i128::from(entry.weight)).sum();
    let mut undecided: Vec<(Entry, BigRational)> = Vec::new();
    for entry in entries {
        let per_satisfaction = ledger.approximate[entry.class as usize].div(Interval::from_integer(entry.satisfaction));
        if per_satisfaction.high < interval.low {
            poor_money += ledger.exact_money(entry.class) * rational(i128::from(entry.weight));
            remaining_satisfaction -= entry.satisfaction * i128::from(entry.weight);
        } else if per_satisfaction.low <= interval.high {
            undecided.push((*entry, ledger.exact_money(entry.class)));
        }
    }
    undecided.sort_by(|(first, first_money), (second, second_money)| {
        (first_money * rational(second.satisfaction)).cmp(&(second_money * rational(first.satisfaction)))
    });
    let mut remaining_cost = rational(cost) - poor_money;
    for (entry, budget) in undecided {
        if remaining_satisfaction <= 0 {
            return None;
        }
        // ρ = remaining cost / remaining satisfaction is affordable to this group if ρ·s ≤ money.
        if &remaining_cost * rational(entry.satisfaction) <= &budget * rational(remaining_satisfaction) {
            return Some(remaining_cost / rational(remaining_satisfaction));
        }
        remaining_cost -= budget * rational(i128::from(entry.weight));
        remaining_satisfaction -= entry.satisfaction * i128::from(entry.weight);
    }
    (remaining_satisfaction > 0 && !remaining_cost.is_negative())
        .then(|| remaining_cost / rational(remaining_satisfaction))
}

/// Whether `rho` solves Σ w·min(money, ρ·s) = cost exactly; the solution is unique because the
/// left side strictly increases in ρ while someone pays the full share.
pub(super) fn solves(ledger: &mut Ledger, cost: i128, entries: &[Entry], rho: &BigRational) -> bool {
    let rho_interval = Interval::from_rational(rho);
    let mut total = BigRational::zero();
    let mut rich_satisfaction: i128 = 0;
    for entry in entries {
        let per_satisfaction = ledger.approximate[entry.class as usize].div(Interval::from_integer(entry.satisfaction));
        let poor = if per_satisfaction.high < rho_interval.low {
            true
        } else if per_satisfaction.low > rho_interval.high {
            false
        } else {
            ledger.exact_money(entry.class) < rho * rational(entry.satisfaction)
        };
        if poor {
            total += ledger.exact_money(entry.class) * rational(i128::from(entry.weight));
        } else {
            rich_satisfaction += entry.satisfaction * i128::from(entry.weight);
        }
    }
    rich_satisfaction > 0 && total + rho * rational(rich_satisfaction) == rational(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgeting::rules::equal_shares::ledger::Origin;
    use proptest::prelude::*;

    /// A ledger whose classes hold exactly the given amounts, and one entry per class.
    fn groups(amounts: &[(u64, i64, u64)]) -> (Ledger, Vec<Entry>) {
        let mut ledger = Ledger::new(&BigRational::zero(), amounts.len(), 0);
        let mut entries = Vec::new();
        for &(money, satisfaction, weight) in amounts {
            let value = rational(i128::from(money));
            let class = ledger.push(Origin::Initial, Interval::from_rational(&value));
            ledger.exact[class as usize] = Some(value);
            entries.push(Entry { class, satisfaction: i128::from(satisfaction), weight });
        }
        (ledger, entries)
    }

    proptest! {
        /// One pass at a price proves the project dearer only when it is, and the bound it
        /// gives never passes the exact price; well below the price it always proves it.
        #[test]
        fn dearer_than_bounds_the_exact_price(
            amounts in prop::collection::vec((0u64..10_000, 1i64..50, 1u64..20), 1..12),
            cost in 1i128..200_000,
            factor in 0.0f64..2.0,
        ) {
            let (mut ledger, entries) = groups(&amounts);
            let exact = sweep(&mut ledger, cost, &entries, Interval::EVERYTHING);
            let price = match &exact {
                Some(rho) => Interval::from_rational(rho).middle() * factor,
                None => factor * 1_000.0,
            };
            let cost_interval = Interval::from_integer(cost);
            match (dearer_than(cost_interval, &entries, &ledger, price), &exact) {
                (Dearer::Unaffordable, exact) => prop_assert!(exact.is_none(), "affordable at {exact:?}"),
                (Dearer::Above(low), Some(rho)) => {
                    let price = BigRational::from_float(price).expect("finite");
                    let low = BigRational::from_float(low).expect("finite");
                    prop_assert!(&price < rho && price <= low && &low <= rho, "{price} ≤ {low} ≤ {rho} fails");
                }
                // No price buys it: every bound holds.
                (Dearer::Above(low), None) => prop_assert!(low >= price),
                (Dearer::Unknown, Some(_)) => prop_assert!(factor > 0.9, "nothing proven at {factor} × the price"),
                (Dearer::Unknown, None) => prop_assert!(false, "an unaffordable project not recognised"),
            }
        }
    }
}
