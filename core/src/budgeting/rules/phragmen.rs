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

/// What the rule selects and why.
pub(crate) struct PhragmenResult {
    pub selected: Vec<usize>,
    pub reasons: Vec<(usize, Reason)>,
}

fn rational(value: i128) -> BigRational {
    BigRational::from_integer(BigInt::from(value))
}

/// How a load class arose: its supporters bought a project of `cost` together (`score` of
/// them), coming from the classes in `weights` (class, number of supporters).
struct ClassOrigin {
    cost: i128,
    score: u64,
    weights: Vec<(usize, u64)>,
}

/// Loads of the classes and, per project, its supporters' weight in each class.
struct Loads {
    approximate: Vec<Interval>,
    exact: Vec<Option<BigRational>>,
    /// `None` for the initial class (load 0).
    origin: Vec<Option<ClassOrigin>>,
    /// Per project, `Σ weight × load` over its supporters' classes, as an interval.
    sums: Vec<Interval>,
}

impl Loads {
    /// The load the project's supporters would reach by buying it, on intervals.
    fn estimate(&self, problem: &Problem, project: usize, score: u64) -> Interval {
        Interval::from_integer(problem.cost(project))
            .add(self.sums[project])
            .div(Interval::from_integer(i128::from(score)))
    }

    /// The same, exactly.
    fn exact(&mut self, cost: i128, score: u64, weights: &[(usize, u64)]) -> BigRational {
        let mut total = rational(cost);
        for &(class, weight) in weights {
            total += self.exact_load(class) * rational(i128::from(weight));
        }
        total / rational(i128::from(score))
    }

    /// The exact load of a class, computed from its origin (and its origin's classes, first) and
    /// cached. Iterative: a chain of classes is as long as the rounds.
    fn exact_load(&mut self, class: usize) -> BigRational {
        let mut pending = vec![class];
        while let Some(&next) = pending.last() {
            if self.exact[next].is_some() {
                pending.pop();
                continue;
            }
            let missing: Vec<usize> = match &self.origin[next] {
                None => Vec::new(),
                Some(origin) => origin.weights.iter().map(|&(c, _)| c).filter(|&c| self.exact[c].is_none()).collect(),
            };
            if !missing.is_empty() {
                pending.extend(missing);
                continue;
            }
            let value = match self.origin[next].take() {
                None => BigRational::zero(),
                Some(origin) => {
                    let value = self.exact(origin.cost, origin.score, &origin.weights);
                    self.origin[next] = Some(origin);
                    value
                }
            };
            self.approximate[next] = Interval::from_rational(&value);
            self.exact[next] = Some(value);
            pending.pop();
        }
        self.exact[class].clone().unwrap_or_else(BigRational::zero)
    }
}

/// The weight of a project's supporters in each load class (nonzero only), from the ballots'
/// classes; `by_class` is scratch space. Only exact comparisons and class origins need it.
fn class_weights(
    problem: &Problem,
    supporters: &[usize],
    ballot_class: &[usize],
    by_class: &mut Vec<u64>,
) -> Vec<(usize, u64)> {
    let mut weights = Vec::new();
    for &ballot in supporters {
        let class = ballot_class[ballot];
        if by_class.len() <= class {
            by_class.resize(class + 1, 0);
        }
        if by_class[class] == 0 {
            weights.push((class, 0));
        }
        by_class[class] += problem.ballots.get(ballot).map_or(0, |ballot| ballot.weight);
    }
    for (class, weight) in &mut weights {
        *weight = std::mem::take(&mut by_class[*class]);
    }
    weights
}

/// Runs sequential Phragmén on an approval problem (every entry of a ballot is an approval).
pub(crate) fn phragmen(problem: &Problem) -> PhragmenResult {
    let project_count = problem.project_count();
    let mut supporters: Vec<Vec<usize>> = vec![Vec::new(); project_count];
    let mut approval_score = vec![0u64; project_count];
    for (ballot_index, ballot) in problem.ballots.iter().enumerate() {
        for &(project, _) in problem.entries(ballot) {
            if let (Some(list), Some(score)) = (supporters.get_mut(project), approval_score.get_mut(project)) {
                list.push(ballot_index);
                *score += ballot.weight;
            }
        }
    }
    let mut loads = Loads {
        approximate: vec![Interval::ZERO],
        exact: vec![Some(BigRational::zero())],
        origin: vec![None],
        sums: vec![Interval::ZERO; project_count],
    };
    let mut ballot_class: Vec<usize> = vec![0; problem.ballots.len()];
    let mut remaining: Vec<usize> =
        (0..project_count).filter(|&project| problem.cost(project) <= problem.budget).collect();
    let mut spent = 0i128;
    let mut selected = Vec::new();
    let mut reasons: Vec<(usize, Reason)> = Vec::new();
    let mut round = 0usize;
    let mut moved = vec![0u64; project_count];
    let mut touched: Vec<usize> = Vec::new();
    let mut movers: Vec<(usize, usize)> = Vec::new();
    let mut class_counts: Vec<usize> = Vec::new();
    let mut by_class: Vec<u64> = Vec::new();
    loop {
        round += 1;
        if remaining.is_empty() {
            break;
        }
        // Projects nobody approves have an infinite load: they only come last.
        let estimates: Vec<(usize, Interval)> = remaining
            .iter()
            .filter(|&&project| approval_score[project] > 0)
            .map(|&project| (project, loads.estimate(problem, project, approval_score[project])))
            .collect();
        let mut chosen_load: Option<Interval> = None;
        let mut chosen_exact: Option<BigRational> = None;
        let tied: Vec<usize> = if estimates.is_empty() {
            remaining.clone()
        } else {
            let best_high = estimates.iter().map(|(_, estimate)| estimate.high).fold(f64::INFINITY, f64::min);
            let contenders: Vec<(usize, Interval)> =
                estimates.into_iter().filter(|(_, estimate)| estimate.low <= best_high).collect();
            if let [(only, estimate)] = contenders.as_slice() {
                chosen_load = Some(*estimate);
                vec![*only]
            } else {
                // Overlapping intervals: compare exactly; every project at the minimum is tied.
                let mut minimum: Option<BigRational> = None;
                let mut at_minimum = Vec::new();
                for (project, _) in contenders {
                    let weights = class_weights(problem, &supporters[project], &ballot_class, &mut by_class);
                    let load = loads.exact(problem.cost(project), approval_score[project], &weights);
                    match minimum.as_ref().map(|minimum| load.cmp(minimum)) {
                        None | Some(Ordering::Less) => {
                            minimum = Some(load);
                            at_minimum = vec![project];
                        }
                        Some(Ordering::Equal) => at_minimum.push(project),
                        Some(Ordering::Greater) => {}
                    }
                }
                chosen_load = minimum.as_ref().map(Interval::from_rational);
                chosen_exact = minimum;
                at_minimum
            }
        };
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
        let load = chosen_load.unwrap_or_else(|| loads.estimate(problem, chosen, approval_score[chosen]));
        let new_class = loads.approximate.len();
        loads.origin.push(Some(ClassOrigin {
            cost: problem.cost(chosen),
            score: approval_score[chosen],
            weights: class_weights(problem, &supporters[chosen], &ballot_class, &mut by_class),
        }));
        loads.approximate.push(load);
        loads.exact.push(chosen_exact);
        // Supporters move class by class: their weights are summed per project first, so that
        // each (old class, project) pair costs one interval operation, not each ballot.
        // A counting sort by class: classes are few (one per round) and ballots many.
        class_counts.clear();
        class_counts.resize(new_class + 1, 0);
        for &ballot in &supporters[chosen] {
            class_counts[ballot_class[ballot]] += 1;
        }
        let mut next = 0;
        for count in class_counts.iter_mut() {
            (*count, next) = (next, next + *count);
        }
        movers.clear();
        movers.resize(supporters[chosen].len(), (0, 0));
        for &ballot in &supporters[chosen] {
            let class = ballot_class[ballot];
            movers[class_counts[class]] = (class, ballot);
            class_counts[class] += 1;
        }
        for group in movers.chunk_by(|first, second| first.0 == second.0) {
            let old_class = group[0].0;
            for &(_, ballot) in group {
                ballot_class[ballot] = new_class;
                let Some(ballot) = problem.ballots.get(ballot) else { continue };
                for &(project, _) in problem.entries(ballot) {
                    if let Some(slot) = moved.get_mut(project) {
                        if *slot == 0 {
                            touched.push(project);
                        }
                        *slot += ballot.weight;
                    }
                }
            }
            let change = load.sub(loads.approximate[old_class]);
            for project in touched.drain(..) {
                let weight = std::mem::take(&mut moved[project]);
                loads.sums[project] = loads.sums[project].add(change.mul(Interval::from_integer(i128::from(weight))));
            }
        }
        let load = problem.approximate_money(load.middle());
        reasons.push((chosen, Reason::PhragmenBought { round, load }));
    }
    for (project, &score) in approval_score.iter().enumerate() {
        if !selected.contains(&project) {
            let next_load =
                (score > 0).then(|| problem.approximate_money(loads.estimate(problem, project, score).middle()));
            reasons.push((project, Reason::PhragmenNotBought { next_load, stopped_at_round: round }));
        }
    }
    PhragmenResult { selected, reasons }
}
