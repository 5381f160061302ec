//! Survey results computed by the database: counts and shares, mean and median, NPS, ranking
//! and matrix results, answered and skipped (hidden questions count in neither), filters, and
//! who may see them when.

use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::LocalizedText;
use civitas_core::surveys::{
    self, Answer, Choice, Comparison, Condition, ConditionOp, Question, QuestionKind, QuestionResult, ResultsFilter,
    ResultsVisibility, Submission, SurveyDraft,
};
use civitas_core::tickets::Channel;

use crate::support::{City, city};

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

fn options(keys: &[&str]) -> Vec<Choice> {
    keys.iter().map(|key| Choice { key: (*key).into(), text: text(key) }).collect()
}

fn question(key: &str, kind: QuestionKind, condition: Option<Condition>) -> Question {
    Question { key: key.into(), text: text(key), required: false, kind, condition }
}

fn definition() -> Vec<Question> {
    vec![
        Question {
            required: true,
            ..question("sc", QuestionKind::SingleChoice { options: options(&["a", "b"]), allow_other: false }, None)
        },
        question(
            "follow",
            QuestionKind::Text { multiline: false, max_length: 100 },
            Some(Condition::Compare(Comparison {
                question: "sc".into(),
                op: ConditionOp::Equals,
                value: Some("a".into()),
                values: vec![],
            })),
        ),
        question(
            "mc",
            QuestionKind::MultipleChoice {
                options: options(&["x", "y", "z"]),
                min_choices: 0,
                max_choices: None,
                allow_other: false,
            },
            None,
        ),
        question("rate", QuestionKind::Rating { scale: 5 }, None),
        question("nps", QuestionKind::Nps, None),
        question("num", QuestionKind::Number { min: None, max: None, decimals: 1 }, None),
        question("rank", QuestionKind::Ranking { options: options(&["r1", "r2", "r3"]), rank_top: 3 }, None),
        question("mat", QuestionKind::Matrix { rows: options(&["m1", "m2"]), scale: 5 }, None),
    ]
}

async fn survey(city: &City, visibility: ResultsVisibility) -> surveys::Survey {
    let mayor = Caller::city_admin("mayor");
    let draft = SurveyDraft {
        title: Some(text("Results")),
        results_visibility: Some(visibility),
        questions: Some(definition()),
        ..SurveyDraft::default()
    };
    let created = surveys::create(&city.ctx, &mayor, Some(city.district(0).district.id), draft).await.expect("create");
    surveys::open(&city.ctx, &mayor, created.id).await.expect("open")
}

fn resident(subject: &str) -> Caller {
    Caller::resident(subject)
}

fn choose(question: &str, keys: &[&str]) -> Answer {
    Answer { question: question.into(), choices: keys.iter().map(|key| (*key).into()).collect(), ..Answer::default() }
}

fn number(question: &str, value: f64) -> Answer {
    Answer { question: question.into(), number: Some(value), ..Answer::default() }
}

fn rank(keys: &[&str]) -> Answer {
    Answer { question: "rank".into(), ranking: keys.iter().map(|key| (*key).into()).collect(), ..Answer::default() }
}

fn matrix(rows: &[(&str, i64)]) -> Answer {
    Answer {
        question: "mat".into(),
        matrix: rows.iter().map(|(row, value)| ((*row).into(), *value)).collect(),
        ..Answer::default()
    }
}

async fn answer_all(city: &City, survey: &surveys::Survey) {
    let follow = Answer { question: "follow".into(), text: Some("more shade".into()), ..Answer::default() };
    let responses = [
        (
            "r1",
            Channel::App,
            vec![
                choose("sc", &["a"]),
                follow,
                choose("mc", &["x", "y"]),
                number("rate", 5.0),
                number("nps", 10.0),
                number("num", 1.5),
                rank(&["r1", "r2"]),
                matrix(&[("m1", 5), ("m2", 3)]),
            ],
        ),
        (
            "r2",
            Channel::App,
            vec![
                choose("sc", &["a"]),
                choose("mc", &["x"]),
                number("rate", 4.0),
                number("nps", 9.0),
                number("num", 2.5),
                rank(&["r2", "r1"]),
                matrix(&[("m1", 4)]),
            ],
        ),
        (
            "r3",
            Channel::App,
            vec![
                choose("sc", &["b"]),
                choose("mc", &["z"]),
                number("rate", 2.0),
                number("nps", 3.0),
                number("num", 10.0),
                rank(&["r1"]),
            ],
        ),
        ("r4", Channel::Web, vec![choose("sc", &["b"]), number("rate", 1.0), number("nps", 8.0)]),
    ];
    for (who, channel, answers) in responses {
        let submission = Submission { answers, channel, replace: false, on_behalf_of: None };
        surveys::submit(&city.ctx, &resident(who), survey.id, submission).await.expect("submit");
    }
}

fn question_result<'r>(results: &'r surveys::SurveyResults, key: &str) -> &'r QuestionResult {
    results.questions.as_ref().expect("shown").iter().find(|question| question.key == key).expect(key)
}

#[tokio::test]
async fn results_are_counted_by_the_database() {
    let city = city().await;
    let survey = survey(&city, ResultsVisibility::Live).await;
    answer_all(&city, &survey).await;
    let results =
        surveys::results(&city.ctx, &Caller::Anonymous, survey.id, ResultsFilter::default()).await.expect("results");
    assert_eq!((results.responses, results.unauthenticated_responses), (4, 0));

    let sc = question_result(&results, "sc");
    assert_eq!((sc.answered, sc.skipped), (4, 0));
    let shares: Vec<(&str, u64, f64)> = sc.options.iter().map(|o| (o.key.as_str(), o.count, o.share)).collect();
    assert_eq!(shares, [("a", 2, 0.5), ("b", 2, 0.5)]);
    let follow = question_result(&results, "follow");
    assert_eq!((follow.answered, follow.skipped), (1, 1), "shown to two, hidden from two");
    let mc = question_result(&results, "mc");
    assert_eq!((mc.answered, mc.skipped), (3, 1));
    let counts: Vec<u64> = mc.options.iter().map(|o| o.count).collect();
    assert_eq!(counts, [2, 1, 1]);
    assert!((mc.options[0].share - 2.0 / 3.0).abs() < 1e-12);

    let rate = question_result(&results, "rate");
    assert_eq!((rate.mean, rate.median), (Some(3.0), Some(3.0)));
    let nps = question_result(&results, "nps");
    assert_eq!((nps.nps, nps.mean, nps.median), (Some(25.0), Some(7.5), Some(8.5)));
    let num = question_result(&results, "num");
    assert_eq!(num.median, Some(2.5));
    assert!((num.mean.expect("mean") - 14.0 / 3.0).abs() < 1e-9);
    assert_eq!((num.answered, num.skipped), (3, 1));

    let ranking: Vec<(&str, Option<f64>, u64)> = question_result(&results, "rank")
        .ranking
        .iter()
        .map(|r| (r.key.as_str(), r.average_rank, r.first_place))
        .collect();
    assert_eq!(ranking[1], ("r2", Some(1.5), 1));
    assert_eq!(ranking[2], ("r3", None, 0));
    assert_eq!((ranking[0].0, ranking[0].2), ("r1", 2));
    assert!((ranking[0].1.expect("average") - 4.0 / 3.0).abs() < 1e-9);
    let rows: Vec<(&str, u64, Option<f64>)> =
        question_result(&results, "mat").rows.iter().map(|r| (r.key.as_str(), r.count, r.mean)).collect();
    assert_eq!(rows, [("m1", 2, Some(4.5)), ("m2", 1, Some(3.0))]);

    let web = ResultsFilter { channel: Some(Channel::Web), district_id: None };
    let results = surveys::results(&city.ctx, &Caller::Anonymous, survey.id, web).await.expect("results");
    assert_eq!(results.responses, 1);
    let sc = question_result(&results, "sc");
    assert_eq!(sc.options.iter().map(|o| o.count).collect::<Vec<_>>(), [0, 1]);
}

#[tokio::test]
async fn results_after_the_close_and_for_admins_only() {
    let city = city().await;
    let mayor = Caller::city_admin("mayor");
    let after_close = survey(&city, ResultsVisibility::AfterClose).await;
    answer_all(&city, &after_close).await;
    for who in [mayor.clone(), resident("r1"), Caller::Anonymous] {
        let results =
            surveys::results(&city.ctx, &who, after_close.id, ResultsFilter::default()).await.expect("results");
        assert_eq!(results.responses, 4, "the count is public");
        assert!(results.questions.is_none(), "nothing else before the close, admins included");
    }
    surveys::close(&city.ctx, &mayor, after_close.id).await.expect("close");
    let results = surveys::results(&city.ctx, &Caller::Anonymous, after_close.id, ResultsFilter::default())
        .await
        .expect("results");
    assert!(results.questions.is_some());

    let admins_only = survey(&city, ResultsVisibility::AdminsOnly).await;
    let refused = surveys::results(&city.ctx, &resident("r1"), admins_only.id, ResultsFilter::default()).await;
    assert_eq!(refused.expect_err("refused").kind(), ErrorKind::Forbidden);
    let admin = Caller::district_admin("a0", city.district(0).district.id);
    assert!(
        surveys::results(&city.ctx, &admin, admins_only.id, ResultsFilter::default())
            .await
            .expect("admin")
            .questions
            .is_some()
    );
    let other = Caller::district_admin("a1", city.district(1).district.id);
    let refused = surveys::results(&city.ctx, &other, admins_only.id, ResultsFilter::default()).await;
    assert_eq!(refused.expect_err("refused").kind(), ErrorKind::Forbidden);
}

/// A small deterministic generator, so a failure replays.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, keys: &[&'a str]) -> &'a str {
        keys[usize::try_from(self.below(keys.len() as u64)).expect("index")]
    }
}

fn random_answers(rng: &mut Lcg) -> Vec<Answer> {
    let mut answers = vec![choose("sc", &[rng.pick(&["a", "b"])])];
    if answers[0].choices[0] == "a" && rng.below(2) == 0 {
        answers.push(Answer { question: "follow".into(), text: Some("shade".into()), ..Answer::default() });
    }
    if rng.below(3) > 0 {
        let picked: Vec<&str> = ["x", "y", "z"].into_iter().filter(|_| rng.below(2) == 0).collect();
        answers.push(choose("mc", &picked));
    }
    if rng.below(4) > 0 {
        #[allow(clippy::cast_precision_loss)]
        answers.push(number("rate", (1 + rng.below(5)) as f64));
    }
    #[allow(clippy::cast_precision_loss)]
    answers.push(number("nps", rng.below(11) as f64));
    if rng.below(3) > 0 {
        #[allow(clippy::cast_precision_loss)]
        answers.push(number("num", rng.below(2001) as f64 / 10.0 - 100.0));
    }
    match rng.below(3) {
        0 => answers.push(rank(&["r3", "r1"])),
        1 => answers.push(rank(&[rng.pick(&["r1", "r2", "r3"])])),
        _ => {}
    }
    if rng.below(2) == 0 {
        #[allow(clippy::cast_possible_wrap)]
        answers.push(matrix(&[("m1", 1 + rng.below(5) as i64), ("m2", 1 + rng.below(5) as i64)]));
    }
    answers
}

/// The results kept by the running tallies through submissions, replacements and withdrawals
/// are those counted afresh from the stored answers, whichever filter.
#[tokio::test]
async fn running_tallies_equal_a_recount_after_replacements_and_withdrawals() {
    let city = city().await;
    let survey = survey(&city, ResultsVisibility::Live).await;
    let districts = [city.district(0).district.id, city.district(1).district.id];
    let mut rng = Lcg(7);
    let mut operations = [0u32; 3];
    for step in 0..120u64 {
        let who = format!("r{}", rng.below(12));
        let caller = Caller::User {
            email: None,
            subject: who.clone(),
            role: civitas_core::auth::Role::Resident,
            district: (step % 3 != 0).then(|| districts[usize::from(who.len() % 2 == 0)]),
            department: None,
            phone: None,
            birth_year: None,
        };
        if rng.below(6) == 0 {
            if surveys::withdraw(&city.ctx, &caller, survey.id).await.is_ok() {
                operations[2] += 1;
            }
            continue;
        }
        let channel = if rng.below(2) == 0 { Channel::Web } else { Channel::App };
        let submission = Submission { answers: random_answers(&mut rng), channel, replace: true, on_behalf_of: None };
        let stored = surveys::submit(&city.ctx, &caller, survey.id, submission).await.expect("submit");
        operations[usize::from(stored.replaced)] += 1;
    }
    assert!(operations.iter().all(|count| *count >= 5), "every operation ran: {operations:?}");
    let filters = [
        ResultsFilter::default(),
        ResultsFilter { channel: Some(Channel::Web), district_id: None },
        ResultsFilter { channel: None, district_id: Some(districts[1]) },
        ResultsFilter { channel: Some(Channel::App), district_id: Some(districts[0]) },
    ];
    let mut running = Vec::new();
    for filter in filters {
        running.push(surveys::results(&city.ctx, &Caller::Anonymous, survey.id, filter).await.expect("results"));
    }
    let mayor = Caller::city_admin("mayor");
    surveys::recount_tallies(&city.ctx, &mayor, survey.id).await.expect("recount");
    for (filter, running) in filters.into_iter().zip(running) {
        let recounted = surveys::results(&city.ctx, &Caller::Anonymous, survey.id, filter).await.expect("results");
        assert!(recounted.responses > 0, "{filter:?} counts something");
        assert_eq!(running.responses, recounted.responses, "{filter:?}");
        let (running, recounted) = (running.questions.expect("live"), recounted.questions.expect("live"));
        for (running, recounted) in running.iter().zip(&recounted) {
            // Sums of numbers may differ in their last bits by the order they were added in.
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-9,
                (a, b) => a == b,
            };
            assert!(close(running.mean, recounted.mean), "{filter:?} {}", running.key);
            let exact = |result: &QuestionResult| QuestionResult { mean: None, ..result.clone() };
            assert_eq!(exact(running), exact(recounted), "{filter:?}");
        }
    }
    let refused = surveys::recount_tallies(&city.ctx, &resident("r1"), survey.id).await;
    assert_eq!(refused.expect_err("residents may not").kind(), ErrorKind::Forbidden);
}
