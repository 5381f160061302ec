//! District plugins: their components (by content hash), installations and call records.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PluginComponents {
    Table,
    Sha256,
    Bytes,
    Size,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Plugins {
    Table,
    Id,
    DistrictId,
    Name,
    Version,
    Sha256,
    Hooks,
    Config,
    Enabled,
    DisabledReason,
    ConsecutiveFailures,
    InstalledBy,
    InstalledAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum PluginCalls {
    Table,
    Id,
    PluginId,
    DistrictId,
    Hook,
    Outcome,
    Detail,
    FuelUsed,
    WallMicros,
    AtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PluginComponents::Table)
                    .col(ColumnDef::new(PluginComponents::Sha256).string().not_null().primary_key())
                    .col(ColumnDef::new(PluginComponents::Bytes).blob().not_null())
                    .col(ColumnDef::new(PluginComponents::Size).big_integer().not_null())
                    .col(ColumnDef::new(PluginComponents::CreatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Plugins::Table)
                    .col(ColumnDef::new(Plugins::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Plugins::DistrictId).big_integer().null())
                    .col(ColumnDef::new(Plugins::Name).string().not_null())
                    .col(ColumnDef::new(Plugins::Version).string().not_null())
                    .col(ColumnDef::new(Plugins::Sha256).string().not_null())
                    .col(ColumnDef::new(Plugins::Hooks).string().not_null())
                    .col(ColumnDef::new(Plugins::Config).text().not_null())
                    .col(ColumnDef::new(Plugins::Enabled).boolean().not_null())
                    .col(ColumnDef::new(Plugins::DisabledReason).text().null())
                    .col(ColumnDef::new(Plugins::ConsecutiveFailures).integer().not_null().default(0))
                    .col(ColumnDef::new(Plugins::InstalledBy).string().not_null())
                    .col(ColumnDef::new(Plugins::InstalledAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Plugins::UpdatedAtMs).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Plugins::Table, Plugins::Sha256)
                            .to(PluginComponents::Table, PluginComponents::Sha256),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_plugins_district").table(Plugins::Table).col(Plugins::DistrictId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PluginCalls::Table)
                    .col(ColumnDef::new(PluginCalls::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PluginCalls::PluginId).big_integer().not_null())
                    .col(ColumnDef::new(PluginCalls::DistrictId).big_integer().null())
                    .col(ColumnDef::new(PluginCalls::Hook).string().not_null())
                    .col(ColumnDef::new(PluginCalls::Outcome).string().not_null())
                    .col(ColumnDef::new(PluginCalls::Detail).text().null())
                    .col(ColumnDef::new(PluginCalls::FuelUsed).big_integer().not_null())
                    .col(ColumnDef::new(PluginCalls::WallMicros).big_integer().not_null())
                    .col(ColumnDef::new(PluginCalls::AtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plugin_calls_plugin")
                    .table(PluginCalls::Table)
                    .col(PluginCalls::PluginId)
                    .col(PluginCalls::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [PluginCalls::Table.into_iden(), Plugins::Table.into_iden(), PluginComponents::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
