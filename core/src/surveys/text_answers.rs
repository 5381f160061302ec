//! A question's free-text answers for the survey's admins, page by page: what a TEXT question
//! got, or the "other" texts of a choice question. Read by keyset on the (random) response ID,
//! so the order follows neither submission order nor time, and each page is one index range
//! scan (`idx_survey_answers_texts`) however many responses there are.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::answer;
use super::results::{ResultsFilter, answer_filter, results_shown};
use super::{QuestionKind, SurveyError};
use crate::auth::Caller;
use crate::context::Context;
use crate::error::InvalidInput;
use crate::ids::{SurveyId, SurveyResponseId};
use crate::paging::{Order, Page, Window};

/// The most text answers on one page.
pub const MAX_TEXT_ANSWERS_PAGE: u64 = 100;

/// One free-text answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextAnswer {
    /// The response it belongs to (random; the same ID as in the survey's exports).
    pub response_id: SurveyResponseId,
    /// What the resident wrote.
    pub text: String,
}

/// A page of `question`'s text answers, for the survey's admins, when its results may be shown
/// (`AFTER_CLOSE`: after the close only).
pub async fn text_answers(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    question: &str,
    filter: ResultsFilter,
    window: Window,
) -> Result<Page<TextAnswer>, SurveyError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_TEXT_ANSWERS_PAGE)?;
    let survey = super::get_managed(ctx, caller, id).await?;
    let Some(asked) = survey.questions.iter().find(|candidate| candidate.key == question) else {
        return Err(InvalidInput::new("question", "no question has this key").into());
    };
    let has_text = match &asked.kind {
        QuestionKind::Text { .. } => true,
        QuestionKind::SingleChoice { allow_other, .. } | QuestionKind::MultipleChoice { allow_other, .. } => {
            *allow_other
        }
        _ => false,
    };
    if !has_text {
        return Err(InvalidInput::new("question", "this question has no text answers").into());
    }
    if !results_shown(&survey, caller)? {
        return Err(SurveyError::InvalidTransition { action: "read the text answers of", from: survey.status });
    }
    let query = answer::Entity::find()
        .filter(answer_filter(&survey, filter))
        .filter(answer::Column::QuestionKey.eq(question))
        .filter(answer::Column::Text.is_not_null())
        .select_only()
        .column(answer::Column::ResponseId)
        .column(answer::Column::Text);
    let rows: Vec<(i64, Option<String>)> =
        window.apply(query, answer::Column::ResponseId, Order::OldestFirst).into_tuple().all(&ctx.db).await?;
    Ok(window
        .page(rows)
        .map(|(response, text)| TextAnswer { response_id: SurveyResponseId(response), text: text.unwrap_or_default() }))
}
