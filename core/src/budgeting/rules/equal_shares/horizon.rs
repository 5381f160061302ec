//! How far the voters' initial budget can grow before an equal-shares run could decide
//! differently.
//!
//! Let every voter's initial budget grow by `t ≥ 0`. As long as the run buys the same projects
//! in the same order, these hold after every round:
//! - **monotonicity**: every voter's money is at least what it is at `t = 0` — more money never
//!   raises a price, and a payer keeps `max(0, money − ρ·s)`, which grows with money and falls
//!   with ρ;
//! - **conservation**: all voters together hold exactly `N·t` more (`N` voters), since each
//!   round spends exactly the bought project's cost;
//! - **growth**: a money class holds at most `g·t` more, where `g` starts at 1 and each round a
//!   class pays in adds `s·d` (its satisfaction times the round's *price drop rate* `d`): with
//!   the round's price at most `d·t` lower, a payer keeps at most `s·d·t` more than its extra
//!   money before. `d = D / σ`, where `D ≤ min(N, Σ w·g)` bounds how fast the supporters' extra
//!   money grows and `σ` is the total satisfaction of the supporters who pay the full share `ρ·s`
//!   (the slope of `Σ w·min(money, ρ·s)` just below ρ; that sum is concave in ρ, so its price
//!   falls by at most the extra money over σ).
//!
//! Another project `p` could only be preferred to the bought one (whose price ρ can only fall)
//! if its supporters could pay its cost at price ρ: `Σ w·min(money, ρ·s) ≥ cost`. Today they fall
//! short by `gap`; only supporters below their share `ρ·s` can pay more, by at most their growth
//! and never beyond the share: the decision holds while `t · min(N, Σ_poor w·g) < gap`, and for
//! ever if all of them reaching their share still leaves a gap. At the end, every project left
//! out stays unaffordable while its supporters' money plus their growth stays below its cost.
//!
//! Money classes that merely switch between paying their share and paying all they have do not
//! stop the horizon: on Budapest 2024 such switches happen with nearly every currency unit,
//! while the projects bought change only every hundred units or so.

use super::Prepared;
use super::ledger::{Aggregator, Entry, Ledger};
use crate::budgeting::rules::interval::Interval;
use crate::budgeting::rules::problem::Problem;

/// A lower bound on `gap / slope` for a positive `slope`, never negative.
pub(super) fn lower_crossing(gap: f64, slope: f64) -> f64 {
    if gap.is_nan() || gap <= 0.0 || slope.is_nan() { 0.0 } else { (gap / slope).next_down().max(0.0) }
}

pub(super) fn minimum(current: Option<f64>, candidate: Option<f64>) -> Option<f64> {
    match (current, candidate) {
        (Some(current), Some(candidate)) => Some(current.min(candidate)),
        (current, None) => current,
        (None, candidate) => candidate,
    }
}

fn point(value: f64) -> Interval {
    Interval { low: value, high: value }
}

/// How fast money reaching a group of supporters can grow: their growth, and never more than
/// all voters' together.
fn growth_rate(problem: &Problem, growth: Interval) -> f64 {
    growth.high.min(Interval::from_integer(i128::from(problem.voter_count)).high)
}

/// A lower bound (in scaled money per voter) on the growth of every voter's initial budget
/// before another project than `chosen` could be bought in `round`; `None` means never.
#[expect(clippy::too_many_arguments, reason = "the pieces of one round's state, used only here")]
pub(super) fn decision_horizon(
    problem: &Problem,
    prepared: &Prepared,
    ballot_class: &[u32],
    ledger: &Ledger,
    round: u32,
    chosen: usize,
    not_selected: &[usize],
    aggregator: &mut Aggregator,
) -> Option<f64> {
    let rho = ledger.rounds.get(round as usize).map_or(Interval::ZERO, |record| record.rho_interval);
    let mut horizon = None;
    for &project in not_selected {
        if project == chosen {
            continue;
        }
        let cost = Interval::from_integer(problem.cost(project));
        let total = Interval::from_integer(prepared.total_satisfaction.get(project).copied().unwrap_or(0));
        // Whatever their money, its supporters pay at most ρ × its total satisfaction at price ρ.
        if cost.low > rho.mul(total).high {
            continue;
        }
        let mut payable = Interval::ZERO;
        let mut headroom = Interval::ZERO;
        let mut growth = Interval::ZERO;
        for entry in aggregator.entries(prepared, ballot_class, ledger.classes(), project) {
            let weight = Interval::from_integer(i128::from(entry.weight));
            let due = rho.mul(Interval::from_integer(entry.satisfaction));
            let money = ledger.approximate[entry.class as usize];
            payable = payable.add(money.min(due).mul(weight));
            let room = due.sub(money).high;
            if room > 0.0 {
                headroom = headroom.add(point(room).mul(weight));
                growth = growth.add(point(ledger.growth[entry.class as usize]).mul(weight));
            }
        }
        let gap = cost.sub(payable).low;
        if headroom.high < gap {
            continue;
        }
        let rate = growth_rate(problem, growth);
        horizon = minimum(horizon, Some(if rate > 0.0 { lower_crossing(gap, rate) } else { f64::INFINITY }));
    }
    horizon
}

/// An upper bound on how fast the price of the round's project (bought from `entries` at
/// `rho`) falls as every initial budget grows.
pub(super) fn price_drop_rate(problem: &Problem, entries: &[Entry], ledger: &Ledger, rho: Interval) -> f64 {
    let mut full_payers = Interval::ZERO;
    let mut growth = Interval::ZERO;
    for entry in entries {
        let weight = Interval::from_integer(i128::from(entry.weight));
        let satisfaction = Interval::from_integer(entry.satisfaction);
        let money = ledger.approximate[entry.class as usize];
        // Only those certain to pay their full share count towards σ: fewer only lowers σ.
        if money.low >= rho.mul(satisfaction).high {
            full_payers = full_payers.add(satisfaction.mul(weight));
        }
        growth = growth.add(point(ledger.growth[entry.class as usize]).mul(weight));
    }
    if full_payers.low <= 0.0 {
        return f64::INFINITY;
    }
    point(growth_rate(problem, growth)).div(full_payers).high
}

/// A lower bound on the growth before a project left out at the end of a run becomes
/// affordable for its supporters, whose money is `money` today and grows at most at `growth`.
pub(super) fn affordability_horizon(problem: &Problem, project: usize, money: Interval, growth: f64) -> Option<f64> {
    let gap = Interval::from_integer(problem.cost(project)).sub(money).low;
    let rate = growth_rate(problem, point(growth));
    Some(if rate > 0.0 { lower_crossing(gap, rate) } else { f64::INFINITY })
}
