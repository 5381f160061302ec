//! The tally of a process and its stored outcome: the counted ballots become an election of
//! the pure engine ([`crate::budgeting`]), tallied by the process's rule; the outcome, every
//! project's explanation, the votes per project and the turnout are stored with the process in
//! the transaction that moves it to `TALLIED`, and read from there ever after.

use std::collections::HashMap;
use std::str::FromStr;

use num_rational::BigRational;
use num_traits::Zero;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::BudgetError;
use super::entity::{ballot, process};
use super::model::{BallotChoices, BallotFormat, BallotStatus, BudgetPhase, BudgetProcess, ProjectStatus, Turnout};
use super::money::Money;
use super::projects;
use super::service::{json, load, vote_type};
use crate::budgeting::{self, Ballot, Election, Project, Rule, TallyOptions, Voter, explain};
use crate::context::Context;
use crate::i18n::{Locale, LocalizedText, Message};
use crate::ids::{BudgetProcessId, BudgetProjectId};
use crate::tickets::Channel;

/// The published results of a tallied process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetResults {
    /// The rule that counted the votes.
    pub rule: String,
    /// The selected projects, in the order the rule selected them.
    pub selected: Vec<BudgetProjectId>,
    /// What the selected projects cost together.
    pub total_cost: Money,
    /// For every project on the ballot: selected or not, and why.
    pub explanations: Vec<ProjectOutcome>,
    /// Votes per project on the ballot.
    pub votes: Vec<ProjectVotes>,
    /// Counted ballots, by channel.
    pub turnout: StoredTurnout,
}

/// Why a project was or was not selected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectOutcome {
    /// The project.
    pub project: BudgetProjectId,
    /// Whether it is funded.
    pub selected: bool,
    /// The rule's reason, in English words.
    pub reason: String,
    /// The rule's reason in every language (absent from outcomes stored before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localized_reason: Option<LocalizedText>,
}

/// The votes a project got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectVotes {
    /// The project.
    pub project: BudgetProjectId,
    /// Ballots that approved, gave points to or ranked it.
    pub count: u64,
    /// Points it got (cumulative ballots).
    pub points: u64,
}

/// The turnout as stored with the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StoredTurnout {
    /// Counted ballots.
    pub total: u64,
    /// Per channel.
    pub by_channel: Vec<(Channel, u64)>,
}

impl From<StoredTurnout> for Turnout {
    fn from(stored: StoredTurnout) -> Turnout {
        Turnout { total: stored.total, by_channel: stored.by_channel }
    }
}

/// The results of a process, once tallied (`None` before: nobody sees per-project counts
/// while the vote runs).
pub async fn results(ctx: &Context, id: BudgetProcessId) -> Result<Option<BudgetResults>, BudgetError> {
    let row = process::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(BudgetError::NotFound)?;
    let phase = BudgetPhase::parse(&row.phase).ok_or_else(|| BudgetError::Corrupt(format!("process {}", row.id)))?;
    if !matches!(phase, BudgetPhase::Tallied | BudgetPhase::Implementation) {
        return Ok(None);
    }
    let Some(stored) = row.outcome else { return Ok(None) };
    serde_json::from_str(&stored).map(Some).map_err(|error| BudgetError::Corrupt(error.to_string()))
}

/// The counted ballots of a process as an election of the engine, with the projects on its
/// ballot in the order they were proposed (ids: the projects' API ids).
pub(crate) async fn election(
    db: &impl ConnectionTrait,
    process: &BudgetProcess,
) -> Result<(Election, Vec<BudgetProjectId>, StoredTurnout), BudgetError> {
    let on_ballot: Vec<_> = projects::all(db, process.id)
        .await?
        .into_iter()
        .filter(|project| project.status == ProjectStatus::Feasible)
        .collect();
    let index: HashMap<BudgetProjectId, usize> =
        on_ballot.iter().enumerate().map(|(position, project)| (project.id, position)).collect();
    let rows = ballot::Entity::find()
        .filter(ballot::Column::ProcessId.eq(process.id.0))
        .filter(ballot::Column::Status.eq(BallotStatus::Counted.as_str()))
        .order_by_asc(ballot::Column::Id)
        .all(db)
        .await?;
    let mut turnout: HashMap<Channel, u64> = HashMap::new();
    let mut distinct: HashMap<(Vec<usize>, Vec<BigRational>), usize> = HashMap::new();
    let mut ballots: Vec<Ballot> = Vec::new();
    let mut voters = Vec::with_capacity(rows.len());
    for row in &rows {
        let choices: BallotChoices =
            serde_json::from_str(&row.choices).map_err(|error| BudgetError::Corrupt(error.to_string()))?;
        let channel = Channel::parse(&row.channel).ok_or_else(|| BudgetError::Corrupt("ballot channel".into()))?;
        *turnout.entry(channel).or_default() += 1;
        let position = |id: &BudgetProjectId| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| BudgetError::Corrupt(format!("a ballot names {id}, not on the ballot")))
        };
        let key = match process.format {
            BallotFormat::Approval => {
                let mut projects = choices.approvals.iter().map(position).collect::<Result<Vec<_>, _>>()?;
                projects.sort_unstable();
                (projects, Vec::new())
            }
            BallotFormat::Cumulative => {
                let mut given = choices
                    .points
                    .iter()
                    .map(|(id, points)| Ok((position(id)?, BigRational::from_integer((*points).into()))))
                    .collect::<Result<Vec<_>, BudgetError>>()?;
                given.sort_by_key(|(project, _)| *project);
                given.into_iter().unzip()
            }
            BallotFormat::Ordinal => (choices.ranking.iter().map(position).collect::<Result<Vec<_>, _>>()?, Vec::new()),
        };
        let ballot = *distinct.entry(key.clone()).or_insert_with(|| {
            ballots.push(Ballot { projects: key.0, points: key.1, multiplicity: 0 });
            ballots.len() - 1
        });
        ballots[ballot].multiplicity += 1;
        voters.push(Voter { id: (voters.len() + 1).to_string(), ballot, attributes: Vec::new() });
    }
    let election = Election {
        meta: vec![
            ("description".into(), process.title.en.clone()),
            ("num_projects".into(), on_ballot.len().to_string()),
            ("num_votes".into(), rows.len().to_string()),
            ("budget".into(), process.budget.to_string()),
            ("vote_type".into(), vote_type(process.format).pabulib_name().into()),
            ("rule".into(), process.rule.clone()),
            ("currency".into(), process.currency.clone()),
        ],
        budget: process.budget.units(),
        vote_type: vote_type(process.format),
        project_columns: vec!["name".into()],
        projects: on_ballot
            .iter()
            .map(|project| Project {
                id: project.id.to_string(),
                cost: project.cost.units(),
                attributes: vec![Some(project.title.en.clone())],
            })
            .collect(),
        voter_columns: Vec::new(),
        ballots,
        voters,
        warnings: Vec::new(),
    };
    let mut by_channel: Vec<(Channel, u64)> = turnout.into_iter().collect();
    by_channel.sort_by_key(|(channel, _)| *channel);
    let turnout = StoredTurnout { total: rows.len() as u64, by_channel };
    Ok((election, on_ballot.iter().map(|project| project.id).collect(), turnout))
}

/// Tallies a process's counted ballots by its rule: the outcome to store, as JSON.
pub(crate) async fn count(db: &impl ConnectionTrait, process: &BudgetProcess) -> Result<String, BudgetError> {
    let (election, ids, turnout) = election(db, process).await?;
    let rule = Rule::from_str(&process.rule).map_err(|error| BudgetError::Tally(error.to_string()))?;
    let outcome = budgeting::tally(&election, rule, &TallyOptions::default())
        .map_err(|error| BudgetError::Tally(error.to_string()))?;
    let id_of = |project: &str| -> Result<BudgetProjectId, BudgetError> {
        project.parse().map_err(|_| BudgetError::Corrupt(format!("tally named {project}")))
    };
    let supporters = election.supporter_counts();
    let mut points = vec![0u64; ids.len()];
    for ballot in &election.ballots {
        for (position, given) in ballot.projects.iter().zip(&ballot.points) {
            let whole = given.to_integer().try_into().unwrap_or(0u64);
            points[*position] += whole * ballot.multiplicity;
        }
    }
    let total_cost = outcome
        .selected_indices
        .iter()
        .map(|position| election.projects[*position].cost.clone())
        .fold(BigRational::zero(), |sum, cost| sum + cost);
    let hundredths = (total_cost * BigRational::from_integer(100.into())).to_integer();
    let results = BudgetResults {
        rule: process.rule.clone(),
        selected: outcome.selected.iter().map(|id| id_of(id)).collect::<Result<_, _>>()?,
        total_cost: Money(hundredths.try_into().map_err(|_| BudgetError::Corrupt("total cost".into()))?),
        explanations: outcome
            .explanations
            .iter()
            .map(|explanation| {
                Ok(ProjectOutcome {
                    project: id_of(&explanation.project_id)?,
                    selected: explanation.selected,
                    reason: explain::describe(&explanation.reason, explanation.selected),
                    localized_reason: Some(localized(&explain::reason_message(
                        &explanation.reason,
                        explanation.selected,
                    ))),
                })
            })
            .collect::<Result<_, BudgetError>>()?,
        votes: ids
            .iter()
            .enumerate()
            .map(|(position, id)| ProjectVotes { project: *id, count: supporters[position], points: points[position] })
            .collect(),
        turnout,
    };
    json(&results)
}

/// The counted ballots of a tallied process as a Pabulib `.pb` file (anonymised: voters are
/// numbered in an order unrelated to casting; project ids are the projects' API ids), the
/// process's metadata in its META section: `civitas pb tally` (or pabutools) on it gives the
/// stored outcome. Refused before the tally (`INVALID_TRANSITION`).
pub async fn pabulib_export(ctx: &Context, id: BudgetProcessId) -> Result<String, BudgetError> {
    let process = load(&ctx.db, id).await?;
    if !matches!(process.phase, BudgetPhase::Tallied | BudgetPhase::Implementation) {
        return Err(BudgetError::InvalidTransition { action: "export the ballots of", from: process.phase });
    }
    let (election, _, _) = election(&ctx.db, &process).await?;
    budgeting::pabulib_string(&election).map_err(|error| BudgetError::Corrupt(error.to_string()))
}

fn localized(message: &Message) -> LocalizedText {
    LocalizedText {
        en: message.render(Locale::En),
        zh_hans: message.render(Locale::ZhHans),
        zh_hant: message.render(Locale::ZhHant),
    }
}
