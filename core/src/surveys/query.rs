//! Reading surveys, scoped by the caller: open and closed surveys are public (residents read
//! them to answer); drafts and archived surveys only their admins see.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::entity::survey;
use super::service::{load_managed, managed};
use super::settings::{Survey, SurveyStatus};
use super::{Answer, SurveyError, visible_questions};
use crate::auth::Caller;
use crate::context::Context;
use crate::ids::{DistrictId, SurveyId};
use crate::paging::{Order, Page, Window};

/// The most surveys one page holds.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which surveys to list; every criterion narrows the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyFilter {
    /// Only this district's.
    pub district_id: Option<DistrictId>,
    /// Only city-wide surveys.
    pub city_wide: bool,
    /// Only these statuses (all the caller may see when empty).
    pub statuses: Vec<SurveyStatus>,
}

fn public() -> Condition {
    Condition::any()
        .add(survey::Column::Status.eq(SurveyStatus::Open.as_str()))
        .add(survey::Column::Status.eq(SurveyStatus::Closed.as_str()))
}

/// One survey, if the caller may see it.
pub async fn get(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Survey, SurveyError> {
    let row = survey::Entity::find_by_id(id.0)
        .filter(Condition::any().add(public()).add(managed(caller)))
        .one(&ctx.db)
        .await?
        .ok_or(SurveyError::NotFound)?;
    Survey::try_from(row)
}

/// The surveys the caller may see that match `filter`, newest first, in `window`.
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    filter: &SurveyFilter,
    window: Window,
) -> Result<Page<Survey>, SurveyError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PAGE_SIZE)?;
    let mut query = survey::Entity::find().filter(Condition::any().add(public()).add(managed(caller)));
    if let Some(district) = filter.district_id {
        query = query.filter(survey::Column::DistrictId.eq(district.0));
    }
    if filter.city_wide {
        query = query.filter(survey::Column::DistrictId.is_null());
    }
    if !filter.statuses.is_empty() {
        query = query.filter(survey::Column::Status.is_in(filter.statuses.iter().map(|status| status.as_str())));
    }
    let query = window.apply(query, survey::Column::Id, Order::NewestFirst);
    window.page(query.all(&ctx.db).await?).try_map(Survey::try_from)
}

/// The keys of the questions a resident who has given `answers` sees, in order: what a form
/// shows while it is being filled, decided by the same evaluator as the server's checks.
pub async fn visible_question_keys(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    answers: &[Answer],
) -> Result<Vec<String>, SurveyError> {
    let survey = get(ctx, caller, id).await?;
    Ok(visible_questions(&survey.questions, answers).into_iter().map(|question| question.key.clone()).collect())
}

/// A survey its caller manages (for admin views that need it whatever its status).
pub async fn get_managed(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Survey, SurveyError> {
    load_managed(&ctx.db, caller, id).await
}
