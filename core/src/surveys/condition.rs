//! The one evaluator of display conditions: the server's validation of a response and the
//! `visibleQuestions` query that clients call while a resident fills the form both use it, so
//! they cannot disagree about what a resident sees.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::model::{Answer, Comparison, Condition, ConditionOp, Question, QuestionKind};

/// The questions a resident who gives `answers` sees, in order. A condition reads only
/// earlier questions, and an earlier question that is hidden counts as unanswered whatever
/// was sent for it (its answer is ignored, so a chain of conditions never reads a stale value).
pub fn visible_questions<'q>(questions: &'q [Question], answers: &[Answer]) -> Vec<&'q Question> {
    let given: HashMap<&str, &Answer> =
        answers.iter().filter(|answer| answer.is_given()).map(|answer| (answer.question.as_str(), answer)).collect();
    let mut seen: HashMap<&str, (&Question, Option<&Answer>)> = HashMap::new();
    let mut visible = Vec::new();
    for question in questions {
        let shown = question.condition.as_ref().is_none_or(|condition| holds(condition, &seen));
        if shown {
            seen.insert(&question.key, (question, given.get(question.key.as_str()).copied()));
            visible.push(question);
        }
    }
    visible
}

/// Whether `condition` holds for the answers of the visible questions so far.
fn holds(condition: &Condition, seen: &HashMap<&str, (&Question, Option<&Answer>)>) -> bool {
    match condition {
        Condition::All(conditions) => conditions.iter().all(|condition| holds(condition, seen)),
        Condition::Any(conditions) => conditions.iter().any(|condition| holds(condition, seen)),
        Condition::Not(condition) => !holds(condition, seen),
        Condition::Compare(comparison) => match seen.get(comparison.question.as_str()) {
            Some((question, answer)) => compare(comparison, question, *answer),
            // Hidden (or unknown): unanswered.
            None => comparison.op == ConditionOp::NotAnswered,
        },
    }
}

/// A comparison with an unanswered question is false; only `NOT_ANSWERED` is then true.
fn compare(comparison: &Comparison, question: &Question, answer: Option<&Answer>) -> bool {
    use ConditionOp::*;
    let answer = match (comparison.op, answer) {
        (Answered, answer) => return answer.is_some(),
        (NotAnswered, answer) => return answer.is_none(),
        (_, None) => return false,
        (_, Some(answer)) => answer,
    };
    let value = comparison.value.as_deref();
    match &question.kind {
        QuestionKind::SingleChoice { .. } => {
            let chosen = answer.choices.first().map(String::as_str);
            match comparison.op {
                Equals => chosen.is_some() && chosen == value,
                NotEquals => chosen != value,
                In => chosen.is_some_and(|chosen| comparison.values.iter().any(|value| value == chosen)),
                _ => false,
            }
        }
        QuestionKind::MultipleChoice { .. } => match comparison.op {
            Contains => value.is_some_and(|value| answer.choices.iter().any(|chosen| chosen == value)),
            In => answer.choices.iter().any(|chosen| comparison.values.contains(chosen)),
            _ => false,
        },
        QuestionKind::Ranking { .. } => match comparison.op {
            Contains => value.is_some_and(|value| answer.ranking.iter().any(|ranked| ranked == value)),
            _ => false,
        },
        QuestionKind::Rating { .. } | QuestionKind::Nps | QuestionKind::Number { .. } => {
            let Some(number) = answer.number else { return false };
            match comparison.op {
                In => comparison.values.iter().filter_map(|value| parse_number(value)).any(|value| same(number, value)),
                op => value
                    .and_then(parse_number)
                    .is_some_and(|value| order(op, number.partial_cmp(&value), same(number, value))),
            }
        }
        QuestionKind::Date => {
            let Some(date) = answer.date else { return false };
            match comparison.op {
                In => comparison.values.iter().filter_map(|value| parse_date(value)).any(|value| value == date),
                op => value.and_then(parse_date).is_some_and(|value| order(op, Some(date.cmp(&value)), date == value)),
            }
        }
        QuestionKind::Text { .. } => {
            let Some(text) = answer.text.as_deref() else { return false };
            match comparison.op {
                Equals => value == Some(text),
                NotEquals => value != Some(text),
                Contains => value.is_some_and(|value| text.to_lowercase().contains(&value.to_lowercase())),
                _ => false,
            }
        }
        QuestionKind::Matrix { .. } => false,
    }
}

/// An ordered comparison, where `equal` says whether the two count as the same (numbers up to
/// rounding noise).
fn order(op: ConditionOp, ordering: Option<std::cmp::Ordering>, equal: bool) -> bool {
    use std::cmp::Ordering::*;
    match op {
        ConditionOp::Equals => equal,
        ConditionOp::NotEquals => !equal,
        ConditionOp::Gt => ordering == Some(Greater) && !equal,
        ConditionOp::Gte => ordering == Some(Greater) || equal,
        ConditionOp::Lt => ordering == Some(Less) && !equal,
        ConditionOp::Lte => ordering == Some(Less) || equal,
        _ => false,
    }
}

fn same(left: f64, right: f64) -> bool {
    (left - right).abs() <= 1e-9 * left.abs().max(right.abs()).max(1.0)
}

/// A comparison's value as a number.
pub(crate) fn parse_number(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok().filter(|number| number.is_finite())
}

/// A comparison's value as a date (`2026-12-31`).
pub(crate) fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}
