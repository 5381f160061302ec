//! Database schema of Civitas, as ordered sea-orm migrations.
//!
//! The server applies pending migrations at start-up and `civitas migrate` applies them on demand.
//! Timestamps are stored as epoch milliseconds (`BIGINT`) so that SQLite and PostgreSQL compare
//! them identically in SQL (stats and deadline sweeps are computed by the database).

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_directory;
mod m20261123_000002_tickets;
mod m20261123_000003_plugins;
mod m20261202_000004_plugin_limits;
mod m20261203_000005_event_listeners;
mod m20261206_000006_consumers_audit_hooks;
mod m20261206_000007_tracking_and_retries;
mod m20261206_000008_surveys;
mod m20261206_000009_survey_responses;
mod m20261206_000010_survey_answer_facets;
mod m20261207_000011_survey_text_answers;
mod m20261207_000012_survey_tallies;
mod m20261207_000013_budget_processes;
mod m20261207_000014_budget_milestones;
mod m20261207_000015_budget_eligibility;
mod m20261207_000016_email_outbox;
mod m20261207_000017_email_opt_outs;
mod m20261207_000018_notification_emails;
mod m20261207_000019_open311;
mod m20261207_000020_ticket_code_sequence;
pub mod survey_tallies;

/// Runs every Civitas migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_directory::Migration),
            Box::new(m20261123_000002_tickets::Migration),
            Box::new(m20261123_000003_plugins::Migration),
            Box::new(m20261202_000004_plugin_limits::Migration),
            Box::new(m20261203_000005_event_listeners::Migration),
            Box::new(m20261206_000006_consumers_audit_hooks::Migration),
            Box::new(m20261206_000007_tracking_and_retries::Migration),
            Box::new(m20261206_000008_surveys::Migration),
            Box::new(m20261206_000009_survey_responses::Migration),
            Box::new(m20261206_000010_survey_answer_facets::Migration),
            Box::new(m20261207_000011_survey_text_answers::Migration),
            Box::new(m20261207_000012_survey_tallies::Migration),
            Box::new(m20261207_000013_budget_processes::Migration),
            Box::new(m20261207_000014_budget_milestones::Migration),
            Box::new(m20261207_000015_budget_eligibility::Migration),
            Box::new(m20261207_000016_email_outbox::Migration),
            Box::new(m20261207_000017_email_opt_outs::Migration),
            Box::new(m20261207_000018_notification_emails::Migration),
            Box::new(m20261207_000019_open311::Migration),
            Box::new(m20261207_000020_ticket_code_sequence::Migration),
        ]
    }
}
