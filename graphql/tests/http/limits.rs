//! Bad input, limits, tokens and query counts.

use serde_json::json;

use crate::support::{SUBMIT, TestServer, Who, submit_input};

#[tokio::test]
async fn bad_input_names_the_field_and_persists_nothing() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let cases = [
        ("title", json!("")),
        ("title", json!("x".repeat(201))),
        ("description", json!("   ")),
        ("latitude", json!(95.5)),
        ("longitude", json!(-200.0)),
        ("categoryId", json!(server.category_id(2, 0))),
        ("categoryId", json!("cat_999999")),
        ("categoryId", json!("dst_1")),
        ("districtId", json!("nonsense")),
        ("streetId", json!("str_999")),
    ];
    for (field, value) in cases {
        let mut input = submit_input(&server, 0, "PHONE");
        input["input"][field] = value.clone();
        let (code, body) = server.error(Some(&operator), SUBMIT, input).await;
        assert_eq!(code, "BAD_USER_INPUT", "{field}={value}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let mut bad_phone = submit_input(&server, 0, "PHONE");
    bad_phone["input"]["contact"]["phone"] = json!("call me maybe");
    let (code, body) = server.error(Some(&operator), SUBMIT, bad_phone).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("contact.phone")));

    let count = server.ok(Some(&operator), "{ tickets(first: 100) { edges { cursor } } }", json!({})).await;
    assert_eq!(count["tickets"]["edges"], json!([]), "nothing may be persisted");
}

/// NUL is stored by SQLite and refused by PostgreSQL: both must answer the same, a caller's
/// error naming the field (this runs on both backends).
#[tokio::test]
async fn control_characters_and_invisible_text_are_the_callers_error_on_every_backend() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let fields: [(&str, &[&str]); 6] = [
        ("title", &["title"]),
        ("description", &["description"]),
        ("address", &["address"]),
        ("contact.name", &["contact", "name"]),
        ("contact.phone", &["contact", "phone"]),
        ("contact.email", &["contact", "email"]),
    ];
    for (field, path) in fields {
        for spoiled in ["nul\u{0}here", "bell\u{7}", "\u{1b}[2Jescape"] {
            let mut input = submit_input(&server, 0, "PHONE");
            let (last, parents) = path.split_last().expect("a path");
            let mut target = &mut input["input"];
            for parent in parents {
                target = &mut target[*parent];
            }
            target[*last] = json!(spoiled);
            let (code, body) = server.error(Some(&operator), SUBMIT, input).await;
            assert_eq!(code, "BAD_USER_INPUT", "{field}={spoiled:?}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
    }
    let mut invisible = submit_input(&server, 0, "PHONE");
    invisible["input"]["title"] = json!("\u{200B}\u{200B}\u{FEFF}");
    let (code, body) = server.error(Some(&operator), SUBMIT, invisible).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("title")));
    for phone in ["(((((((((((((123", "12"] {
        let mut input = submit_input(&server, 0, "PHONE");
        input["input"]["contact"]["phone"] = json!(phone);
        let (code, _) = server.error(Some(&operator), SUBMIT, input).await;
        assert_eq!(code, "BAD_USER_INPUT", "{phone}");
    }
    let mut no_domain = submit_input(&server, 0, "PHONE");
    no_domain["input"]["contact"]["email"] = json!("a@b");
    let (code, _) = server.error(Some(&operator), SUBMIT, no_domain).await;
    assert_eq!(code, "BAD_USER_INPUT");

    let ticket = server.ok(Some(&operator), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    let id = ticket["submitTicket"]["id"].clone();
    let comment = "mutation($id: ID!, $body: String!) { commentOnTicket(id: $id, body: $body) { id } }";
    let (code, body) = server.error(Some(&operator), comment, json!({ "id": id, "body": "a\u{0}b" })).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("body")));
    let by_code = "query($code: String!) { ticketByCode(code: $code) { id } }";
    let (code, body) = server.error(Some(&operator), by_code, json!({ "code": "T-2026\u{0}" })).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("code")));
    let count = server.ok(Some(&operator), "{ tickets(first: 100) { edges { cursor } } }", json!({})).await;
    assert_eq!(count["tickets"]["edges"].as_array().map(Vec::len), Some(1), "only the clean ticket was stored");
}

#[tokio::test]
async fn residents_and_anonymous_callers_report_as_themselves_without_choosing_urgency() {
    let server = TestServer::start().await;
    let resident = Who::new("resident", "res-1");
    // District 0 of the demo takes anonymous tickets.
    for (who, channel) in [(Some(&resident), "PHONE"), (Some(&resident), "SENSOR"), (None, "PHONE"), (None, "SENSOR")] {
        let (code, body) = server.error(who, SUBMIT, submit_input(&server, 0, channel)).await;
        assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("channel")));
    }
    let mut urgent = submit_input(&server, 0, "APP");
    urgent["input"]["priority"] = json!("URGENT");
    let (code, body) = server.error(Some(&resident), SUBMIT, urgent).await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("priority")));
    server.ok(Some(&resident), SUBMIT, submit_input(&server, 0, "APP")).await;
    let operator = Who::new("operator", "op-1");
    let mut by_phone = submit_input(&server, 0, "PHONE");
    by_phone["input"]["priority"] = json!("URGENT");
    server.ok(Some(&operator), SUBMIT, by_phone).await;
}

#[tokio::test]
async fn page_size_and_ids_are_checked() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    for first in [0, -1, 101, 10_000] {
        let (code, body) = server
            .error(
                Some(&operator),
                "query($n: Int!) { tickets(first: $n) { edges { cursor } } }",
                json!({ "n": first }),
            )
            .await;
        assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("first")));
    }
    for id in ["tkt_", "123", "dep_1", "tkt_1'; DROP TABLE tickets; --", "tkt_99999999999999999999999"] {
        let (code, body) =
            server.error(Some(&operator), "query($id: ID!) { ticket(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{id}: {body}");
    }
    let (code, _) =
        server.error(Some(&operator), "query { tickets(after: \"garbage\") { edges { cursor } } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let (code, _) = server.error(Some(&operator), "query { ticket(id: \"tkt_424242\") { id } }", json!({})).await;
    assert_eq!(code, "NOT_FOUND");
}

#[tokio::test]
async fn invalid_tokens_are_unauthenticated() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let token = |secret: &[u8], exp: i64| {
        let claims = civitas_core::auth::Claims {
            email: None,
            sub: "x".into(),
            role: "city_admin".into(),
            district: None,
            department: None,
            phone: None,
            birth_year: None,
            iat: 0,
            exp,
            nbf: None,
            iss: None,
            aud: None,
        };
        civitas_core::auth::TokenIssuer::new(secret).issue(&claims).expect("sign")
    };
    let expired = token(b"test-secret-test-secret-test-secret!", 1);
    let forged = token(b"another-secret-another-secret-12", chrono::Utc::now().timestamp() + 600);
    let unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImNpdHlfYWRtaW4iLCJpYXQiOjAsImV4cCI6OTk5OTk5OTk5OX0.";
    for token in [expired.as_str(), forged.as_str(), unsigned, "not-a-token"] {
        let response = client
            .post(format!("{}/graphql", server.url))
            .bearer_auth(token)
            .json(&json!({ "query": "{ me { role } }" }))
            .send()
            .await
            .expect("request");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{token}: {body}");
        assert!(body["data"].is_null());
    }
}

#[tokio::test]
async fn malformed_requests_get_client_errors_not_500() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.url);
    let not_json =
        client.post(&url).header("content-type", "application/json").body("{nope").send().await.expect("send");
    assert_eq!(not_json.status().as_u16(), 400);
    let said: serde_json::Value = not_json.json().await.expect("GraphQL-shaped JSON, not debug text");
    assert_eq!(said["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{said}");
    let huge = client
        .post(&url)
        .header("content-type", "application/json")
        .body(format!("{{\"query\": \"{{ me {{ role }} }}\", \"x\": \"{}\"}}", "a".repeat(1_000_000)))
        .send()
        .await
        .expect("send");
    assert_eq!(huge.status().as_u16(), 413);
    let too_deep =
        format!("query {{ {} }}", (0..20).fold("id".to_owned(), |inner, _| format!("districts {{ {inner} }}")));
    let (status, body) = server.post(None, &too_deep, json!({})).await;
    assert_eq!(status, 200);
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("fields deep"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    for bad in [
        "{ nope }",
        "{ ticketStats(from: \"yesterday\", to: 3) { total } }",
        "query {",
        "{ tickets(filter: {status: [OPEN]}) { edges { cursor } } }",
    ] {
        let (status, body) = server.post(None, bad, json!({})).await;
        assert_eq!(status, 200, "{bad}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}: {body}");
    }
    let health = client.get(format!("{}/healthz", server.url)).send().await.expect("health");
    assert_eq!(health.status().as_u16(), 200);
    let graphiql = client.get(&url).send().await.expect("graphiql").text().await.expect("html");
    assert!(graphiql.contains("graphiql"), "GraphiQL page");
}

#[tokio::test]
async fn a_page_costs_a_constant_number_of_queries() {
    let server = TestServer::start().await;
    seed_dispatched_tickets(&server, 100).await;
    let who = Who::new("operator", "op-1");
    let page = "query($n: Int!) { tickets(first: $n) { edges { node { code district { name } department { name } category { name } street { name } events { kind } } } } }";
    let mut costs = Vec::new();
    for size in [10, 100] {
        let before = server.statements.load(std::sync::atomic::Ordering::SeqCst);
        let data = server.ok(Some(&who), page, json!({ "n": size })).await;
        assert_eq!(data["tickets"]["edges"].as_array().expect("edges").len(), size as usize);
        costs.push(server.statements.load(std::sync::atomic::Ordering::SeqCst) - before);
    }
    assert_eq!(costs[0], costs[1], "statements per page must not grow with its size: {costs:?}");
    assert!((1..=8).contains(&costs[1]), "the counter must see the page's statements: {costs:?}");
}

/// Directory entries come from memory once this instance has read them: a page naming its
/// tickets' districts, departments and categories is then one statement, the page's.
#[tokio::test]
async fn a_page_naming_known_directory_entries_is_one_statement() {
    let server = TestServer::start().await;
    seed_dispatched_tickets(&server, 6).await;
    let who = Who::new("operator", "op-1");
    let page =
        "{ tickets(first: 10) { edges { node { code district { name } department { name } category { name } } } } }";
    let mut costs = Vec::new();
    for _ in 0..2 {
        let before = server.statements.load(std::sync::atomic::Ordering::SeqCst);
        let data = server.ok(Some(&who), page, json!({})).await;
        let edges = data["tickets"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), 6);
        assert!(edges.iter().all(|edge| edge["node"]["department"]["name"].is_string()), "{data}");
        costs.push(server.statements.load(std::sync::atomic::Ordering::SeqCst) - before);
    }
    assert!(costs[0] > 1, "the first page reads the departments it names: {costs:?}");
    assert_eq!(costs[1], 1, "the same page again is only the page's statement: {costs:?}");
}

#[tokio::test]
async fn well_signed_tokens_naming_what_the_directory_does_not_have_are_unauthenticated() {
    let server = TestServer::start().await;
    let me = "{ me { role districtId departmentId } }";
    // Staff of district 0 bound to a department of district 1; an admin of a district that does
    // not exist: both would otherwise read what they name.
    let crossed =
        Who::new("department_staff", "s").in_district(server.district_id(0)).in_department(server.department_id(1, 0));
    let nowhere = Who::new("district_admin", "a").in_district("dst_999");
    for who in [&crossed, &nowhere] {
        let (code, body) = server.error(Some(who), me, json!({})).await;
        assert_eq!(code, "UNAUTHENTICATED", "{body}");
    }
    let (_, body) = server.error(Some(&crossed), me, json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("is not a department of"), "{message}");
    // The same requests with consistent bindings pass, and a second one costs no directory query.
    let staff =
        Who::new("department_staff", "s").in_district(server.district_id(0)).in_department(server.department_id(0, 0));
    server.ok(Some(&staff), me, json!({})).await;
    let count = || server.statements.load(std::sync::atomic::Ordering::SeqCst);
    let before = count();
    server.ok(Some(&staff), me, json!({})).await;
    assert_eq!(count(), before, "the binding is remembered");
}

/// Statements the server's database handle has run so far.
fn statements(server: &TestServer) -> usize {
    server.statements.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test]
async fn small_requests_that_would_cost_much_are_refused_before_any_work() {
    let server = TestServer::start().await;
    let before = statements(&server);

    // 40 fragments, each spreading the previous one twice: ~2 KB that expands to 2^41 fields.
    // The guard refuses it first, with its own message (async-graphql would refuse it too, for
    // nesting fragments deeper than 32, after walking them).
    let mut bomb = String::from("fragment F0 on Query { me { role } }\n");
    for level in 1..=40 {
        bomb.push_str(&format!("fragment F{level} on Query {{ ...F{p} ...F{p} }}\n", p = level - 1));
    }
    bomb.push_str("{ ...F40 }");
    assert!(bomb.len() < 2_500, "{} bytes", bomb.len());
    let (code, body) = server.error(None, &bomb, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("at most 100 root fields"), "the guard's refusal: {message}");

    // 1,200 aliases of a public aggregate: 2,400 SQL aggregates if it ran.
    let aliases: String = (0..1_200)
        .map(|index| {
            format!("s{index}: ticketStats(from: \"2026-01-01T00:00:00Z\", to: \"2027-01-01T00:00:00Z\") {{ total }} ")
        })
        .collect();
    let (code, body) = server.error(None, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("at most 100 root fields"), "{message}");

    // 10,000 directives in ~190 KB: one short error, not a megabyte of them.
    let directives: String = (0..10_000).map(|_| "@include(if: true)").collect();
    let (status, body) = server.post(None, &format!("{{ me {directives} {{ role }} }}"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body.to_string().len() < 2_000, "{} bytes of errors", body.to_string().len());

    assert_eq!(statements(&server), before, "none of them reached the database");
    // The server still answers right away.
    let ok = server.ok(None, "{ districts { id } }", json!({})).await;
    assert_eq!(ok["districts"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn list_arguments_and_error_lists_are_bounded() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let statuses: Vec<&str> = std::iter::repeat_n("RECEIVED", 8).collect();
    let (code, body) = server
        .error(
            Some(&operator),
            "query($s: [TicketStatus!]) { tickets(filter: {status: $s}) { edges { cursor } } }",
            json!({ "s": statuses }),
        )
        .await;
    assert_eq!((code.as_str(), &body["errors"][0]["extensions"]["field"]), ("BAD_USER_INPUT", &json!("filter.status")));
    let repeated = server
        .ok(
            Some(&operator),
            "query($s: [TicketStatus!]) { tickets(filter: {status: $s}) { edges { cursor } } }",
            json!({ "s": ["RECEIVED", "RECEIVED", "DISPATCHED"] }),
        )
        .await;
    assert_eq!(repeated["tickets"]["edges"], json!([]));

    // 60 failing root fields: 19 errors and one saying how many more there were.
    let failing: String =
        (0..60).map(|index| format!("t{index}: ticket(id: \"tkt_{}\") {{ id }} ", index + 1)).collect();
    let (status, body) = server.post(Some(&operator), &format!("{{ {failing} }}"), json!({})).await;
    assert_eq!(status, 200);
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 20, "{body}");
    assert_eq!(errors[19]["message"], "41 more errors were left out");
}

/// `count` tickets spread over every district, category and department, each dispatched,
/// created through the domain (not over HTTP) to keep the tests fast.
async fn seed_dispatched_tickets(server: &TestServer, count: usize) {
    let operator = civitas_core::auth::Caller::operator("op-1");
    for index in 0..count {
        let district = &server.demo.districts[index % 3];
        let new = civitas_core::tickets::NewTicket {
            district_id: district.district.id,
            category_id: district.categories[index % 10].id,
            title: format!("Ticket {index}"),
            description: "Seeded".into(),
            channel: civitas_core::tickets::Channel::Phone,
            street_id: None,
            address: None,
            location: None,
            contact: Default::default(),
            priority: None,
            idempotency_key: None,
        };
        let ticket = civitas_core::tickets::submit(&server.ctx, &operator, new).await.expect("submit");
        let department = district.departments[index % 5].id;
        civitas_core::tickets::dispatch(&server.ctx, &operator, ticket.id, department, None).await.expect("dispatch");
    }
}
