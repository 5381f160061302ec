//! The add-one completion of equal shares: raise every voter's initial budget by one unit of
//! the currency at a time and keep the last outcome that still fits the budget.
//!
//! pabutools (`voter_budget_increment=1`) stops at the first outcome that is exhaustive or over
//! the budget (returning the previous one in the latter case); the variant cities use only stops
//! when the outcome would overspend. Stepping one unit at a time means tens of thousands of
//! runs on large elections (22,000 on Budapest 2024), so by default the completion proves, after
//! a run, that the run stays the same over a window of budgets above it
//! ([`super::equal_shares::same_run_over`]) and jumps over every unit step in that window. The
//! outcome is the one of the unit-step procedure; the tests compare both on random and real
//! elections.

use crate::budgeting::rules::equal_shares::{MesRun, Prepared, run, same_run_over};
use crate::budgeting::rules::interval::Interval;
use crate::budgeting::rules::problem::Problem;
use crate::budgeting::rules::{AddOneStrategy, TallyProgress};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;

/// The smallest window (in units) worth a proof: a proof costs a few runs.
const SMALLEST_WINDOW: u64 = 8;

/// The first window tried; each proven window doubles the next one tried.
const FIRST_WINDOW: u64 = 64;

/// The widest window tried (2^40 units: far beyond any real budget, and exact in a float).
const WIDEST_WINDOW: u64 = 1 << 40;

/// Plain unit steps taken before trying a proof again, at first; the wait doubles each time a
/// proof fails, up to `LONGEST_WAIT`.
const RETRY_AFTER: u32 = 4;

/// The longest wait between two proof attempts, in unit steps.
const LONGEST_WAIT: u32 = 256;

/// When the completion stops raising the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// pabutools: at the first exhaustive outcome, or before the first one over the budget.
    ExhaustiveOrOverspent,
    /// Cities (Wieliczka...): before the first outcome over the budget.
    Overspent,
}

/// Why a completion stopped raising the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The next budget's outcome would overspend (or nobody voted).
    Overspent,
    /// Every supported project is bought.
    AllBought,
    /// The outcome became exhaustive `steps` units above the initial budget (pabutools' stop).
    Exhaustive { steps: BigInt },
}

/// The run whose outcome the completion returns and the per-voter budget it used.
pub(crate) struct AddOneResult {
    pub run: MesRun,
    pub per_voter_budget: BigRational,
    /// How many MES runs were computed (for benchmarks and tests).
    pub evaluations: u64,
    /// Why it stopped: a completion that stops only when overspending goes on from an
    /// exhaustive stop instead of starting again (the unit steps below it are the same).
    pub ended: Ended,
}

/// Runs the completion with a stepping strategy (all give the same outcome), from `from_steps`
/// units above the initial budget: zero, or where an earlier completion found every budget
/// below fitting and not yet overspent (its exhaustive stop), which the unit-step procedure
/// would pass through too.
pub(crate) fn add_one(
    problem: &Problem,
    prepared: &Prepared,
    stop: Stop,
    strategy: AddOneStrategy,
    progress: Option<&dyn Fn(TallyProgress)>,
    from_steps: BigInt,
) -> AddOneResult {
    let voters = BigRational::from_integer(BigInt::from(problem.voter_count.max(1)));
    let initial = BigRational::from_integer(BigInt::from(problem.budget)) / voters;
    let unit = BigRational::from_integer(BigInt::from(problem.money_scale));
    let free_cost = problem.total_cost(&prepared.free);
    let mut steps = from_steps;
    let mut evaluations = 0u64;
    let mut previous: Option<(MesRun, BigRational)> = None;
    let mut windows = Windows::new(strategy);
    loop {
        let per_voter_budget = &initial + &unit * BigRational::from_integer(steps.clone());
        if let Some(report) = progress {
            report(TallyProgress {
                evaluations,
                per_voter_budget: problem.money(&per_voter_budget).to_f64().unwrap_or(f64::NAN),
            });
        }
        let current = run(problem, prepared, &per_voter_budget);
        evaluations += 1;
        let selected = current.selected();
        let cost = free_cost + problem.total_cost(&selected);
        if cost > problem.budget {
            return match previous {
                // Every unit step between the previous run and this one buys what the previous run
                // bought (a jump never passes a possible change), so the last budget that fits is one
                // unit below this one — the budget the unit-step procedure ends on.
                // It is run again there so that the explanations show that budget's money.
                Some((run, previous_budget)) => {
                    let last_fitting = per_voter_budget - &unit;
                    if last_fitting == previous_budget {
                        AddOneResult { run, per_voter_budget: previous_budget, evaluations, ended: Ended::Overspent }
                    } else {
                        let run = super::equal_shares::run(problem, prepared, &last_fitting);
                        AddOneResult {
                            run,
                            per_voter_budget: last_fitting,
                            evaluations: evaluations + 1,
                            ended: Ended::Overspent,
                        }
                    }
                }
                None => AddOneResult {
                    run: MesRun { rounds: Vec::new(), money_left: vec![0.0; problem.project_count()] },
                    per_voter_budget: initial,
                    evaluations,
                    ended: Ended::Overspent,
                },
            };
        }
        let unbought: Vec<usize> =
            prepared.candidates.iter().copied().filter(|project| !selected.contains(project)).collect();
        let exhaustive = unbought.iter().all(|&project| cost + problem.cost(project) > problem.budget);
        if unbought.is_empty() {
            return AddOneResult { run: current, per_voter_budget, evaluations, ended: Ended::AllBought };
        }
        if stop == Stop::ExhaustiveOrOverspent && exhaustive {
            return AddOneResult { run: current, per_voter_budget, evaluations, ended: Ended::Exhaustive { steps } };
        }
        let start = Interval::from_rational(&per_voter_budget);
        let unit_interval = Interval::from_integer(problem.money_scale);
        // Every unit step in the proven window buys the same projects: the next one to compute
        // is the first beyond it.
        let proven = windows.prove(|units| {
            let span = Interval::from_integer(i128::from(units)).mul(unit_interval).high;
            let proven = same_run_over(problem, prepared, start, span, &selected);
            let proven_units = Interval { low: proven, high: proven }.div(unit_interval).low.floor();
            if proven_units >= 1.0 { (proven_units as u64).min(units) } else { 0 }
        });
        steps += BigInt::from(proven + 1);
        previous = Some((current, per_voter_budget));
    }
}

/// When and how wide the completion tries to prove windows: a proof costs a few runs, so proofs
/// are tried while they pay off, and retried after a number of plain unit steps that doubles
/// each time one proves too little.
struct Windows {
    strategy: AddOneStrategy,
    next: u64,
    wait: u32,
    plain_steps: u32,
}

impl Windows {
    fn new(strategy: AddOneStrategy) -> Windows {
        Windows { strategy, next: FIRST_WINDOW, wait: 0, plain_steps: 0 }
    }

    /// How many unit steps after the current one are proven to buy the same (0: none), given a
    /// proof that takes a window in units and returns how much of it it proves.
    fn prove(&mut self, proves: impl Fn(u64) -> u64) -> u64 {
        let smallest = match self.strategy {
            AddOneStrategy::UnitSteps => return 0,
            AddOneStrategy::AlwaysJump => 1,
            AddOneStrategy::Adaptive => SMALLEST_WINDOW,
        };
        if self.plain_steps < self.wait {
            self.plain_steps += 1;
            return 0;
        }
        let window = self.next.max(smallest);
        let proven = proves(window);
        // A window proven whole is doubled next time; otherwise the next one is twice what was
        // proven, so that a change ahead is approached without wasted proofs.
        self.next = if proven >= window { window.saturating_mul(2) } else { proven.saturating_mul(2).max(smallest) }
            .min(WIDEST_WINDOW);
        // A proof too short to pay for itself postpones the next one (never when always jumping).
        if proven >= smallest || self.strategy == AddOneStrategy::AlwaysJump {
            self.wait = 0;
        } else {
            self.plain_steps = 0;
            self.wait = if self.wait == 0 { RETRY_AFTER } else { self.wait.saturating_mul(2).min(LONGEST_WAIT) };
        }
        proven
    }
}
