//! Answering a survey: one response per resident, replaceable until the survey closes and
//! withdrawable, enforced by a participation key that links no response to a person in the
//! database.
//!
//! A signed-in resident's participation key is an HMAC, under a secret kept outside the
//! database ([`crate::secrets::Secrets`]), of the survey and the resident; its row keeps only
//! the response's ID masked under the same secret, so the server can find a resident's response
//! to replace or withdraw it, and a copy of the database cannot. Anonymous surveys store no
//! identity with the response, only the day it came in, under a random ID. Callers without a
//! token (audience `EVERYONE`) cannot be limited to one response; their responses are counted
//! apart (`authenticated = false`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};

use super::entity::{answer, participation, response};
use super::response::sort_answers;
use super::settings::{Anonymity, Audience, Survey, SurveyStatus};
use super::tally::TallyChange;
use super::validator::{plugin_problems, validator_answers};
use super::{Answer, SurveyError};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::error::InvalidInput;
use crate::events::{self, DomainEvent, SurveyResponseFacts};
use crate::hooks::SurveyValidationRequest;
use crate::ids::{SurveyId, SurveyResponseId};
use crate::participation as participation_keys;
use crate::tickets::Channel;
use crate::time::{from_millis, to_millis};

/// A stored response.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponse {
    /// Its ID (random).
    pub id: SurveyResponseId,
    /// The survey.
    pub survey_id: SurveyId,
    /// How it came in.
    pub channel: Channel,
    /// The day it came in.
    pub submitted_on: NaiveDate,
    /// When exactly: identified surveys only.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The answers kept (those of the questions the resident saw).
    pub answers: Vec<Answer>,
    /// Whether it replaced the resident's earlier response.
    pub replaced: bool,
}

/// What a resident (or a caller without a token) sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The answers, by question key.
    pub answers: Vec<Answer>,
    /// `WEB` or `APP`.
    pub channel: Channel,
    /// Whether to replace an earlier response of the same resident (else that is a `CONFLICT`).
    pub replace: bool,
    /// An operator answering for a resident without a smartphone.
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// The resident an operator answers for, by phone or at a service window.
#[derive(Debug, Clone, PartialEq)]
pub struct OnBehalfOf {
    /// Their phone number (`+86 138 1234 5678`; without a country code, +86 is assumed).
    pub phone: String,
    /// `PHONE` or `WALK_IN`.
    pub channel: Channel,
}

/// Submits a response to an open survey, checked against its definition (every problem listed,
/// nothing stored on failure), at most one per resident.
pub async fn submit(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    submission: Submission,
) -> Result<SurveyResponse, SurveyError> {
    store(ctx, caller, id, submission, false).await
}

/// Replaces the caller's response (or, with `on_behalf_of`, the response given for that
/// resident) with new answers, checked like a submission: `NOT_FOUND` when there is none.
pub async fn update_response(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    submission: Submission,
) -> Result<SurveyResponse, SurveyError> {
    store(ctx, caller, id, Submission { replace: true, ..submission }, true).await
}

async fn store(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    submission: Submission,
    existing_only: bool,
) -> Result<SurveyResponse, SurveyError> {
    let survey = super::get(ctx, caller, id).await?;
    if survey.status != SurveyStatus::Open {
        return Err(SurveyError::InvalidTransition { action: "answer", from: survey.status });
    }
    let (participant, channel, respondent) = match &submission.on_behalf_of {
        None => {
            if !matches!(submission.channel, Channel::Web | Channel::App) {
                return Err(InvalidInput::new("channel", "residents answer through WEB or APP").into());
            }
            let participant = participant(caller, &survey)?;
            (participant, submission.channel, caller.subject().map(str::to_owned))
        }
        Some(assisted) => {
            // The operator vouches for the resident, whatever the audience.
            match caller {
                Caller::Anonymous => return Err(SurveyError::Unauthenticated),
                _ if !caller.is(Role::Operator) => return Err(SurveyError::OperatorsOnly),
                _ => {}
            }
            if !matches!(assisted.channel, Channel::Phone | Channel::WalkIn) {
                return Err(InvalidInput::new("onBehalfOf.channel", "assisted answers come by PHONE or WALK_IN").into());
            }
            let participant = participation_keys::by_phone("onBehalfOf.phone", &assisted.phone)?;
            (Some(participant.clone()), assisted.channel, Some(participant))
        }
    };
    // Who answers is settled before the answers are checked, so a duplicate never costs a call
    // of the district's validator.
    let key = participant.as_deref().map(|participant| participant_key(ctx, survey.id, participant));
    let earlier = match &key {
        Some(key) => participation::Entity::find_by_id((survey.id.0, key.clone())).one(&ctx.db).await?,
        None => None,
    };
    if earlier.is_some() && !submission.replace {
        return Err(SurveyError::AlreadyAnswered);
    }
    if existing_only && earlier.is_none() {
        return Err(if key.is_none() { SurveyError::Unauthenticated } else { SurveyError::NoResponse });
    }
    let now = ctx.clock.now();
    let (answers, shown) = checked(ctx, &survey, &submission.answers, now).await?;
    let response_id = SurveyResponseId(participation_keys::random_id());
    let identified = survey.anonymity == Anonymity::Identified;
    let row = response::Model {
        id: response_id.0,
        survey_id: survey.id.0,
        channel: channel.as_str().to_owned(),
        submitted_on: now.date_naive().format("%Y-%m-%d").to_string(),
        submitted_at_ms: identified.then(|| to_millis(now)),
        respondent_subject: identified.then_some(respondent).flatten(),
        respondent_district_id: submission.on_behalf_of.is_none().then(|| caller.district()).flatten().map(|id| id.0),
        authenticated: participant.is_some(),
        answers: serde_json::to_string(&answers).map_err(|error| SurveyError::Corrupt(error.to_string()))?,
    };
    let mut tallies = TallyChange::new(&survey);
    let txn = ctx.db.begin().await?;
    match (&key, &earlier) {
        (Some(key), Some(earlier)) => {
            // Only the response this request read may be replaced: a concurrent twin that got
            // there first makes this one a conflict instead of a second response.
            let moved = participation::Entity::update_many()
                .filter(participation::Column::SurveyId.eq(survey.id.0))
                .filter(participation::Column::ParticipantKey.eq(key.clone()))
                .filter(participation::Column::ResponseRef.eq(earlier.response_ref))
                .col_expr(participation::Column::ResponseRef, mask(ctx, survey.id, key, response_id.0).into())
                .exec(&txn)
                .await?;
            if moved.rows_affected != 1 {
                return Err(SurveyError::Conflict);
            }
            let old = unmask(ctx, survey.id, key, earlier.response_ref);
            remove_response(&txn, &mut tallies, old).await?;
        }
        (Some(key), None) => {
            let inserted = participation::ActiveModel {
                survey_id: Set(survey.id.0),
                participant_key: Set(key.clone()),
                response_ref: Set(mask(ctx, survey.id, key, response_id.0)),
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(_) => {}
                Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(SurveyError::Conflict);
                }
                Err(error) => return Err(error.into()),
            }
        }
        (None, _) => {}
    }
    let rows = answer_rows(&row, &shown, &answers);
    tallies.count(&row, &rows, 1);
    insertable_response(row).insert(&txn).await?;
    if !rows.is_empty() {
        answer::Entity::insert_many(rows.into_iter().map(insertable_answer)).exec_without_returning(&txn).await?;
    }
    tallies.apply(&txn).await?;
    let replaced = earlier.is_some();
    let facts = SurveyResponseFacts {
        survey: survey.id,
        district: survey.district_id,
        channel: channel.as_str().to_owned(),
        replaced,
    };
    events::append(&txn, &DomainEvent::SurveyResponseSubmitted(facts), to_millis(now)).await?;
    txn.commit().await?;
    Ok(SurveyResponse {
        id: response_id,
        survey_id: survey.id,
        channel,
        submitted_on: now.date_naive(),
        submitted_at: identified.then_some(now),
        answers,
        replaced,
    })
}

/// The answers to store and the keys of the questions they show: the built-in checks'
/// problems and those of the district's validator (asked with the answers that passed), listed
/// together; no transaction is open meanwhile.
async fn checked<'s>(
    ctx: &Context,
    survey: &'s Survey,
    answers: &[Answer],
    now: DateTime<Utc>,
) -> Result<(Vec<Answer>, Vec<&'s str>), SurveyError> {
    let (kept, mut problems) = sort_answers(&survey.questions, answers);
    let visible = super::visible_questions(&survey.questions, &kept);
    let request = SurveyValidationRequest {
        district_id: survey.district_id,
        survey_id: survey.id,
        questions: survey.questions.iter().map(|question| question.key.clone()).collect(),
        answers: validator_answers(&visible, &kept),
        submitted_at: now,
    };
    problems.extend(plugin_problems(ctx, &request).await?);
    let shown = visible.iter().map(|question| question.key.as_str()).collect();
    Ok(problems.into_result((kept, shown))?)
}

/// The caller's own response, if they gave one (signed-in residents).
pub async fn my_response(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<Option<SurveyResponse>, SurveyError> {
    let survey = super::get(ctx, caller, id).await?;
    let Some(participant) = participant(caller, &survey)? else {
        return Err(SurveyError::Unauthenticated);
    };
    let key = participant_key(ctx, survey.id, &participant);
    let Some(found) = participation::Entity::find_by_id((survey.id.0, key.clone())).one(&ctx.db).await? else {
        return Ok(None);
    };
    let response_id = unmask(ctx, survey.id, &key, found.response_ref);
    let Some(row) = response::Entity::find_by_id(response_id).one(&ctx.db).await? else {
        return Ok(None);
    };
    Ok(Some(from_row(row)?))
}

/// Withdraws the caller's response while the survey is open; they may answer again.
pub async fn withdraw(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<(), SurveyError> {
    let survey = super::get(ctx, caller, id).await?;
    if survey.status != SurveyStatus::Open {
        return Err(SurveyError::InvalidTransition { action: "withdraw an answer to", from: survey.status });
    }
    let Some(participant) = participant(caller, &survey)? else {
        return Err(SurveyError::Unauthenticated);
    };
    let key = participant_key(ctx, survey.id, &participant);
    let found = participation::Entity::find_by_id((survey.id.0, key.clone()))
        .one(&ctx.db)
        .await?
        .ok_or(SurveyError::NotFound)?;
    let response_id = unmask(ctx, survey.id, &key, found.response_ref);
    let txn = ctx.db.begin().await?;
    let removed = participation::Entity::delete_many()
        .filter(participation::Column::SurveyId.eq(survey.id.0))
        .filter(participation::Column::ParticipantKey.eq(key))
        .filter(participation::Column::ResponseRef.eq(found.response_ref))
        .exec(&txn)
        .await?;
    if removed.rows_affected != 1 {
        return Err(SurveyError::Conflict);
    }
    let mut tallies = TallyChange::new(&survey);
    let row = remove_response(&txn, &mut tallies, response_id).await?;
    tallies.apply(&txn).await?;
    let facts = SurveyResponseFacts {
        survey: survey.id,
        district: survey.district_id,
        channel: row.map_or_else(|| Channel::Web.as_str().to_owned(), |row| row.channel),
        replaced: false,
    };
    events::append(&txn, &DomainEvent::SurveyResponseWithdrawn(facts), to_millis(ctx.clock.now())).await?;
    txn.commit().await?;
    Ok(())
}

/// Who answers, as the participation key sees them: a signed-in resident (`Some`), a caller
/// without a token where the audience allows one (`None`), or nobody allowed to answer.
fn participant(caller: &Caller, survey: &Survey) -> Result<Option<String>, SurveyError> {
    match caller {
        Caller::Anonymous if survey.audience == Audience::Everyone => Ok(None),
        Caller::Anonymous => Err(SurveyError::Unauthenticated),
        _ if caller.is(Role::Resident) => {
            if survey.audience == Audience::DistrictResidents {
                let belongs = match survey.district_id {
                    Some(district) => caller.district() == Some(district),
                    None => caller.district().is_some(),
                };
                if !belongs {
                    return Err(SurveyError::NotInAudience);
                }
            }
            Ok(participation_keys::resident(caller))
        }
        _ => Err(SurveyError::NotInAudience),
    }
}

/// Survey participations' labels (the first ones, kept so that existing keys stay valid).
const SURVEYS: participation_keys::Scope = participation_keys::Scope { key: b"participation", pad: b"reference" };

fn participant_key(ctx: &Context, survey: SurveyId, participant: &str) -> String {
    participation_keys::key(ctx, SURVEYS, survey.0, participant)
}

fn mask(ctx: &Context, survey: SurveyId, key: &str, response_id: i64) -> i64 {
    participation_keys::mask(ctx, SURVEYS, survey.0, key, response_id)
}

fn unmask(ctx: &Context, survey: SurveyId, key: &str, reference: i64) -> i64 {
    participation_keys::unmask(ctx, SURVEYS, survey.0, key, reference)
}

/// Deletes a stored response and its answers, taking them back from the tallies; the response
/// row, if it was there.
async fn remove_response(
    txn: &DatabaseTransaction,
    tallies: &mut TallyChange<'_>,
    id: i64,
) -> Result<Option<response::Model>, SurveyError> {
    let Some(row) = response::Entity::find_by_id(id).one(txn).await? else {
        return Ok(None);
    };
    let answers = answer::Entity::find().filter(answer::Column::ResponseId.eq(id)).all(txn).await?;
    tallies.count(&row, &answers, -1);
    answer::Entity::delete_many().filter(answer::Column::ResponseId.eq(id)).exec(txn).await?;
    response::Entity::delete_by_id(id).exec(txn).await?;
    Ok(Some(row))
}

/// One row per answered value, and one `skipped` row per question shown but not answered, each
/// with its response's channel and respondent district, for filtered counts.
fn answer_rows(response: &response::Model, shown: &[&str], answers: &[Answer]) -> Vec<answer::Model> {
    let base = |question: &str| answer::Model {
        response_id: response.id,
        survey_id: response.survey_id,
        question_key: question.to_owned(),
        option_key: None,
        number: None,
        text: None,
        date: None,
        rank: None,
        row_key: None,
        skipped: false,
        channel: response.channel.clone(),
        district_id: response.respondent_district_id,
    };
    let mut rows = Vec::new();
    for question in shown {
        if !answers.iter().any(|answer| answer.question == *question) {
            rows.push(answer::Model { skipped: true, ..base(question) });
        }
    }
    for given in answers {
        let row = |option: Option<&str>,
                   number: Option<f64>,
                   text: Option<&str>,
                   rank: Option<i32>,
                   row_key: Option<&str>| {
            answer::Model {
                option_key: option.map(str::to_owned),
                number,
                text: text.map(str::to_owned),
                date: given.date.map(|date| date.format("%Y-%m-%d").to_string()),
                rank,
                row_key: row_key.map(str::to_owned),
                ..base(&given.question)
            }
        };
        for choice in &given.choices {
            rows.push(row(Some(choice), None, None, None, None));
        }
        if let Some(other) = &given.other {
            rows.push(row(None, None, Some(other), None, None));
        }
        if given.number.is_some() || given.text.is_some() || given.date.is_some() {
            rows.push(row(None, given.number, given.text.as_deref(), None, None));
        }
        for (place, option) in given.ranking.iter().enumerate() {
            rows.push(row(Some(option), None, None, i32::try_from(place + 1).ok(), None));
        }
        for (row_key, value) in &given.matrix {
            #[allow(clippy::cast_precision_loss)]
            rows.push(row(None, Some(*value as f64), None, None, Some(row_key)));
        }
    }
    rows
}

fn insertable_response(row: response::Model) -> response::ActiveModel {
    response::ActiveModel {
        id: Set(row.id),
        survey_id: Set(row.survey_id),
        channel: Set(row.channel),
        submitted_on: Set(row.submitted_on),
        submitted_at_ms: Set(row.submitted_at_ms),
        respondent_subject: Set(row.respondent_subject),
        respondent_district_id: Set(row.respondent_district_id),
        authenticated: Set(row.authenticated),
        answers: Set(row.answers),
    }
}

fn insertable_answer(row: answer::Model) -> answer::ActiveModel {
    answer::ActiveModel {
        response_id: Set(row.response_id),
        survey_id: Set(row.survey_id),
        question_key: Set(row.question_key),
        option_key: Set(row.option_key),
        number: Set(row.number),
        text: Set(row.text),
        date: Set(row.date),
        rank: Set(row.rank),
        row_key: Set(row.row_key),
        skipped: Set(row.skipped),
        channel: Set(row.channel),
        district_id: Set(row.district_id),
    }
}

fn from_row(row: response::Model) -> Result<SurveyResponse, SurveyError> {
    Ok(SurveyResponse {
        id: SurveyResponseId(row.id),
        survey_id: SurveyId(row.survey_id),
        channel: Channel::parse(&row.channel)
            .ok_or_else(|| SurveyError::Corrupt(format!("channel {}", row.channel)))?,
        submitted_on: NaiveDate::parse_from_str(&row.submitted_on, "%Y-%m-%d")
            .map_err(|error| SurveyError::Corrupt(error.to_string()))?,
        submitted_at: row.submitted_at_ms.map(from_millis),
        answers: serde_json::from_str(&row.answers).map_err(|error| SurveyError::Corrupt(error.to_string()))?,
        replaced: false,
    })
}
