//! The add-one completion of equal shares: raise every voter's initial budget by one unit of
//! the currency at a time and keep the last outcome that still fits the budget.
//!
//! pabutools (`voter_budget_increment=1`) stops at the first outcome that is exhaustive or over
//! the budget (returning the previous one in the latter case); the variant cities use only stops
//! when the outcome would overspend. Stepping one unit at a time means tens of thousands of
//! runs on large elections (22,000 on Budapest 2024), so by default each run also computes
//! its horizon (see [`super::equal_shares`]): a budget below which the run is certain to buy
//! the same projects in the same order. Every unit step before it has the same outcome, so the
//! completion jumps straight to the first unit step at or after the horizon. The outcome is the
//! one of the unit-step procedure; the tests compare both on random and real elections.

use crate::budgeting::rules::equal_shares::{MesRun, Prepared, run};
use crate::budgeting::rules::problem::Problem;
use crate::budgeting::rules::{AddOneStrategy, TallyProgress};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

/// A horizon run costs a few plain runs; below this jump (in units) plain steps are cheaper.
const WORTHWHILE_JUMP: u64 = 4;

/// Plain unit steps taken before computing a horizon again, at first; the wait doubles each
/// time a horizon does not pay off, up to `LONGEST_WAIT`.
const RETRY_HORIZON_AFTER: u32 = 16;

/// The longest wait between two horizon attempts, in unit steps.
const LONGEST_WAIT: u32 = 4096;

/// When the completion stops raising the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// pabutools: at the first exhaustive outcome, or before the first one over the budget.
    ExhaustiveOrOverspent,
    /// Cities (Wieliczka...): before the first outcome over the budget.
    Overspent,
}

/// The run whose outcome the completion returns and the per-voter budget it used.
pub(crate) struct AddOneResult {
    pub run: MesRun,
    pub per_voter_budget: BigRational,
    /// How many MES runs were computed (for benchmarks and tests).
    pub evaluations: u64,
}

/// Runs the completion with a stepping strategy (all give the same outcome).
pub(crate) fn add_one(
    problem: &Problem,
    prepared: &Prepared,
    stop: Stop,
    strategy: AddOneStrategy,
    progress: Option<&dyn Fn(TallyProgress)>,
) -> AddOneResult {
    let unit_steps = strategy == AddOneStrategy::UnitSteps;
    let always_jump = strategy == AddOneStrategy::AlwaysJump;
    let voters = BigRational::from_integer(BigInt::from(problem.voter_count.max(1)));
    let initial = BigRational::from_integer(BigInt::from(problem.budget)) / voters;
    let unit = BigRational::from_integer(BigInt::from(problem.money_scale));
    let free_cost = problem.total_cost(&prepared.free);
    let mut steps = BigInt::zero();
    let mut evaluations = 0u64;
    let mut previous: Option<(MesRun, BigRational)> = None;
    // Computing a horizon costs several plain runs, and on real elections some comparison often
    // changes within a unit or two; horizons are therefore computed only while they pay off, and
    // retried after a number of plain unit steps that doubles each time they did not.
    let mut track_horizon = !unit_steps;
    let mut plain_steps = 0u32;
    let mut wait = RETRY_HORIZON_AFTER;
    loop {
        let per_voter_budget = &initial + &unit * BigRational::from_integer(steps.clone());
        if let Some(report) = progress {
            report(TallyProgress {
                evaluations,
                per_voter_budget: problem.money(&per_voter_budget).to_f64().unwrap_or(f64::NAN),
            });
        }
        let current = run(problem, prepared, &per_voter_budget, track_horizon);
        evaluations += 1;
        let selected = current.selected();
        let cost = free_cost + problem.total_cost(&selected);
        if cost > problem.budget {
            return match previous {
                // Every unit step between the previous run and this one buys what the previous run
                // bought (the jump never passes a possible change), so the last budget that fits is one
                // unit below this one — the budget the unit-step procedure ends on.
                // It is run again there so that the explanations show that budget's money.
                Some((run, previous_budget)) => {
                    let last_fitting = per_voter_budget - &unit;
                    if last_fitting == previous_budget {
                        AddOneResult { run, per_voter_budget: previous_budget, evaluations }
                    } else {
                        let run = super::equal_shares::run(problem, prepared, &last_fitting, false);
                        AddOneResult { run, per_voter_budget: last_fitting, evaluations: evaluations + 1 }
                    }
                }
                None => AddOneResult {
                    run: MesRun { rounds: Vec::new(), money_left: vec![0.0; problem.project_count()], horizon: None },
                    per_voter_budget: initial,
                    evaluations,
                },
            };
        }
        let unbought: Vec<usize> =
            prepared.candidates.iter().copied().filter(|project| !selected.contains(project)).collect();
        let exhaustive = unbought.iter().all(|&project| cost + problem.cost(project) > problem.budget);
        if unbought.is_empty() || (stop == Stop::ExhaustiveOrOverspent && exhaustive) {
            return AddOneResult { run: current, per_voter_budget, evaluations };
        }
        let jump = if !track_horizon {
            plain_steps += 1;
            if !unit_steps && plain_steps >= wait {
                track_horizon = true;
            }
            BigInt::one()
        } else {
            match &current.horizon {
                // No budget increase can change what the run buys: raising it further is pointless.
                None => return AddOneResult { run: current, per_voter_budget, evaluations },
                // Every unit step strictly below the horizon buys the same projects, so the next one
                // to compute is the first at or above it; the float horizon is a lower bound,
                // rounded down once more, so the jump never passes a possible change.
                Some(horizon) => {
                    let units = (horizon / problem.money_scale as f64).next_down().ceil();
                    let units = if units.is_finite() && units >= 1.0 { units.min(9.0e15) as u64 } else { 1 };
                    if units < WORTHWHILE_JUMP && !always_jump {
                        track_horizon = false;
                        plain_steps = 0;
                        wait = wait.saturating_mul(2).min(LONGEST_WAIT);
                    } else {
                        wait = RETRY_HORIZON_AFTER;
                    }
                    BigInt::from(units)
                }
            }
        };
        steps += jump;
        previous = Some((current, per_voter_budget));
    }
}
