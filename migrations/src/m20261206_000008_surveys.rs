//! Surveys: a survey's settings, lifecycle and definition (its questions as one JSON document,
//! frozen once the survey opens). Responses get their own tables with their own migration.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Surveys {
    Table,
    Id,
    DistrictId,
    Title,
    Description,
    Status,
    Audience,
    Anonymity,
    ResultsVisibility,
    OpensAtMs,
    ClosesAtMs,
    Questions,
    Version,
    CreatedBy,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Surveys::Table)
                    .col(ColumnDef::new(Surveys::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Surveys::DistrictId).big_integer().null())
                    .col(ColumnDef::new(Surveys::Title).text().not_null())
                    .col(ColumnDef::new(Surveys::Description).text().null())
                    .col(ColumnDef::new(Surveys::Status).string().not_null())
                    .col(ColumnDef::new(Surveys::Audience).string().not_null())
                    .col(ColumnDef::new(Surveys::Anonymity).string().not_null())
                    .col(ColumnDef::new(Surveys::ResultsVisibility).string().not_null())
                    .col(ColumnDef::new(Surveys::OpensAtMs).big_integer().null())
                    .col(ColumnDef::new(Surveys::ClosesAtMs).big_integer().null())
                    .col(ColumnDef::new(Surveys::Questions).text().not_null())
                    .col(ColumnDef::new(Surveys::Version).integer().not_null())
                    .col(ColumnDef::new(Surveys::CreatedBy).string().null())
                    .col(ColumnDef::new(Surveys::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Surveys::UpdatedAtMs).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_surveys_district")
                            .from(Surveys::Table, Surveys::DistrictId)
                            .to(Districts::Table, Districts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_surveys_district_status")
                    .table(Surveys::Table)
                    .col(Surveys::DistrictId)
                    .col(Surveys::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_surveys_status_windows")
                    .table(Surveys::Table)
                    .col(Surveys::Status)
                    .col(Surveys::OpensAtMs)
                    .col(Surveys::ClosesAtMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Surveys::Table).to_owned()).await
    }
}
