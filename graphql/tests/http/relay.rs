//! Relay: opaque cursors, pages forwards and backwards that visit every row once, `totalCount`,
//! a ticket's timeline as a connection, and `node(id)` for every object with an ID, scoped by
//! the caller like every other read.

use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, submit_input};

const TICKETS: &str = r#"
query($first: Int, $after: String, $last: Int, $before: String) {
  tickets(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn submit_tickets(server: &TestServer, operator: &Who, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..count {
        let data = server.ok(Some(operator), SUBMIT, submit_input(server, 0, "PHONE")).await;
        ids.push(data["submitTicket"]["id"].as_str().expect("id").to_owned());
    }
    ids
}

#[tokio::test]
async fn tickets_page_forwards_and_backwards_with_opaque_cursors() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let mut submitted = submit_tickets(&server, &operator, 7).await;
    submitted.reverse(); // newest first

    let mut forwards = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = server.ok(Some(&operator), TICKETS, json!({ "first": 3, "after": after })).await;
        let page = &data["tickets"];
        assert_eq!(page["totalCount"], 7);
        for edge in page["edges"].as_array().expect("edges") {
            let cursor = edge["cursor"].as_str().expect("cursor");
            assert!(!cursor.contains("tkt"), "a cursor is opaque: {cursor}");
        }
        forwards.extend(ids(page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(forwards, submitted);

    let mut backwards: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let data = server.ok(Some(&operator), TICKETS, json!({ "last": 3, "before": before })).await;
        let page = &data["tickets"];
        backwards.splice(0..0, ids(page));
        if page["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(backwards, submitted);

    // Between two cursors, and the plain ID that cursors used to be.
    let data = server
        .ok(Some(&operator), TICKETS, json!({ "first": 10, "after": submitted[1], "before": submitted[5] }))
        .await;
    assert_eq!(ids(&data["tickets"]), submitted[2..5]);

    for (variables, field) in [
        (json!({ "first": 2, "last": 2 }), "last"),
        (json!({ "last": 0 }), "last"),
        (json!({ "last": 101 }), "last"),
        (json!({ "first": 2, "before": "not-a-cursor" }), "before"),
    ] {
        let (code, body) = server.error(Some(&operator), TICKETS, variables.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{variables}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Another list's cursor is not a ticket cursor.
    let audit = server
        .ok(Some(&Who::new("city_admin", "mayor")), "{ auditLog(first: 1) { edges { cursor } } }", json!({}))
        .await;
    let foreign = audit["auditLog"]["edges"][0]["cursor"].clone();
    let (code, _) = server.error(Some(&operator), TICKETS, json!({ "first": 1, "after": foreign })).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn total_count_is_the_callers_scope_and_costs_one_count_only_when_asked() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    submit_tickets(&server, &operator, 3).await;
    let other = server.ok(Some(&operator), SUBMIT, submit_input(&server, 1, "PHONE")).await;
    assert!(other["submitTicket"]["id"].is_string());
    let admin = Who::new("district_admin", "admin-0").in_district(server.district_id(0));
    let count = "{ tickets(first: 1) { totalCount } }";
    assert_eq!(server.ok(Some(&operator), count, json!({})).await["tickets"]["totalCount"], 4);
    assert_eq!(server.ok(Some(&admin), count, json!({})).await["tickets"]["totalCount"], 3);
    assert_eq!(server.ok(None, count, json!({})).await["tickets"]["totalCount"], 0);

    let statements = |query: &'static str| {
        let server = &server;
        let operator = &operator;
        async move {
            let before = server.statements.load(std::sync::atomic::Ordering::SeqCst);
            server.ok(Some(operator), query, json!({})).await;
            server.statements.load(std::sync::atomic::Ordering::SeqCst) - before
        }
    };
    let without = statements("{ tickets(first: 2) { edges { cursor } } }").await;
    let with = statements("{ tickets(first: 2) { totalCount edges { cursor } } }").await;
    assert_eq!(with, without + 1, "one COUNT, only when asked");
}

#[tokio::test]
async fn a_ticket_timeline_is_a_connection_too() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let ticket = submit_tickets(&server, &operator, 1).await.remove(0);
    let comment = "mutation($id: ID!, $body: String!) { commentOnTicket(id: $id, body: $body) { id } }";
    for n in 0..5 {
        server.ok(Some(&operator), comment, json!({ "id": ticket, "body": format!("call back #{n}") })).await;
    }
    let all = server
        .ok(Some(&operator), "query($id: ID!) { ticket(id: $id) { events { id } } }", json!({ "id": ticket }))
        .await;
    let everything: Vec<String> = all["ticket"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(everything.len(), 6, "submitted + 5 comments");

    let page = r#"query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      ticket(id: $id) { eventsConnection(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"#;
    let mut walked = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = server.ok(Some(&operator), page, json!({ "id": ticket, "first": 4, "after": after })).await;
        let connection = &data["ticket"]["eventsConnection"];
        assert_eq!(connection["totalCount"], 6);
        walked.extend(ids(connection));
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, everything, "oldest first, each once");
    let last = server.ok(Some(&operator), page, json!({ "id": ticket, "last": 2 })).await;
    assert_eq!(ids(&last["ticket"]["eventsConnection"]), everything[4..]);
    assert_eq!(last["ticket"]["eventsConnection"]["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn node_finds_every_kind_of_object_the_caller_may_see_and_nothing_else() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let mayor = Who::new("city_admin", "mayor");
    let ticket = submit_tickets(&server, &operator, 1).await.remove(0);
    let ids_of = server
        .ok(
            Some(&mayor),
            r#"query($id: ID!) {
              ticket(id: $id) { events { id } district { id streets { id } } department { id } category { id } }
              auditLog(first: 1) { edges { node { id } } }
            }"#,
            json!({ "id": ticket }),
        )
        .await;
    let t = &ids_of["ticket"];
    let expected = [
        (ticket.clone(), "Ticket"),
        (t["events"][0]["id"].as_str().expect("event").to_owned(), "TicketEvent"),
        (t["district"]["id"].as_str().expect("district").to_owned(), "District"),
        (t["district"]["streets"][0]["id"].as_str().expect("street").to_owned(), "Street"),
        (server.department_id(0, 0), "Department"),
        (t["category"]["id"].as_str().expect("category").to_owned(), "Category"),
        (ids_of["auditLog"]["edges"][0]["node"]["id"].as_str().expect("audit").to_owned(), "AuditEntry"),
    ];
    let node = "query($id: ID!) { node(id: $id) { __typename id } }";
    for (id, typename) in &expected {
        let data = server.ok(Some(&mayor), node, json!({ "id": id })).await;
        assert_eq!(data["node"]["__typename"], *typename, "{id}");
        assert_eq!(data["node"]["id"], *id);
    }
    // Fragments on the concrete type, as Relay's refetch queries write them.
    let data = server
        .ok(
            Some(&operator),
            "query($id: ID!) { node(id: $id) { ... on Ticket { code status } } }",
            json!({ "id": ticket }),
        )
        .await;
    assert_eq!(data["node"]["status"], "RECEIVED");

    // Scoped like every read: another district's staff, an anonymous caller, a resident see
    // nothing of the ticket or its timeline; the directory is public.
    let foreign_staff =
        Who::new("department_staff", "s").in_district(server.district_id(1)).in_department(server.department_id(1, 0));
    for who in [Some(&foreign_staff), None, Some(&Who::new("resident", "r"))] {
        for id in [&expected[0].0, &expected[1].0] {
            let data = server.ok(who, node, json!({ "id": id })).await;
            assert_eq!(data["node"], Value::Null, "{who:?} {id}");
        }
        let data = server.ok(who, node, json!({ "id": expected[2].0 })).await;
        assert_eq!(data["node"]["__typename"], "District");
    }
    let district_admin = Who::new("district_admin", "a1").in_district(server.district_id(1));
    let data = server.ok(Some(&district_admin), node, json!({ "id": expected[6].0 })).await;
    assert_eq!(data["node"], Value::Null, "another district's audit entry");
    let data = server.ok(Some(&mayor), node, json!({ "id": "tkt_999999" })).await;
    assert_eq!(data["node"], Value::Null, "no such ticket");

    for bad in ["nothing", "xyz_1", "tkt_abc"] {
        let (code, body) = server.error(Some(&mayor), node, json!({ "id": bad })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad}: {body}");
    }

    let nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }";
    let all: Vec<&String> = expected.iter().map(|(id, _)| id).collect();
    let data = server.ok(Some(&mayor), nodes, json!({ "ids": all })).await;
    let typenames: Vec<&str> =
        data["nodes"].as_array().expect("nodes").iter().map(|n| n["__typename"].as_str().expect("typename")).collect();
    assert_eq!(typenames, expected.iter().map(|(_, typename)| *typename).collect::<Vec<_>>());
    let too_many: Vec<String> = (1..=101).map(|n| format!("dst_{n}")).collect();
    let (code, _) = server.error(Some(&mayor), nodes, json!({ "ids": too_many })).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

/// Every field of a ticket, with what the list answers in its own pass (aliases, fragments
/// on the type, on its interface and without a condition, `__typename`, a key selected twice)
/// and what it leaves to the resolvers (objects, loaders, arguments).
const EVERY_FIELD: &str = r#"
fragment Every on Ticket {
  __typename id code status channel priority title description address latitude longitude
  respondBy resolveBy overdue escalated acceptedAt resolvedAt closedAt mergedIntoId reopenCount
  version createdAt updatedAt trackingToken
  ref: code
  contact { name phone email }
  rating { score comment }
  district { code } district { id name names { en zhHant } allowAnonymousTickets }
  department { id name districtId }
  ... on Node { nodeId: id }
  ... { again: status kind: __typename }
  ...More
  events(first: 3) { kind note }
}
fragment More on Ticket {
  category { id name respondWithinHours resolveWithinHours defaultDepartmentId } street { id name } title
}
"#;

/// The directory entries of `EVERY_FIELD`, read through `node` (resolved the usual way).
const DIRECTORY_NODES: &str = r#"
query($d: ID!, $c: ID!) {
  d: node(id: $d) { ... on District { code id name names { en zhHant } allowAnonymousTickets } }
  c: node(id: $c) { ... on Category { id name respondWithinHours resolveWithinHours defaultDepartmentId } }
}"#;
const DEPARTMENT_NODE: &str = r#"query($p: ID!) { p: node(id: $p) { ... on Department { id name districtId } } }"#;

#[tokio::test]
async fn a_listed_ticket_answers_exactly_what_the_ticket_query_answers() {
    let server = TestServer::start().await;
    let resident = Who::new("resident", "res-1");
    let operator = Who::new("operator", "op-1");
    let staff = Who::new("department_staff", "staff-1")
        .in_district(server.district_id(1))
        .in_department(server.department_id(1, 0));
    // One closed and rated, one dispatched, one with neither address nor location.
    let closed =
        server.ok(Some(&resident), SUBMIT, submit_input(&server, 1, "APP")).await["submitTicket"]["id"].clone();
    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status } }"#;
    server.ok(Some(&operator), dispatch, json!({ "id": closed, "dep": server.department_id(1, 0) })).await;
    server
        .ok(Some(&staff), r#"mutation($id: ID!) { acceptTicket(id: $id) { status } }"#, json!({ "id": closed }))
        .await;
    let resolve = r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Emptied") { status } }"#;
    server.ok(Some(&staff), resolve, json!({ "id": closed })).await;
    let rate = r#"mutation($id: ID!) { rateTicket(id: $id, score: 4, comment: "Fine") { status } }"#;
    server.ok(Some(&resident), rate, json!({ "id": closed })).await;
    let dispatched =
        server.ok(Some(&operator), SUBMIT, submit_input(&server, 1, "PHONE")).await["submitTicket"]["id"].clone();
    server.ok(Some(&operator), dispatch, json!({ "id": dispatched, "dep": server.department_id(1, 1) })).await;
    let mut bare = submit_input(&server, 0, "PHONE");
    for field in ["address", "latitude", "longitude", "contact"] {
        bare["input"].as_object_mut().expect("input").remove(field);
    }
    server.ok(Some(&operator), SUBMIT, bare).await;

    let list =
        format!("{EVERY_FIELD} query {{ tickets(first: 10) {{ edges {{ node {{ ...Every }} }} nodes {{ code }} }} }}");
    let single = format!("{EVERY_FIELD} query($id: ID!) {{ ticket(id: $id) {{ ...Every }} }}");
    let page = server.ok(Some(&operator), &list, json!({})).await;
    let edges = page["tickets"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 3);
    for edge in edges {
        let listed = &edge["node"];
        let alone = server.ok(Some(&operator), &single, json!({ "id": listed["id"] })).await;
        assert_eq!(listed, &alone["ticket"], "the list and `ticket` answer alike");
        assert_eq!(listed["nodeId"], listed["id"]);
        assert_eq!((&listed["again"], &listed["kind"]), (&listed["status"], &json!("Ticket")));
        assert!(listed["district"]["code"].is_string() && listed["district"]["names"]["en"].is_string(), "{listed}");
        let ids = json!({ "d": listed["district"]["id"], "c": listed["category"]["id"] });
        let entries = server.ok(Some(&operator), DIRECTORY_NODES, ids).await;
        assert_eq!((&listed["district"], &listed["category"]), (&entries["d"], &entries["c"]));
        if listed["department"].is_object() {
            let department =
                server.ok(Some(&operator), DEPARTMENT_NODE, json!({ "p": listed["department"]["id"] })).await;
            assert_eq!(listed["department"], department["p"]);
        }
    }
    let closed = edges.iter().map(|edge| &edge["node"]).find(|node| node["id"] == closed).expect("closed ticket");
    assert_eq!((&closed["status"], &closed["rating"]["score"]), (&json!("CLOSED"), &json!(4)));
    assert!(closed["acceptedAt"].is_string() && closed["resolvedAt"].is_string() && closed["latitude"].is_number());
    let nodes = page["tickets"]["nodes"].as_array().expect("nodes");
    assert_eq!(
        nodes.iter().map(|node| &node["code"]).collect::<Vec<_>>(),
        edges.iter().map(|edge| &edge["node"]["code"]).collect::<Vec<_>>()
    );
}
