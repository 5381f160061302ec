//! Checking a survey's questions before they are stored: keys, texts, type parameters and
//! display conditions, every problem at once with its path (`questions[4].condition.any[1].value`).
//! A condition may only read earlier questions, with an operator that fits their type and
//! values that exist, so that the evaluator never meets a condition it cannot decide.

use std::collections::{HashMap, HashSet};

use super::condition::{parse_date, parse_number};
use super::model::{Choice, Comparison, Condition, ConditionOp, Question, QuestionKind, QuestionType};
use crate::i18n::{LocalizedText, Message};
use crate::problems::Problems;

/// The most questions a survey has.
pub const MAX_QUESTIONS: usize = 200;
/// The most options (or matrix rows) a question has.
pub const MAX_CHOICES: usize = 100;
/// The most nodes of one display condition.
pub const MAX_CONDITION_NODES: usize = 64;
/// The deepest nesting of one display condition.
pub const MAX_CONDITION_DEPTH: usize = 8;
/// The longest key.
pub const MAX_KEY_CHARS: usize = 64;
/// The longest question text, per language.
pub const MAX_QUESTION_TEXT: usize = 1_000;
/// The longest option text, per language.
pub const MAX_CHOICE_TEXT: usize = 300;
/// The longest text answer a question may allow.
pub const MAX_TEXT_LENGTH: u32 = 10_000;

/// Checks `questions` as a survey's whole definition.
pub fn check_questions(questions: &[Question]) -> Result<(), Problems> {
    let mut problems = Problems::default();
    if questions.len() > MAX_QUESTIONS {
        problems.add("questions", Message::new("at most {max} questions").arg("max", MAX_QUESTIONS));
        return Err(problems);
    }
    let mut earlier: HashMap<&str, &Question> = HashMap::new();
    for (index, question) in questions.iter().enumerate() {
        let path = format!("questions[{index}]");
        check_key(&mut problems, &format!("{path}.key"), &question.key);
        if earlier.contains_key(question.key.as_str()) {
            problems.add(format!("{path}.key"), Message::new("another question has this key"));
        }
        check_text(&mut problems, &format!("{path}.text"), &question.text, MAX_QUESTION_TEXT);
        check_kind(&mut problems, &path, &question.kind);
        if let Some(condition) = &question.condition {
            let mut nodes = 0;
            check_condition(&mut problems, &format!("{path}.condition"), condition, &earlier, 1, &mut nodes);
            if nodes > MAX_CONDITION_NODES {
                problems.add(
                    format!("{path}.condition"),
                    Message::new("a condition may have at most {max} parts").arg("max", MAX_CONDITION_NODES),
                );
            }
        }
        earlier.entry(&question.key).or_insert(question);
    }
    problems.into_result(())
}

fn check_key(problems: &mut Problems, path: &str, key: &str) {
    let valid = !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        problems.add(path, Message::new("must be 1 to 64 letters, digits, '-' or '_'"));
    }
}

fn check_text(problems: &mut Problems, path: &str, text: &LocalizedText, max: usize) {
    crate::text::clean_localized(problems, path, text, max);
}

fn check_choices(problems: &mut Problems, path: &str, choices: &[Choice], least: usize) {
    if choices.len() < least || choices.len() > MAX_CHOICES {
        problems
            .add(path, Message::new("must have {least} to {max} entries").arg("least", least).arg("max", MAX_CHOICES));
    }
    let mut keys = HashSet::new();
    for (index, choice) in choices.iter().enumerate() {
        check_key(problems, &format!("{path}[{index}].key"), &choice.key);
        if !keys.insert(choice.key.as_str()) {
            problems.add(format!("{path}[{index}].key"), Message::new("another entry has this key"));
        }
        check_text(problems, &format!("{path}[{index}].text"), &choice.text, MAX_CHOICE_TEXT);
    }
}

fn check_kind(problems: &mut Problems, path: &str, kind: &QuestionKind) {
    match kind {
        QuestionKind::SingleChoice { options, .. } => check_choices(problems, &format!("{path}.options"), options, 2),
        QuestionKind::MultipleChoice { options, min_choices, max_choices, .. } => {
            check_choices(problems, &format!("{path}.options"), options, 2);
            let count = u32::try_from(options.len()).unwrap_or(u32::MAX);
            let max = max_choices.unwrap_or(count);
            if *min_choices > count {
                problems.add(format!("{path}.minChoices"), Message::new("is more than there are options"));
            }
            if max == 0 || max > count || max < *min_choices {
                problems.add(
                    format!("{path}.maxChoices"),
                    Message::new("must be between minChoices (and 1) and the number of options"),
                );
            }
        }
        QuestionKind::Rating { scale } | QuestionKind::Matrix { scale, .. } => {
            if !(2..=10).contains(scale) {
                problems.add(format!("{path}.scale"), Message::new("must be between 2 and 10"));
            }
            if let QuestionKind::Matrix { rows, .. } = kind {
                check_choices(problems, &format!("{path}.rows"), rows, 1);
            }
        }
        QuestionKind::Number { min, max, decimals } => {
            if min.is_some_and(|min| !min.is_finite()) || max.is_some_and(|max| !max.is_finite()) {
                problems.add(format!("{path}.min"), Message::new("must be a finite number"));
            }
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                problems.add(format!("{path}.max"), Message::new("must not be less than min"));
            }
            if *decimals > 6 {
                problems.add(format!("{path}.decimals"), Message::new("must be between 0 and 6"));
            }
        }
        QuestionKind::Text { max_length, .. } => {
            if *max_length == 0 || *max_length > MAX_TEXT_LENGTH {
                problems.add(format!("{path}.maxLength"), Message::new("must be between 1 and 10000"));
            }
        }
        QuestionKind::Ranking { options, rank_top } => {
            check_choices(problems, &format!("{path}.options"), options, 2);
            if *rank_top == 0 || usize::try_from(*rank_top).unwrap_or(usize::MAX) > options.len() {
                problems.add(format!("{path}.rankTop"), Message::new("must be between 1 and the number of options"));
            }
        }
        QuestionKind::Nps | QuestionKind::Date => {}
    }
}

fn check_condition(
    problems: &mut Problems,
    path: &str,
    condition: &Condition,
    earlier: &HashMap<&str, &Question>,
    depth: usize,
    nodes: &mut usize,
) {
    *nodes += 1;
    if depth > MAX_CONDITION_DEPTH {
        problems.add(path, Message::new("a condition may nest at most {max} levels").arg("max", MAX_CONDITION_DEPTH));
        return;
    }
    match condition {
        Condition::All(parts) | Condition::Any(parts) => {
            let name = if matches!(condition, Condition::All(_)) { "all" } else { "any" };
            if parts.is_empty() {
                problems.add(format!("{path}.{name}"), Message::new("must not be empty"));
            }
            for (index, part) in parts.iter().enumerate() {
                check_condition(problems, &format!("{path}.{name}[{index}]"), part, earlier, depth + 1, nodes);
            }
        }
        Condition::Not(part) => check_condition(problems, &format!("{path}.not"), part, earlier, depth + 1, nodes),
        Condition::Compare(comparison) => check_comparison(problems, path, comparison, earlier),
    }
}

fn check_comparison(problems: &mut Problems, path: &str, comparison: &Comparison, earlier: &HashMap<&str, &Question>) {
    let Some(question) = earlier.get(comparison.question.as_str()) else {
        problems.add(
            format!("{path}.question"),
            Message::new("must be the key of an earlier question (`{key}` is not)").arg("key", &comparison.question),
        );
        return;
    };
    use ConditionOp::*;
    let question_type = question.kind.question_type();
    let allowed: &[ConditionOp] = match question_type {
        QuestionType::SingleChoice => &[Equals, NotEquals, In, Answered, NotAnswered],
        QuestionType::MultipleChoice => &[Contains, In, Answered, NotAnswered],
        QuestionType::Ranking => &[Contains, Answered, NotAnswered],
        QuestionType::Rating | QuestionType::Nps | QuestionType::Number | QuestionType::Date => {
            &[Equals, NotEquals, In, Gt, Gte, Lt, Lte, Answered, NotAnswered]
        }
        QuestionType::Text => &[Equals, NotEquals, Contains, Answered, NotAnswered],
        QuestionType::Matrix => &[Answered, NotAnswered],
    };
    if !allowed.contains(&comparison.op) {
        problems.add(
            format!("{path}.op"),
            Message::new("this operator does not apply to a {type} question").arg("type", question_type.as_str()),
        );
        return;
    }
    let fits = |value: &str| -> bool {
        match question_type {
            QuestionType::SingleChoice | QuestionType::MultipleChoice | QuestionType::Ranking => {
                question.kind.choices().iter().any(|choice| choice.key == value)
            }
            QuestionType::Rating | QuestionType::Nps | QuestionType::Number => parse_number(value).is_some(),
            QuestionType::Date => parse_date(value).is_some(),
            QuestionType::Text => true,
            QuestionType::Matrix => false,
        }
    };
    match comparison.op {
        Answered | NotAnswered => {}
        In => {
            if comparison.values.is_empty() {
                problems.add(format!("{path}.values"), Message::new("must not be empty"));
            }
            for (index, value) in comparison.values.iter().enumerate() {
                if !fits(value) {
                    problems.add(format!("{path}.values[{index}]"), unfit(question_type));
                }
            }
        }
        _ => match comparison.value.as_deref() {
            None => problems.add(format!("{path}.value"), Message::new("is required by this operator")),
            Some(value) if !fits(value) => problems.add(format!("{path}.value"), unfit(question_type)),
            Some(_) => {}
        },
    }
}

/// Why a comparison's value does not fit the question compared with.
fn unfit(question_type: QuestionType) -> Message {
    match question_type {
        QuestionType::SingleChoice | QuestionType::MultipleChoice | QuestionType::Ranking => {
            Message::new("is not an option of that question")
        }
        QuestionType::Date => Message::new("must be a date such as 2026-12-31"),
        _ => Message::new("must be a number"),
    }
}
