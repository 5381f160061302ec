//! Open311 GeoReport v2: the API keys of the 311 clients a district lets post requests (only
//! the key's SHA-256 is kept), and what each posted request left beside its ticket: the token
//! the client was given and the media URL it sent.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Open311Clients {
    Table,
    Id,
    DistrictId,
    Name,
    KeyHash,
    CreatedAtMs,
    RevokedAtMs,
}

#[derive(DeriveIden)]
enum Open311Requests {
    Table,
    Token,
    TicketId,
    ClientId,
    MediaUrl,
    CreatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Open311Clients::Table)
                    .col(ColumnDef::new(Open311Clients::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Open311Clients::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(Open311Clients::Name).text().not_null())
                    .col(ColumnDef::new(Open311Clients::KeyHash).string().not_null().unique_key())
                    .col(ColumnDef::new(Open311Clients::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Open311Clients::RevokedAtMs).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_open311_clients_district")
                    .table(Open311Clients::Table)
                    .col(Open311Clients::DistrictId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Open311Requests::Table)
                    .col(ColumnDef::new(Open311Requests::Token).string().not_null().primary_key())
                    .col(ColumnDef::new(Open311Requests::TicketId).big_integer().not_null())
                    .col(ColumnDef::new(Open311Requests::ClientId).big_integer().not_null())
                    .col(ColumnDef::new(Open311Requests::MediaUrl).text().null())
                    .col(ColumnDef::new(Open311Requests::CreatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_open311_requests_ticket")
                    .table(Open311Requests::Table)
                    .col(Open311Requests::TicketId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Open311Requests::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Open311Clients::Table).to_owned()).await
    }
}
