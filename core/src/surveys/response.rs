//! Checking a response against its survey's questions: every problem at once, each with the
//! path of the answer (`answers[question=q7].choices`) and why; nothing is stored unless there
//! are none. Visibility comes from the same evaluator as `visibleQuestions`.

use std::collections::{HashMap, HashSet};

use super::condition::visible_questions;
use super::model::{Answer, Question, QuestionKind};
use crate::i18n::Message;
use crate::problems::Problems;

/// The longest free-text "other" answer.
pub const MAX_OTHER_CHARS: usize = 500;

/// The answers to keep: those of visible questions, checked, with texts trimmed. Every problem
/// is reported: unknown or repeated questions, answers to hidden questions, required questions
/// left unanswered, and answers that do not fit their question.
pub fn check_answers(questions: &[Question], answers: &[Answer]) -> Result<Vec<Answer>, Problems> {
    let (kept, problems) = sort_answers(questions, answers);
    problems.into_result(kept)
}

/// The answers that passed their checks, and every problem of the others (see
/// [`check_answers`]), so that a district's validator can add its own to the list.
pub(crate) fn sort_answers(questions: &[Question], answers: &[Answer]) -> (Vec<Answer>, Problems) {
    let mut problems = Problems::default();
    let known: HashSet<&str> = questions.iter().map(|question| question.key.as_str()).collect();
    let mut by_question: HashMap<&str, &Answer> = HashMap::new();
    for answer in answers {
        let path = path_of(&answer.question);
        if !known.contains(answer.question.as_str()) {
            problems.add(path, Message::new("no question has this key"));
        } else if by_question.insert(&answer.question, answer).is_some() {
            problems.add(path, Message::new("answered twice"));
        }
    }
    let visible: Vec<&Question> = visible_questions(questions, answers);
    let shown: HashSet<&str> = visible.iter().map(|question| question.key.as_str()).collect();
    for answer in answers.iter().filter(|answer| answer.is_given()) {
        if known.contains(answer.question.as_str()) && !shown.contains(answer.question.as_str()) {
            problems.add(path_of(&answer.question), Message::new("this question is hidden by its condition"));
        }
    }
    let mut kept = Vec::new();
    for question in visible {
        match by_question.get(question.key.as_str()).filter(|answer| answer.is_given()) {
            None if question.required => problems.add(path_of(&question.key), Message::new("required")),
            None => {}
            Some(answer) => {
                if let Some(answer) = check_answer(&mut problems, question, answer) {
                    kept.push(answer);
                }
            }
        }
    }
    (kept, problems)
}

fn path_of(question: &str) -> String {
    format!("answers[question={question}]")
}

/// One answer checked against its question; `None` when it has problems (recorded).
fn check_answer(problems: &mut Problems, question: &Question, answer: &Answer) -> Option<Answer> {
    let path = path_of(&question.key);
    let before = problems.list().len();
    let mut clean = Answer { question: question.key.clone(), ..Answer::default() };
    // Fields that the question's type does not take.
    let takes = Takes::of(&question.kind);
    for (field, given, taken) in [
        ("choices", !answer.choices.is_empty(), takes.choices),
        ("other", answer.other.is_some(), takes.other),
        ("text", answer.text.is_some(), takes.text),
        ("number", answer.number.is_some(), takes.number),
        ("date", answer.date.is_some(), takes.date),
        ("ranking", !answer.ranking.is_empty(), takes.ranking),
        ("matrix", !answer.matrix.is_empty(), takes.matrix),
    ] {
        if given && !taken {
            problems.add(
                format!("{path}.{field}"),
                Message::new("a {type} question is not answered with this field")
                    .arg("type", question.kind.question_type().as_str()),
            );
        }
    }
    let option_keys: HashSet<&str> = question.kind.choices().iter().map(|choice| choice.key.as_str()).collect();
    match &question.kind {
        QuestionKind::SingleChoice { allow_other, .. } | QuestionKind::MultipleChoice { allow_other, .. } => {
            let mut seen = HashSet::new();
            for (index, choice) in answer.choices.iter().enumerate() {
                if !option_keys.contains(choice.as_str()) {
                    problems.add(format!("{path}.choices[{index}]"), Message::new("not an option of this question"));
                } else if !seen.insert(choice.as_str()) {
                    problems.add(format!("{path}.choices[{index}]"), Message::new("chosen twice"));
                }
            }
            if let Some(other) = &answer.other {
                if !allow_other {
                    problems.add(format!("{path}.other"), Message::new("this question has no 'other' answer"));
                } else {
                    match crate::text::required("other", other, MAX_OTHER_CHARS) {
                        Ok(other) => clean.other = Some(other),
                        Err(invalid) => problems.add(format!("{path}.other"), invalid.message),
                    }
                }
            }
            let count = answer.choices.len() + usize::from(answer.other.is_some());
            match &question.kind {
                QuestionKind::SingleChoice { .. } if count > 1 => {
                    problems.add(format!("{path}.choices"), Message::new("choose one option"));
                }
                QuestionKind::MultipleChoice { min_choices, max_choices, options, .. } => {
                    let max = max_choices.map_or(options.len() + 1, |max| usize::try_from(max).unwrap_or(usize::MAX));
                    let min = usize::try_from(*min_choices).unwrap_or(usize::MAX);
                    if count > max {
                        problems.add(
                            format!("{path}.choices"),
                            Message::new("too many choices (at most {max})").arg("max", max),
                        );
                    } else if count < min {
                        problems.add(
                            format!("{path}.choices"),
                            Message::new("too few choices (at least {min})").arg("min", min),
                        );
                    }
                }
                _ => {}
            }
            clean.choices = answer.choices.clone();
        }
        QuestionKind::Rating { scale } => {
            clean.number = whole_number_in(problems, &path, answer.number, 1, i64::from(*scale));
        }
        QuestionKind::Nps => clean.number = whole_number_in(problems, &path, answer.number, 0, 10),
        QuestionKind::Number { min, max, decimals } => {
            if let Some(number) = answer.number {
                let scaled = number * 10f64.powi(i32::try_from(*decimals).unwrap_or(6));
                if !number.is_finite() || min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
                    problems.add(format!("{path}.number"), out_of_range(*min, *max));
                } else if (scaled - scaled.round()).abs() > 1e-6 {
                    problems.add(
                        format!("{path}.number"),
                        Message::new("at most {decimals} decimals").arg("decimals", decimals),
                    );
                } else {
                    clean.number = Some(number);
                }
            }
        }
        QuestionKind::Text { multiline, max_length } => {
            if let Some(text) = &answer.text {
                let max = usize::try_from(*max_length).unwrap_or(usize::MAX);
                match crate::text::required("text", text, max) {
                    Ok(text) if !multiline && text.contains('\n') => {
                        problems.add(format!("{path}.text"), Message::new("must be a single line"));
                    }
                    Ok(text) => clean.text = Some(text),
                    Err(invalid) => problems.add(format!("{path}.text"), invalid.message),
                }
            }
        }
        QuestionKind::Date => clean.date = answer.date,
        QuestionKind::Ranking { rank_top, .. } => {
            let mut seen = HashSet::new();
            for (index, option) in answer.ranking.iter().enumerate() {
                if !option_keys.contains(option.as_str()) {
                    problems.add(format!("{path}.ranking[{index}]"), Message::new("not an option of this question"));
                } else if !seen.insert(option.as_str()) {
                    problems.add(format!("{path}.ranking[{index}]"), Message::new("ranked twice"));
                }
            }
            if answer.ranking.len() > usize::try_from(*rank_top).unwrap_or(usize::MAX) {
                problems
                    .add(format!("{path}.ranking"), Message::new("rank at most {max} options").arg("max", rank_top));
            }
            clean.ranking = answer.ranking.clone();
        }
        QuestionKind::Matrix { scale, .. } => {
            let mut seen = HashSet::new();
            for (index, (row, value)) in answer.matrix.iter().enumerate() {
                if !option_keys.contains(row.as_str()) {
                    problems.add(format!("{path}.matrix[{index}].row"), Message::new("not a row of this question"));
                } else if !seen.insert(row.as_str()) {
                    problems.add(format!("{path}.matrix[{index}].row"), Message::new("rated twice"));
                }
                if !(1..=i64::from(*scale)).contains(value) {
                    problems.add(
                        format!("{path}.matrix[{index}].value"),
                        Message::new("must be between {min} and {max}").arg("min", 1).arg("max", scale),
                    );
                }
            }
            if question.required && seen.len() < option_keys.len() {
                problems.add(format!("{path}.matrix"), Message::new("every row must be rated"));
            }
            clean.matrix = answer.matrix.clone();
        }
    }
    (problems.list().len() == before).then_some(clean)
}

fn whole_number_in(problems: &mut Problems, path: &str, number: Option<f64>, min: i64, max: i64) -> Option<f64> {
    let number = number?;
    let in_range = number.fract() == 0.0 && number >= min as f64 && number <= max as f64;
    if in_range {
        Some(number)
    } else {
        problems.add(
            format!("{path}.number"),
            Message::new("must be a whole number between {min} and {max}").arg("min", min).arg("max", max),
        );
        None
    }
}

fn out_of_range(min: Option<f64>, max: Option<f64>) -> Message {
    match (min, max) {
        (Some(min), Some(max)) => Message::new("must be between {min} and {max}").arg("min", min).arg("max", max),
        (Some(min), None) => Message::new("must be at least {min}").arg("min", min),
        (None, Some(max)) => Message::new("must be at most {max}").arg("max", max),
        (None, None) => Message::new("must be a finite number"),
    }
}

/// Which answer fields a question's type takes.
struct Takes {
    choices: bool,
    other: bool,
    text: bool,
    number: bool,
    date: bool,
    ranking: bool,
    matrix: bool,
}

impl Takes {
    fn of(kind: &QuestionKind) -> Takes {
        let none = Takes {
            choices: false,
            other: false,
            text: false,
            number: false,
            date: false,
            ranking: false,
            matrix: false,
        };
        match kind {
            QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. } => {
                Takes { choices: true, other: true, ..none }
            }
            QuestionKind::Rating { .. } | QuestionKind::Nps | QuestionKind::Number { .. } => {
                Takes { number: true, ..none }
            }
            QuestionKind::Text { .. } => Takes { text: true, ..none },
            QuestionKind::Date => Takes { date: true, ..none },
            QuestionKind::Ranking { .. } => Takes { ranking: true, ..none },
            QuestionKind::Matrix { .. } => Takes { matrix: true, ..none },
        }
    }
}
