//! Surveys over HTTP: definitions with skip logic checked with every problem listed, the
//! lifecycle (a draft only its admins see, frozen once open, the sweeper's windows), what the
//! form shows while it is filled, and the tenancy of every survey operation.

use chrono::{Duration, TimeZone, Utc};
use civitas_core::clock::Clock;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": format!("{en}（简）"), "zhHant": format!("{en}（繁）") })
}

fn choices(keys: &[&str]) -> Value {
    Value::Array(keys.iter().map(|key| json!({ "key": key, "text": name(key) })).collect())
}

/// A market survey with every question type and a three-level chain (Decidim #10238/#13787).
fn market_questions() -> Value {
    json!([
        { "key": "uses_market", "type": "SINGLE_CHOICE", "text": name("Do you shop at the market?"), "required": true,
          "options": choices(&["yes", "no"]) },
        { "key": "visits", "type": "RATING", "text": name("How often?"), "required": true, "scale": 5,
          "condition": { "question": "uses_market", "op": "EQUALS", "value": "yes" } },
        { "key": "why_rarely", "type": "TEXT", "text": name("Why rarely?"), "multiline": true, "maxLength": 500,
          "condition": { "all": [
            { "question": "uses_market", "op": "EQUALS", "value": "yes" },
            { "question": "visits", "op": "LTE", "value": "2" } ] } },
        { "key": "would_return", "type": "SINGLE_CHOICE", "text": name("Would you come back?"),
          "options": choices(&["yes", "no"]),
          "condition": { "any": [
            { "question": "why_rarely", "op": "CONTAINS", "value": "price" },
            { "question": "uses_market", "op": "NOT_ANSWERED" } ] } },
        { "key": "stalls", "type": "MULTIPLE_CHOICE", "text": name("Which stalls?"), "options": choices(&["fish", "veg", "tea"]),
          "minChoices": 1, "maxChoices": 2, "allowOther": true },
        { "key": "nps", "type": "NPS", "text": name("Recommend it?") },
        { "key": "budget", "type": "NUMBER", "text": name("Spend per visit"), "min": 0, "max": 10000, "decimals": 2 },
        { "key": "since", "type": "DATE", "text": name("Since when?") },
        { "key": "priorities", "type": "RANKING", "text": name("Rank"), "options": choices(&["shade", "toilets", "parking"]), "rankTop": 2 },
        { "key": "rate", "type": "MATRIX", "text": name("Rate"), "rows": choices(&["clean", "safe"]), "scale": 5 }
    ])
}

const CREATE: &str = r#"mutation($input: CreateSurveyInput!) {
  createSurvey(input: $input) { id status version districtId questions { key type required condition { all { question op value } any { question op } question op value } } }
}"#;

pub(crate) fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

pub(crate) async fn create_market_survey(server: &TestServer, who: &Who, district: usize) -> String {
    let input = json!({ "input": {
        "districtId": server.district_id(district), "title": name("The new market"),
        "audience": "EVERYONE", "anonymity": "ANONYMOUS", "resultsVisibility": "AFTER_CLOSE",
        "questions": market_questions() } });
    let data = server.ok(Some(who), CREATE, input).await;
    assert_eq!(data["createSurvey"]["status"], "DRAFT");
    data["createSurvey"]["id"].as_str().expect("id").to_owned()
}

const VISIBLE: &str =
    "query($id: ID!, $answers: [SurveyAnswerInput!]!) { visibleQuestions(surveyId: $id, answers: $answers) }";

#[tokio::test]
async fn a_survey_is_written_as_a_draft_then_opened_frozen_closed_and_archived() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let id = create_market_survey(&server, &admin0, 0).await;
    let read =
        "query($id: ID!) { survey(id: $id) { id status title questions { key type } } node(id: $id) { __typename } }";

    // A draft is its admins' only.
    let resident = Who::new("resident", "r-1");
    let (code, _) = server.error(Some(&resident), read, json!({ "id": id })).await;
    assert_eq!(code, "NOT_FOUND");
    let own = server.ok(Some(&admin0), read, json!({ "id": id })).await;
    assert_eq!(own["survey"]["questions"].as_array().expect("questions").len(), 10);
    assert_eq!(own["node"]["__typename"], "Survey");

    // Edits while a draft.
    let add = r#"mutation($id: ID!) { addSurveyQuestion(surveyId: $id, position: 0, question: {
        key: "intro", type: TEXT, text: { en: "Anything first?", zhHans: "先说说？", zhHant: "先說說？" } }) { version questions { key } } }"#;
    let added = server.ok(Some(&admin0), add, json!({ "id": id })).await;
    assert_eq!(added["addSurveyQuestion"]["questions"][0]["key"], "intro");
    assert_eq!(added["addSurveyQuestion"]["version"], 2);
    let removed = server
        .ok(
            Some(&admin0),
            "mutation($id: ID!) { removeSurveyQuestion(surveyId: $id, key: \"intro\") { questions { key } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(removed["removeSurveyQuestion"]["questions"][0]["key"], "uses_market");

    let open =
        server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(open["openSurvey"]["status"], "OPEN");
    let public = server.ok(None, read, json!({ "id": id })).await;
    assert_eq!(public["survey"]["status"], "OPEN");

    // Frozen once open.
    let (code, _) = server.error(Some(&admin0), add, json!({ "id": id })).await;
    assert_eq!(code, "INVALID_TRANSITION");
    let update = "mutation($id: ID!) { updateSurvey(id: $id, input: { audience: RESIDENTS }) { id } }";
    let (code, body) = server.error(Some(&admin0), update, json!({ "id": id })).await;
    assert_eq!(code, "INVALID_TRANSITION", "{body}");

    // The form as it is filled: each link of the chain appears only when its conditions hold.
    let visible = |answers: Value| {
        let server = &server;
        let id = id.clone();
        async move {
            let data = server.ok(None, VISIBLE, json!({ "id": id, "answers": answers })).await;
            data["visibleQuestions"]
                .as_array()
                .expect("keys")
                .iter()
                .map(|key| key.as_str().expect("key").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let always = ["stalls", "nps", "budget", "since", "priorities", "rate"];
    let with = |keys: &[&str]| keys.iter().chain(always.iter()).map(|key| key.to_string()).collect::<Vec<_>>();
    assert_eq!(visible(json!([])).await, with(&["uses_market", "would_return"]));
    assert_eq!(visible(json!([{ "question": "uses_market", "choices": ["no"] }])).await, with(&["uses_market"]));
    let rarely = json!([
        { "question": "uses_market", "choices": ["yes"] }, { "question": "visits", "number": 1 },
        { "question": "why_rarely", "text": "The prices went up" } ]);
    assert_eq!(visible(rarely).await, with(&["uses_market", "visits", "why_rarely", "would_return"]));

    let close =
        server.ok(Some(&admin0), "mutation($id: ID!) { closeSurvey(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(close["closeSurvey"]["status"], "CLOSED");
    let archive =
        server.ok(Some(&admin0), "mutation($id: ID!) { archiveSurvey(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(archive["archiveSurvey"]["status"], "ARCHIVED");
    let (code, _) = server.error(None, read, json!({ "id": id })).await;
    assert_eq!(code, "NOT_FOUND", "an archived survey is its admins' only");

    // Every change is in the district's audit log.
    let log = server
        .ok(
            Some(&admin0),
            "query($d: ID) { auditLog(districtId: $d, first: 20) { edges { node { action subject } } } }",
            json!({ "d": server.district_id(0) }),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|edge| edge["node"]["subject"] == id.as_str())
        .map(|edge| edge["node"]["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        ["survey.archived", "survey.closed", "survey.opened", "survey.updated", "survey.updated", "survey.created"]
    );
}

#[tokio::test]
async fn a_bad_definition_lists_every_problem_with_its_path_in_the_callers_language() {
    let server = TestServer::start().await;
    let questions = json!([
        { "key": "q1", "type": "SINGLE_CHOICE", "text": name("One"), "options": choices(&["a", "b"]),
          "condition": { "question": "q2", "op": "ANSWERED" } },
        { "key": "q2", "type": "SINGLE_CHOICE", "text": name("Two"), "options": choices(&["a", "b"]),
          "condition": { "any": [
            { "question": "q1", "op": "EQUALS", "value": "z" },
            { "question": "q1", "op": "GT", "value": "1" } ] } },
        { "key": "q3", "type": "RATING", "text": name("Three"), "scale": 11 },
        { "key": "q4", "type": "SINGLE_CHOICE", "text": name("Four") },
        { "key": "q5", "type": "TEXT", "text": name("Five"), "condition": { "question": "q1", "any": [] } }
    ]);
    let input =
        json!({ "input": { "districtId": server.district_id(0), "title": name("Broken"), "questions": questions } });
    let response = server
        .http
        .post(format!("{}/graphql", server.url))
        .bearer_auth(admin(&server, 0).token())
        .header("accept-language", "zh-Hans")
        .json(&json!({ "query": CREATE, "variables": input }))
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let problems = error["extensions"]["problems"].as_array().expect("problems");
    let paths: Vec<&str> = problems.iter().map(|problem| problem["path"].as_str().expect("path")).collect();
    // Shape problems come first (nothing is checked further until the input has a shape).
    assert_eq!(paths, ["questions[3].options", "questions[4].condition"], "{body}");
    assert!(
        problems.iter().all(|problem| problem["reason"].as_str().is_some_and(|reason| !reason.is_ascii())),
        "reasons in Chinese: {body}"
    );

    let mut questions = questions;
    questions[3]["options"] = choices(&["x", "y"]);
    questions[4]["condition"] = json!({ "question": "q1", "op": "ANSWERED" });
    let input =
        json!({ "input": { "districtId": server.district_id(0), "title": name("Broken"), "questions": questions } });
    let (code, body) = server.error(Some(&admin(&server, 0)), CREATE, input).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let paths: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|problem| problem["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        [
            "questions[0].condition.question",
            "questions[1].condition.any[0].value",
            "questions[1].condition.any[1].op",
            "questions[2].scale",
        ],
        "{body}"
    );
    let none = server
        .ok(Some(&Who::new("city_admin", "mayor")), "{ surveys(first: 10) { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(none["surveys"]["edges"], json!([]), "nothing stored");
}

#[tokio::test]
async fn only_a_surveys_admins_manage_it_and_drafts_stay_in_their_district() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let admin1 = admin(&server, 1);
    let mayor = Who::new("city_admin", "mayor");
    let draft = create_market_survey(&server, &admin0, 0).await;
    let opened = create_market_survey(&server, &admin0, 0).await;
    server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": opened })).await;

    // Another district's admin: the draft does not exist for them; the open survey they may
    // read but not change.
    for mutation in ["openSurvey", "closeSurvey", "archiveSurvey"] {
        let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}");
        let (code, _) = server.error(Some(&admin1), &query, json!({ "id": draft })).await;
        assert_eq!(code, "NOT_FOUND", "{mutation} on another district's draft");
        let (code, _) = server.error(Some(&admin1), &query, json!({ "id": opened })).await;
        assert_eq!(code, "FORBIDDEN", "{mutation} on another district's open survey");
    }
    let update = "mutation($id: ID!) { updateSurvey(id: $id, input: { audience: RESIDENTS }) { id } }";
    assert_eq!(server.error(Some(&admin1), update, json!({ "id": draft })).await.0, "NOT_FOUND");
    let list = "query($status: [SurveyStatus!]) { surveys(first: 10, filter: { status: $status }) { edges { node { id status } } } }";
    let ids = |data: &Value| -> Vec<String> {
        data["surveys"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["node"]["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids(&server.ok(Some(&admin1), list, json!({})).await), [opened.as_str()]);
    assert_eq!(ids(&server.ok(None, list, json!({})).await), [opened.as_str()]);
    assert_eq!(ids(&server.ok(Some(&admin0), list, json!({})).await), [opened.as_str(), draft.as_str()]);
    assert_eq!(ids(&server.ok(Some(&mayor), list, json!({ "status": ["DRAFT"] })).await), [draft.as_str()]);

    // Residents, staff and operators create nothing; anonymous callers must sign in; a
    // district admin cannot create for another district or for the city.
    let input = |district: Option<String>| json!({ "input": { "districtId": district, "title": name("Mine"), "questions": [] } });
    for who in [Who::new("resident", "r"), Who::new("operator", "op")] {
        assert_eq!(server.error(Some(&who), CREATE, input(Some(server.district_id(0)))).await.0, "FORBIDDEN");
    }
    assert_eq!(server.error(None, CREATE, input(Some(server.district_id(0)))).await.0, "UNAUTHENTICATED");
    assert_eq!(server.error(Some(&admin1), CREATE, input(Some(server.district_id(0)))).await.0, "FORBIDDEN");
    assert_eq!(server.error(Some(&admin1), CREATE, input(None)).await.0, "FORBIDDEN");
    let city = server.ok(Some(&mayor), CREATE, input(None)).await;
    assert_eq!(city["createSurvey"]["districtId"], Value::Null);
    // An empty draft cannot open.
    let id = city["createSurvey"]["id"].clone();
    let (code, body) =
        server.error(Some(&mayor), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["problems"][0]["path"], "questions");
}

#[tokio::test]
async fn the_sweeper_opens_and_closes_surveys_at_their_dates() {
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).single().expect("time");
    let server = TestServer::start_with_clock(Clock::manual(start)).await;
    let admin0 = admin(&server, 0);
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Timed"),
        "opensAt": (start + Duration::hours(1)).to_rfc3339(), "closesAt": (start + Duration::hours(2)).to_rfc3339(),
        "questions": [{ "key": "q1", "type": "NPS", "text": name("Recommend?") }] } });
    let id = server.ok(Some(&admin0), CREATE, input).await["createSurvey"]["id"].as_str().expect("id").to_owned();
    let status = || {
        let server = &server;
        let admin0 = &admin0;
        let id = id.clone();
        async move {
            let data =
                server.ok(Some(admin0), "query($id: ID!) { survey(id: $id) { status } }", json!({ "id": id })).await;
            data["survey"]["status"].as_str().expect("status").to_owned()
        }
    };
    let swept = civitas_core::surveys::sweep(&server.ctx).await.expect("sweep");
    assert_eq!((swept.opened, swept.closed), (0, 0));
    assert_eq!(status().await, "DRAFT");
    server.ctx.clock.advance(Duration::minutes(61));
    let swept = civitas_core::surveys::sweep(&server.ctx).await.expect("sweep");
    assert_eq!((swept.opened, swept.closed), (1, 0));
    assert_eq!(status().await, "OPEN");
    server.ctx.clock.advance(Duration::minutes(60));
    let swept = civitas_core::surveys::sweep(&server.ctx).await.expect("sweep");
    assert_eq!((swept.opened, swept.closed), (0, 1));
    assert_eq!(status().await, "CLOSED");

    // Dates the wrong way round are refused.
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Backwards"),
        "opensAt": (start + Duration::hours(5)).to_rfc3339(), "closesAt": (start + Duration::hours(4)).to_rfc3339() } });
    let (code, body) = server.error(Some(&admin0), CREATE, input).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["problems"][0]["path"], "closesAt");
}

const SUBMIT_RESPONSE: &str = r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!, $replace: Boolean) {
  submitSurveyResponse(surveyId: $id, answers: $answers, replace: $replace) {
    id channel replaced submittedOn submittedAt
    answers { question choices other text number date ranking matrix { row value } }
  }
}"#;

#[tokio::test]
async fn a_resident_answers_every_question_type_and_reads_the_answers_back_exactly() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let id = create_market_survey(&server, &admin0, 0).await;
    server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    let resident = Who::new("resident", "r-7");
    let answers = json!([
        { "question": "uses_market", "choices": ["yes"] },
        { "question": "visits", "number": 2 },
        { "question": "why_rarely", "text": "The price of fish\nand the parking" },
        { "question": "would_return", "choices": ["yes"] },
        { "question": "stalls", "choices": ["fish"], "other": "Dumplings" },
        { "question": "nps", "number": 9 },
        { "question": "budget", "number": 120.5 },
        { "question": "since", "date": "2019-05-01" },
        { "question": "priorities", "ranking": ["toilets", "shade"] },
        { "question": "rate", "matrix": [{ "row": "clean", "value": 4 }, { "row": "safe", "value": 5 }] }
    ]);
    let data = server.ok(Some(&resident), SUBMIT_RESPONSE, json!({ "id": id, "answers": answers })).await;
    let response = &data["submitSurveyResponse"];
    assert_eq!(response["channel"], "WEB");
    assert_eq!(response["submittedAt"], Value::Null, "an anonymous survey keeps only the day");
    let mine = server
        .ok(
            Some(&resident),
            "query($id: ID!) { myResponse(surveyId: $id) { id answers { question choices other text number date ranking matrix { row value } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(mine["myResponse"]["id"], response["id"]);
    assert_eq!(mine["myResponse"]["answers"], response["answers"], "re-read exactly");
    assert_eq!(mine["myResponse"]["answers"][2]["text"], "The price of fish\nand the parking");

    // A second response needs `replace`; the chain's hidden answers are refused, all listed.
    let (code, _) = server.error(Some(&resident), SUBMIT_RESPONSE, json!({ "id": id, "answers": answers })).await;
    assert_eq!(code, "CONFLICT");
    let contradicting = json!([
        { "question": "uses_market", "choices": ["no"] },
        { "question": "visits", "number": 2 },
        { "question": "stalls", "choices": ["fish", "veg", "tea"] },
        { "question": "nps", "number": 10.5 }
    ]);
    let (code, body) = server
        .error(Some(&resident), SUBMIT_RESPONSE, json!({ "id": id, "answers": contradicting, "replace": true }))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let paths: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|problem| problem["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        ["answers[question=visits]", "answers[question=stalls].choices", "answers[question=nps].number",],
        "{body}"
    );
    let replaced = json!([
        { "question": "uses_market", "choices": ["no"] },
        { "question": "stalls", "choices": ["veg"] },
        { "question": "rate", "matrix": [{ "row": "clean", "value": 1 }, { "row": "safe", "value": 1 }] }
    ]);
    let data =
        server.ok(Some(&resident), SUBMIT_RESPONSE, json!({ "id": id, "answers": replaced, "replace": true })).await;
    assert_eq!(data["submitSurveyResponse"]["replaced"], true);

    // Callers without a token may answer an EVERYONE survey; withdrawing is for residents.
    let anonymous = server.ok(None, SUBMIT_RESPONSE, json!({ "id": id, "answers": replaced })).await;
    assert_eq!(anonymous["submitSurveyResponse"]["answers"][0]["choices"], json!(["no"]));
    let withdraw = "mutation($id: ID!) { withdrawSurveyResponse(surveyId: $id) }";
    assert_eq!(server.error(None, withdraw, json!({ "id": id })).await.0, "UNAUTHENTICATED");
    assert_eq!(server.ok(Some(&resident), withdraw, json!({ "id": id })).await["withdrawSurveyResponse"], true);
}

#[tokio::test]
async fn an_operator_answers_by_phone_and_the_same_person_later_answers_in_the_app_as_a_replace() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Street lights"),
        "audience": "DISTRICT_RESIDENTS", "anonymity": "ANONYMOUS", "resultsVisibility": "LIVE",
        "questions": [{ "key": "dark", "type": "SINGLE_CHOICE", "text": name("Too dark at night?"), "required": true,
                        "options": choices(&["yes", "no"]) }] } });
    let id = server.ok(Some(&admin0), CREATE, input).await["createSurvey"]["id"].as_str().expect("id").to_owned();
    server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    let dark = |choice: &str| json!([{ "question": "dark", "choices": [choice] }]);

    // Mrs Wang phones the hotline; the operator answers for her by her number.
    let operator = Who::new("operator", "op-3");
    let assisted = r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!) {
      submitSurveyResponse(surveyId: $id, answers: $answers, onBehalfOf: { phone: "138 1234 5678", channel: PHONE }) { channel replaced }
    }"#;
    let first = server.ok(Some(&operator), assisted, json!({ "id": id, "answers": dark("yes") })).await;
    assert_eq!(first["submitSurveyResponse"], json!({ "channel": "PHONE", "replaced": false }));

    // Later her grandson sets up the app; her token carries her district and the same number.
    let wang = Who::new("resident", "wang-1").in_district(server.district_id(0)).with_phone("+86 138-1234-5678");
    let mine = "query($id: ID!) { myResponse(surveyId: $id) { channel answers { question choices } } }";
    let read = server.ok(Some(&wang), mine, json!({ "id": id })).await;
    assert_eq!(read["myResponse"]["channel"], "PHONE", "her phoned answer is hers: {read}");
    let (code, _) = server.error(Some(&wang), SUBMIT_RESPONSE, json!({ "id": id, "answers": dark("no") })).await;
    assert_eq!(code, "CONFLICT", "the same person, not a second response");
    let replaced =
        server.ok(Some(&wang), SUBMIT_RESPONSE, json!({ "id": id, "answers": dark("no"), "replace": true })).await;
    assert_eq!(replaced["submitSurveyResponse"]["replaced"], true);
    let results =
        server.ok(None, "query($id: ID!) { surveyResults(surveyId: $id) { responses } }", json!({ "id": id })).await;
    assert_eq!(results["surveyResults"]["responses"], 1, "{results}");

    // Without a phone claim, the same subject is a participation of its own; the district
    // claim admits residents of the survey's district only.
    let neighbour = Who::new("resident", "li-2").in_district(server.district_id(0));
    let update = r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!) {
      updateSurveyResponse(surveyId: $id, answers: $answers) { replaced answers { choices } }
    }"#;
    let (code, _) = server.error(Some(&neighbour), update, json!({ "id": id, "answers": dark("yes") })).await;
    assert_eq!(code, "NOT_FOUND", "nothing to update yet");
    server.ok(Some(&neighbour), SUBMIT_RESPONSE, json!({ "id": id, "answers": dark("yes") })).await;
    let updated = server.ok(Some(&neighbour), update, json!({ "id": id, "answers": dark("no") })).await;
    assert_eq!(updated["updateSurveyResponse"], json!({ "replaced": true, "answers": [{ "choices": ["no"] }] }));
    let outsider = Who::new("resident", "zhao-3").in_district(server.district_id(1));
    assert_eq!(
        server.error(Some(&outsider), SUBMIT_RESPONSE, json!({ "id": id, "answers": dark("yes") })).await.0,
        "FORBIDDEN"
    );
    let nowhere = Who::new("resident", "qian-4");
    assert_eq!(
        server.error(Some(&nowhere), SUBMIT_RESPONSE, json!({ "id": id, "answers": dark("yes") })).await.0,
        "FORBIDDEN"
    );
}

const TEXTS: &str = r#"query($id: ID!, $question: String!, $first: Int, $after: String) {
  surveyTextAnswers(surveyId: $id, question: $question, first: $first, after: $after) {
    edges { cursor node { responseId text } } pageInfo { hasNextPage endCursor }
  }
}"#;

#[tokio::test]
async fn a_surveys_admins_page_through_its_text_answers_and_nobody_else_reads_them() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let input = |visibility: &str| {
        json!({ "input": {
        "districtId": server.district_id(0), "title": name("Ideas"), "audience": "RESIDENTS",
        "anonymity": "ANONYMOUS", "resultsVisibility": visibility,
        "questions": [
            { "key": "idea", "type": "TEXT", "text": name("Your idea"), "multiline": true },
            { "key": "score", "type": "RATING", "text": name("How urgent?"), "scale": 5 },
            { "key": "where", "type": "SINGLE_CHOICE", "text": name("Where?"), "options": choices(&["park", "market"]), "allowOther": true }
        ] } })
    };
    let create_open = |visibility: &'static str| {
        let (server, admin0, input) = (&server, &admin0, &input);
        async move {
            let created = server.ok(Some(admin0), CREATE, input(visibility)).await;
            let id = created["createSurvey"]["id"].as_str().expect("id").to_owned();
            server.ok(Some(admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
            id
        }
    };
    let id = create_open("LIVE").await;
    for n in 0..5 {
        let answers = json!([{ "question": "idea", "text": format!("idea {n}") }, { "question": "where", "other": format!("street {n}") }]);
        server
            .ok(
                Some(&Who::new("resident", &format!("r-{n}"))),
                SUBMIT_RESPONSE,
                json!({ "id": id, "answers": answers }),
            )
            .await;
    }

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let data =
            server.ok(Some(&admin0), TEXTS, json!({ "id": id, "question": "idea", "first": 2, "after": after })).await;
        let connection = &data["surveyTextAnswers"];
        seen.extend(
            connection["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["text"].as_str().expect("text").to_owned()),
        );
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(seen, (0..5).map(|n| format!("idea {n}")).collect::<Vec<_>>(), "each once");
    let others = server.ok(Some(&admin0), TEXTS, json!({ "id": id, "question": "where", "first": 10 })).await;
    assert_eq!(others["surveyTextAnswers"]["edges"].as_array().map(Vec::len), Some(5), "the 'other' texts");

    let refused = |who: Option<Who>, question: &str, first: i64| {
        let server = &server;
        let id = id.clone();
        let question = question.to_owned();
        async move { server.error(who.as_ref(), TEXTS, json!({ "id": id, "question": question, "first": first })).await.0 }
    };
    assert_eq!(refused(Some(Who::new("resident", "r-1")), "idea", 10).await, "FORBIDDEN");
    assert_eq!(refused(Some(admin(&server, 1)), "idea", 10).await, "FORBIDDEN");
    assert_eq!(refused(None, "idea", 10).await, "UNAUTHENTICATED");
    assert_eq!(refused(Some(admin0.clone()), "score", 10).await, "BAD_USER_INPUT");
    assert_eq!(refused(Some(admin0.clone()), "nope", 10).await, "BAD_USER_INPUT");
    assert_eq!(refused(Some(admin0.clone()), "idea", 101).await, "BAD_USER_INPUT");

    // AFTER_CLOSE: not even its admins read them before the close.
    let hidden = create_open("AFTER_CLOSE").await;
    let (code, _) = server.error(Some(&admin0), TEXTS, json!({ "id": hidden, "question": "idea", "first": 10 })).await;
    assert_eq!(code, "INVALID_TRANSITION");
    server.ok(Some(&admin0), "mutation($id: ID!) { closeSurvey(id: $id) { id } }", json!({ "id": hidden })).await;
    server.ok(Some(&admin0), TEXTS, json!({ "id": hidden, "question": "idea", "first": 10 })).await;
}

#[tokio::test]
async fn results_of_an_after_close_survey_show_only_the_count_until_it_closes() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let id = create_market_survey(&server, &admin0, 0).await;
    server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    for (n, choice) in ["yes", "no", "no"].iter().enumerate() {
        let mut answers = vec![
            json!({ "question": "uses_market", "choices": [choice] }),
            json!({ "question": "stalls", "choices": ["veg"] }),
        ];
        if *choice == "yes" {
            answers.push(json!({ "question": "visits", "number": 4 }));
        }
        server
            .ok(Some(&Who::new("resident", &format!("r{n}"))), SUBMIT_RESPONSE, json!({ "id": id, "answers": answers }))
            .await;
    }
    let results = r#"query($id: ID!) { surveyResults(surveyId: $id) { responses unauthenticatedResponses
        questions { question answered skipped options { option count share } mean median nps } } }"#;
    let hidden = server.ok(Some(&admin0), results, json!({ "id": id })).await;
    assert_eq!(hidden["surveyResults"]["responses"], 3);
    assert_eq!(hidden["surveyResults"]["questions"], Value::Null, "not even its admins before the close");
    server.ok(Some(&admin0), "mutation($id: ID!) { closeSurvey(id: $id) { id } }", json!({ "id": id })).await;
    let shown = server.ok(None, results, json!({ "id": id })).await;
    let uses = &shown["surveyResults"]["questions"][0];
    assert_eq!(uses["question"], "uses_market");
    assert_eq!(
        uses["options"],
        json!([{ "option": "yes", "count": 1, "share": 1.0 / 3.0 }, { "option": "no", "count": 2, "share": 2.0 / 3.0 }])
    );
    let reach = |index: usize| {
        let question = &shown["surveyResults"]["questions"][index];
        (question["answered"].as_u64(), question["skipped"].as_u64())
    };
    assert_eq!(reach(1), (Some(1), Some(0)), "visits: shown to the one 'yes', who answered");
    assert_eq!(reach(2), (Some(0), Some(0)), "why_rarely: shown to nobody");
    assert_eq!(reach(5), (Some(0), Some(3)), "nps: shown to all, answered by none");
    assert_eq!(
        shown["surveyResults"]["questions"][4]["options"][1],
        json!({ "option": "veg", "count": 3, "share": 1.0 })
    );
}

#[tokio::test]
async fn its_admins_download_the_responses_as_csv_and_json_lines() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let id = create_market_survey(&server, &admin0, 0).await;
    server.ok(Some(&admin0), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    let answers = json!([
        { "question": "uses_market", "choices": ["yes"] }, { "question": "visits", "number": 1 },
        { "question": "why_rarely", "text": "价格太高, \"really\"" },
        { "question": "stalls", "choices": ["fish"], "other": "Dumplings" },
        { "question": "priorities", "ranking": ["toilets", "shade"] },
        { "question": "rate", "matrix": [{ "row": "clean", "value": 4 }, { "row": "safe", "value": 5 }] }
    ]);
    server.ok(Some(&Who::new("resident", "r-1")), SUBMIT_RESPONSE, json!({ "id": id, "answers": answers })).await;
    let download = |file: &str, who: Option<&Who>| {
        let mut request = server.http.get(format!("{}/surveys/{id}/{file}", server.url));
        if let Some(who) = who {
            request = request.bearer_auth(who.token());
        }
        async move {
            let response = request.send().await.expect("download");
            let status = response.status().as_u16();
            (status, response.text().await.expect("text"))
        }
    };
    let (status, csv) = download("responses.csv", Some(&admin0)).await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for spreadsheet software");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some(
            "response_id,submitted_on,channel,uses_market,visits,why_rarely,would_return,stalls:fish,stalls:veg,stalls:tea,stalls:other,nps,budget,since,priorities:shade,priorities:toilets,priorities:parking,rate:clean,rate:safe"
        )
    );
    let row = lines.next().expect("a row");
    assert!(row.starts_with("rsp_"), "{row}");
    assert!(row.contains(",WEB,yes,1,\"价格太高, \"\"really\"\"\",,1,0,0,Dumplings,,,,2,1,,4,5"), "{row}");
    let (status, jsonl) = download("responses.jsonl", Some(&admin0)).await;
    assert_eq!(status, 200);
    let line: Value = serde_json::from_str(jsonl.lines().next().expect("line")).expect("json");
    assert_eq!(line["answers"]["rate"], json!({ "clean": 4, "safe": 5 }));
    assert_eq!(line["answers"]["stalls:other"], "Dumplings");
    assert!(line.get("respondent").is_none(), "an anonymous survey exports no identity");
    let day = line["submitted_on"].as_str().expect("day");
    assert_eq!(day.len(), 10, "the day only: {day}");

    assert_eq!(download("responses.csv", None).await.0, 401);
    assert_eq!(download("responses.csv", Some(&Who::new("resident", "r-1"))).await.0, 403);
    assert_eq!(download("responses.csv", Some(&admin(&server, 1))).await.0, 403);
    assert_eq!(download("responses.xlsx", Some(&admin0)).await.0, 404);
}
