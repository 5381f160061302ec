//! Delivering domain events to the districts' listeners: a cursor per district, the cause of
//! every event a listener's action raised (so that listeners never hear their own echoes), and
//! the notifications listeners enqueue for departments.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Id,
    DistrictId,
    CausedBy,
}

#[derive(DeriveIden)]
enum EventDeliveries {
    Table,
    DistrictId,
    LastEventId,
    Failures,
    RetryAtMs,
    LastError,
}

#[derive(DeriveIden)]
enum DepartmentNotifications {
    Table,
    Id,
    DistrictId,
    DepartmentId,
    TicketId,
    Message,
    SentBy,
    CreatedAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(DomainEvents::Table)
                    .add_column(ColumnDef::new(DomainEvents::CausedBy).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_domain_events_district")
                    .table(DomainEvents::Table)
                    .col(DomainEvents::DistrictId)
                    .col(DomainEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventDeliveries::Table)
                    .col(ColumnDef::new(EventDeliveries::DistrictId).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(EventDeliveries::LastEventId).big_integer().not_null())
                    .col(ColumnDef::new(EventDeliveries::Failures).integer().not_null().default(0))
                    .col(ColumnDef::new(EventDeliveries::RetryAtMs).big_integer().null())
                    .col(ColumnDef::new(EventDeliveries::LastError).text().null())
                    .to_owned(),
            )
            .await?;
        // Listeners start with what happens from now on, not with the deployment's history.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO event_deliveries (district_id, last_event_id, failures) \
                 SELECT id, (SELECT COALESCE(MAX(id), 0) FROM domain_events), 0 FROM districts",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DepartmentNotifications::Table)
                    .col(
                        ColumnDef::new(DepartmentNotifications::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DepartmentNotifications::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(DepartmentNotifications::DepartmentId).big_integer().not_null())
                    .col(ColumnDef::new(DepartmentNotifications::TicketId).big_integer().null())
                    .col(ColumnDef::new(DepartmentNotifications::Message).text().not_null())
                    .col(ColumnDef::new(DepartmentNotifications::SentBy).string().not_null())
                    .col(ColumnDef::new(DepartmentNotifications::CreatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_department_notifications_department")
                    .table(DepartmentNotifications::Table)
                    .col(DepartmentNotifications::DepartmentId)
                    .col(DepartmentNotifications::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DepartmentNotifications::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(EventDeliveries::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("idx_domain_events_district").table(DomainEvents::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(DomainEvents::Table).drop_column(DomainEvents::CausedBy).to_owned())
            .await
    }
}
