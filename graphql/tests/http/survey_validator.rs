//! A district's `survey-validator` plugin over HTTP: the C postcode check (as the repository
//! ships it) adds its problems to the built-in ones, applies to its own district's surveys only,
//! and a failing validator leaves the built-in checks to judge alone (the failure policy), each
//! call recorded.

use base64::Engine as _;
use civitas_plugins::build;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": en, "zhHant": en })
}

fn postcode_check() -> String {
    let bytes = std::fs::read(build::prebuilt_c_example("postcode-check")).expect("the postcode check is shipped");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

const INSTALL: &str = r#"mutation($district: ID, $component: String, $config: String!) {
  installPlugin(districtId: $district, name: "postcode-check", component: $component, config: $config,
                hooks: [SURVEY_VALIDATOR]) { id hooks }
}"#;

const SUBMIT: &str = r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!) {
  submitSurveyResponse(surveyId: $id, answers: $answers) { id }
}"#;

const CALLS: &str = r#"query($district: ID) {
  plugins(districtId: $district) { name districtId consecutiveFailures recentCalls(first: 10) { hook outcome detail } }
}"#;

async fn install(server: &TestServer, district: usize, config: Value) {
    let vars = json!({ "district": server.district_id(district), "component": postcode_check(), "config": config.to_string() });
    let installed = server.ok(Some(&admin(server, district)), INSTALL, vars).await;
    assert_eq!(installed["installPlugin"]["hooks"], json!(["SURVEY_VALIDATOR"]));
}

/// An open survey of `district` asking for a postcode and whether the resident wants a market.
async fn open_survey(server: &TestServer, district: usize) -> String {
    let who = admin(server, district);
    let input = json!({ "input": {
        "districtId": server.district_id(district), "title": name("A market on our street?"),
        "audience": "RESIDENTS", "anonymity": "ANONYMOUS", "resultsVisibility": "LIVE",
        "questions": [
            { "key": "postcode", "type": "TEXT", "text": name("Your postcode"), "required": true, "maxLength": 10 },
            { "key": "market", "type": "SINGLE_CHOICE", "text": name("A market?"), "required": true,
              "options": [{ "key": "yes", "text": name("Yes") }, { "key": "no", "text": name("No") }] }
        ] } });
    let created = server
        .ok(Some(&who), "mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id } }", input)
        .await;
    let id = created["createSurvey"]["id"].as_str().expect("id").to_owned();
    server.ok(Some(&who), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    id
}

fn answers(postcode: &str, market: Option<&str>) -> Value {
    let mut answers = vec![json!({ "question": "postcode", "text": postcode })];
    answers.extend(market.map(|choice| json!({ "question": "market", "choices": [choice] })));
    Value::Array(answers)
}

async fn calls(server: &TestServer, district: usize) -> Value {
    let data =
        server.ok(Some(&admin(server, district)), CALLS, json!({ "district": server.district_id(district) })).await;
    data["plugins"][0].clone()
}

#[tokio::test]
async fn a_districts_validator_adds_its_problems_to_the_built_in_ones_in_its_own_district_only() {
    let server = TestServer::start().await;
    install(&server, 0, json!({ "question": "postcode", "prefixes": ["200001"], "message": "不是本区的邮编" })).await;
    let here = open_survey(&server, 0).await;
    let elsewhere = open_survey(&server, 1).await;
    let resident = |subject: &str| Who::new("resident", subject);

    // A postcode from elsewhere and a required question left out: both problems, one answer.
    let (code, body) =
        server.error(Some(&resident("r-1")), SUBMIT, json!({ "id": here, "answers": answers("310000", None) })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    let problems: Vec<(String, String)> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["path"].as_str().unwrap_or("").to_owned(), p["reason"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "answers[question=market]");
    assert_eq!(problems[1], ("answers[question=postcode]".to_owned(), "不是本区的邮编".to_owned()));

    // Corrected, it is accepted; nothing was stored for the refused one.
    server.ok(Some(&resident("r-1")), SUBMIT, json!({ "id": here, "answers": answers("200001", Some("yes")) })).await;
    let results =
        server.ok(None, "query($id: ID!) { surveyResults(surveyId: $id) { responses } }", json!({ "id": here })).await;
    assert_eq!(results["surveyResults"]["responses"], 1);

    // District 1 has no validator: its survey takes any postcode.
    server
        .ok(Some(&resident("r-2")), SUBMIT, json!({ "id": elsewhere, "answers": answers("310000", Some("no")) }))
        .await;

    let plugin = calls(&server, 0).await;
    let outcomes: Vec<&str> =
        plugin["recentCalls"].as_array().expect("calls").iter().map(|c| c["outcome"].as_str().unwrap_or("")).collect();
    assert_eq!(outcomes, ["NO_OPINION", "DECIDED"], "newest first: {plugin}");
    assert!(plugin["recentCalls"].as_array().expect("calls").iter().all(|c| c["hook"] == "SURVEY_VALIDATOR"));
}

#[tokio::test]
async fn a_failing_validator_leaves_the_built_in_checks_to_judge_and_is_recorded() {
    let server = TestServer::start().await;
    // No prefixes: the plugin answers every postcode with its own `bad-config` error.
    install(&server, 1, json!({ "question": "postcode" })).await;
    let survey = open_survey(&server, 1).await;
    let resident = Who::new("resident", "r-3");

    let (code, body) =
        server.error(Some(&resident), SUBMIT, json!({ "id": survey, "answers": answers("1", None) })).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let paths: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(paths, ["answers[question=market]"], "only the built-in problem");
    server.ok(Some(&resident), SUBMIT, json!({ "id": survey, "answers": answers("1", Some("yes")) })).await;

    let plugin = calls(&server, 1).await;
    assert_eq!(plugin["consecutiveFailures"], 2, "{plugin}");
    let calls = plugin["recentCalls"].as_array().expect("calls");
    assert_eq!(calls.len(), 2);
    for call in calls {
        assert_eq!(call["outcome"], "GUEST_ERROR", "{call}");
        assert!(call["detail"].as_str().unwrap_or("").starts_with("bad-config"), "{call}");
    }
}
