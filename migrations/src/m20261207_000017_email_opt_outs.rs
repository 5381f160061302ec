//! Residents' opt-outs of kinds of mail (one-click unsubscribe), keyed by a keyed hash of their
//! address so that the table holds no address.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailOptOuts {
    Table,
    RecipientKey,
    Kind,
    CreatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailOptOuts::Table)
                    .col(ColumnDef::new(EmailOptOuts::RecipientKey).string().not_null())
                    .col(ColumnDef::new(EmailOptOuts::Kind).string().not_null())
                    .col(ColumnDef::new(EmailOptOuts::CreatedAtMs).big_integer().not_null())
                    .primary_key(Index::create().col(EmailOptOuts::RecipientKey).col(EmailOptOuts::Kind))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EmailOptOuts::Table).to_owned()).await
    }
}
