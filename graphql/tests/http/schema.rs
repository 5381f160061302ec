//! The checked-in SDL must match the schema the server serves.

#[tokio::test]
async fn checked_in_sdl_is_current() {
    let db = civitas_core::db::connect("sqlite::memory:").await.expect("db");
    let sdl = civitas_graphql::build_schema(civitas_core::Context::new(db)).sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &sdl).expect("write schema.graphql");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == sdl,
        "graphql/schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test -p civitas-graphql --test http schema` and commit it"
    );
}
