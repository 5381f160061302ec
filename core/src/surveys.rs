//! Surveys: typed questions with display conditions (skip logic), and responses checked
//! against them.
//!
//! This first part is the definition and its rules, pure and storage-free: [`model`] (question
//! types, conditions, answers), [`check_questions`] (a definition, every problem with its path),
//! [`visible_questions`] (the one evaluator of conditions) and [`check_answers`] (a response,
//! every problem with its path). Storage, the lifecycle and the GraphQL API build on it.

mod condition;
mod definition;
pub mod model;
mod response;

pub use condition::visible_questions;
pub use definition::{
    MAX_CHOICE_TEXT, MAX_CHOICES, MAX_CONDITION_DEPTH, MAX_CONDITION_NODES, MAX_KEY_CHARS, MAX_QUESTION_TEXT,
    MAX_QUESTIONS, MAX_TEXT_LENGTH, check_questions,
};
pub use model::{Answer, Choice, Comparison, Condition, ConditionOp, Question, QuestionKind, QuestionType};
pub use response::{MAX_OTHER_CHARS, check_answers};

#[cfg(test)]
mod tests;
