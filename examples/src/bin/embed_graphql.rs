//! The Civitas GraphQL API mounted inside another axum service: a city portal that already has
//! its own routes adds the hotline's schema under `/civitas`, and runs the domain's background
//! work (deadline sweeps, event consumers) with one call. It depends on `civitas-graphql` without
//! its default `cli` feature, so neither the `civitas` binary's commands nor the wasmtime sandbox
//! are compiled in (plugins are then simply not run: every hook follows the normal flow).
//!
//! Run it with `cargo run -p civitas-examples --bin embed_graphql`: it serves on a free port,
//! asks both its own route and the mounted API once, prints the answers and stops.

use axum::Router;
use axum::routing::get;
use civitas_core::auth::TokenVerifier;
use civitas_core::background::{self, Schedule};
use civitas_core::{Context, db, demo};
use civitas_graphql::server::{self, AppState};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("civitas-embed-graphql-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let connection = db::connect(&db::sqlite_url_in(&dir)).await?;
    db::migrate(&connection).await?;
    let ctx = Context::new(connection);
    demo::seed_directory(&ctx).await?;

    // Tokens are the portal's own identity provider's; here a shared HS256 secret stands in.
    let verifier = TokenVerifier::new().with_hs256_secret(b"the portal's secret, at least 32 bytes long");
    let civitas = server::router(AppState::new(ctx.clone(), verifier));
    let portal =
        Router::new().route("/hello", get(|| async { "Welcome to the city portal" })).nest("/civitas", civitas);
    let _background = background::spawn(&ctx, &Schedule::default());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, portal).await });

    let client = reqwest::Client::new();
    println!("GET /hello: {}", client.get(format!("{base}/hello")).send().await?.text().await?);
    let query = serde_json::json!({ "query": "{ districts { code name } }" });
    let answer: serde_json::Value = client
        .post(format!("{base}/civitas/graphql"))
        .header("Accept-Language", "zh-Hans")
        .json(&query)
        .send()
        .await?
        .json()
        .await?;
    println!("POST /civitas/graphql: {answer}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
