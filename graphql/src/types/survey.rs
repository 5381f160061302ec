//! Surveys over GraphQL: the survey and its questions as clients read them, and the inputs
//! that define questions, conditions and answers (by the author's keys, never server IDs).

use async_graphql::{
    Context, Enum, ID, InputObject, InputValueError, InputValueResult, Object, Scalar, ScalarType, Value,
};
use chrono::{DateTime, NaiveDate, Utc};
use civitas_core::error::ErrorKind;
use civitas_core::i18n::{LocalizedText, Message};
use civitas_core::problems::Problems;
use civitas_core::surveys::{self, Answer, Choice, Comparison, Condition, Question, QuestionKind};

use super::LocalizedName;
use crate::errors::{IntoGraphql, with_kind};
use crate::schema::{LocalizedNameInput, core_context, request};

/// Where a survey is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::SurveyStatus")]
pub enum SurveyStatus {
    /// Being written: only its admins see it; its questions may change.
    Draft,
    /// Taking answers; its definition is frozen.
    Open,
    /// No longer taking answers.
    Closed,
    /// Put away: only its admins see it.
    Archived,
}

/// Who may answer a survey.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::Audience")]
pub enum SurveyAudience {
    /// Anyone, signed in or not.
    Everyone,
    /// Any signed-in resident.
    Residents,
    /// Residents whose token carries the survey's district.
    DistrictResidents,
}

/// Whether answers are kept with who gave them.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::Anonymity")]
pub enum SurveyAnonymity {
    /// The survey's admins see who answered.
    Identified,
    /// No identity is stored with the answers.
    Anonymous,
}

/// Who sees a survey's results, and when.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::ResultsVisibility")]
pub enum ResultsVisibility {
    /// Everyone, while the survey is open and after.
    Live,
    /// Only the number of responses until the close (admins included); then everyone.
    AfterClose,
    /// The survey's admins, always.
    AdminsOnly,
}

/// A question's type.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::QuestionType")]
pub enum QuestionType {
    /// One option (`options`, `allowOther`).
    SingleChoice,
    /// Several options (`options`, `minChoices`, `maxChoices`, `allowOther`).
    MultipleChoice,
    /// 1 to `scale` (default 5).
    Rating,
    /// Net Promoter Score, 0 to 10.
    Nps,
    /// A number (`min`, `max`, `decimals`).
    Number,
    /// Free text (`multiline`, `maxLength`, default 1,000, at most 10,000).
    Text,
    /// A date.
    Date,
    /// Options in order of preference (`options`, `rankTop`).
    Ranking,
    /// Rows rated on one scale (`rows`, `scale`).
    Matrix,
}

/// How a display condition compares.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "surveys::ConditionOp")]
pub enum ConditionOp {
    /// The answer is the value.
    Equals,
    /// The question is answered with something else.
    NotEquals,
    /// The answer is one of `values`.
    In,
    /// A multiple choice or ranking includes the option; a text includes the value.
    Contains,
    /// The question is answered.
    Answered,
    /// The question is not answered (also when hidden).
    NotAnswered,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
}

/// A calendar date, `2026-12-31`.
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("a date is written 2026-12-31")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A survey.
pub struct Survey(pub surveys::Survey);

#[Object]
impl Survey {
    /// Its ID (`srv_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its district; `null` for a city-wide survey.
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(|id| ID(id.to_string()))
    }

    /// Its title in the request's language.
    async fn title(&self, ctx: &Context<'_>) -> String {
        self.0.title.get(request(ctx).locale).to_owned()
    }

    /// Its title in every language.
    async fn titles(&self) -> LocalizedName {
        (&self.0.title).into()
    }

    /// Its description in the request's language.
    async fn description(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.description.as_ref().map(|text| text.get(request(ctx).locale).to_owned())
    }

    /// Its description in every language.
    async fn descriptions(&self) -> Option<LocalizedName> {
        self.0.description.as_ref().map(Into::into)
    }

    /// Where it is in its life.
    async fn status(&self) -> SurveyStatus {
        self.0.status.into()
    }

    /// Who may answer.
    async fn audience(&self) -> SurveyAudience {
        self.0.audience.into()
    }

    /// Whether answers are kept with who gave them.
    async fn anonymity(&self) -> SurveyAnonymity {
        self.0.anonymity.into()
    }

    /// Who sees the results, and when.
    async fn results_visibility(&self) -> ResultsVisibility {
        self.0.results_visibility.into()
    }

    /// When the server opens it (a draft).
    async fn opens_at(&self) -> Option<DateTime<Utc>> {
        self.0.opens_at
    }

    /// When the server closes it.
    async fn closes_at(&self) -> Option<DateTime<Utc>> {
        self.0.closes_at
    }

    /// Its questions, in order.
    async fn questions(&self) -> Vec<SurveyQuestion> {
        self.0.questions.iter().cloned().map(SurveyQuestion).collect()
    }

    /// Incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A question of a survey.
pub struct SurveyQuestion(pub Question);

#[Object]
impl SurveyQuestion {
    /// The author's key, unique in the survey (`q1`).
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Its type.
    #[graphql(name = "type")]
    async fn question_type(&self) -> QuestionType {
        self.0.kind.question_type().into()
    }

    /// Its text in the request's language.
    async fn text(&self, ctx: &Context<'_>) -> String {
        self.0.text.get(request(ctx).locale).to_owned()
    }

    /// Its text in every language.
    async fn texts(&self) -> LocalizedName {
        (&self.0.text).into()
    }

    /// Whether a resident who sees it must answer it.
    async fn required(&self) -> bool {
        self.0.required
    }

    /// Its options (choice and ranking questions).
    async fn options(&self) -> Vec<SurveyChoice> {
        match &self.0.kind {
            QuestionKind::Matrix { .. } => Vec::new(),
            kind => kind.choices().iter().cloned().map(SurveyChoice).collect(),
        }
    }

    /// Its rows (matrix questions).
    async fn rows(&self) -> Vec<SurveyChoice> {
        match &self.0.kind {
            QuestionKind::Matrix { rows, .. } => rows.iter().cloned().map(SurveyChoice).collect(),
            _ => Vec::new(),
        }
    }

    /// The fewest options a multiple-choice answer has.
    async fn min_choices(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::MultipleChoice { min_choices, .. } => Some(*min_choices),
            _ => None,
        }
    }

    /// The most options a multiple-choice answer has.
    async fn max_choices(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::MultipleChoice { max_choices, options, .. } => {
                Some(max_choices.unwrap_or(u32::try_from(options.len()).unwrap_or(u32::MAX)))
            }
            _ => None,
        }
    }

    /// Whether a free-text "other" answer is allowed.
    async fn allow_other(&self) -> Option<bool> {
        match &self.0.kind {
            QuestionKind::SingleChoice { allow_other, .. } | QuestionKind::MultipleChoice { allow_other, .. } => {
                Some(*allow_other)
            }
            _ => None,
        }
    }

    /// The highest rating (rating and matrix questions).
    async fn scale(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::Rating { scale } | QuestionKind::Matrix { scale, .. } => Some(*scale),
            QuestionKind::Nps => Some(10),
            _ => None,
        }
    }

    /// The lowest number allowed.
    async fn min(&self) -> Option<f64> {
        match &self.0.kind {
            QuestionKind::Number { min, .. } => *min,
            _ => None,
        }
    }

    /// The highest number allowed.
    async fn max(&self) -> Option<f64> {
        match &self.0.kind {
            QuestionKind::Number { max, .. } => *max,
            _ => None,
        }
    }

    /// The decimals a number may have.
    async fn decimals(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::Number { decimals, .. } => Some(*decimals),
            _ => None,
        }
    }

    /// Whether a text answer may have several lines.
    async fn multiline(&self) -> Option<bool> {
        match &self.0.kind {
            QuestionKind::Text { multiline, .. } => Some(*multiline),
            _ => None,
        }
    }

    /// The most characters of a text answer.
    async fn max_length(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::Text { max_length, .. } => Some(*max_length),
            _ => None,
        }
    }

    /// How many options a ranking answer may rank.
    async fn rank_top(&self) -> Option<u32> {
        match &self.0.kind {
            QuestionKind::Ranking { rank_top, .. } => Some(*rank_top),
            _ => None,
        }
    }

    /// When it is shown; `null`: always.
    async fn condition(&self) -> Option<SurveyCondition> {
        self.0.condition.clone().map(SurveyCondition)
    }
}

/// An option of a question, or a row of a matrix.
pub struct SurveyChoice(pub Choice);

#[Object]
impl SurveyChoice {
    /// The author's key, unique in its question.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Its text in the request's language.
    async fn text(&self, ctx: &Context<'_>) -> String {
        self.0.text.get(request(ctx).locale).to_owned()
    }

    /// Its text in every language.
    async fn texts(&self) -> LocalizedName {
        (&self.0.text).into()
    }
}

/// A display condition: exactly one of `all`, `any`, `not`, or a comparison (`question`, `op`,
/// `value`/`values`).
pub struct SurveyCondition(pub Condition);

#[Object]
impl SurveyCondition {
    /// Every one holds.
    async fn all(&self) -> Option<Vec<SurveyCondition>> {
        parts(match &self.0 {
            Condition::All(parts) => Some(parts),
            _ => None,
        })
    }

    /// At least one holds.
    async fn any(&self) -> Option<Vec<SurveyCondition>> {
        parts(match &self.0 {
            Condition::Any(parts) => Some(parts),
            _ => None,
        })
    }

    /// It does not hold.
    async fn not(&self) -> Option<SurveyCondition> {
        match &self.0 {
            Condition::Not(part) => Some(SurveyCondition((**part).clone())),
            _ => None,
        }
    }

    /// The earlier question compared with (its key).
    async fn question(&self) -> Option<&str> {
        match &self.0 {
            Condition::Compare(comparison) => Some(&comparison.question),
            _ => None,
        }
    }

    /// How it compares.
    async fn op(&self) -> Option<ConditionOp> {
        match &self.0 {
            Condition::Compare(comparison) => Some(comparison.op.into()),
            _ => None,
        }
    }

    /// The value compared with.
    async fn value(&self) -> Option<&str> {
        match &self.0 {
            Condition::Compare(comparison) => comparison.value.as_deref(),
            _ => None,
        }
    }

    /// The values of `IN`.
    async fn values(&self) -> Option<Vec<String>> {
        match &self.0 {
            Condition::Compare(comparison) if !comparison.values.is_empty() => Some(comparison.values.clone()),
            _ => None,
        }
    }
}

fn parts(conditions: Option<&Vec<Condition>>) -> Option<Vec<SurveyCondition>> {
    conditions.map(|parts| parts.iter().cloned().map(SurveyCondition).collect())
}

/// A survey's settings and questions, as created.
#[derive(InputObject)]
pub struct CreateSurveyInput {
    /// Its district; `null` for a city-wide survey (city admins).
    pub district_id: Option<ID>,
    /// Its title.
    pub title: LocalizedNameInput,
    /// Its description.
    pub description: Option<LocalizedNameInput>,
    /// Who may answer (default `EVERYONE`).
    pub audience: Option<SurveyAudience>,
    /// Whether answers are kept with who gave them (default `IDENTIFIED`).
    pub anonymity: Option<SurveyAnonymity>,
    /// Who sees the results, and when (default `LIVE`).
    pub results_visibility: Option<ResultsVisibility>,
    /// When the server opens it.
    pub opens_at: Option<DateTime<Utc>>,
    /// When the server closes it.
    pub closes_at: Option<DateTime<Utc>>,
    /// Its questions, in order.
    pub questions: Option<Vec<SurveyQuestionInput>>,
}

/// Changes to a draft survey: only the fields given change (`questions` replaces them all).
#[derive(InputObject)]
pub struct UpdateSurveyInput {
    /// Its title.
    pub title: Option<LocalizedNameInput>,
    /// Its description.
    pub description: Option<LocalizedNameInput>,
    /// Who may answer.
    pub audience: Option<SurveyAudience>,
    /// Anonymity.
    pub anonymity: Option<SurveyAnonymity>,
    /// Results visibility.
    pub results_visibility: Option<ResultsVisibility>,
    /// When the server opens it.
    pub opens_at: Option<DateTime<Utc>>,
    /// When the server closes it.
    pub closes_at: Option<DateTime<Utc>>,
    /// Its questions, replacing all of them.
    pub questions: Option<Vec<SurveyQuestionInput>>,
}

/// A question: its key, type, text and the parameters of its type.
#[derive(InputObject)]
pub struct SurveyQuestionInput {
    /// The author's stable key, unique in the survey (`q1`).
    pub key: String,
    /// Its type.
    #[graphql(name = "type")]
    pub question_type: QuestionType,
    /// Its text.
    pub text: LocalizedNameInput,
    /// Whether a resident who sees it must answer it (default false).
    pub required: Option<bool>,
    /// Options (choice and ranking questions).
    pub options: Option<Vec<SurveyChoiceInput>>,
    /// Fewest options of a multiple-choice answer (default 0).
    pub min_choices: Option<i32>,
    /// Most options of a multiple-choice answer (default: all).
    pub max_choices: Option<i32>,
    /// Whether a free-text "other" answer is allowed (default false).
    pub allow_other: Option<bool>,
    /// The highest rating (rating and matrix, default 5).
    pub scale: Option<i32>,
    /// The lowest number allowed.
    pub min: Option<f64>,
    /// The highest number allowed.
    pub max: Option<f64>,
    /// Decimals allowed (default 0).
    pub decimals: Option<i32>,
    /// Whether a text answer may have several lines (default false).
    pub multiline: Option<bool>,
    /// The most characters of a text answer (default 1,000).
    pub max_length: Option<i32>,
    /// How many options a ranking may rank (default: all).
    pub rank_top: Option<i32>,
    /// Rows (matrix questions).
    pub rows: Option<Vec<SurveyChoiceInput>>,
    /// When it is shown (default: always).
    pub condition: Option<ConditionInput>,
}

/// An option, or a matrix row.
#[derive(InputObject)]
pub struct SurveyChoiceInput {
    /// The author's key, unique in its question.
    pub key: String,
    /// Its text.
    pub text: LocalizedNameInput,
}

/// A display condition: exactly one of `all`, `any`, `not`, or a comparison (`question` and
/// `op`, with `value` or, for `IN`, `values`).
#[derive(InputObject)]
pub struct ConditionInput {
    /// Every one holds.
    pub all: Option<Vec<ConditionInput>>,
    /// At least one holds.
    pub any: Option<Vec<ConditionInput>>,
    /// It does not hold.
    pub not: Option<Box<ConditionInput>>,
    /// The key of an earlier question.
    pub question: Option<String>,
    /// How to compare.
    pub op: Option<ConditionOp>,
    /// An option key, a number or a date (`2026-12-31`).
    pub value: Option<String>,
    /// The values of `IN`.
    pub values: Option<Vec<String>>,
}

/// One answer, by question key; set the field(s) of the question's type.
#[derive(InputObject)]
pub struct SurveyAnswerInput {
    /// The question's key.
    pub question: String,
    /// Chosen option keys.
    pub choices: Option<Vec<String>>,
    /// A free-text "other" choice.
    pub other: Option<String>,
    /// A text answer.
    pub text: Option<String>,
    /// A rating, NPS or number.
    pub number: Option<f64>,
    /// A date.
    pub date: Option<Date>,
    /// Option keys in order of preference.
    pub ranking: Option<Vec<String>>,
    /// Matrix ratings.
    pub matrix: Option<Vec<MatrixAnswerInput>>,
}

/// One rated matrix row.
#[derive(InputObject)]
pub struct MatrixAnswerInput {
    /// The row's key.
    pub row: String,
    /// Its rating.
    pub value: i32,
}

/// Which surveys to list.
#[derive(InputObject, Default)]
pub struct SurveyFilterInput {
    /// Only this district's.
    pub district_id: Option<ID>,
    /// Only city-wide surveys.
    pub city_wide: Option<bool>,
    /// Only these statuses.
    pub status: Option<Vec<SurveyStatus>>,
}

impl From<SurveyAnswerInput> for Answer {
    fn from(input: SurveyAnswerInput) -> Self {
        Answer {
            question: input.question,
            choices: input.choices.unwrap_or_default(),
            other: input.other,
            text: input.text,
            number: input.number,
            date: input.date.map(|date| date.0),
            ranking: input.ranking.unwrap_or_default(),
            matrix: input.matrix.unwrap_or_default().into_iter().map(|row| (row.row, i64::from(row.value))).collect(),
        }
    }
}

/// Turns question inputs into questions, every shape problem (a missing option list, a
/// condition with two roots, a negative count) listed with its path.
pub fn questions_from(inputs: Vec<SurveyQuestionInput>, first_index: usize) -> async_graphql::Result<Vec<Question>> {
    let mut problems = Problems::default();
    let questions: Vec<Question> = inputs
        .into_iter()
        .enumerate()
        .map(|(offset, input)| question_from(&mut problems, &format!("questions[{}]", first_index + offset), input))
        .collect();
    if problems.is_empty() { Ok(questions) } else { Err(problems_error(problems)) }
}

/// One question input at `path`.
pub fn question_from(problems: &mut Problems, path: &str, input: SurveyQuestionInput) -> Question {
    let count = |problems: &mut Problems, field: &str, value: Option<i32>, default: u32| -> u32 {
        match value.map(u32::try_from) {
            None => default,
            Some(Ok(value)) => value,
            Some(Err(_)) => {
                problems.add(format!("{path}.{field}"), Message::new("must not be negative"));
                default
            }
        }
    };
    let choices = |problems: &mut Problems, field: &str, given: Option<Vec<SurveyChoiceInput>>| -> Vec<Choice> {
        if given.is_none() {
            problems.add(format!("{path}.{field}"), Message::new("required"));
        }
        given
            .unwrap_or_default()
            .into_iter()
            .map(|choice| Choice { key: choice.key, text: LocalizedText::from(choice.text) })
            .collect()
    };
    let kind = match input.question_type {
        QuestionType::SingleChoice => QuestionKind::SingleChoice {
            options: choices(problems, "options", input.options),
            allow_other: input.allow_other.unwrap_or(false),
        },
        QuestionType::MultipleChoice => QuestionKind::MultipleChoice {
            options: choices(problems, "options", input.options),
            min_choices: count(problems, "minChoices", input.min_choices, 0),
            max_choices: input.max_choices.map(|max| count(problems, "maxChoices", Some(max), 0)),
            allow_other: input.allow_other.unwrap_or(false),
        },
        QuestionType::Rating => QuestionKind::Rating { scale: count(problems, "scale", input.scale, 5) },
        QuestionType::Nps => QuestionKind::Nps,
        QuestionType::Number => QuestionKind::Number {
            min: input.min,
            max: input.max,
            decimals: count(problems, "decimals", input.decimals, 0),
        },
        QuestionType::Text => QuestionKind::Text {
            multiline: input.multiline.unwrap_or(false),
            max_length: count(problems, "maxLength", input.max_length, 1_000),
        },
        QuestionType::Date => QuestionKind::Date,
        QuestionType::Ranking => {
            let options = choices(problems, "options", input.options);
            let all = u32::try_from(options.len()).unwrap_or(u32::MAX);
            QuestionKind::Ranking { rank_top: count(problems, "rankTop", input.rank_top, all), options }
        }
        QuestionType::Matrix => QuestionKind::Matrix {
            rows: choices(problems, "rows", input.rows),
            scale: count(problems, "scale", input.scale, 5),
        },
    };
    let condition = input.condition.map(|condition| condition_from(problems, &format!("{path}.condition"), condition));
    Question { key: input.key, text: input.text.into(), required: input.required.unwrap_or(false), kind, condition }
}

fn condition_from(problems: &mut Problems, path: &str, input: ConditionInput) -> Condition {
    let roots = usize::from(input.all.is_some())
        + usize::from(input.any.is_some())
        + usize::from(input.not.is_some())
        + usize::from(input.question.is_some());
    if roots != 1 {
        problems.add(path, Message::new("give exactly one of all, any, not or question"));
        return Condition::All(Vec::new());
    }
    if let Some(parts) = input.all {
        return Condition::All(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, part)| condition_from(problems, &format!("{path}.all[{i}]"), part))
                .collect(),
        );
    }
    if let Some(parts) = input.any {
        return Condition::Any(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, part)| condition_from(problems, &format!("{path}.any[{i}]"), part))
                .collect(),
        );
    }
    if let Some(part) = input.not {
        return Condition::Not(Box::new(condition_from(problems, &format!("{path}.not"), *part)));
    }
    let Some(op) = input.op else {
        problems.add(format!("{path}.op"), Message::new("required"));
        return Condition::All(Vec::new());
    };
    Condition::Compare(Comparison {
        question: input.question.unwrap_or_default(),
        op: op.into(),
        value: input.value,
        values: input.values.unwrap_or_default(),
    })
}

/// A `BAD_USER_INPUT` error listing `problems`.
pub fn problems_error(problems: Problems) -> async_graphql::Error {
    let count = problems.list().len();
    with_kind(
        Message::new("the input has {count} problems (see extensions.problems)").arg("count", count),
        &ErrorKind::Problems(problems),
    )
}

/// A response to a survey.
pub struct SurveyResponse(pub surveys::SurveyResponse);

#[Object]
impl SurveyResponse {
    /// Its ID (`rsp_…`, random).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The survey's ID.
    async fn survey_id(&self) -> ID {
        ID(self.0.survey_id.to_string())
    }

    /// The survey.
    async fn survey(&self, ctx: &Context<'_>) -> async_graphql::Result<Survey> {
        Ok(Survey(surveys::get(core_context(ctx), &request(ctx).caller, self.0.survey_id).await.gql()?))
    }

    /// The day it came in.
    async fn submitted_on(&self) -> Date {
        Date(self.0.submitted_on)
    }

    /// When exactly (identified surveys only; an anonymous response keeps only the day).
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }

    /// How it came in.
    async fn channel(&self) -> super::Channel {
        self.0.channel.into()
    }

    /// Whether it replaced the resident's earlier response.
    async fn replaced(&self) -> bool {
        self.0.replaced
    }

    /// The answers kept (those of the questions shown), exactly as given.
    async fn answers(&self) -> Vec<SurveyAnswer> {
        self.0.answers.iter().cloned().map(SurveyAnswer).collect()
    }
}

/// One kept answer.
pub struct SurveyAnswer(pub Answer);

#[Object]
impl SurveyAnswer {
    /// The question's key.
    async fn question(&self) -> &str {
        &self.0.question
    }

    /// Chosen option keys.
    async fn choices(&self) -> &[String] {
        &self.0.choices
    }

    /// A free-text "other" choice.
    async fn other(&self) -> Option<&str> {
        self.0.other.as_deref()
    }

    /// A text answer.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// A rating, NPS or number.
    async fn number(&self) -> Option<f64> {
        self.0.number
    }

    /// A date.
    async fn date(&self) -> Option<Date> {
        self.0.date.map(Date)
    }

    /// Option keys in order of preference.
    async fn ranking(&self) -> &[String] {
        &self.0.ranking
    }

    /// Matrix ratings.
    async fn matrix(&self) -> Vec<MatrixAnswer> {
        self.0.matrix.iter().map(|(row, value)| MatrixAnswer { row: row.clone(), value: *value }).collect()
    }
}

/// One rated matrix row.
#[derive(async_graphql::SimpleObject)]
pub struct MatrixAnswer {
    /// The row's key.
    pub row: String,
    /// Its rating.
    pub value: i64,
}

/// The resident an operator answers for.
#[derive(InputObject)]
pub struct OnBehalfOfInput {
    /// Their phone number; without a country code, +86 is assumed.
    pub phone: String,
    /// `PHONE` or `WALK_IN`.
    pub channel: super::Channel,
}

/// Which responses the results count.
#[derive(InputObject, Default)]
pub struct SurveyResultsFilterInput {
    /// Only those that came through this channel.
    pub channel: Option<super::Channel>,
    /// Only those of respondents from this district (city surveys).
    pub district_id: Option<ID>,
}

/// A survey's results, as far as its results visibility allows.
pub struct SurveyResults(pub surveys::SurveyResults);

#[Object]
impl SurveyResults {
    /// How many responses.
    async fn responses(&self) -> u64 {
        self.0.responses
    }

    /// How many came from callers without a token (who cannot be limited to one response).
    async fn unauthenticated_responses(&self) -> u64 {
        self.0.unauthenticated_responses
    }

    /// Per question, in order; `null` while hidden (`AFTER_CLOSE` before the close).
    async fn questions(&self) -> Option<Vec<QuestionResult>> {
        self.0.questions.as_ref().map(|questions| questions.iter().cloned().map(QuestionResult).collect())
    }
}

/// One free-text answer, as a survey's admins read it.
pub struct SurveyTextAnswer(pub surveys::TextAnswer);

#[Object]
impl SurveyTextAnswer {
    /// The response it belongs to (the `response_id` of the survey's exports).
    async fn response_id(&self) -> ID {
        ID(self.0.response_id.to_string())
    }

    /// What the resident wrote.
    async fn text(&self) -> &str {
        &self.0.text
    }
}

/// The results of one question.
pub struct QuestionResult(pub surveys::QuestionResult);

#[Object]
impl QuestionResult {
    /// The question's key.
    async fn question(&self) -> &str {
        &self.0.key
    }

    /// Responses that answered it.
    async fn answered(&self) -> u64 {
        self.0.answered
    }

    /// Responses to which it was shown but that left it unanswered.
    async fn skipped(&self) -> u64 {
        self.0.skipped
    }

    /// Choice counts and shares (0 to 1 of `answered`).
    async fn options(&self) -> Vec<OptionResult> {
        self.0
            .options
            .iter()
            .map(|option| OptionResult { option: option.key.clone(), count: option.count, share: option.share })
            .collect()
    }

    /// Mean of ratings and numbers.
    async fn mean(&self) -> Option<f64> {
        self.0.mean
    }

    /// Median of ratings and numbers.
    async fn median(&self) -> Option<f64> {
        self.0.median
    }

    /// How many gave each rating.
    async fn distribution(&self) -> Vec<ValueResult> {
        self.0.distribution.iter().map(|value| ValueResult { value: value.value, count: value.count }).collect()
    }

    /// Net Promoter Score, −100 to 100.
    async fn nps(&self) -> Option<f64> {
        self.0.nps
    }

    /// Rankings: average rank and first places per option.
    async fn ranking(&self) -> Vec<RankingResult> {
        self.0
            .ranking
            .iter()
            .map(|rank| RankingResult {
                option: rank.key.clone(),
                average_rank: rank.average_rank,
                first_place: rank.first_place,
            })
            .collect()
    }

    /// Matrices: count and mean per row.
    async fn rows(&self) -> Vec<MatrixRowResult> {
        self.0
            .rows
            .iter()
            .map(|row| MatrixRowResult { row: row.key.clone(), count: row.count, mean: row.mean })
            .collect()
    }
}

/// How often an option was chosen.
#[derive(async_graphql::SimpleObject)]
pub struct OptionResult {
    /// The option's key.
    pub option: String,
    /// How many chose it.
    pub count: u64,
    /// Its share of the question's answers (0 to 1).
    pub share: f64,
}

/// How many gave one value.
#[derive(async_graphql::SimpleObject)]
pub struct ValueResult {
    /// The value.
    pub value: f64,
    /// How many gave it.
    pub count: u64,
}

/// One option of a ranking question.
#[derive(async_graphql::SimpleObject)]
pub struct RankingResult {
    /// The option's key.
    pub option: String,
    /// Its average place (1 is first).
    pub average_rank: Option<f64>,
    /// How many ranked it first.
    pub first_place: u64,
}

/// One row of a matrix question.
#[derive(async_graphql::SimpleObject)]
pub struct MatrixRowResult {
    /// The row's key.
    pub row: String,
    /// How many rated it.
    pub count: u64,
    /// Its mean rating.
    pub mean: Option<f64>,
}
