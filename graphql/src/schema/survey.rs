//! Survey queries and mutations: each one parses its input and calls one survey service.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::{DistrictId, SurveyId, SurveyResponseId};
use civitas_core::problems::Problems;
use civitas_core::surveys::{self, Answer, QuestionEdit, SurveyDraft, SurveyFilter};

use super::{core_context, request};
use crate::errors::{IntoGraphql, parse_id};
use crate::relay::{PageArgs, cursor};
use crate::types::{
    Channel, CreateSurveyInput, OnBehalfOfInput, Survey, SurveyAnswerInput, SurveyFilterInput, SurveyQuestionInput,
    SurveyResponse, SurveyResults, SurveyResultsFilterInput, SurveyTextAnswer, UpdateSurveyInput, problems_error,
    question_from, questions_from,
};

/// The most answers `visibleQuestions` takes (more than a survey has questions is never needed).
const MAX_ANSWERS: usize = surveys::MAX_QUESTIONS;

/// Survey queries.
#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// One survey: open and closed surveys are public; drafts and archived surveys only their
    /// admins see.
    async fn survey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("id", &id)?;
        Ok(Survey(surveys::get(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// The surveys the caller may see, newest first (Relay connection; at most 100 per page).
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn surveys(
        &self,
        ctx: &Context<'_>,
        filter: Option<SurveyFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Survey>> {
        let window = PageArgs { first, after, last, before }.window(surveys::MAX_PAGE_SIZE, |id: SurveyId| id.0)?;
        let filter = filter.unwrap_or_default();
        let statuses = filter.status.unwrap_or_default();
        if statuses.len() > 4 {
            return Err(crate::errors::bad_input("filter.status", "give each status at most once"));
        }
        let filter = SurveyFilter {
            district_id: filter.district_id.map(|id| parse_id::<DistrictId>("filter.districtId", &id)).transpose()?,
            city_wide: filter.city_wide.unwrap_or(false),
            statuses: statuses.into_iter().map(Into::into).collect(),
        };
        let page = surveys::list(core_context(ctx), &request(ctx).caller, &filter, window).await.gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection.edges.extend(page.items.into_iter().map(|survey| Edge::new(cursor(survey.id), Survey(survey))));
        Ok(connection)
    }

    /// The keys of the questions a resident who has given `answers` sees, in order — what a
    /// form shows while it is filled, decided by the evaluator that checks submitted responses.
    async fn visible_questions(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        answers: Vec<SurveyAnswerInput>,
    ) -> async_graphql::Result<Vec<String>> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let answers = answers_of(answers)?;
        surveys::visible_question_keys(core_context(ctx), &request(ctx).caller, id, &answers).await.gql()
    }

    /// A survey's results, counted by the database, as far as its results visibility allows
    /// (`AFTER_CLOSE`: only `responses` until the close, for everyone; `ADMINS_ONLY`: its admins).
    #[graphql(complexity = 50)]
    async fn survey_results(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        filter: Option<SurveyResultsFilterInput>,
    ) -> async_graphql::Result<SurveyResults> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let filter = results_filter(filter.unwrap_or_default())?;
        Ok(SurveyResults(surveys::results(core_context(ctx), &request(ctx).caller, id, filter).await.gql()?))
    }

    /// A question's free-text answers (a `TEXT` question's, or a choice question's "other"
    /// texts), for the survey's admins, in an order that follows neither submission order nor
    /// time (Relay connection; at most 100 per page). Filters as `surveyResults`; refused with
    /// `INVALID_TRANSITION` while an `AFTER_CLOSE` survey is open.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn survey_text_answers(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        question: String,
        filter: Option<SurveyResultsFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, SurveyTextAnswer>> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let window = PageArgs { first, after, last, before }
            .window(surveys::MAX_TEXT_ANSWERS_PAGE, |id: SurveyResponseId| id.0)?;
        let filter = results_filter(filter.unwrap_or_default())?;
        let page = surveys::text_answers(core_context(ctx), &request(ctx).caller, id, &question, filter, window)
            .await
            .gql()?;
        let mut connection = Connection::new(page.has_previous_page, page.has_next_page);
        connection.edges.extend(
            page.items.into_iter().map(|answer| Edge::new(cursor(answer.response_id), SurveyTextAnswer(answer))),
        );
        Ok(connection)
    }

    /// The caller's own response to a survey, if they gave one (signed-in residents).
    async fn my_response(&self, ctx: &Context<'_>, survey_id: ID) -> async_graphql::Result<Option<SurveyResponse>> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        Ok(surveys::my_response(core_context(ctx), &request(ctx).caller, id).await.gql()?.map(SurveyResponse))
    }
}

/// Survey mutations.
#[derive(Default)]
pub struct SurveyMutation;

#[Object]
impl SurveyMutation {
    /// Creates a draft survey (a district's admin for their district, a city admin for any
    /// district or, with `districtId: null`, city-wide).
    async fn create_survey(&self, ctx: &Context<'_>, input: CreateSurveyInput) -> async_graphql::Result<Survey> {
        let district = input.district_id.as_ref().map(|id| parse_id::<DistrictId>("districtId", id)).transpose()?;
        let draft = SurveyDraft {
            title: Some(input.title.into()),
            description: Some(input.description.map(LocalizedText::from)),
            audience: input.audience.map(Into::into),
            anonymity: input.anonymity.map(Into::into),
            results_visibility: input.results_visibility.map(Into::into),
            opens_at: Some(input.opens_at),
            closes_at: Some(input.closes_at),
            questions: input.questions.map(|questions| questions_from(questions, 0)).transpose()?,
        };
        Ok(Survey(surveys::create(core_context(ctx), &request(ctx).caller, district, draft).await.gql()?))
    }

    /// Changes a draft survey: only the fields given (`questions` replaces them all).
    async fn update_survey(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSurveyInput,
    ) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("id", &id)?;
        let draft = SurveyDraft {
            title: input.title.map(Into::into),
            description: input.description.map(|description| Some(description.into())),
            audience: input.audience.map(Into::into),
            anonymity: input.anonymity.map(Into::into),
            results_visibility: input.results_visibility.map(Into::into),
            opens_at: input.opens_at.map(Some),
            closes_at: input.closes_at.map(Some),
            questions: input.questions.map(|questions| questions_from(questions, 0)).transpose()?,
        };
        Ok(Survey(surveys::update(core_context(ctx), &request(ctx).caller, id, draft).await.gql()?))
    }

    /// Adds a question to a draft at `position` (0-based; at the end by default).
    async fn add_survey_question(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        question: SurveyQuestionInput,
        position: Option<i32>,
    ) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let question = one_question(question)?;
        let position = position.map(|position| usize::try_from(position).unwrap_or(0));
        let edit = QuestionEdit::Add { question, position };
        Ok(Survey(surveys::edit_questions(core_context(ctx), &request(ctx).caller, id, edit).await.gql()?))
    }

    /// Replaces the question with key `key` in a draft.
    async fn update_survey_question(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        key: String,
        question: SurveyQuestionInput,
    ) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let edit = QuestionEdit::Update { key, question: one_question(question)? };
        Ok(Survey(surveys::edit_questions(core_context(ctx), &request(ctx).caller, id, edit).await.gql()?))
    }

    /// Removes the question with key `key` from a draft.
    async fn remove_survey_question(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        key: String,
    ) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let edit = QuestionEdit::Remove { key };
        Ok(Survey(surveys::edit_questions(core_context(ctx), &request(ctx).caller, id, edit).await.gql()?))
    }

    /// Puts a draft's questions in this order (every key exactly once).
    async fn reorder_survey_questions(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        keys: Vec<String>,
    ) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        if keys.len() > surveys::MAX_QUESTIONS {
            return Err(crate::errors::bad_input("keys", "must name every question exactly once"));
        }
        let edit = QuestionEdit::Reorder { keys };
        Ok(Survey(surveys::edit_questions(core_context(ctx), &request(ctx).caller, id, edit).await.gql()?))
    }

    /// Opens a draft for answers; its definition is frozen from then on.
    async fn open_survey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("id", &id)?;
        Ok(Survey(surveys::open(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// Invites up to 500 addresses to answer an open survey (its admins): one message each,
    /// written to the outbox now and delivered by the mail worker, in `language` (`en`,
    /// `zh-Hans`, `zh-Hant`; the request's `Accept-Language` by default). Addresses named twice
    /// or opted out of invitations are skipped.
    async fn invite_to_survey(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        emails: Vec<String>,
        language: Option<String>,
    ) -> async_graphql::Result<SurveyInvitations> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let locale = match language {
            Some(tag) => civitas_core::i18n::Locale::parse(&tag)
                .ok_or_else(|| crate::errors::bad_input("language", "must be en, zh-Hans or zh-Hant"))?,
            None => request(ctx).locale,
        };
        let invited =
            civitas_core::email::invite_to_survey(core_context(ctx), &request(ctx).caller, id, &emails, locale)
                .await
                .gql()?;
        Ok(SurveyInvitations { queued: invited.queued, skipped: invited.skipped })
    }

    /// Closes an open survey.
    async fn close_survey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("id", &id)?;
        Ok(Survey(surveys::close(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// Answers an open survey: every problem of the answers is listed in
    /// `extensions.problems`, nothing is stored on failure. One response per resident: a second
    /// one needs `replace: true`. An operator answers for a resident without a smartphone with
    /// `onBehalfOf` (their phone number is their participation).
    async fn submit_survey_response(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        answers: Vec<SurveyAnswerInput>,
        on_behalf_of: Option<OnBehalfOfInput>,
        replace: Option<bool>,
        #[graphql(default_with = "Channel::Web")] channel: Channel,
    ) -> async_graphql::Result<SurveyResponse> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let submission = submission_of(answers, on_behalf_of, replace.unwrap_or(false), channel)?;
        let response = surveys::submit(core_context(ctx), &request(ctx).caller, id, submission).await.gql()?;
        Ok(SurveyResponse(response))
    }

    /// Replaces the caller's response (or, with `onBehalfOf`, the one an operator gave for
    /// that resident) while the survey is open, checked like a submission; `NOT_FOUND` when
    /// there is none (`submitSurveyResponse` with `replace: true` also answers the first time).
    async fn update_survey_response(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
        answers: Vec<SurveyAnswerInput>,
        on_behalf_of: Option<OnBehalfOfInput>,
        #[graphql(default_with = "Channel::Web")] channel: Channel,
    ) -> async_graphql::Result<SurveyResponse> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        let submission = submission_of(answers, on_behalf_of, true, channel)?;
        let response = surveys::update_response(core_context(ctx), &request(ctx).caller, id, submission).await.gql()?;
        Ok(SurveyResponse(response))
    }

    /// Withdraws the caller's response while the survey is open (they may answer again).
    async fn withdraw_survey_response(&self, ctx: &Context<'_>, survey_id: ID) -> async_graphql::Result<bool> {
        let id: SurveyId = parse_id("surveyId", &survey_id)?;
        surveys::withdraw(core_context(ctx), &request(ctx).caller, id).await.gql()?;
        Ok(true)
    }

    /// Archives a closed survey or an abandoned draft.
    async fn archive_survey(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Survey> {
        let id: SurveyId = parse_id("id", &id)?;
        Ok(Survey(surveys::archive(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }
}

fn submission_of(
    answers: Vec<SurveyAnswerInput>,
    on_behalf_of: Option<OnBehalfOfInput>,
    replace: bool,
    channel: Channel,
) -> async_graphql::Result<surveys::Submission> {
    Ok(surveys::Submission {
        answers: answers_of(answers)?,
        channel: channel.into(),
        replace,
        on_behalf_of: on_behalf_of
            .map(|assisted| surveys::OnBehalfOf { phone: assisted.phone, channel: assisted.channel.into() }),
    })
}

/// The answers of a submission, bounded before anything reads them.
fn answers_of(answers: Vec<SurveyAnswerInput>) -> async_graphql::Result<Vec<Answer>> {
    if answers.len() > MAX_ANSWERS {
        return Err(crate::errors::bad_input(
            "answers",
            civitas_core::i18n::Message::new("at most {max} answers").arg("max", MAX_ANSWERS),
        ));
    }
    Ok(answers.into_iter().map(Into::into).collect())
}

fn one_question(input: SurveyQuestionInput) -> async_graphql::Result<surveys::Question> {
    let mut problems = Problems::default();
    let question = question_from(&mut problems, "question", input);
    if problems.is_empty() { Ok(question) } else { Err(problems_error(problems)) }
}

fn results_filter(filter: SurveyResultsFilterInput) -> async_graphql::Result<surveys::ResultsFilter> {
    Ok(surveys::ResultsFilter {
        channel: filter.channel.map(Into::into),
        district_id: filter.district_id.map(|id| parse_id::<DistrictId>("filter.districtId", &id)).transpose()?,
    })
}

/// What `inviteToSurvey` did.
#[derive(async_graphql::SimpleObject)]
pub struct SurveyInvitations {
    /// Messages queued.
    pub queued: u64,
    /// Addresses skipped: named twice, or opted out of invitations.
    pub skipped: u64,
}
