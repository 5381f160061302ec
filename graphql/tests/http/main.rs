//! End-to-end tests: the real server on a free port, driven over HTTP with bearer tokens.
//! On SQLite, and on PostgreSQL when `DATABASE_URL` is set.

mod binary;
mod budget;
mod budget_eligibility;
mod budget_tenancy;
mod dashboard;
mod directory;
mod edge;
mod email;
mod graphiql;
mod introspection;
mod languages;
mod lifecycle;
mod limits;
mod live;
mod open311;
mod pb_cli;
mod plugin_cli;
mod plugins;
mod rate_limits;
mod relay;
mod reporters;
mod roles;
mod schema;
mod support;
mod survey_tenancy;
mod survey_validator;
mod surveys;
mod tenancy_matrix;
