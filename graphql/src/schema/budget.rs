//! Budgeting-process queries and mutations: each one parses its input and calls one service of
//! `civitas_core::budget_processes`.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use civitas_core::budget_processes::{self as pb, BudgetProcessDraft, CastOnBehalf, Feasibility, ProjectProposal};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::{
    BallotId, BudgetMilestoneId, BudgetProcessId, BudgetProjectId, DistrictId, EligibilityReviewId, StreetId,
};

use super::{core_context, request};
use crate::errors::{IntoGraphql, parse_id};
use crate::relay::{PageArgs, cursor};
use crate::types::{
    BallotInput, BallotReceipt, BudgetMilestone, BudgetProcess, BudgetProcessFilterInput, BudgetProject,
    BudgetProjectInput, BudgetResults, BudgetTurnout, CastBallotResult, Channel, CreateBudgetProcessInput,
    EligibilityReview, FeasibilityDecision, MilestoneInput, MyBallot, OnBehalfOfVoterInput, UpdateBudgetProcessInput,
};

/// The largest paper batch, in bytes (10,000 lines of a few project IDs each).
const MAX_PAPER_CSV_BYTES: usize = 2_000_000;

/// What a paper batch did.
#[derive(async_graphql::SimpleObject)]
pub struct PaperImportResult {
    /// Ballots stored.
    pub ballots: usize,
    /// Of them, how many replaced a voter's earlier ballot (online or on paper).
    pub replaced: usize,
}

/// Budgeting queries.
#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// One budgeting process (every process is public).
    async fn budget_process(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetProcess> {
        let id: BudgetProcessId = parse_id("id", &id)?;
        Ok(BudgetProcess(pb::get(core_context(ctx), id).await.gql()?))
    }

    /// Budgeting processes, newest first (Relay connection; at most 100 per page).
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn budget_processes(
        &self,
        ctx: &Context<'_>,
        filter: Option<BudgetProcessFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, BudgetProcess>> {
        let window =
            PageArgs { first, after, last, before }.window(pb::MAX_PROCESSES_PAGE, |id: BudgetProcessId| id.0)?;
        let filter = filter.unwrap_or_default();
        let phases = filter.phase.unwrap_or_default();
        if phases.len() > 6 {
            return Err(crate::errors::bad_input("filter.phase", "give each phase at most once"));
        }
        let filter = pb::BudgetProcessFilter {
            district_id: filter.district_id.map(|id| parse_id::<DistrictId>("filter.districtId", &id)).transpose()?,
            city_wide: filter.city_wide.unwrap_or(false),
            phases: phases.into_iter().map(Into::into).collect(),
        };
        let page = pb::list(core_context(ctx), &filter, window).await.gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection
            .edges
            .extend(page.items.into_iter().map(|process| Edge::new(cursor(process.id), BudgetProcess(process))));
        Ok(connection)
    }

    /// A process's projects in the order they were proposed (Relay connection; at most 200 per
    /// page); `onBallot: true` keeps the feasible ones.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn budget_projects(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        on_ballot: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, BudgetProject>> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let window =
            PageArgs { first, after, last, before }.window(pb::MAX_PROJECTS_PAGE, |id: BudgetProjectId| id.0)?;
        let page = pb::projects(core_context(ctx), id, on_ballot.unwrap_or(false), window).await.gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection
            .edges
            .extend(page.items.into_iter().map(|project| Edge::new(cursor(project.id), BudgetProject(project))));
        Ok(connection)
    }

    /// One project.
    async fn budget_project(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetProject> {
        let id: BudgetProjectId = parse_id("id", &id)?;
        Ok(BudgetProject(pb::project(core_context(ctx), id).await.gql()?))
    }

    /// The caller's current ballot in a process, if they cast one (residents).
    async fn my_ballot(&self, ctx: &Context<'_>, process_id: ID) -> async_graphql::Result<Option<MyBallot>> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        Ok(pb::my_ballot(core_context(ctx), &request(ctx).caller, id).await.gql()?.map(MyBallot))
    }

    /// The results, once the process is tallied; `null` before (while the vote runs nobody,
    /// city admins included, sees per-project counts — only `budgetTurnout`).
    #[graphql(complexity = 50)]
    async fn budget_results(&self, ctx: &Context<'_>, process_id: ID) -> async_graphql::Result<Option<BudgetResults>> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let core = core_context(ctx);
        let Some(results) = pb::results(core, id).await.gql()? else { return Ok(None) };
        let projects = pb::all_projects(core, id).await.gql()?;
        let projects = projects.into_iter().map(|project| (project.id, project)).collect();
        Ok(Some(BudgetResults { results, projects }))
    }

    /// How many have voted, by channel (public at any time).
    async fn budget_turnout(&self, ctx: &Context<'_>, process_id: ID) -> async_graphql::Result<BudgetTurnout> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        Ok(BudgetTurnout(pb::turnout(core_context(ctx), id).await.gql()?))
    }

    /// After the tally: every counted ballot with its receipt code, in an order unrelated to
    /// casting (Relay connection; at most 500 per page); `INVALID_TRANSITION` before.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn ballot_receipts(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, BallotReceipt>> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let window = PageArgs { first, after, last, before }.window(pb::MAX_RECEIPTS_PAGE, |id: BallotId| id.0)?;
        let page = pb::published(core_context(ctx), id, window).await.gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection.edges.extend(
            page.items
                .into_iter()
                .map(|(ballot, published)| Edge::new(cursor(BallotId(ballot)), BallotReceipt(published))),
        );
        Ok(connection)
    }

    /// The ballots of a vote waiting for (or having had) an eligibility decision, for the
    /// process's admins (Relay connection; at most 200 per page); `pendingOnly` keeps those
    /// still waiting. Never who voted nor what a ballot marks.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn eligibility_reviews(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        pending_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, EligibilityReview>> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let window = PageArgs { first, after, last, before }
            .window(pb::reviews::MAX_REVIEWS_PAGE, |id: EligibilityReviewId| id.0)?;
        let caller = &request(ctx).caller;
        let page =
            pb::reviews::list(core_context(ctx), caller, id, pending_only.unwrap_or(false), window).await.gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection
            .edges
            .extend(page.items.into_iter().map(|review| Edge::new(cursor(review.id), EligibilityReview(review))));
        Ok(connection)
    }
}

/// Budgeting mutations.
#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// Creates a budgeting process taking proposals (a district's admin for their district, a
    /// city admin for any district or, with `districtId: null`, city-wide).
    async fn create_budget_process(
        &self,
        ctx: &Context<'_>,
        input: CreateBudgetProcessInput,
    ) -> async_graphql::Result<BudgetProcess> {
        let district = input.district_id.as_ref().map(|id| parse_id::<DistrictId>("districtId", id)).transpose()?;
        let (format, rules) = input.ballot.into_domain()?;
        let draft = BudgetProcessDraft {
            title: Some(input.title.into()),
            description: Some(input.description.map(LocalizedText::from)),
            budget: Some(input.budget),
            currency: Some(input.currency),
            format: Some(format),
            rules: Some(rules),
            rule: input.rule,
            minimum_age: Some(input.minimum_age),
            proposals_from: Some(input.proposals_from),
            review_from: Some(input.review_from),
            voting_from: Some(input.voting_from),
            voting_until: Some(input.voting_until),
        };
        Ok(BudgetProcess(pb::create(core_context(ctx), &request(ctx).caller, district, draft).await.gql()?))
    }

    /// Changes a process: budget, ballot and rule while it takes proposals; texts and dates
    /// until the vote opens.
    async fn update_budget_process(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateBudgetProcessInput,
    ) -> async_graphql::Result<BudgetProcess> {
        let id: BudgetProcessId = parse_id("id", &id)?;
        let ballot = input.ballot.map(|ballot| ballot.into_domain()).transpose()?;
        let draft = BudgetProcessDraft {
            title: input.title.map(Into::into),
            description: input.description.map(|description| Some(description.into())),
            budget: input.budget,
            currency: input.currency,
            format: ballot.as_ref().map(|(format, _)| *format),
            rules: ballot.map(|(_, rules)| rules),
            rule: input.rule,
            minimum_age: input.minimum_age.map(Some),
            proposals_from: input.proposals_from.map(Some),
            review_from: input.review_from.map(Some),
            voting_from: input.voting_from.map(Some),
            voting_until: input.voting_until.map(Some),
        };
        Ok(BudgetProcess(pb::update(core_context(ctx), &request(ctx).caller, id, draft).await.gql()?))
    }

    /// Moves a process to its next phase; entering `TALLIED` counts the votes by its rule and
    /// stores the outcome.
    async fn advance_budget_phase(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetProcess> {
        let id: BudgetProcessId = parse_id("id", &id)?;
        Ok(BudgetProcess(pb::advance(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// Cancels a process before its tally.
    async fn cancel_budget_process(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetProcess> {
        let id: BudgetProcessId = parse_id("id", &id)?;
        Ok(BudgetProcess(pb::cancel(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// Proposes a project while the process takes proposals (residents; admins too).
    async fn propose_budget_project(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        input: BudgetProjectInput,
    ) -> async_graphql::Result<BudgetProject> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let proposal = ProjectProposal {
            title: input.title.into(),
            description: input.description.map(Into::into),
            cost: input.cost,
            street_id: input.street_id.map(|id| parse_id::<StreetId>("input.streetId", &id)).transpose()?,
            latitude: input.latitude,
            longitude: input.longitude,
        };
        Ok(BudgetProject(pb::propose(core_context(ctx), &request(ctx).caller, id, proposal).await.gql()?))
    }

    /// Records a feasibility decision in review (the district's department staff or admins):
    /// `FEASIBLE` with a revised `cost` or keeping the estimate, `INFEASIBLE` with a public
    /// `reason`.
    async fn review_budget_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: FeasibilityDecision,
        cost: Option<String>,
        reason: Option<String>,
    ) -> async_graphql::Result<BudgetProject> {
        let id: BudgetProjectId = parse_id("id", &id)?;
        let decision = match decision {
            FeasibilityDecision::Feasible => Feasibility::Feasible { cost },
            FeasibilityDecision::Infeasible => Feasibility::Infeasible {
                reason: reason.ok_or_else(|| crate::errors::bad_input("reason", "must not be empty"))?,
            },
        };
        Ok(BudgetProject(pb::review(core_context(ctx), &request(ctx).caller, id, decision).await.gql()?))
    }

    /// Casts (or replaces) the caller's ballot while the vote is open; every problem of the
    /// ballot is listed in `extensions.problems`, nothing is stored on failure. An operator
    /// casts for a resident with `onBehalfOf` (phone or ID-card number). The receipt is shown
    /// once. `channel`: `WEB` (default) or `APP` for residents' own ballots.
    async fn cast_ballot(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        ballot: BallotInput,
        on_behalf_of: Option<OnBehalfOfVoterInput>,
        channel: Option<Channel>,
    ) -> async_graphql::Result<CastBallotResult> {
        let channel = channel.unwrap_or(Channel::Web);
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        let choices = ballot.into_domain()?;
        let assisted = on_behalf_of.map(|assisted| CastOnBehalf {
            phone: assisted.phone,
            id_number: assisted.id_number,
            channel: assisted.channel.into(),
        });
        let core = core_context(ctx);
        let receipt = pb::cast(core, &request(ctx).caller, id, choices, channel.into(), assisted).await.gql()?;
        Ok(CastBallotResult(receipt))
    }

    /// Adds an implementation milestone to a selected project of a tallied process (its admins).
    async fn add_milestone(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: MilestoneInput,
    ) -> async_graphql::Result<BudgetMilestone> {
        let id: BudgetProjectId = parse_id("projectId", &project_id)?;
        let milestone = pb::milestones::add(core_context(ctx), &request(ctx).caller, id, input.into()).await.gql()?;
        Ok(BudgetMilestone(milestone))
    }

    /// Changes a milestone: only the fields given.
    async fn update_milestone(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MilestoneInput,
    ) -> async_graphql::Result<BudgetMilestone> {
        let id: BudgetMilestoneId = parse_id("id", &id)?;
        let milestone =
            pb::milestones::update(core_context(ctx), &request(ctx).caller, id, input.into()).await.gql()?;
        Ok(BudgetMilestone(milestone))
    }

    /// Accepts (the ballot is counted) or rejects a ballot waiting for an eligibility decision,
    /// while the vote is open (the process's admins).
    async fn decide_eligibility(
        &self,
        ctx: &Context<'_>,
        review_id: ID,
        accept: bool,
    ) -> async_graphql::Result<EligibilityReview> {
        let id: EligibilityReviewId = parse_id("reviewId", &review_id)?;
        let review = pb::reviews::decide(core_context(ctx), &request(ctx).caller, id, accept).await.gql()?;
        Ok(EligibilityReview(review))
    }

    /// Imports a batch of paper ballots counted at a polling station (the process's admins,
    /// while the vote is open): CSV with a header, one voter per line (`phone` or `id_number`,
    /// their participation as for an assisted vote: a later ballot replaces an earlier one) and
    /// the ballot (`approvals` / `ranking`: project IDs separated by spaces; `points`:
    /// `prj_1:3 prj_2:2`). Every problem is listed with its line; nothing is stored unless all
    /// lines are valid. At most 10,000 lines.
    async fn import_paper_ballots(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
        csv: String,
    ) -> async_graphql::Result<PaperImportResult> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        if csv.len() > MAX_PAPER_CSV_BYTES {
            return Err(crate::errors::bad_input(
                "csv",
                civitas_core::i18n::Message::new("at most {max} bytes").arg("max", MAX_PAPER_CSV_BYTES),
            ));
        }
        let imported = pb::paper::import(core_context(ctx), &request(ctx).caller, id, &csv).await.gql()?;
        Ok(PaperImportResult { ballots: imported.ballots, replaced: imported.replaced })
    }

    /// Withdraws the caller's ballot while the vote is open (they may vote again).
    async fn withdraw_ballot(&self, ctx: &Context<'_>, process_id: ID) -> async_graphql::Result<bool> {
        let id: BudgetProcessId = parse_id("processId", &process_id)?;
        pb::withdraw(core_context(ctx), &request(ctx).caller, id).await.gql()?;
        Ok(true)
    }
}
