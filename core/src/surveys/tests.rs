//! The definition checks, the evaluator and the response checks, by example and by property.

use proptest::prelude::*;

use super::*;
use crate::i18n::LocalizedText;

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

fn choice(key: &str) -> Choice {
    Choice { key: key.to_owned(), text: text(key) }
}

fn question(key: &str, kind: QuestionKind, required: bool, condition: Option<Condition>) -> Question {
    Question { key: key.to_owned(), text: text(key), required, kind, condition }
}

fn single(options: &[&str]) -> QuestionKind {
    QuestionKind::SingleChoice { options: options.iter().map(|key| choice(key)).collect(), allow_other: false }
}

fn compare(question: &str, op: ConditionOp, value: Option<&str>) -> Condition {
    Condition::Compare(Comparison {
        question: question.to_owned(),
        op,
        value: value.map(str::to_owned),
        values: Vec::new(),
    })
}

fn picked(question: &str, option: &str) -> Answer {
    Answer { question: question.to_owned(), choices: vec![option.to_owned()], ..Answer::default() }
}

fn rated(question: &str, number: f64) -> Answer {
    Answer { question: question.to_owned(), number: Some(number), ..Answer::default() }
}

fn keys(questions: &[&Question]) -> Vec<String> {
    questions.iter().map(|question| question.key.clone()).collect()
}

fn paths(problems: &crate::problems::Problems) -> Vec<String> {
    problems.list().iter().map(|problem| problem.path.clone()).collect()
}

/// Decidim #10238 / #13787: a three-level chain, one link with two conditions.
fn chain() -> Vec<Question> {
    vec![
        question("uses_market", single(&["yes", "no"]), true, None),
        question(
            "visits",
            QuestionKind::Rating { scale: 5 },
            true,
            Some(compare("uses_market", ConditionOp::Equals, Some("yes"))),
        ),
        question(
            "why_rarely",
            QuestionKind::Text { multiline: true, max_length: 500 },
            true,
            Some(Condition::All(vec![
                compare("uses_market", ConditionOp::Equals, Some("yes")),
                compare("visits", ConditionOp::Lte, Some("2")),
            ])),
        ),
        question(
            "would_return",
            single(&["yes", "no"]),
            false,
            Some(Condition::Any(vec![
                compare("why_rarely", ConditionOp::Contains, Some("price")),
                compare("uses_market", ConditionOp::NotAnswered, None),
            ])),
        ),
    ]
}

#[test]
fn a_three_level_chain_shows_each_link_only_when_its_conditions_hold() {
    let questions = chain();
    assert!(check_questions(&questions).is_ok());
    let visible = |answers: &[Answer]| keys(&visible_questions(&questions, answers));
    assert_eq!(visible(&[]), ["uses_market", "would_return"], "an unanswered question: only NOT_ANSWERED holds");
    assert_eq!(visible(&[picked("uses_market", "no")]), ["uses_market"]);
    assert_eq!(visible(&[picked("uses_market", "yes"), rated("visits", 4.0)]), ["uses_market", "visits"]);
    let rarely = Answer { question: "why_rarely".into(), text: Some("Prices went up".into()), ..Answer::default() };
    let answers = [picked("uses_market", "yes"), rated("visits", 1.0), rarely.clone()];
    assert_eq!(visible(&answers), ["uses_market", "visits", "why_rarely", "would_return"]);
    // The answers of a multi-condition question are kept exactly.
    let kept = check_answers(&questions, &answers).expect("valid");
    assert_eq!(kept[2].text.as_deref(), Some("Prices went up"));
    // Changing an early answer hides the chain below it, whatever was sent for it.
    let changed = [picked("uses_market", "yes"), rated("visits", 5.0), rarely];
    assert_eq!(visible(&changed), ["uses_market", "visits"]);
    let refused = check_answers(&questions, &changed).expect_err("hidden answered");
    assert_eq!(paths(&refused), ["answers[question=why_rarely]"]);
}

#[test]
fn every_problem_of_a_response_is_listed_with_its_path() {
    let questions = vec![
        question("q1", single(&["a", "b"]), true, None),
        question(
            "q2",
            QuestionKind::MultipleChoice {
                options: ["a", "b", "c"].iter().map(|key| choice(key)).collect(),
                min_choices: 1,
                max_choices: Some(2),
                allow_other: false,
            },
            true,
            None,
        ),
        question("q3", QuestionKind::Nps, true, None),
        question("q4", QuestionKind::Text { multiline: false, max_length: 5 }, false, None),
    ];
    let answers = [
        Answer { question: "q2".into(), choices: vec!["a".into(), "b".into(), "z".into()], ..Answer::default() },
        rated("q3", 11.0),
        Answer { question: "q4".into(), text: Some("far too long".into()), number: Some(1.0), ..Answer::default() },
        picked("nope", "a"),
    ];
    let problems = check_answers(&questions, &answers).expect_err("invalid");
    let found = paths(&problems);
    for expected in [
        "answers[question=nope]",
        "answers[question=q1]",
        "answers[question=q2].choices[2]",
        "answers[question=q3].number",
        "answers[question=q4].number",
        "answers[question=q4].text",
    ] {
        assert!(found.iter().any(|path| path == expected), "{expected} missing from {found:?}");
    }
}

#[test]
fn definitions_with_forward_references_unknown_options_or_wrong_operators_are_refused() {
    let questions = vec![
        question("q1", single(&["a", "b"]), true, Some(compare("q2", ConditionOp::Answered, None))),
        question(
            "q2",
            single(&["a", "b"]),
            true,
            Some(Condition::Any(vec![
                compare("q1", ConditionOp::Equals, Some("z")),
                compare("q1", ConditionOp::Gt, Some("1")),
            ])),
        ),
        question("q2", QuestionKind::Rating { scale: 11 }, true, None),
    ];
    let problems = check_questions(&questions).expect_err("invalid");
    assert_eq!(
        paths(&problems),
        [
            "questions[0].condition.question",
            "questions[1].condition.any[0].value",
            "questions[1].condition.any[1].op",
            "questions[2].key",
            "questions[2].scale",
        ]
    );
}

/// A definition of up to 8 questions whose conditions read earlier questions only.
fn definition() -> impl Strategy<Value = Vec<Question>> {
    (1usize..8).prop_flat_map(|count| {
        let kinds = proptest::collection::vec(0u8..4, count);
        let conditions =
            proptest::collection::vec(proptest::option::of((any::<u8>(), any::<u8>(), any::<u8>(), 0u8..3)), count);
        let required = proptest::collection::vec(any::<bool>(), count);
        (kinds, conditions, required).prop_map(|(kinds, conditions, required)| {
            let mut questions: Vec<Question> = Vec::new();
            for (index, ((kind, condition), required)) in kinds.iter().zip(conditions).zip(required).enumerate() {
                let kind = match kind {
                    0 => single(&["a", "b", "c"]),
                    1 => QuestionKind::MultipleChoice {
                        options: ["a", "b", "c"].iter().map(|key| choice(key)).collect(),
                        min_choices: 0,
                        max_choices: None,
                        allow_other: false,
                    },
                    2 => QuestionKind::Rating { scale: 5 },
                    _ => QuestionKind::Text { multiline: false, max_length: 20 },
                };
                let condition = condition.filter(|_| index > 0).map(|(target, op, value, shape)| {
                    let target = &questions[usize::from(target) % index];
                    let comparison = |op: u8, value: u8| comparison_on(target, op, value);
                    match shape {
                        0 => comparison(op, value),
                        1 => Condition::Any(vec![comparison(op, value), comparison(value, op)]),
                        _ => Condition::Not(Box::new(comparison(op, value))),
                    }
                });
                questions.push(question(&format!("q{index}"), kind, required, condition));
            }
            questions
        })
    })
}

/// A comparison that fits `target`'s type.
fn comparison_on(target: &Question, op: u8, value: u8) -> Condition {
    let option = ["a", "b", "c"][usize::from(value) % 3];
    let (op, value) = match target.kind.question_type() {
        QuestionType::SingleChoice => (
            [ConditionOp::Equals, ConditionOp::NotEquals, ConditionOp::Answered][usize::from(op) % 3],
            Some(option.to_owned()),
        ),
        QuestionType::MultipleChoice => {
            ([ConditionOp::Contains, ConditionOp::NotAnswered][usize::from(op) % 2], Some(option.to_owned()))
        }
        QuestionType::Rating => (
            [ConditionOp::Gte, ConditionOp::Lt, ConditionOp::Equals][usize::from(op) % 3],
            Some((1 + value % 5).to_string()),
        ),
        _ => ([ConditionOp::Contains, ConditionOp::Answered][usize::from(op) % 2], Some(option.to_owned())),
    };
    let value = if matches!(op, ConditionOp::Answered | ConditionOp::NotAnswered) { None } else { value };
    Condition::Compare(Comparison { question: target.key.clone(), op, value, values: Vec::new() })
}

/// A valid answer to `question`, chosen by `seed`.
fn answer_to(question: &Question, seed: u8) -> Answer {
    let option = ["a", "b", "c"][usize::from(seed) % 3].to_owned();
    let mut answer = Answer { question: question.key.clone(), ..Answer::default() };
    match question.kind.question_type() {
        QuestionType::SingleChoice | QuestionType::MultipleChoice => answer.choices = vec![option],
        QuestionType::Rating => answer.number = Some(f64::from(1 + seed % 5)),
        _ => answer.text = Some(format!("{option} text")),
    }
    answer
}

proptest! {
    /// A client that fills the form as `visibleQuestions` shows it is accepted, with exactly
    /// its answers kept; the server never accepts an answer to a hidden question.
    #[test]
    fn the_server_accepts_what_the_form_shows_and_never_a_hidden_answer(
        questions in definition(),
        seeds in proptest::collection::vec((any::<u8>(), any::<bool>()), 8),
    ) {
        prop_assert!(check_questions(&questions).is_ok(), "{:?}", check_questions(&questions));
        let mut answers: Vec<Answer> = Vec::new();
        for (index, question) in questions.iter().enumerate() {
            let shown = visible_questions(&questions[..=index], &answers).iter().any(|q| q.key == question.key);
            let (seed, skip) = seeds[index];
            if shown && (question.required || !skip) {
                answers.push(answer_to(question, seed));
            }
        }
        let kept = check_answers(&questions, &answers);
        prop_assert!(kept.is_ok(), "{:?}", kept);
        let kept: Vec<String> = kept.unwrap_or_default().into_iter().map(|answer| answer.question).collect();
        let sent: Vec<String> = answers.iter().map(|answer| answer.question.clone()).collect();
        prop_assert_eq!(kept, sent);

        // Answer every question instead: whatever the server accepts is visible.
        let everything: Vec<Answer> = questions.iter().zip(&seeds).map(|(question, (seed, _))| answer_to(question, *seed)).collect();
        let visible: Vec<String> = keys(&visible_questions(&questions, &everything));
        match check_answers(&questions, &everything) {
            Ok(kept) => {
                prop_assert_eq!(visible.len(), questions.len());
                prop_assert!(kept.iter().all(|answer| visible.contains(&answer.question)));
            }
            Err(problems) => {
                for question in questions.iter().filter(|question| !visible.contains(&question.key)) {
                    let path = format!("answers[question={}]", question.key);
                    prop_assert!(paths(&problems).contains(&path), "{} not refused: {}", path, problems);
                }
            }
        }
    }
}
