//! Open311 GeoReport v2 over HTTP: the real `georeport` client and the specification's JSON
//! Schemas against the running server, the same tickets in Open311 and GraphQL, API keys scoped
//! to their district, and no personal data in any public read.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, submit_input};

const CREATE_CLIENT: &str = r#"
mutation($district: ID!, $name: String!) {
  createOpen311Client(districtId: $district, name: $name) { client { id name districtId revokedAt } apiKey }
}"#;

fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

/// A key for a new client of the demo city's `district`, issued by its admin.
async fn issue_key(server: &TestServer, district: usize) -> (String, String) {
    let issued = server
        .ok(
            Some(&admin(server, district)),
            CREATE_CLIENT,
            json!({ "district": server.district_id(district), "name": "FixMyStreet" }),
        )
        .await;
    let created = &issued["createOpen311Client"];
    assert_eq!(created["client"]["districtId"], server.district_id(district));
    let key = created["apiKey"].as_str().expect("key").to_owned();
    assert!(key.starts_with("o311k_") && key.len() == 70, "{key}");
    (created["client"]["id"].as_str().expect("id").to_owned(), key)
}

fn code(server: &TestServer, district: usize) -> String {
    server.demo.districts[district].district.code.clone()
}

async fn form_post(server: &TestServer, file: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = server.http.post(format!("{}/open311/v2/{file}", server.url)).form(form).send().await.expect("post");
    (response.status().as_u16(), response.text().await.expect("body"))
}

async fn get(server: &TestServer, path: &str) -> (u16, String) {
    let response = server.http.get(format!("{}/open311/v2/{path}", server.url)).send().await.expect("get");
    (response.status().as_u16(), response.text().await.expect("body"))
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {body}"))
}

#[tokio::test]
async fn the_georeport_client_and_the_specifications_schemas_accept_every_document() {
    let server = TestServer::start().await;
    let (_, key) = issue_key(&server, 0).await;
    // Some history: one ticket dispatched with a public note, then resolved.
    let operator = Who::new("operator", "op-1");
    let submitted = server.ok(Some(&operator), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    let id = submitted["submitTicket"]["id"].as_str().expect("id").to_owned();
    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep, note: "Sent to sanitation") { status } }"#;
    server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(0, 0) })).await;

    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("open311-venv");
    let python = civitas_plugins::build::python_venv(&venv, &["georeport==0.3.1", "jsonschema==4.26.0"])
        .expect("a virtualenv with georeport and jsonschema (needs python3 with venv, and PyPI)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/open311_check.py");
    let schemas = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open311/schema");
    let base = format!("{}/open311/v2/", server.url);
    let jurisdiction = code(&server, 0);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python).arg(script).arg(base).arg(jurisdiction).arg(key).arg(schemas).output()
    })
    .await
    .expect("join")
    .expect("run python");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    for expected in [
        "schema ok: GET services.json against services.json",
        "georeport services: 10",
        "georeport requests: ",
        "token maps to: ",
        "posted (xml): ",
        "error 403 ok",
        "error 404 ok",
        "xml matches json: services",
        "all checks passed",
    ] {
        assert!(printed.lines().any(|line| line.starts_with(expected)), "missing {expected:?} in:\n{printed}");
    }
}

#[tokio::test]
async fn a_post_becomes_a_ticket_in_graphql_and_a_graphql_ticket_an_open311_request() {
    let server = TestServer::start().await;
    let (_, key) = issue_key(&server, 0).await;
    let jurisdiction = code(&server, 0);
    let service = server.category_id(0, 0);
    let (status, body) = form_post(
        &server,
        "requests.json",
        &[
            ("jurisdiction_id", &jurisdiction),
            ("api_key", &key),
            ("service_code", &service),
            ("lat", "31.2304"),
            ("long", "121.4737"),
            ("description", "Bins overflowing at the pier\nsince Monday"),
            ("email", "mei@example.org"),
            ("first_name", "Mei"),
            ("last_name", "Chen"),
            ("phone", "+86 138 0000 1111"),
            ("media_url", "https://photos.example.org/bins.jpg"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let posted = json_of(&body);
    let request_id = posted[0]["service_request_id"].as_str().expect("id").to_owned();
    assert!(posted[0]["token"].as_str().is_some_and(|token| token.len() == 32), "{body}");

    // The district's admin sees it in GraphQL: channel OPEN311, taken in by the client, the
    // reporter's contact.
    let query = r#"query($code: String!) { ticketByCode(code: $code) { channel title description status contact { name email phone } events(first: 5) { kind actorRole } } }"#;
    let operator = Who::new("operator", "op-1");
    let ticket = server.ok(Some(&admin(&server, 0)), query, json!({ "code": request_id })).await;
    let ticket = &ticket["ticketByCode"];
    assert_eq!(ticket["channel"], "OPEN311");
    assert_eq!(ticket["title"], "Bins overflowing at the pier");
    assert_eq!(ticket["contact"]["name"], "Mei Chen");
    assert_eq!(ticket["contact"]["email"], "mei@example.org");
    assert_eq!(ticket["events"][0]["actorRole"], "operator", "taken in by the client as an intake");

    // The public read: the same ticket, no contact data anywhere in the document.
    let (status, body) = get(&server, &format!("requests/{request_id}.json?jurisdiction_id={jurisdiction}")).await;
    assert_eq!(status, 200, "{body}");
    for personal in ["mei@example.org", "Mei", "Chen", "138", "email", "phone", "first_name"] {
        assert!(!body.contains(personal), "{personal} leaked: {body}");
    }
    let read = json_of(&body);
    assert_eq!(read[0]["status"], "open");
    assert_eq!(read[0]["service_code"], service);
    assert_eq!(read[0]["lat"], 31.2304);
    assert_eq!(read[0]["media_url"], "https://photos.example.org/bins.jpg");

    // A ticket submitted over GraphQL is an Open311 request too.
    let submitted = server.ok(Some(&operator), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    let graphql_code = submitted["submitTicket"]["code"].as_str().expect("code").to_owned();
    let (status, body) = get(&server, &format!("requests.json?jurisdiction_id={jurisdiction}")).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = json_of(&body)
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|request| request["service_request_id"].as_str())
        .map(|id| {
            if id == graphql_code {
                "graphql"
            } else if id == request_id {
                "open311"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(ids, ["graphql", "open311"], "newest first: {body}");
}

#[tokio::test]
async fn status_notes_are_the_public_notes_only() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1");
    let staff = Who::new("department_staff", "staff-1")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0));
    let submitted = server.ok(Some(&operator), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    let id = submitted["submitTicket"]["id"].as_str().expect("id").to_owned();
    let ticket_code = submitted["submitTicket"]["code"].as_str().expect("code").to_owned();
    let path = format!("requests/{ticket_code}.json?jurisdiction_id={}", code(&server, 0));
    let notes = |body: String| json_of(&body)[0]["status_notes"].clone();

    assert_eq!(notes(get(&server, &path).await.1), Value::Null);
    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep, note: "Sent to sanitation") { status } }"#;
    server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(0, 0) })).await;
    assert_eq!(notes(get(&server, &path).await.1), "Sent to sanitation");
    let comment =
        r#"mutation($id: ID!) { commentOnTicket(id: $id, body: "internal: the caller is our neighbour") { id } }"#;
    server.ok(Some(&staff), comment, json!({ "id": id })).await;
    let (_, body) = get(&server, &path).await;
    assert!(!body.contains("neighbour"), "a comment is internal: {body}");
    server.ok(Some(&staff), r#"mutation($id: ID!) { acceptTicket(id: $id) { status } }"#, json!({ "id": id })).await;
    let resolve = r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Bins emptied") { status } }"#;
    server.ok(Some(&staff), resolve, json!({ "id": id })).await;
    let (_, body) = get(&server, &path).await;
    let read = json_of(&body);
    assert_eq!(read[0]["status"], "closed", "resolved is closed for Open311");
    assert_eq!(read[0]["status_notes"], "Bins emptied");
    assert_eq!(read[0]["agency_responsible"], "Sanitation");

    // Filters: closed finds it, open does not; XML carries the same note.
    let listed = |status: &'static str| {
        let server = &server;
        async move {
            let path = format!("requests.json?jurisdiction_id={}&status={status}", code(server, 0));
            json_of(&get(server, &path).await.1).as_array().expect("list").len()
        }
    };
    assert_eq!((listed("open").await, listed("closed").await, listed("open,closed").await), (0, 1, 1));
    let (status, xml) = get(&server, &path.replace(".json", ".xml")).await;
    assert_eq!(status, 200);
    assert!(xml.starts_with("<?xml") && xml.contains("<status_notes>Bins emptied</status_notes>"), "{xml}");
}

#[tokio::test]
async fn a_key_posts_to_its_own_district_only_until_revoked() {
    let server = TestServer::start().await;
    let (client_id, key) = issue_key(&server, 0).await;
    let post = |jurisdiction: String, district: usize, key: String| {
        let server = &server;
        async move {
            let service = server.category_id(district, 0);
            let form = [
                ("jurisdiction_id", jurisdiction.as_str()),
                ("api_key", key.as_str()),
                ("service_code", service.as_str()),
                ("address_string", "Quay Road 1"),
                ("description", "Broken bench"),
            ];
            form_post(server, "requests.json", &form).await
        }
    };
    let (status, body) = post(code(&server, 1), 1, key.clone()).await;
    assert_eq!(status, 403, "a key of dst_1 cannot post to dst_2: {body}");
    assert_eq!(json_of(&body)[0]["code"], 403);
    let (status, _) = post(code(&server, 0), 0, "o311k_".to_owned() + &"0".repeat(64)).await;
    assert_eq!(status, 403, "an unknown key");
    let (status, _) = post(code(&server, 0), 0, String::new()).await;
    assert_eq!(status, 403, "no key");
    let (status, body) = post(code(&server, 0), 1, key.clone()).await;
    assert_eq!(
        (status, json_of(&body)[0]["description"].as_str().is_some_and(|d| d.starts_with("service_code"))),
        (400, true),
        "another district's service: {body}"
    );
    let (status, body) = post(code(&server, 0), 0, key.clone()).await;
    assert_eq!(status, 200, "{body}");

    // Another district's admin neither issues for dst_1 nor sees or revokes its clients.
    let other = admin(&server, 1);
    let (code_, _) =
        server.error(Some(&other), CREATE_CLIENT, json!({ "district": server.district_id(0), "name": "x" })).await;
    assert_eq!(code_, "FORBIDDEN");
    let revoke = r#"mutation($id: ID!) { revokeOpen311Client(id: $id) { id revokedAt } }"#;
    let (code_, _) = server.error(Some(&other), revoke, json!({ "id": client_id })).await;
    assert_eq!(code_, "NOT_FOUND");
    let list = r#"query($d: ID!) { open311Clients(districtId: $d) { id name revokedAt } }"#;
    let (code_, _) = server.error(Some(&other), list, json!({ "d": server.district_id(0) })).await;
    assert_eq!(code_, "FORBIDDEN");

    let own = admin(&server, 0);
    let revoked = server.ok(Some(&own), revoke, json!({ "id": client_id })).await;
    assert!(revoked["revokeOpen311Client"]["revokedAt"].is_string());
    let clients = server.ok(Some(&own), list, json!({ "d": server.district_id(0) })).await;
    assert_eq!(clients["open311Clients"][0]["id"], client_id);
    let (status, body) = post(code(&server, 0), 0, key).await;
    assert_eq!(status, 403, "a revoked key: {body}");

    let audit = r#"query($d: ID) { auditLog(districtId: $d, first: 20) { edges { node { action subject } } } }"#;
    let log = server.ok(Some(&own), audit, json!({ "d": server.district_id(0) })).await.to_string();
    assert!(log.contains("open311.client_created") && log.contains("open311.client_revoked"), "{log}");
}

#[tokio::test]
async fn bad_requests_get_the_specifications_errors_in_both_formats() {
    let server = TestServer::start().await;
    let jurisdiction = code(&server, 0);
    let cases = [
        ("services.json".to_owned(), 400, "jurisdiction_id"),
        ("services.json?jurisdiction_id=atlantis".to_owned(), 404, "atlantis"),
        (format!("services/cat_999999.json?jurisdiction_id={jurisdiction}"), 404, "cat_999999"),
        (format!("services/{}.json?jurisdiction_id={jurisdiction}", server.category_id(1, 0)), 404, "service_code"),
        (format!("requests/T-1999-000001.json?jurisdiction_id={jurisdiction}"), 404, "T-1999-000001"),
        (format!("requests.json?jurisdiction_id={jurisdiction}&status=pending"), 400, "status"),
        (format!("requests.json?jurisdiction_id={jurisdiction}&start_date=yesterday"), 400, "start_date"),
        (format!("requests.json?jurisdiction_id={jurisdiction}&page_size=1001"), 400, "page_size"),
        (format!("requests.json?jurisdiction_id={jurisdiction}&page=101&page_size=1000"), 400, "page"),
        (format!("requests.json?jurisdiction_id={jurisdiction}&service_code=rubbish"), 400, "service_code"),
        (
            format!("requests.json?jurisdiction_id={jurisdiction}&service_code={}", ["cat_1"; 101].join(",")),
            400,
            "at most 100",
        ),
        (
            format!("requests.json?jurisdiction_id={jurisdiction}&service_request_id={}", ["T-1"; 1001].join(",")),
            400,
            "at most 1000",
        ),
        (format!("tokens/nope.json?jurisdiction_id={jurisdiction}"), 404, "token"),
        ("services.html".to_owned(), 404, "Open311"),
    ];
    for (path, status, said) in cases {
        let (got, body) = get(&server, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        let errors = json_of(&body);
        assert_eq!(errors[0]["code"], status, "{path}: {body}");
        assert!(errors[0]["description"].as_str().is_some_and(|text| text.contains(said)), "{path}: {body}");
        if path.contains(".json") {
            let (got, xml) = get(&server, &path.replacen(".json", ".xml", 1)).await;
            assert_eq!(got, status, "{path} as XML: {xml}");
            assert!(xml.contains(&format!("<errors><error><code>{status}</code><description>")), "{xml}");
        }
    }
    // Errors follow Accept-Language.
    let response = server
        .http
        .get(format!("{}/open311/v2/services.json?jurisdiction_id=atlantis", server.url))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .expect("get");
    let body = response.text().await.expect("body");
    assert!(body.contains("未知的 jurisdiction_id `atlantis`"), "{body}");
}
