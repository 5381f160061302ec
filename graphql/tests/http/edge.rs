//! The HTTP edge as a foreign web page meets it: no simple cross-origin request runs, only the
//! configured origins get CORS answers, and every refusal is GraphQL-shaped JSON.

use reqwest::header::{CONTENT_TYPE, ORIGIN};
use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, submit_input};

/// District 0 of the demo takes anonymous tickets: what a foreign page would make a visitor's
/// browser file.
fn anonymous_submission(server: &TestServer) -> String {
    json!({ "query": SUBMIT, "variables": submit_input(server, 0, "WEB") }).to_string()
}

async fn tickets_filed(server: &TestServer) -> usize {
    let operator = crate::support::Who::new("operator", "op-1");
    let page = server.ok(Some(&operator), "{ tickets(first: 100) { edges { cursor } } }", json!({})).await;
    page["tickets"]["edges"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn requests_a_page_could_send_without_a_preflight_are_refused() {
    let server = TestServer::start().await;
    let url = format!("{}/graphql", server.url);
    let body = anonymous_submission(&server);
    for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut request = server.http.post(&url).header(ORIGIN, "https://evil.example").body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request.send().await.expect("post");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.expect("JSON, not text");
        assert!([403, 415].contains(&status), "{content_type:?}: {status} {answer}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    }
    // The same without an Origin (a script, curl) but not JSON: still refused, saying what to send.
    let response =
        server.http.post(&url).header(CONTENT_TYPE, "text/plain").body(body.clone()).send().await.expect("post");
    assert_eq!(response.status().as_u16(), 415);
    let answer: Value = response.json().await.expect("json");
    assert!(answer["errors"][0]["message"].as_str().unwrap_or_default().contains("application/json"), "{answer}");
    // JSON from a foreign origin would need a preflight; sent anyway, it is refused too.
    let response = server
        .http
        .post(&url)
        .header(ORIGIN, "https://evil.example")
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 403);
    // Multipart without the header no form can set.
    let form = reqwest::multipart::Form::new().text("operations", body.clone()).text("map", "{}");
    let response = server.http.post(&url).multipart(form).send().await.expect("post");
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(tickets_filed(&server).await, 0, "nothing was filed");

    // The server's own page (GraphiQL) and plain JSON clients go on working.
    let own_origin = server.url.clone();
    let response = server
        .http
        .post(&url)
        .header(ORIGIN, own_origin)
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(tickets_filed(&server).await, 1);
}

#[tokio::test]
async fn only_configured_origins_get_cors_answers() {
    let server = TestServer::start_allowing(&["https://portal.city.example"]).await;
    let url = format!("{}/graphql", server.url);
    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .header(ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, authorization")
            .send()
    };
    let allowed = preflight("https://portal.city.example").await.expect("preflight");
    assert_eq!(
        allowed.headers().get("access-control-allow-origin").and_then(|value| value.to_str().ok()),
        Some("https://portal.city.example")
    );
    let foreign = preflight("https://evil.example").await.expect("preflight");
    assert!(foreign.headers().get("access-control-allow-origin").is_none(), "{:?}", foreign.headers());
    let response = server
        .http
        .post(&url)
        .header(ORIGIN, "https://portal.city.example")
        .header(CONTENT_TYPE, "application/json")
        .body(anonymous_submission(&server))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(tickets_filed(&server).await, 1);
}
