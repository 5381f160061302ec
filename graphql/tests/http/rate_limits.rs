//! Mutations are rate limited per client IP for anonymous callers and per subject for
//! residents, before any work: a refused request runs no statement. Operators are not limited,
//! queries never are, and every root field of a mutation counts.

use civitas_graphql::rate_limit::RateLimits;
use civitas_graphql::redis_link::RedisLink;
use serde_json::{Value, json};

use crate::support::{TestServer, Who};

/// A mutation that any caller may send (it fails for most, after the limiter let it through).
const MUTATION: &str = r#"mutation { rateTicket(id: "tkt_999999", score: 5) { id } }"#;

async fn post(server: &TestServer, who: Option<&Who>, client: &str, query: &str) -> (u16, Option<String>, Value) {
    let mut request = server
        .http
        .post(format!("{}/graphql", server.url))
        .header("x-forwarded-for", client)
        .json(&json!({ "query": query }));
    if let Some(who) = who {
        request = request.bearer_auth(who.token());
    }
    let response = request.send().await.expect("post");
    let status = response.status().as_u16();
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, retry, response.json().await.expect("json"))
}

fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

fn statements(server: &TestServer) -> usize {
    server.statements.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test]
async fn anonymous_mutations_are_limited_per_client_and_refused_before_any_work() {
    let limits = RateLimits::new(
        Some("10/min".parse().expect("rate")),
        Some("30/min".parse().expect("rate")),
        Some(axum_header()),
    );
    let server = TestServer::start_rate_limited(limits).await;
    for attempt in 0..10 {
        let (_, _, body) = post(&server, None, "203.0.113.7", MUTATION).await;
        assert_ne!(code(&body), Some("RATE_LIMITED"), "attempt {attempt}: {body}");
    }
    let before = statements(&server);
    let (status, retry, body) = post(&server, None, "203.0.113.7", MUTATION).await;
    assert_eq!((status, code(&body)), (200, Some("RATE_LIMITED")), "{body}");
    let seconds = body["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().expect("retryAfterSeconds");
    assert!((1..=60).contains(&seconds), "{body}");
    assert_eq!(retry, Some(seconds.to_string()), "the Retry-After header says the same");
    assert_eq!(statements(&server), before, "a refused request runs no statement");
    // Queries are not limited; another client is not affected.
    let (_, _, body) = post(&server, None, "203.0.113.7", "{ districts { id } }").await;
    assert!(body["data"]["districts"].is_array(), "{body}");
    let (_, _, body) = post(&server, None, "198.51.100.1", MUTATION).await;
    assert_ne!(code(&body), Some("RATE_LIMITED"), "{body}");
    // Eleven aliased fields are eleven mutations: refused whole from a fresh client.
    let many: String = (0..11).map(|n| format!(r#"m{n}: rateTicket(id: "tkt_999999", score: 5) {{ id }} "#)).collect();
    let (_, _, body) = post(&server, None, "192.0.2.55", &format!("mutation {{ {many} }}")).await;
    assert_eq!(code(&body), Some("RATE_LIMITED"), "{body}");
}

#[tokio::test]
async fn residents_are_limited_per_subject_and_operators_not_at_all() {
    let limits = RateLimits::new(Some("10/min".parse().expect("rate")), Some("30/min".parse().expect("rate")), None);
    let server = TestServer::start_rate_limited(limits).await;
    let alice = Who::new("resident", "alice");
    let bob = Who::new("resident", "bob");
    let operator = Who::new("operator", "op-1");
    for _ in 0..30 {
        let (_, _, body) = post(&server, Some(&alice), "-", MUTATION).await;
        assert_ne!(code(&body), Some("RATE_LIMITED"), "{body}");
    }
    let (_, _, body) = post(&server, Some(&alice), "-", MUTATION).await;
    assert_eq!(code(&body), Some("RATE_LIMITED"), "{body}");
    let (_, _, body) = post(&server, Some(&bob), "-", MUTATION).await;
    assert_ne!(code(&body), Some("RATE_LIMITED"), "another resident: {body}");
    for _ in 0..40 {
        let (_, _, body) = post(&server, Some(&operator), "-", MUTATION).await;
        assert_ne!(code(&body), Some("RATE_LIMITED"), "operators are not limited: {body}");
    }
}

fn axum_header() -> axum::http::HeaderName {
    axum::http::HeaderName::from_static("x-forwarded-for")
}

/// The deployment's Redis for tests: `REDIS_URL` (set by `.ci/run`), else the local default.
fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

#[tokio::test]
async fn with_redis_the_limit_is_shared_by_every_instance() {
    let prefix = format!("civitas-test-{}", uuid::Uuid::new_v4().simple());
    let redis = RedisLink::new(&redis_url(), &prefix).expect("a redis URL");
    let limits = || {
        RateLimits::new(Some("3/min".parse().expect("rate")), None, Some(axum_header())).shared_through(redis.clone())
    };
    let (first, second) =
        (TestServer::start_rate_limited(limits()).await, TestServer::start_rate_limited(limits()).await);
    // Three mutations from one client, spread over both instances, use up its burst...
    for (attempt, server) in [&first, &second, &first].into_iter().enumerate() {
        let (_, _, body) = post(server, None, "192.0.2.44", MUTATION).await;
        assert_ne!(code(&body), Some("RATE_LIMITED"), "attempt {attempt}: {body}");
    }
    assert!(redis.is_up(), "the counts were kept in Redis (a test Redis must run: REDIS_URL)");
    // ...so the fourth is refused by the instance that has not seen three itself.
    let before = statements(&second);
    let (_, retry, body) = post(&second, None, "192.0.2.44", MUTATION).await;
    assert_eq!(code(&body), Some("RATE_LIMITED"), "{body}");
    assert!(retry.is_some());
    assert_eq!(statements(&second), before, "refused before any work");
}
