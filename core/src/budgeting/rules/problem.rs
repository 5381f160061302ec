//! The integer form of an election that the rules compute on: scaled integer costs, integer
//! satisfactions per distinct ballot, and a tie-breaking rank per project.

use crate::budgeting::error::TallyError;
use crate::budgeting::model::{Election, VoteType};
use crate::budgeting::number::Exact;
use crate::budgeting::rules::{Satisfaction, TieBreaking};
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive};
use std::cmp::Ordering;

/// Money and satisfaction are scaled to integers below this bound, so that sums over all voters
/// and the cross-multiplications of comparisons stay exact in `i128` or, past it, in `BigInt`.
const MAX_SCALED: i128 = 1 << 62;

/// An election reduced to what a rule needs.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// Project costs in scaled money units (integers).
    pub costs: Vec<i128>,
    /// The budget limit in scaled money units.
    pub budget: i128,
    /// How many scaled units make one unit of the election's currency.
    pub money_scale: i128,
    /// How many satisfaction units the integer satisfactions use per real unit (the money
    /// scale for cost satisfaction, the common denominator of points for points).
    pub satisfaction_scale: i128,
    /// The number of voters.
    pub voter_count: u64,
    /// The distinct ballots with the satisfaction each gives to the projects it names (zero
    /// satisfactions are left out).
    pub ballots: Vec<WeightedBallot>,
    /// Every ballot's `(project index, satisfaction)` pairs, one after the other: one
    /// allocation for all ballots, in compact integers (satisfactions are below 2^62, see
    /// `MAX_SCALED`) since every rule walks them.
    entries: Vec<(u32, i64)>,
    /// The project indices of `entries` alone, for walks that need no satisfaction: a quarter
    /// of the memory to read.
    entry_projects: Vec<u32>,
    /// Tie-breaking rank of each project: among tied projects the lowest rank wins.
    pub rank: Vec<usize>,
}

/// A distinct ballot in integer form; [`Problem::entries`] gives its satisfactions.
#[derive(Debug, Clone)]
pub(crate) struct WeightedBallot {
    /// Where its `(project index, satisfaction)` pairs (non-zero satisfactions) lie in the
    /// problem's entries.
    range: std::ops::Range<usize>,
    /// How many voters cast the ballot.
    pub weight: u64,
}

/// A list per project, all in one allocation.
#[derive(Debug, Clone)]
pub(crate) struct PerProject<T> {
    items: Vec<T>,
    /// Project `p`'s items are `items[starts[p]..starts[p + 1]]`.
    starts: Vec<usize>,
}

impl<T> PerProject<T> {
    /// The list of `project` (empty for an unknown index).
    pub fn of(&self, project: usize) -> &[T] {
        match (self.starts.get(project), self.starts.get(project + 1)) {
            (Some(&start), Some(&end)) => self.items.get(start..end).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Every project's list, in project order.
    pub fn lists(&self) -> impl Iterator<Item = &[T]> {
        self.starts.windows(2).map(|bounds| self.items.get(bounds[0]..bounds[1]).unwrap_or_default())
    }

    /// Per project, the sum of `weight` over its list (e.g. its supporters' voter counts).
    pub fn totals<N: std::iter::Sum<N>>(&self, weight: impl Fn(&T) -> N) -> Vec<N> {
        self.lists().map(|list| list.iter().map(&weight).sum()).collect()
    }
}

impl Problem {
    /// Builds the integer problem of an election for a satisfaction function.
    pub fn new(
        election: &Election,
        satisfaction: Satisfaction,
        tie_breaking: TieBreaking,
    ) -> Result<Problem, TallyError> {
        if election.budget.is_negative() {
            return Err(TallyError::InvalidElection("the budget is negative".to_owned()));
        }
        if let Some(project) = election.projects.iter().find(|project| project.cost.is_negative()) {
            return Err(TallyError::InvalidElection(format!("project `{}` has a negative cost", project.id)));
        }
        let money_scale = common_denominator(
            std::iter::once(&election.budget).chain(election.projects.iter().map(|project| &project.cost)),
        )
        .ok_or_else(|| TallyError::OutOfRange("the costs need too fine a money unit".to_owned()))?;
        let too_large =
            |what: String| TallyError::OutOfRange(format!("{what} is too large once all amounts are made integers"));
        let costs = election
            .projects
            .iter()
            .map(|project| {
                scale_to_integer(&project.cost, money_scale)
                    .ok_or_else(|| too_large(format!("the cost of project `{}`", project.id)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let budget =
            scale_to_integer(&election.budget, money_scale).ok_or_else(|| too_large("the budget".to_owned()))?;
        let points_scale = common_denominator(election.ballots.iter().flat_map(|ballot| ballot.points.iter()))
            .ok_or_else(|| TallyError::OutOfRange("points need too fine a unit".to_owned()))?;
        let voter_count = election.voter_count();
        if voter_count >= (1 << 40) {
            return Err(TallyError::OutOfRange("more than 2^40 voters".to_owned()));
        }
        if u32::try_from(election.projects.len()).is_err() {
            return Err(TallyError::OutOfRange("too many projects".to_owned()));
        }
        // Every scaled amount is below 2^62 (`MAX_SCALED`): satisfactions fit the compact
        // entries, and project indices fit 32 bits (checked above), so the casts below are exact.
        let mut ballots = Vec::with_capacity(election.ballots.len());
        let mut entries: Vec<(u32, i64)> =
            Vec::with_capacity(election.ballots.iter().map(|ballot| ballot.projects.len()).sum());
        for ballot in &election.ballots {
            let start = entries.len();
            let named = ballot.projects.iter().copied();
            match satisfaction {
                Satisfaction::Cost => entries.extend(named.filter_map(|project| {
                    let cost = costs.get(project).copied().unwrap_or(0);
                    (cost != 0).then_some((project as u32, cost as i64))
                })),
                Satisfaction::Cardinality => entries.extend(named.map(|project| (project as u32, 1))),
                Satisfaction::Borda => {
                    let length = ballot.projects.len();
                    entries.extend(named.enumerate().filter_map(|(position, project)| {
                        let score = length - position - 1;
                        (score != 0).then_some((project as u32, score as i64))
                    }));
                }
                Satisfaction::Points => {
                    for (&project, points) in ballot.projects.iter().zip(&ballot.points) {
                        let value = scale_to_integer(points, points_scale)
                            .ok_or_else(|| TallyError::OutOfRange("points are too large".to_owned()))?;
                        if value != 0 {
                            entries.push((project as u32, value as i64));
                        }
                    }
                }
            }
            ballots.push(WeightedBallot { range: start..entries.len(), weight: ballot.multiplicity });
        }
        let rank = tie_breaking_rank(election, &costs, tie_breaking);
        let satisfaction_scale = match satisfaction {
            Satisfaction::Cost => money_scale,
            Satisfaction::Points => points_scale,
            Satisfaction::Cardinality | Satisfaction::Borda => 1,
        };
        let entry_projects = entries.iter().map(|&(project, _)| project).collect();
        Ok(Problem {
            costs,
            budget,
            money_scale,
            satisfaction_scale,
            voter_count,
            ballots,
            entries,
            entry_projects,
            rank,
        })
    }

    /// A ballot's `(project index, satisfaction)` pairs.
    pub fn entries(&self, ballot: &WeightedBallot) -> &[(u32, i64)] {
        self.entries.get(ballot.range.clone()).unwrap_or_default()
    }

    /// Number of projects.
    pub fn project_count(&self) -> usize {
        self.costs.len()
    }

    /// Total satisfaction each project gives over all voters.
    pub fn total_satisfaction(&self) -> Vec<i128> {
        let mut totals = vec![0i128; self.project_count()];
        for ballot in &self.ballots {
            for &(project, satisfaction) in self.entries(ballot) {
                if let Some(total) = totals.get_mut(project as usize) {
                    *total += i128::from(satisfaction) * i128::from(ballot.weight);
                }
            }
        }
        totals
    }

    /// The cost of a project in scaled units (0 for an unknown index).
    pub fn cost(&self, project: usize) -> i128 {
        self.costs.get(project).copied().unwrap_or(0)
    }

    /// Total cost of some projects in scaled units.
    pub fn total_cost(&self, projects: &[usize]) -> i128 {
        projects.iter().map(|&project| self.cost(project)).sum()
    }

    /// An amount in scaled units as an exact amount of the election's currency.
    pub fn money(&self, scaled: &BigRational) -> BigRational {
        scaled / BigRational::from_integer(BigInt::from(self.money_scale))
    }

    /// An amount in scaled units as an exact amount of the election's currency, in machine
    /// integers where it fits.
    pub fn money_exact(&self, scaled: &BigRational) -> Exact {
        match (
            scaled.numer().to_i128(),
            scaled.denom().to_i128().and_then(|denominator| denominator.checked_mul(self.money_scale)),
        ) {
            (Some(numerator), Some(denominator)) => Exact::ratio(numerator, denominator),
            _ => Exact::from(self.money(scaled)),
        }
    }

    /// An amount in scaled units in the election's currency, rounded (for explanations).
    pub fn approximate_money(&self, scaled: f64) -> f64 {
        scaled / self.money_scale as f64
    }

    /// An integer amount in scaled units as an exact amount of the election's currency.
    pub fn money_of(&self, scaled: i128) -> Exact {
        Exact::ratio(scaled, self.money_scale)
    }

    /// An integer satisfaction as an exact real satisfaction.
    pub fn satisfaction_of(&self, scaled: i128) -> Exact {
        Exact::ratio(scaled, self.satisfaction_scale)
    }

    /// Per project, an item for each ballot that gives it a satisfaction, in ballot order:
    /// `item(ballot index, satisfaction)`, `None` to leave the ballot out (it is asked twice
    /// per entry, so it must answer the same both times).
    pub fn by_project<T: Copy + Default>(&self, item: impl Fn(usize, i128) -> Option<T>) -> PerProject<T> {
        let project_count = self.project_count();
        let mut starts = vec![0usize; project_count + 1];
        for (index, ballot) in self.ballots.iter().enumerate() {
            for &(project, satisfaction) in self.entries(ballot) {
                let project = project as usize;
                if project < project_count && item(index, i128::from(satisfaction)).is_some() {
                    starts[project + 1] += 1;
                }
            }
        }
        for project in 0..project_count {
            starts[project + 1] += starts[project];
        }
        let mut next = starts[..project_count].to_vec();
        let mut items = vec![T::default(); starts[project_count]];
        for (index, ballot) in self.ballots.iter().enumerate() {
            for &(project, satisfaction) in self.entries(ballot) {
                let slot = next.get_mut(project as usize);
                if let (Some(value), Some(slot)) = (item(index, i128::from(satisfaction)), slot) {
                    items[*slot] = value;
                    *slot += 1;
                }
            }
        }
        PerProject { items, starts }
    }

    /// Adds the voters of ballot `ballot` to the slot of every project it gives a satisfaction
    /// (e.g. when those voters are left with nothing).
    pub fn add_voters_of(&self, ballot: usize, counts: &mut [u64]) {
        let Some(cast) = self.ballots.get(ballot) else { return };
        for &project in self.entry_projects.get(cast.range.clone()).unwrap_or_default() {
            if let Some(slot) = counts.get_mut(project as usize) {
                *slot += cast.weight;
            }
        }
    }

    /// How many voters cast ballot `ballot` (0 for an unknown index).
    pub fn weight_of(&self, ballot: usize) -> u64 {
        self.ballots.get(ballot).map_or(0, |ballot| ballot.weight)
    }

    /// The tie-breaking rank of a project.
    pub fn rank_of(&self, project: usize) -> usize {
        self.rank.get(project).copied().unwrap_or(usize::MAX)
    }
}

/// The least common multiple of the values' denominators, if it is below the bound of scaled
/// amounts (machine integers: the denominators are nearly always 1).
fn common_denominator<'a>(values: impl Iterator<Item = &'a BigRational>) -> Option<i128> {
    let mut scale: i128 = 1;
    for value in values {
        let denominator = value.denom();
        if denominator.is_one() {
            continue;
        }
        let denominator = denominator.to_i128().filter(|denominator| *denominator < MAX_SCALED)?;
        scale = scale.lcm(&denominator);
        if scale >= MAX_SCALED {
            return None;
        }
    }
    Some(scale)
}

/// `value × scale` as an integer, when `value`'s denominator divides `scale` and the result is
/// below the bound of scaled amounts. Machine integers where they suffice: no gcd is computed.
fn scale_to_integer(value: &BigRational, scale: i128) -> Option<i128> {
    let scaled = match (value.numer().to_i128(), value.denom().to_i128()) {
        (Some(numerator), Some(denominator)) if scale % denominator == 0 => {
            numerator.checked_mul(scale / denominator)?
        }
        _ => (value * BigRational::from_integer(BigInt::from(scale))).to_integer().to_i128()?,
    };
    (scaled.abs() < MAX_SCALED).then_some(scaled)
}

/// `first_a * first_b` compared with `second_a * second_b`, exactly.
pub(crate) fn compare_products(first_a: i128, first_b: i128, second_a: i128, second_b: i128) -> Ordering {
    // Products of 64-bit values cannot overflow 128 bits: one multiplication each, where a
    // checked 128-bit multiplication is a library call (the knapsack's sorts compare a lot).
    if let (Ok(a), Ok(b), Ok(c), Ok(d)) =
        (i64::try_from(first_a), i64::try_from(first_b), i64::try_from(second_a), i64::try_from(second_b))
    {
        return (i128::from(a) * i128::from(b)).cmp(&(i128::from(c) * i128::from(d)));
    }
    match (first_a.checked_mul(first_b), second_a.checked_mul(second_b)) {
        (Some(first), Some(second)) => first.cmp(&second),
        _ => (BigInt::from(first_a) * BigInt::from(first_b)).cmp(&(BigInt::from(second_a) * BigInt::from(second_b))),
    }
}

/// The rank of every project under a tie-breaking order; ties of the order itself fall back to
/// project ids compared as strings, which is pabutools' default.
fn tie_breaking_rank(election: &Election, costs: &[i128], tie_breaking: TieBreaking) -> Vec<usize> {
    let supporters = if tie_breaking == TieBreaking::MostVotes { election.supporter_counts() } else { Vec::new() };
    let mut order: Vec<usize> = (0..election.projects.len()).collect();
    let id = |project: usize| election.projects.get(project).map(|project| project.id.as_str());
    order.sort_by(|&first, &second| {
        let primary = match tie_breaking {
            TieBreaking::Lexicographic => Ordering::Equal,
            TieBreaking::MostVotes => supporters.get(second).cmp(&supporters.get(first)),
            TieBreaking::LowestCost => costs.get(first).cmp(&costs.get(second)),
        };
        primary.then_with(|| id(first).cmp(&id(second)))
    });
    let mut rank = vec![0; order.len()];
    for (position, project) in order.into_iter().enumerate() {
        if let Some(slot) = rank.get_mut(project) {
            *slot = position;
        }
    }
    rank
}

/// Whether a satisfaction function can be computed from ballots of this type.
pub(crate) fn satisfaction_applies(satisfaction: Satisfaction, vote_type: VoteType) -> bool {
    match satisfaction {
        Satisfaction::Cost | Satisfaction::Cardinality => true,
        Satisfaction::Points => vote_type.has_points(),
        Satisfaction::Borda => vote_type == VoteType::Ordinal,
    }
}
