//! Every role, against its own and other districts, for every ticket query and mutation.
//!
//! The expectations are written out by hand, not derived from the code under test.

use civitas_core::auth::Caller;
use civitas_core::tickets::{self, Channel, Contact, NewTicket, Ticket};
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

/// A = allowed, F = FORBIDDEN, N = NOT_FOUND, U = UNAUTHENTICATED.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    A,
    F,
    N,
    U,
}
use Outcome::{A, F, N, U};

/// Tickets live in district 1 ("own"), reported by resident `res-1`, dispatched to department 0.
const ROLES: [&str; 10] = [
    "anonymous",
    "reporter",
    "other resident",
    "operator",
    "assigned staff",
    "staff of another department",
    "staff of another district",
    "own district admin",
    "other district admin",
    "city admin",
];

#[rustfmt::skip]
const MATRIX: [(&str, [Outcome; 10]); 12] = [
    //              anon reporter res2 oper staff dep1 dstB adminA adminB city
    ("read",        [N,  A,       N,   A,   A,    N,   N,   A,     N,     A]),
    ("byCode",      [N,  A,       N,   A,   A,    N,   N,   A,     N,     A]),
    ("dispatch",    [U,  F,       N,   A,   N,    N,   N,   A,     N,     A]),
    ("accept",      [U,  F,       N,   F,   A,    N,   N,   A,     N,     F]),
    ("return",      [U,  F,       N,   F,   A,    N,   N,   A,     N,     F]),
    ("transfer",    [U,  F,       N,   A,   A,    N,   N,   A,     N,     A]),
    ("resolve",     [U,  F,       N,   F,   A,    N,   N,   A,     N,     F]),
    ("reject",      [U,  F,       N,   A,   A,    N,   N,   A,     N,     A]),
    ("comment",     [U,  A,       N,   A,   A,    N,   N,   A,     N,     A]),
    ("rate",        [U,  A,       N,   F,   F,    N,   N,   F,     N,     F]),
    ("merge",       [U,  F,       N,   A,   N,    N,   N,   A,     N,     A]),
    ("submit",      [U,  A,       A,   A,   A,    A,   F,   A,     F,     A]),
];

fn who(server: &TestServer, role: &str) -> Option<Who> {
    let (own, other) = (1, 2);
    Some(match role {
        "anonymous" => return None,
        "reporter" => Who::new("resident", "res-1"),
        "other resident" => Who::new("resident", "res-2"),
        "operator" => Who::new("operator", "op-9"),
        "assigned staff" => Who::new("department_staff", "staff-a")
            .in_district(server.district_id(own))
            .in_department(server.department_id(own, 0)),
        "staff of another department" => Who::new("department_staff", "staff-b")
            .in_district(server.district_id(own))
            .in_department(server.department_id(own, 1)),
        "staff of another district" => Who::new("department_staff", "staff-c")
            .in_district(server.district_id(other))
            .in_department(server.department_id(other, 0)),
        "own district admin" => Who::new("district_admin", "admin-a").in_district(server.district_id(own)),
        "other district admin" => Who::new("district_admin", "admin-b").in_district(server.district_id(other)),
        "city admin" => Who::new("city_admin", "mayor"),
        _ => unreachable!("unknown role {role}"),
    })
}

/// A ticket of district 1 reported by `res-1`, brought to the state the operation needs.
async fn ticket_for(server: &TestServer, operation: &str) -> Ticket {
    let district = &server.demo.districts[1];
    let new = NewTicket {
        district_id: district.district.id,
        category_id: district.categories[0].id,
        title: "Secret title of district one".into(),
        description: "Private description".into(),
        channel: Channel::App,
        street_id: None,
        address: None,
        location: None,
        contact: Contact {
            name: Some("Reporter".into()),
            phone: Some("13800000000".into()),
            email: None,
            language: None,
        },
        priority: None,
        idempotency_key: None,
    };
    let ctx = &server.ctx;
    let system = Caller::System;
    let ticket = tickets::submit(ctx, &Caller::resident("res-1"), new).await.expect("submit");
    if matches!(operation, "dispatch" | "merge") {
        return ticket;
    }
    let department = district.departments[0].id;
    let ticket = tickets::dispatch(ctx, &system, ticket.id, department, None).await.expect("dispatch");
    if !matches!(operation, "resolve" | "rate") {
        return ticket;
    }
    let staff = Caller::staff("staff-a", district.district.id, department);
    tickets::accept(ctx, &staff, ticket.id).await.expect("accept");
    if operation == "resolve" {
        return tickets::get(ctx, &system, ticket.id).await.expect("get");
    }
    tickets::resolve(ctx, &staff, ticket.id, "done").await.expect("resolve")
}

async fn attempt(server: &TestServer, operation: &str, who: Option<&Who>) -> (Outcome, Value, Ticket) {
    let ticket = ticket_for(server, operation).await;
    let id = ticket.id.to_string();
    let (query, variables) = match operation {
        "read" => ("query($id: ID!) { ticket(id: $id) { id title } }", json!({ "id": id })),
        "byCode" => ("query($c: String!) { ticketByCode(code: $c) { id title } }", json!({ "c": ticket.code })),
        "dispatch" => (
            "mutation($id: ID!, $d: ID!) { dispatchTicket(id: $id, departmentId: $d) { id } }",
            json!({ "id": id, "d": server.department_id(1, 0) }),
        ),
        "accept" => ("mutation($id: ID!) { acceptTicket(id: $id) { id } }", json!({ "id": id })),
        "return" => ("mutation($id: ID!) { returnTicket(id: $id, reason: \"misrouted\") { id } }", json!({ "id": id })),
        "transfer" => (
            "mutation($id: ID!, $d: ID!) { transferTicket(id: $id, departmentId: $d, reason: \"roads\") { id } }",
            json!({ "id": id, "d": server.department_id(1, 1) }),
        ),
        "resolve" => {
            ("mutation($id: ID!) { resolveTicket(id: $id, resolution: \"done\") { id } }", json!({ "id": id }))
        }
        "reject" => ("mutation($id: ID!) { rejectTicket(id: $id, reason: \"no\") { id } }", json!({ "id": id })),
        "comment" => ("mutation($id: ID!) { commentOnTicket(id: $id, body: \"hello\") { id } }", json!({ "id": id })),
        "rate" => ("mutation($id: ID!) { rateTicket(id: $id, score: 4) { id } }", json!({ "id": id })),
        "merge" => {
            let duplicate = ticket_for(server, "merge").await;
            (
                "mutation($p: ID!, $d: [ID!]!) { mergeTickets(primaryId: $p, duplicateIds: $d) { id } }",
                json!({ "p": id, "d": [duplicate.id.to_string()] }),
            )
        }
        "submit" => (
            "mutation($input: SubmitTicketInput!) { submitTicket(input: $input) { id } }",
            json!({ "input": {
                "districtId": server.district_id(1), "categoryId": server.category_id(1, 0),
                "title": "t", "description": "d", "channel": "WEB"
            }}),
        ),
        _ => unreachable!(),
    };
    let (status, body) = server.post(who, query, variables).await;
    assert_eq!(status, 200, "{body}");
    let outcome = match body["errors"][0]["extensions"]["code"].as_str() {
        None => A,
        Some("FORBIDDEN") => F,
        Some("NOT_FOUND") => N,
        Some("UNAUTHENTICATED") => U,
        Some(other) => panic!("{operation}: unexpected code {other}: {body}"),
    };
    (outcome, body, ticket)
}

#[tokio::test]
async fn every_role_gets_exactly_its_rights() {
    let server = TestServer::start().await;
    let mut mismatches = Vec::new();
    for (operation, expected) in MATRIX {
        for (role, expected) in ROLES.iter().zip(expected) {
            let who = who(&server, role);
            let (outcome, body, ticket) = attempt(&server, operation, who.as_ref()).await;
            if outcome != expected {
                mismatches.push(format!("{operation} as {role}: expected {expected:?}, got {outcome:?}: {body}"));
            }
            if outcome != A {
                let text = body.to_string();
                assert!(body["data"].is_null(), "{operation} as {role} leaked data: {text}");
                assert!(
                    !text.contains(&ticket.code) && !text.contains("Secret title"),
                    "{operation} as {role}: {text}"
                );
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[tokio::test]
async fn lists_never_contain_another_tenants_tickets() {
    let server = TestServer::start().await;
    let ticket = ticket_for(&server, "read").await;
    let query = "{ tickets(first: 100) { edges { node { id districtName: district { id } } } } }";
    for (role, expected) in ROLES.iter().zip(MATRIX[0].1) {
        let who = who(&server, role);
        let data = server.ok(who.as_ref(), query, json!({})).await;
        let ids: Vec<&str> = data["tickets"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["id"].as_str())
            .collect();
        assert_eq!(ids.contains(&ticket.id.to_string().as_str()), expected == A, "{role}: {ids:?}");
        let other = server.district_id(2);
        let foreign =
            data["tickets"]["edges"].as_array().expect("edges").iter().any(|e| {
                e["node"]["districtName"]["id"] == other.as_str() && !matches!(*role, "operator" | "city admin")
            });
        assert!(!foreign, "{role} sees district 2's tickets");
    }
}
