//! Who may vote: a process's optional minimum age (checked against a resident's verified year
//! of birth), and the manual-review queue of ballots the eligibility rules could not decide,
//! each with the reason and its status — a random ID and no time, like ballots.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BudgetReviews {
    Table,
    Id,
    ProcessId,
    BallotId,
    Reason,
    Status,
}

#[derive(DeriveIden)]
enum BudgetProcesses {
    Table,
    MinimumAge,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BudgetProcesses::Table)
                    .add_column(ColumnDef::new(BudgetProcesses::MinimumAge).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BudgetReviews::Table)
                    .col(ColumnDef::new(BudgetReviews::Id).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(BudgetReviews::ProcessId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetReviews::BallotId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetReviews::Reason).text().not_null())
                    .col(ColumnDef::new(BudgetReviews::Status).string().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_budget_reviews_process", BudgetReviews::ProcessId),
            ("idx_budget_reviews_ballot", BudgetReviews::BallotId),
        ] {
            manager.create_index(Index::create().name(name).table(BudgetReviews::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BudgetReviews::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(BudgetProcesses::Table).drop_column(BudgetProcesses::MinimumAge).to_owned(),
            )
            .await
    }
}
