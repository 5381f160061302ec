//! Sequential Phragmén: voters earn money continuously; a project is bought as soon as its
//! supporters can pay for it together, and the rule stops when the next project to be bought
//! would exceed the budget (pabutools' variant, which does not skip).
//!
//! All supporters of a bought project end with the same load, so there is one load class per
//! round. Speed without giving up exactness:
//! - a project's next load is estimated on an interval from its supporters' classes, and only
//!   when it could matter: loads only grow, so an estimate made in an earlier round still bounds
//!   the project's load from below, and each round recomputes only the projects whose bound is
//!   below the best estimate found (most projects' supporters have not moved, or their bound is
//!   far off);
//! - only when the estimates of the cheapest projects overlap (ties, near-ties) are loads
//!   computed exactly, lazily, from how each class arose (the bought project's cost, its
//!   supporters and their classes then): big-rational arithmetic, whose denominators grow with
//!   every round, is done only where a decision needs it.

use crate::budgeting::explain::Reason;
use crate::budgeting::rules::interval::{Interval, high_term, low_term, sum_bounds};
use crate::budgeting::rules::problem::Problem;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use std::cmp::Ordering;
use std::ops::Range;

/// What the rule selects and why.
pub(crate) struct PhragmenResult {
    pub selected: Vec<usize>,
    pub reasons: Vec<(usize, Reason)>,
}

fn rational(value: i128) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

/// How a load class arose: its supporters bought a project of `cost` together (`score` of
/// them), coming from the classes in `weights` (class, number of supporters; a range of
/// [`Loads::weights`]).
struct ClassOrigin {
    cost: i128,
    score: u64,
    weights: Range<usize>,
}

/// Loads of the classes: as intervals, exactly where computed, and how each arose.
struct Loads {
    approximate: Vec<Interval>,
    exact: Vec<Option<BigRational>>,
    /// `None` for the initial class (load 0).
    origin: Vec<Option<ClassOrigin>>,
    /// The `(class, weight)` pairs of every origin, one after the other.
    weights: Vec<(usize, u64)>,
}

impl Loads {
    /// The load a project's supporters would reach by buying it, on intervals: `(cost + Σ
    /// weight × load) / score` over its supporters' current classes.
    fn estimate(
        &self,
        cost: i128,
        per_supporter: Interval,
        supporters: &[(usize, u64)],
        ballot_class: &[usize],
    ) -> Interval {
        Interval::from_integer(cost).add(self.weighted_sum(supporters, ballot_class)).times_positive(per_supporter)
    }

    /// `Σ weight × load` over supporters, on an interval: a plain float sum with an error
    /// bound ([`sum_bounds`]) rather than rounding outwards at every step.
    fn weighted_sum(&self, supporters: &[(usize, u64)], ballot_class: &[usize]) -> Interval {
        let (mut low, mut high) = (0.0f64, 0.0f64);
        for &(ballot, weight) in supporters {
            let load = self.approximate[ballot_class[ballot]];
            let weight = weight as f64;
            low += low_term(load.low) * weight;
            high += high_term(load.high) * weight;
        }
        sum_bounds(low, high, supporters.len())
    }

    /// The same, exactly.
    fn exact(&mut self, cost: i128, score: u64, weights: &[(usize, u64)]) -> BigRational {
        for &(class, _) in weights {
            self.ensure_exact(class);
        }
        self.exact_of_known(cost, score, weights)
    }

    /// The exact load from classes whose exact loads are known.
    fn exact_of_known(&self, cost: i128, score: u64, weights: &[(usize, u64)]) -> BigRational {
        let mut total = rational(cost);
        for &(class, weight) in weights {
            if let Some(Some(load)) = self.exact.get(class) {
                total += load * rational(i128::from(weight));
            }
        }
        total / rational(i128::from(score))
    }

    /// Computes the exact load of a class from its origin (and its origin's classes, first) and
    /// caches it. Iterative: a chain of classes is as long as the rounds.
    fn ensure_exact(&mut self, class: usize) {
        let mut pending = vec![class];
        while let Some(&next) = pending.last() {
            if self.exact[next].is_some() {
                pending.pop();
                continue;
            }
            let before = pending.len();
            if let Some(origin) = &self.origin[next] {
                let missing = self.weights[origin.weights.clone()].iter().map(|&(c, _)| c);
                pending.extend(missing.filter(|&c| self.exact[c].is_none()));
            }
            if pending.len() > before {
                continue;
            }
            let value = match &self.origin[next] {
                None => BigRational::zero(),
                Some(origin) => self.exact_of_known(origin.cost, origin.score, &self.weights[origin.weights.clone()]),
            };
            self.approximate[next] = Interval::from_rational(&value);
            self.exact[next] = Some(value);
            pending.pop();
        }
    }
}

/// Appends the weight of a project's supporters in each load class (nonzero only) to `weights`,
/// from the ballots' classes; `by_class` is scratch space.
fn class_weights(
    supporters: &[(usize, u64)],
    ballot_class: &[usize],
    by_class: &mut Vec<u64>,
    weights: &mut Vec<(usize, u64)>,
) {
    let start = weights.len();
    for &(ballot, weight) in supporters {
        let class = ballot_class[ballot];
        if by_class.len() <= class {
            by_class.resize(class + 1, 0);
        }
        if by_class[class] == 0 {
            weights.push((class, 0));
        }
        by_class[class] += weight;
    }
    for (class, weight) in &mut weights[start..] {
        *weight = std::mem::take(&mut by_class[*class]);
    }
}

/// Runs sequential Phragmén on an approval problem (every entry of a ballot is an approval).
pub(crate) fn phragmen(problem: &Problem) -> PhragmenResult {
    let project_count = problem.project_count();
    // Supporters as `(ballot, weight)`: the estimates read both for every supporter.
    let supporters = problem.by_project(|index, _| Some((index, problem.weight_of(index))));
    let approval_score = supporters.totals(|&(_, weight)| weight);
    // Scores count voters, fewer than 2^40 (see `Problem::new`): exact in an f64.
    let per_supporter: Vec<Interval> =
        approval_score.iter().map(|&score| Interval::reciprocal(score.max(1) as f64)).collect();
    // One load class per bought project, plus the initial one: no vector below reallocates.
    let classes = project_count + 1;
    let mut loads = Loads {
        approximate: Vec::with_capacity(classes),
        exact: Vec::with_capacity(classes),
        origin: Vec::with_capacity(classes),
        weights: Vec::with_capacity(classes * 4),
    };
    loads.approximate.push(Interval::ZERO);
    loads.exact.push(Some(BigRational::zero()));
    loads.origin.push(None);
    let mut ballot_class: Vec<usize> = vec![0; problem.ballots.len()];
    // Every project's estimate, current unless `stale` (a supporter changed class since). Loads
    // only grow, so a stale estimate's lower end still bounds the project's load from below:
    // only projects whose bound could beat the best estimate of a round are recomputed.
    let mut estimates: Vec<Interval> = (0..project_count)
        .map(|project| Interval::from_integer(problem.cost(project)).times_positive(per_supporter[project]))
        .collect();
    let mut stale = vec![false; project_count];
    let estimate = |loads: &Loads, ballot_class: &[usize], project: usize| {
        loads.estimate(problem.cost(project), per_supporter[project], supporters.of(project), ballot_class)
    };
    // Projects nobody approves have an infinite load: they only come last.
    let (mut supported, mut unsupported): (Vec<usize>, Vec<usize>) = (0..project_count)
        .filter(|&project| problem.cost(project) <= problem.budget)
        .partition(|&project| approval_score[project] > 0);
    let mut spent = 0i128;
    let mut selected = Vec::with_capacity(project_count);
    let mut reasons: Vec<(usize, Reason)> = Vec::with_capacity(project_count);
    let mut round = 0usize;
    let mut by_class: Vec<u64> = Vec::with_capacity(classes + 1);
    let mut contenders: Vec<usize> = Vec::with_capacity(project_count);
    let mut tied: Vec<usize> = Vec::with_capacity(project_count);
    let mut scratch_weights: Vec<(usize, u64)> = Vec::new();
    loop {
        round += 1;
        let mut chosen_load: Option<Interval> = None;
        let mut chosen_exact: Option<BigRational> = None;
        tied.clear();
        if supported.is_empty() {
            if unsupported.is_empty() {
                break;
            }
            tied.extend_from_slice(&unsupported);
        } else {
            supported.sort_unstable_by(|&first, &second| estimates[first].low.total_cmp(&estimates[second].low));
            let mut best_high = f64::INFINITY;
            contenders.clear();
            for &project in &supported {
                if estimates[project].low > best_high {
                    break;
                }
                if stale[project] {
                    estimates[project] = estimate(&loads, &ballot_class, project);
                    stale[project] = false;
                }
                best_high = best_high.min(estimates[project].high);
                contenders.push(project);
            }
            contenders.retain(|&project| estimates[project].low <= best_high);
            if let [only] = contenders.as_slice() {
                chosen_load = Some(estimates[*only]);
                tied.push(*only);
            } else {
                // Overlapping intervals: compare exactly; every project at the minimum is tied.
                let mut minimum: Option<BigRational> = None;
                for &project in &contenders {
                    scratch_weights.clear();
                    class_weights(supporters.of(project), &ballot_class, &mut by_class, &mut scratch_weights);
                    let load = loads.exact(problem.cost(project), approval_score[project], &scratch_weights);
                    match minimum.as_ref().map(|minimum| load.cmp(minimum)) {
                        None | Some(Ordering::Less) => {
                            minimum = Some(load);
                            tied.clear();
                            tied.push(project);
                        }
                        Some(Ordering::Equal) => tied.push(project),
                        Some(Ordering::Greater) => {}
                    }
                }
                chosen_load = minimum.as_ref().map(Interval::from_rational);
                chosen_exact = minimum;
            }
        }
        // pabutools stops as soon as any project tied for the lowest load does not fit.
        if tied.iter().any(|&project| spent + problem.cost(project) > problem.budget) {
            break;
        }
        let Some(chosen) = tied.iter().copied().min_by_key(|&project| problem.rank_of(project)) else {
            break;
        };
        selected.push(chosen);
        spent += problem.cost(chosen);
        if approval_score[chosen] == 0 {
            // Bought without changing anyone's load.
            unsupported.retain(|&project| project != chosen);
            reasons.push((chosen, Reason::NoSupporters));
            continue;
        }
        supported.retain(|&project| project != chosen);
        let load = chosen_load.unwrap_or(estimates[chosen]);
        let new_class = loads.approximate.len();
        let origin_start = loads.weights.len();
        // The new class's origin: where its members came from.
        class_weights(supporters.of(chosen), &ballot_class, &mut by_class, &mut loads.weights);
        loads.approximate.push(load);
        loads.exact.push(chosen_exact);
        loads.origin.push(Some(ClassOrigin {
            cost: problem.cost(chosen),
            score: approval_score[chosen],
            weights: origin_start..loads.weights.len(),
        }));
        for &(ballot, _) in supporters.of(chosen) {
            ballot_class[ballot] = new_class;
            if let Some(ballot) = problem.ballots.get(ballot) {
                for &(project, _) in problem.entries(ballot) {
                    if let Some(flag) = stale.get_mut(project as usize) {
                        *flag = true;
                    }
                }
            }
        }
        let load = problem.approximate_money(load.middle());
        reasons.push((chosen, Reason::PhragmenBought { round, load }));
    }
    for (project, &score) in approval_score.iter().enumerate() {
        if !selected.contains(&project) {
            let next_load =
                (score > 0).then(|| problem.approximate_money(estimate(&loads, &ballot_class, project).middle()));
            reasons.push((project, Reason::PhragmenNotBought { next_load, stopped_at_round: round }));
        }
    }
    PhragmenResult { selected, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgeting::rules::interval::contains;
    use proptest::prelude::*;

    proptest! {
        /// The float sum with an error bound contains the exact sum of weighted loads, whatever
        /// the classes' loads and the supporters' weights. The loads are floats taken as exact
        /// points, so that nothing but the bound covers the sum's rounding.
        #[test]
        fn weighted_sums_contain_the_exact_sum(
            class_loads in prop::collection::vec(0.0f64..1e9, 1..6),
            supporters in prop::collection::vec((0usize..6, 1u64..(1 << 40)), 1..40),
        ) {
            let loads = Loads {
                approximate: class_loads.iter().map(|&load| Interval { low: load, high: load }).collect(),
                exact: class_loads.iter().map(|&load| BigRational::from_float(load)).collect(),
                origin: class_loads.iter().map(|_| None).collect(),
                weights: Vec::new(),
            };
            let ballot_class: Vec<usize> = (0..6).map(|ballot| ballot % class_loads.len()).collect();
            let mut total = BigRational::zero();
            for &(ballot, weight) in &supporters {
                if let Some(Some(load)) = loads.exact.get(ballot_class[ballot]) {
                    total += load * rational(i128::from(weight));
                }
            }
            let sum = loads.weighted_sum(&supporters, &ballot_class);
            prop_assert!(contains(sum, &total), "{sum:?} does not contain {total}");
        }
    }
}
