//! How far the voters' initial budget can grow before an equal-shares run could change.

use super::Prepared;
use super::ledger::{Aggregator, Entry, Ledger};
use crate::budgeting::rules::interval::Interval;
use crate::budgeting::rules::problem::Problem;
use std::cmp::Ordering;

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

/// A lower bound on how far every voter's initial budget can grow before a comparison of this
/// round could change, and the slope ρ' of the round's price in that growth.
///
/// With money linear in the growth `t`, the bought project's price is `ρ(t) = ρ + ρ'·t` as long
/// as the same supporters pay everything they have (the "poor") and the others pay `ρ·s`; that
/// partition must hold. Another project `p` is not preferred to the bought one while
/// `G_p(t) = Σ w·min(money(t), ρ(t)·s)`, the most its supporters could pay at price `ρ(t)`, stays
/// at most its cost. `G_p` is concave in `t` (a sum of minima of linear functions), so its
/// tangent at `t = 0` bounds it from above and the tangent's crossing of the cost is a safe,
/// never too late, horizon. Slopes are kept as intervals, which only makes bounds safer.
#[expect(clippy::too_many_arguments, reason = "the pieces of one round's state, used only here")]
pub(super) fn round_horizon(
    problem: &Problem,
    prepared: &Prepared,
    ballot_class: &[u32],
    ledger: &mut Ledger,
    round: u32,
    chosen: usize,
    entries: &[Entry],
    not_selected: &[usize],
    aggregator: &mut Aggregator,
) -> (Option<f64>, Interval) {
    let rho = ledger.rounds.get(round as usize).map_or(Interval::ZERO, |record| record.rho_interval);
    let mut horizon: Option<f64> = None;
    let mut rich_satisfaction: i128 = 0;
    let mut poor_slope = Interval::ZERO;
    let mut gaps: Vec<(Entry, Ordering)> = Vec::with_capacity(entries.len());
    for entry in entries {
        let side = ledger.compare_with_due(entry.class, rho, &mut |ledger| ledger.exact_rho(round), entry.satisfaction);
        if side == Ordering::Less {
            poor_slope = poor_slope.add(
                ledger.approximate_slope[entry.class as usize].mul(Interval::from_integer(i128::from(entry.weight))),
            );
        } else {
            rich_satisfaction += entry.satisfaction * i128::from(entry.weight);
        }
        gaps.push((*entry, side));
    }
    let rho_slope = if rich_satisfaction > 0 {
        Interval::ZERO.sub(poor_slope).div(Interval::from_integer(rich_satisfaction))
    } else {
        Interval::ZERO
    };
    for (entry, side) in gaps {
        let satisfaction = Interval::from_integer(entry.satisfaction);
        let gap = ledger.approximate[entry.class as usize].sub(rho.mul(satisfaction));
        let gap_slope = ledger.approximate_slope[entry.class as usize].sub(rho_slope.mul(satisfaction));
        let crossing = match side {
            // Pays everything: stays so until its money catches up with its share.
            Ordering::Less => (gap_slope.high > 0.0).then(|| lower_crossing(-gap.high, gap_slope.high)),
            // Pays exactly its share: any decrease would make it pay everything right away.
            Ordering::Equal => (gap_slope.low < 0.0).then_some(0.0),
            Ordering::Greater => (gap_slope.low < 0.0).then(|| lower_crossing(gap.low, -gap_slope.low)),
        };
        horizon = minimum(horizon, crossing);
    }
    for &project in not_selected {
        if project == chosen {
            continue;
        }
        let total = Interval::from_integer(prepared.total_satisfaction.get(project).copied().unwrap_or(0));
        let cost = Interval::from_integer(problem.cost(project));
        // ρ(t) never rises above ρ and no price is below cost / total satisfaction.
        if cost.low > rho.mul(total).high {
            continue;
        }
        let mut reachable = Interval::ZERO;
        let mut reachable_slope = Interval::ZERO;
        for entry in aggregator.entries(prepared, ballot_class, ledger.classes(), project) {
            let class = entry.class as usize;
            let weight = Interval::from_integer(i128::from(entry.weight));
            let satisfaction = Interval::from_integer(entry.satisfaction);
            let due = rho.mul(satisfaction);
            let due_slope = rho_slope.mul(satisfaction);
            let own = ledger.approximate[class];
            let own_slope = ledger.approximate_slope[class];
            // Upper bounds of this group's term and of its right derivative at t = 0.
            let (value, slope) = if own.high < due.low {
                (own.high, own_slope.high)
            } else if own.low > due.high {
                (due.high, due_slope.high)
            } else {
                (own.high.min(due.high), own_slope.high.max(due_slope.high))
            };
            reachable = reachable.add(Interval { low: value, high: value }.mul(weight));
            reachable_slope = reachable_slope.add(Interval { low: slope, high: slope }.mul(weight));
        }
        if reachable_slope.high > 0.0 {
            let gap = cost.sub(Interval { low: reachable.high, high: reachable.high }).low;
            horizon = minimum(horizon, Some(lower_crossing(gap, reachable_slope.high)));
        }
    }
    (horizon, rho_slope)
}
