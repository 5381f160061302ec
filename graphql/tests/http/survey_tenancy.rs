//! Every role, against its own and other districts, for every survey query and mutation (and
//! the export): a district admin of one district can neither read the answers of nor change
//! another district's survey, and residents only answer where they belong.
//!
//! The expectations are written out by hand, not derived from the code under test.

use serde_json::{Value, json};

use crate::roles::{Outcome, ROLES, download, outcome_of, who};
use crate::support::{TestServer, Who};

use Outcome::{A, F, N, U};

/// Surveys belong to district 0 ("own"), for its residents (`DISTRICT_RESIDENTS`), results for
/// admins only.
#[rustfmt::skip]
const MATRIX: [(&str, [Outcome; 8]); 15] = [
    //                   anon res  res2 oper staff adminA adminB city
    ("read draft",       [N,   N,   N,   N,   N,    A,     N,     A]),
    ("read open",        [A,   A,   A,   A,   A,    A,     A,     A]),
    ("update draft",     [U,   N,   N,   N,   N,    A,     N,     A]),
    ("add question",     [U,   N,   N,   N,   N,    A,     N,     A]),
    ("open",             [U,   N,   N,   N,   N,    A,     N,     A]),
    ("close",            [U,   F,   F,   F,   F,    A,     F,     A]),
    ("archive",          [U,   F,   F,   F,   F,    A,     F,     A]),
    ("results",          [U,   F,   F,   F,   F,    A,     F,     A]),
    ("text answers",     [U,   F,   F,   F,   F,    A,     F,     A]),
    ("export",           [U,   F,   F,   F,   F,    A,     F,     A]),
    ("submit",           [U,   A,   F,   F,   F,    F,     F,     F]),
    ("submit for",       [U,   F,   F,   A,   F,    F,     F,     F]),
    ("my response",      [U,   A,   F,   F,   F,    F,     F,     F]),
    ("withdraw",         [U,   A,   F,   F,   F,    F,     F,     F]),
    ("visible questions",[A,   A,   A,   A,   A,    A,     A,     A]),
];

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": en, "zhHant": en })
}

fn answers() -> Value {
    json!([{ "question": "idea", "text": "A bench by the river" }])
}

/// A survey of district 0 in the state `operation` needs: a draft, open, or closed; open with
/// the own resident's response for the operations on one's response.
async fn survey_for(server: &TestServer, operation: &str) -> String {
    let admin = who(server, "own district admin");
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Riverside"), "audience": "DISTRICT_RESIDENTS",
        "anonymity": "IDENTIFIED", "resultsVisibility": "ADMINS_ONLY",
        "questions": [{ "key": "idea", "type": "TEXT", "text": name("Your idea") }] } });
    let created = server
        .ok(admin.as_ref(), "mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id } }", input)
        .await;
    let id = created["createSurvey"]["id"].as_str().expect("id").to_owned();
    if matches!(operation, "read draft" | "update draft" | "add question" | "open") {
        return id;
    }
    server.ok(admin.as_ref(), "mutation($id: ID!) { openSurvey(id: $id) { id } }", json!({ "id": id })).await;
    if matches!(operation, "my response" | "withdraw" | "text answers" | "export") {
        let resident = who(server, "resident");
        server.ok(resident.as_ref(), SUBMIT, json!({ "id": id, "answers": answers() })).await;
    }
    if operation == "archive" {
        server.ok(admin.as_ref(), "mutation($id: ID!) { closeSurvey(id: $id) { id } }", json!({ "id": id })).await;
    }
    id
}

const SUBMIT: &str = r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!) {
  submitSurveyResponse(surveyId: $id, answers: $answers) { id }
}"#;

fn request(operation: &str) -> &'static str {
    match operation {
        "read draft" | "read open" => "query($id: ID!) { survey(id: $id) { id } }",
        "update draft" => "mutation($id: ID!) { updateSurvey(id: $id, input: { audience: RESIDENTS }) { id } }",
        "add question" => {
            r#"mutation($id: ID!) { addSurveyQuestion(surveyId: $id, question: { key: "more", type: NPS, text: { en: "More?", zhHans: "多", zhHant: "多" } }) { id } }"#
        }
        "open" => "mutation($id: ID!) { openSurvey(id: $id) { id } }",
        "close" => "mutation($id: ID!) { closeSurvey(id: $id) { id } }",
        "archive" => "mutation($id: ID!) { archiveSurvey(id: $id) { id } }",
        "results" => "query($id: ID!) { surveyResults(surveyId: $id) { responses questions { answered } } }",
        "text answers" => {
            r#"query($id: ID!) { surveyTextAnswers(surveyId: $id, question: "idea", first: 10) { edges { node { text } } } }"#
        }
        "submit" => SUBMIT,
        "submit for" => {
            r#"mutation($id: ID!, $answers: [SurveyAnswerInput!]!) { submitSurveyResponse(surveyId: $id, answers: $answers, onBehalfOf: { phone: "139 0000 1111", channel: WALK_IN }) { id } }"#
        }
        "my response" => "query($id: ID!) { myResponse(surveyId: $id) { id answers { text } } }",
        "withdraw" => "mutation($id: ID!) { withdrawSurveyResponse(surveyId: $id) }",
        "visible questions" => {
            "query($id: ID!, $answers: [SurveyAnswerInput!]!) { visibleQuestions(surveyId: $id, answers: $answers) }"
        }
        other => panic!("unknown operation {other}"),
    }
}

async fn attempt(server: &TestServer, operation: &str, who: Option<&Who>) -> (Outcome, String) {
    let id = survey_for(server, operation).await;
    if operation == "export" {
        return download(server, format!("{}/surveys/{id}/responses.csv", server.url), who).await;
    }
    let (status, body) = server.post(who, request(operation), json!({ "id": id, "answers": answers() })).await;
    assert_eq!(status, 200, "{body}");
    let code = body["errors"][0]["extensions"]["code"].as_str();
    let outcome = outcome_of(code).unwrap_or_else(|| panic!("{operation}: unexpected {body}"));
    (outcome, body.to_string())
}

#[tokio::test]
async fn every_role_gets_exactly_its_rights_on_surveys() {
    let server = TestServer::start().await;
    let mut wrong = Vec::new();
    for (operation, expected) in MATRIX {
        for (role, expected) in ROLES.iter().zip(expected) {
            let caller = who(&server, role);
            let (outcome, body) = attempt(&server, operation, caller.as_ref()).await;
            if outcome != expected {
                wrong.push(format!("{operation} as {role}: expected {expected:?}, got {outcome:?}: {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn another_districts_admin_reads_no_answer_of_an_open_survey_in_any_form() {
    let server = TestServer::start().await;
    let id = survey_for(&server, "text answers").await;
    let other = who(&server, "other district admin");
    // What the survey is, yes (it is open, its questions public); what anyone answered, no.
    let read = server
        .ok(other.as_ref(), "query($id: ID!) { survey(id: $id) { id questions { key } } }", json!({ "id": id }))
        .await;
    assert_eq!(read["survey"]["questions"][0]["key"], "idea");
    for query in [request("results"), request("text answers")] {
        let (status, body) = server.post(other.as_ref(), query, json!({ "id": id })).await;
        assert_eq!(status, 200);
        assert!(!body.to_string().contains("A bench by the river"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    }
}
