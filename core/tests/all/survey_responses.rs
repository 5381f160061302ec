//! Responses to surveys: one per resident under concurrency, anonymous responses that the
//! database cannot link to anyone, replace and withdraw, assisted entry by phone.

use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::DistrictId;
use civitas_core::surveys::{
    self, Anonymity, Answer, Audience, Choice, OnBehalfOf, Question, QuestionKind, Submission, SurveyDraft,
};
use civitas_core::tickets::Channel;
use sea_orm::{ConnectionTrait, Statement};

use crate::support::city;

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

fn questions() -> Vec<Question> {
    vec![
        Question {
            key: "likes".into(),
            text: text("Do you like the market?"),
            required: true,
            kind: QuestionKind::SingleChoice {
                options: vec![
                    Choice { key: "yes".into(), text: text("Yes") },
                    Choice { key: "no".into(), text: text("No") },
                ],
                allow_other: false,
            },
            condition: None,
        },
        Question {
            key: "score".into(),
            text: text("Score"),
            required: false,
            kind: QuestionKind::Nps,
            condition: None,
        },
    ]
}

async fn open_survey(city: &crate::support::City, anonymity: Anonymity, audience: Audience) -> surveys::Survey {
    let mayor = Caller::city_admin("mayor");
    let draft = SurveyDraft {
        title: Some(text("Market")),
        anonymity: Some(anonymity),
        audience: Some(audience),
        questions: Some(questions()),
        ..SurveyDraft::default()
    };
    let district = Some(city.district(0).district.id);
    let survey = surveys::create(&city.ctx, &mayor, district, draft).await.expect("create");
    surveys::open(&city.ctx, &mayor, survey.id).await.expect("open")
}

fn answers(choice: &str) -> Vec<Answer> {
    vec![
        Answer { question: "likes".into(), choices: vec![choice.into()], ..Answer::default() },
        Answer { question: "score".into(), number: Some(9.0), ..Answer::default() },
    ]
}

fn submission(choice: &str, replace: bool) -> Submission {
    Submission { answers: answers(choice), channel: Channel::App, replace, on_behalf_of: None }
}

fn resident(subject: &str, district: DistrictId) -> Caller {
    Caller::resident(subject).in_district(district)
}

async fn count(city: &crate::support::City, sql: &str) -> i64 {
    let backend = city.ctx.db.get_database_backend();
    let row =
        city.ctx.db.query_one_raw(Statement::from_string(backend, sql.to_owned())).await.expect("query").expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

#[tokio::test]
async fn one_response_per_resident_even_when_fifty_arrive_at_once() {
    let city = city().await;
    let survey = open_survey(&city, Anonymity::Identified, Audience::Residents).await;
    let who = resident("r-1", city.district(0).district.id);
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let ctx = city.ctx.clone();
        let who = who.clone();
        attempts.spawn(async move { surveys::submit(&ctx, &who, survey.id, submission("yes", false)).await });
    }
    let mut accepted = 0;
    for attempt in attempts.join_all().await {
        match attempt {
            Ok(_) => accepted += 1,
            Err(error) => assert_eq!(error.kind(), ErrorKind::Conflict, "{error}"),
        }
    }
    assert_eq!(accepted, 1);
    let stored = format!("SELECT COUNT(*) FROM survey_responses WHERE survey_id = {}", survey.id.0);
    assert_eq!(count(&city, &stored).await, 1);

    // Fifty replacements at once: still exactly one response, the last one to win.
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..50 {
        let ctx = city.ctx.clone();
        let who = who.clone();
        let choice = if n % 2 == 0 { "no" } else { "yes" };
        attempts.spawn(async move { surveys::submit(&ctx, &who, survey.id, submission(choice, true)).await });
    }
    for attempt in attempts.join_all().await {
        if let Err(error) = attempt {
            assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        }
    }
    assert_eq!(count(&city, &stored).await, 1);
    let answers_stored = format!("SELECT COUNT(*) FROM survey_answers WHERE survey_id = {}", survey.id.0);
    assert_eq!(count(&city, &answers_stored).await, 2, "the replaced responses' answers are gone");
    let mine = surveys::my_response(&city.ctx, &who, survey.id).await.expect("mine").expect("a response");
    assert_eq!(mine.answers[1].number, Some(9.0));

    surveys::withdraw(&city.ctx, &who, survey.id).await.expect("withdraw");
    assert_eq!(count(&city, &stored).await, 0);
    assert!(surveys::my_response(&city.ctx, &who, survey.id).await.expect("mine").is_none());
    surveys::submit(&city.ctx, &who, survey.id, submission("no", false)).await.expect("answer again");
}

#[tokio::test]
async fn an_anonymous_response_cannot_be_linked_to_its_resident_from_the_database() {
    let city = city().await;
    let survey = open_survey(&city, Anonymity::Anonymous, Audience::Residents).await;
    let district = city.district(0).district.id;
    let subjects: Vec<String> = (0..20).map(|n| format!("resident-{n:02}")).collect();
    let mut returned_ids = Vec::new();
    for subject in &subjects {
        let response = surveys::submit(&city.ctx, &resident(subject, district), survey.id, submission("yes", false))
            .await
            .expect("submit");
        assert!(response.submitted_at.is_none(), "only the day is kept");
        returned_ids.push(response.id.0);
        // Time passes between submissions: nothing stored may follow it.
        city.ctx.clock.advance(chrono::Duration::minutes(3));
    }
    let backend = city.ctx.db.get_database_backend();
    let rows = city
        .ctx
        .db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, channel, submitted_on, submitted_at_ms, respondent_subject, answers FROM survey_responses WHERE survey_id = {} ORDER BY id",
                survey.id.0
            ),
        ))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 20);
    let mut stored_ids = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get_by_index(0).expect("id");
        stored_ids.push(id);
        let at: Option<i64> = row.try_get_by_index(3).expect("at");
        let subject: Option<String> = row.try_get_by_index(4).expect("subject");
        let answers: String = row.try_get_by_index(5).expect("answers");
        assert!(at.is_none() && subject.is_none(), "no time, no subject");
        assert!(subjects.iter().all(|s| !answers.contains(s.as_str())));
    }
    assert_ne!(stored_ids, returned_ids, "IDs do not follow the order of submission");
    let participations = city
        .ctx
        .db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT participant_key, response_ref FROM survey_participations WHERE survey_id = {}",
                survey.id.0
            ),
        ))
        .await
        .expect("participations");
    assert_eq!(participations.len(), 20);
    for row in &participations {
        let key: String = row.try_get_by_index(0).expect("key");
        let reference: i64 = row.try_get_by_index(1).expect("ref");
        assert!(subjects.iter().all(|subject| !key.contains(subject.as_str())), "the key is an HMAC");
        assert!(!stored_ids.contains(&reference), "no response ID in the clear");
    }
    // The same database under another server secret finds nobody's response.
    let mut other = city.ctx.clone();
    other.secrets = civitas_core::secrets::Secrets::new(b"another secret");
    let someone = resident(&subjects[0], district);
    assert!(surveys::my_response(&other, &someone, survey.id).await.expect("read").is_none());
    assert!(surveys::my_response(&city.ctx, &someone, survey.id).await.expect("read").is_some());
}

#[tokio::test]
async fn audiences_closed_surveys_and_assisted_entry() {
    let city = city().await;
    let here = city.district(0).district.id;
    let elsewhere = city.district(1).district.id;
    let survey = open_survey(&city, Anonymity::Identified, Audience::DistrictResidents).await;
    let refused = |result: Result<surveys::SurveyResponse, surveys::SurveyError>| result.expect_err("refused").kind();
    assert_eq!(
        refused(surveys::submit(&city.ctx, &resident("far", elsewhere), survey.id, submission("yes", false)).await),
        ErrorKind::Forbidden
    );
    assert_eq!(
        refused(surveys::submit(&city.ctx, &Caller::Anonymous, survey.id, submission("yes", false)).await),
        ErrorKind::Unauthenticated
    );
    let bad = Submission {
        answers: vec![Answer { question: "score".into(), number: Some(11.0), ..Answer::default() }],
        ..submission("yes", false)
    };
    match surveys::submit(&city.ctx, &resident("near", here), survey.id, bad).await.expect_err("bad answers").kind() {
        ErrorKind::Problems(problems) => {
            let paths: Vec<&str> = problems.list().iter().map(|p| p.path.as_str()).collect();
            assert_eq!(paths, ["answers[question=likes]", "answers[question=score].number"]);
        }
        other => panic!("{other:?}"),
    }

    // An operator answers for a resident on the phone; the same person later calls again.
    let operator = Caller::operator("op-1");
    let assisted = |phone: &str, replace: bool| Submission {
        on_behalf_of: Some(OnBehalfOf { phone: phone.into(), channel: Channel::Phone }),
        replace,
        ..submission("no", false)
    };
    let first =
        surveys::submit(&city.ctx, &operator, survey.id, assisted("138 1234 5678", false)).await.expect("assisted");
    assert_eq!(first.channel, Channel::Phone);
    assert_eq!(
        refused(surveys::submit(&city.ctx, &operator, survey.id, assisted("+86 138-1234-5678", false)).await),
        ErrorKind::Conflict,
        "the same phone number is the same participation"
    );
    let again =
        surveys::submit(&city.ctx, &operator, survey.id, assisted("+8613812345678", true)).await.expect("replace");
    assert!(again.replaced);
    assert_eq!(
        refused(surveys::submit(&city.ctx, &resident("near", here), survey.id, assisted("13812345678", false)).await),
        ErrorKind::Forbidden,
        "only operators answer for others"
    );

    surveys::close(&city.ctx, &Caller::city_admin("mayor"), survey.id).await.expect("close");
    assert_eq!(
        refused(surveys::submit(&city.ctx, &resident("near", here), survey.id, submission("yes", false)).await),
        ErrorKind::InvalidTransition
    );
}

#[tokio::test]
async fn exports_stream_rows_before_the_last_are_read() {
    let city = city().await;
    let mayor = Caller::city_admin("mayor");
    let comment = Question {
        key: "comment".into(),
        text: text("Anything else?"),
        required: true,
        kind: QuestionKind::Text { multiline: false, max_length: 1000 },
        condition: None,
    };
    let draft =
        SurveyDraft { title: Some(text("Long answers")), questions: Some(vec![comment]), ..SurveyDraft::default() };
    let survey = surveys::create(&city.ctx, &mayor, None, draft).await.expect("create");
    let survey = surveys::open(&city.ctx, &mayor, survey.id).await.expect("open");
    // About 250 bytes a row: 2,000 rows make several 64 KiB chunks.
    for n in 0..2_000 {
        let answer = Answer {
            question: "comment".into(),
            text: Some(format!("{n:04} {}", "more trees ".repeat(21))),
            ..Answer::default()
        };
        let submission =
            Submission { answers: vec![answer], channel: Channel::Web, replace: false, on_behalf_of: None };
        surveys::submit(&city.ctx, &Caller::Anonymous, survey.id, submission).await.expect("submit");
    }
    // One chunk in flight: the export can only go on as the reader takes chunks.
    let (sink, mut chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let exporting = {
        let ctx = city.ctx.clone();
        let survey = survey.clone();
        tokio::spawn(async move { surveys::export(&ctx, &survey, surveys::ExportFormat::Csv, sink, |_| {}).await })
    };
    let first = chunks.recv().await.expect("a first chunk");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!exporting.is_finished(), "the export waits for the reader instead of buffering everything");
    let mut bytes = first;
    let mut count = 1;
    while let Some(chunk) = chunks.recv().await {
        bytes.extend(chunk);
        count += 1;
    }
    assert!(count >= 4, "{count} chunks");
    assert_eq!(exporting.await.expect("join").expect("export"), 2_000);
    let text = String::from_utf8(bytes).expect("utf-8");
    assert_eq!(text.lines().count(), 2_001, "a header and one row per response");
    assert!(text.lines().skip(1).all(|line| line.contains("more trees")));
}
