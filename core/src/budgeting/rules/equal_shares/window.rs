//! Proving that an equal-shares run buys the same projects, in the same order, for every
//! per-voter budget in a window `[b, b + span]` — what lets the add-one completion skip unit
//! steps.
//!
//! Write every voter's initial budget as `b + t` for `t` in `[0, span]`. While a run makes the
//! same decisions, every quantity it computes is, up to the payers that switch between paying
//! their share and paying all they have, an affine function of `t`: the money of a class,
//! a price `ρ = (cost − money of those who pay everything) / (satisfaction of those who pay their
//! share)`, and what a class keeps after paying. The proof *replays* the run bought at `b` on
//! [`Affine`] forms — an affine function plus an interval for everything non-linear — and checks
//! every decision for the whole window at once:
//! - the project bought in a round stays affordable, and every other project stays dearer: its
//!   supporters cannot pay its cost at the bought project's price. Exact ties are common (with
//!   cost satisfaction, a price everyone can pay is 1 / number of supporters) and are decided
//!   exactly when both prices are such fixed fractions over the whole window, or when the other
//!   project is the bought one's twin (same cost, same supporter groups), by the tie-breaking
//!   order;
//! - at the end, every project left out stays unaffordable for its supporters.
//!
//! Each decision gives the point up to which it provably holds, and the proof returns the
//! earliest; the completion computes the next run beyond it, so the outcome never depends on how
//! much is proven. Because the affine parts cancel exactly when two quantities move together —
//! as prices do when every voter gets the same extra money — this proves windows of tens to
//! hundreds of units where bounds on how fast each quantity can move prove a few. Payers
//! switching within the window only widen the interval parts.

use super::Prepared;
use super::ledger::{Aggregator, Entry};
use crate::budgeting::rules::interval::Interval;
use crate::budgeting::rules::problem::{Problem, compare_products};
use std::cmp::Ordering;
// Keys are small integers from this run, not from users: a fast hasher is safe.
use rustc_hash::FxHashMap as HashMap;

/// `base + slope·t + rest` for `t` in the window: a value that moves linearly with the extra
/// budget `t`, plus an interval for what does not.
#[derive(Debug, Clone, Copy)]
struct Affine {
    base: Interval,
    slope: Interval,
    rest: Interval,
}

impl Affine {
    const ZERO: Affine = Affine { base: Interval::ZERO, slope: Interval::ZERO, rest: Interval::ZERO };

    fn constant(value: Interval) -> Affine {
        Affine { base: value, ..Affine::ZERO }
    }

    fn add(self, other: Affine) -> Affine {
        Affine { base: self.base.add(other.base), slope: self.slope.add(other.slope), rest: self.rest.add(other.rest) }
    }

    fn sub(self, other: Affine) -> Affine {
        Affine { base: self.base.sub(other.base), slope: self.slope.sub(other.slope), rest: self.rest.sub(other.rest) }
    }

    fn scale(self, factor: Interval) -> Affine {
        Affine { base: self.base.mul(factor), slope: self.slope.mul(factor), rest: self.rest.mul(factor) }
    }

    fn widen(self, extra: Interval) -> Affine {
        Affine { rest: self.rest.add(extra), ..self }
    }

    /// Every value the form takes over the window `t ∈ [0, span]`.
    fn range(self, window: Interval) -> Interval {
        self.base.add(self.slope.mul(window)).add(self.rest)
    }

    /// The value at `t = 0`, for estimates.
    fn start(self) -> f64 {
        self.base.add(self.rest).middle()
    }
}

/// `min(first, second)` over the window.
fn min(first: Affine, second: Affine, window: Interval) -> Affine {
    let difference = first.sub(second).range(window);
    if difference.high <= 0.0 {
        first
    } else if difference.low >= 0.0 {
        second
    } else {
        // min(x, y) = x − max(0, x − y), and max(0, x − y) lies in [0, max(x − y)].
        first.widen(Interval { low: -difference.high, high: 0.0 })
    }
}

/// `max(0, value)` over the window.
fn positive_part(value: Affine, window: Interval) -> Affine {
    let range = value.range(window);
    if range.low >= 0.0 {
        value
    } else if range.high <= 0.0 {
        Affine::ZERO
    } else {
        // max(0, x) = x + max(0, −x), and max(0, −x) lies in [0, −min(x)].
        value.widen(Interval { low: 0.0, high: -range.low })
    }
}

/// The class of every payer left with nothing for the whole window: one class instead of one
/// per round and payer group keeps the groups of later rounds few.
const BROKE: u32 = 1;

fn integer(value: i128) -> Interval {
    Interval::from_integer(value)
}

/// How far above `start` (a per-voter budget in scaled units, as an interval containing it) the
/// run that buys `bought`, in this order, is proven to stay the same: a `proven ≤ span` such
/// that every per-voter budget in `[start, start + proven]` buys the same projects in the same
/// order (0 when nothing is proven).
///
/// The forms are built for the window `[0, span]`; each decision that must stay strict gives
/// the point where it could first fail, and the proof keeps the earliest.
pub(crate) fn same_run_over(
    problem: &Problem,
    prepared: &Prepared,
    start: Interval,
    span: f64,
    bought: &[usize],
) -> f64 {
    let window = Interval { low: 0.0, high: span };
    let mut proven = span;
    let mut money =
        vec![Affine { base: start, slope: Interval { low: 1.0, high: 1.0 }, rest: Interval::ZERO }, Affine::ZERO];
    // Each class's money over the whole window, to sort groups cheaply into those certain to
    // pay their share, those certain to pay all they have, and the few in between.
    let mut ranges: Vec<Interval> = money.iter().map(|form| form.range(window)).collect();
    let mut ballot_class: Vec<u32> = vec![0; problem.ballots.len()];
    let mut not_bought: Vec<usize> = prepared.candidates.clone();
    let mut aggregator = Aggregator::default();
    let mut scratch: Vec<Entry> = Vec::new();
    // Per project, how many of its supporters are left with nothing for the whole window: they
    // pay nothing more, so what the others can pay bounds the project without gathering its
    // groups.
    let mut broke_voters: Vec<u64> = vec![0; problem.project_count()];
    for &chosen in bought {
        let mut entries = aggregator.entries(prepared, &ballot_class, money.len(), chosen);
        let cost = problem.cost(chosen);
        let total = supporters_money(&entries, &money);
        // The bought project stays affordable: cost − money ≤ 0.
        proven = proven.min(negative_until(Affine::constant(integer(cost)).sub(total)));
        let Some((rho, fixed)) = price(cost, &entries, &money, window) else { return 0.0 };
        for &other in &not_bought {
            if other == chosen {
                continue;
            }
            let other_cost = integer(problem.cost(other));
            let paying = integer(prepared.satisfaction_still_paying(other, &broke_voters));
            // Whatever their money, its supporters with any left pay at most ρ × their
            // satisfaction, the others nothing.
            if other_cost.low > rho.range(window).mul(paying).high {
                continue;
            }
            aggregator.fill(prepared, &ballot_class, money.len(), other, &mut scratch);
            if twin(problem, chosen, other, &mut entries, &mut scratch) {
                continue;
            }
            match fixed
                .and_then(|fixed| dearer_at_fixed_price(problem, fixed, chosen, other, &scratch, &money, rho, window))
            {
                Some(true) => continue,
                Some(false) => return 0.0,
                None => {}
            }
            // `other` stays dearer while its supporters fall short of its cost at price ρ. (An
            // exact tie is left unproven: with every supporter paying all they have, `other`
            // could be cheaper.)
            let payable = payable_at(&scratch, &money, &ranges, rho, window);
            proven = proven.min(negative_until(payable.sub(Affine::constant(other_cost))));
            if proven <= 0.0 {
                return 0.0;
            }
        }
        pay(problem, prepared, &mut ballot_class, &mut money, chosen, rho, window, &mut broke_voters);
        ranges.extend(money[ranges.len()..].iter().map(|form| form.range(window)));
        not_bought.retain(|&project| project != chosen);
    }
    // Every project left out stays unaffordable: money − cost < 0.
    for &project in &not_bought {
        aggregator.fill(prepared, &ballot_class, money.len(), project, &mut scratch);
        let shortfall = supporters_money(&scratch, &money).sub(Affine::constant(integer(problem.cost(project))));
        proven = proven.min(negative_until(shortfall));
    }
    proven.max(0.0)
}

/// What a project's supporter groups can pay at price ρ: `Σ w·min(money, ρ·s)`.
fn payable_at(entries: &[Entry], money: &[Affine], ranges: &[Interval], rho: Affine, window: Interval) -> Affine {
    let rho_range = rho.range(window);
    let mut payable = Affine::ZERO;
    let mut share_satisfaction: i128 = 0;
    // Supporters of a project mostly share one satisfaction (always, with approval ballots).
    let mut due_for: Option<(i128, Interval)> = None;
    for entry in entries {
        let class = entry.class as usize;
        let due = match due_for {
            Some((satisfaction, due)) if satisfaction == entry.satisfaction => due,
            _ => {
                let due = rho_range.mul(integer(entry.satisfaction));
                due_for = Some((entry.satisfaction, due));
                due
            }
        };
        if ranges[class].low >= due.high {
            share_satisfaction += entry.satisfaction * i128::from(entry.weight);
        } else {
            let paid = if ranges[class].high <= due.low {
                money[class]
            } else {
                min(money[class], rho.scale(integer(entry.satisfaction)), window)
            };
            payable = payable.add(paid.scale(integer(i128::from(entry.weight))));
        }
    }
    payable.add(rho.scale(integer(share_satisfaction)))
}

/// The money of a project's supporter groups together.
fn supporters_money(entries: &[Entry], money: &[Affine]) -> Affine {
    entries
        .iter()
        .fold(Affine::ZERO, |sum, entry| sum.add(money[entry.class as usize].scale(integer(i128::from(entry.weight)))))
}

/// A `t ≥ 0` such that the form is negative on `[0, t)`: it is at most `base + rest + slope·t`
/// (highest ends), which stays negative until it crosses zero. 0 if it may be ≥ 0 at the start.
fn negative_until(value: Affine) -> f64 {
    let at_start = value.base.add(value.rest).high;
    if at_start.is_nan() || value.slope.high.is_nan() || at_start >= 0.0 {
        return 0.0;
    }
    if value.slope.high <= 0.0 {
        return f64::INFINITY;
    }
    Interval { low: -at_start, high: -at_start }.div(Interval { low: value.slope.high, high: value.slope.high }).low
}

/// Whether `other` has exactly the cost and supporter groups of `chosen` and comes after it in
/// the tie-breaking order: then the two are tied for every budget, and `chosen` wins each time.
fn twin(problem: &Problem, chosen: usize, other: usize, chosen_entries: &mut [Entry], entries: &mut [Entry]) -> bool {
    if problem.cost(chosen) != problem.cost(other)
        || chosen_entries.len() != entries.len()
        || problem.rank_of(chosen) > problem.rank_of(other)
    {
        return false;
    }
    let key = |entry: &Entry| (entry.class, entry.satisfaction, entry.weight);
    chosen_entries.sort_unstable_by_key(key);
    entries.sort_unstable_by_key(key);
    chosen_entries.iter().zip(entries.iter()).all(|(first, second)| key(first) == key(second))
}

/// When every supporter of both projects pays the full share over the whole window, the prices
/// are the fixed fractions `cost / satisfaction` and compare exactly, ties by the tie-breaking
/// order — with cost satisfaction every such price is 1 / number of supporters, so exact ties
/// are common. `None` when some supporter of `other` may not afford its share.
#[expect(clippy::too_many_arguments, reason = "one comparison's pieces of the replayed run")]
fn dearer_at_fixed_price(
    problem: &Problem,
    (chosen_cost, chosen_satisfaction): (i128, i128),
    chosen: usize,
    other: usize,
    entries: &[Entry],
    money: &[Affine],
    rho: Affine,
    window: Interval,
) -> Option<bool> {
    let mut satisfaction: i128 = 0;
    for entry in entries {
        if money[entry.class as usize].sub(rho.scale(integer(entry.satisfaction))).range(window).low < 0.0 {
            return None;
        }
        satisfaction += entry.satisfaction * i128::from(entry.weight);
    }
    // The supporters of `other` can all pay its share at any price up to ρ: its price is
    // `cost / satisfaction` if that is at most ρ, and above ρ otherwise.
    Some(match compare_products(problem.cost(other), chosen_satisfaction, chosen_cost, satisfaction) {
        Ordering::Greater => true,
        Ordering::Equal => problem.rank_of(chosen) < problem.rank_of(other),
        Ordering::Less => false,
    })
}

/// The price ρ of a project as a form over the window, and, when every supporter pays the full
/// share over the whole window, the exact price as `(cost, satisfaction)`.
///
/// Take the payers who pay everything at `t = 0` (by float estimate — any split works) as
/// `poor` and the others as `rich`: `ρ̃ = (cost − money of the poor) / satisfaction of the rich`
/// satisfies `Σ w·min(money, ρ̃·s) ≤ cost`, so `ρ̃ ≤ ρ`. The sum falls short of the cost by at
/// most what the misplaced groups are off (`E`), and at prices above `ρ̃` it grows at least as
/// fast as the satisfaction `σ` of the groups that stay rich, so `ρ ≤ ρ̃ + E / σ`.
fn price(cost: i128, entries: &[Entry], money: &[Affine], window: Interval) -> Option<(Affine, Option<(i128, i128)>)> {
    let rho_start = start_price(cost, entries, money)?;
    let mut poor_money = Affine::ZERO;
    let mut rich_satisfaction: i128 = 0;
    for entry in entries {
        let class_money = money[entry.class as usize];
        if class_money.start() < rho_start * entry.satisfaction as f64 {
            poor_money = poor_money.add(class_money.scale(integer(i128::from(entry.weight))));
        } else {
            rich_satisfaction += entry.satisfaction * i128::from(entry.weight);
        }
    }
    if rich_satisfaction <= 0 {
        return None;
    }
    let estimate = Affine::constant(integer(cost))
        .sub(poor_money)
        .scale(Interval::from_integer(1).div(integer(rich_satisfaction)));
    let mut shortfall = 0.0f64;
    for entry in entries {
        let class_money = money[entry.class as usize];
        let gap = class_money.sub(estimate.scale(integer(entry.satisfaction))).range(window);
        let poor = class_money.start() < rho_start * entry.satisfaction as f64;
        // A poor group with money above its share, or a rich one below it, is off by that much.
        let off = if poor { gap.high } else { -gap.low };
        if off > 0.0 {
            shortfall = Interval { low: shortfall, high: shortfall }
                .add(Interval { low: off, high: off }.mul(integer(i128::from(entry.weight))))
                .high;
        }
    }
    if shortfall == 0.0 {
        let everyone_pays_the_share = rich_satisfaction
            == entries.iter().map(|entry| entry.satisfaction * i128::from(entry.weight)).sum::<i128>();
        return Some((estimate, everyone_pays_the_share.then_some((cost, rich_satisfaction))));
    }
    // σ counts only the groups that stay rich up to ρ̃ + δ; shrinking it lengthens δ, so a few
    // rounds settle on a consistent pair.
    let mut delta = 0.0f64;
    for _ in 0..4 {
        let mut sure_satisfaction: i128 = 0;
        for entry in entries {
            let due = estimate
                .scale(integer(entry.satisfaction))
                .widen(Interval { low: 0.0, high: delta }.mul(integer(entry.satisfaction)));
            if money[entry.class as usize].sub(due).range(window).low >= 0.0 {
                sure_satisfaction += entry.satisfaction * i128::from(entry.weight);
            }
        }
        if sure_satisfaction <= 0 {
            return None;
        }
        let next = Interval { low: shortfall, high: shortfall }.div(integer(sure_satisfaction)).high;
        if next <= delta {
            return Some((estimate.widen(Interval { low: 0.0, high: delta }), None));
        }
        delta = next;
    }
    None
}

/// A float estimate of the price at `t = 0`: the plain sweep over groups sorted by money per
/// satisfaction.
fn start_price(cost: i128, entries: &[Entry], money: &[Affine]) -> Option<f64> {
    let mut order: Vec<(f64, f64, f64)> = entries
        .iter()
        .map(|entry| {
            let satisfaction = entry.satisfaction as f64;
            let class_money = money[entry.class as usize].start();
            (class_money / satisfaction, class_money, satisfaction * entry.weight as f64)
        })
        .collect();
    order.sort_unstable_by(|first, second| first.0.total_cmp(&second.0));
    let mut remaining_cost = cost as f64;
    let mut remaining_satisfaction: f64 = order.iter().map(|(_, _, satisfaction)| satisfaction).sum();
    for (per_satisfaction, _, group_satisfaction) in order {
        let candidate = remaining_cost / remaining_satisfaction;
        if candidate <= per_satisfaction {
            return candidate.is_finite().then_some(candidate);
        }
        remaining_cost -= per_satisfaction * group_satisfaction;
        remaining_satisfaction -= group_satisfaction;
    }
    None
}

/// Charges the bought project's supporters over the window and moves them to new classes, the
/// way the run does: one new class per (class, satisfaction) of the payers. Those left with
/// nothing count in `broke_voters` for every project on their ballots.
#[expect(clippy::too_many_arguments, reason = "one step of the replayed run and its tallies")]
fn pay(
    problem: &Problem,
    prepared: &Prepared,
    ballot_class: &mut [u32],
    money: &mut Vec<Affine>,
    project: usize,
    rho: Affine,
    window: Interval,
    broke_voters: &mut [u64],
) {
    let mut targets: HashMap<(u32, i128), u32> = HashMap::default();
    for &(ballot, satisfaction) in prepared.supporters.of(project) {
        let satisfaction = i128::from(satisfaction);
        let Some(class) = ballot_class.get(ballot as usize).copied() else { continue };
        let target = *targets.entry((class, satisfaction)).or_insert_with(|| {
            let left = money[class as usize].sub(rho.scale(integer(satisfaction)));
            if left.range(window).high <= 0.0 {
                return BROKE;
            }
            money.push(positive_part(left, window));
            u32::try_from(money.len() - 1).unwrap_or(u32::MAX)
        });
        if target == BROKE && class != BROKE {
            problem.add_voters_of(ballot as usize, broke_voters);
        }
        if let Some(slot) = ballot_class.get_mut(ballot as usize) {
            *slot = target;
        }
    }
}
