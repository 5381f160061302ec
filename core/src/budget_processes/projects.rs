//! Projects: residents (and admins) propose them while a process takes proposals; department
//! staff of the process's district or its admins decide, in review, which are feasible.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};

use super::BudgetError;
use super::entity::project;
use super::model::{BudgetPhase, BudgetProcess, BudgetProject, Feasibility, ProjectProposal, ProjectStatus};
use super::money::Money;
use super::service::{json, load, may_manage};
use crate::audit::{self, Change};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::directory::{self, DirectoryError};
use crate::events::{BudgetProjectFacts, DomainEvent};
use crate::i18n::{LocalizedText, Message};
use crate::ids::{BudgetProcessId, BudgetProjectId, StreetId};
use crate::paging::{Order, Page, Window};
use crate::problems::Problems;
use crate::surveys::{MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS};
use crate::text::clean_localized;
use crate::time::{from_millis, to_millis};

/// The most projects one page holds.
pub const MAX_PROJECTS_PAGE: u64 = 200;
/// The most projects a process takes (every ballot, tally and results page stays bounded).
pub const MAX_PROJECTS_PER_PROCESS: usize = 1_000;
/// The longest infeasibility reason.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Proposes a project to a process taking proposals: any signed-in resident, or its admins.
pub async fn propose(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProcessId,
    proposal: ProjectProposal,
) -> Result<BudgetProject, BudgetError> {
    let process = load(&ctx.db, id).await?;
    match caller {
        Caller::Anonymous => return Err(BudgetError::Unauthenticated),
        _ if caller.is(Role::Resident) => {
            if let Some(district) = process.district_id
                && caller.district().is_some_and(|own| own != district)
            {
                return Err(BudgetError::NotEligible);
            }
        }
        _ => may_manage(caller, process.district_id)?,
    }
    if process.phase != BudgetPhase::Proposals {
        return Err(BudgetError::InvalidTransition { action: "propose a project to", from: process.phase });
    }
    let mut problems = Problems::default();
    let title = clean_localized(&mut problems, "title", &proposal.title, MAX_TITLE_CHARS);
    let description = proposal
        .description
        .as_ref()
        .map(|text| clean_localized(&mut problems, "description", text, MAX_DESCRIPTION_CHARS));
    let cost = match Money::parse("cost", &proposal.cost) {
        Ok(cost) if cost.0 > 0 && cost <= process.budget => cost,
        Ok(cost) if cost.0 > 0 => {
            problems
                .add("cost", Message::new("must not be more than the budget ({budget})").arg("budget", process.budget));
            cost
        }
        Ok(cost) => {
            problems.add("cost", Message::new("must be more than zero"));
            cost
        }
        Err(invalid) => {
            problems.add("cost", invalid.message);
            Money(0)
        }
    };
    if let Some(street) = proposal.street_id {
        check_street(ctx, &mut problems, &process, street).await?;
    }
    match (proposal.latitude, proposal.longitude) {
        (Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) {
                problems
                    .add("latitude", Message::new("must be between {min} and {max}").arg("min", -90).arg("max", 90));
            }
            if !(-180.0..=180.0).contains(&longitude) {
                problems
                    .add("longitude", Message::new("must be between {min} and {max}").arg("min", -180).arg("max", 180));
            }
        }
        (None, None) => {}
        _ => problems.add("latitude", Message::new("give both latitude and longitude, or neither")),
    }
    let proposed = project::Entity::find().filter(project::Column::ProcessId.eq(process.id.0)).count(&ctx.db).await?;
    if proposed >= MAX_PROJECTS_PER_PROCESS as u64 {
        problems.add(
            "processId",
            Message::new("a process takes at most {max} projects").arg("max", MAX_PROJECTS_PER_PROCESS),
        );
    }
    problems.into_result(())?;
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let row = project::ActiveModel {
        process_id: Set(process.id.0),
        title: Set(json(&title)?),
        description: Set(description.as_ref().map(json).transpose()?),
        cost: Set(cost.0),
        estimated_cost: Set(cost.0),
        street_id: Set(proposal.street_id.map(|id| id.0)),
        latitude: Set(proposal.latitude),
        longitude: Set(proposal.longitude),
        status: Set(ProjectStatus::Proposed.as_str().to_owned()),
        reason: Set(None),
        created_at_ms: Set(to_millis(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let project = BudgetProject::try_from(row)?;
    let change = Change {
        event: DomainEvent::BudgetProjectProposed(project_facts(&process, &project)),
        before: None,
        after: Some(audited(&project)),
    };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(project)
}

async fn check_street(
    ctx: &Context,
    problems: &mut Problems,
    process: &BudgetProcess,
    street: StreetId,
) -> Result<(), BudgetError> {
    match directory::street(ctx, street).await {
        Ok(found) if process.district_id.is_none_or(|district| district == found.district_id) => {}
        Ok(_) => problems.add("streetId", Message::new("is not a street of the process's district")),
        Err(DirectoryError::NotFound(_)) => problems.add("streetId", Message::new("no such street")),
        Err(DirectoryError::Storage(error)) => return Err(error.into()),
        Err(other) => return Err(BudgetError::Corrupt(other.to_string())),
    }
    Ok(())
}

/// Records a feasibility decision while the process is in review: the district's department
/// staff, its admin, or a city admin.
pub async fn review(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProjectId,
    decision: Feasibility,
) -> Result<BudgetProject, BudgetError> {
    let before = get(ctx, id).await?;
    let process = load(&ctx.db, before.process_id).await?;
    let staff =
        caller.is(Role::DepartmentStaff) && process.district_id.is_some() && caller.district() == process.district_id;
    if !staff {
        may_manage(caller, process.district_id)?;
    }
    if process.phase != BudgetPhase::Review {
        return Err(BudgetError::InvalidTransition { action: "review the projects of", from: process.phase });
    }
    let mut after = before.clone();
    match decision {
        Feasibility::Feasible { cost } => {
            after.status = ProjectStatus::Feasible;
            after.reason = None;
            if let Some(cost) = cost {
                let cost = Money::parse("cost", &cost)?;
                if cost.0 == 0 || cost > process.budget {
                    let mut problems = Problems::default();
                    problems.add(
                        "cost",
                        Message::new("must be more than zero and at most the budget ({budget})")
                            .arg("budget", process.budget),
                    );
                    return Err(problems.into());
                }
                after.cost = cost;
            }
        }
        Feasibility::Infeasible { reason } => {
            after.status = ProjectStatus::Infeasible;
            after.reason = Some(crate::text::required("reason", &reason, MAX_REASON_CHARS)?);
        }
    }
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let updated = project::Entity::update_many()
        .filter(project::Column::Id.eq(id.0))
        .filter(project::Column::Status.eq(before.status.as_str()))
        .filter(project::Column::Cost.eq(before.cost.0))
        .col_expr(project::Column::Status, after.status.as_str().into())
        .col_expr(project::Column::Cost, after.cost.0.into())
        .col_expr(project::Column::Reason, after.reason.clone().into())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(BudgetError::Conflict);
    }
    let change = Change {
        event: DomainEvent::BudgetProjectReviewed(project_facts(&process, &after)),
        before: Some(audited(&before)),
        after: Some(audited(&after)),
    };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// One project (projects are public, like their processes).
pub async fn get(ctx: &Context, id: BudgetProjectId) -> Result<BudgetProject, BudgetError> {
    let row = project::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(BudgetError::NotFound)?;
    BudgetProject::try_from(row)
}

/// A process's projects in the order they were proposed, in `window`; `on_ballot_only` keeps
/// the feasible ones.
pub async fn list(
    ctx: &Context,
    id: BudgetProcessId,
    on_ballot_only: bool,
    window: Window,
) -> Result<Page<BudgetProject>, BudgetError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PROJECTS_PAGE)?;
    load(&ctx.db, id).await?;
    let mut query = project::Entity::find().filter(project::Column::ProcessId.eq(id.0));
    if on_ballot_only {
        query = query.filter(project::Column::Status.eq(ProjectStatus::Feasible.as_str()));
    }
    let query = window.apply(query, project::Column::Id, Order::OldestFirst);
    window.page(query.all(&ctx.db).await?).try_map(BudgetProject::try_from)
}

/// Every project of a process (at most [`MAX_PROJECTS_PER_PROCESS`]), in the order they were
/// proposed: for results pages that name them.
pub async fn all_projects(ctx: &Context, id: BudgetProcessId) -> Result<Vec<BudgetProject>, BudgetError> {
    all(&ctx.db, id).await
}

/// Every project of a process (the ballot, the tally), in the order they were proposed.
pub(crate) async fn all(
    db: &impl sea_orm::ConnectionTrait,
    id: BudgetProcessId,
) -> Result<Vec<BudgetProject>, BudgetError> {
    project::Entity::find()
        .filter(project::Column::ProcessId.eq(id.0))
        .all(db)
        .await?
        .into_iter()
        .map(BudgetProject::try_from)
        .collect()
}

fn project_facts(process: &BudgetProcess, project: &BudgetProject) -> BudgetProjectFacts {
    BudgetProjectFacts {
        process: process.id,
        district: process.district_id,
        project: project.id,
        status: project.status.as_str().to_owned(),
    }
}

fn audited(project: &BudgetProject) -> serde_json::Value {
    serde_json::json!({
        "project": project.id,
        "title": project.title,
        "cost": project.cost,
        "estimatedCost": project.estimated_cost,
        "status": project.status.as_str(),
        "reason": project.reason,
    })
}

impl TryFrom<project::Model> for BudgetProject {
    type Error = BudgetError;

    fn try_from(row: project::Model) -> Result<Self, BudgetError> {
        let read = |text: &str| -> Result<LocalizedText, BudgetError> {
            serde_json::from_str(text).map_err(|error| BudgetError::Corrupt(error.to_string()))
        };
        Ok(BudgetProject {
            id: BudgetProjectId(row.id),
            process_id: BudgetProcessId(row.process_id),
            title: read(&row.title)?,
            description: row.description.as_deref().map(read).transpose()?,
            cost: Money(row.cost),
            estimated_cost: Money(row.estimated_cost),
            street_id: row.street_id.map(StreetId),
            latitude: row.latitude,
            longitude: row.longitude,
            status: ProjectStatus::parse(&row.status)
                .ok_or_else(|| BudgetError::Corrupt(format!("project {}: status", row.id)))?,
            reason: row.reason,
            created_at: from_millis(row.created_at_ms),
        })
    }
}
