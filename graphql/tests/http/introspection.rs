//! Tools that read the schema: the standard introspection query passes the depth limit (which
//! counts the API's fields, not introspection's), a real client (PyPI's `gql`) fetches the
//! schema and validates queries with it, and a city may switch introspection off.

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use crate::support::TestServer;

/// graphql-js's `getIntrospectionQuery()` type reference fragment: seven levels of `ofType`.
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn the_standard_introspection_query_passes() {
    let server = TestServer::start().await;
    let data = server.ok(None, INTROSPECTION, json!({})).await;
    let types = data["__schema"]["types"].as_array().cloned().unwrap_or_default();
    assert!(types.iter().any(|t| t["name"] == "Ticket"), "{} types", types.len());
    // The API's own nesting stays bounded.
    let deep = format!("{{ {}id{} }}", "tickets { edges { node { ".repeat(5), " } } }".repeat(5));
    let (code, body) = server.error(None, &deep, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn a_real_client_fetches_the_schema_and_validates_queries_with_it() {
    let server = TestServer::start().await;
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gql-venv");
    let python = civitas_plugins::build::python_venv(&venv, &["gql[requests]==3.5.3", "graphql-core==3.2.6"])
        .expect("a virtualenv with gql (needs python3 with venv, and PyPI)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/gql_introspection.py");
    let url = format!("{}/graphql", server.url);
    let output = tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(url).output())
        .await
        .expect("join")
        .expect("run python");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("schema fetched"), "{printed}");
    assert!(printed.contains("query ran: 3 districts"), "{printed}");
    assert!(printed.contains("refused on the client side"), "{printed}");
}

#[tokio::test]
async fn a_city_may_switch_introspection_off() {
    let database = civitas_core::testing::TestDatabase::new().await.expect("database");
    let limits = civitas_graphql::cost::Limits { introspection: false, ..Default::default() };
    let sandbox = civitas_graphql::PluginSandbox(crate::support::sandbox());
    let schema = civitas_graphql::build_schema_with_plugins(database.ctx, sandbox, limits);
    let refused = schema.execute("{ __schema { types { name } } }").await.data.into_json().expect("json");
    assert_eq!(refused, json!({ "__schema": null }), "nothing of the schema shown");
    let allowed = schema.execute("{ districts { id } }").await;
    assert!(allowed.errors.is_empty(), "{allowed:?}");
}
