//! GraphiQL works offline: its page and assets come from the binary, under a strict
//! Content-Security-Policy, and a real headless Chromium renders it and runs a query with no
//! request leaving the server.

use std::path::PathBuf;
use std::process::Command;

use civitas_graphql::graphiql::{CONTENT_SECURITY_POLICY, GRAPHIQL_VERSION};

use crate::support::{TestServer, chromium};

#[tokio::test]
async fn the_page_and_its_assets_come_from_the_server() {
    let server = TestServer::start().await;
    let page = server.http.get(format!("{}/graphql", server.url)).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-security-policy"], CONTENT_SECURITY_POLICY);
    let html = page.text().await.expect("html");
    assert!(!html.contains("https://"), "no CDN: {html}");

    let script = format!("{}/graphiql/{GRAPHIQL_VERSION}/graphiql.min.js", server.url);
    let compressed = server.http.get(&script).header("accept-encoding", "gzip, br").send().await.expect("gzip");
    assert_eq!(compressed.status(), 200);
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let compressed_len = compressed.bytes().await.expect("bytes").len();
    let plain = server.http.get(&script).send().await.expect("plain");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.text().await.expect("text");
    assert!(plain.contains("webpackBootstrap") && plain.len() > 3 * compressed_len, "{}", plain.len());

    for missing in [
        format!("{}/graphiql/0.0.1/graphiql.min.js", server.url),
        format!("{}/graphiql/{GRAPHIQL_VERSION}/secrets.txt", server.url),
        format!("{}/graphiql/{GRAPHIQL_VERSION}/..%2F..%2FCargo.toml", server.url),
    ] {
        let status = server.http.get(&missing).send().await.expect("get").status();
        assert_eq!(status, 404, "{missing}");
    }
}

#[tokio::test]
async fn a_headless_chromium_renders_graphiql_and_runs_a_query_offline() {
    let chromium = chromium();
    let server = TestServer::start().await;
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("playwright-venv");
    let python = civitas_plugins::build::python_venv(&venv, &["playwright==1.65.3"])
        .expect("a virtualenv with Playwright (needs python3 with venv, and PyPI)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/graphiql_browser.py");
    let url = format!("{}/graphql", server.url);
    let output = tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(url).arg(chromium).output())
        .await
        .expect("join")
        .expect("run python");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    for line in [
        "page status: 200",
        "csp header: True",
        "rendered",
        "query ran: 3 districts",
        "foreign requests: 0 []",
        "csp violations: 0 []",
        "page errors: 0 []",
    ] {
        assert!(printed.lines().any(|printed| printed == line), "missing {line:?} in:\n{printed}");
    }
}
