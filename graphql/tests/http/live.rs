//! Subscriptions end to end, as a deployment runs them: two `civitas serve` processes on one
//! database and one Redis (started by the test, so that it can be killed), and the npm
//! `graphql-ws` client under node. A change committed through instance A reaches a subscriber
//! of instance B through Redis (the instances' own polling is set to a minute, so nothing else
//! could carry it in time); subscriptions are scoped like queries; a subscriber resumes from a
//! cursor; a Redis outage fails no mutation, and fan-out resumes when Redis returns.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use civitas_core::testing::TestDatabase;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::support::{SECRET, Who};

const BINARY: &str = env!("CARGO_BIN_EXE_civitas");
const PATIENCE: Duration = Duration::from_secs(20);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The graphql-ws client script with its npm packages installed beside it (once per build).
fn graphql_ws_client() -> PathBuf {
    static INSTALLED: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut installed = INSTALLED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(script) = installed.as_ref() {
        return script.clone();
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("graphql-ws-client");
    std::fs::create_dir_all(&dir).expect("client dir");
    if !dir.join("node_modules/graphql-ws/package.json").exists() {
        std::fs::write(
            dir.join("package.json"),
            r#"{ "name": "civitas-graphql-ws-test", "private": true, "type": "module" }"#,
        )
        .expect("package.json");
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "graphql-ws@6.0.4", "ws@8.18.0", "graphql@16.9.0"])
            .current_dir(&dir)
            .status()
            .expect("npm (needs Node.js and the npm registry)");
        assert!(status.success(), "npm install of the graphql-ws client failed");
    }
    let script = dir.join("subscribe.mjs");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/graphql_ws_subscribe.mjs"), &script)
        .expect("copy the client script");
    *installed = Some(script.clone());
    script
}

/// One subscription of the npm client: its lines as they come.
pub(crate) struct Subscriber {
    child: std::process::Child,
    lines: mpsc::UnboundedReceiver<Value>,
}

impl Subscriber {
    fn start(instance: &Instance, who: Option<&Who>, query: &str, variables: Value) -> Subscriber {
        Self::start_copies(instance, who, query, variables, 1)
    }

    /// One subscription of `who` to the server at `http_url` (an in-process test server).
    pub(crate) fn on(http_url: &str, who: &Who, query: &str, variables: Value) -> Subscriber {
        let url = format!("{}/graphql", http_url.replacen("http://", "ws://", 1));
        Self::spawn(&url, &who.token(), query, variables, 1)
    }

    /// `copies` subscriptions on one connection.
    fn start_copies(instance: &Instance, who: Option<&Who>, query: &str, variables: Value, copies: u32) -> Subscriber {
        let token = who.map_or_else(|| "-".to_owned(), Who::token);
        Self::spawn(&instance.ws_url(), &token, query, variables, copies)
    }

    /// With `token` as it is, valid or not.
    fn start_raw(instance: &Instance, token: &str, query: &str) -> Subscriber {
        Self::spawn(&instance.ws_url(), token, query, json!({}), 1)
    }

    fn spawn(url: &str, token: &str, query: &str, variables: Value, copies: u32) -> Subscriber {
        let mut child = Command::new("node")
            .arg(graphql_ws_client())
            .arg(url)
            .arg(token)
            .arg(query)
            .arg(variables.to_string())
            .arg(copies.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or_else(|_| json!({ "unreadable": line }));
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        Subscriber { child, lines }
    }

    /// The next line, failing the test if none comes in time.
    async fn next(&mut self) -> Value {
        tokio::time::timeout(PATIENCE, self.lines.recv())
            .await
            .expect("a message in time")
            .expect("the client is still running")
    }

    /// The next `next` message's data (after `connected`).
    pub(crate) async fn data(&mut self) -> Value {
        loop {
            let line = self.next().await;
            if line.get("connected").is_some() {
                continue;
            }
            let next = line.get("next").unwrap_or_else(|| panic!("expected data, got {line}"));
            assert!(next.get("errors").is_none(), "{next}");
            return next["data"].clone();
        }
    }

    /// The errors of a refused subscription.
    async fn refusal(&mut self) -> Value {
        loop {
            let line = self.next().await;
            if line.get("connected").is_some() {
                continue;
            }
            return line.get("error").cloned().or_else(|| line["next"].get("errors").cloned()).unwrap_or(line);
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = stdin.flush();
        }
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis of the test's own (so that it can be killed and restarted on its port).
struct Redis {
    port: u16,
    child: Option<std::process::Child>,
}

impl Redis {
    fn start(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package)");
        let deadline = std::time::Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Redis { port, child: Some(child) }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One `civitas serve` process.
struct Instance {
    port: u16,
    child: std::process::Child,
    http: reqwest::Client,
    /// Where the server's log goes, so that a failing request shows why the server failed it.
    log: PathBuf,
}

impl Instance {
    async fn start(database_url: &str, data_dir: &Path, redis: &Redis, prefix: &str, demo: bool) -> Instance {
        Self::start_with(database_url, data_dir, redis, prefix, demo, &[]).await
    }

    async fn start_with(
        database_url: &str,
        data_dir: &Path,
        redis: &Redis,
        prefix: &str,
        demo: bool,
        extra: &[&str],
    ) -> Instance {
        let port = free_port();
        std::fs::create_dir_all(data_dir).expect("data dir");
        let log = data_dir.join(format!("civitas-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", database_url])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--jwt-secret", std::str::from_utf8(SECRET).expect("utf8")])
            .args(["--redis-url", &redis.url(), "--redis-prefix", prefix])
            // Only Redis can carry a change to the other instance within the test's patience.
            .args(["--live-poll-interval-ms", "600000"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        if demo {
            command.arg("--demo");
        }
        let mut child = command.spawn().expect("civitas serve");
        let stdout = child.stdout.take().expect("stdout");
        let started = tokio::task::spawn_blocking(move || {
            BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.contains("listening on"))
        });
        assert!(tokio::time::timeout(Duration::from_secs(60), started).await.expect("started in time").expect("read"));
        Instance { port, child, http: reqwest::Client::new(), log }
    }

    fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/graphql", self.port)
    }

    async fn post(&self, who: &Who, query: &str, variables: Value) -> Value {
        let body: Value = self
            .http
            .post(format!("http://127.0.0.1:{}/graphql", self.port))
            .bearer_auth(who.token())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("post")
            .json()
            .await
            .expect("json");
        assert!(body.get("errors").is_none(), "{body}\n--- the server's log ---\n{}", self.log_tail());
        body["data"].clone()
    }

    /// The end of the server's log (warnings and errors).
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    async fn metric(&self, name: &str) -> Option<i64> {
        let text = self
            .http
            .get(format!("http://127.0.0.1:{}/metrics", self.port))
            .bearer_auth(Who::new("city_admin", "metrics").token())
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines().find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
    }

    /// Waits until `name` reads `value` (e.g. the subscriptions open, Redis reachable).
    async fn await_metric(&self, name: &str, value: i64) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let now = self.metric(name).await;
            if now == Some(value) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{name} stayed {now:?}, not {value}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SUBMIT: &str = r#"mutation($district: ID!, $category: ID!) {
  submitTicket(input: { districtId: $district, categoryId: $category, title: "Lamp out", description: "Dark corner", channel: PHONE }) { id }
}"#;
const DISPATCH: &str =
    "mutation($id: ID!, $department: ID!) { dispatchTicket(id: $id, departmentId: $department) { id } }";
const QUEUE: &str = r#"subscription($district: ID!, $department: ID, $after: String) {
  ticketEvents(districtId: $district, departmentId: $department, after: $after) {
    cursor event { kind } ticket { id status district { id } }
  }
}"#;

#[tokio::test]
async fn changes_on_one_instance_reach_subscribers_of_another_through_redis_scoped_resumable_and_through_an_outage() {
    let database = TestDatabase::new().await.expect("database");
    let data_dir = std::env::temp_dir().join(format!("civitas-live-{}", uuid::Uuid::new_v4().simple()));
    let mut redis = Redis::start(free_port());
    let prefix = format!("civitas-test-{}", uuid::Uuid::new_v4().simple());
    let a = Instance::start(&database.url, &data_dir, &redis, &prefix, true).await;
    let b = Instance::start(&database.url, &data_dir, &redis, &prefix, false).await;
    b.await_metric("civitas_redis_up", 1).await;

    let operator = Who::new("operator", "op-live");
    let city = a.post(&operator, "{ districts { id departments { id } categories { id } } }", json!({})).await;
    let district = |index: usize| city["districts"][index]["id"].as_str().expect("district").to_owned();
    let department = |index: usize| city["districts"][index]["departments"][0]["id"].as_str().expect("dep").to_owned();
    let category = |index: usize| city["districts"][index]["categories"][0]["id"].as_str().expect("cat").to_owned();
    let staff_1 = Who::new("department_staff", "staff-1").in_district(district(0)).in_department(department(0));
    let staff_2 = Who::new("department_staff", "staff-2").in_district(district(1)).in_department(department(1));

    // Tenancy: another district's queue is refused with a code; nothing is opened.
    let mut intruder =
        Subscriber::start(&b, Some(&staff_2), QUEUE, json!({ "district": district(0), "department": department(0) }));
    let refusal = intruder.refusal().await;
    assert_eq!(refusal[0]["extensions"]["code"], "FORBIDDEN", "{refusal}");
    let mut anonymous = Subscriber::start(&b, None, QUEUE, json!({ "district": district(0) }));
    assert_eq!(anonymous.refusal().await[0]["extensions"]["code"], "UNAUTHENTICATED");

    let mut queue_1 =
        Subscriber::start(&b, Some(&staff_1), QUEUE, json!({ "district": district(0), "department": department(0) }));
    let mut queue_2 =
        Subscriber::start(&b, Some(&staff_2), QUEUE, json!({ "district": district(1), "department": department(1) }));
    b.await_metric("civitas_live_readers", 2).await;

    // A change on A reaches B's subscriber through Redis.
    let ticket = a.post(&operator, SUBMIT, json!({ "district": district(0), "category": category(0) })).await;
    let ticket = ticket["submitTicket"]["id"].as_str().expect("id").to_owned();
    a.post(&operator, DISPATCH, json!({ "id": ticket, "department": department(0) })).await;
    let first = queue_1.data().await;
    let second = queue_1.data().await;
    let kinds = [&first, &second].map(|data| data["ticketEvents"]["event"]["kind"].clone());
    assert_eq!(kinds, [json!("SUBMITTED"), json!("DISPATCHED")], "{first} {second}");
    assert_eq!(second["ticketEvents"]["ticket"]["id"], ticket.as_str());
    assert_eq!(second["ticketEvents"]["ticket"]["status"], "DISPATCHED");
    let cursor = second["ticketEvents"]["cursor"].as_str().expect("cursor").to_owned();

    // The other district's queue heard nothing of it: its first message is its own ticket.
    let other = a.post(&operator, SUBMIT, json!({ "district": district(1), "category": category(1) })).await;
    let other = other["submitTicket"]["id"].as_str().expect("id").to_owned();
    a.post(&operator, DISPATCH, json!({ "id": other, "department": department(1) })).await;
    let heard = queue_2.data().await;
    assert_eq!(heard["ticketEvents"]["ticket"]["id"], other.as_str(), "{heard}");
    assert_eq!(heard["ticketEvents"]["ticket"]["district"]["id"], district(1).as_str());
    drop(queue_2);

    // Resuming from a cursor: what was committed while away comes first.
    drop(queue_1);
    b.await_metric("civitas_live_readers", 0).await;
    a.post(&staff_1, "mutation($id: ID!) { acceptTicket(id: $id) { id } }", json!({ "id": ticket })).await;
    let mut resumed = Subscriber::start(
        &b,
        Some(&staff_1),
        QUEUE,
        json!({ "district": district(0), "department": department(0), "after": cursor }),
    );
    let missed = resumed.data().await;
    assert_eq!(missed["ticketEvents"]["event"]["kind"], "ACCEPTED", "{missed}");
    drop(resumed);

    // ticketUpdated, through a Redis outage: the mutation succeeds, and the subscriber hears of
    // it once Redis is back.
    let mut updates = Subscriber::start(
        &b,
        Some(&staff_1),
        "subscription($id: ID!) { ticketUpdated(id: $id) { id status } }",
        json!({ "id": ticket }),
    );
    b.await_metric("civitas_live_readers", 1).await;
    a.post(
        &staff_1,
        r#"mutation($id: ID!) { commentOnTicket(id: $id, body: "on our way") { id } }"#,
        json!({ "id": ticket }),
    )
    .await;
    assert_eq!(updates.data().await["ticketUpdated"]["status"], "ACCEPTED");

    redis.kill();
    let resolved = a
        .post(
            &staff_1,
            r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Fixed") { status } }"#,
            json!({ "id": ticket }),
        )
        .await;
    assert_eq!(resolved["resolveTicket"]["status"], "RESOLVED", "a mutation succeeds while Redis is down");
    a.await_metric("civitas_redis_up", 0).await;
    b.await_metric("civitas_redis_up", 0).await;
    let _redis = Redis::start(redis.port);
    b.await_metric("civitas_redis_up", 1).await;
    let after_outage = updates.data().await;
    assert_eq!(after_outage["ticketUpdated"]["status"], "RESOLVED", "{after_outage}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn a_connection_holds_a_bounded_number_of_subscriptions_and_a_bad_token_is_refused() {
    let database = TestDatabase::new().await.expect("database");
    let data_dir = std::env::temp_dir().join(format!("civitas-live-{}", uuid::Uuid::new_v4().simple()));
    let redis = Redis::start(free_port());
    let server =
        Instance::start_with(&database.url, &data_dir, &redis, "civitas-bound", true, &["--ws-max-subscriptions", "3"])
            .await;
    let operator = Who::new("operator", "op-bound");
    let demo = server.post(&operator, "{ tickets(first: 1) { edges { node { id } } } }", json!({})).await;
    let ticket = demo["tickets"]["edges"][0]["node"]["id"].clone();

    // Four on one connection: three open, the fourth is refused with a code.
    let mut four = Subscriber::start_copies(
        &server,
        Some(&operator),
        "subscription($id: ID!) { ticketUpdated(id: $id) { id } }",
        json!({ "id": ticket }),
        4,
    );
    let refusal = four.refusal().await;
    assert_eq!(refusal[0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{refusal}");
    server.await_metric("civitas_live_readers", 3).await;
    drop(four);
    server.await_metric("civitas_live_readers", 0).await;

    // A token that does not verify closes the connection at connection_init, saying why.
    let mut forged =
        Subscriber::start_raw(&server, "not-a-token", "subscription { ticketUpdated(id: \"tkt_1\") { id } }");
    let closed = forged.next().await;
    assert_eq!(closed["closed"]["code"], 1002, "{closed}");
    assert_eq!(closed["closed"]["reason"], "the token is invalid", "{closed}");
    server.await_metric("civitas_live_readers", 0).await;

    // A message over 64 KiB is not read: the connection ends, nothing is subscribed.
    let padding = "#".repeat(70 * 1024);
    let huge = format!("subscription {{ ticketUpdated(id: \"tkt_1\") {{ id }} }}\n{padding}");
    let mut oversized = Subscriber::start_raw(&server, &operator.token(), &huge);
    let mut ended = oversized.next().await;
    while ended.get("connected").is_some() {
        ended = oversized.next().await;
    }
    assert!(ended.get("closed").is_some(), "{ended}");
    assert_ne!(ended["closed"]["code"], 1000, "not a normal close: {ended}");
    server.await_metric("civitas_live_readers", 0).await;
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Waits until `server`'s feed has `readers` subscriptions.
async fn await_readers(server: &crate::support::TestServer, readers: usize) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while server.ctx.feed.readers() != readers {
        assert!(tokio::time::Instant::now() < deadline, "{} readers, not {readers}", server.ctx.feed.readers());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn survey_response_counts_and_budget_turnout_are_live_and_only_totals() {
    let server = crate::support::TestServer::start().await;
    let _feed = civitas_core::background::spawn_feed(&server.ctx);
    let admin = crate::surveys::admin(&server, 0);
    let name = json!({ "en": "Q", "zhHans": "问", "zhHant": "問" });
    let input = json!({ "input": {
        "districtId": server.district_id(0), "title": name, "audience": "EVERYONE", "anonymity": "ANONYMOUS",
        "resultsVisibility": "LIVE",
        "questions": [{ "key": "q", "type": "SINGLE_CHOICE", "text": name, "required": true,
                        "options": [{ "key": "yes", "text": name }, { "key": "no", "text": name }] }] } });
    let created = server
        .ok(Some(&admin), "mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { id } }", input)
        .await;
    let survey = created["createSurvey"]["id"].as_str().expect("id").to_owned();
    server.ok(Some(&admin), "mutation($id: ID!) { openSurvey(id: $id) { status } }", json!({ "id": survey })).await;

    let mut count = Subscriber::on(
        &server.url,
        &admin,
        "subscription($id: ID!) { surveyResponseCount(surveyId: $id) }",
        json!({ "id": survey }),
    );
    assert_eq!(count.data().await["surveyResponseCount"], 0, "the count now, first");
    for (n, resident) in ["r-1", "r-2"].into_iter().enumerate() {
        let answer = "mutation($id: ID!) { submitSurveyResponse(surveyId: $id, answers: [{ question: \"q\", choices: [\"yes\"] }]) { id } }";
        server.ok(Some(&Who::new("resident", resident)), answer, json!({ "id": survey })).await;
        assert_eq!(count.data().await["surveyResponseCount"], n + 1);
    }
    drop(count);
    await_readers(&server, 0).await;

    // Turnout only: the subscription's type has no per-project field at all.
    let budget = crate::budget::voting_process(&server).await;
    let turnout = "subscription($id: ID!) { budgetTurnout(processId: $id) { total byChannel { channel count } } }";
    let mut live =
        Subscriber::on(&server.url, &Who::new("resident", "watcher"), turnout, json!({ "id": budget.process }));
    assert_eq!(live.data().await["budgetTurnout"]["total"], 0);
    crate::budget::cast_one(&server, &budget, "voter-1").await;
    let after = live.data().await;
    assert_eq!(after["budgetTurnout"]["total"], 1, "{after}");
}

/// The cost guard stands before the schema on a WebSocket too: a subscription document of 13
/// fragments, each spreading the previous one twice, expands to 8,192 root fields and is refused by
/// the guard (its message, which async-graphql's own checks do not give) and subscribes nothing;
/// the next subscription on the server works.
#[tokio::test]
async fn a_subscription_document_over_the_limits_is_refused_before_it_runs() {
    let server = crate::support::TestServer::start().await;
    let operator = Who::new("operator", "op-bomb");
    let mut bomb = String::from("fragment F0 on Subscription { ticketUpdated(id: \"tkt_1\") { id } }\n");
    for level in 1..=13 {
        bomb.push_str(&format!("fragment F{level} on Subscription {{ ...F{p} ...F{p} }}\n", p = level - 1));
    }
    bomb.push_str("subscription { ...F13 }");
    let mut refused = Subscriber::on(&server.url, &operator, &bomb, json!({}));
    let refusal = refused.refusal().await;
    assert_eq!(refusal[0]["extensions"]["code"], "BAD_USER_INPUT", "{refusal}");
    let message = refusal[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("at most 100 root fields"), "{refusal}");
    assert_eq!(server.ctx.feed.readers(), 0, "nothing subscribed");
    drop(refused);

    let ticket =
        server.ok(Some(&operator), crate::support::SUBMIT, crate::support::submit_input(&server, 0, "PHONE")).await;
    let id = ticket["submitTicket"]["id"].clone();
    let _feed = civitas_core::background::spawn_feed(&server.ctx);
    let _watching = Subscriber::on(
        &server.url,
        &operator,
        "subscription($id: ID!) { ticketUpdated(id: $id) { id } }",
        json!({ "id": id }),
    );
    await_readers(&server, 1).await;
}
