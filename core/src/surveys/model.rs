//! A survey's definition — its questions, their types and display conditions — and the
//! answers a resident gives. Questions, options and matrix rows are addressed by the author's
//! keys (`q1`, `opt_a`) everywhere: in answers, conditions and results.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;

/// A question's type and the parameters that type takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionKind {
    /// One option.
    SingleChoice {
        /// The options.
        options: Vec<Choice>,
        /// Whether a free-text "other" answer may replace the options.
        allow_other: bool,
    },
    /// Several options.
    MultipleChoice {
        /// The options.
        options: Vec<Choice>,
        /// At least this many options when answered.
        min_choices: u32,
        /// At most this many options (`None`: all of them).
        max_choices: Option<u32>,
        /// Whether a free-text "other" answer may be added.
        allow_other: bool,
    },
    /// A whole number from 1 to `scale`.
    Rating {
        /// The highest rating (2 to 10).
        scale: u32,
    },
    /// Net Promoter Score: a whole number from 0 to 10.
    Nps,
    /// A number in `[min, max]` with at most `decimals` decimals.
    Number {
        /// Lowest allowed.
        min: Option<f64>,
        /// Highest allowed.
        max: Option<f64>,
        /// Decimals allowed (0 to 6).
        decimals: u32,
    },
    /// Free text.
    Text {
        /// Whether the text may have several lines.
        multiline: bool,
        /// The most characters (1 to 10,000).
        max_length: u32,
    },
    /// A calendar date.
    Date,
    /// The options in order of preference, at most `rank_top` of them.
    Ranking {
        /// The options.
        options: Vec<Choice>,
        /// How many options may be ranked.
        rank_top: u32,
    },
    /// Each row rated on the same scale from 1 to `scale`.
    Matrix {
        /// The rows.
        rows: Vec<Choice>,
        /// The highest rating (2 to 10).
        scale: u32,
    },
}

/// The name of a question type, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionType {
    /// [`QuestionKind::SingleChoice`].
    SingleChoice,
    /// [`QuestionKind::MultipleChoice`].
    MultipleChoice,
    /// [`QuestionKind::Rating`].
    Rating,
    /// [`QuestionKind::Nps`].
    Nps,
    /// [`QuestionKind::Number`].
    Number,
    /// [`QuestionKind::Text`].
    Text,
    /// [`QuestionKind::Date`].
    Date,
    /// [`QuestionKind::Ranking`].
    Ranking,
    /// [`QuestionKind::Matrix`].
    Matrix,
}

impl QuestionType {
    /// The name as the API spells it (`SINGLE_CHOICE`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::SingleChoice => "SINGLE_CHOICE",
            QuestionType::MultipleChoice => "MULTIPLE_CHOICE",
            QuestionType::Rating => "RATING",
            QuestionType::Nps => "NPS",
            QuestionType::Number => "NUMBER",
            QuestionType::Text => "TEXT",
            QuestionType::Date => "DATE",
            QuestionType::Ranking => "RANKING",
            QuestionType::Matrix => "MATRIX",
        }
    }
}

impl QuestionKind {
    /// Its type's name.
    pub fn question_type(&self) -> QuestionType {
        match self {
            QuestionKind::SingleChoice { .. } => QuestionType::SingleChoice,
            QuestionKind::MultipleChoice { .. } => QuestionType::MultipleChoice,
            QuestionKind::Rating { .. } => QuestionType::Rating,
            QuestionKind::Nps => QuestionType::Nps,
            QuestionKind::Number { .. } => QuestionType::Number,
            QuestionKind::Text { .. } => QuestionType::Text,
            QuestionKind::Date => QuestionType::Date,
            QuestionKind::Ranking { .. } => QuestionType::Ranking,
            QuestionKind::Matrix { .. } => QuestionType::Matrix,
        }
    }

    /// Its options (choices and rankings), or its rows (matrices); empty for the others.
    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionKind::SingleChoice { options, .. }
            | QuestionKind::MultipleChoice { options, .. }
            | QuestionKind::Ranking { options, .. } => options,
            QuestionKind::Matrix { rows, .. } => rows,
            _ => &[],
        }
    }
}

/// An option of a choice or ranking question, or a row of a matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The author's key, unique in its question.
    pub key: String,
    /// What residents read.
    pub text: LocalizedText,
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The author's key, unique in the survey (`q1`).
    pub key: String,
    /// What residents read.
    pub text: LocalizedText,
    /// Whether a resident who sees it must answer it.
    pub required: bool,
    /// Its type and parameters.
    pub kind: QuestionKind,
    /// When it is shown; always without one.
    pub condition: Option<Condition>,
}

/// A display condition: a tree of `ALL` / `ANY` / `NOT` over comparisons with earlier
/// questions' answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every one holds (true when empty).
    All(Vec<Condition>),
    /// At least one holds (false when empty).
    Any(Vec<Condition>),
    /// It does not hold.
    Not(Box<Condition>),
    /// A comparison with an earlier question's answer.
    Compare(Comparison),
}

/// `question op value(s)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier question's key.
    pub question: String,
    /// How to compare.
    pub op: ConditionOp,
    /// The value compared with: an option key, a number or a date (`2026-12-31`), as text.
    pub value: Option<String>,
    /// The values of `IN`.
    pub values: Vec<String>,
}

/// How a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConditionOp {
    /// The answer is the value (a single choice, a number, a date, a text).
    Equals,
    /// The question is answered with something else.
    NotEquals,
    /// The answer is one of the values (a single choice; for multiple choices, one chosen).
    In,
    /// A multiple choice or ranking includes the option; a text includes the value.
    Contains,
    /// The question is answered.
    Answered,
    /// The question is not answered (also when it was hidden).
    NotAnswered,
    /// Greater than (numbers, ratings, dates).
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
}

/// A resident's answer to one question; which fields are set depends on the question's type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's key.
    pub question: String,
    /// Chosen option keys (single and multiple choice).
    pub choices: Vec<String>,
    /// A free-text "other" choice.
    pub other: Option<String>,
    /// Text answers.
    pub text: Option<String>,
    /// Ratings, NPS and numbers.
    pub number: Option<f64>,
    /// Dates.
    pub date: Option<NaiveDate>,
    /// Option keys in order of preference.
    pub ranking: Vec<String>,
    /// Matrix ratings: row key and value.
    pub matrix: Vec<(String, i64)>,
}

impl Answer {
    /// Whether it says anything at all (an answer with every field empty is no answer).
    pub fn is_given(&self) -> bool {
        !self.choices.is_empty()
            || self.other.is_some()
            || self.text.is_some()
            || self.number.is_some()
            || self.date.is_some()
            || !self.ranking.is_empty()
            || !self.matrix.is_empty()
    }
}
