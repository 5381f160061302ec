//! Anonymous reporters and retried submissions: a ticket may carry the hash of the secret
//! tracking token its anonymous reporter got (to read it back), and an idempotency key remembers
//! which ticket a submission made, so that a retry after a cut connection gets it again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    TrackingTokenHash,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    Key,
    TicketId,
    TrackingToken,
    CreatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ColumnDef::new(Tickets::TrackingTokenHash).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tickets_tracking_token")
                    .table(Tickets::Table)
                    .col(Tickets::TrackingTokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(ColumnDef::new(IdempotencyKeys::Scope).string().not_null())
                    .col(ColumnDef::new(IdempotencyKeys::Key).string().not_null())
                    .col(ColumnDef::new(IdempotencyKeys::TicketId).big_integer().not_null())
                    .col(ColumnDef::new(IdempotencyKeys::TrackingToken).string().null())
                    .col(ColumnDef::new(IdempotencyKeys::CreatedAtMs).big_integer().not_null())
                    .primary_key(Index::create().col(IdempotencyKeys::Scope).col(IdempotencyKeys::Key))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_keys_created")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CreatedAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_tickets_tracking_token").table(Tickets::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Tickets::Table).drop_column(Tickets::TrackingTokenHash).to_owned())
            .await
    }
}
