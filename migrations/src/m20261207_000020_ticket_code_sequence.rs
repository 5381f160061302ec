//! Ticket codes from a sequence on PostgreSQL: the per-year counter row was locked by every
//! submission until its commit, so concurrent submissions queued on it (issue 20). SQLite has
//! one writer at a time and keeps the counter rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        // Numbers continue above every number any year has used, so codes stay unique when the
        // sequence no longer restarts each year.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE SEQUENCE ticket_code_seq START WITH 1 MINVALUE 1; \
                 SELECT setval('ticket_code_seq', \
                   COALESCE((SELECT MAX(last_value) FROM ticket_code_counters), 0) + 1, false);",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared("DROP SEQUENCE ticket_code_seq").await?;
        Ok(())
    }
}
