//! The `survey-validator` hook: a district's own checks of a response, after the built-in ones.
//!
//! Failure policy (plugins README): a validator that fails — traps, exceeds a limit, answers
//! with its own error or with problems the domain refuses — is recorded as the plugin's failure
//! and the response is judged by the built-in checks alone. A resident's answers are never lost
//! to a broken plugin; a plugin that keeps failing is disabled after five failures in a row.

use sea_orm::DbErr;

use super::model::{Answer, Question};
use crate::context::Context;
use crate::hooks::{Asked, Hook, PluginText, SurveyAnswerValue, SurveyValidationRequest, ValidatorProblem, Verdict};
use crate::i18n::Message;
use crate::ids::DistrictId;
use crate::plugins::{HookCall, HookKind, LoadedPlugin, PluginRuntime};
use crate::problems::Problems;

/// The most problems a validator may list; more is a refused answer.
pub const MAX_VALIDATOR_PROBLEMS: usize = 50;
/// The most characters of one problem's message; longer is a refused answer.
pub const MAX_VALIDATOR_MESSAGE_CHARS: usize = 500;

/// The `survey-validator` hook point.
#[derive(Debug)]
pub struct ValidateResponse;

impl Hook for ValidateResponse {
    const KIND: HookKind = HookKind::SurveyValidator;
    type Request = SurveyValidationRequest;
    type Answer = Vec<ValidatorProblem>;
    type Decision = Problems;

    fn district(request: &SurveyValidationRequest) -> Option<DistrictId> {
        request.district_id
    }

    fn call(
        runtime: &dyn PluginRuntime,
        plugin: &LoadedPlugin,
        request: &SurveyValidationRequest,
    ) -> HookCall<Vec<ValidatorProblem>> {
        runtime.validate_survey(plugin, request)
    }

    async fn check(
        _ctx: &Context,
        request: &SurveyValidationRequest,
        answer: Vec<ValidatorProblem>,
    ) -> Result<Verdict<Problems>, DbErr> {
        Ok(judge(request, answer))
    }
}

/// The problems a validator listed, in the API's paths, or why they are refused.
fn judge(request: &SurveyValidationRequest, answer: Vec<ValidatorProblem>) -> Verdict<Problems> {
    if answer.is_empty() {
        return Verdict::NoOpinion;
    }
    if answer.len() > MAX_VALIDATOR_PROBLEMS {
        return Verdict::Refused(format!("{} problems listed; at most {MAX_VALIDATOR_PROBLEMS}", answer.len()));
    }
    let mut problems = Problems::default();
    for problem in answer {
        let message = match PluginText::check(&problem.message, MAX_VALIDATOR_MESSAGE_CHARS) {
            PluginText::Clean(message) => message,
            PluginText::Empty => return Verdict::Refused("a problem without a message".to_owned()),
            PluginText::TooLong => {
                return Verdict::Refused(format!("a message longer than {MAX_VALIDATOR_MESSAGE_CHARS} characters"));
            }
        };
        let path = match problem.question.as_deref() {
            None => "answers".to_owned(),
            Some(named) => {
                // Matrix rows and "other" texts are shown as `q5:row`, `q2:other`.
                let key = named.split_once(':').map_or(named, |(key, _)| key);
                if !request.questions.iter().any(|question| question == key) {
                    let named: String = named.chars().take(64).collect();
                    return Verdict::Refused(format!("a problem names `{named}`, which is no question of the survey"));
                }
                format!("answers[question={key}]")
            }
        };
        problems.add(path, Message::verbatim(message));
    }
    Verdict::Decided(problems)
}

/// The validator's view of the answers kept by the built-in checks: each answer as one value
/// (a matrix as one number per row, `q5:row`; an "other" text as `q2:other`), and `Skipped`
/// for each visible question left unanswered.
pub fn validator_answers(visible: &[&Question], kept: &[Answer]) -> Vec<(String, SurveyAnswerValue)> {
    let mut values = Vec::new();
    for question in visible {
        let key = &question.key;
        let Some(answer) = kept.iter().find(|answer| answer.question == *key) else {
            values.push((key.clone(), SurveyAnswerValue::Skipped));
            continue;
        };
        if !answer.choices.is_empty() || answer.other.is_some() {
            values.push((key.clone(), SurveyAnswerValue::Choices(answer.choices.clone())));
        }
        if let Some(other) = &answer.other {
            values.push((format!("{key}:other"), SurveyAnswerValue::Text(other.clone())));
        }
        if !answer.ranking.is_empty() {
            values.push((key.clone(), SurveyAnswerValue::Choices(answer.ranking.clone())));
        }
        if let Some(text) = &answer.text {
            values.push((key.clone(), SurveyAnswerValue::Text(text.clone())));
        }
        if let Some(date) = answer.date {
            values.push((key.clone(), SurveyAnswerValue::Text(date.format("%Y-%m-%d").to_string())));
        }
        if let Some(number) = answer.number {
            values.push((key.clone(), SurveyAnswerValue::Number(number)));
        }
        for (row, value) in &answer.matrix {
            #[allow(clippy::cast_precision_loss)]
            values.push((format!("{key}:{row}"), SurveyAnswerValue::Number(*value as f64)));
        }
    }
    values
}

/// The problems the validator of the request's district adds: none when there is no validator
/// or it failed (the failure policy above).
pub async fn plugin_problems(ctx: &Context, request: &SurveyValidationRequest) -> Result<Problems, DbErr> {
    Ok(match ctx.hooks.ask::<ValidateResponse>(ctx, request).await? {
        Asked::Decided { decision, .. } => decision,
        Asked::NoPlugin | Asked::NoOpinion { .. } | Asked::Refused { .. } | Asked::Failed { .. } => Problems::default(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::SurveyId;

    fn request() -> SurveyValidationRequest {
        SurveyValidationRequest {
            district_id: Some(DistrictId(1)),
            survey_id: SurveyId(7),
            questions: vec!["postcode".into(), "grid".into()],
            answers: vec![],
            submitted_at: Utc::now(),
        }
    }

    fn problem(question: Option<&str>, message: &str) -> ValidatorProblem {
        ValidatorProblem { question: question.map(str::to_owned), message: message.to_owned() }
    }

    #[test]
    fn problems_are_placed_at_their_questions() {
        let Verdict::Decided(problems) = judge(
            &request(),
            vec![
                problem(Some("postcode"), "outside the district"),
                problem(Some("grid:r2"), "too high"),
                problem(None, "x"),
            ],
        ) else {
            panic!("decided");
        };
        let paths: Vec<&str> = problems.list().iter().map(|problem| problem.path.as_str()).collect();
        assert_eq!(paths, ["answers[question=postcode]", "answers[question=grid]", "answers"]);
    }

    #[test]
    fn unknown_questions_empty_or_endless_messages_are_refused() {
        assert!(matches!(judge(&request(), vec![problem(Some("q99"), "no")]), Verdict::Refused(_)));
        assert!(matches!(judge(&request(), vec![problem(None, " \n")]), Verdict::Refused(_)));
        let long = "x".repeat(MAX_VALIDATOR_MESSAGE_CHARS + 1);
        assert!(matches!(judge(&request(), vec![problem(None, &long)]), Verdict::Refused(_)));
        let many = vec![problem(None, "x"); MAX_VALIDATOR_PROBLEMS + 1];
        assert!(matches!(judge(&request(), many), Verdict::Refused(_)));
        assert_eq!(judge(&request(), vec![]), Verdict::NoOpinion);
    }
}
