//! Translation between ticket rows and domain values, and the writes every change shares.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    Statement,
};

use super::TicketError;
use super::access;
use super::entities::{ticket, ticket_code_counter, ticket_event};
use super::model::{Channel, Contact, GeoPoint, Priority, Rating, Ticket, TicketEvent, TicketEventKind, TicketStatus};
use super::state::{TicketState, Transition};
use crate::auth::Caller;
use crate::events::{DomainEvent, TicketFacts, TicketRating};
use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId, TicketEventId, TicketId};
use crate::time::from_millis;

fn corrupt(what: &str, value: &str) -> TicketError {
    TicketError::Corrupt(format!("unknown {what} `{value}`"))
}

impl TryFrom<ticket::Model> for Ticket {
    type Error = TicketError;

    fn try_from(row: ticket::Model) -> Result<Self, Self::Error> {
        Ok(Ticket {
            id: TicketId(row.id),
            channel: Channel::parse(&row.channel).ok_or_else(|| corrupt("channel", &row.channel))?,
            priority: Priority::parse(&row.priority).ok_or_else(|| corrupt("priority", &row.priority))?,
            status: TicketStatus::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
            code: row.code,
            district_id: DistrictId(row.district_id),
            street_id: row.street_id.map(StreetId),
            category_id: CategoryId(row.category_id),
            title: row.title,
            description: row.description,
            address: row.address,
            location: row.latitude.zip(row.longitude).map(|(latitude, longitude)| GeoPoint { latitude, longitude }),
            reporter_subject: row.reporter_subject,
            intake_subject: row.intake_subject,
            contact: Contact {
                name: row.contact_name,
                phone: row.contact_phone,
                email: row.contact_email,
                language: row.contact_language.as_deref().and_then(crate::i18n::Locale::parse),
            },
            department_id: row.department_id.map(DepartmentId),
            respond_by: from_millis(row.respond_by_ms),
            resolve_by: from_millis(row.resolve_by_ms),
            accepted_at: row.accepted_at_ms.map(from_millis),
            resolved_at: row.resolved_at_ms.map(from_millis),
            closed_at: row.closed_at_ms.map(from_millis),
            escalation_level: row.escalation_level,
            rating: row
                .rating_score
                .map(|score| Rating { score: u8::try_from(score).unwrap_or(0), comment: row.rating_comment }),
            merged_into: row.merged_into_id.map(TicketId),
            reopen_count: row.reopen_count,
            version: row.version,
            created_at: from_millis(row.created_at_ms),
            updated_at: from_millis(row.updated_at_ms),
            tracking_token: None,
        })
    }
}

impl TryFrom<ticket_event::Model> for TicketEvent {
    type Error = TicketError;

    fn try_from(row: ticket_event::Model) -> Result<Self, Self::Error> {
        Ok(TicketEvent {
            id: TicketEventId(row.id),
            ticket_id: TicketId(row.ticket_id),
            kind: TicketEventKind::parse(&row.kind).ok_or_else(|| corrupt("event kind", &row.kind))?,
            actor_subject: row.actor_subject,
            actor_role: row.actor_role,
            at: from_millis(row.at_ms),
            note: row.note,
            department_id: row.department_id.map(DepartmentId),
            score: row.score.and_then(|score| u8::try_from(score).ok()),
            related_ticket_id: row.related_ticket_id.map(TicketId),
        })
    }
}

impl Ticket {
    /// The lifecycle part of this ticket.
    pub fn state(&self) -> TicketState {
        TicketState {
            status: self.status,
            department: self.department_id,
            reopen_count: self.reopen_count,
            rating: self.rating.as_ref().map(|rating| rating.score),
            merged_into: self.merged_into,
        }
    }
}

impl TicketEvent {
    /// The lifecycle transition this entry records, if it records one.
    pub fn transition(&self) -> Option<Transition> {
        Some(match self.kind {
            TicketEventKind::Submitted => Transition::Submit { department: self.department_id },
            TicketEventKind::Dispatched => Transition::Dispatch { department: self.department_id? },
            TicketEventKind::Accepted => Transition::Accept,
            TicketEventKind::Returned => Transition::Return,
            TicketEventKind::Transferred => Transition::Transfer { department: self.department_id? },
            TicketEventKind::Resolved => Transition::Resolve,
            TicketEventKind::Rated => Transition::Rate { score: self.score? },
            TicketEventKind::AutoClosed => Transition::AutoClose,
            TicketEventKind::Rejected => Transition::Reject,
            TicketEventKind::MergedInto => Transition::MergeInto { primary: self.related_ticket_id? },
            TicketEventKind::DuplicateMerged
            | TicketEventKind::Commented
            | TicketEventKind::Tagged
            | TicketEventKind::Escalated
            | TicketEventKind::DeadlinesChanged => {
                return None;
            }
        })
    }
}

/// The ticket `id` if `caller` may see it; `NotFound` otherwise, whether or not it exists.
pub(crate) async fn load_visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: TicketId,
) -> Result<Ticket, TicketError> {
    ticket::Entity::find_by_id(id.0)
        .filter(access::visibility(caller))
        .one(db)
        .await?
        .ok_or(TicketError::NotFound)
        .and_then(Ticket::try_from)
}

/// The next tracking code of `year`: `T-2026-000001`, `T-2026-000002`, ...
///
/// On PostgreSQL the number comes from a sequence, which concurrent submissions draw from
/// without waiting for each other's commits (a counter row would be locked until then); it
/// does not restart each year, and a rolled-back submission leaves a gap. On SQLite, which
/// writes one transaction at a time, a per-year counter row (one upsert statement).
pub(crate) async fn next_code(db: &impl ConnectionTrait, year: i32) -> Result<String, TicketError> {
    let value: i64 = if db.get_database_backend() == DatabaseBackend::Postgres {
        let statement = Statement::from_string(DatabaseBackend::Postgres, "SELECT nextval('ticket_code_seq')");
        let row = db
            .query_one_raw(statement)
            .await?
            .ok_or_else(|| TicketError::Corrupt("the code sequence returned no row".into()))?;
        row.try_get_by_index(0)?
    } else {
        let statement = Query::insert()
            .into_table(ticket_code_counter::Entity)
            .columns([ticket_code_counter::Column::Year, ticket_code_counter::Column::LastValue])
            .values_panic([year.into(), 1i64.into()])
            .on_conflict(
                OnConflict::column(ticket_code_counter::Column::Year)
                    .value(
                        ticket_code_counter::Column::LastValue,
                        Expr::col((ticket_code_counter::Entity, ticket_code_counter::Column::LastValue)).add(1),
                    )
                    .to_owned(),
            )
            .returning_col(ticket_code_counter::Column::LastValue)
            .to_owned();
        let row = db
            .query_one(&statement)
            .await?
            .ok_or_else(|| TicketError::Corrupt("the code counter returned no row".into()))?;
        row.try_get_by_index(0)?
    };
    Ok(format!("T-{year}-{value:06}"))
}

/// A timeline entry to append.
#[derive(Default)]
pub(crate) struct NewEvent {
    pub note: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub score: Option<u8>,
    pub related_ticket_id: Option<TicketId>,
}

/// Appends an entry to a ticket's timeline.
pub(crate) async fn append_event(
    db: &impl ConnectionTrait,
    ticket_id: TicketId,
    kind: TicketEventKind,
    actor: &Caller,
    at_ms: i64,
    event: NewEvent,
) -> Result<(), TicketError> {
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id.0),
        kind: Set(kind.as_str().to_owned()),
        actor_subject: Set(actor.subject().map(str::to_owned)),
        actor_role: Set(actor.recorded_role().map(str::to_owned)),
        at_ms: Set(at_ms),
        note: Set(event.note),
        department_id: Set(event.department_id.map(|id| id.0)),
        score: Set(event.score.map(i16::from)),
        related_ticket_id: Set(event.related_ticket_id.map(|id| id.0)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Writes `changes` if the ticket is still at `version`, bumping the version; `Conflict` if
/// someone else changed it first.
pub(crate) async fn update_if_unchanged(
    db: &impl ConnectionTrait,
    id: TicketId,
    version: i32,
    mut changes: ticket::ActiveModel,
) -> Result<(), TicketError> {
    changes.version = Set(version + 1);
    let result = ticket::Entity::update_many()
        .set(changes)
        .filter(ticket::Column::Id.eq(id.0))
        .filter(ticket::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(TicketError::Conflict);
    }
    Ok(())
}

/// Marks a ticket updated without bumping its version: a comment or a listener's tag does not
/// change the ticket's state, and must not make a department's concurrent action fail with a
/// conflict.
pub(crate) async fn touch(db: &impl ConnectionTrait, id: TicketId, at_ms: i64) -> Result<(), TicketError> {
    ticket::Entity::update_many()
        .col_expr(ticket::Column::UpdatedAtMs, Expr::value(at_ms))
        .filter(ticket::Column::Id.eq(id.0))
        .exec(db)
        .await?;
    Ok(())
}

impl Ticket {
    /// What this ticket's events say about it (IDs and status only: never contact data).
    pub(crate) fn facts(&self) -> TicketFacts {
        TicketFacts {
            ticket: self.id,
            district: self.district_id,
            code: self.code.clone(),
            status: self.status,
            department: self.department_id,
        }
    }
}

/// The domain event of `transition`, which left the ticket as `ticket`; `None` for a merge,
/// whose event names all its tickets.
pub(crate) fn transition_event(ticket: &Ticket, transition: Transition) -> Option<DomainEvent> {
    let facts = ticket.facts();
    Some(match transition {
        Transition::Submit { .. } => DomainEvent::TicketSubmitted(facts),
        Transition::Dispatch { .. } => DomainEvent::TicketDispatched(facts),
        Transition::Accept => DomainEvent::TicketAccepted(facts),
        Transition::Return => DomainEvent::TicketReturned(facts),
        Transition::Transfer { .. } => DomainEvent::TicketTransferred(facts),
        Transition::Resolve => DomainEvent::TicketResolved(facts),
        Transition::Rate { score } => DomainEvent::TicketRated(TicketRating { ticket: facts, score }),
        Transition::AutoClose => DomainEvent::TicketAutoClosed(facts),
        Transition::Reject => DomainEvent::TicketRejected(facts),
        Transition::MergeInto { .. } => return None,
    })
}

/// The SQL condition "the ticket's status is one of `statuses`", from the lifecycle's own sets
/// (`TicketStatus::AWAITING_RESPONSE`, ...).
pub(crate) fn status_in(statuses: &[TicketStatus]) -> SimpleExpr {
    ticket::Column::Status.is_in(statuses.iter().map(|status| status.as_str()))
}

/// Reads a ticket back after a change, bypassing visibility (the change was authorised).
pub(crate) async fn reload(db: &impl ConnectionTrait, id: TicketId) -> Result<Ticket, TicketError> {
    load_visible(db, &Caller::System, id).await
}
