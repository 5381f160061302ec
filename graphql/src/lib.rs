//! The Civitas GraphQL API and its HTTP server.
//!
//! A thin transport over `civitas-core`: resolvers parse IDs and inputs, call one service
//! function with the request's caller, and convert the domain values into GraphQL types.
//! Domain errors become GraphQL errors with a stable `extensions.code`.

pub mod cost;
pub mod csrf;
pub mod dashboard;
pub mod errors;
pub mod export;
pub mod graphiql;
pub mod live;
pub mod loaders;
pub mod metrics;
pub mod open311;
pub mod rate_limit;
pub mod redis_link;
pub mod relay;
pub mod schema;
pub mod server;
pub mod settings;
pub mod stats_cache;
pub mod types;
pub mod unsubscribe;

pub use schema::{CivitasSchema, PluginSandbox, RequestContext, build_schema, build_schema_with_plugins};
