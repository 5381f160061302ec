//! Sequential Phragmén: voters earn money continuously; a project is bought as soon as its
//! supporters can pay for it together, and the rule stops when the next project to be bought
//! would exceed the budget (pabutools' variant, which does not skip).
//!
//! All supporters of a bought project end with the same load, so there is one load class per
//! round. Speed without giving up exactness:
//! - each project keeps the sum of its supporters' loads as an [`Interval`], updated as
//!   supporters change class, so its next load is estimated in constant time each round;
//! - only when the estimates of the cheapest projects overlap (ties, near-ties) are loads
//!   computed exactly, lazily, from how each class arose (the bought project's cost, its
//!   supporters and their classes then): big-rational arithmetic, whose denominators grow with
//!   every round, is done only where a decision needs it.

use crate::budgeting::explain::Reason;
use crate::budgeting::rules::interval::Interval;
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

/// Loads of the classes (as intervals, exactly where computed, and how each arose) and, per
/// project, the interval sum of its supporters' loads.
struct Loads {
    approximate: Vec<Interval>,
    exact: Vec<Option<BigRational>>,
    /// `None` for the initial class (load 0).
    origin: Vec<Option<ClassOrigin>>,
    /// The `(class, weight)` pairs of every origin, one after the other.
    weights: Vec<(usize, u64)>,
    /// Per project, `Σ weight × load` over its supporters' classes, as an interval.
    sums: Vec<Interval>,
    /// Per project, `1 / approval score` (a multiplication is cheaper than a division; an
    /// unsupported project's is never used).
    per_supporter: Vec<Interval>,
}

impl Loads {
    /// The load the project's supporters would reach by buying it, on intervals.
    fn estimate(&self, problem: &Problem, project: usize) -> Interval {
        Interval::from_integer(problem.cost(project))
            .add(self.sums[project])
            .times_positive(self.per_supporter[project])
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
/// from the ballots' classes; `by_class` is scratch space. Only exact comparisons need it (a
/// class's origin is summed while its members move).
fn class_weights(
    problem: &Problem,
    supporters: &[usize],
    ballot_class: &[usize],
    by_class: &mut Vec<u64>,
    weights: &mut Vec<(usize, u64)>,
) {
    let start = weights.len();
    for &ballot in supporters {
        let class = ballot_class[ballot];
        if by_class.len() <= class {
            by_class.resize(class + 1, 0);
        }
        if by_class[class] == 0 {
            weights.push((class, 0));
        }
        by_class[class] += problem.weight_of(ballot);
    }
    for (class, weight) in &mut weights[start..] {
        *weight = std::mem::take(&mut by_class[*class]);
    }
}

/// Runs sequential Phragmén on an approval problem (every entry of a ballot is an approval).
pub(crate) fn phragmen(problem: &Problem) -> PhragmenResult {
    let project_count = problem.project_count();
    let supporters = problem.by_project(|index, _| Some(index));
    let approval_score = supporters.totals(|&ballot| problem.weight_of(ballot));
    // One load class per bought project, plus the initial one: no vector below reallocates.
    let classes = project_count + 1;
    let mut loads = Loads {
        approximate: Vec::with_capacity(classes),
        exact: Vec::with_capacity(classes),
        origin: Vec::with_capacity(classes),
        weights: Vec::with_capacity(classes * 4),
        sums: vec![Interval::ZERO; project_count],
        // Scores count voters, fewer than 2^40 (see `Problem::new`): exact in an f64.
        per_supporter: approval_score.iter().map(|&score| Interval::reciprocal(score.max(1) as f64)).collect(),
    };
    loads.approximate.push(Interval::ZERO);
    loads.exact.push(Some(BigRational::zero()));
    loads.origin.push(None);
    let mut ballot_class: Vec<usize> = vec![0; problem.ballots.len()];
    let mut remaining: Vec<usize> =
        (0..project_count).filter(|&project| problem.cost(project) <= problem.budget).collect();
    let mut spent = 0i128;
    let mut selected = Vec::with_capacity(project_count);
    let mut reasons: Vec<(usize, Reason)> = Vec::with_capacity(project_count);
    let mut round = 0usize;
    let mut moved = vec![0u64; project_count];
    let mut touched: Vec<usize> = Vec::with_capacity(project_count);
    let mut movers: Vec<(usize, usize)> = Vec::new();
    let mut class_counts: Vec<usize> = Vec::with_capacity(classes + 1);
    let mut by_class: Vec<u64> = Vec::with_capacity(classes + 1);
    let mut estimates: Vec<(usize, Interval)> = Vec::with_capacity(remaining.len());
    let mut tied: Vec<usize> = Vec::with_capacity(project_count);
    let mut scratch_weights: Vec<(usize, u64)> = Vec::new();
    loop {
        round += 1;
        if remaining.is_empty() {
            break;
        }
        // Projects nobody approves have an infinite load: they only come last.
        estimates.clear();
        estimates.extend(
            remaining
                .iter()
                .filter(|&&project| approval_score[project] > 0)
                .map(|&project| (project, loads.estimate(problem, project))),
        );
        let mut chosen_load: Option<Interval> = None;
        let mut chosen_exact: Option<BigRational> = None;
        tied.clear();
        if estimates.is_empty() {
            tied.extend_from_slice(&remaining);
        } else {
            let best_high = estimates.iter().map(|(_, estimate)| estimate.high).fold(f64::INFINITY, f64::min);
            estimates.retain(|(_, estimate)| estimate.low <= best_high);
            if let [(only, estimate)] = estimates.as_slice() {
                chosen_load = Some(*estimate);
                tied.push(*only);
            } else {
                // Overlapping intervals: compare exactly; every project at the minimum is tied.
                let mut minimum: Option<BigRational> = None;
                for &(project, _) in &estimates {
                    scratch_weights.clear();
                    class_weights(problem, supporters.of(project), &ballot_class, &mut by_class, &mut scratch_weights);
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
        remaining.retain(|&project| project != chosen);
        if approval_score[chosen] == 0 {
            // Bought without changing anyone's load.
            reasons.push((chosen, Reason::NoSupporters));
            continue;
        }
        let load = chosen_load.unwrap_or_else(|| loads.estimate(problem, chosen));
        let new_class = loads.approximate.len();
        let origin_start = loads.weights.len();
        loads.approximate.push(load);
        loads.exact.push(chosen_exact);
        // Supporters move class by class: their weights are summed per project first, so that
        // each (old class, project) pair costs one interval operation, not each ballot.
        // A counting sort by class: classes are few (one per round) and ballots many.
        class_counts.clear();
        class_counts.resize(new_class + 1, 0);
        for &ballot in supporters.of(chosen) {
            class_counts[ballot_class[ballot]] += 1;
        }
        let mut next = 0;
        for count in class_counts.iter_mut() {
            (*count, next) = (next, next + *count);
        }
        movers.clear();
        movers.resize(supporters.of(chosen).len(), (0, 0));
        for &ballot in supporters.of(chosen) {
            let class = ballot_class[ballot];
            movers[class_counts[class]] = (class, ballot);
            class_counts[class] += 1;
        }
        for group in movers.chunk_by(|first, second| first.0 == second.0) {
            let old_class = group[0].0;
            let mut group_weight = 0;
            for &(_, ballot) in group {
                ballot_class[ballot] = new_class;
                let Some(ballot) = problem.ballots.get(ballot) else { continue };
                group_weight += ballot.weight;
                for &(project, _) in problem.entries(ballot) {
                    if let Some(slot) = moved.get_mut(project as usize) {
                        if *slot == 0 {
                            touched.push(project as usize);
                        }
                        *slot += ballot.weight;
                    }
                }
            }
            // The new class's origin: where its members came from.
            loads.weights.push((old_class, group_weight));
            let change = load.sub(loads.approximate[old_class]);
            for project in touched.drain(..) {
                let weight = std::mem::take(&mut moved[project]);
                loads.sums[project] = loads.sums[project].add_scaled(change, weight as f64);
            }
        }
        loads.origin.push(Some(ClassOrigin {
            cost: problem.cost(chosen),
            score: approval_score[chosen],
            weights: origin_start..loads.weights.len(),
        }));
        let load = problem.approximate_money(load.middle());
        reasons.push((chosen, Reason::PhragmenBought { round, load }));
    }
    for (project, &score) in approval_score.iter().enumerate() {
        if !selected.contains(&project) {
            let next_load = (score > 0).then(|| problem.approximate_money(loads.estimate(problem, project).middle()));
            reasons.push((project, Reason::PhragmenNotBought { next_load, stopped_at_round: round }));
        }
    }
    PhragmenResult { selected, reasons }
}
