//! The work addresses that hear of a district's or a department's tickets by mail.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    NotificationEmail,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    NotificationEmail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .add_column(ColumnDef::new(Districts::NotificationEmail).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Departments::Table)
                    .add_column(ColumnDef::new(Departments::NotificationEmail).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Departments::Table).drop_column(Departments::NotificationEmail).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(Districts::Table).drop_column(Districts::NotificationEmail).to_owned())
            .await
    }
}
