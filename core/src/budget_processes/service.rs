//! Every change to a budgeting process: one function, one transaction, one audit entry and one
//! domain event each. A process belongs to the city (city admins manage it) or to one district
//! (that district's admin, or a city admin).

use std::str::FromStr;

use sea_orm::TransactionTrait;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::{process, project};
use super::model::{BallotFormat, BallotRules, BudgetPhase, BudgetProcess, BudgetProcessDraft, ProjectStatus};
use super::money::Money;
use super::{BudgetError, outcome};
use crate::audit::{self, Change};
use crate::auth::{AdminRefusal, Caller};
use crate::budgeting::{Rule, VoteType};
use crate::context::Context;
use crate::directory::{self, DirectoryError};
use crate::error::InvalidInput;
use crate::events::{BudgetProcessFacts, DomainEvent};
use crate::i18n::{LocalizedText, Message};
use crate::ids::{BudgetProcessId, DistrictId};
use crate::problems::Problems;
use crate::surveys::{MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS};
use crate::text::clean_localized as clean_text;
use crate::time::{from_millis, to_millis};

/// Whether `caller` manages the processes of `district` (`None`: the city's).
pub(crate) fn may_manage(caller: &Caller, district: Option<DistrictId>) -> Result<(), BudgetError> {
    caller.administers(district).map_err(|refusal| match refusal {
        AdminRefusal::Unauthenticated => BudgetError::Unauthenticated,
        AdminRefusal::Forbidden => BudgetError::Forbidden,
    })
}

/// The tally rule a format takes when none is given.
fn default_rule(format: BallotFormat) -> &'static str {
    match format {
        BallotFormat::Approval => "mes-cost+greedy",
        BallotFormat::Cumulative => "greedy-points",
        BallotFormat::Ordinal => "greedy-borda",
    }
}

/// The engine's vote type of a ballot format.
pub(crate) fn vote_type(format: BallotFormat) -> VoteType {
    match format {
        BallotFormat::Approval => VoteType::Approval,
        BallotFormat::Cumulative => VoteType::Cumulative,
        BallotFormat::Ordinal => VoteType::Ordinal,
    }
}

/// Creates a process of `district` (`None`: city-wide), taking proposals.
pub async fn create(
    ctx: &Context,
    caller: &Caller,
    district: Option<DistrictId>,
    draft: BudgetProcessDraft,
) -> Result<BudgetProcess, BudgetError> {
    may_manage(caller, district)?;
    if let Some(district) = district {
        match directory::district(ctx, district).await {
            Ok(_) => {}
            Err(DirectoryError::NotFound(_)) => return Err(InvalidInput::new("districtId", "no such district").into()),
            Err(DirectoryError::Storage(error)) => return Err(error.into()),
            Err(other) => return Err(BudgetError::Corrupt(other.to_string())),
        }
    }
    let now = ctx.clock.now();
    let blank = BudgetProcess {
        id: BudgetProcessId(0),
        district_id: district,
        title: LocalizedText::new("", "", ""),
        description: None,
        budget: Money(0),
        currency: String::new(),
        format: BallotFormat::Approval,
        rules: BallotRules::default(),
        rule: String::new(),
        minimum_age: None,
        phase: BudgetPhase::Proposals,
        proposals_from: None,
        review_from: None,
        voting_from: None,
        voting_until: None,
        version: 1,
        created_at: now,
    };
    let process = applied(blank, draft, true)?;
    let txn = ctx.db.begin().await?;
    let row = process::ActiveModel {
        district_id: Set(district.map(|id| id.0)),
        title: Set(json(&process.title)?),
        description: Set(process.description.as_ref().map(json).transpose()?),
        budget: Set(process.budget.0),
        currency: Set(process.currency.clone()),
        format: Set(process.format.as_str().to_owned()),
        rules: Set(json(&process.rules)?),
        rule: Set(process.rule.clone()),
        minimum_age: Set(process.minimum_age.map(i32::from)),
        phase: Set(process.phase.as_str().to_owned()),
        proposals_from_ms: Set(process.proposals_from.map(to_millis)),
        review_from_ms: Set(process.review_from.map(to_millis)),
        voting_from_ms: Set(process.voting_from.map(to_millis)),
        voting_until_ms: Set(process.voting_until.map(to_millis)),
        outcome: Set(None),
        version: Set(1),
        created_at_ms: Set(to_millis(now)),
        updated_at_ms: Set(to_millis(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let process = BudgetProcess { id: BudgetProcessId(row.id), ..process };
    let change = Change {
        event: DomainEvent::BudgetProcessCreated(facts(&process)),
        before: None,
        after: Some(audited(&process)),
    };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(process)
}

/// Changes a process's settings while it takes proposals (dates and texts also in review).
pub async fn update(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProcessId,
    draft: BudgetProcessDraft,
) -> Result<BudgetProcess, BudgetError> {
    let before = load_managed(&ctx.db, caller, id).await?;
    let ballot_change =
        draft.budget.is_some() || draft.format.is_some() || draft.rules.is_some() || draft.rule.is_some();
    let allowed = match before.phase {
        BudgetPhase::Proposals => true,
        BudgetPhase::Review => !ballot_change,
        _ => false,
    };
    if !allowed {
        return Err(BudgetError::InvalidTransition { action: "change", from: before.phase });
    }
    let after = applied(before.clone(), draft, false)?;
    store(ctx, caller, &before, after, false, DomainEvent::BudgetProcessUpdated).await
}

/// Moves a process to its next phase: `REVIEW` → `VOTING` needs every project reviewed and one
/// feasible (the ballot is then frozen); `VOTING` → `TALLIED` counts the ballots by the
/// process's rule and stores the outcome in the same transaction.
pub async fn advance(ctx: &Context, caller: &Caller, id: BudgetProcessId) -> Result<BudgetProcess, BudgetError> {
    let before = load_managed(&ctx.db, caller, id).await?;
    let Some(next) = before.phase.next() else {
        return Err(BudgetError::InvalidTransition { action: "advance", from: before.phase });
    };
    if next == BudgetPhase::Voting {
        let projects = project::Entity::find().filter(project::Column::ProcessId.eq(id.0)).all(&ctx.db).await?;
        let mut problems = Problems::default();
        let unreviewed = projects.iter().filter(|row| row.status == ProjectStatus::Proposed.as_str()).count();
        if unreviewed > 0 {
            problems.add("projects", Message::new("{count} projects are not reviewed yet").arg("count", unreviewed));
        }
        if !projects.iter().any(|row| row.status == ProjectStatus::Feasible.as_str()) {
            problems.add("projects", Message::new("a vote needs at least one feasible project"));
        }
        problems.into_result(())?;
    }
    let after = BudgetProcess { phase: next, ..before.clone() };
    store(ctx, caller, &before, after, next == BudgetPhase::Tallied, DomainEvent::BudgetPhaseAdvanced).await
}

/// Cancels a process in any phase before the tally.
pub async fn cancel(ctx: &Context, caller: &Caller, id: BudgetProcessId) -> Result<BudgetProcess, BudgetError> {
    let before = load_managed(&ctx.db, caller, id).await?;
    if !matches!(before.phase, BudgetPhase::Proposals | BudgetPhase::Review | BudgetPhase::Voting) {
        return Err(BudgetError::InvalidTransition { action: "cancel", from: before.phase });
    }
    let after = BudgetProcess { phase: BudgetPhase::Cancelled, ..before.clone() };
    store(ctx, caller, &before, after, false, DomainEvent::BudgetProcessCancelled).await
}

/// `draft` applied to `process`, checked, every problem at once.
fn applied(process: BudgetProcess, draft: BudgetProcessDraft, creating: bool) -> Result<BudgetProcess, BudgetError> {
    let mut problems = Problems::default();
    let mut process = process;
    match draft.title {
        Some(title) => process.title = clean_text(&mut problems, "title", &title, MAX_TITLE_CHARS),
        None if creating => problems.add("title", Message::new("must not be empty")),
        None => {}
    }
    if let Some(description) = draft.description {
        process.description =
            description.map(|text| clean_text(&mut problems, "description", &text, MAX_DESCRIPTION_CHARS));
    }
    match draft.budget.as_deref().map(|text| Money::parse("budget", text)) {
        Some(Ok(budget)) if budget.0 > 0 => process.budget = budget,
        Some(Ok(_)) => problems.add("budget", Message::new("must be more than zero")),
        Some(Err(invalid)) => problems.add("budget", invalid.message),
        None if creating => problems.add("budget", Message::new("must not be empty")),
        None => {}
    }
    match draft.currency {
        Some(currency) if currency.len() == 3 && currency.bytes().all(|byte| byte.is_ascii_uppercase()) => {
            process.currency = currency;
        }
        Some(_) => problems.add("currency", Message::new("must be a three-letter ISO 4217 code, like CNY")),
        None if creating => problems.add("currency", Message::new("must not be empty")),
        None => {}
    }
    if let Some(format) = draft.format {
        process.format = format;
    }
    if let Some(minimum_age) = draft.minimum_age {
        process.minimum_age = minimum_age;
    }
    if let Some(rules) = draft.rules {
        process.rules = rules;
    }
    match draft.rule {
        Some(rule) => process.rule = rule,
        None if creating => process.rule = default_rule(process.format).to_owned(),
        None => {}
    }
    match Rule::from_str(&process.rule) {
        Ok(rule) if rule.applies_to(vote_type(process.format)) => {}
        Ok(_) => problems.add(
            "rule",
            Message::new("the rule {rule} does not count {format} ballots")
                .arg("rule", &process.rule)
                .arg("format", process.format),
        ),
        Err(_) => problems.add("rule", Message::new("unknown tally rule (see civitas pb tally --help)")),
    }
    check_rules(&mut problems, &process);
    for (field, value) in [
        ("proposalsFrom", draft.proposals_from),
        ("reviewFrom", draft.review_from),
        ("votingFrom", draft.voting_from),
        ("votingUntil", draft.voting_until),
    ] {
        let Some(value) = value else { continue };
        match field {
            "proposalsFrom" => process.proposals_from = value,
            "reviewFrom" => process.review_from = value,
            "votingFrom" => process.voting_from = value,
            _ => process.voting_until = value,
        }
    }
    let dates = [
        ("reviewFrom", process.review_from),
        ("votingFrom", process.voting_from),
        ("votingUntil", process.voting_until),
    ];
    let mut latest = process.proposals_from;
    for (field, date) in dates {
        if let (Some(earlier), Some(date)) = (latest, date)
            && date <= earlier
        {
            problems.add(field, Message::new("must be after the previous phase's date"));
        }
        latest = date.or(latest);
    }
    problems.into_result(process).map_err(BudgetError::from)
}

/// The ballot limits fit the format: only its own, each sensible.
fn check_rules(problems: &mut Problems, process: &BudgetProcess) {
    let rules = &process.rules;
    let foreign = |problems: &mut Problems, field: &str, set: bool| {
        if set {
            problems.add(
                format!("ballot.{field}"),
                Message::new("does not apply to {format} ballots").arg("format", process.format),
            );
        }
    };
    match process.format {
        BallotFormat::Approval => {
            if let (Some(min), Some(max)) = (rules.min_projects, rules.max_projects)
                && min > max
            {
                problems.add("ballot.minProjects", Message::new("must not be more than maxProjects"));
            }
            if rules.max_projects == Some(0) {
                problems.add("ballot.maxProjects", Message::new("must be more than zero"));
            }
            foreign(problems, "points", rules.points.is_some());
            foreign(problems, "maxPointsPerProject", rules.max_points_per_project.is_some());
            foreign(problems, "rankTop", rules.rank_top.is_some());
        }
        BallotFormat::Cumulative => {
            match rules.points {
                None | Some(0) => problems.add("ballot.points", Message::new("must be more than zero")),
                Some(_) => {}
            }
            if rules.max_points_per_project == Some(0) {
                problems.add("ballot.maxPointsPerProject", Message::new("must be more than zero"));
            }
            foreign(problems, "minProjects", rules.min_projects.is_some());
            foreign(problems, "maxProjects", rules.max_projects.is_some());
            foreign(problems, "maxTotalCost", rules.max_total_cost.is_some());
            foreign(problems, "rankTop", rules.rank_top.is_some());
        }
        BallotFormat::Ordinal => {
            if rules.rank_top == Some(0) {
                problems.add("ballot.rankTop", Message::new("must be more than zero"));
            }
            foreign(problems, "minProjects", rules.min_projects.is_some());
            foreign(problems, "maxProjects", rules.max_projects.is_some());
            foreign(problems, "maxTotalCost", rules.max_total_cost.is_some());
            foreign(problems, "points", rules.points.is_some());
            foreign(problems, "maxPointsPerProject", rules.max_points_per_project.is_some());
        }
    }
}

/// Writes `after` over `before` if nobody changed it meanwhile — with `tally`, then counts the
/// votes and stores the outcome in the same transaction — its audit entry and event.
async fn store(
    ctx: &Context,
    caller: &Caller,
    before: &BudgetProcess,
    after: BudgetProcess,
    tally: bool,
    event: fn(BudgetProcessFacts) -> DomainEvent,
) -> Result<BudgetProcess, BudgetError> {
    let now = ctx.clock.now();
    let after = BudgetProcess { version: before.version + 1, ..after };
    let txn = ctx.db.begin().await?;
    let update = process::Entity::update_many()
        .filter(process::Column::Id.eq(before.id.0))
        .filter(process::Column::Version.eq(before.version))
        .col_expr(process::Column::Title, json(&after.title)?.into())
        .col_expr(process::Column::Description, after.description.as_ref().map(json).transpose()?.into())
        .col_expr(process::Column::Budget, after.budget.0.into())
        .col_expr(process::Column::Currency, after.currency.clone().into())
        .col_expr(process::Column::Format, after.format.as_str().into())
        .col_expr(process::Column::Rules, json(&after.rules)?.into())
        .col_expr(process::Column::Rule, after.rule.clone().into())
        .col_expr(process::Column::MinimumAge, after.minimum_age.map(i32::from).into())
        .col_expr(process::Column::Phase, after.phase.as_str().into())
        .col_expr(process::Column::ProposalsFromMs, after.proposals_from.map(to_millis).into())
        .col_expr(process::Column::ReviewFromMs, after.review_from.map(to_millis).into())
        .col_expr(process::Column::VotingFromMs, after.voting_from.map(to_millis).into())
        .col_expr(process::Column::VotingUntilMs, after.voting_until.map(to_millis).into())
        .col_expr(process::Column::Version, after.version.into())
        .col_expr(process::Column::UpdatedAtMs, to_millis(now).into());
    if update.exec(&txn).await?.rows_affected != 1 {
        return Err(BudgetError::Conflict);
    }
    if tally {
        // The phase changed first: that update waited for the ballots in flight (every change
        // to a vote holds the process row in share mode, `ballots::still_voting`) and turns later
        // ones away, so this count sees every ballot there will ever be.
        let outcome = outcome::count(&txn, before).await?;
        process::Entity::update_many()
            .filter(process::Column::Id.eq(before.id.0))
            .col_expr(process::Column::Outcome, outcome.into())
            .exec(&txn)
            .await?;
    }
    let change = Change { event: event(facts(&after)), before: Some(audited(before)), after: Some(audited(&after)) };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// The process, if the caller manages it.
pub(crate) async fn load_managed(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: BudgetProcessId,
) -> Result<BudgetProcess, BudgetError> {
    let process = load(db, id).await?;
    may_manage(caller, process.district_id)?;
    Ok(process)
}

/// The process (every process is public: residents propose, vote and follow them).
pub(crate) async fn load(db: &impl ConnectionTrait, id: BudgetProcessId) -> Result<BudgetProcess, BudgetError> {
    let row = process::Entity::find_by_id(id.0).one(db).await?.ok_or(BudgetError::NotFound)?;
    BudgetProcess::try_from(row)
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, BudgetError> {
    serde_json::to_string(value).map_err(|error| BudgetError::Corrupt(error.to_string()))
}

pub(crate) fn facts(process: &BudgetProcess) -> BudgetProcessFacts {
    BudgetProcessFacts { process: process.id, district: process.district_id, phase: process.phase.as_str().to_owned() }
}

fn audited(process: &BudgetProcess) -> serde_json::Value {
    serde_json::json!({
        "title": process.title,
        "phase": process.phase.as_str(),
        "budget": process.budget,
        "currency": process.currency,
        "format": process.format.as_str(),
        "ballot": process.rules,
        "rule": process.rule,
        "minimumAge": process.minimum_age,
        "proposalsFrom": process.proposals_from,
        "reviewFrom": process.review_from,
        "votingFrom": process.voting_from,
        "votingUntil": process.voting_until,
        "version": process.version,
    })
}

impl TryFrom<process::Model> for BudgetProcess {
    type Error = BudgetError;

    fn try_from(row: process::Model) -> Result<Self, BudgetError> {
        let corrupt = |what: &str| BudgetError::Corrupt(format!("budgeting process {}: {what}", row.id));
        let read = |text: &str| -> Result<LocalizedText, BudgetError> {
            serde_json::from_str(text).map_err(|error| BudgetError::Corrupt(error.to_string()))
        };
        Ok(BudgetProcess {
            id: BudgetProcessId(row.id),
            district_id: row.district_id.map(DistrictId),
            title: read(&row.title)?,
            description: row.description.as_deref().map(read).transpose()?,
            budget: Money(row.budget),
            currency: row.currency.clone(),
            format: BallotFormat::parse(&row.format).ok_or_else(|| corrupt("format"))?,
            rules: serde_json::from_str(&row.rules).map_err(|error| BudgetError::Corrupt(error.to_string()))?,
            rule: row.rule.clone(),
            minimum_age: row.minimum_age.and_then(|age| u8::try_from(age).ok()),
            phase: BudgetPhase::parse(&row.phase).ok_or_else(|| corrupt("phase"))?,
            proposals_from: row.proposals_from_ms.map(from_millis),
            review_from: row.review_from_ms.map(from_millis),
            voting_from: row.voting_from_ms.map(from_millis),
            voting_until: row.voting_until_ms.map(from_millis),
            version: row.version,
            created_at: from_millis(row.created_at_ms),
        })
    }
}

/// What the sweeper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetSweep {
    /// Processes moved to their next phase because its date passed.
    pub advanced: usize,
    /// Processes whose date passed but that could not advance (e.g. projects left unreviewed
    /// when the vote was due); their admins see why when they advance them.
    pub held: usize,
}

/// Advances, as the system, the processes whose next phase's date has passed: `PROPOSALS` at
/// `reviewFrom`, `REVIEW` at `votingFrom`, `VOTING` at `votingUntil` (which tallies it). Each
/// change is audited like an admin's.
pub async fn sweep(ctx: &Context) -> Result<BudgetSweep, BudgetError> {
    let now = to_millis(ctx.clock.now());
    let due = process::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(process::Column::Phase.eq(BudgetPhase::Proposals.as_str()))
                        .add(process::Column::ReviewFromMs.lte(now)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(process::Column::Phase.eq(BudgetPhase::Review.as_str()))
                        .add(process::Column::VotingFromMs.lte(now)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(process::Column::Phase.eq(BudgetPhase::Voting.as_str()))
                        .add(process::Column::VotingUntilMs.lte(now)),
                ),
        )
        .all(&ctx.db)
        .await?;
    let mut report = BudgetSweep::default();
    for row in due {
        match advance(ctx, &Caller::System, BudgetProcessId(row.id)).await {
            Ok(_) => report.advanced += 1,
            Err(BudgetError::Invalid(_) | BudgetError::Conflict | BudgetError::InvalidTransition { .. }) => {
                report.held += 1;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(report)
}
