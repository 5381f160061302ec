//! Implementation milestones of the selected projects of a tallied budgeting process.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BudgetMilestones {
    Table,
    Id,
    ProjectId,
    Title,
    Status,
    Progress,
    Date,
    Note,
    CreatedAtMs,
    UpdatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BudgetMilestones::Table)
                    .col(ColumnDef::new(BudgetMilestones::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(BudgetMilestones::ProjectId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetMilestones::Title).text().not_null())
                    .col(ColumnDef::new(BudgetMilestones::Status).string().not_null())
                    .col(ColumnDef::new(BudgetMilestones::Progress).integer().not_null())
                    .col(ColumnDef::new(BudgetMilestones::Date).string().null())
                    .col(ColumnDef::new(BudgetMilestones::Note).text().null())
                    .col(ColumnDef::new(BudgetMilestones::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(BudgetMilestones::UpdatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_budget_milestones_project")
                    .table(BudgetMilestones::Table)
                    .col(BudgetMilestones::ProjectId)
                    .col(BudgetMilestones::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BudgetMilestones::Table).to_owned()).await
    }
}
