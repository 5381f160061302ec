//! Participatory-budgeting processes: the process (its phase, ballot rules, tally rule and,
//! once tallied, the stored outcome), its projects, and its ballots kept secret the way survey
//! responses are: a ballot row has a random ID, its receipt and what it marks, no identity and
//! no time; the one-per-resident participation keys (HMACs under a secret kept outside the
//! database) live in their own table and hold only the ballot's ID masked under that secret.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BudgetProcesses {
    Table,
    Id,
    DistrictId,
    Title,
    Description,
    Budget,
    Currency,
    Format,
    Rules,
    Rule,
    Phase,
    ProposalsFromMs,
    ReviewFromMs,
    VotingFromMs,
    VotingUntilMs,
    Outcome,
    Version,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum BudgetProjects {
    Table,
    Id,
    ProcessId,
    Title,
    Description,
    Cost,
    EstimatedCost,
    StreetId,
    Latitude,
    Longitude,
    Status,
    Reason,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum BudgetBallots {
    Table,
    Id,
    ProcessId,
    Receipt,
    Channel,
    Status,
    Choices,
}

#[derive(DeriveIden)]
enum BudgetParticipations {
    Table,
    ProcessId,
    ParticipantKey,
    BallotRef,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BudgetProcesses::Table)
                    .col(ColumnDef::new(BudgetProcesses::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(BudgetProcesses::DistrictId).big_integer().null())
                    .col(ColumnDef::new(BudgetProcesses::Title).text().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Description).text().null())
                    .col(ColumnDef::new(BudgetProcesses::Budget).big_integer().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Currency).string().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Format).string().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Rules).text().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Rule).string().not_null())
                    .col(ColumnDef::new(BudgetProcesses::Phase).string().not_null())
                    .col(ColumnDef::new(BudgetProcesses::ProposalsFromMs).big_integer().null())
                    .col(ColumnDef::new(BudgetProcesses::ReviewFromMs).big_integer().null())
                    .col(ColumnDef::new(BudgetProcesses::VotingFromMs).big_integer().null())
                    .col(ColumnDef::new(BudgetProcesses::VotingUntilMs).big_integer().null())
                    .col(ColumnDef::new(BudgetProcesses::Outcome).text().null())
                    .col(ColumnDef::new(BudgetProcesses::Version).integer().not_null())
                    .col(ColumnDef::new(BudgetProcesses::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(BudgetProcesses::UpdatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BudgetProjects::Table)
                    .col(ColumnDef::new(BudgetProjects::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(BudgetProjects::ProcessId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetProjects::Title).text().not_null())
                    .col(ColumnDef::new(BudgetProjects::Description).text().null())
                    .col(ColumnDef::new(BudgetProjects::Cost).big_integer().not_null())
                    .col(ColumnDef::new(BudgetProjects::EstimatedCost).big_integer().not_null())
                    .col(ColumnDef::new(BudgetProjects::StreetId).big_integer().null())
                    .col(ColumnDef::new(BudgetProjects::Latitude).double().null())
                    .col(ColumnDef::new(BudgetProjects::Longitude).double().null())
                    .col(ColumnDef::new(BudgetProjects::Status).string().not_null())
                    .col(ColumnDef::new(BudgetProjects::Reason).text().null())
                    .col(ColumnDef::new(BudgetProjects::CreatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_budget_projects_process")
                    .table(BudgetProjects::Table)
                    .col(BudgetProjects::ProcessId)
                    .col(BudgetProjects::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BudgetBallots::Table)
                    .col(ColumnDef::new(BudgetBallots::Id).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(BudgetBallots::ProcessId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetBallots::Receipt).string().not_null().unique_key())
                    .col(ColumnDef::new(BudgetBallots::Channel).string().not_null())
                    .col(ColumnDef::new(BudgetBallots::Status).string().not_null())
                    .col(ColumnDef::new(BudgetBallots::Choices).text().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_budget_ballots_process")
                    .table(BudgetBallots::Table)
                    .col(BudgetBallots::ProcessId)
                    .col(BudgetBallots::Receipt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BudgetParticipations::Table)
                    .col(ColumnDef::new(BudgetParticipations::ProcessId).big_integer().not_null())
                    .col(ColumnDef::new(BudgetParticipations::ParticipantKey).string().not_null())
                    .col(ColumnDef::new(BudgetParticipations::BallotRef).big_integer().not_null())
                    .primary_key(
                        Index::create().col(BudgetParticipations::ProcessId).col(BudgetParticipations::ParticipantKey),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BudgetParticipations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(BudgetBallots::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(BudgetProjects::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(BudgetProcesses::Table).to_owned()).await
    }
}
