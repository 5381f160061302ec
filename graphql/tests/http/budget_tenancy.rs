//! Every role, against its own and other districts, for every budgeting query and mutation (and
//! the `.pb` export): a district admin of one district manages nothing of another district's
//! process, staff review only their district's projects, residents vote only where they live,
//! only operators cast for someone else, and what is public is public to all.
//!
//! The expectations are written out by hand, not derived from the code under test.

use serde_json::{Value, json};

use crate::roles::{Outcome, ROLES, download, outcome_of, who};
use crate::support::{TestServer, Who};

use Outcome::{A, F, U};

/// The process belongs to district 0 ("own").
#[rustfmt::skip]
const MATRIX: [(&str, [Outcome; 8]); 16] = [
    //                   anon res  res2 oper staff adminA adminB city
    ("read",             [A,   A,   A,   A,   A,    A,     A,     A]),
    ("update",           [U,   F,   F,   F,   F,    A,     F,     A]),
    ("advance",          [U,   F,   F,   F,   F,    A,     F,     A]),
    ("cancel",           [U,   F,   F,   F,   F,    A,     F,     A]),
    ("propose",          [U,   A,   F,   F,   F,    A,     F,     A]),
    ("review",           [U,   F,   F,   F,   A,    A,     F,     A]),
    ("cast",             [U,   A,   F,   F,   F,    F,     F,     F]),
    ("cast for",         [U,   F,   F,   A,   F,    F,     F,     F]),
    ("my ballot",        [U,   A,   F,   F,   F,    F,     F,     F]),
    ("withdraw",         [U,   A,   F,   F,   F,    F,     F,     F]),
    ("paper import",     [U,   F,   F,   F,   F,    A,     F,     A]),
    ("reviews",          [U,   F,   F,   F,   F,    A,     F,     A]),
    ("turnout",          [A,   A,   A,   A,   A,    A,     A,     A]),
    ("results",          [A,   A,   A,   A,   A,    A,     A,     A]),
    ("receipts",         [A,   A,   A,   A,   A,    A,     A,     A]),
    ("export",           [A,   A,   A,   A,   A,    A,     A,     A]),
];

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": en, "zhHant": en })
}

const ADVANCE: &str = "mutation($id: ID!) { advanceBudgetPhase(id: $id) { id } }";
const CAST: &str = r#"mutation($id: ID!, $project: ID!) { castBallot(processId: $id, ballot: { approvals: [$project] }) { receipt } }"#;

/// A process of district 0 with one project, in the phase `operation` needs; the own resident
/// has voted for the operations on one's ballot. Returns the process's and the project's IDs.
async fn process_for(server: &TestServer, operation: &str) -> (String, String) {
    let admin = who(server, "own district admin");
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Riverside"), "budget": "1000", "currency": "CNY",
        "ballot": { "format": "APPROVAL" } } });
    let created = server
        .ok(
            admin.as_ref(),
            "mutation($input: CreateBudgetProcessInput!) { createBudgetProcess(input: $input) { id } }",
            input,
        )
        .await;
    let id = created["createBudgetProcess"]["id"].as_str().expect("id").to_owned();
    let propose = r#"mutation($id: ID!) { proposeBudgetProject(processId: $id, input: { title: { en: "Bench", zhHans: "椅", zhHant: "椅" }, cost: "100" }) { id } }"#;
    let project = server.ok(admin.as_ref(), propose, json!({ "id": id })).await["proposeBudgetProject"]["id"]
        .as_str()
        .expect("project")
        .to_owned();
    if matches!(operation, "read" | "update" | "advance" | "cancel" | "propose") {
        return (id, project);
    }
    server.ok(admin.as_ref(), ADVANCE, json!({ "id": id })).await;
    if operation == "review" {
        return (id, project);
    }
    let review = "mutation($id: ID!) { reviewBudgetProject(id: $id, decision: FEASIBLE) { id } }";
    server.ok(admin.as_ref(), review, json!({ "id": project })).await;
    server.ok(admin.as_ref(), ADVANCE, json!({ "id": id })).await;
    if matches!(operation, "cast" | "cast for" | "turnout" | "paper import" | "reviews") {
        return (id, project);
    }
    let resident = who(server, "resident");
    server.ok(resident.as_ref(), CAST, json!({ "id": id, "project": project })).await;
    if matches!(operation, "results" | "receipts" | "export") {
        server.ok(admin.as_ref(), ADVANCE, json!({ "id": id })).await;
    }
    (id, project)
}

fn request(operation: &str) -> &'static str {
    match operation {
        "read" => "query($id: ID!) { budgetProcess(id: $id) { id phase } }",
        "update" => r#"mutation($id: ID!) { updateBudgetProcess(id: $id, input: { budget: "2000" }) { id } }"#,
        "advance" => ADVANCE,
        "cancel" => "mutation($id: ID!) { cancelBudgetProcess(id: $id) { id } }",
        "propose" => {
            r#"mutation($id: ID!) { proposeBudgetProject(processId: $id, input: { title: { en: "Swing", zhHans: "秋千", zhHant: "鞦韆" }, cost: "50" }) { id } }"#
        }
        "review" => "mutation($project: ID!) { reviewBudgetProject(id: $project, decision: FEASIBLE) { id } }",
        "cast" => CAST,
        "cast for" => {
            r#"mutation($id: ID!, $project: ID!) { castBallot(processId: $id, ballot: { approvals: [$project] }, onBehalfOf: { phone: "139 0000 1111", channel: WALK_IN }) { receipt } }"#
        }
        "my ballot" => "query($id: ID!) { myBallot(processId: $id) { ballot { approvals } } }",
        "withdraw" => "mutation($id: ID!) { withdrawBallot(processId: $id) }",
        "turnout" => "query($id: ID!) { budgetTurnout(processId: $id) { total } }",
        "paper import" => {
            r#"mutation($id: ID!, $csv: String!) { importPaperBallots(processId: $id, csv: $csv) { ballots } }"#
        }
        "reviews" => "query($id: ID!) { eligibilityReviews(processId: $id, first: 10) { edges { node { id } } } }",
        "results" => "query($id: ID!) { budgetResults(processId: $id) { selected { id } } }",
        "receipts" => "query($id: ID!) { ballotReceipts(processId: $id, first: 10) { edges { node { receipt } } } }",
        other => panic!("unknown operation {other}"),
    }
}

async fn attempt(server: &TestServer, operation: &str, who: Option<&Who>) -> (Outcome, String) {
    let (id, project) = process_for(server, operation).await;
    if operation == "export" {
        return download(server, format!("{}/budgeting/processes/{id}.pb", server.url), who).await;
    }
    let csv = format!("phone,approvals\n139 0000 7777,{project}\n");
    let variables = match operation {
        "review" => json!({ "project": project }),
        "paper import" => json!({ "id": id, "csv": csv }),
        _ => json!({ "id": id, "project": project }),
    };
    let (status, body) = server.post(who, request(operation), variables).await;
    assert_eq!(status, 200, "{body}");
    let code = body["errors"][0]["extensions"]["code"].as_str();
    let outcome = outcome_of(code).unwrap_or_else(|| panic!("{operation}: unexpected {body}"));
    (outcome, body.to_string())
}

#[tokio::test]
async fn every_role_gets_exactly_its_rights_on_budgeting_processes() {
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
