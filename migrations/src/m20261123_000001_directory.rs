//! The city's directory: districts, their streets, departments and ticket categories.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Code,
    AllowAnonymousTickets,
}

#[derive(DeriveIden)]
enum Streets {
    Table,
    Id,
    DistrictId,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    DistrictId,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    DistrictId,
    RespondWithinHours,
    ResolveWithinHours,
    DefaultDepartmentId,
}

/// Every directory entry carries its name in the three supported locales.
fn localized_names(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(ColumnDef::new(Alias::new("name_en")).string().not_null())
        .col(ColumnDef::new(Alias::new("name_zh_hans")).string().not_null())
        .col(ColumnDef::new(Alias::new("name_zh_hant")).string().not_null())
}

fn pk(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().auto_increment().primary_key().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                localized_names(
                    Table::create()
                        .table(Districts::Table)
                        .col(pk(Districts::Id))
                        .col(ColumnDef::new(Districts::Code).string().not_null().unique_key()),
                )
                .col(ColumnDef::new(Districts::AllowAnonymousTickets).boolean().not_null().default(false))
                .to_owned(),
            )
            .await?;

        for (table, id, district) in [
            (Streets::Table.into_iden(), Streets::Id.into_iden(), Streets::DistrictId.into_iden()),
            (Departments::Table.into_iden(), Departments::Id.into_iden(), Departments::DistrictId.into_iden()),
        ] {
            manager
                .create_table(
                    localized_names(
                        Table::create()
                            .table(table.clone())
                            .col(pk(id))
                            .col(ColumnDef::new(district.clone()).big_integer().not_null()),
                    )
                    .foreign_key(
                        ForeignKey::create().from(table.clone(), district.clone()).to(Districts::Table, Districts::Id),
                    )
                    .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create().name(format!("idx_{table}_district")).table(table).col(district).to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                localized_names(
                    Table::create()
                        .table(Categories::Table)
                        .col(pk(Categories::Id))
                        .col(ColumnDef::new(Categories::DistrictId).big_integer().not_null()),
                )
                .col(ColumnDef::new(Categories::RespondWithinHours).integer().not_null())
                .col(ColumnDef::new(Categories::ResolveWithinHours).integer().not_null())
                .col(ColumnDef::new(Categories::DefaultDepartmentId).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Categories::Table, Categories::DistrictId)
                        .to(Districts::Table, Districts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Categories::Table, Categories::DefaultDepartmentId)
                        .to(Departments::Table, Departments::Id),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_categories_district")
                    .table(Categories::Table)
                    .col(Categories::DistrictId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Categories::Table.into_iden(),
            Departments::Table.into_iden(),
            Streets::Table.into_iden(),
            Districts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
