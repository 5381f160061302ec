//! The tally rules, their names, options and the [`tally`] entry point.

mod add_one;
mod equal_shares;
mod greedy;
mod interval;
mod max_welfare;
mod phragmen;
mod problem;
mod shared;

use crate::budgeting::error::TallyError;
use crate::budgeting::explain::{PayerGroup, ProjectExplanation, Reason};
use crate::budgeting::model::{Election, VoteType};
use crate::budgeting::number::Exact;
use add_one::{Ended, Stop, add_one};
use equal_shares::{MesRun, Prepared};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use problem::{Problem, satisfaction_applies};
use serde::Serialize;
pub use shared::Tallier;
use shared::{Shared, SharedRun};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;

/// How a voter's satisfaction with a funded project is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// The project's cost if the voter names it (approves, ranks or gives it points), else 0.
    Cost,
    /// 1 if the voter names the project, else 0.
    Cardinality,
    /// The points the voter gives the project (cumulative and scoring ballots).
    Points,
    /// Borda score in the voter's ranking: ranking length − position − 1 (ordinal ballots).
    Borda,
}

/// A tally rule; [`Rule::name`] is the name used by the CLI and in `reference.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `greedy-cost`: greedy utilitarian welfare with cost satisfaction ("most votes first").
    GreedyCost,
    /// `greedy-card`: greedy utilitarian welfare with cardinality satisfaction.
    GreedyCard,
    /// `greedy-points`: greedy utilitarian welfare with points as satisfaction.
    GreedyPoints,
    /// `greedy-borda`: greedy utilitarian welfare with Borda satisfaction.
    GreedyBorda,
    /// `max-welfare-cost`: an exact maximum-welfare feasible set, cost satisfaction.
    MaxWelfareCost,
    /// `max-welfare-card`: an exact maximum-welfare feasible set, cardinality satisfaction.
    MaxWelfareCard,
    /// `max-welfare-points`: an exact maximum-welfare feasible set, points as satisfaction.
    MaxWelfarePoints,
    /// `phragmen`: sequential Phragmén (approval ballots).
    Phragmen,
    /// `mes-cost`: the Method of Equal Shares with cost satisfaction.
    MesCost,
    /// `mes-card`: the Method of Equal Shares with cardinality satisfaction.
    MesCard,
    /// `mes-points`: the Method of Equal Shares with points as satisfaction.
    MesPoints,
    /// `mes-borda`: the Method of Equal Shares with Borda satisfaction.
    MesBorda,
    /// `mes-cost+greedy`: `mes-cost` completed by `greedy-cost`.
    MesCostGreedy,
    /// `mes-cost-add1`: `mes-cost` with the voters' budget raised one unit at a time while
    /// the outcome stays feasible and is not exhaustive (pabutools' `voter_budget_increment=1`).
    MesCostAdd1,
    /// `mes-cost-add1+greedy`: `mes-cost-add1` completed by `greedy-cost`.
    MesCostAdd1Greedy,
    /// `mes-cost-add1-exhaustive`: the cities' add-one variant, raising the voters' budget one
    /// unit at a time until the outcome would overspend.
    MesCostAdd1Exhaustive,
}

impl Rule {
    /// Every rule, in the order the CLI lists them.
    pub const ALL: [Rule; 16] = [
        Rule::GreedyCost,
        Rule::GreedyCard,
        Rule::GreedyPoints,
        Rule::GreedyBorda,
        Rule::MaxWelfareCost,
        Rule::MaxWelfareCard,
        Rule::MaxWelfarePoints,
        Rule::Phragmen,
        Rule::MesCost,
        Rule::MesCard,
        Rule::MesPoints,
        Rule::MesBorda,
        Rule::MesCostGreedy,
        Rule::MesCostAdd1,
        Rule::MesCostAdd1Greedy,
        Rule::MesCostAdd1Exhaustive,
    ];

    /// The rule's public name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::GreedyCost => "greedy-cost",
            Rule::GreedyCard => "greedy-card",
            Rule::GreedyPoints => "greedy-points",
            Rule::GreedyBorda => "greedy-borda",
            Rule::MaxWelfareCost => "max-welfare-cost",
            Rule::MaxWelfareCard => "max-welfare-card",
            Rule::MaxWelfarePoints => "max-welfare-points",
            Rule::Phragmen => "phragmen",
            Rule::MesCost => "mes-cost",
            Rule::MesCard => "mes-card",
            Rule::MesPoints => "mes-points",
            Rule::MesBorda => "mes-borda",
            Rule::MesCostGreedy => "mes-cost+greedy",
            Rule::MesCostAdd1 => "mes-cost-add1",
            Rule::MesCostAdd1Greedy => "mes-cost-add1+greedy",
            Rule::MesCostAdd1Exhaustive => "mes-cost-add1-exhaustive",
        }
    }

    /// The satisfaction function the rule maximises or shares out.
    pub fn satisfaction(self) -> Satisfaction {
        match self {
            Rule::GreedyCard | Rule::MaxWelfareCard | Rule::MesCard | Rule::Phragmen => Satisfaction::Cardinality,
            Rule::GreedyPoints | Rule::MaxWelfarePoints | Rule::MesPoints => Satisfaction::Points,
            Rule::GreedyBorda | Rule::MesBorda => Satisfaction::Borda,
            Rule::GreedyCost
            | Rule::MaxWelfareCost
            | Rule::MesCost
            | Rule::MesCostGreedy
            | Rule::MesCostAdd1
            | Rule::MesCostAdd1Greedy
            | Rule::MesCostAdd1Exhaustive => Satisfaction::Cost,
        }
    }

    /// Whether the rule can tally ballots of this type.
    pub fn applies_to(self, vote_type: VoteType) -> bool {
        if self == Rule::Phragmen {
            return vote_type.is_approval();
        }
        satisfaction_applies(self.satisfaction(), vote_type)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Rule {
    type Err = TallyError;

    fn from_str(name: &str) -> Result<Rule, TallyError> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name).ok_or_else(|| TallyError::UnknownRule {
            name: name.to_owned(),
            known: Rule::ALL.map(Rule::name).join(", "),
        })
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// How ties between equally good projects are broken. Every order ends with project ids
/// compared as strings ("10" < "9"), pabutools' default, so that the result is always unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreaking {
    /// Project ids compared as strings (pabutools' default).
    #[default]
    Lexicographic,
    /// The project more voters name first, then ids.
    MostVotes,
    /// The cheaper project first, then ids.
    LowestCost,
}

impl TieBreaking {
    /// The option's name on the CLI.
    pub fn name(self) -> &'static str {
        match self {
            TieBreaking::Lexicographic => "lexicographic",
            TieBreaking::MostVotes => "most-votes",
            TieBreaking::LowestCost => "lowest-cost",
        }
    }
}

impl FromStr for TieBreaking {
    type Err = String;

    fn from_str(name: &str) -> Result<TieBreaking, String> {
        [TieBreaking::Lexicographic, TieBreaking::MostVotes, TieBreaking::LowestCost]
            .into_iter()
            .find(|option| option.name() == name)
            .ok_or_else(|| format!("unknown tie-breaking `{name}` (expected lexicographic, most-votes or lowest-cost)"))
    }
}

/// Progress of a long tally (the add-one completions), for progress bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TallyProgress {
    /// Equal-shares runs computed so far.
    pub evaluations: u64,
    /// The per-voter budget being tried, in the election's currency (approximate).
    pub per_voter_budget: f64,
}

/// Options of a tally.
#[derive(Clone, Copy, Default)]
pub struct TallyOptions<'a> {
    /// How ties are broken.
    pub tie_breaking: TieBreaking,
    /// Called as a long tally advances.
    pub progress: Option<&'a dyn Fn(TallyProgress)>,
    /// How the add-one completions raise the voters' budget; every strategy gives the same
    /// outcome (the tests check it), they differ only in speed.
    pub add_one_strategy: AddOneStrategy,
    /// Whether equal-shares explanations list the ids of the voters in each payer group
    /// ([`PayerGroup::voter_ids`]); off by default, as it lists every payer of every project.
    pub payer_ids: bool,
}

/// How the add-one completions step through per-voter budgets. All strategies give exactly the
/// outcome of raising the budget one unit at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddOneStrategy {
    /// Jump over budgets that provably give the same run while jumps are long enough to pay for
    /// the extra work of proving it, and step one unit at a time otherwise (the default).
    #[default]
    Adaptive,
    /// One unit at a time, as pabutools does.
    UnitSteps,
    /// After every run, prove how far the run stays the same and jump past it, however short
    /// the jump (for tests: it exercises the proofs the most).
    AlwaysJump,
}

/// The result of a tally.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The rule that produced it.
    pub rule: Rule,
    /// The tie-breaking used.
    pub tie_breaking: TieBreaking,
    /// Selected project ids in order of selection.
    pub selected: Vec<String>,
    /// Indices of the selected projects in [`Election::projects`], in order of selection.
    #[serde(skip)]
    pub selected_indices: Vec<usize>,
    /// Total cost of the selected projects.
    pub total_cost: Exact,
    /// The budget each voter started with, for equal-shares rules.
    pub per_voter_budget: Option<Exact>,
    /// For add-one completions: how many equal-shares runs were computed.
    pub add_one_runs: Option<u64>,
    /// For every project in file order: selected or not, and why.
    pub explanations: Vec<ProjectExplanation>,
}

/// Tallies an election with a rule.
pub fn tally(election: &Election, rule: Rule, options: &TallyOptions<'_>) -> Result<Outcome, TallyError> {
    tally_with(election, rule, options, &mut Shared::default())
}

fn tally_with(
    election: &Election,
    rule: Rule,
    options: &TallyOptions<'_>,
    shared: &mut Shared,
) -> Result<Outcome, TallyError> {
    if !rule.applies_to(election.vote_type) {
        let reason = match rule {
            Rule::Phragmen => "it needs approval or choose-1 ballots",
            _ => match rule.satisfaction() {
                Satisfaction::Points => "it needs cumulative or scoring ballots",
                Satisfaction::Borda => "it needs ordinal ballots",
                Satisfaction::Cost | Satisfaction::Cardinality => "it does not apply",
            },
        };
        return Err(TallyError::IncompatibleBallots {
            rule: rule.name().to_owned(),
            vote_type: election.vote_type.pabulib_name().to_owned(),
            reason: reason.to_owned(),
        });
    }
    let problem = shared.problem(election, rule.satisfaction(), options.tie_breaking)?;
    let mut reasons: Vec<Option<Reason>> = vec![None; election.projects.len()];
    let mut per_voter_budget = None;
    let mut add_one_runs = None;
    let selected = match rule {
        Rule::GreedyCost | Rule::GreedyCard | Rule::GreedyPoints | Rule::GreedyBorda => {
            let result = greedy::greedy(&problem, &[], rule == Rule::GreedyBorda, false);
            set_reasons(&mut reasons, result.reasons);
            result.selected
        }
        Rule::MaxWelfareCost | Rule::MaxWelfareCard | Rule::MaxWelfarePoints => {
            let result = max_welfare::max_welfare(&problem);
            set_reasons(&mut reasons, result.reasons);
            result.selected
        }
        Rule::Phragmen => {
            let result = phragmen::phragmen(&problem);
            set_reasons(&mut reasons, result.reasons);
            result.selected
        }
        Rule::MesCost
        | Rule::MesCard
        | Rule::MesPoints
        | Rule::MesBorda
        | Rule::MesCostGreedy
        | Rule::MesCostAdd1
        | Rule::MesCostAdd1Greedy
        | Rule::MesCostAdd1Exhaustive => {
            let mut selected = Vec::new();
            if problem.voter_count > 0 {
                let prepared = shared.prepared(&problem);
                let stop = match rule {
                    Rule::MesCostAdd1 | Rule::MesCostAdd1Greedy => Some(Stop::ExhaustiveOrOverspent),
                    Rule::MesCostAdd1Exhaustive => Some(Stop::Overspent),
                    _ => None,
                };
                // The cities' variant goes the same way as pabutools' until pabutools stops: it
                // takes over where an earlier pabutools completion of this problem stopped.
                let earlier = match stop {
                    Some(Stop::Overspent) => shared.existing_run((
                        rule.satisfaction(),
                        options.tie_breaking,
                        Some(Stop::ExhaustiveOrOverspent),
                    )),
                    _ => None,
                };
                let shared_run =
                    shared.run((rule.satisfaction(), options.tie_breaking, stop), || match (stop, earlier) {
                        // It stopped overspending (or having bought everything): so does this one.
                        (Some(_), Some(earlier))
                            if matches!(earlier.ended, Some(Ended::Overspent | Ended::AllBought)) =>
                        {
                            earlier
                        }
                        (Some(stop), earlier) => {
                            let (from_steps, before) =
                                match earlier.as_deref().and_then(|run| run.ended.clone().zip(run.add_one_runs)) {
                                    Some((Ended::Exhaustive { steps }, runs)) => (steps, runs),
                                    _ => (BigInt::zero(), 0),
                                };
                            let result = add_one(
                                &problem,
                                &prepared,
                                stop,
                                options.add_one_strategy,
                                options.progress,
                                from_steps,
                            );
                            Rc::new(SharedRun {
                                run: result.run,
                                per_voter_budget: result.per_voter_budget,
                                add_one_runs: Some(before + result.evaluations),
                                ended: Some(result.ended),
                            })
                        }
                        (None, _) => {
                            let budget =
                                BigRational::new(BigInt::from(problem.budget), BigInt::from(problem.voter_count));
                            Rc::new(SharedRun {
                                run: equal_shares::run(&problem, &prepared, &budget),
                                per_voter_budget: budget,
                                add_one_runs: None,
                                ended: None,
                            })
                        }
                    });
                let SharedRun { run, per_voter_budget: budget, add_one_runs: runs, .. } = &*shared_run;
                add_one_runs = *runs;
                let payers = options.payer_ids.then(|| payer_voter_ids(election, &problem, &prepared, run));
                selected = equal_shares_reasons(&problem, &prepared, run, budget, payers, &mut reasons);
                per_voter_budget = Some(problem.money_exact(budget));
            }
            if matches!(rule, Rule::MesCostGreedy | Rule::MesCostAdd1Greedy) && !is_exhaustive(&problem, &selected) {
                let result = greedy::greedy(&problem, &selected, false, true);
                for (project, reason) in result.reasons {
                    if let Some(slot) = reasons.get_mut(project) {
                        *slot = Some(reason);
                    }
                }
                selected.extend(result.selected);
            }
            selected
        }
    };
    let mut positions: Vec<Option<usize>> = vec![None; election.projects.len()];
    for (position, &project) in selected.iter().enumerate() {
        if let Some(slot) = positions.get_mut(project) {
            *slot = Some(position + 1);
        }
    }
    let explanations = election
        .projects
        .iter()
        .zip(positions)
        .zip(reasons)
        .enumerate()
        .map(|(index, ((project, position), reason))| ProjectExplanation {
            project_id: project.id.clone(),
            name: election.project_name(index).map(str::to_owned),
            cost: Exact::from(&project.cost),
            selected: position.is_some(),
            position,
            reason: reason.unwrap_or(Reason::NoSupporters),
        })
        .collect();
    Ok(Outcome {
        rule,
        tie_breaking: options.tie_breaking,
        selected: selected
            .iter()
            .filter_map(|&index| election.projects.get(index))
            .map(|project| project.id.clone())
            .collect(),
        total_cost: problem.money_of(problem.total_cost(&selected)),
        selected_indices: selected,
        per_voter_budget,
        add_one_runs,
        explanations,
    })
}

fn set_reasons(reasons: &mut [Option<Reason>], list: Vec<(usize, Reason)>) {
    for (project, reason) in list {
        if let Some(slot) = reasons.get_mut(project) {
            *slot = Some(reason);
        }
    }
}

/// Whether no further project fits next to `selected`.
fn is_exhaustive(problem: &Problem, selected: &[usize]) -> bool {
    let cost = problem.total_cost(selected);
    (0..problem.project_count())
        .all(|project| selected.contains(&project) || cost + problem.cost(project) > problem.budget)
}

/// The ids of the voters in each payer group of each round of a run (round → group → ids).
fn payer_voter_ids(election: &Election, problem: &Problem, prepared: &Prepared, run: &MesRun) -> Vec<Vec<Vec<String>>> {
    let mut voters_of_ballot: Vec<Vec<&str>> = vec![Vec::new(); problem.ballots.len()];
    for voter in &election.voters {
        if let Some(list) = voters_of_ballot.get_mut(voter.ballot) {
            list.push(voter.id.as_str());
        }
    }
    equal_shares::payer_ballots(prepared, run)
        .into_iter()
        .map(|groups| {
            groups
                .into_iter()
                .map(|ballots| {
                    ballots
                        .into_iter()
                        .flat_map(|ballot| voters_of_ballot.get(ballot as usize).into_iter().flatten())
                        .map(|id| (*id).to_owned())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Fills the reasons of an equal-shares run and returns its outcome (free projects first).
fn equal_shares_reasons(
    problem: &Problem,
    prepared: &Prepared,
    run: &MesRun,
    per_voter_budget: &BigRational,
    mut payer_ids: Option<Vec<Vec<Vec<String>>>>,
    reasons: &mut [Option<Reason>],
) -> Vec<usize> {
    let budget = problem.money_exact(per_voter_budget);
    let mut selected = prepared.free.clone();
    for &project in &prepared.free {
        if let Some(slot) = reasons.get_mut(project) {
            *slot = Some(Reason::FreeProject);
        }
    }
    // A round's payer groups nearly always share one satisfaction: convert it once.
    let mut satisfaction: Option<(i128, Exact)> = None;
    for (index, round) in run.rounds.iter().enumerate() {
        selected.push(round.project);
        let mut ids = payer_ids.as_mut().and_then(|rounds| rounds.get_mut(index)).map(std::mem::take);
        let payers = round
            .payments
            .iter()
            .enumerate()
            .map(|(group, payment)| PayerGroup {
                voter_ids: ids.as_mut().and_then(|groups| groups.get_mut(group)).map(std::mem::take),
                voters: payment.voters,
                satisfaction: match &satisfaction {
                    Some((scaled, exact)) if *scaled == payment.satisfaction => exact.clone(),
                    _ => {
                        let exact = problem.satisfaction_of(payment.satisfaction);
                        satisfaction = Some((payment.satisfaction, exact.clone()));
                        exact
                    }
                },
                paid_each: problem.approximate_money(payment.paid_each),
                paid_everything_left: payment.paid_everything_left,
            })
            .collect();
        // ρ is money per unit of satisfaction, both in real units.
        let rho = round.rho * problem.satisfaction_scale as f64 / problem.money_scale as f64;
        if let Some(slot) = reasons.get_mut(round.project) {
            *slot = Some(Reason::EqualSharesBought { round: index + 1, rho, per_voter_budget: budget.clone(), payers });
        }
    }
    for &project in &prepared.candidates {
        if selected.contains(&project) {
            continue;
        }
        if let Some(slot) = reasons.get_mut(project) {
            *slot = Some(Reason::EqualSharesUnaffordable {
                supporters: prepared.supporter_count.get(project).copied().unwrap_or(0),
                supporters_money_left: problem.approximate_money(run.money_left.get(project).copied().unwrap_or(0.0)),
                per_voter_budget: budget.clone(),
            });
        }
    }
    selected
}
