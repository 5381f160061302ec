//! The foundation the new domains build on: events stored with a version, a cursor per
//! outbox consumer (and scope) instead of one per district, the audit log, and a plugin's
//! hooks as rows instead of a comma-joined string.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum EventCursors {
    Table,
    Consumer,
    Scope,
    LastEventId,
    Failures,
    RetryAtMs,
    LastError,
}

#[derive(DeriveIden)]
enum EventDeliveries {
    Table,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    DistrictId,
    ActorSubject,
    ActorRole,
    Action,
    Subject,
    Before,
    After,
    AtMs,
}

#[derive(DeriveIden)]
enum PluginHooks {
    Table,
    PluginId,
    Hook,
}

#[derive(DeriveIden)]
enum Plugins {
    Table,
    Hooks,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .alter_table(
                Table::alter()
                    .table(DomainEvents::Table)
                    .add_column(ColumnDef::new(DomainEvents::Version).small_integer().not_null().default(1))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EventCursors::Table)
                    .col(ColumnDef::new(EventCursors::Consumer).string().not_null())
                    .col(ColumnDef::new(EventCursors::Scope).string().not_null())
                    .col(ColumnDef::new(EventCursors::LastEventId).big_integer().not_null())
                    .col(ColumnDef::new(EventCursors::Failures).integer().not_null().default(0))
                    .col(ColumnDef::new(EventCursors::RetryAtMs).big_integer().null())
                    .col(ColumnDef::new(EventCursors::LastError).text().null())
                    .primary_key(Index::create().col(EventCursors::Consumer).col(EventCursors::Scope))
                    .to_owned(),
            )
            .await?;
        // The listeners keep their place: each district's cursor, and the city-wide events
        // (never offered before) from now on.
        db.execute_unprepared(
            "INSERT INTO event_cursors (consumer, scope, last_event_id, failures, retry_at_ms, last_error) \
             SELECT 'plugin-listeners', 'dst_' || CAST(district_id AS TEXT), last_event_id, failures, retry_at_ms, \
             last_error FROM event_deliveries",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO event_cursors (consumer, scope, last_event_id, failures) \
             SELECT 'plugin-listeners', 'city', COALESCE(MAX(id), 0), 0 FROM domain_events",
        )
        .await?;
        manager.drop_table(Table::drop().table(EventDeliveries::Table).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditLog::DistrictId).big_integer().null())
                    .col(ColumnDef::new(AuditLog::ActorSubject).string().null())
                    .col(ColumnDef::new(AuditLog::ActorRole).string().null())
                    .col(ColumnDef::new(AuditLog::Action).string().not_null())
                    .col(ColumnDef::new(AuditLog::Subject).string().not_null())
                    .col(ColumnDef::new(AuditLog::Before).text().null())
                    .col(ColumnDef::new(AuditLog::After).text().null())
                    .col(ColumnDef::new(AuditLog::AtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_district")
                    .table(AuditLog::Table)
                    .col(AuditLog::DistrictId)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PluginHooks::Table)
                    .col(ColumnDef::new(PluginHooks::PluginId).big_integer().not_null())
                    .col(ColumnDef::new(PluginHooks::Hook).string().not_null())
                    .primary_key(Index::create().col(PluginHooks::PluginId).col(PluginHooks::Hook))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plugin_hooks_hook")
                    .table(PluginHooks::Table)
                    .col(PluginHooks::Hook)
                    .col(PluginHooks::PluginId)
                    .to_owned(),
            )
            .await?;
        let backend = db.get_database_backend();
        for row in db.query_all_raw(Statement::from_string(backend, "SELECT id, hooks FROM plugins")).await? {
            let id: i64 = row.try_get("", "id")?;
            let hooks: String = row.try_get("", "hooks")?;
            for hook in hooks.split(',').filter(|hook| !hook.is_empty()) {
                let insert = Query::insert()
                    .into_table(PluginHooks::Table)
                    .columns([PluginHooks::PluginId, PluginHooks::Hook])
                    .values_panic([id.into(), hook.into()])
                    .to_owned();
                manager.exec_stmt(insert).await?;
            }
        }
        manager.alter_table(Table::alter().table(Plugins::Table).drop_column(Plugins::Hooks).to_owned()).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The hooks' rows and the per-consumer cursors do not fold back into one string and
        // one cursor per district without losing what newer consumers wrote.
        Err(DbErr::Migration("m20261206_000006 cannot be reverted; restore a backup instead".to_owned()))
    }
}
