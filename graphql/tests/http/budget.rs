//! A budgeting process over HTTP: proposals, review, a vote (self-service, assisted, changed,
//! refused with every problem listed), nothing but the turnout while it runs, the tally, its
//! results, the published receipts and the anonymised `.pb` export that the engine tallies to
//! the same outcome; other districts' admins manage nothing of it.

use std::collections::HashSet;

use civitas_core::budgeting::explain::reason_message;
use civitas_core::budgeting::{Rule, TallyOptions, parse_pabulib_str, tally};
use civitas_core::i18n::Locale;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

fn name(en: &str) -> Value {
    json!({ "en": en, "zhHans": format!("{en}（简）"), "zhHant": format!("{en}（繁）") })
}

const CREATE: &str = r#"mutation($input: CreateBudgetProcessInput!) {
  createBudgetProcess(input: $input) { id phase rule budget currency ballot { format maxProjects maxTotalCost } }
}"#;
const PROPOSE: &str = r#"mutation($process: ID!, $input: BudgetProjectInput!) {
  proposeBudgetProject(processId: $process, input: $input) { id status cost estimatedCost }
}"#;
const REVIEW: &str = r#"mutation($id: ID!, $decision: FeasibilityDecision!, $cost: String, $reason: String) {
  reviewBudgetProject(id: $id, decision: $decision, cost: $cost, reason: $reason) { id status cost reason }
}"#;
const ADVANCE: &str = "mutation($id: ID!) { advanceBudgetPhase(id: $id) { id phase } }";
const CAST: &str = r#"mutation($process: ID!, $ballot: BallotInput!, $assisted: OnBehalfOfVoterInput, $channel: Channel) {
  castBallot(processId: $process, ballot: $ballot, onBehalfOf: $assisted, channel: $channel) { receipt status replaced }
}"#;
const RESULTS: &str = r#"query($id: ID!) {
  budgetResults(processId: $id) { rule totalCost selected { id } explanations { project { id } selected reason }
    votes { project { id } count } turnout { total byChannel { channel count } } }
  budgetTurnout(processId: $id) { total byChannel { channel count } }
}"#;
const RECEIPTS: &str = "query($id: ID!) { ballotReceipts(processId: $id, first: 100) { edges { node { receipt ballot { approvals } } } } }";

fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

fn voter(server: &TestServer, subject: &str) -> Who {
    Who::new("resident", subject).in_district(server.district_id(0))
}

async fn cast(server: &TestServer, who: &Who, process: &str, approvals: &[&str]) -> Value {
    let data = server.ok(Some(who), CAST, json!({ "process": process, "ballot": { "approvals": approvals } })).await;
    data["castBallot"].clone()
}

/// A process of district 0 in `VOTING` with one feasible project.
pub(crate) struct Voting {
    pub process: String,
    pub project: String,
}

pub(crate) async fn voting_process(server: &TestServer) -> Voting {
    let admin0 = admin(server, 0);
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Live"), "budget": "1000", "currency": "CNY",
        "ballot": { "format": "APPROVAL" } } });
    let process =
        server.ok(Some(&admin0), CREATE, input).await["createBudgetProcess"]["id"].as_str().expect("id").to_owned();
    let input = json!({ "process": process, "input": { "title": name("trees"), "cost": "400" } });
    let project =
        server.ok(Some(&admin0), PROPOSE, input).await["proposeBudgetProject"]["id"].as_str().expect("id").to_owned();
    server.ok(Some(&admin0), ADVANCE, json!({ "id": process })).await;
    server.ok(Some(&admin0), REVIEW, json!({ "id": project, "decision": "FEASIBLE" })).await;
    server.ok(Some(&admin0), ADVANCE, json!({ "id": process })).await;
    Voting { process, project }
}

/// `subject` (a resident of district 0) approves the process's project.
pub(crate) async fn cast_one(server: &TestServer, voting: &Voting, subject: &str) {
    cast(server, &voter(server, subject), &voting.process, &[&voting.project]).await;
}

#[tokio::test]
async fn a_process_is_proposed_reviewed_voted_tallied_and_exported() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Green streets 2027"), "budget": "1000", "currency": "CNY",
        "ballot": { "format": "APPROVAL", "maxProjects": 2, "maxTotalCost": "800" } } });
    let created = server.ok(Some(&admin0), CREATE, input).await["createBudgetProcess"].clone();
    assert_eq!((created["phase"].as_str(), created["rule"].as_str()), (Some("PROPOSALS"), Some("mes-cost+greedy")));
    let process = created["id"].as_str().expect("id").to_owned();

    // Bad input: every problem of a process at once.
    let bad = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Bad"), "budget": "1,000", "currency": "yuan",
        "ballot": { "format": "APPROVAL", "points": 10 }, "rule": "greedy-borda" } });
    let (code, body) = server.error(Some(&admin0), CREATE, bad).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    let paths: HashSet<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {body}"))
        .iter()
        .filter_map(|problem| problem["path"].as_str())
        .collect();
    assert_eq!(paths, HashSet::from(["budget", "currency", "ballot.points", "rule"]), "{body}");

    let resident = voter(&server, "proposer");
    let mut projects = Vec::new();
    for (title, cost) in [("trees", "400"), ("benches", "300"), ("lights", "500.50")] {
        let input = json!({ "process": process, "input": { "title": name(title), "cost": cost } });
        let project = server.ok(Some(&resident), PROPOSE, input).await["proposeBudgetProject"].clone();
        assert_eq!(project["status"], "PROPOSED");
        projects.push(project["id"].as_str().expect("id").to_owned());
    }
    let admin1 = admin(&server, 1);
    let (code, _) = server.error(Some(&admin1), ADVANCE, json!({ "id": process })).await;
    assert_eq!(code, "FORBIDDEN", "another district's admin");
    assert_eq!(
        server.ok(Some(&admin0), ADVANCE, json!({ "id": process })).await["advanceBudgetPhase"]["phase"],
        "REVIEW"
    );
    let staff = Who::new("department_staff", "staff-0")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0));
    let revised = json!({ "id": projects[1], "decision": "FEASIBLE", "cost": "350" });
    assert_eq!(server.ok(Some(&staff), REVIEW, revised).await["reviewBudgetProject"]["cost"], "350");
    server.ok(Some(&staff), REVIEW, json!({ "id": projects[0], "decision": "FEASIBLE" })).await;
    let infeasible = json!({ "id": projects[2], "decision": "INFEASIBLE", "reason": "needs a power line" });
    assert_eq!(server.ok(Some(&admin0), REVIEW, infeasible).await["reviewBudgetProject"]["status"], "INFEASIBLE");
    assert_eq!(
        server.ok(Some(&admin0), ADVANCE, json!({ "id": process })).await["advanceBudgetPhase"]["phase"],
        "VOTING"
    );

    // A ballot over its limits: every problem listed, nothing stored.
    let over = json!({ "process": process, "ballot": { "approvals": [projects[0], projects[2], projects[1]] } });
    let (code, body) = server.error(Some(&voter(&server, "v0")), CAST, over).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    let paths: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {body}"))
        .iter()
        .filter_map(|problem| problem["path"].as_str())
        .collect();
    assert!(paths.contains(&"approvals[1]") && paths.contains(&"approvals"), "{paths:?}");

    let mut receipts = Vec::new();
    for n in 0..6 {
        let choice: Vec<&str> = if n % 2 == 0 { vec![&projects[0]] } else { vec![&projects[0], &projects[1]] };
        receipts.push(cast(&server, &voter(&server, &format!("v{n}")), &process, &choice).await);
    }
    let changed = cast(&server, &voter(&server, "v0"), &process, &[&projects[1]]).await;
    assert_eq!(changed["replaced"], true);
    let operator = Who::new("operator", "op-1");
    let assisted = json!({ "process": process, "ballot": { "approvals": [projects[1]] },
        "assisted": { "idNumber": "31010119900101123X", "channel": "WALK_IN" }, "channel": "WALK_IN" });
    let walk_in = server.ok(Some(&operator), CAST, assisted).await["castBallot"].clone();
    assert_eq!(walk_in["status"], "COUNTED");
    // A paper batch from a polling station, imported by the district's admin.
    let import =
        "mutation($id: ID!, $csv: String!) { importPaperBallots(processId: $id, csv: $csv) { ballots replaced } }";
    let csv = format!("phone,approvals\n139 0000 0042,{} {}\n", projects[0], projects[1]);
    let (code, _) = server.error(Some(&admin1), import, json!({ "id": process, "csv": csv })).await;
    assert_eq!(code, "FORBIDDEN", "another district's admin");
    let imported = server.ok(Some(&admin0), import, json!({ "id": process, "csv": csv })).await;
    assert_eq!(imported["importPaperBallots"], json!({ "ballots": 1, "replaced": 0 }));

    // While the vote runs, a city admin sees the turnout and nothing per project.
    let mayor = Who::new("city_admin", "mayor");
    let running = server.ok(Some(&mayor), RESULTS, json!({ "id": process })).await;
    assert!(running["budgetResults"].is_null());
    assert_eq!(running["budgetTurnout"]["total"], 8);
    assert!(running["budgetTurnout"]["byChannel"].to_string().contains("PAPER"), "{running}");
    let (code, _) = server.error(Some(&mayor), RECEIPTS, json!({ "id": process })).await;
    assert_eq!(code, "INVALID_TRANSITION");
    let export = format!("{}/budgeting/processes/{process}.pb", server.url);
    assert_eq!(server.http.get(&export).send().await.expect("get").status().as_u16(), 409);

    let tallied = server.ok(Some(&admin0), ADVANCE, json!({ "id": process })).await;
    assert_eq!(tallied["advanceBudgetPhase"]["phase"], "TALLIED");
    let results = server.ok(None, RESULTS, json!({ "id": process })).await["budgetResults"].clone();
    assert_eq!(results["turnout"]["total"], 8);
    let selected: Vec<String> = results["selected"]
        .as_array()
        .expect("selected")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(results["explanations"].as_array().expect("explanations").len(), 2, "the ballot's two projects");

    // The export, tallied by the engine, gives the stored outcome.
    let response = server.http.get(&export).send().await.expect("get");
    assert_eq!(response.status().as_u16(), 200);
    let election = parse_pabulib_str(&response.text().await.expect("text")).expect("a .pb file");
    assert_eq!(election.voter_count(), 8);
    let recount = tally(&election, Rule::MesCostGreedy, &TallyOptions::default()).expect("tally");
    assert_eq!(recount.selected, selected);

    // The reasons speak the reader's language: the engine's sentence for the same reason.
    for locale in [Locale::ZhHans, Locale::ZhHant, Locale::En] {
        let tag = match locale {
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
            Locale::En => "en",
        };
        let body = json!({ "query": RESULTS, "variables": { "id": process } });
        let response = server.http.post(format!("{}/graphql", server.url)).header("accept-language", tag).json(&body);
        let answer: Value = response.send().await.expect("post").json().await.expect("json");
        let explanations = answer["data"]["budgetResults"]["explanations"].as_array().expect("explanations").clone();
        assert_eq!(explanations.len(), recount.explanations.len());
        for explanation in &explanations {
            let project = explanation["project"]["id"].as_str().expect("id");
            let engine =
                recount.explanations.iter().find(|e| e.project_id == project).expect("the project was tallied");
            let expected = reason_message(&engine.reason, engine.selected).render(locale);
            assert_eq!(explanation["reason"], expected.as_str(), "{tag}");
            let chinese = expected.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert_eq!(chinese, locale != Locale::En, "{tag}: {expected}");
        }
    }

    // Receipts: the counted ballots', not the replaced one's.
    let page = server.ok(None, RECEIPTS, json!({ "id": process })).await;
    let published: HashSet<&str> = page["ballotReceipts"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|edge| edge["node"]["receipt"].as_str())
        .collect();
    assert_eq!(published.len(), 8);
    assert!(published.contains(changed["receipt"].as_str().expect("receipt")));
    assert!(published.contains(walk_in["receipt"].as_str().expect("receipt")));
    assert!(!published.contains(receipts[0]["receipt"].as_str().expect("receipt")), "v0's first ballot was replaced");

    // Implementation tracking: milestones of selected projects, public.
    let add = r#"mutation($project: ID!, $input: MilestoneInput!) {
      addMilestone(projectId: $project, input: $input) { id status progress date note } }"#;
    let input =
        json!({ "title": name("Saplings ordered"), "status": "IN_PROGRESS", "progress": 30, "date": "2027-03-01" });
    let milestone =
        server.ok(Some(&admin0), add, json!({ "project": selected[0], "input": input })).await["addMilestone"].clone();
    assert_eq!((milestone["status"].as_str(), milestone["progress"].as_i64()), (Some("IN_PROGRESS"), Some(30)));
    let (code, _) = server.error(Some(&admin1), add, json!({ "project": selected[0], "input": input })).await;
    assert_eq!(code, "FORBIDDEN");
    let (code, _) = server.error(Some(&admin0), add, json!({ "project": projects[2], "input": input })).await;
    assert_eq!(code, "BAD_USER_INPUT", "the infeasible project was not selected");
    let update = r#"mutation($id: ID!) { updateMilestone(id: $id, input: { status: DONE, note: "Planted" }) { status progress note } }"#;
    let done = server.ok(Some(&admin0), update, json!({ "id": milestone["id"] })).await["updateMilestone"].clone();
    assert_eq!((done["status"].as_str(), done["progress"].as_i64()), (Some("DONE"), Some(100)));
    let public = "query($id: ID!) { budgetProject(id: $id) { milestones { title status progress note date } } }";
    let read = server.ok(None, public, json!({ "id": selected[0] })).await;
    assert_eq!(read["budgetProject"]["milestones"][0]["note"], "Planted");
    assert_eq!(read["budgetProject"]["milestones"][0]["date"], "2027-03-01");
}

const INTROSPECT: &str = r#"{ __schema { queryType { fields { name args { name type { kind } } } }
  types { name kind fields { name args { type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"#;

/// A selection of every field of `type_name` reachable without required arguments, `depth` deep.
fn selection(types: &Value, type_name: &str, depth: usize) -> Option<String> {
    let ty = types.as_array()?.iter().find(|ty| ty["name"] == type_name)?;
    if ty["kind"] != "OBJECT" {
        return None;
    }
    let mut fields = Vec::new();
    for field in ty["fields"].as_array()? {
        if field["args"].as_array()?.iter().any(|arg| arg["type"]["kind"] == "NON_NULL") {
            continue;
        }
        let mut inner = &field["type"];
        while inner["ofType"].is_object() {
            inner = &inner["ofType"];
        }
        let name = field["name"].as_str()?;
        match inner["kind"].as_str()? {
            "OBJECT" if depth > 0 => {
                if let Some(sub) = selection(types, inner["name"].as_str()?, depth - 1) {
                    fields.push(format!("{name} {sub}"));
                }
            }
            "OBJECT" => {}
            _ => fields.push(name.to_owned()),
        }
    }
    (!fields.is_empty()).then(|| format!("{{ {} }}", fields.join(" ")))
}

/// Every number under `value` at a key that counts votes, with its path.
fn vote_figures(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{path}.{key}");
                if matches!(key.as_str(), "count" | "points" | "votes" | "selected" | "explanations" | "totalCost")
                    && !inner.is_null()
                    && !here.starts_with(".budgetTurnout")
                {
                    found.push(here.clone());
                }
                vote_figures(inner, &here, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| vote_figures(item, path, found)),
        _ => {}
    }
}

/// While a process votes, every query field a city admin can reach with the process's ID — each
/// with every field below it — returns no per-project count, only the turnout.
#[tokio::test]
async fn while_the_vote_runs_no_query_shows_a_per_project_count() {
    let server = TestServer::start().await;
    let voting = voting_process(&server).await;
    let (process, project) = (voting.process.clone(), voting.project.clone());
    for n in 0..3 {
        cast_one(&server, &voting, &format!("v{n}")).await;
    }

    let mayor = Who::new("city_admin", "mayor");
    let schema = server.ok(Some(&mayor), INTROSPECT, json!({})).await;
    let types = &schema["__schema"]["types"];
    let mut walked = Vec::new();
    for field in schema["__schema"]["queryType"]["fields"].as_array().expect("fields") {
        let name = field["name"].as_str().expect("name");
        let args = field["args"].as_array().expect("args");
        let takes = |arg: &str| args.iter().any(|a| a["name"] == arg);
        let required: Vec<&str> =
            args.iter().filter(|a| a["type"]["kind"] == "NON_NULL").filter_map(|a| a["name"].as_str()).collect();
        let argument = if takes("processId") && required.iter().all(|arg| *arg == "processId") {
            format!("(processId: \"{process}\")")
        } else if name.starts_with("budget") && required == ["id"] {
            let id = if name == "budgetProject" { &project } else { &process };
            format!("(id: \"{id}\")")
        } else if name.starts_with("budget") && required.is_empty() {
            String::new()
        } else {
            continue;
        };
        let field_type = schema["__schema"]["types"]
            .as_array()
            .expect("types")
            .iter()
            .find(|ty| ty["name"] == "Query")
            .and_then(|query| query["fields"].as_array()?.iter().find(|f| f["name"] == name).cloned())
            .expect("the field's type");
        let mut inner = &field_type["type"];
        while inner["ofType"].is_object() {
            inner = &inner["ofType"];
        }
        let sub = match inner["kind"].as_str() {
            Some("OBJECT") => selection(types, inner["name"].as_str().expect("type"), 4).unwrap_or_default(),
            _ => String::new(),
        };
        let query = format!("{{ {name}{argument} {sub} }}");
        let (status, body) = server.post(Some(&mayor), &query, json!({})).await;
        assert_eq!(status, 200, "{query}: {body}");
        let mut found = Vec::new();
        vote_figures(&body["data"], "", &mut found);
        assert!(found.is_empty(), "{query} shows {found:?}: {body}");
        walked.push(name.to_owned());
    }
    for expected in ["budgetResults", "ballotReceipts", "budgetTurnout", "budgetProcess", "budgetProjects", "myBallot"]
    {
        assert!(walked.iter().any(|name| name == expected), "{expected} walked: {walked:?}");
    }
    let turnout = server
        .ok(Some(&mayor), "query($id: ID!) { budgetTurnout(processId: $id) { total } }", json!({ "id": process }))
        .await;
    assert_eq!(turnout["budgetTurnout"]["total"], 3);

    // The same walk after the tally finds the counts: the check above can fail.
    server.ok(Some(&admin(&server, 0)), ADVANCE, json!({ "id": process })).await;
    let results = selection(types, "BudgetResults", 4).expect("results fields");
    let query = format!("{{ budgetResults(processId: \"{process}\") {results} }}");
    let body = server.ok(Some(&mayor), &query, json!({})).await;
    let mut found = Vec::new();
    vote_figures(&body, "", &mut found);
    assert!(found.iter().any(|path| path.ends_with(".votes.count")), "{found:?}");
}

/// A page of projects with their milestones costs the same statements whatever its size (the
/// milestones come through one batched load, not one query per project).
#[tokio::test]
async fn a_page_of_projects_with_milestones_costs_a_constant_number_of_statements() {
    let server = TestServer::start().await;
    let admin0 = admin(&server, 0);
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name("Parks"), "budget": "1000", "currency": "CNY",
        "ballot": { "format": "APPROVAL", "maxProjects": 2 } } });
    let process = server.ok(Some(&admin0), CREATE, input).await["createBudgetProcess"]["id"].clone();
    let resident = voter(&server, "proposer");
    for index in 0..12 {
        let input =
            json!({ "process": process, "input": { "title": name(&format!("project {index}")), "cost": "10" } });
        server.ok(Some(&resident), PROPOSE, input).await;
    }
    let page = "query($id: ID!, $n: Int!) { budgetProjects(processId: $id, first: $n) { edges { node { id milestones { id } } } } }";
    let mut costs = Vec::new();
    for size in [2, 12] {
        let before = server.statements.load(std::sync::atomic::Ordering::SeqCst);
        let data = server.ok(None, page, json!({ "id": process, "n": size })).await;
        assert_eq!(data["budgetProjects"]["edges"].as_array().expect("edges").len(), size);
        costs.push(server.statements.load(std::sync::atomic::Ordering::SeqCst) - before);
    }
    assert_eq!(costs[0], costs[1], "statements per page must not grow with its size: {costs:?}");
    assert!(costs[1] >= 2, "the counter must see the page's and the milestones' statements: {costs:?}");
}
