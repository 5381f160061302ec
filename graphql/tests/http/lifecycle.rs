//! A ticket's whole life over HTTP.

use serde_json::json;

use crate::support::{SUBMIT, TestServer, Who, submit_input};

const TICKET: &str = r#"
query Ticket($id: ID!) {
  ticket(id: $id) {
    id code status channel title contact { name phone email }
    district { id name } department { id name } category { name }
    respondBy resolveBy overdue rating { score comment } version
    events(first: 20) { kind at note }
  }
}"#;

#[tokio::test]
async fn a_resident_ticket_from_submission_to_closure() {
    let server = TestServer::start().await;
    let resident = Who::new("resident", "res-1");
    let operator = Who::new("operator", "op-1");
    let staff = Who::new("department_staff", "staff-1")
        .in_district(server.district_id(1))
        .in_department(server.department_id(1, 0));

    let submitted = server.ok(Some(&resident), SUBMIT, submit_input(&server, 1, "APP")).await;
    let id = submitted["submitTicket"]["id"].as_str().expect("id").to_owned();
    assert_eq!(submitted["submitTicket"]["status"], "RECEIVED");

    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep, note: "bins") { status department { id } } }"#;
    let dispatched = server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(1, 0) })).await;
    assert_eq!(dispatched["dispatchTicket"]["status"], "DISPATCHED");
    assert_eq!(dispatched["dispatchTicket"]["department"]["id"], server.department_id(1, 0));

    let accept = r#"mutation($id: ID!) { acceptTicket(id: $id) { status } }"#;
    assert_eq!(server.ok(Some(&staff), accept, json!({ "id": id })).await["acceptTicket"]["status"], "ACCEPTED");
    let resolve = r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Emptied") { status } }"#;
    assert_eq!(server.ok(Some(&staff), resolve, json!({ "id": id })).await["resolveTicket"]["status"], "RESOLVED");

    // A second resolve is an invalid transition, and changes nothing.
    let (code, body) = server.error(Some(&staff), resolve, json!({ "id": id })).await;
    assert_eq!(code, "INVALID_TRANSITION", "{body}");
    assert!(body["data"].is_null(), "{body}");

    let comment = r#"mutation($id: ID!) { commentOnTicket(id: $id, body: "Thanks!") { id } }"#;
    server.ok(Some(&resident), comment, json!({ "id": id })).await;
    let rate =
        r#"mutation($id: ID!) { rateTicket(id: $id, score: 5, comment: "Fast") { status rating { score comment } } }"#;
    let rated = server.ok(Some(&resident), rate, json!({ "id": id })).await;
    assert_eq!(rated["rateTicket"]["status"], "CLOSED");
    assert_eq!(rated["rateTicket"]["rating"]["score"], 5);

    let ticket = server.ok(Some(&staff), TICKET, json!({ "id": id })).await["ticket"].clone();
    let kinds: Vec<_> = ticket["events"].as_array().expect("events").iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, ["SUBMITTED", "DISPATCHED", "ACCEPTED", "RESOLVED", "COMMENTED", "RATED"]);
    assert_eq!(ticket["contact"]["phone"], "13912345678", "the assigned department sees the contact");
    assert_eq!(ticket["district"]["name"], "Old Town");

    // Another operator sees the contact masked; names follow Accept-Language.
    let by_code = r#"query($code: String!) { ticketByCode(code: $code) { contact { phone name } district { name } } }"#;
    let masked = server.ok(Some(&Who::new("operator", "op-2")), by_code, json!({ "code": ticket["code"] })).await;
    assert_eq!(masked["ticketByCode"]["contact"]["phone"], "139******78");
    assert_eq!(masked["ticketByCode"]["contact"]["name"], "王**");

    let stats = r#"query($d: ID!) { ticketStats(districtId: $d, from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { total responseRate resolutionRate satisfactionRate byStatus { status count } } }"#;
    let stats = server.ok(None, stats, json!({ "d": server.district_id(1) })).await["ticketStats"].clone();
    assert_eq!(stats["total"], 1);
    assert_eq!(stats["responseRate"], 1.0);
    assert_eq!(stats["satisfactionRate"], 1.0);
    assert_eq!(stats["byStatus"], json!([{ "status": "CLOSED", "count": 1 }]));
}

#[tokio::test]
async fn localised_names_follow_accept_language() {
    let server = TestServer::start().await;
    let query = r#"{ districts { name names { en zhHans zhHant } } }"#;
    for (language, expected) in
        [("zh-CN", "老城区"), ("zh-Hant-TW", "老城區"), ("en-GB", "Old Town"), ("fr", "Old Town")]
    {
        let response = reqwest::Client::new()
            .post(format!("{}/graphql", server.url))
            .header("Accept-Language", language)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("request");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["data"]["districts"][1]["name"], expected, "{language}: {body}");
    }
}

#[tokio::test]
async fn pages_use_keyset_cursors() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    for _ in 0..5 {
        server.ok(Some(&operator), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    }
    let page = r#"query($after: String) { tickets(first: 2, after: $after) { edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }"#;
    let mut codes = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let data = server.ok(Some(&operator), page, json!({ "after": after })).await;
        for edge in data["tickets"]["edges"].as_array().expect("edges") {
            codes.push(edge["node"]["code"].as_str().expect("code").to_owned());
        }
        if data["tickets"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["tickets"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(codes.len(), 5);
    let mut sorted = codes.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(codes, sorted, "newest first, no duplicates");
}
