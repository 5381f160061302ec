//! Who may vote: a process's minimum age (by the resident's verified year of birth), and a
//! district's `ballot-eligibility` plugin — the C minimum-age example as the repository ships it
//! — eligible, refused, undecided (the manual-review queue, accepted or rejected by the
//! district's admins, counted only once accepted), and failing (out of fuel: it fails closed, to
//! manual review). Each call is recorded like any plugin call.

use base64::Engine as _;
use civitas_plugins::build;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": en, "zhHant": en })
}

fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

fn voter(server: &TestServer, district: usize, subject: &str) -> Who {
    Who::new("resident", subject).in_district(server.district_id(district))
}

const INSTALL: &str = r#"mutation($district: ID, $component: String, $config: String!, $limits: PluginLimitsInput) {
  installPlugin(districtId: $district, name: "minimum-age", component: $component, config: $config,
                hooks: [BALLOT_ELIGIBILITY], limits: $limits) { id hooks }
}"#;
const CAST: &str = r#"mutation($id: ID!, $project: ID!) {
  castBallot(processId: $id, ballot: { approvals: [$project] }) { receipt status }
}"#;
const REVIEWS: &str = r#"query($id: ID!) {
  eligibilityReviews(processId: $id, pendingOnly: true, first: 50) { edges { node { id reason channel status } } }
}"#;
const DECIDE: &str =
    "mutation($id: ID!, $accept: Boolean!) { decideEligibility(reviewId: $id, accept: $accept) { status } }";
const TURNOUT: &str = "query($id: ID!) { budgetTurnout(processId: $id) { total } }";

async fn install(server: &TestServer, district: usize, config: Value, limits: Value) {
    let component = base64::engine::general_purpose::STANDARD
        .encode(std::fs::read(build::prebuilt_c_example("minimum-age")).expect("the minimum-age plugin is shipped"));
    let vars = json!({ "district": server.district_id(district), "component": component,
        "config": config.to_string(), "limits": limits });
    let installed = server.ok(Some(&admin(server, district)), INSTALL, vars).await;
    assert_eq!(installed["installPlugin"]["hooks"], json!(["BALLOT_ELIGIBILITY"]));
}

/// A process of `district` in `VOTING` with one project; returns both IDs.
async fn voting(server: &TestServer, district: usize, minimum_age: Option<u8>) -> (String, String) {
    let who = admin(server, district);
    let input = json!({ "input": {
        "districtId": server.district_id(district), "title": name("Playgrounds"), "budget": "1000", "currency": "CNY",
        "ballot": { "format": "APPROVAL" }, "minimumAge": minimum_age } });
    let create = "mutation($input: CreateBudgetProcessInput!) { createBudgetProcess(input: $input) { id minimumAge } }";
    let created = server.ok(Some(&who), create, input).await["createBudgetProcess"].clone();
    assert_eq!(created["minimumAge"].as_u64(), minimum_age.map(u64::from));
    let id = created["id"].as_str().expect("id").to_owned();
    let propose = r#"mutation($id: ID!) { proposeBudgetProject(processId: $id, input: { title: { en: "Slide", zhHans: "滑梯", zhHant: "滑梯" }, cost: "500" }) { id } }"#;
    let project = server.ok(Some(&who), propose, json!({ "id": id })).await["proposeBudgetProject"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let advance = "mutation($id: ID!) { advanceBudgetPhase(id: $id) { phase } }";
    server.ok(Some(&who), advance, json!({ "id": id })).await;
    let review = "mutation($id: ID!) { reviewBudgetProject(id: $id, decision: FEASIBLE) { id } }";
    server.ok(Some(&who), review, json!({ "id": project })).await;
    server.ok(Some(&who), advance, json!({ "id": id })).await;
    (id, project)
}

async fn turnout(server: &TestServer, process: &str) -> u64 {
    server.ok(None, TURNOUT, json!({ "id": process })).await["budgetTurnout"]["total"].as_u64().expect("total")
}

#[tokio::test]
async fn a_districts_eligibility_plugin_admits_refuses_and_sends_the_undecided_to_review() {
    let server = TestServer::start().await;
    install(&server, 0, json!({ "minimumAge": 16, "message": "未满 16 岁不能投票" }), Value::Null).await;
    let (process, project) = voting(&server, 0, None).await;
    let vars = json!({ "id": process, "project": project });

    let adult = server.ok(Some(&voter(&server, 0, "adult").born_in(1990)), CAST, vars.clone()).await;
    assert_eq!(adult["castBallot"]["status"], "COUNTED");
    let (code, body) = server.error(Some(&voter(&server, 0, "child").born_in(2020)), CAST, vars.clone()).await;
    assert_eq!(code, "FORBIDDEN", "{body}");
    assert!(body["errors"][0]["message"].as_str().expect("message").contains("未满 16 岁不能投票"), "{body}");

    // No verified age: counted only once an admin accepts it.
    let unknown = server.ok(Some(&voter(&server, 0, "unknown-1")), CAST, vars.clone()).await;
    assert_eq!(unknown["castBallot"]["status"], "PENDING_REVIEW");
    server.ok(Some(&voter(&server, 0, "unknown-2")), CAST, vars.clone()).await;
    assert_eq!(turnout(&server, &process).await, 1);
    let (code, _) = server.error(Some(&admin(&server, 1)), REVIEWS, json!({ "id": process })).await;
    assert_eq!(code, "FORBIDDEN", "another district's admin");
    let reviews = server.ok(Some(&admin(&server, 0)), REVIEWS, json!({ "id": process })).await;
    let edges = reviews["eligibilityReviews"]["edges"].as_array().expect("edges").clone();
    assert_eq!(edges.len(), 2);
    assert!(edges[0]["node"]["reason"].as_str().expect("reason").contains("ID card"), "{reviews}");
    assert!(!reviews.to_string().contains("unknown-1"), "a review names no voter");
    let accepted =
        server.ok(Some(&admin(&server, 0)), DECIDE, json!({ "id": edges[0]["node"]["id"], "accept": true })).await;
    assert_eq!(accepted["decideEligibility"]["status"], "ACCEPTED");
    let rejected =
        server.ok(Some(&admin(&server, 0)), DECIDE, json!({ "id": edges[1]["node"]["id"], "accept": false })).await;
    assert_eq!(rejected["decideEligibility"]["status"], "REJECTED");
    let (code, _) =
        server.error(Some(&admin(&server, 0)), DECIDE, json!({ "id": edges[1]["node"]["id"], "accept": true })).await;
    assert_eq!(code, "CONFLICT", "decided once");
    assert_eq!(turnout(&server, &process).await, 2, "the adult's and the accepted ballot");

    // Every call is recorded as the plugin's.
    let calls =
        r#"query($district: ID) { plugins(districtId: $district) { recentCalls(first: 10) { hook outcome } } }"#;
    let recorded = server.ok(Some(&admin(&server, 0)), calls, json!({ "district": server.district_id(0) })).await;
    let outcomes: Vec<&str> = recorded["plugins"][0]["recentCalls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(|call| call["outcome"].as_str())
        .collect();
    assert_eq!(outcomes.len(), 4, "{recorded}");
    assert!(recorded.to_string().contains("BALLOT_ELIGIBILITY"), "{recorded}");
}

#[tokio::test]
async fn a_plugin_out_of_fuel_fails_closed_to_manual_review() {
    let server = TestServer::start().await;
    install(&server, 1, json!({ "minimumAge": 16 }), json!({ "fuel": 1000 })).await;
    let (process, project) = voting(&server, 1, None).await;
    let cast = server
        .ok(Some(&voter(&server, 1, "adult").born_in(1990)), CAST, json!({ "id": process, "project": project }))
        .await;
    assert_eq!(cast["castBallot"]["status"], "PENDING_REVIEW", "never counted unseen, never refused");
    let reviews = server.ok(Some(&admin(&server, 1)), REVIEWS, json!({ "id": process })).await;
    let reason = reviews["eligibilityReviews"]["edges"][0]["node"]["reason"].as_str().expect("reason").to_owned();
    assert!(reason.contains("failed"), "{reason}");
    assert_eq!(turnout(&server, &process).await, 0);
}

#[tokio::test]
async fn a_processes_minimum_age_reads_the_verified_year_of_birth() {
    let server = TestServer::start().await;
    let (process, project) = voting(&server, 2, Some(18)).await;
    let vars = json!({ "id": process, "project": project });
    let (code, body) = server.error(Some(&voter(&server, 2, "teen").born_in(2012)), CAST, vars.clone()).await;
    assert_eq!(code, "FORBIDDEN", "{body}");
    let adult = server.ok(Some(&voter(&server, 2, "adult").born_in(1990)), CAST, vars.clone()).await;
    assert_eq!(adult["castBallot"]["status"], "COUNTED");
    let unknown = server.ok(Some(&voter(&server, 2, "unknown")), CAST, vars).await;
    assert_eq!(unknown["castBallot"]["status"], "PENDING_REVIEW");
}
