//! Implementation tracking (Decidim's accountability): milestones of the selected projects of a
//! tallied process — status, progress, a date and a public note — visible to everyone, changed
//! by the process's admins.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::entity::milestone;
use super::model::{BudgetPhase, BudgetProcess, BudgetProject};
use super::service::{json, load, may_manage};
use super::{BudgetError, outcome, projects};
use crate::audit::{self, Change};
use crate::auth::Caller;
use crate::context::Context;
use crate::events::{BudgetMilestoneFacts, DomainEvent};
use crate::i18n::{LocalizedText, Message};
use crate::ids::{BudgetMilestoneId, BudgetProjectId};
use crate::problems::Problems;
use crate::text::clean_localized;
use crate::time::{from_millis, to_millis};

/// The most milestones one project has.
pub const MAX_MILESTONES_PER_PROJECT: usize = 100;
/// The longest public note.
pub const MAX_NOTE_CHARS: usize = 2_000;

stored_enum!(
    /// Where a milestone stands.
    MilestoneStatus {
        /// Not started.
        Planned = "PLANNED",
        /// Under way.
        InProgress = "IN_PROGRESS",
        /// Finished.
        Done = "DONE",
        /// Behind its date.
        Delayed = "DELAYED",
    }
);

/// A milestone of a selected project.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// Its ID.
    pub id: BudgetMilestoneId,
    /// Its project.
    pub project_id: BudgetProjectId,
    /// What it is.
    pub title: LocalizedText,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// How far along, 0 to 100.
    pub progress: u8,
    /// When it is (or was) due or reached.
    pub date: Option<NaiveDate>,
    /// A public note.
    pub note: Option<String>,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What an admin records; `None` keeps the current value on an update.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MilestoneInput {
    /// What it is (required when adding).
    pub title: Option<LocalizedText>,
    /// Where it stands (`PLANNED` when adding without one).
    pub status: Option<MilestoneStatus>,
    /// How far along, 0 to 100.
    pub progress: Option<i32>,
    /// Its date (`Some(None)` removes it).
    pub date: Option<Option<NaiveDate>>,
    /// A public note (`Some(None)` removes it).
    pub note: Option<Option<String>>,
}

/// Adds a milestone to a selected project of a tallied process.
pub async fn add(
    ctx: &Context,
    caller: &Caller,
    project: BudgetProjectId,
    input: MilestoneInput,
) -> Result<Milestone, BudgetError> {
    let (project, process) = selected_project(ctx, caller, project).await?;
    let existing = list(ctx, project.id).await?;
    let now = ctx.clock.now();
    let blank = Milestone {
        id: BudgetMilestoneId(0),
        project_id: project.id,
        title: LocalizedText::new("", "", ""),
        status: MilestoneStatus::Planned,
        progress: 0,
        date: None,
        note: None,
        created_at: now,
        updated_at: now,
    };
    let mut problems = Problems::default();
    if input.title.is_none() {
        problems.add("input.title", Message::new("must not be empty"));
    }
    if existing.len() >= MAX_MILESTONES_PER_PROJECT {
        problems.add(
            "projectId",
            Message::new("a project has at most {max} milestones").arg("max", MAX_MILESTONES_PER_PROJECT),
        );
    }
    let milestone = applied(blank, input, problems)?;
    let txn = ctx.db.begin().await?;
    let row = milestone::ActiveModel {
        project_id: Set(project.id.0),
        title: Set(json(&milestone.title)?),
        status: Set(milestone.status.as_str().to_owned()),
        progress: Set(i32::from(milestone.progress)),
        date: Set(milestone.date.map(|date| date.to_string())),
        note: Set(milestone.note.clone()),
        created_at_ms: Set(to_millis(now)),
        updated_at_ms: Set(to_millis(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let milestone = Milestone { id: BudgetMilestoneId(row.id), ..milestone };
    let change = Change {
        event: DomainEvent::BudgetMilestoneAdded(facts(&process, &milestone)),
        before: None,
        after: Some(audited(&milestone)),
    };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(milestone)
}

/// Changes a milestone: only the fields given.
pub async fn update(
    ctx: &Context,
    caller: &Caller,
    id: BudgetMilestoneId,
    input: MilestoneInput,
) -> Result<Milestone, BudgetError> {
    let row = milestone::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(BudgetError::NotFound)?;
    let before = Milestone::try_from(row)?;
    let (_, process) = selected_project(ctx, caller, before.project_id).await?;
    let now = ctx.clock.now();
    let after = applied(Milestone { updated_at: now, ..before.clone() }, input, Problems::default())?;
    let txn = ctx.db.begin().await?;
    let updated = milestone::Entity::update_many()
        .filter(milestone::Column::Id.eq(id.0))
        .filter(milestone::Column::UpdatedAtMs.eq(to_millis(before.updated_at)))
        .col_expr(milestone::Column::Title, json(&after.title)?.into())
        .col_expr(milestone::Column::Status, after.status.as_str().into())
        .col_expr(milestone::Column::Progress, i32::from(after.progress).into())
        .col_expr(milestone::Column::Date, after.date.map(|date| date.to_string()).into())
        .col_expr(milestone::Column::Note, after.note.clone().into())
        .col_expr(milestone::Column::UpdatedAtMs, to_millis(now).into())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(BudgetError::Conflict);
    }
    let change = Change {
        event: DomainEvent::BudgetMilestoneUpdated(facts(&process, &after)),
        before: Some(audited(&before)),
        after: Some(audited(&after)),
    };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// A project's milestones, in the order they were recorded (public).
pub async fn list(ctx: &Context, project: BudgetProjectId) -> Result<Vec<Milestone>, BudgetError> {
    milestone::Entity::find()
        .filter(milestone::Column::ProjectId.eq(project.0))
        .order_by_asc(milestone::Column::Id)
        .limit(MAX_MILESTONES_PER_PROJECT as u64)
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(Milestone::try_from)
        .collect()
}

/// The milestones of several projects (what a page of projects shows), in one query.
pub async fn of_projects(
    ctx: &Context,
    projects: &[BudgetProjectId],
) -> Result<HashMap<BudgetProjectId, Vec<Milestone>>, BudgetError> {
    let mut found: HashMap<BudgetProjectId, Vec<Milestone>> = HashMap::new();
    let rows = milestone::Entity::find()
        .filter(milestone::Column::ProjectId.is_in(projects.iter().map(|project| project.0)))
        .order_by_asc(milestone::Column::Id)
        .all(&ctx.db)
        .await?;
    for row in rows {
        let list = found.entry(BudgetProjectId(row.project_id)).or_default();
        if list.len() < MAX_MILESTONES_PER_PROJECT {
            list.push(Milestone::try_from(row)?);
        }
    }
    Ok(found)
}

/// The project, if the caller manages its process, the process is tallied and the project was
/// selected.
async fn selected_project(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProjectId,
) -> Result<(BudgetProject, BudgetProcess), BudgetError> {
    let project = projects::get(ctx, id).await?;
    let process = load(&ctx.db, project.process_id).await?;
    may_manage(caller, process.district_id)?;
    if !matches!(process.phase, BudgetPhase::Tallied | BudgetPhase::Implementation) {
        return Err(BudgetError::InvalidTransition { action: "track the projects of", from: process.phase });
    }
    let selected = outcome::results(ctx, process.id).await?.is_some_and(|results| results.selected.contains(&id));
    if !selected {
        let mut problems = Problems::default();
        problems.add("projectId", Message::new("only selected projects are tracked"));
        return Err(problems.into());
    }
    Ok((project, process))
}

fn applied(milestone: Milestone, input: MilestoneInput, mut problems: Problems) -> Result<Milestone, BudgetError> {
    let mut milestone = milestone;
    if let Some(title) = &input.title {
        milestone.title = clean_localized(&mut problems, "input.title", title, crate::surveys::MAX_TITLE_CHARS);
    }
    if let Some(status) = input.status {
        milestone.status = status;
    }
    if let Some(progress) = input.progress {
        match u8::try_from(progress) {
            Ok(progress) if progress <= 100 => milestone.progress = progress,
            _ => problems
                .add("input.progress", Message::new("must be between {min} and {max}").arg("min", 0).arg("max", 100)),
        }
    }
    if let Some(date) = input.date {
        milestone.date = date;
    }
    if let Some(note) = input.note {
        milestone.note = match note.map(|note| crate::text::required("input.note", &note, MAX_NOTE_CHARS)).transpose() {
            Ok(note) => note,
            Err(invalid) => {
                problems.add("input.note", invalid.message);
                None
            }
        };
    }
    if milestone.status == MilestoneStatus::Done && input.progress.is_none() {
        milestone.progress = 100;
    }
    problems.into_result(milestone).map_err(BudgetError::from)
}

fn facts(process: &BudgetProcess, milestone: &Milestone) -> BudgetMilestoneFacts {
    BudgetMilestoneFacts {
        process: process.id,
        district: process.district_id,
        project: milestone.project_id,
        milestone: milestone.id,
        status: milestone.status.as_str().to_owned(),
        progress: milestone.progress,
    }
}

fn audited(milestone: &Milestone) -> serde_json::Value {
    serde_json::json!({
        "milestone": milestone.id,
        "project": milestone.project_id,
        "title": milestone.title,
        "status": milestone.status.as_str(),
        "progress": milestone.progress,
        "date": milestone.date,
        "note": milestone.note,
    })
}

impl TryFrom<milestone::Model> for Milestone {
    type Error = BudgetError;

    fn try_from(row: milestone::Model) -> Result<Self, BudgetError> {
        let corrupt = |what: &str| BudgetError::Corrupt(format!("milestone {}: {what}", row.id));
        Ok(Milestone {
            id: BudgetMilestoneId(row.id),
            project_id: BudgetProjectId(row.project_id),
            title: serde_json::from_str(&row.title).map_err(|error| BudgetError::Corrupt(error.to_string()))?,
            status: MilestoneStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            progress: u8::try_from(row.progress).map_err(|_| corrupt("progress"))?,
            date: row
                .date
                .as_deref()
                .map(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d"))
                .transpose()
                .map_err(|_| corrupt("date"))?,
            note: row.note,
            created_at: from_millis(row.created_at_ms),
            updated_at: from_millis(row.updated_at_ms),
        })
    }
}
