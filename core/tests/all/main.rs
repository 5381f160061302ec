//! Integration tests of civitas-core, on SQLite, and on PostgreSQL when `DATABASE_URL` is set
//! (the budgeting tests need no database).

mod audit_log;
mod budget_processes;
mod budgeting;
mod district_hooks;
mod event_delivery;
mod identity_provider;
mod live_feed;
mod plugin_registry;
mod random_operations;
mod read_connections;
mod sandbox;
mod support;
mod survey_responses;
mod survey_results;
mod sweeper_instances;
mod tenancy;
mod ticket_lifecycle;
