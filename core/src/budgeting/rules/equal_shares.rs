//! The Method of Equal Shares (MES), exact.
//!
//! Every voter starts with the same budget. In each round, the project that its supporters can
//! buy at the lowest price ρ per unit of satisfaction is bought (each supporter pays ρ × their
//! satisfaction, or everything they have left if that is less); ties are broken by the
//! tie-breaking rank. The rule stops when no project is affordable for its supporters.
//!
//! Speed without giving up exactness:
//! - voters whose ballots agree on the projects bought so far hold the same money, so the run
//!   keeps one *money class* per such group and prices are computed over classes, not voters;
//! - money is kept as [`Interval`]s certain to contain the exact value, and every comparison is
//!   first made on intervals; only when intervals overlap (ties, near-ties) are the exact values
//!   computed, lazily, from the exact history of how each money class arose (parent class,
//!   round, price ρ of that round), so every decision is the exact one while big-rational
//!   arithmetic is only done where it matters;
//! - like pabutools, projects are examined from the lowest known lower bound on their price up,
//!   and the scan stops once a lower bound exceeds the best price found (prices only rise).
//!
//! For the add-one completion, [`same_run_over`] proves that a run buys the same projects in the
//! same order over a window of higher per-voter budgets (see [`window`]).

mod ledger;
mod pricing;
mod window;

use crate::budgeting::rules::interval::Interval;
use crate::budgeting::rules::problem::{PerProject, Problem};
use ledger::{Aggregator, Entry, Ledger, Origin, RoundRecord};
use num_rational::BigRational;
use pricing::{Estimate, estimate_price, exact_price_within, tighten_price};
use std::cmp::Ordering;
// Keys are small integers from this run, not from users: a fast hasher is safe.
use rustc_hash::FxHashMap as HashMap;
pub(crate) use window::same_run_over;

/// Per-project data of a problem that does not depend on the voters' budget.
pub(crate) struct Prepared {
    /// Supporters of each project: `(ballot index, satisfaction > 0)`, compact (satisfactions
    /// are below 2^62, see `Problem`).
    supporters: PerProject<(u32, i64)>,
    total_satisfaction: Vec<i128>,
    /// Whether all supporters of a project get the same satisfaction (then classes suffice as keys).
    uniform: Vec<bool>,
    /// The least satisfaction a supporter gets from each project.
    least_satisfaction: Vec<i128>,
    /// Projects that can be bought in rounds: supported and not free.
    pub candidates: Vec<usize>,
    /// Supported projects that cost nothing; pabutools funds them before the first round.
    pub free: Vec<usize>,
    /// Number of voters supporting each project.
    pub supporter_count: Vec<u64>,
    /// Number of voters who cast each ballot.
    ballot_weights: Vec<u64>,
}

impl Prepared {
    pub fn new(problem: &Problem) -> Prepared {
        let project_count = problem.project_count();
        let supporters = problem.by_project(|index, satisfaction| {
            (satisfaction > 0).then(|| (u32::try_from(index).unwrap_or(u32::MAX), satisfaction as i64))
        });
        let supporter_count = supporters.totals(|&(ballot, _)| problem.weight_of(ballot as usize));
        let total_satisfaction = supporters.totals(|&(ballot, satisfaction)| {
            i128::from(satisfaction) * i128::from(problem.weight_of(ballot as usize))
        });
        let ballot_weights: Vec<u64> = problem.ballots.iter().map(|ballot| ballot.weight).collect();
        let uniform = supporters.lists().map(|list| list.windows(2).all(|pair| pair[0].1 == pair[1].1)).collect();
        let least_satisfaction = supporters
            .lists()
            .map(|list| list.iter().map(|&(_, satisfaction)| i128::from(satisfaction)).min().unwrap_or(0))
            .collect();
        let mut candidates = Vec::new();
        let mut free = Vec::new();
        for project in 0..project_count {
            if total_satisfaction.get(project).copied().unwrap_or(0) > 0 {
                if problem.cost(project) > 0 {
                    candidates.push(project);
                } else {
                    free.push(project);
                }
            }
        }
        free.sort_by_key(|&project| problem.rank_of(project));
        Prepared {
            supporters,
            total_satisfaction,
            uniform,
            least_satisfaction,
            candidates,
            free,
            supporter_count,
            ballot_weights,
        }
    }

    /// An upper bound on the satisfaction of a project's supporters who still hold money, given
    /// how many of its supporters are left with nothing (`broke_voters`, per project): those
    /// pay nothing more, so the others must pay the whole cost and the price is at least the
    /// cost over this. Exact when every supporter gets the same satisfaction.
    pub(super) fn satisfaction_still_paying(&self, project: usize, broke_voters: &[u64]) -> i128 {
        let total = self.total_satisfaction.get(project).copied().unwrap_or(0);
        let least = self.least_satisfaction.get(project).copied().unwrap_or(0);
        let broke = i128::from(broke_voters.get(project).copied().unwrap_or(0));
        (total - least * broke).max(0)
    }
}

/// Supporters who paid the same for a bought project.
pub(crate) struct Payment {
    pub voters: u64,
    pub satisfaction: i128,
    /// The money class the group paid from, and the class it moved to (with `satisfaction`,
    /// which ballots are in the group: see [`payer_ballots`]).
    pub from_class: u32,
    pub to_class: u32,
    /// What each paid (approximately; exactly ρ·s unless they paid everything left).
    pub paid_each: f64,
    pub paid_everything_left: bool,
}

/// One round of a run: the project bought, its price and its payers.
pub(crate) struct Round {
    pub project: usize,
    /// ρ, approximately (the run's decisions use the exact value).
    pub rho: f64,
    pub payments: Vec<Payment>,
}

/// The result of one run of MES at a given per-voter budget.
pub(crate) struct MesRun {
    pub rounds: Vec<Round>,
    /// Money the supporters of each unbought project held at the end, approximately (for
    /// explanations; deciding unaffordability is exact).
    pub money_left: Vec<f64>,
}

impl MesRun {
    /// The projects bought, in order.
    pub fn selected(&self) -> Vec<usize> {
        self.rounds.iter().map(|round| round.project).collect()
    }
}

/// Runs MES with `per_voter_budget` (scaled units) for every voter.
pub(crate) fn run(problem: &Problem, prepared: &Prepared, per_voter_budget: &BigRational) -> MesRun {
    // Each round adds about as many money classes as its payers had: room for a few per round
    // spares the run the regrowth of every per-class vector.
    let expected_classes = (4 * prepared.candidates.len() + 2).min(1 << 12);
    let mut ledger = Ledger::new(per_voter_budget, expected_classes, prepared.candidates.len());
    let mut ballot_class: Vec<u32> = vec![0; problem.ballots.len()];
    let mut lower_bound: Vec<f64> = (0..problem.project_count())
        .map(|project| {
            let total = prepared.total_satisfaction.get(project).copied().unwrap_or(0);
            if total > 0 {
                Interval::from_integer(problem.cost(project)).div(Interval::from_integer(total)).low
            } else {
                0.0
            }
        })
        .collect();
    let mut active: Vec<usize> = prepared.candidates.clone();
    let mut not_selected: Vec<usize> = prepared.candidates.clone();
    let mut rounds: Vec<Round> = Vec::with_capacity(prepared.candidates.len());
    let mut aggregator = Aggregator::with_capacity(expected_classes);
    let mut contenders: Vec<(usize, Interval, Option<BigRational>)> = Vec::with_capacity(active.len());
    let mut unaffordable: Vec<usize> = Vec::with_capacity(active.len());
    let mut targets: Vec<u64> = Vec::with_capacity(expected_classes);
    // Most projects priced in a round are not bought: their supporter groups go to a reused
    // buffer, and only the bought project's are kept.
    let mut scratch: Vec<Entry> = Vec::with_capacity(expected_classes);
    let mut best_entries: Vec<Entry> = Vec::with_capacity(expected_classes);
    // Per project, how many of its supporters are left with nothing (see
    // `Prepared::satisfaction_still_paying`).
    let mut broke_voters: Vec<u64> = vec![0; problem.project_count()];
    loop {
        for &project in &active {
            let total = prepared.total_satisfaction.get(project).copied().unwrap_or(0);
            let paying = prepared.satisfaction_still_paying(project, &broke_voters);
            if paying > 0 && paying < total {
                let bound = Interval::from_integer(problem.cost(project)).div(Interval::from_integer(paying)).low;
                lower_bound[project] = lower_bound[project].max(bound);
            }
        }
        active.sort_unstable_by(|&first, &second| lower_bound[first].total_cmp(&lower_bound[second]));
        let mut best_high = f64::INFINITY;
        contenders.clear();
        unaffordable.clear();
        for &project in &active {
            if lower_bound[project] > best_high {
                break;
            }
            aggregator.fill(prepared, &ballot_class, ledger.classes(), project, &mut scratch);
            let cost = problem.cost(project);
            let total_satisfaction = prepared.total_satisfaction.get(project).copied().unwrap_or(0);
            let (interval, exact) = match estimate_price(cost, total_satisfaction, &scratch, &ledger, best_high) {
                Estimate::Unaffordable => {
                    unaffordable.push(project);
                    continue;
                }
                Estimate::Price(interval) => (interval, None),
                Estimate::Unknown => match exact_price_within(&mut ledger, cost, &scratch, Interval::EVERYTHING) {
                    None => {
                        unaffordable.push(project);
                        continue;
                    }
                    Some(rho) => (Interval::from_rational(&rho), Some(rho)),
                },
            };
            lower_bound[project] = lower_bound[project].max(interval.low);
            if interval.high <= best_high {
                // If it stays the only contender, these are the groups that pay for it.
                std::mem::swap(&mut scratch, &mut best_entries);
            }
            best_high = best_high.min(interval.high);
            contenders.push((project, interval, exact));
        }
        active.retain(|project| !unaffordable.contains(project));
        contenders.retain(|(_, interval, _)| interval.low <= best_high);
        // Only projects whose price interval reaches the best one can be the cheapest. A single
        // one is the cheapest for certain; otherwise price them exactly, ties by rank.
        let chosen = if contenders.len() == 1 {
            // The only contender set the best price last: its supporter groups were kept.
            contenders.pop().map(|(project, interval, exact)| {
                #[cfg(debug_assertions)]
                {
                    // The same groups (a hash map's order may differ between two fills).
                    let key = |entry: &Entry| (entry.class, entry.satisfaction, entry.weight);
                    let mut kept = best_entries.clone();
                    let mut fresh = aggregator.entries(prepared, &ballot_class, ledger.classes(), project);
                    kept.sort_unstable_by_key(key);
                    fresh.sort_unstable_by_key(key);
                    assert_eq!(kept, fresh, "the kept groups are the contender's");
                }
                (project, interval, exact, best_entries.clone())
            })
        } else {
            let mut best: Option<(usize, Interval, Option<BigRational>, Vec<Entry>)> = None;
            for (project, interval, exact) in contenders.drain(..) {
                let entries = aggregator.entries(prepared, &ballot_class, ledger.classes(), project);
                // An upper end left uncertified: near the best price, the best's end is a good
                // guess (the exact computation checks it).
                let hint = Interval { low: interval.low, high: interval.high.min(best_high) };
                let Some(rho) =
                    exact.or_else(|| exact_price_within(&mut ledger, problem.cost(project), &entries, hint))
                else {
                    continue;
                };
                let better = match &best {
                    None => true,
                    Some((current, _, Some(current_rho), _)) => match rho.cmp(current_rho) {
                        Ordering::Less => true,
                        Ordering::Equal => problem.rank_of(project) < problem.rank_of(*current),
                        Ordering::Greater => false,
                    },
                    Some(_) => true,
                };
                if better {
                    best = Some((project, Interval::from_rational(&rho), Some(rho), entries));
                }
            }
            best
        };
        let Some((chosen, rho_interval, exact_rho, entries)) = chosen else { break };
        let rho_interval = tighten_price(problem.cost(chosen), &entries, &ledger, rho_interval);
        let round_index = u32::try_from(ledger.rounds.len()).unwrap_or(u32::MAX);
        ledger.rounds.push(RoundRecord { cost: problem.cost(chosen), entries, rho_interval, rho: exact_rho });
        let payments = pay(
            problem,
            prepared,
            &mut ballot_class,
            &mut ledger,
            (chosen, round_index),
            &mut targets,
            &mut broke_voters,
        );
        active.retain(|&project| project != chosen);
        not_selected.retain(|&project| project != chosen);
        rounds.push(Round { project: chosen, rho: rho_interval.middle(), payments });
    }
    let mut money_left = vec![0.0; problem.project_count()];
    for &project in &not_selected {
        aggregator.fill(prepared, &ballot_class, ledger.classes(), project, &mut scratch);
        let mut total = Interval::ZERO;
        for entry in &scratch {
            total = total
                .add(ledger.approximate[entry.class as usize].mul(Interval::from_integer(i128::from(entry.weight))));
        }
        if let Some(slot) = money_left.get_mut(project) {
            *slot = total.middle();
        }
    }
    MesRun { rounds, money_left }
}

/// The ballots in each payer group of each round of a run (round → group → ballot indices), in
/// the order of [`Round::payments`]: each round's supporters follow their ballots' money classes
/// from group to group as the run recorded them.
pub(crate) fn payer_ballots(prepared: &Prepared, run: &MesRun) -> Vec<Vec<Vec<u32>>> {
    let mut ballot_class: Vec<u32> = vec![0; prepared.ballot_weights.len()];
    let mut rounds = Vec::with_capacity(run.rounds.len());
    for round in &run.rounds {
        let groups: HashMap<(u32, i128), usize> = round
            .payments
            .iter()
            .enumerate()
            .map(|(group, payment)| ((payment.from_class, payment.satisfaction), group))
            .collect();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); round.payments.len()];
        for &(ballot, satisfaction) in prepared.supporters.of(round.project) {
            let satisfaction = i128::from(satisfaction);
            let Some(class) = ballot_class.get_mut(ballot as usize) else { continue };
            if let Some(&group) = groups.get(&(*class, satisfaction))
                && let (Some(list), Some(payment)) = (members.get_mut(group), round.payments.get(group))
            {
                list.push(ballot);
                *class = payment.to_class;
            }
        }
        rounds.push(members);
    }
    rounds
}

/// Charges the supporters of the project bought in `round` and moves them to new money classes;
/// those left with nothing count in `broke_voters` for every project on their ballots.
/// `by_class` is scratch space, reused from round to round: per money class, where the payers of
/// that class went, packed by [`pack_target`] (`NO_TARGET` when unset); it is left all unset.
fn pay(
    problem: &Problem,
    prepared: &Prepared,
    ballot_class: &mut [u32],
    ledger: &mut Ledger,
    (project, round): (usize, u32),
    by_class: &mut Vec<u64>,
    broke_voters: &mut [u64],
) -> Vec<Payment> {
    let rho = ledger.rounds.get(round as usize).map_or(Interval::ZERO, |record| record.rho_interval);
    // Where each (class, satisfaction) of the payers goes; with one satisfaction for all
    // supporters (approval ballots), a vector indexed by class avoids hashing. It grows with the
    // classes and only the slots used are cleared: clearing all of it every round would cost as
    // much as the round.
    let uniform = prepared.uniform.get(project).copied().unwrap_or(false);
    if uniform && by_class.len() < ledger.classes() {
        by_class.resize(ledger.classes(), NO_TARGET);
    }
    let mut new_class: HashMap<(u32, i128), (u32, usize)> = HashMap::default();
    let supporters = prepared.supporters.of(project);
    // One payment per (class, satisfaction) of the payers: with one satisfaction, at most one
    // per class.
    let mut payments: Vec<Payment> =
        Vec::with_capacity(if uniform { ledger.classes().min(supporters.len()) } else { supporters.len().min(16) });
    for &(ballot, satisfaction) in supporters {
        let satisfaction = i128::from(satisfaction);
        let Some(class) = ballot_class.get(ballot as usize).copied() else { continue };
        let key = (class, satisfaction);
        let known = if uniform {
            by_class.get(class as usize).copied().and_then(unpack_target)
        } else {
            new_class.get(&key).copied()
        };
        let (target, payment_index) = match known {
            Some(found) => found,
            None => {
                let money = ledger.approximate[class as usize];
                let due = rho.mul(Interval::from_integer(satisfaction));
                // Paying everything left happens when the due share is at least the money.
                let side = ledger.compare_with_due(class, rho, &mut |ledger| ledger.exact_rho(round), satisfaction);
                let exhausted = side != Ordering::Greater;
                let (target, paid) = match side {
                    Ordering::Less | Ordering::Equal => (ledger.broke(), money.middle()),
                    Ordering::Greater => {
                        let left = money.sub(due);
                        let origin = Origin::Paid { parent: class, round, satisfaction };
                        (ledger.push(origin, Interval { low: left.low.max(0.0), high: left.high }), due.middle())
                    }
                };
                payments.push(Payment {
                    voters: 0,
                    satisfaction,
                    from_class: class,
                    to_class: target,
                    paid_each: paid,
                    paid_everything_left: exhausted,
                });
                if let (true, Some(slot)) = (uniform, by_class.get_mut(class as usize)) {
                    *slot = pack_target(target, payments.len() - 1);
                } else {
                    new_class.insert(key, (target, payments.len() - 1));
                }
                (target, payments.len() - 1)
            }
        };
        if Some(target) == ledger.broke_class() && target != class {
            problem.add_voters_of(ballot as usize, broke_voters);
        }
        if let Some(slot) = ballot_class.get_mut(ballot as usize) {
            *slot = target;
        }
        if let Some(payment) = payments.get_mut(payment_index) {
            payment.voters += prepared.ballot_weights.get(ballot as usize).copied().unwrap_or(0);
        }
    }
    if uniform {
        for payment in &payments {
            if let Some(slot) = by_class.get_mut(payment.from_class as usize) {
                *slot = NO_TARGET;
            }
        }
    }
    payments
}

/// An unset slot of `pay`'s `by_class`.
const NO_TARGET: u64 = u64::MAX;

/// A payer group's target class and payment index in one word: a third of the memory of an
/// `Option<(u32, usize)>`, on a lookup made for every payer.
fn pack_target(class: u32, payment: usize) -> u64 {
    (u64::from(class) << 32) | (payment as u64 & u64::from(u32::MAX))
}

fn unpack_target(packed: u64) -> Option<(u32, usize)> {
    (packed != NO_TARGET).then(|| ((packed >> 32) as u32, (packed & u64::from(u32::MAX)) as usize))
}
