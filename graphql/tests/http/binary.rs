//! The `civitas` binary as a user runs it: `serve --demo`, `token issue`, `migrate`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_civitas");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_demo_then_use_a_printed_token_and_an_issued_one() {
    let data_dir = std::env::temp_dir().join(format!("civitas-bin-{}", uuid::Uuid::new_v4().simple()));
    let port = free_port();
    let mut command = Command::new(BINARY);
    command
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Child(command.spawn().expect("spawn civitas serve"));
    let stdout = child.0.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            let done = line.contains("listening on");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    });
    let lines = tokio::time::timeout(Duration::from_secs(60), lines).await.expect("server started").expect("read");
    let operator_token = lines
        .iter()
        .find_map(|line| line.trim().strip_prefix("operator").map(|rest| rest.trim().to_owned()))
        .expect("an operator token is printed");

    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/graphql");
    let query = json!({ "query": "{ me { role } tickets(first: 10) { edges { node { code } } } }" });
    let body = post(&client, &url, &operator_token, query).await;
    assert_eq!(body["data"]["me"]["role"], "operator", "{body}");
    assert_eq!(body["data"]["tickets"]["edges"].as_array().map(Vec::len), Some(3), "three demo tickets: {body}");

    let issued = Command::new(BINARY)
        .args(["token", "issue", "--role", "district_admin", "--district", "dst_2", "--subject", "alice"])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("CIVITAS_JWT_SECRET")
        .env_remove("DATABASE_URL")
        .output()
        .expect("token issue");
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let token = String::from_utf8(issued.stdout).expect("utf8").trim().to_owned();
    let body = post(
        &client,
        &url,
        &token,
        json!({ "query": "{ me { role districtId } tickets { edges { node { district { id } } } } }" }),
    )
    .await;
    assert_eq!(body["data"]["me"]["districtId"], "dst_2", "{body}");
    let districts: Vec<_> = body["data"]["tickets"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["district"]["id"].clone())
        .collect();
    assert_eq!(districts, [json!("dst_2")], "a district admin sees only their district's demo ticket");

    let issue = |args: &[&str], dir: &std::path::Path| {
        Command::new(BINARY)
            .args(["token", "issue", "--subject", "bob"])
            .args(args)
            .arg("--data-dir")
            .arg(dir)
            .env_remove("CIVITAS_JWT_SECRET")
            .env_remove("DATABASE_URL")
            .output()
            .expect("token issue")
    };
    let refusals = [
        (vec!["--role", "department_staff", "--district", "dst_2"], "department"),
        // dep_1 is the first department of dst_1.
        (
            vec!["--role", "department_staff", "--district", "dst_2", "--department", "dep_1"],
            "not a department of dst_2",
        ),
        (vec!["--role", "district_admin", "--district", "dst_999"], "dst_999 is not a district"),
        (vec!["--role", "operator", "--ttl-hours", "8760"], "jwt-max-lifetime"),
        (vec!["--role", "resident", "--district", "dst_999"], "dst_999 is not a district"),
        (vec!["--role", "resident", "--phone", "call me"], "phone"),
    ];
    for (args, said) in refusals {
        let refused = issue(&args, &data_dir);
        let stderr = String::from_utf8_lossy(&refused.stderr).into_owned();
        assert!(!refused.status.success() && stderr.contains(said), "{args:?}: {stderr}");
    }
    let resident = issue(&["--role", "resident", "--district", "dst_2", "--phone", "+86 138 1234 5678"], &data_dir);
    assert!(resident.status.success(), "{}", String::from_utf8_lossy(&resident.stderr));
    let token = String::from_utf8(resident.stdout).expect("utf8").trim().to_owned();
    let body = post(&client, &url, &token, json!({ "query": "{ me { role districtId } }" })).await;
    assert_eq!(body["data"]["me"], json!({ "role": "resident", "districtId": "dst_2" }), "{body}");
    // Run where the server does not keep its data, it refuses rather than sign with a new secret.
    let elsewhere = data_dir.with_extension("elsewhere");
    let refused = issue(&["--role", "operator"], &elsewhere);
    let stderr = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success() && stderr.contains("no signing secret"), "{stderr}");
    assert!(stderr.contains(&elsewhere.join("jwt-secret").display().to_string()), "names what it looked for: {stderr}");
    assert!(!elsewhere.exists(), "nothing created");

    // An Open311 key issued on the command line posts to the running server's district.
    let issued = Command::new(BINARY)
        .args(["open311", "key", "issue", "--district", "dst_1", "--name", "FixMyStreet"])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("open311 key issue");
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let key = String::from_utf8(issued.stdout).expect("utf8");
    assert_eq!(key.lines().count(), 1, "the key alone on stdout: {key}");
    let form = [
        ("jurisdiction_id", "harbour"),
        ("api_key", key.trim()),
        ("service_code", "cat_1"),
        ("address_string", "Quay Road 1"),
        ("description", "Bins overflowing"),
    ];
    let posted = client
        .post(format!("http://127.0.0.1:{port}/open311/v2/requests.json"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(posted.status(), 200);
    let posted: serde_json::Value = posted.json().await.expect("json");
    assert!(posted[0]["service_request_id"].is_string(), "{posted}");
    let refused = Command::new(BINARY)
        .args(["open311", "key", "issue", "--district", "dst_99", "--name", "x"])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("open311 key issue");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && stderr.contains("dst_99") && refused.stdout.is_empty(), "{stderr}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Starts `civitas serve` on `data_dir` with `--log-format format`, stops it with SIGTERM once it
/// listens, and returns how it exited and what it logged.
#[cfg(unix)]
async fn serve_then_terminate(
    data_dir: &std::path::Path,
    format: &str,
    while_up: impl FnOnce(),
) -> (std::process::ExitStatus, String) {
    use std::io::Read;

    let port = free_port();
    let mut child = Command::new(BINARY)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--log-format", format])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn civitas serve");
    let stdout = child.stdout.take().expect("stdout");
    let started = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.contains("listening on"))
    });
    assert!(tokio::time::timeout(Duration::from_secs(60), started).await.expect("in time").expect("read"));
    while_up();
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let waited = tokio::task::spawn_blocking(move || {
        let status = child.wait().expect("wait");
        let mut logs = String::new();
        child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("logs");
        (status, logs)
    });
    tokio::time::timeout(Duration::from_secs(30), waited).await.expect("stopped in time").expect("join")
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_cleanly_its_data_is_the_owners_alone_and_logs_suit_a_pipe() {
    use std::os::unix::fs::PermissionsExt;

    let data_dir = std::env::temp_dir().join(format!("civitas-term-{}", uuid::Uuid::new_v4().simple()));
    let mode = |path: std::path::PathBuf| std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
    let (status, logs) = serve_then_terminate(&data_dir, "text", || {
        assert_eq!(mode(data_dir.clone()), 0o700, "the data directory");
        assert_eq!(mode(data_dir.join("civitas.db")), 0o600, "the database holds personal data");
        assert_eq!(mode(data_dir.join("jwt-secret")), 0o600, "the signing secret");
    })
    .await;
    assert!(status.success(), "{status:?}\n{logs}");
    assert!(logs.contains("stop requested") && logs.contains("stopped"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no colour codes in logs written to a pipe: {logs}");

    let (status, logs) = serve_then_terminate(&data_dir, "json", || {}).await;
    assert!(status.success(), "{status:?}\n{logs}");
    for line in logs.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(entry["timestamp"].is_string() && entry["level"].is_string(), "{line}");
    }
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// POSTs a GraphQL request with a bearer token and returns the JSON answer.
async fn post(client: &reqwest::Client, url: &str, token: &str, query: serde_json::Value) -> serde_json::Value {
    client.post(url).bearer_auth(token).json(&query).send().await.expect("post").json().await.expect("json")
}

/// Starts `civitas serve` on `url` (no demo) and waits until it listens.
async fn serve_on(url: &str, data_dir: &std::path::Path, port: u16, secrets: (&str, &str)) -> Child {
    let mut command = Command::new(BINARY);
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", url])
        .arg("--data-dir")
        .arg(data_dir)
        .env("CIVITAS_JWT_SECRET", secrets.0)
        .env("CIVITAS_PARTICIPATION_SECRET", secrets.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = Child(command.spawn().expect("spawn civitas serve"));
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("civitas serve did not start on port {port}");
}

/// Two server processes on one database (Decidim #12553 failed exactly there): 200 residents
/// vote through both at once, 50 of them casting two different ballots at the same moment, one
/// through each server. Every voter ends with exactly one counted ballot; a twin is either a
/// replacement or a `CONFLICT`, never a second ballot, never an internal error.
#[tokio::test]
async fn two_server_processes_on_one_database_keep_one_ballot_per_voter() {
    use civitas_core::auth::{Caller, Claims, TokenIssuer};
    use civitas_core::budget_processes::{self as pb, BudgetProcessDraft, Feasibility, ProjectProposal};
    use civitas_core::i18n::LocalizedText;

    let database = civitas_core::testing::TestDatabase::new().await.expect("test database");
    let ctx = &database.ctx;
    let city = civitas_core::demo::seed_directory(ctx).await.expect("seed").expect("empty");
    let district = city.districts[0].district.id;
    let admin = Caller::district_admin("admin", district);
    let text = |en: &str| LocalizedText::new(en, en, en);
    let draft = BudgetProcessDraft {
        title: Some(text("Two servers")),
        budget: Some("1000".into()),
        currency: Some("CNY".into()),
        ..BudgetProcessDraft::default()
    };
    let process = pb::create(ctx, &admin, Some(district), draft).await.expect("create");
    let mut projects = Vec::new();
    for (title, cost) in [("a", "400"), ("b", "300")] {
        let proposal = ProjectProposal {
            title: text(title),
            description: None,
            cost: cost.into(),
            street_id: None,
            latitude: None,
            longitude: None,
        };
        projects.push(pb::propose(ctx, &admin, process.id, proposal).await.expect("propose").id.to_string());
    }
    pb::advance(ctx, &admin, process.id).await.expect("review");
    for project in &projects {
        pb::review(ctx, &admin, project.parse().expect("id"), Feasibility::Feasible { cost: None })
            .await
            .expect("review");
    }
    pb::advance(ctx, &admin, process.id).await.expect("voting");

    let secrets = ("two-servers-jwt-secret-0123456789abcdef", "two-servers-participation-secret");
    let base = std::env::temp_dir().join(format!("civitas-two-{}", uuid::Uuid::new_v4().simple()));
    let ports = [free_port(), free_port()];
    let _first = serve_on(&database.url, &base.join("a"), ports[0], secrets).await;
    let _second = serve_on(&database.url, &base.join("b"), ports[1], secrets).await;

    let issuer = TokenIssuer::new(secrets.0.as_bytes());
    let token = |voter: usize| {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            email: None,
            sub: format!("voter-{voter}"),
            role: "resident".into(),
            district: Some(district.to_string()),
            department: None,
            phone: None,
            birth_year: None,
            iat: now,
            exp: now + 600,
            nbf: None,
            iss: None,
            aud: None,
        };
        issuer.issue(&claims).expect("sign")
    };
    let client = reqwest::Client::new();
    let cast = r#"mutation($p: ID!, $a: [ID!]!) { castBallot(processId: $p, ballot: { approvals: $a }) { receipt replaced } }"#;
    let mut casts = tokio::task::JoinSet::new();
    for voter in 0..200usize {
        let twins = if voter < 50 { 2 } else { 1 };
        for twin in 0..twins {
            let url = format!("http://127.0.0.1:{}/graphql", ports[(voter + twin) % 2]);
            let body = json!({ "query": cast, "variables": { "p": process.id.to_string(), "a": [projects[(voter + twin) % 2]] } });
            let (client, token) = (client.clone(), token(voter));
            casts.spawn(async move { (voter, post(&client, &url, &token, body).await) });
        }
    }
    let mut accepted = std::collections::HashMap::<usize, usize>::new();
    let mut conflicts = 0;
    for (voter, body) in casts.join_all().await {
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => *accepted.entry(voter).or_default() += 1,
            Some("CONFLICT") => conflicts += 1,
            Some(other) => panic!("voter {voter}: {other}: {body}"),
        }
    }
    assert_eq!(accepted.len(), 200, "every voter has a ballot");
    assert_eq!(accepted.values().sum::<usize>() + conflicts, 250);
    let turnout = pb::turnout(ctx, process.id).await.expect("turnout");
    assert_eq!(turnout.total, 200, "one counted ballot per voter");
    let _ = std::fs::remove_dir_all(&base);
}
