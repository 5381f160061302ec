//! District plugins over HTTP: real components built from source (the C night-noise router, the
//! Python school deadline policy, WAT fault fixtures), installed through GraphQL, routing real
//! tickets; installation rights; a district's plugin never sees another district's tickets;
//! faults contained, with the ticket flow intact and the plugin disabled after repeated failures;
//! the Python escalation notifier acting on domain events after they commit.

use std::path::PathBuf;
use std::sync::OnceLock;

use base64::Engine as _;
use chrono::{DateTime, Duration, TimeZone, Utc};
use civitas_core::clock::Clock;
use civitas_plugins::build;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The C example router (as the repository ships it), base64-encoded once per test binary.
fn c_router() -> &'static str {
    static COMPONENT: OnceLock<String> = OnceLock::new();
    COMPONENT.get_or_init(|| {
        let bytes = std::fs::read(build::prebuilt_c_example("night-noise-router")).expect("the C router is shipped");
        base64::engine::general_purpose::STANDARD.encode(bytes)
    })
}

fn wat_router(name: &str) -> String {
    let bytes = build::component_from_wat(&build::fault_fixture(name), "ticket-router").expect("fixture builds");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Saturday 28 November 2026, 23:30 UTC (the test servers' time zone).
fn saturday_night() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 23, 30, 0).single().expect("valid time")
}

const INSTALL: &str = r#"
mutation Install($district: ID, $name: String!, $component: String, $config: String!, $hooks: [PluginHook!]!,
                 $limits: PluginLimitsInput) {
  installPlugin(districtId: $district, name: $name, component: $component, config: $config, hooks: $hooks,
                limits: $limits) {
    id name version districtId hooks enabled limits { fuel maxMemoryBytes }
  }
}"#;

const SUBMIT: &str = r#"
mutation Submit($input: SubmitTicketInput!) {
  submitTicket(input: $input) {
    id status priority respondBy resolveBy department { id }
    events { kind note departmentId }
  }
}"#;

const PLUGINS: &str = r#"
query Plugins($district: ID) {
  plugins(districtId: $district) {
    id name districtId enabled disabledReason consecutiveFailures
    stats { calls failures averageFuel averageWallMicros }
    recentCalls(first: 50) { districtId hook outcome detail fuelUsed wallMicros }
  }
}"#;

fn admin(server: &TestServer, district: usize) -> Who {
    Who::new("district_admin", &format!("admin-{district}")).in_district(server.district_id(district))
}

/// The demo's "Noise at night" category and "Public Order" department of a district.
fn noise(server: &TestServer, district: usize) -> (String, String) {
    (server.category_id(district, 8), server.department_id(district, 4))
}

fn router_config(server: &TestServer, district: usize) -> String {
    let (category, police) = noise(server, district);
    json!({ "noise_categories": [category], "police_department": police }).to_string()
}

fn install_vars(district: Option<String>, name: &str, component: &str, config: &str, hooks: &[&str]) -> Value {
    json!({ "district": district, "name": name, "component": component, "config": config, "hooks": hooks })
}

async fn install_router(server: &TestServer, who: &Who, district: Option<usize>, name: &str, config: &str) -> Value {
    let vars = install_vars(district.map(|d| server.district_id(d)), name, c_router(), config, &["TICKET_ROUTER"]);
    server.ok(Some(who), INSTALL, vars).await["installPlugin"].clone()
}

async fn submit(server: &TestServer, district: usize, category: &str, street: Option<&str>) -> Value {
    let resident = Who::new("resident", "res-1");
    let input = json!({ "input": {
        "districtId": server.district_id(district),
        "categoryId": category,
        "streetId": street,
        "title": "Loud music",
        "description": "A party next door since 22:00.",
        "channel": "APP",
    }});
    server.ok(Some(&resident), SUBMIT, input).await["submitTicket"].clone()
}

/// Installs a component in `who`'s district as version 1.0.0, uploaded as a multipart file
/// (GraphQL multipart request spec), as large components must be.
async fn upload(server: &TestServer, who: &Who, name: &str, bytes: Vec<u8>, config: &str, hook: &str) -> Value {
    let mutation = format!(
        "mutation($d: ID, $upload: Upload, $config: String!) {{ installPlugin(districtId: $d, name: \"{name}\", \
         upload: $upload, config: $config, hooks: [{hook}], version: \"1.0.0\") {{ id hooks version }} }}"
    );
    let operations = json!({ "query": mutation, "variables": { "d": who.district, "upload": null, "config": config } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.upload"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name("plugin.wasm"));
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .bearer_auth(who.token())
        .header("x-civitas-csrf", "1")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["installPlugin"].clone()
}

async fn plugins_of(server: &TestServer, who: &Who, district: usize) -> Vec<Value> {
    let data = server.ok(Some(who), PLUGINS, json!({ "district": server.district_id(district) })).await;
    data["plugins"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_c_router_dispatches_night_noise_in_its_own_district_only() {
    let server = TestServer::start_with_clock(Clock::manual(saturday_night())).await;
    let admin0 = admin(&server, 0);
    let plugin = install_router(&server, &admin0, Some(0), "night-noise", &router_config(&server, 0)).await;
    assert_eq!(plugin["enabled"], true);
    assert_eq!(plugin["hooks"], json!(["TICKET_ROUTER"]));
    assert_eq!(plugin["districtId"], server.district_id(0));
    let version = plugin["version"].as_str().expect("version").to_owned();
    assert!(version.starts_with("sha256-"), "{version}");

    let (category, police) = noise(&server, 0);
    let routed = submit(&server, 0, &category, None).await;
    assert_eq!(routed["status"], "DISPATCHED", "{routed}");
    assert_eq!(routed["department"]["id"], police);
    assert_eq!(routed["priority"], "HIGH");
    let notes: Vec<&str> =
        routed["events"].as_array().expect("events").iter().filter_map(|e| e["note"].as_str()).collect();
    let label = format!("routed by plugin night-noise@{version}");
    assert!(notes.iter().any(|note| note.contains(&label) && note.contains("night-noise")), "{notes:?}");

    // Not a noise complaint: no opinion, the normal flow.
    let rubbish = submit(&server, 0, &server.category_id(0, 0), None).await;
    assert_eq!(rubbish["status"], "RECEIVED", "{rubbish}");
    // Another district's noise complaint never reaches district 0's plugin.
    let elsewhere = submit(&server, 1, &noise(&server, 1).0, None).await;
    assert_eq!(elsewhere["status"], "RECEIVED", "{elsewhere}");
    // By day the router has no opinion.
    server.ctx.clock.advance(Duration::hours(12));
    let by_day = submit(&server, 0, &category, None).await;
    assert_eq!(by_day["status"], "RECEIVED", "{by_day}");

    let listed = plugins_of(&server, &admin0, 0).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let calls = listed[0]["recentCalls"].as_array().expect("calls");
    let outcomes: Vec<&str> = calls.iter().filter_map(|call| call["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["NO_OPINION", "NO_OPINION", "DECIDED"], "newest first: {calls:?}");
    assert!(calls.iter().all(|call| call["districtId"] == server.district_id(0)), "{calls:?}");
    assert!(calls.iter().all(|call| call["fuelUsed"].as_u64().unwrap_or(0) > 0), "{calls:?}");
    assert_eq!(listed[0]["stats"]["calls"], 3);
    assert_eq!(listed[0]["stats"]["failures"], 0);

    // Relay: the plugin and its calls are nodes for the district's admins only.
    let recent = "query($d: ID) { plugins(districtId: $d) { recentCalls(first: 1) { id } } }";
    let recent = server.ok(Some(&admin0), recent, json!({ "d": server.district_id(0) })).await;
    let call = recent["plugins"][0]["recentCalls"][0]["id"].as_str().expect("call id").to_owned();
    let node = "query($id: ID!) { node(id: $id) { __typename id } }";
    let plugin_id = plugin["id"].as_str().expect("id").to_owned();
    for (id, typename) in [(&plugin_id, "Plugin"), (&call, "PluginCall")] {
        let seen = server.ok(Some(&admin0), node, json!({ "id": id })).await;
        assert_eq!(seen["node"], json!({ "__typename": typename, "id": id }));
        let hidden = server.ok(Some(&admin(&server, 1)), node, json!({ "id": id })).await;
        assert_eq!(hidden["node"], Value::Null, "{typename} of another district");
    }

    // The same calls as metrics, for the city's monitoring only.
    let metrics = |who: Option<Who>| {
        let request = reqwest::Client::new().get(format!("{}/metrics", server.url));
        let request = match who {
            Some(who) => request.bearer_auth(who.token()),
            None => request,
        };
        async move {
            let response = request.send().await.expect("metrics");
            (response.status().as_u16(), response.text().await.expect("text"))
        }
    };
    assert_eq!(metrics(None).await.0, 401);
    assert_eq!(metrics(Some(admin0.clone())).await.0, 403);
    let (status, text) = metrics(Some(Who::new("city_admin", "mayor"))).await;
    assert_eq!(status, 200);
    let labels = format!(
        "plugin_id=\"{}\",plugin=\"night-noise@{version}\",district=\"{}\",hook=\"ticket-router\"",
        plugin["id"].as_str().expect("id"),
        server.district_id(0)
    );
    assert!(text.contains(&format!("civitas_plugin_calls_total{{{labels},outcome=\"DECIDED\"}} 1")), "{text}");
    assert!(text.contains(&format!("civitas_plugin_calls_total{{{labels},outcome=\"NO_OPINION\"}} 2")), "{text}");
}

#[tokio::test]
async fn only_a_districts_admin_manages_its_plugins_and_city_defaults_yield_to_them() {
    let server = TestServer::start_with_clock(Clock::manual(saturday_night())).await;
    let (admin0, admin1) = (admin(&server, 0), admin(&server, 1));
    let mayor = Who::new("city_admin", "mayor");
    let config = router_config(&server, 0);
    let into_0 = install_vars(Some(server.district_id(0)), "r", c_router(), &config, &["TICKET_ROUTER"]);
    let strangers = [
        admin1.clone(),
        Who::new("operator", "op"),
        Who::new("resident", "res"),
        Who::new("department_staff", "st").in_district(server.district_id(0)).in_department(server.department_id(0, 4)),
    ];
    for who in &strangers {
        let (code, body) = server.error(Some(who), INSTALL, into_0.clone()).await;
        assert_eq!(code, "FORBIDDEN", "{who:?}: {body}");
    }
    let (code, _) = server.error(None, INSTALL, into_0.clone()).await;
    assert_eq!(code, "UNAUTHENTICATED");
    let city_wide = install_vars(None, "r", c_router(), &config, &["TICKET_ROUTER"]);
    let (code, _) = server.error(Some(&admin0), INSTALL, city_wide).await;
    assert_eq!(code, "FORBIDDEN", "a district admin cannot install city-wide");

    for (vars, field) in [
        (install_vars(Some(server.district_id(0)), "r", "%%%not base64", &config, &["TICKET_ROUTER"]), "component"),
        (install_vars(Some(server.district_id(0)), "r", "aGVsbG8=", &config, &["TICKET_ROUTER"]), "component"),
        (install_vars(Some(server.district_id(0)), "r", c_router(), &config, &["DEADLINE_POLICY"]), "hooks"),
        (install_vars(Some(server.district_id(0)), "r", c_router(), "{not json", &["TICKET_ROUTER"]), "config"),
    ] {
        let (code, body) = server.error(Some(&admin0), INSTALL, vars).await;
        assert_eq!(
            (code.as_str(), body["errors"][0]["extensions"]["field"].as_str()),
            ("BAD_USER_INPUT", Some(field)),
            "{body}"
        );
    }

    let own = install_router(&server, &admin0, Some(0), "night-noise", &config).await;
    let id = own["id"].as_str().expect("id").to_owned();
    let (code, _) = server.error(Some(&admin1), PLUGINS, json!({ "district": server.district_id(0) })).await;
    assert_eq!(code, "FORBIDDEN", "district 1 cannot list district 0's plugins");
    assert!(plugins_of(&server, &admin1, 1).await.is_empty(), "district 0's plugin is not listed in district 1");
    for mutation in ["disablePlugin", "enablePlugin", "uninstallPlugin"] {
        let selection = if mutation == "uninstallPlugin" { "" } else { "{ id }" };
        let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {selection} }}");
        let (code, body) = server.error(Some(&admin1), &query, json!({ "id": id })).await;
        assert_eq!(code, "NOT_FOUND", "{mutation}: {body}");
    }

    // A city-wide default routes where a district has no router of its own; district 0's own
    // router wins in district 0; where the default names another district's department, the
    // domain refuses the answer and the ticket follows the normal flow.
    let default = install_router(&server, &mayor, None, "city-night-noise", &router_config(&server, 1)).await;
    assert_eq!(default["districtId"], Value::Null);
    let in_1 = submit(&server, 1, &noise(&server, 1).0, None).await;
    assert_eq!(
        (in_1["status"].as_str(), in_1["department"]["id"].as_str()),
        (Some("DISPATCHED"), Some(noise(&server, 1).1.as_str()))
    );
    let in_0 = submit(&server, 0, &noise(&server, 0).0, None).await;
    assert_eq!(in_0["department"]["id"], noise(&server, 0).1, "{in_0}");
    let in_2 = submit(&server, 2, &noise(&server, 2).0, None).await;
    assert_eq!(in_2["status"], "RECEIVED", "{in_2}");

    // Disable, enable, uninstall.
    let disabled = server
        .ok(
            Some(&admin0),
            "mutation($id: ID!) { disablePlugin(id: $id, reason: \"testing\") { enabled disabledReason } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(disabled["disablePlugin"], json!({ "enabled": false, "disabledReason": "testing" }));
    let (category, police) = noise(&server, 0);
    // The city default still applies in district 0, and names a district 1 department: refused.
    assert_eq!(submit(&server, 0, &category, None).await["status"], "RECEIVED");
    server.ok(Some(&admin0), "mutation($id: ID!) { enablePlugin(id: $id) { enabled } }", json!({ "id": id })).await;
    assert_eq!(submit(&server, 0, &category, None).await["department"]["id"], police);
    let removed =
        server.ok(Some(&admin0), "mutation($id: ID!) { uninstallPlugin(id: $id) }", json!({ "id": id })).await;
    assert_eq!(removed["uninstallPlugin"], id);
    let left: Vec<Value> = plugins_of(&server, &admin0, 0).await;
    assert_eq!(left.iter().map(|p| p["name"].clone()).collect::<Vec<_>>(), [json!("city-night-noise")]);
    // The city-wide plugin was called on tickets of districts 0, 1 and 2; district 0's admin
    // reads only the records of calls on district 0's tickets.
    let calls = left[0]["recentCalls"].as_array().expect("calls");
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|call| call["districtId"] == server.district_id(0)), "{calls:?}");
    assert_eq!(left[0]["stats"]["calls"].as_u64(), Some(calls.len() as u64));
    let mayor_view = server.ok(Some(&mayor), PLUGINS, json!({ "district": server.district_id(0) })).await;
    let all_calls = mayor_view["plugins"][0]["stats"]["calls"].as_u64().unwrap_or(0);
    assert!(all_calls > calls.len() as u64, "the city admin sees every district's calls: {mayor_view}");
}

#[tokio::test]
async fn faulty_routers_are_contained_and_a_failing_one_is_disabled() {
    let server = TestServer::start_with_clock(Clock::manual(saturday_night())).await;
    let admin0 = admin(&server, 0);
    let (category, _) = noise(&server, 0);
    for (fixture, limits, expected) in [
        ("infinite_loop", json!({ "fuel": 1_000_000 }), "fuel"),
        ("memory_bomb", json!({ "maxMemoryBytes": 1_048_576 }), "memory"),
        ("huge_output", json!({ "maxOutputBytes": 1024 }), "answer is"),
        ("trap", json!(null), "trapped"),
    ] {
        let mut vars =
            install_vars(Some(server.district_id(0)), fixture, &wat_router(fixture), "{}", &["TICKET_ROUTER"]);
        vars["limits"] = limits;
        let plugin = server.ok(Some(&admin0), INSTALL, vars).await["installPlugin"].clone();
        let id = plugin["id"].as_str().expect("id").to_owned();
        let ticket = submit(&server, 0, &category, None).await;
        assert_eq!(ticket["status"], "RECEIVED", "{fixture}: the ticket follows the normal flow: {ticket}");
        let listed = plugins_of(&server, &admin0, 0).await;
        let calls = &listed[0]["recentCalls"];
        assert_eq!(calls[0]["outcome"], "TRAP", "{fixture}: {calls}");
        let detail = calls[0]["detail"].as_str().unwrap_or("");
        assert!(detail.contains(expected), "{fixture}: {detail}");
        if fixture != "trap" {
            server.ok(Some(&admin0), "mutation($id: ID!) { uninstallPlugin(id: $id) }", json!({ "id": id })).await;
        }
    }
    // The trapping router stays installed: four more failures (five in a row) disable it.
    for _ in 0..4 {
        assert_eq!(submit(&server, 0, &category, None).await["status"], "RECEIVED");
    }
    let listed = plugins_of(&server, &admin0, 0).await;
    assert_eq!(listed[0]["enabled"], false, "{listed:?}");
    let reason = listed[0]["disabledReason"].as_str().unwrap_or("");
    assert!(reason.contains("5 consecutive failures") && reason.contains("trapped"), "{reason}");
    assert_eq!(listed[0]["stats"]["failures"], 5);
    // Disabled, it is no longer called.
    submit(&server, 0, &category, None).await;
    assert_eq!(plugins_of(&server, &admin0, 0).await[0]["stats"]["calls"], 5);
}

#[tokio::test]
async fn a_python_deadline_policy_uploaded_as_multipart_sets_deadlines_at_dispatch() {
    let server = TestServer::start_with_clock(Clock::manual(saturday_night())).await;
    let admin0 = admin(&server, 0);
    let operator = Who::new("operator", "op-1");
    let bytes = build::build_python(
        &build::example_dir("school-deadline-policy"),
        &build::wit_dir(),
        "deadline-policy",
        build::PythonWasi::Stubbed,
        &scratch("py-venv"),
        &scratch("graphql-py-deadlines"),
    )
    .expect("Python policy builds");
    let streets = server
        .ok(Some(&admin0), "query($d: ID!) { streets(districtId: $d) { id } }", json!({ "d": server.district_id(0) }))
        .await;
    let school_street = streets["streets"][0]["id"].as_str().expect("a street").to_owned();
    let config = json!({ "school_streets": [school_street], "resolve_within_hours": 24 }).to_string();

    let installed = upload(&server, &admin0, "school-deadlines", bytes, &config, "DEADLINE_POLICY").await;
    assert_eq!(installed["hooks"], json!(["DEADLINE_POLICY"]));

    // A pothole on the school street: the category gives 24 h / 168 h from submission.
    let pothole = server.category_id(0, 3);
    let ticket = submit(&server, 0, &pothole, Some(&school_street)).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    server.ctx.clock.advance(Duration::minutes(10));
    let dispatched_at = server.ctx.clock.now();
    let dispatch = "mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status respondBy resolveBy events { kind note } } }";
    let data = server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(0, 1) })).await;
    let dispatched = &data["dispatchTicket"];
    assert_eq!(dispatched["status"], "DISPATCHED");
    let due = |field: &str| {
        dispatched[field].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
    };
    // Resolve within 24 h of dispatch; respond by then at the latest (the category's 24 h from
    // submission is earlier and stays).
    assert_eq!(due("resolveBy"), Some(dispatched_at + Duration::hours(24)), "{dispatched}");
    assert_eq!(due("respondBy"), Some(saturday_night() + Duration::hours(24)), "{dispatched}");
    let notes: Vec<&str> =
        dispatched["events"].as_array().expect("events").iter().filter_map(|e| e["note"].as_str()).collect();
    assert!(notes.iter().any(|note| note.contains("deadlines set by plugin school-deadlines@1.0.0")), "{notes:?}");

    // Another street keeps the category's deadlines.
    let other = submit(&server, 0, &pothole, streets["streets"][1]["id"].as_str()).await;
    let data =
        server.ok(Some(&operator), dispatch, json!({ "id": other["id"], "dep": server.department_id(0, 1) })).await;
    let now = server.ctx.clock.now();
    let resolve_by = data["dispatchTicket"]["resolveBy"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    assert_eq!(resolve_by.map(|t| t.with_timezone(&Utc)), Some(now + Duration::hours(168)));
}

#[tokio::test]
async fn a_python_listener_tells_the_supervisors_of_its_own_district_about_escalated_tickets() {
    let server = TestServer::start_with_clock(Clock::manual(saturday_night())).await;
    let admin0 = admin(&server, 0);
    let operator = Who::new("operator", "op-1");
    let bytes = build::build_python(
        &build::example_dir("escalation-notifier"),
        &build::wit_dir(),
        "event-listener",
        build::PythonWasi::Imported,
        &scratch("py-venv"),
        &scratch("graphql-py-notifier"),
    )
    .expect("Python listener builds");
    let supervisors = server.department_id(0, 2);
    let comment = "Sorry for the delay: a supervisor has been told.";
    let config = json!({ "supervisor_department": supervisors, "comment": comment }).to_string();
    let delivery = server.deliver_events().await;
    let installed = upload(&server, &admin0, "escalation-notifier", bytes, &config, "EVENT_LISTENER").await;
    assert_eq!(installed["hooks"], json!(["EVENT_LISTENER"]));
    // The supervisors' staff follow their notifications live.
    let _feed = civitas_core::background::spawn_feed(&server.ctx);
    let watcher =
        Who::new("department_staff", "supervisor-live").in_district(server.district_id(0)).in_department(&supervisors);
    let mut live = crate::live::Subscriber::on(
        &server.url,
        &watcher,
        "subscription($dep: ID!) { notificationAdded(departmentId: $dep) { ticketId message } }",
        json!({ "dep": supervisors }),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.ctx.feed.readers() == 0 {
        assert!(std::time::Instant::now() < deadline, "the subscription did not open");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // One ticket in each of two districts, dispatched, then left alone past the response deadline.
    let dispatch = "mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { id } }";
    let mut ids = Vec::new();
    for district in [0, 1] {
        let ticket = submit(&server, district, &server.category_id(district, 0), None).await;
        let vars = json!({ "id": ticket["id"], "dep": server.department_id(district, 1) });
        server.ok(Some(&operator), dispatch, vars).await;
        ids.push(ticket["id"].as_str().expect("id").to_owned());
    }
    server.ctx.clock.advance(Duration::hours(30));
    let swept = civitas_core::tickets::sweep(&server.ctx).await.expect("sweep");
    // Category 0 gives 24 h to respond and less than 30 h to resolve: both deadlines are missed.
    assert_eq!((swept.response_escalations, swept.resolution_escalations), (2, 2));

    let staff =
        Who::new("department_staff", "supervisor-0").in_district(server.district_id(0)).in_department(&supervisors);
    let inbox = "query($dep: ID!) { departmentNotifications(departmentId: $dep) { ticketId message sentBy } }";
    let mut notifications = Vec::new();
    for _ in 0..600 {
        let data = server.ok(Some(&staff), inbox, json!({ "dep": supervisors })).await;
        notifications = data["departmentNotifications"].as_array().cloned().unwrap_or_default();
        if notifications.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let notification = |reason: &str| {
        json!({
            "ticketId": ids[0],
            "message": format!("Ticket {}: {reason} deadline missed.", ids[0]),
            "sentBy": "plugin escalation-notifier@1.0.0",
        })
    };
    assert_eq!(notifications, [notification("resolution"), notification("response")], "newest first");
    let first = live.data().await["notificationAdded"].clone();
    let second = live.data().await["notificationAdded"].clone();
    let message = |n: &Value| json!({ "ticketId": n["ticketId"], "message": n["message"] });
    assert_eq!(
        [first, second],
        [message(&notification("response")), message(&notification("resolution"))],
        "live, oldest first"
    );
    // Relay: a notification is a node for its department, not for another's staff.
    let with_id = "query($dep: ID!) { departmentNotifications(departmentId: $dep, first: 1) { id } }";
    let latest = server.ok(Some(&staff), with_id, json!({ "dep": supervisors })).await;
    let latest = latest["departmentNotifications"][0]["id"].as_str().expect("id").to_owned();
    let node = "query($id: ID!) { node(id: $id) { __typename } }";
    assert_eq!(server.ok(Some(&staff), node, json!({ "id": latest })).await["node"]["__typename"], "Notification");
    let elsewhere = Who::new("department_staff", "s-1")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0));
    assert_eq!(server.ok(Some(&elsewhere), node, json!({ "id": latest })).await["node"], Value::Null);
    let events = "query($id: ID!) { ticket(id: $id) { events { kind note } } }";
    let timeline = server.ok(Some(&operator), events, json!({ "id": ids[0] })).await;
    let timeline = timeline["ticket"]["events"].as_array().cloned().unwrap_or_default();
    assert!(timeline.contains(&json!({ "kind": "TAGGED", "note": "overdue (by plugin escalation-notifier@1.0.0)" })));
    let apology = format!("plugin escalation-notifier@1.0.0: {comment}");
    assert!(timeline.contains(&json!({ "kind": "COMMENTED", "note": apology })), "{timeline:?}");

    // District 1 has no listener: its escalated ticket is untouched, and the district 0 plugin
    // was only ever called with district 0's events.
    let other = server.ok(Some(&operator), events, json!({ "id": ids[1] })).await;
    let kinds: Vec<&str> =
        other["ticket"]["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["SUBMITTED", "DISPATCHED", "ESCALATED", "ESCALATED"]);
    let plugins = plugins_of(&server, &admin0, 0).await;
    let calls = plugins[0]["recentCalls"].as_array().cloned().unwrap_or_default();
    assert_eq!(calls.len(), 5, "its own installation, submitted, dispatched, escalated twice: {calls:?}");
    assert!(calls.iter().all(|call| call["districtId"] == server.district_id(0) && call["hook"] == "EVENT_LISTENER"));

    // Another district's staff cannot read the supervisors' notifications.
    let stranger = Who::new("department_staff", "staff-1")
        .in_district(server.district_id(1))
        .in_department(server.department_id(1, 2));
    let (code, _) = server.error(Some(&stranger), inbox, json!({ "dep": supervisors })).await;
    assert_eq!(code, "FORBIDDEN");
    drop(delivery);
}
