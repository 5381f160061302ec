//! Hotline tickets, their append-only timeline, followers, yearly code counters and the
//! domain-event outbox.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Tickets {
    Table,
    Id,
    Code,
    Channel,
    DistrictId,
    StreetId,
    CategoryId,
    Title,
    Description,
    Address,
    Latitude,
    Longitude,
    ReporterSubject,
    IntakeSubject,
    ContactName,
    ContactPhone,
    ContactEmail,
    Priority,
    Status,
    DepartmentId,
    RespondByMs,
    ResolveByMs,
    AcceptedAtMs,
    ResolvedAtMs,
    ClosedAtMs,
    EscalationLevel,
    RatingScore,
    RatingComment,
    MergedIntoId,
    ReopenCount,
    Version,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Id,
    TicketId,
    Kind,
    ActorSubject,
    ActorRole,
    AtMs,
    Note,
    DepartmentId,
    Score,
    RelatedTicketId,
}

#[derive(DeriveIden)]
enum TicketFollowers {
    Table,
    TicketId,
    Subject,
}

#[derive(DeriveIden)]
enum TicketCodeCounters {
    Table,
    Year,
    LastValue,
}

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Id,
    Kind,
    DistrictId,
    AggregateId,
    Payload,
    AtMs,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
}

fn pk(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().auto_increment().primary_key().take()
}

fn index(name: &str, table: impl IntoIden, columns: &[Tickets]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tickets::Table)
                    .col(pk(Tickets::Id))
                    .col(ColumnDef::new(Tickets::Code).string().not_null().unique_key())
                    .col(ColumnDef::new(Tickets::Channel).string().not_null())
                    .col(ColumnDef::new(Tickets::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(Tickets::StreetId).big_integer().null())
                    .col(ColumnDef::new(Tickets::CategoryId).big_integer().not_null())
                    .col(ColumnDef::new(Tickets::Title).string().not_null())
                    .col(ColumnDef::new(Tickets::Description).text().not_null())
                    .col(ColumnDef::new(Tickets::Address).string().null())
                    .col(ColumnDef::new(Tickets::Latitude).double().null())
                    .col(ColumnDef::new(Tickets::Longitude).double().null())
                    .col(ColumnDef::new(Tickets::ReporterSubject).string().null())
                    .col(ColumnDef::new(Tickets::IntakeSubject).string().null())
                    .col(ColumnDef::new(Tickets::ContactName).string().null())
                    .col(ColumnDef::new(Tickets::ContactPhone).string().null())
                    .col(ColumnDef::new(Tickets::ContactEmail).string().null())
                    .col(ColumnDef::new(Tickets::Priority).string().not_null())
                    .col(ColumnDef::new(Tickets::Status).string().not_null())
                    .col(ColumnDef::new(Tickets::DepartmentId).big_integer().null())
                    .col(ColumnDef::new(Tickets::RespondByMs).big_integer().not_null())
                    .col(ColumnDef::new(Tickets::ResolveByMs).big_integer().not_null())
                    .col(ColumnDef::new(Tickets::AcceptedAtMs).big_integer().null())
                    .col(ColumnDef::new(Tickets::ResolvedAtMs).big_integer().null())
                    .col(ColumnDef::new(Tickets::ClosedAtMs).big_integer().null())
                    .col(ColumnDef::new(Tickets::EscalationLevel).small_integer().not_null().default(0))
                    .col(ColumnDef::new(Tickets::RatingScore).small_integer().null())
                    .col(ColumnDef::new(Tickets::RatingComment).text().null())
                    .col(ColumnDef::new(Tickets::MergedIntoId).big_integer().null())
                    .col(ColumnDef::new(Tickets::ReopenCount).integer().not_null().default(0))
                    .col(ColumnDef::new(Tickets::Version).integer().not_null().default(0))
                    .col(ColumnDef::new(Tickets::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Tickets::UpdatedAtMs).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::DistrictId)
                            .to(Districts::Table, Districts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tickets::Table, Tickets::CategoryId)
                            .to(Categories::Table, Categories::Id),
                    )
                    .to_owned(),
            )
            .await?;

        // Keyset pages are ordered by id within each tenant scope; stats filter by creation time;
        // the sweeper scans open tickets by deadline.
        for (name, columns) in [
            ("idx_tickets_district_id", &[Tickets::DistrictId, Tickets::Id][..]),
            ("idx_tickets_department_id", &[Tickets::DepartmentId, Tickets::Id][..]),
            ("idx_tickets_reporter", &[Tickets::ReporterSubject, Tickets::Id][..]),
            ("idx_tickets_district_created", &[Tickets::DistrictId, Tickets::CreatedAtMs][..]),
            ("idx_tickets_status_respond", &[Tickets::Status, Tickets::RespondByMs][..]),
            ("idx_tickets_status_resolve", &[Tickets::Status, Tickets::ResolveByMs][..]),
            ("idx_tickets_created", &[Tickets::CreatedAtMs][..]),
        ] {
            manager.create_index(index(name, Tickets::Table, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TicketEvents::Table)
                    .col(pk(TicketEvents::Id))
                    .col(ColumnDef::new(TicketEvents::TicketId).big_integer().not_null())
                    .col(ColumnDef::new(TicketEvents::Kind).string().not_null())
                    .col(ColumnDef::new(TicketEvents::ActorSubject).string().null())
                    .col(ColumnDef::new(TicketEvents::ActorRole).string().null())
                    .col(ColumnDef::new(TicketEvents::AtMs).big_integer().not_null())
                    .col(ColumnDef::new(TicketEvents::Note).text().null())
                    .col(ColumnDef::new(TicketEvents::DepartmentId).big_integer().null())
                    .col(ColumnDef::new(TicketEvents::Score).small_integer().null())
                    .col(ColumnDef::new(TicketEvents::RelatedTicketId).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TicketEvents::Table, TicketEvents::TicketId)
                            .to(Tickets::Table, Tickets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_events_ticket")
                    .table(TicketEvents::Table)
                    .col(TicketEvents::TicketId)
                    .col(TicketEvents::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketFollowers::Table)
                    .col(ColumnDef::new(TicketFollowers::TicketId).big_integer().not_null())
                    .col(ColumnDef::new(TicketFollowers::Subject).string().not_null())
                    .primary_key(Index::create().col(TicketFollowers::TicketId).col(TicketFollowers::Subject))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ticket_followers_subject")
                    .table(TicketFollowers::Table)
                    .col(TicketFollowers::Subject)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TicketCodeCounters::Table)
                    .col(ColumnDef::new(TicketCodeCounters::Year).integer().not_null().primary_key())
                    .col(ColumnDef::new(TicketCodeCounters::LastValue).big_integer().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DomainEvents::Table)
                    .col(pk(DomainEvents::Id))
                    .col(ColumnDef::new(DomainEvents::Kind).string().not_null())
                    .col(ColumnDef::new(DomainEvents::DistrictId).big_integer().null())
                    .col(ColumnDef::new(DomainEvents::AggregateId).big_integer().not_null())
                    .col(ColumnDef::new(DomainEvents::Payload).text().not_null())
                    .col(ColumnDef::new(DomainEvents::AtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DomainEvents::Table.into_iden(),
            TicketCodeCounters::Table.into_iden(),
            TicketFollowers::Table.into_iden(),
            TicketEvents::Table.into_iden(),
            Tickets::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
