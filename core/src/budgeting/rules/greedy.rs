//! Greedy utilitarian welfare: projects by decreasing satisfaction per unit of cost, skipping
//! those that no longer fit.

use crate::budgeting::explain::Reason;
use crate::budgeting::number::Exact;
use crate::budgeting::rules::problem::{Problem, compare_products};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::cmp::Ordering;

/// What a greedy pass bought, in order, and why each project it looked at was or was not bought.
pub(crate) struct GreedyResult {
    pub selected: Vec<usize>,
    pub reasons: Vec<(usize, Reason)>,
}

/// Score of a project for the greedy order, as pabutools computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Score {
    /// Total satisfaction over cost (numerator, denominator > 0).
    Ratio(i128, i128),
    /// A free project: comes first.
    Infinite,
}

fn compare_scores(first: Score, second: Score) -> Ordering {
    match (first, second) {
        (Score::Infinite, Score::Infinite) => Ordering::Equal,
        (Score::Infinite, Score::Ratio(..)) => Ordering::Greater,
        (Score::Ratio(..), Score::Infinite) => Ordering::Less,
        (Score::Ratio(a, b), Score::Ratio(c, d)) => compare_products(a, d, c, b),
    }
}

/// Runs the greedy pass after `initial` (an already funded set, empty for the plain rule).
///
/// `free_is_infinite` follows pabutools' two code paths: its additive path scores a free
/// project without supporters 0, its generic path (used for Borda satisfaction) scores every
/// free project as infinite.
pub(crate) fn greedy(problem: &Problem, initial: &[usize], free_is_infinite: bool, completion: bool) -> GreedyResult {
    let totals = problem.total_satisfaction();
    let score = |project: usize| -> Score {
        let total = totals.get(project).copied().unwrap_or(0);
        let cost = problem.cost(project);
        if cost == 0 && (total > 0 || free_is_infinite) {
            Score::Infinite
        } else if total > 0 && cost > 0 {
            Score::Ratio(total, cost)
        } else {
            Score::Ratio(0, 1)
        }
    };
    let mut order: Vec<usize> = (0..problem.project_count()).filter(|project| !initial.contains(project)).collect();
    order.sort_by(|&first, &second| {
        compare_scores(score(second), score(first)).then_with(|| problem.rank_of(first).cmp(&problem.rank_of(second)))
    });
    let mut remaining = problem.budget - problem.total_cost(initial);
    let mut selected = Vec::new();
    let mut reasons = Vec::with_capacity(order.len());
    for (position, project) in order.into_iter().enumerate() {
        let reason = Reason::Greedy {
            rank: position + 1,
            score: match score(project) {
                Score::Infinite => None,
                Score::Ratio(numerator, denominator) => {
                    // Scores are shown in real units: satisfaction per unit of the currency.
                    Some(
                        match (
                            numerator.checked_mul(problem.money_scale),
                            denominator.checked_mul(problem.satisfaction_scale),
                        ) {
                            (Some(scaled_numerator), Some(scaled_denominator)) => {
                                Exact::ratio(scaled_numerator, scaled_denominator)
                            }
                            _ => Exact::from(BigRational::new(
                                BigInt::from(numerator) * BigInt::from(problem.money_scale),
                                BigInt::from(denominator) * BigInt::from(problem.satisfaction_scale),
                            )),
                        },
                    )
                }
            },
            remaining_budget: problem.money_of(remaining),
            completion,
        };
        if problem.cost(project) <= remaining {
            remaining -= problem.cost(project);
            selected.push(project);
        }
        reasons.push((project, reason));
    }
    GreedyResult { selected, reasons }
}
