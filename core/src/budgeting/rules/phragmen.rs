//! Sequential Phragmén: voters earn money continuously; a project is bought as soon as its
//! supporters can pay for it together, and the rule stops when the next project to be bought
//! would exceed the budget (pabutools' variant, which does not skip).
//!
//! All supporters of a bought project end with the same load, so there is one load class per
//! round. Each project keeps how many of its supporters are in each class, which makes a
//! project's next load a short sum; loads are compared on [`Interval`]s and recomputed exactly
//! only when intervals overlap.

use crate::budgeting::explain::Reason;
use crate::budgeting::number::Exact;
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

/// Loads of the classes and, per project, its supporters' weight in each class.
struct Loads {
    exact: Vec<BigRational>,
    approximate: Vec<Interval>,
    /// `weights[project][class]`: number of the project's supporters whose load is that class's.
    weights: Vec<Vec<u64>>,
}

impl Loads {
    /// The load the project's supporters would reach by buying it, on intervals.
    fn estimate(&self, problem: &Problem, project: usize, score: u64) -> Interval {
        let mut total = Interval::from_integer(problem.cost(project));
        for (class, &weight) in self.weights[project].iter().enumerate() {
            if weight > 0 {
                total = total.add(self.approximate[class].mul(Interval::from_integer(i128::from(weight))));
            }
        }
        total.div(Interval::from_integer(i128::from(score)))
    }

    /// The same, exactly.
    fn exact(&self, problem: &Problem, project: usize, score: u64) -> BigRational {
        let mut total = rational(problem.cost(project));
        for (class, &weight) in self.weights[project].iter().enumerate() {
            if weight > 0 {
                total += &self.exact[class] * rational(i128::from(weight));
            }
        }
        total / rational(i128::from(score))
    }
}

/// Runs sequential Phragmén on an approval problem (every entry of a ballot is an approval).
pub(crate) fn phragmen(problem: &Problem) -> PhragmenResult {
    let project_count = problem.project_count();
    let mut supporters: Vec<Vec<usize>> = vec![Vec::new(); project_count];
    let mut approval_score = vec![0u64; project_count];
    for (ballot_index, ballot) in problem.ballots.iter().enumerate() {
        for &(project, _) in &ballot.entries {
            if let (Some(list), Some(score)) = (supporters.get_mut(project), approval_score.get_mut(project)) {
                list.push(ballot_index);
                *score += ballot.weight;
            }
        }
    }
    let mut loads = Loads {
        exact: vec![BigRational::zero()],
        approximate: vec![Interval::ZERO],
        weights: approval_score.iter().map(|&score| vec![score]).collect(),
    };
    let mut ballot_class: Vec<usize> = vec![0; problem.ballots.len()];
    let mut remaining: Vec<usize> =
        (0..project_count).filter(|&project| problem.cost(project) <= problem.budget).collect();
    let mut spent = 0i128;
    let mut selected = Vec::new();
    let mut reasons: Vec<(usize, Reason)> = Vec::new();
    let mut lower_bound: Vec<f64> = vec![0.0; project_count];
    let mut round = 0usize;
    loop {
        round += 1;
        if remaining.is_empty() {
            break;
        }
        // Projects nobody approves have an infinite load: they only come last.
        let supported: Vec<usize> = remaining.iter().copied().filter(|&project| approval_score[project] > 0).collect();
        let tied: Vec<usize>;
        let mut chosen_load: Option<BigRational> = None;
        if supported.is_empty() {
            tied = remaining.clone();
        } else {
            // Voters' loads never decrease, so neither does a project's next load: the last
            // estimate is a lower bound, and projects whose bound exceeds the best estimate so
            // far cannot be (or tie with) the minimum.
            let mut order = supported.clone();
            order.sort_by(|&first, &second| lower_bound[first].total_cmp(&lower_bound[second]));
            let mut estimates: Vec<(usize, Interval)> = Vec::new();
            let mut best_high = f64::INFINITY;
            for project in order {
                if lower_bound[project] > best_high {
                    break;
                }
                let estimate = loads.estimate(problem, project, approval_score[project]);
                lower_bound[project] = lower_bound[project].max(estimate.low);
                best_high = best_high.min(estimate.high);
                estimates.push((project, estimate));
            }
            let contenders: Vec<usize> = estimates
                .iter()
                .filter(|(_, estimate)| estimate.low <= best_high)
                .map(|(project, _)| *project)
                .collect();
            if let [only] = contenders.as_slice() {
                tied = vec![*only];
            } else {
                // Overlapping intervals: compare exactly; every project at the minimum is tied.
                let mut minimum: Option<BigRational> = None;
                let mut at_minimum = Vec::new();
                for project in contenders {
                    let load = loads.exact(problem, project, approval_score[project]);
                    match minimum.as_ref().map(|minimum| load.cmp(minimum)) {
                        None | Some(Ordering::Less) => {
                            minimum = Some(load);
                            at_minimum = vec![project];
                        }
                        Some(Ordering::Equal) => at_minimum.push(project),
                        Some(Ordering::Greater) => {}
                    }
                }
                chosen_load = minimum;
                tied = at_minimum;
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
        let load = chosen_load.unwrap_or_else(|| loads.exact(problem, chosen, approval_score[chosen]));
        let new_class = loads.exact.len();
        loads.approximate.push(Interval::from_rational(&load));
        loads.exact.push(load.clone());
        for weights in &mut loads.weights {
            weights.push(0);
        }
        for &ballot in &supporters[chosen] {
            let old_class = ballot_class[ballot];
            ballot_class[ballot] = new_class;
            let weight = problem.ballots.get(ballot).map_or(0, |ballot| ballot.weight);
            for &(project, _) in problem.ballots.get(ballot).map(|ballot| ballot.entries.as_slice()).unwrap_or_default()
            {
                if let Some(weights) = loads.weights.get_mut(project) {
                    weights[old_class] -= weight;
                    weights[new_class] += weight;
                }
            }
        }
        reasons.push((chosen, Reason::PhragmenBought { round, load: Exact(problem.money(&load)) }));
    }
    for (project, &score) in approval_score.iter().enumerate() {
        if !selected.contains(&project) {
            let next_load = (score > 0)
                .then(|| loads.estimate(problem, project, score).middle())
                .and_then(|load| BigRational::from_float(load / problem.money_scale as f64))
                .map(Exact);
            reasons.push((project, Reason::PhragmenNotBought { next_load, stopped_at_round: round }));
        }
    }
    PhragmenResult { selected, reasons }
}
