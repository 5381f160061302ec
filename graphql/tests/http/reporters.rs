//! Reporters without an account and reporters on bad connections: an anonymous submission
//! hands out a tracking token to follow the ticket with, and an `Idempotency-Key` makes a retry
//! return the ticket the first attempt made.

use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, submit_input};

const SUBMIT_TRACKED: &str = r#"
mutation Submit($input: SubmitTicketInput!) {
  submitTicket(input: $input) { id code status trackingToken }
}"#;

const TRACK: &str = r#"
query($token: String!) { ticketByTrackingToken(token: $token) { code status title events { kind note } } }"#;

async fn submit_with_key(server: &TestServer, who: Option<&Who>, key: &str, channel: &str) -> Value {
    let mut request = server
        .http
        .post(format!("{}/graphql", server.url))
        .header("idempotency-key", key)
        .json(&json!({ "query": SUBMIT_TRACKED, "variables": submit_input(server, 0, channel) }));
    if let Some(who) = who {
        request = request.bearer_auth(who.token());
    }
    let body: Value = request.send().await.expect("post").json().await.expect("json");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["submitTicket"].clone()
}

#[tokio::test]
async fn an_anonymous_reporter_follows_the_ticket_with_the_token_it_was_given_once() {
    let server = TestServer::start().await;
    let submitted = server.ok(None, SUBMIT_TRACKED, submit_input(&server, 0, "WEB")).await["submitTicket"].clone();
    let token = submitted["trackingToken"].as_str().expect("a token for the anonymous reporter").to_owned();
    assert!(token.starts_with("trk_") && token.len() == 68, "{token}");

    let operator = Who::new("operator", "op-1");
    let dispatch =
        "mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep, note: \"on it\") { id } }";
    server.ok(Some(&operator), dispatch, json!({ "id": submitted["id"], "dep": server.department_id(0, 0) })).await;

    let tracked = server.ok(None, TRACK, json!({ "token": token })).await["ticketByTrackingToken"].clone();
    assert_eq!((&tracked["code"], &tracked["status"]), (&submitted["code"], &json!("DISPATCHED")));
    let kinds: Vec<&str> =
        tracked["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["SUBMITTED", "DISPATCHED"]);

    // Shown once: reading the ticket otherwise never shows it again.
    let read = server
        .ok(Some(&operator), "query($id: ID!) { ticket(id: $id) { trackingToken } }", json!({ "id": submitted["id"] }))
        .await;
    assert_eq!(read["ticket"]["trackingToken"], Value::Null);
    // A tampered or made-up token reads nothing.
    let mut tampered = token.clone();
    tampered.replace_range(10..11, if &token[10..11] == "0" { "1" } else { "0" });
    for wrong in [tampered.as_str(), "trk_", "T-2026-000001", &format!("{token}0")] {
        let (code, _) = server.error(None, TRACK, json!({ "token": wrong })).await;
        assert_eq!(code, "NOT_FOUND", "{wrong}");
    }
    // A resident has an account: no token.
    let resident = Who::new("resident", "res-1");
    let theirs = server.ok(Some(&resident), SUBMIT_TRACKED, submit_input(&server, 0, "APP")).await;
    assert_eq!(theirs["submitTicket"]["trackingToken"], Value::Null);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_ticket() {
    let server = TestServer::start().await;
    let resident = Who::new("resident", "res-1");
    let first = submit_with_key(&server, Some(&resident), "5f0c3a9e-retry-1", "APP").await;
    let again = submit_with_key(&server, Some(&resident), "5f0c3a9e-retry-1", "APP").await;
    assert_eq!(first["id"], again["id"], "the retry got the first ticket");
    let other_key = submit_with_key(&server, Some(&resident), "5f0c3a9e-retry-2", "APP").await;
    assert_ne!(first["id"], other_key["id"]);
    // Keys are the caller's own: another resident's identical key is another submission.
    let neighbour = Who::new("resident", "res-2");
    let theirs = submit_with_key(&server, Some(&neighbour), "5f0c3a9e-retry-1", "APP").await;
    assert_ne!(first["id"], theirs["id"]);

    // An anonymous retry gets its tracking token again.
    let anonymous = submit_with_key(&server, None, "anon-7f1e", "WEB").await;
    let anonymous_again = submit_with_key(&server, None, "anon-7f1e", "WEB").await;
    assert_eq!(anonymous["id"], anonymous_again["id"]);
    assert_eq!(anonymous["trackingToken"], anonymous_again["trackingToken"]);
    assert!(anonymous["trackingToken"].is_string());

    // Ten attempts at once with one key: one ticket.
    let attempts = (0..10).map(|_| submit_with_key(&server, Some(&resident), "burst-key", "APP"));
    let answers = futures::future::join_all(attempts).await;
    let ids: std::collections::HashSet<String> =
        answers.iter().map(|answer| answer["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    let operator = Who::new("operator", "op-1");
    let all = server.ok(Some(&operator), "{ tickets(first: 100) { edges { cursor } } }", json!({})).await;
    assert_eq!(all["tickets"]["edges"].as_array().map(Vec::len), Some(5), "5 distinct submissions in all");

    let bad = server
        .http
        .post(format!("{}/graphql", server.url))
        .bearer_auth(resident.token())
        .header("idempotency-key", "x".repeat(200))
        .json(&json!({ "query": SUBMIT, "variables": submit_input(&server, 0, "APP") }))
        .send()
        .await
        .expect("post");
    let body: Value = bad.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["field"], "Idempotency-Key", "{body}");
}
