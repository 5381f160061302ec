//! Surveys: a city or district asks its residents; typed questions with display conditions
//! (skip logic), and responses checked against them.
//!
//! - The definition and its rules, pure and storage-free: [`model`] (question types,
//!   conditions, answers), [`check_questions`] (a definition, every problem with its path),
//!   [`visible_questions`] (the one evaluator of conditions) and [`check_answers`] (a
//!   response, every problem with its path).
//! - Stored surveys ([`Survey`]): settings, the lifecycle `DRAFT → OPEN → CLOSED → ARCHIVED`
//!   (and a draft straight to `ARCHIVED`), each change one service function with its audit
//!   entry and domain event; reads scoped by the caller; the sweeper's `opensAt`/`closesAt`.

mod condition;
mod definition;
mod entity;
mod error;
mod export;
pub mod model;
mod query;
mod response;
mod responses;
mod results;
mod service;
mod settings;
mod tally;
mod text_answers;
mod validator;

pub use condition::visible_questions;
pub use definition::{
    MAX_CHOICE_TEXT, MAX_CHOICES, MAX_CONDITION_DEPTH, MAX_CONDITION_NODES, MAX_KEY_CHARS, MAX_QUESTION_TEXT,
    MAX_QUESTIONS, MAX_TEXT_LENGTH, check_questions,
};
pub use error::SurveyError;
pub use export::{ExportFormat, export, response_count};
pub use model::{Answer, Choice, Comparison, Condition, ConditionOp, Question, QuestionKind, QuestionType};
pub use query::{MAX_PAGE_SIZE, SurveyFilter, get, get_managed, list, visible_question_keys};
pub use response::{MAX_OTHER_CHARS, check_answers};
pub use responses::{OnBehalfOf, Submission, SurveyResponse, my_response, submit, update_response, withdraw};
pub use results::{
    OptionCount, QuestionResult, RankResult, ResultsFilter, RowResult, SurveyResults, ValueCount, response_total,
    results,
};
pub use service::{
    MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, SurveySweep, archive, close, create, edit_questions, open, sweep, update,
};
pub use settings::{Anonymity, Audience, QuestionEdit, ResultsVisibility, Survey, SurveyDraft, SurveyStatus};
pub use tally::recount_tallies;
pub use text_answers::{MAX_TEXT_ANSWERS_PAGE, TextAnswer, text_answers};
pub use validator::{MAX_VALIDATOR_MESSAGE_CHARS, MAX_VALIDATOR_PROBLEMS, ValidateResponse};

#[cfg(test)]
mod tests;
