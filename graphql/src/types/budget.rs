//! Budgeting processes over GraphQL: processes, projects, ballots, turnout and results as
//! clients read them, and the inputs that create processes, propose projects and cast ballots.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use civitas_core::budget_processes::{self as pb, BallotChoices};
use civitas_core::ids::BudgetProjectId;

use super::{Channel, Date, LocalizedName};
use crate::errors::parse_id;
use crate::schema::{LocalizedNameInput, loaders, request};

/// Where a budgeting process is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::BudgetPhase")]
pub enum BudgetPhase {
    /// Residents propose projects.
    Proposals,
    /// Staff decide which proposals are feasible.
    Review,
    /// Residents vote on the feasible projects; the ballot is frozen.
    Voting,
    /// The votes are counted and the results public.
    Tallied,
    /// The selected projects are being built.
    Implementation,
    /// Stopped.
    Cancelled,
}

/// What a ballot holds.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::BallotFormat")]
pub enum BallotFormat {
    /// A set of approved projects (`minProjects`, `maxProjects`, `maxTotalCost`).
    Approval,
    /// Points distributed over projects (`points`, `maxPointsPerProject`).
    Cumulative,
    /// Projects ranked, most preferred first (`rankTop`).
    Ordinal,
}

/// A project's review.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::ProjectStatus")]
pub enum BudgetProjectStatus {
    /// Proposed, not reviewed yet.
    Proposed,
    /// Feasible: on the ballot.
    Feasible,
    /// Not feasible (see `reason`).
    Infeasible,
}

/// A feasibility decision.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum FeasibilityDecision {
    /// On the ballot (at a revised `cost`, or at the estimate).
    Feasible,
    /// Not on the ballot (with a public `reason`).
    Infeasible,
}

/// A cast ballot's state.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::BallotStatus")]
pub enum BallotStatus {
    /// Counted in the tally.
    Counted,
    /// Waiting for the district admin's eligibility decision.
    PendingReview,
    /// Refused by the district admin's eligibility decision: not counted.
    Rejected,
}

/// Where an eligibility review stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::reviews::ReviewStatus")]
pub enum EligibilityReviewStatus {
    /// Waiting for an admin.
    Pending,
    /// Accepted: the ballot is counted.
    Accepted,
    /// Rejected: the ballot is not counted.
    Rejected,
}

/// A ballot waiting for (or having had) an admin's eligibility decision: the reason and the
/// channel, never who voted nor what the ballot marks.
pub struct EligibilityReview(pub pb::reviews::EligibilityReview);

#[Object]
impl EligibilityReview {
    /// Its ID (`elr_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The process's ID.
    async fn process_id(&self) -> ID {
        ID(self.0.process_id.to_string())
    }

    /// Why it needs a person (the eligibility rule's reason).
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// How the ballot came in.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    /// Where it stands.
    async fn status(&self) -> EligibilityReviewStatus {
        self.0.status.into()
    }
}

/// A budgeting process.
pub struct BudgetProcess(pub pb::BudgetProcess);

#[Object]
impl BudgetProcess {
    /// Its ID (`pbp_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its district's ID; `null` for a city-wide process.
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(|id| ID(id.to_string()))
    }

    /// Its title in the request's language.
    async fn title(&self, ctx: &Context<'_>) -> String {
        self.0.title.get(request(ctx).locale).to_owned()
    }

    /// Its title in every language.
    async fn titles(&self) -> LocalizedName {
        (&self.0.title).into()
    }

    /// What it is for, in the request's language.
    async fn description(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.description.as_ref().map(|text| text.get(request(ctx).locale).to_owned())
    }

    /// The money to spend, an exact decimal (`"1000000"`, `"2500.50"`).
    async fn budget(&self) -> String {
        self.0.budget.to_string()
    }

    /// Its currency (ISO 4217).
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// What a ballot holds and its limits.
    async fn ballot(&self) -> BallotRules {
        BallotRules { format: self.0.format.into(), rules: self.0.rules.clone() }
    }

    /// The tally rule (`civitas pb tally --rule` names).
    async fn rule(&self) -> &str {
        &self.0.rule
    }

    /// The youngest age, in the year of the vote, at which residents vote (by the year of birth
    /// their token carries; without one, their ballot waits for an eligibility review).
    async fn minimum_age(&self) -> Option<u8> {
        self.0.minimum_age
    }

    /// Where it is.
    async fn phase(&self) -> BudgetPhase {
        self.0.phase.into()
    }

    /// When proposals open.
    async fn proposals_from(&self) -> Option<DateTime<Utc>> {
        self.0.proposals_from
    }

    /// When review starts.
    async fn review_from(&self) -> Option<DateTime<Utc>> {
        self.0.review_from
    }

    /// When the vote opens.
    async fn voting_from(&self) -> Option<DateTime<Utc>> {
        self.0.voting_from
    }

    /// When the vote closes.
    async fn voting_until(&self) -> Option<DateTime<Utc>> {
        self.0.voting_until
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What a ballot holds and its limits.
pub struct BallotRules {
    format: BallotFormat,
    rules: pb::BallotRules,
}

#[Object]
impl BallotRules {
    /// What a ballot holds.
    async fn format(&self) -> BallotFormat {
        self.format
    }

    /// Approval: the fewest projects to approve.
    async fn min_projects(&self) -> Option<u32> {
        self.rules.min_projects
    }

    /// Approval: the most projects to approve.
    async fn max_projects(&self) -> Option<u32> {
        self.rules.max_projects
    }

    /// Approval: the most the approved projects may cost together.
    async fn max_total_cost(&self) -> Option<String> {
        self.rules.max_total_cost.map(|cost| cost.to_string())
    }

    /// Cumulative: the points each voter distributes.
    async fn points(&self) -> Option<u32> {
        self.rules.points
    }

    /// Cumulative: the most points per project.
    async fn max_points_per_project(&self) -> Option<u32> {
        self.rules.max_points_per_project
    }

    /// Ordinal: the most projects a voter ranks.
    async fn rank_top(&self) -> Option<u32> {
        self.rules.rank_top
    }
}

/// A project proposed in a budgeting process.
pub struct BudgetProject(pub pb::BudgetProject);

#[Object]
impl BudgetProject {
    /// Its ID (`prj_…`): the project id of the exported `.pb` file too.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its process's ID.
    async fn process_id(&self) -> ID {
        ID(self.0.process_id.to_string())
    }

    /// Its title in the request's language.
    async fn title(&self, ctx: &Context<'_>) -> String {
        self.0.title.get(request(ctx).locale).to_owned()
    }

    /// Its title in every language.
    async fn titles(&self) -> LocalizedName {
        (&self.0.title).into()
    }

    /// What it is, in the request's language.
    async fn description(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.description.as_ref().map(|text| text.get(request(ctx).locale).to_owned())
    }

    /// What it costs (the reviewed cost once feasible), an exact decimal.
    async fn cost(&self) -> String {
        self.0.cost.to_string()
    }

    /// The proposer's estimate.
    async fn estimated_cost(&self) -> String {
        self.0.estimated_cost.to_string()
    }

    /// Its street's ID.
    async fn street_id(&self) -> Option<ID> {
        self.0.street_id.map(|id| ID(id.to_string()))
    }

    /// Where exactly.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }

    /// Where exactly.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }

    /// Its review.
    async fn status(&self) -> BudgetProjectStatus {
        self.0.status.into()
    }

    /// Why it is infeasible.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Its implementation milestones, in the order they were recorded (selected projects).
    #[graphql(complexity = 10)]
    async fn milestones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BudgetMilestone>> {
        // Batched: a page of projects costs one query for all their milestones.
        let list = loaders(ctx).milestones.load_one(self.0.id).await?.unwrap_or_default();
        Ok(list.into_iter().map(BudgetMilestone).collect())
    }
}

/// Where a milestone stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "pb::milestones::MilestoneStatus")]
pub enum MilestoneStatus {
    /// Not started.
    Planned,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Behind its date.
    Delayed,
}

/// A milestone of a selected project's implementation.
pub struct BudgetMilestone(pub pb::milestones::Milestone);

#[Object]
impl BudgetMilestone {
    /// Its ID (`mst_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its project's ID.
    async fn project_id(&self) -> ID {
        ID(self.0.project_id.to_string())
    }

    /// What it is, in the request's language.
    async fn title(&self, ctx: &Context<'_>) -> String {
        self.0.title.get(request(ctx).locale).to_owned()
    }

    /// What it is, in every language.
    async fn titles(&self) -> LocalizedName {
        (&self.0.title).into()
    }

    /// Where it stands.
    async fn status(&self) -> MilestoneStatus {
        self.0.status.into()
    }

    /// How far along, 0 to 100.
    async fn progress(&self) -> u8 {
        self.0.progress
    }

    /// When it is (or was) due or reached.
    async fn date(&self) -> Option<Date> {
        self.0.date.map(Date)
    }

    /// A public note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A milestone, as recorded or changed (only the fields given change).
#[derive(InputObject, Default)]
pub struct MilestoneInput {
    /// What it is (required when adding).
    pub title: Option<LocalizedNameInput>,
    /// Where it stands (`PLANNED` by default; `DONE` sets progress to 100 unless given).
    pub status: Option<MilestoneStatus>,
    /// How far along, 0 to 100.
    pub progress: Option<i32>,
    /// When it is (or was) due or reached.
    pub date: Option<Date>,
    /// A public note.
    pub note: Option<String>,
}

impl From<MilestoneInput> for pb::milestones::MilestoneInput {
    fn from(input: MilestoneInput) -> Self {
        pb::milestones::MilestoneInput {
            title: input.title.map(Into::into),
            status: input.status.map(Into::into),
            progress: input.progress,
            date: input.date.map(|date| Some(date.0)),
            note: input.note.map(Some),
        }
    }
}

/// What a ballot marks.
pub struct BallotContent(pub BallotChoices);

#[Object]
impl BallotContent {
    /// Approval: the approved projects.
    async fn approvals(&self) -> Vec<ID> {
        self.0.approvals.iter().map(|id| ID(id.to_string())).collect()
    }

    /// Cumulative: points per project.
    async fn points(&self) -> Vec<ProjectPoints> {
        self.0
            .points
            .iter()
            .map(|(id, points)| ProjectPoints { project_id: ID(id.to_string()), points: *points })
            .collect()
    }

    /// Ordinal: projects, most preferred first.
    async fn ranking(&self) -> Vec<ID> {
        self.0.ranking.iter().map(|id| ID(id.to_string())).collect()
    }
}

/// Points given to a project.
#[derive(SimpleObject)]
pub struct ProjectPoints {
    /// The project.
    pub project_id: ID,
    /// Its points.
    pub points: u32,
}

/// The caller's current ballot.
pub struct MyBallot(pub pb::MyBallot);

#[Object]
impl MyBallot {
    /// What it marks.
    async fn ballot(&self) -> BallotContent {
        BallotContent(self.0.choices.clone())
    }

    /// How it came in.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    /// Its state.
    async fn status(&self) -> BallotStatus {
        self.0.status.into()
    }
}

/// What casting a ballot returns.
pub struct CastBallotResult(pub pb::CastReceipt);

#[Object]
impl CastBallotResult {
    /// The receipt code, shown once: after the tally the counted ballots are published with
    /// their receipts (`ballotReceipts`), so the voter can check theirs was counted as cast.
    async fn receipt(&self) -> &str {
        &self.0.receipt
    }

    /// Counted, or waiting for an eligibility review.
    async fn status(&self) -> BallotStatus {
        self.0.status.into()
    }

    /// Whether it replaced the voter's earlier ballot.
    async fn replaced(&self) -> bool {
        self.0.replaced
    }
}

/// One counted ballot, published after the tally.
pub struct BallotReceipt(pub pb::PublishedBallot);

#[Object]
impl BallotReceipt {
    /// Its receipt code.
    async fn receipt(&self) -> &str {
        &self.0.receipt
    }

    /// What it marks.
    async fn ballot(&self) -> BallotContent {
        BallotContent(self.0.choices.clone())
    }
}

/// How many voted.
pub struct BudgetTurnout(pub pb::Turnout);

#[Object]
impl BudgetTurnout {
    /// Counted ballots.
    async fn total(&self) -> u64 {
        self.0.total
    }

    /// Per channel (paper batches and assisted votes included).
    async fn by_channel(&self) -> Vec<ChannelCount> {
        self.0
            .by_channel
            .iter()
            .map(|(channel, count)| ChannelCount { channel: (*channel).into(), count: *count })
            .collect()
    }
}

/// Ballots from one channel.
#[derive(SimpleObject)]
pub struct ChannelCount {
    /// The channel.
    pub channel: Channel,
    /// How many ballots.
    pub count: u64,
}

/// The results of a tallied process.
pub struct BudgetResults {
    /// The stored outcome.
    pub results: pb::BudgetResults,
    /// The process's projects, by ID.
    pub projects: HashMap<BudgetProjectId, pb::BudgetProject>,
}

impl BudgetResults {
    fn project(&self, id: BudgetProjectId) -> Option<BudgetProject> {
        self.projects.get(&id).cloned().map(BudgetProject)
    }
}

#[Object]
impl BudgetResults {
    /// The selected projects, in the order the rule selected them.
    async fn selected(&self) -> Vec<BudgetProject> {
        self.results.selected.iter().filter_map(|id| self.project(*id)).collect()
    }

    /// What they cost together, an exact decimal.
    async fn total_cost(&self) -> String {
        self.results.total_cost.to_string()
    }

    /// The rule that counted the votes.
    async fn rule(&self) -> &str {
        &self.results.rule
    }

    /// For every project on the ballot: selected or not, and why (in the request's language).
    async fn explanations(&self, ctx: &Context<'_>) -> Vec<ProjectExplanation> {
        let locale = request(ctx).locale;
        self.results
            .explanations
            .iter()
            .filter_map(|explanation| {
                Some(ProjectExplanation {
                    project: self.project(explanation.project)?,
                    selected: explanation.selected,
                    reason: match &explanation.localized_reason {
                        Some(reason) => reason.get(locale).to_owned(),
                        None => explanation.reason.clone(),
                    },
                })
            })
            .collect()
    }

    /// Votes per project on the ballot.
    async fn votes(&self) -> Vec<ProjectVoteCount> {
        self.results
            .votes
            .iter()
            .filter_map(|votes| {
                Some(ProjectVoteCount {
                    project: self.project(votes.project)?,
                    count: votes.count,
                    points: votes.points,
                })
            })
            .collect()
    }

    /// The counted ballots, by channel.
    async fn turnout(&self) -> BudgetTurnout {
        BudgetTurnout(self.results.turnout.clone().into())
    }
}

/// Why a project was or was not selected.
#[derive(SimpleObject)]
pub struct ProjectExplanation {
    /// The project.
    pub project: BudgetProject,
    /// Whether it is funded.
    pub selected: bool,
    /// The rule's reason, in words.
    pub reason: String,
}

/// The votes a project got.
#[derive(SimpleObject)]
pub struct ProjectVoteCount {
    /// The project.
    pub project: BudgetProject,
    /// Ballots that approved, gave points to or ranked it.
    pub count: u64,
    /// Points it got (cumulative ballots).
    pub points: u64,
}

/// A ballot's format and limits, as a process is created with.
#[derive(InputObject)]
pub struct BallotRulesInput {
    /// What a ballot holds.
    pub format: BallotFormat,
    /// Approval: the fewest projects to approve.
    pub min_projects: Option<u32>,
    /// Approval: the most projects to approve.
    pub max_projects: Option<u32>,
    /// Approval: the most the approved projects may cost together (an exact decimal).
    pub max_total_cost: Option<String>,
    /// Cumulative: the points each voter distributes.
    pub points: Option<u32>,
    /// Cumulative: the most points per project.
    pub max_points_per_project: Option<u32>,
    /// Ordinal: the most projects a voter ranks.
    pub rank_top: Option<u32>,
}

impl BallotRulesInput {
    pub(crate) fn into_domain(self) -> async_graphql::Result<(pb::BallotFormat, pb::BallotRules)> {
        let max_total_cost = self
            .max_total_cost
            .map(|cost| pb::Money::parse("ballot.maxTotalCost", &cost))
            .transpose()
            .map_err(|invalid| crate::errors::bad_input(invalid.field, invalid.message))?;
        Ok((
            self.format.into(),
            pb::BallotRules {
                min_projects: self.min_projects,
                max_projects: self.max_projects,
                max_total_cost,
                points: self.points,
                max_points_per_project: self.max_points_per_project,
                rank_top: self.rank_top,
            },
        ))
    }
}

/// A budgeting process, as created.
#[derive(InputObject)]
pub struct CreateBudgetProcessInput {
    /// Its district; `null` for a city-wide process (city admins).
    pub district_id: Option<ID>,
    /// Its title.
    pub title: LocalizedNameInput,
    /// What it is for.
    pub description: Option<LocalizedNameInput>,
    /// The money to spend, an exact decimal (`"1000000"`, `"2500.50"`).
    pub budget: String,
    /// Its currency (ISO 4217, `CNY`).
    pub currency: String,
    /// What a ballot holds and its limits.
    pub ballot: BallotRulesInput,
    /// The tally rule (`civitas pb tally --rule` names; default `mes-cost+greedy` for approval,
    /// `greedy-points` for cumulative, `greedy-borda` for ordinal ballots).
    pub rule: Option<String>,
    /// The youngest age, in the year of the vote, at which residents vote (by their token's
    /// verified `birthYear`; without one, their ballot waits for an eligibility review).
    pub minimum_age: Option<u8>,
    /// When proposals open.
    pub proposals_from: Option<DateTime<Utc>>,
    /// When review starts (the sweeper advances the process then).
    pub review_from: Option<DateTime<Utc>>,
    /// When the vote opens.
    pub voting_from: Option<DateTime<Utc>>,
    /// When the vote closes and is tallied.
    pub voting_until: Option<DateTime<Utc>>,
}

/// Changes to a process: only the fields given.
#[derive(InputObject, Default)]
pub struct UpdateBudgetProcessInput {
    /// Its title.
    pub title: Option<LocalizedNameInput>,
    /// What it is for.
    pub description: Option<LocalizedNameInput>,
    /// The budget (while taking proposals).
    pub budget: Option<String>,
    /// Its currency.
    pub currency: Option<String>,
    /// The ballot (while taking proposals).
    pub ballot: Option<BallotRulesInput>,
    /// The tally rule (while taking proposals).
    pub rule: Option<String>,
    /// The minimum age (while taking proposals).
    pub minimum_age: Option<u8>,
    /// When proposals open.
    pub proposals_from: Option<DateTime<Utc>>,
    /// When review starts.
    pub review_from: Option<DateTime<Utc>>,
    /// When the vote opens.
    pub voting_from: Option<DateTime<Utc>>,
    /// When the vote closes.
    pub voting_until: Option<DateTime<Utc>>,
}

/// Which processes to list.
#[derive(InputObject, Default)]
pub struct BudgetProcessFilterInput {
    /// Only this district's.
    pub district_id: Option<ID>,
    /// Only city-wide processes.
    pub city_wide: Option<bool>,
    /// Only processes in these phases.
    pub phase: Option<Vec<BudgetPhase>>,
}

/// A proposed project.
#[derive(InputObject)]
pub struct BudgetProjectInput {
    /// Its title.
    pub title: LocalizedNameInput,
    /// What it is.
    pub description: Option<LocalizedNameInput>,
    /// The estimated cost, an exact decimal.
    pub cost: String,
    /// Where (a street of the process's district).
    pub street_id: Option<ID>,
    /// Where exactly.
    pub latitude: Option<f64>,
    /// Where exactly.
    pub longitude: Option<f64>,
}

/// What a voter marks: the field of the process's ballot format.
#[derive(InputObject, Default)]
pub struct BallotInput {
    /// Approval: the approved projects.
    pub approvals: Option<Vec<ID>>,
    /// Cumulative: points per project.
    pub points: Option<Vec<ProjectPointsInput>>,
    /// Ordinal: projects, most preferred first.
    pub ranking: Option<Vec<ID>>,
}

/// Points for a project.
#[derive(InputObject)]
pub struct ProjectPointsInput {
    /// The project.
    pub project_id: ID,
    /// Its points.
    pub points: u32,
}

/// The most entries a ballot's list may have (a process has at most this many projects).
const MAX_BALLOT_ENTRIES: usize = pb::MAX_PROJECTS_PER_PROCESS;

impl BallotInput {
    pub(crate) fn into_domain(self) -> async_graphql::Result<BallotChoices> {
        let ids = |field: &'static str, list: Option<Vec<ID>>| -> async_graphql::Result<Vec<BudgetProjectId>> {
            let list = list.unwrap_or_default();
            if list.len() > MAX_BALLOT_ENTRIES {
                return Err(too_many(field));
            }
            list.iter().map(|id| parse_id(field, id)).collect()
        };
        let points = self.points.unwrap_or_default();
        if points.len() > MAX_BALLOT_ENTRIES {
            return Err(too_many("ballot.points"));
        }
        Ok(BallotChoices {
            approvals: ids("ballot.approvals", self.approvals)?,
            points: points
                .iter()
                .map(|given| Ok((parse_id("ballot.points.projectId", &given.project_id)?, given.points)))
                .collect::<async_graphql::Result<_>>()?,
            ranking: ids("ballot.ranking", self.ranking)?,
        })
    }
}

fn too_many(field: &'static str) -> async_graphql::Error {
    crate::errors::bad_input(
        field,
        civitas_core::i18n::Message::new("at most {max} entries").arg("max", MAX_BALLOT_ENTRIES),
    )
}

/// The resident an operator casts for.
#[derive(InputObject)]
pub struct OnBehalfOfVoterInput {
    /// Their phone number (`+86 138 1234 5678`; +86 when no country code).
    pub phone: Option<String>,
    /// Their ID-card number.
    pub id_number: Option<String>,
    /// `PHONE` or `WALK_IN`.
    pub channel: Channel,
}
