//! The public performance pages: served without login, in three languages, the numbers of
//! `ticketStats` for the same period, checked in a real headless Chromium with axe-core.

use std::path::PathBuf;
use std::process::Command;

use chrono::{Days, Utc};
use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, chromium, submit_input};

/// axe-core from npm (once per build).
fn axe_core() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("axe-core");
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        std::fs::create_dir_all(&dir).expect("axe dir");
        std::fs::write(dir.join("package.json"), r#"{ "name": "civitas-axe", "private": true }"#)
            .expect("package.json");
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "axe-core@4.11.0"])
            .current_dir(&dir)
            .status()
            .expect("npm (needs Node.js and the npm registry)");
        assert!(status.success(), "npm install of axe-core failed");
    }
    script
}

const STATS: &str = r#"
query($district: ID, $department: ID, $from: DateTime!, $to: DateTime!) {
  ticketStats(districtId: $district, departmentId: $department, from: $from, to: $to) {
    total responseRate resolutionRate satisfactionRate byStatus { status count }
  }
}"#;

fn percent(rate: &Value) -> String {
    rate.as_f64().map_or_else(|| "no data".to_owned(), |rate| format!("{:.1}%", rate * 100.0))
}

/// Three tickets of the first district with some history: one closed with a 5, one reopened
/// by a 2, one waiting.
async fn history(server: &TestServer) {
    let operator = Who::new("operator", "op-1");
    let staff = Who::new("department_staff", "staff-1")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0));
    let resident = Who::new("resident", "res-1");
    for score in [Some(5), Some(2), None] {
        let submitted = server.ok(Some(&resident), SUBMIT, submit_input(server, 0, "APP")).await;
        let id = submitted["submitTicket"]["id"].as_str().expect("id").to_owned();
        let Some(score) = score else { continue };
        let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status } }"#;
        server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(0, 0) })).await;
        server
            .ok(Some(&staff), r#"mutation($id: ID!) { acceptTicket(id: $id) { status } }"#, json!({ "id": id }))
            .await;
        let resolve = r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Done") { status } }"#;
        server.ok(Some(&staff), resolve, json!({ "id": id })).await;
        let rate = r#"mutation($id: ID!, $score: Int!) { rateTicket(id: $id, score: $score) { status } }"#;
        server.ok(Some(&resident), rate, json!({ "id": id, "score": score })).await;
    }
}

#[tokio::test]
async fn a_headless_chromium_shows_the_numbers_of_ticket_stats_accessibly_in_every_language() {
    let chromium = chromium();
    let axe = axe_core();
    let server = TestServer::start().await;
    history(&server).await;
    let today = Utc::now().date_naive();
    let (first, end) = (today - Days::new(10), today + Days::new(1));
    let stats = server
        .ok(
            None,
            STATS,
            json!({ "district": server.district_id(0), "from": format!("{first}T00:00:00Z"), "to": format!("{end}T00:00:00Z") }),
        )
        .await;
    let stats = &stats["ticketStats"];
    let department = server
        .ok(
            None,
            STATS,
            json!({ "district": server.district_id(0), "department": server.department_id(0, 0), "from": format!("{first}T00:00:00Z"), "to": format!("{end}T00:00:00Z") }),
        )
        .await;
    let department = &department["ticketStats"];

    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("playwright-venv");
    let python = civitas_plugins::build::python_venv(&venv, &["playwright==1.65.3"])
        .expect("a virtualenv with Playwright (needs python3 with venv, and PyPI)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/dashboard_browser.py");
    let code = server.demo.districts[0].district.code.clone();
    let url = format!("{}/districts/{code}?lang=en&from={first}&to={end}", server.url);
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(python);
        command.arg(script).arg(url).arg(chromium).arg(axe);
        if let Some(shot) = std::env::var_os("CIVITAS_DASHBOARD_SCREENSHOT") {
            command.arg(shot);
        }
        command.output()
    })
    .await
    .expect("join")
    .expect("run python");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    let line = |prefix: &str| -> String {
        printed
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in:\n{printed}"))
            .to_owned()
    };
    assert_eq!(line("page status: "), "200");
    assert!(line("page bytes: ").parse::<usize>().expect("bytes") < 100_000, "{printed}");
    assert_eq!(line("html lang: "), "en");
    assert_eq!(line("chart: "), "3 lines");
    assert_eq!(line("response: "), percent(&stats["responseRate"]));
    assert_eq!(line("resolution: "), percent(&stats["resolutionRate"]));
    assert_eq!(line("satisfaction: "), percent(&stats["satisfactionRate"]));
    assert_eq!(line("satisfaction: "), "50.0%", "one rating of 5, one of 2");
    assert_eq!(line("total: "), stats["total"].to_string());
    let department_line = line(&format!("department {}: ", server.department_id(0, 0)));
    assert_eq!(department_line, format!("{} {}", percent(&department["responseRate"]), department["total"]));
    for count in stats["byStatus"].as_array().expect("statuses") {
        assert_eq!(
            line(&format!("status {}: ", count["status"].as_str().expect("status"))),
            count["count"].to_string()
        );
    }
    assert_eq!(line("switched lang: "), "zh-Hant");
    assert!(line("switched heading: ").contains("如何回應市民"), "{printed}");
    assert_eq!(line("switched url keeps the period: "), "True");
    assert_eq!(line("foreign requests: "), "0 []");
    assert_eq!(line("axe serious: "), "0", "{printed}");
}

#[tokio::test]
async fn the_overview_links_every_district_and_bad_periods_are_explained() {
    let server = TestServer::start().await;
    history(&server).await;
    let page = server.http.get(format!("{}/?lang=zh-Hans", server.url)).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"<html lang="zh-Hans">"#) && html.contains("响应率"), "{html}");
    for district in &server.demo.districts {
        // minijinja escapes `/` too (`&#x2f;`), which browsers read back as `/`.
        let link = format!("&#x2f;districts&#x2f;{}?lang=zh-Hans&amp;period=month", district.district.code);
        assert!(html.contains(&link), "{html}");
    }
    assert!(!html.contains("<script"), "no JavaScript");
    // Accept-Language chooses the language when `lang` does not.
    let page =
        server.http.get(format!("{}/", server.url)).header("accept-language", "zh-TW").send().await.expect("get");
    assert!(page.text().await.expect("html").contains(r#"<html lang="zh-Hant">"#));

    for (path, status, said) in [
        ("/districts/atlantis?lang=en", 404, "atlantis"),
        ("/?lang=en&period=decade", 400, "period must be month"),
        ("/?lang=en&from=2026-02-01&to=2026-01-01", 400, "to must be after from"),
        ("/?lang=en&from=2020-01-01&to=2026-01-01", 400, "at most 731 days"),
        ("/?lang=en&from=2026-01-01", 400, "give both"),
    ] {
        let page = server.http.get(format!("{}{path}", server.url)).send().await.expect("get");
        assert_eq!(page.status(), status, "{path}");
        let html = page.text().await.expect("html");
        assert!(html.contains(said), "{path}: {html}");
    }
    // Escaped by default: a district name is text, never markup.
    let city = Who::new("city_admin", "mayor");
    let create = r#"mutation { createDistrict(code: "evil", name: { en: "<script>x</script>", zhHans: "x", zhHant: "x" }) { id } }"#;
    server.ok(Some(&city), create, json!({})).await;
    let html =
        server.http.get(format!("{}/?lang=en", server.url)).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("&lt;script&gt;x&lt;") && !html.contains("<script>x"), "{html}");
}

#[tokio::test]
async fn pages_are_cached_for_their_lifetime_and_rendered_once_for_visitors_arriving_together() {
    use std::sync::atomic::Ordering;
    let server = TestServer::start().await;
    let page = |lang: &str| format!("{}/districts/{}?lang={lang}", server.url, server.demo.districts[0].district.code);
    let before = server.statements.load(Ordering::SeqCst);
    server.http.get(page("en")).send().await.expect("first");
    let one_rendering = server.statements.load(Ordering::SeqCst) - before;
    assert!(one_rendering > 0);
    for _ in 0..5 {
        assert_eq!(server.http.get(page("en")).send().await.expect("again").status(), 200);
    }
    assert_eq!(server.statements.load(Ordering::SeqCst) - before, one_rendering, "five more views ran no statement");

    // Eight visitors of a page nobody has seen yet: one rendering serves them all.
    let before = server.statements.load(Ordering::SeqCst);
    let visits = (0..8).map(|_| server.http.get(page("zh-Hant")).send());
    for visit in futures::future::join_all(visits).await {
        assert_eq!(visit.expect("visit").status(), 200);
    }
    assert_eq!(server.statements.load(Ordering::SeqCst) - before, one_rendering);
}
