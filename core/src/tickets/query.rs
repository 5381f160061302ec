//! Reading tickets and their timelines, always scoped to what the caller may see.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::TicketError;
use super::access;
use super::entities::{ticket, ticket_event};
use super::model::{Channel, Ticket, TicketEvent, TicketStatus};
use super::state::TicketState;
use super::storage::{self, status_in};
use crate::auth::Caller;
use crate::context::Context;
use crate::error::InvalidInput;
use crate::ids::{CategoryId, DepartmentId, DistrictId, TicketId};
use crate::time::to_millis;

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which tickets to list; every criterion narrows the caller's own scope.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only this district.
    pub district_id: Option<DistrictId>,
    /// Only tickets dispatched to this department.
    pub department_id: Option<DepartmentId>,
    /// Only this category.
    pub category_id: Option<CategoryId>,
    /// Only these statuses (all when empty).
    pub statuses: Vec<TicketStatus>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only overdue (`true`) or only on-time (`false`) tickets.
    pub overdue: Option<bool>,
}

/// A page of tickets, newest first.
#[derive(Debug, Clone)]
pub struct TicketPage {
    /// The tickets.
    pub tickets: Vec<Ticket>,
    /// Whether more tickets follow the last one.
    pub has_next_page: bool,
}

/// One ticket, if the caller may see it.
pub async fn get(ctx: &Context, caller: &Caller, id: TicketId) -> Result<Ticket, TicketError> {
    storage::load_visible(&ctx.db, caller, id).await
}

/// One ticket by its tracking code, if the caller may see it.
pub async fn get_by_code(ctx: &Context, caller: &Caller, code: &str) -> Result<Ticket, TicketError> {
    let code = crate::text::required("code", code, 64)?;
    ticket::Entity::find()
        .filter(ticket::Column::Code.eq(code))
        .filter(access::visibility(caller))
        .one(&ctx.db)
        .await?
        .ok_or(TicketError::NotFound)
        .and_then(Ticket::try_from)
}

/// The SQL condition for tickets that are overdue at `now` (see [`Ticket::is_overdue`]).
pub(crate) fn overdue_condition(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(status_in(TicketStatus::AWAITING_RESPONSE))
                .add(ticket::Column::RespondByMs.lt(to_millis(now))),
        )
        .add(
            Condition::all()
                .add(status_in(TicketStatus::AWAITING_RESOLUTION))
                .add(ticket::Column::ResolveByMs.lt(to_millis(now))),
        )
}

/// A page of the tickets the caller may see, newest first, after the `after` ticket.
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    filter: &TicketFilter,
    first: u64,
    after: Option<TicketId>,
) -> Result<TicketPage, TicketError> {
    if first == 0 || first > MAX_PAGE_SIZE {
        return Err(InvalidInput::new("first", format!("must be between 1 and {MAX_PAGE_SIZE}")).into());
    }
    let mut query = ticket::Entity::find().filter(access::visibility(caller));
    if let Some(district) = filter.district_id {
        query = query.filter(ticket::Column::DistrictId.eq(district.0));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(ticket::Column::DepartmentId.eq(department.0));
    }
    if let Some(category) = filter.category_id {
        query = query.filter(ticket::Column::CategoryId.eq(category.0));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(status_in(&filter.statuses));
    }
    if let Some(channel) = filter.channel {
        query = query.filter(ticket::Column::Channel.eq(channel.as_str()));
    }
    match filter.overdue {
        Some(true) => query = query.filter(overdue_condition(ctx.clock.now())),
        Some(false) => query = query.filter(overdue_condition(ctx.clock.now()).not()),
        None => {}
    }
    if let Some(after) = after {
        query = query.filter(ticket::Column::Id.lt(after.0));
    }
    let rows = query.order_by_desc(ticket::Column::Id).limit(first + 1).all(&ctx.db).await?;
    let has_next_page = rows.len() as u64 > first;
    let tickets = rows.into_iter().take(first as usize).map(Ticket::try_from).collect::<Result<_, _>>()?;
    Ok(TicketPage { tickets, has_next_page })
}

/// The first `limit` timeline entries of each of `ids` that the caller may see, in one query.
pub async fn events_of(
    ctx: &Context,
    caller: &Caller,
    ids: &[TicketId],
    limit_per_ticket: usize,
) -> Result<HashMap<TicketId, Vec<TicketEvent>>, TicketError> {
    let visible: Vec<i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(ticket::Column::Id.is_in(ids.iter().map(|id| id.0)))
        .filter(access::visibility(caller))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.is_in(visible))
        .order_by_asc(ticket_event::Column::TicketId)
        .order_by_asc(ticket_event::Column::Id)
        .all(&ctx.db)
        .await?;
    let mut timelines: HashMap<TicketId, Vec<TicketEvent>> = HashMap::new();
    for row in rows {
        let event = TicketEvent::try_from(row)?;
        let timeline = timelines.entry(event.ticket_id).or_default();
        if timeline.len() < limit_per_ticket {
            timeline.push(event);
        }
    }
    Ok(timelines)
}

/// The full timeline of one ticket.
pub async fn timeline(ctx: &Context, caller: &Caller, id: TicketId) -> Result<Vec<TicketEvent>, TicketError> {
    let mut timelines = events_of(ctx, caller, &[id], usize::MAX).await?;
    timelines.remove(&id).ok_or(TicketError::NotFound)
}

/// The lifecycle state obtained by replaying the ticket's timeline from the start; it equals
/// the stored state unless the data was tampered with.
pub async fn replay(ctx: &Context, caller: &Caller, id: TicketId) -> Result<TicketState, TicketError> {
    let events = timeline(ctx, caller, id).await?;
    Ok(TicketState::replay(events.iter().filter_map(TicketEvent::transition))?)
}
