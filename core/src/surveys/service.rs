//! Every change to a survey: one function, one transaction, one audit entry and one domain
//! event each, like tickets. A survey belongs to the city (its admins manage it) or to one
//! district (that district's admin, or a city admin).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::definition::check_questions;
use super::entity::survey;
use super::settings::{Anonymity, Audience, QuestionEdit, ResultsVisibility, Survey, SurveyDraft, SurveyStatus};
use super::{Question, SurveyError};
use crate::audit::{self, Change};
use crate::auth::{AdminRefusal, Caller, Role};
use crate::context::Context;
use crate::directory::{self, DirectoryError};
use crate::error::InvalidInput;
use crate::events::{DomainEvent, SurveyFacts};
use crate::i18n::{LocalizedText, Message};
use crate::ids::{DistrictId, SurveyId};
use crate::problems::Problems;
use crate::text::clean_localized as clean_text;
use crate::time::{from_millis, to_millis};

/// The longest title, per language.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest description, per language.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;

/// Whether `caller` manages the surveys of `district` (`None`: the city's).
pub(crate) fn may_manage(caller: &Caller, district: Option<DistrictId>) -> Result<(), SurveyError> {
    caller.administers(district).map_err(|refusal| match refusal {
        AdminRefusal::Unauthenticated => SurveyError::Unauthenticated,
        AdminRefusal::Forbidden => SurveyError::Forbidden,
    })
}

/// The surveys `caller` manages, as an SQL condition (none for callers who manage none).
pub(crate) fn managed(caller: &Caller) -> Condition {
    match caller {
        Caller::System => Condition::all(),
        _ if caller.is(Role::CityAdmin) => Condition::all(),
        _ if caller.is(Role::DistrictAdmin) => match caller.district() {
            Some(district) => Condition::all().add(survey::Column::DistrictId.eq(district.0)),
            None => Condition::all().add(survey::Column::Id.eq(-1)),
        },
        _ => Condition::all().add(survey::Column::Id.eq(-1)),
    }
}

/// Creates a draft survey of `district` (`None`: city-wide).
pub async fn create(
    ctx: &Context,
    caller: &Caller,
    district: Option<DistrictId>,
    draft: SurveyDraft,
) -> Result<Survey, SurveyError> {
    may_manage(caller, district)?;
    if let Some(district) = district {
        match directory::district(ctx, district).await {
            Ok(_) => {}
            Err(DirectoryError::NotFound(_)) => return Err(InvalidInput::new("districtId", "no such district").into()),
            Err(DirectoryError::Storage(error)) => return Err(error.into()),
            Err(other) => return Err(SurveyError::Corrupt(other.to_string())),
        }
    }
    let Some(title) = draft.title.clone() else {
        return Err(InvalidInput::new("title", "must not be empty").into());
    };
    let now = ctx.clock.now();
    let survey = Survey {
        id: SurveyId(0),
        district_id: district,
        title,
        description: draft.description.clone().flatten(),
        status: SurveyStatus::Draft,
        audience: draft.audience.unwrap_or(Audience::Everyone),
        anonymity: draft.anonymity.unwrap_or(Anonymity::Identified),
        results_visibility: draft.results_visibility.unwrap_or(ResultsVisibility::Live),
        opens_at: draft.opens_at.flatten(),
        closes_at: draft.closes_at.flatten(),
        questions: draft.questions.clone().unwrap_or_default(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let survey = checked(survey)?;
    let txn = ctx.db.begin().await?;
    let row = survey::ActiveModel {
        district_id: Set(district.map(|id| id.0)),
        title: Set(json(&survey.title)?),
        description: Set(survey.description.as_ref().map(json).transpose()?),
        status: Set(survey.status.as_str().to_owned()),
        audience: Set(survey.audience.as_str().to_owned()),
        anonymity: Set(survey.anonymity.as_str().to_owned()),
        results_visibility: Set(survey.results_visibility.as_str().to_owned()),
        opens_at_ms: Set(survey.opens_at.map(to_millis)),
        closes_at_ms: Set(survey.closes_at.map(to_millis)),
        questions: Set(json(&survey.questions)?),
        version: Set(1),
        created_by: Set(caller.subject().map(str::to_owned)),
        created_at_ms: Set(to_millis(now)),
        updated_at_ms: Set(to_millis(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let survey = Survey { id: SurveyId(row.id), ..survey };
    let change =
        Change { event: DomainEvent::SurveyCreated(facts(&survey)), before: None, after: Some(audited(&survey)) };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(survey)
}

/// Changes a draft's settings or replaces its questions.
pub async fn update(ctx: &Context, caller: &Caller, id: SurveyId, draft: SurveyDraft) -> Result<Survey, SurveyError> {
    change_draft(ctx, caller, id, "update", |survey| {
        if let Some(title) = draft.title {
            survey.title = title;
        }
        if let Some(description) = draft.description {
            survey.description = description;
        }
        if let Some(audience) = draft.audience {
            survey.audience = audience;
        }
        if let Some(anonymity) = draft.anonymity {
            survey.anonymity = anonymity;
        }
        if let Some(visibility) = draft.results_visibility {
            survey.results_visibility = visibility;
        }
        if let Some(opens_at) = draft.opens_at {
            survey.opens_at = opens_at;
        }
        if let Some(closes_at) = draft.closes_at {
            survey.closes_at = closes_at;
        }
        if let Some(questions) = draft.questions {
            survey.questions = questions;
        }
        Ok(())
    })
    .await
}

/// Adds, changes, removes or reorders a draft's questions.
pub async fn edit_questions(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    edit: QuestionEdit,
) -> Result<Survey, SurveyError> {
    change_draft(ctx, caller, id, "change the questions of", |survey| {
        let position_of = |questions: &[Question], key: &str| questions.iter().position(|question| question.key == key);
        match edit {
            QuestionEdit::Add { question, position } => {
                let at = position.unwrap_or(usize::MAX).min(survey.questions.len());
                survey.questions.insert(at, question);
            }
            QuestionEdit::Update { key, question } => {
                let at = position_of(&survey.questions, &key)
                    .ok_or_else(|| InvalidInput::new("key", "no question has this key"))?;
                survey.questions[at] = question;
            }
            QuestionEdit::Remove { key } => {
                let at = position_of(&survey.questions, &key)
                    .ok_or_else(|| InvalidInput::new("key", "no question has this key"))?;
                survey.questions.remove(at);
            }
            QuestionEdit::Reorder { keys } => {
                let mut sorted: Vec<&str> = keys.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                let mut current: Vec<&str> = survey.questions.iter().map(|question| question.key.as_str()).collect();
                current.sort_unstable();
                if sorted != current {
                    return Err(InvalidInput::new("keys", "must name every question exactly once").into());
                }
                let mut reordered = Vec::with_capacity(keys.len());
                for key in &keys {
                    if let Some(at) = position_of(&survey.questions, key) {
                        reordered.push(survey.questions[at].clone());
                    }
                }
                survey.questions = reordered;
            }
        }
        Ok(())
    })
    .await
}

/// Opens a draft for answers (it needs at least one question); its definition is frozen.
pub async fn open(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Survey, SurveyError> {
    transition(ctx, caller, id, "open", &[SurveyStatus::Draft], SurveyStatus::Open).await
}

/// Closes an open survey: no more answers.
pub async fn close(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Survey, SurveyError> {
    transition(ctx, caller, id, "close", &[SurveyStatus::Open], SurveyStatus::Closed).await
}

/// Archives a closed survey or an abandoned draft: only its admins see it then.
pub async fn archive(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Survey, SurveyError> {
    transition(ctx, caller, id, "archive", &[SurveyStatus::Draft, SurveyStatus::Closed], SurveyStatus::Archived).await
}

/// What the sweeper did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SurveySweep {
    /// Drafts opened because their `opensAt` passed.
    pub opened: usize,
    /// Open surveys closed because their `closesAt` passed.
    pub closed: usize,
}

/// Opens the drafts whose `opensAt` has passed and closes the open surveys whose `closesAt` has
/// passed, as the system (each change audited like an admin's).
pub async fn sweep(ctx: &Context) -> Result<SurveySweep, SurveyError> {
    let now = to_millis(ctx.clock.now());
    let mut report = SurveySweep::default();
    let due_to_open = survey::Entity::find()
        .filter(survey::Column::Status.eq(SurveyStatus::Draft.as_str()))
        .filter(survey::Column::OpensAtMs.lte(now))
        .all(&ctx.db)
        .await?;
    for row in due_to_open {
        // A draft that cannot open (no questions) stays a draft; its admins see why when they try.
        if open(ctx, &Caller::System, SurveyId(row.id)).await.is_ok() {
            report.opened += 1;
        }
    }
    let due_to_close = survey::Entity::find()
        .filter(survey::Column::Status.eq(SurveyStatus::Open.as_str()))
        .filter(survey::Column::ClosesAtMs.lte(now))
        .all(&ctx.db)
        .await?;
    for row in due_to_close {
        match close(ctx, &Caller::System, SurveyId(row.id)).await {
            Ok(_) => report.closed += 1,
            Err(SurveyError::Conflict | SurveyError::InvalidTransition { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(report)
}

/// Applies `change` to a draft the caller manages, checks the result and stores it.
async fn change_draft(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    action: &'static str,
    change: impl FnOnce(&mut Survey) -> Result<(), SurveyError>,
) -> Result<Survey, SurveyError> {
    let before = load_managed(&ctx.db, caller, id).await?;
    if before.status != SurveyStatus::Draft {
        return Err(SurveyError::InvalidTransition { action, from: before.status });
    }
    let mut after = before.clone();
    change(&mut after)?;
    let after = checked(after)?;
    store(ctx, caller, &before, after, DomainEvent::SurveyUpdated).await
}

async fn transition(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    action: &'static str,
    from: &[SurveyStatus],
    to: SurveyStatus,
) -> Result<Survey, SurveyError> {
    let before = load_managed(&ctx.db, caller, id).await?;
    if !from.contains(&before.status) {
        return Err(SurveyError::InvalidTransition { action, from: before.status });
    }
    if to == SurveyStatus::Open && before.questions.is_empty() {
        let mut problems = Problems::default();
        problems.add("questions", Message::new("a survey needs at least one question to open"));
        return Err(problems.into());
    }
    let after = Survey { status: to, ..before.clone() };
    let event = match to {
        SurveyStatus::Open => DomainEvent::SurveyOpened,
        SurveyStatus::Closed => DomainEvent::SurveyClosed,
        SurveyStatus::Archived => DomainEvent::SurveyArchived,
        SurveyStatus::Draft => DomainEvent::SurveyUpdated,
    };
    store(ctx, caller, &before, after, event).await
}

/// Writes `after` over `before` if nobody changed it meanwhile, with its audit entry and event.
async fn store(
    ctx: &Context,
    caller: &Caller,
    before: &Survey,
    after: Survey,
    event: fn(SurveyFacts) -> DomainEvent,
) -> Result<Survey, SurveyError> {
    let now = ctx.clock.now();
    let after = Survey { version: before.version + 1, updated_at: now, ..after };
    let txn = ctx.db.begin().await?;
    let updated = survey::Entity::update_many()
        .filter(survey::Column::Id.eq(before.id.0))
        .filter(survey::Column::Version.eq(before.version))
        .col_expr(survey::Column::Title, json(&after.title)?.into())
        .col_expr(survey::Column::Description, after.description.as_ref().map(json).transpose()?.into())
        .col_expr(survey::Column::Status, after.status.as_str().into())
        .col_expr(survey::Column::Audience, after.audience.as_str().into())
        .col_expr(survey::Column::Anonymity, after.anonymity.as_str().into())
        .col_expr(survey::Column::ResultsVisibility, after.results_visibility.as_str().into())
        .col_expr(survey::Column::OpensAtMs, after.opens_at.map(to_millis).into())
        .col_expr(survey::Column::ClosesAtMs, after.closes_at.map(to_millis).into())
        .col_expr(survey::Column::Questions, json(&after.questions)?.into())
        .col_expr(survey::Column::Version, after.version.into())
        .col_expr(survey::Column::UpdatedAtMs, to_millis(now).into())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(SurveyError::Conflict);
    }
    let change = Change { event: event(facts(&after)), before: Some(audited(before)), after: Some(audited(&after)) };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// The survey, if the caller manages it (`NOT_FOUND` when it does not exist, `FORBIDDEN` when
/// the caller may see it but not manage it, `NOT_FOUND` for a draft they may not see).
pub(crate) async fn load_managed(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: SurveyId,
) -> Result<Survey, SurveyError> {
    let row = survey::Entity::find_by_id(id.0).one(db).await?.ok_or(SurveyError::NotFound)?;
    let survey = Survey::try_from(row)?;
    match may_manage(caller, survey.district_id) {
        Ok(()) => Ok(survey),
        Err(SurveyError::Forbidden) if matches!(survey.status, SurveyStatus::Draft | SurveyStatus::Archived) => {
            Err(SurveyError::NotFound)
        }
        Err(error) => Err(error),
    }
}

/// Checks a survey's texts, window and questions, every problem at once.
fn checked(survey: Survey) -> Result<Survey, SurveyError> {
    let mut problems = Problems::default();
    let mut survey = survey;
    survey.title = clean_text(&mut problems, "title", &survey.title, MAX_TITLE_CHARS);
    survey.description = survey
        .description
        .as_ref()
        .map(|description| clean_text(&mut problems, "description", description, MAX_DESCRIPTION_CHARS));
    if let (Some(opens), Some(closes)) = (survey.opens_at, survey.closes_at)
        && closes <= opens
    {
        problems.add("closesAt", Message::new("must be after opensAt"));
    }
    if let Err(found) = check_questions(&survey.questions) {
        for problem in found.list() {
            problems.add(problem.path.clone(), problem.reason.clone());
        }
    }
    problems.into_result(survey).map_err(SurveyError::from)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, SurveyError> {
    serde_json::to_string(value).map_err(|error| SurveyError::Corrupt(error.to_string()))
}

fn facts(survey: &Survey) -> SurveyFacts {
    SurveyFacts { survey: survey.id, district: survey.district_id, status: survey.status.as_str().to_owned() }
}

/// What the audit log keeps of a survey: its settings and the keys of its questions (the
/// definition itself stays in the survey).
fn audited(survey: &Survey) -> serde_json::Value {
    serde_json::json!({
        "title": survey.title,
        "status": survey.status.as_str(),
        "audience": survey.audience.as_str(),
        "anonymity": survey.anonymity.as_str(),
        "resultsVisibility": survey.results_visibility.as_str(),
        "opensAt": survey.opens_at,
        "closesAt": survey.closes_at,
        "questions": survey.questions.iter().map(|question| question.key.as_str()).collect::<Vec<_>>(),
        "version": survey.version,
    })
}

impl TryFrom<survey::Model> for Survey {
    type Error = SurveyError;

    fn try_from(row: survey::Model) -> Result<Self, SurveyError> {
        let corrupt = |what: &str| SurveyError::Corrupt(format!("survey {}: {what}", row.id));
        let read = |text: &str| -> Result<LocalizedText, SurveyError> {
            serde_json::from_str(text).map_err(|error| SurveyError::Corrupt(error.to_string()))
        };
        Ok(Survey {
            id: SurveyId(row.id),
            district_id: row.district_id.map(DistrictId),
            title: read(&row.title)?,
            description: row.description.as_deref().map(read).transpose()?,
            status: SurveyStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            audience: Audience::parse(&row.audience).ok_or_else(|| corrupt("audience"))?,
            anonymity: Anonymity::parse(&row.anonymity).ok_or_else(|| corrupt("anonymity"))?,
            results_visibility: ResultsVisibility::parse(&row.results_visibility)
                .ok_or_else(|| corrupt("results visibility"))?,
            opens_at: row.opens_at_ms.map(from_millis),
            closes_at: row.closes_at_ms.map(from_millis),
            questions: serde_json::from_str(&row.questions).map_err(|error| SurveyError::Corrupt(error.to_string()))?,
            version: row.version,
            created_at: from_millis(row.created_at_ms),
            updated_at: from_millis(row.updated_at_ms),
        })
    }
}
