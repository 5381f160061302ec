//! What anyone may know of a ticket, for public interfaces (Open311's request lists): what was
//! reported, where, its status and its latest public note — never who reported it, their
//! contact details, an internal comment or a rating's comment. The type has no field for them,
//! so that no public page can print one by mistake.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::TicketError;
use super::entities::{ticket, ticket_event};
use super::model::{GeoPoint, Ticket, TicketEventKind, TicketStatus};
use super::storage::status_in;
use crate::context::Context;
use crate::ids::{CategoryId, DepartmentId, DistrictId, TicketId};
use crate::time::to_millis;

/// The most tickets one public read returns.
pub const MAX_PUBLIC_PAGE: u64 = 1000;

/// The timeline entries whose note is meant for the public: why a ticket went to a department,
/// how it was resolved, why it was rejected. Comments, returns and ratings stay inside.
pub const PUBLIC_NOTE_KINDS: [TicketEventKind; 4] =
    [TicketEventKind::Dispatched, TicketEventKind::Transferred, TicketEventKind::Resolved, TicketEventKind::Rejected];

/// A ticket as the public sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicTicket {
    /// Its ID.
    pub id: TicketId,
    /// Its tracking code.
    pub code: String,
    /// Its district.
    pub district_id: DistrictId,
    /// Its category.
    pub category_id: CategoryId,
    /// The department it is dispatched to.
    pub department_id: Option<DepartmentId>,
    /// Its status.
    pub status: TicketStatus,
    /// What was reported.
    pub description: String,
    /// Where, as written.
    pub address: Option<String>,
    /// Where, on the map.
    pub location: Option<GeoPoint>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it must be resolved by.
    pub resolve_by: DateTime<Utc>,
    /// The latest note of one of the [`PUBLIC_NOTE_KINDS`].
    pub public_note: Option<String>,
}

impl PublicTicket {
    fn from_ticket(ticket: Ticket) -> Self {
        PublicTicket {
            id: ticket.id,
            code: ticket.code,
            district_id: ticket.district_id,
            category_id: ticket.category_id,
            department_id: ticket.department_id,
            status: ticket.status,
            description: ticket.description,
            address: ticket.address,
            location: ticket.location,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            resolve_by: ticket.resolve_by,
            public_note: None,
        }
    }
}

/// Which of a district's tickets to read, newest first.
#[derive(Debug, Clone)]
pub struct PublicFilter {
    /// The district.
    pub district_id: DistrictId,
    /// Only these tracking codes (every other criterion ignored when given).
    pub codes: Vec<String>,
    /// Only these categories (all when empty).
    pub category_ids: Vec<CategoryId>,
    /// Only these statuses (all when empty).
    pub statuses: Vec<TicketStatus>,
    /// Submitted at or after.
    pub from: Option<DateTime<Utc>>,
    /// Submitted at or before.
    pub to: Option<DateTime<Utc>>,
}

/// Public tickets of one district matching `filter`: `limit` (at most [`MAX_PUBLIC_PAGE`]) after
/// skipping `offset`, newest first, each with its latest public note. Two statements whatever
/// the page size.
pub async fn public_tickets(
    ctx: &Context,
    filter: &PublicFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<PublicTicket>, TicketError> {
    let mut query = ticket::Entity::find().filter(ticket::Column::DistrictId.eq(filter.district_id.0));
    if filter.codes.is_empty() {
        if !filter.category_ids.is_empty() {
            query = query.filter(ticket::Column::CategoryId.is_in(filter.category_ids.iter().map(|id| id.0)));
        }
        if !filter.statuses.is_empty() {
            query = query.filter(status_in(&filter.statuses));
        }
        if let Some(from) = filter.from {
            query = query.filter(ticket::Column::CreatedAtMs.gte(to_millis(from)));
        }
        if let Some(to) = filter.to {
            query = query.filter(ticket::Column::CreatedAtMs.lte(to_millis(to)));
        }
    } else {
        query = query.filter(ticket::Column::Code.is_in(filter.codes.iter().map(String::as_str)));
    }
    // Newest first by submission time, which the (district, created) index yields in order: a
    // page of 1000 out of a district's 300,000 recent tickets reads 1000 index entries instead
    // of sorting the 300,000 (ticket IDs grow with submission time: the same order).
    let rows = query
        .order_by_desc(ticket::Column::CreatedAtMs)
        .order_by_desc(ticket::Column::Id)
        .offset(offset)
        .limit(limit.min(MAX_PUBLIC_PAGE))
        .all(ctx.reads())
        .await?;
    let mut tickets = rows
        .into_iter()
        .map(|row| Ticket::try_from(row).map(PublicTicket::from_ticket))
        .collect::<Result<Vec<_>, _>>()?;
    attach_public_notes(ctx, &mut tickets).await?;
    Ok(tickets)
}

async fn attach_public_notes(ctx: &Context, tickets: &mut [PublicTicket]) -> Result<(), TicketError> {
    if tickets.is_empty() {
        return Ok(());
    }
    // Oldest first: the last note seen for a ticket is its latest.
    let notes: Vec<(i64, Option<String>)> = ticket_event::Entity::find()
        .select_only()
        .column(ticket_event::Column::TicketId)
        .column(ticket_event::Column::Note)
        .filter(ticket_event::Column::TicketId.is_in(tickets.iter().map(|ticket| ticket.id.0)))
        .filter(ticket_event::Column::Kind.is_in(PUBLIC_NOTE_KINDS.iter().map(|kind| kind.as_str())))
        .order_by_asc(ticket_event::Column::Id)
        .into_tuple()
        .all(ctx.reads())
        .await?;
    let mut latest = std::collections::HashMap::new();
    for (ticket_id, note) in notes {
        // A dispatch without a note says nothing new; an earlier reason still stands.
        if let Some(note) = note {
            latest.insert(ticket_id, note);
        }
    }
    for ticket in tickets {
        ticket.public_note = latest.remove(&ticket.id.0);
    }
    Ok(())
}
