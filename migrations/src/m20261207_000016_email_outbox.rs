//! The email outbox: messages written by the domain's email writer (in the transaction that
//! moves its event cursor), delivered by a worker with retries; and the language a ticket's
//! contact wants to be written to in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    ContactLanguage,
}

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    MessageId,
    Kind,
    Recipient,
    Locale,
    Subject,
    BodyText,
    BodyHtml,
    TicketId,
    DistrictId,
    Status,
    Attempts,
    NextAttemptAtMs,
    ClaimedUntilMs,
    LastError,
    CreatedAtMs,
    SentAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(ColumnDef::new(Tickets::ContactLanguage).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailOutbox::Table)
                    .col(ColumnDef::new(EmailOutbox::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(EmailOutbox::MessageId).string().not_null().unique_key())
                    .col(ColumnDef::new(EmailOutbox::Kind).string().not_null())
                    .col(ColumnDef::new(EmailOutbox::Recipient).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::Locale).string().not_null())
                    .col(ColumnDef::new(EmailOutbox::Subject).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::BodyText).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::BodyHtml).text().not_null())
                    .col(ColumnDef::new(EmailOutbox::TicketId).big_integer().null())
                    .col(ColumnDef::new(EmailOutbox::DistrictId).big_integer().null())
                    .col(ColumnDef::new(EmailOutbox::Status).string().not_null())
                    .col(ColumnDef::new(EmailOutbox::Attempts).integer().not_null())
                    .col(ColumnDef::new(EmailOutbox::NextAttemptAtMs).big_integer().not_null())
                    .col(ColumnDef::new(EmailOutbox::ClaimedUntilMs).big_integer().null())
                    .col(ColumnDef::new(EmailOutbox::LastError).text().null())
                    .col(ColumnDef::new(EmailOutbox::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(EmailOutbox::SentAtMs).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_outbox_due")
                    .table(EmailOutbox::Table)
                    .col(EmailOutbox::Status)
                    .col(EmailOutbox::NextAttemptAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EmailOutbox::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Tickets::Table).drop_column(Tickets::ContactLanguage).to_owned()).await
    }
}
