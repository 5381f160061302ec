//! What results need of each answer row without reading its response: whether it marks a
//! question that was shown but skipped, and the response's channel and district (for filtered
//! results) — copied onto the row so that every aggregate is one scan of one table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    Skipped,
    Channel,
    DistrictId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(SurveyAnswers::Table)
                    .add_column(ColumnDef::new(SurveyAnswers::Skipped).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SurveyAnswers::Table)
                    .add_column(ColumnDef::new(SurveyAnswers::Channel).string().not_null().default("WEB"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SurveyAnswers::Table)
                    .add_column(ColumnDef::new(SurveyAnswers::DistrictId).big_integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [SurveyAnswers::Skipped, SurveyAnswers::Channel, SurveyAnswers::DistrictId] {
            manager.alter_table(Table::alter().table(SurveyAnswers::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
