//! Reading tickets and their timelines, always scoped to what the caller may see.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use super::TicketError;
use super::access;
use super::decode::Positional;
use super::entities::{ticket, ticket_event};
use super::model::{Channel, Ticket, TicketEvent, TicketStatus};
use super::state::TicketState;
use super::storage::{self, status_in};
use crate::auth::Caller;
use crate::context::Context;
use crate::ids::{CategoryId, DepartmentId, DistrictId, TicketEventId, TicketId};
use crate::paging::{Order, Page, Window};
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

/// One ticket, if the caller may see it.
pub async fn get(ctx: &Context, caller: &Caller, id: TicketId) -> Result<Ticket, TicketError> {
    storage::load_visible(ctx.reads(), caller, id).await
}

/// One ticket by its tracking code, if the caller may see it.
pub async fn get_by_code(ctx: &Context, caller: &Caller, code: &str) -> Result<Ticket, TicketError> {
    let code = crate::text::required("code", code, 64)?;
    ticket::Entity::find()
        .filter(ticket::Column::Code.eq(code))
        .filter(access::visibility(caller))
        .into_model::<Positional>()
        .one(ctx.reads())
        .await?
        .ok_or(TicketError::NotFound)
        .and_then(|row| Ticket::try_from(row.0))
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

/// The tickets the caller may see that match `filter`, newest first, in `window` (keyset
/// pagination on the ticket ID; at most [`MAX_PAGE_SIZE`] per page).
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    filter: &TicketFilter,
    window: Window,
) -> Result<Page<Ticket>, TicketError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PAGE_SIZE)?;
    let query = window.apply(matching(ctx, caller, filter), ticket::Column::Id, Order::NewestFirst);
    let rows = query.into_model::<Positional>().all(ctx.reads()).await?;
    window.page(rows).try_map(|row| Ticket::try_from(row.0))
}

/// How many tickets the caller may see match `filter` (one `COUNT` over the same scope as
/// [`list`]).
pub async fn count(ctx: &Context, caller: &Caller, filter: &TicketFilter) -> Result<u64, TicketError> {
    Ok(matching(ctx, caller, filter).count(ctx.reads()).await?)
}

/// The tickets of the caller's scope narrowed by `filter`.
fn matching(ctx: &Context, caller: &Caller, filter: &TicketFilter) -> Select<ticket::Entity> {
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
    query
}

/// A page of one ticket's timeline, in the order things happened (keyset pagination on the
/// entry ID), if the caller may see the ticket.
pub async fn timeline_page(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    window: Window,
) -> Result<Page<TicketEvent>, TicketError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PAGE_SIZE)?;
    storage::load_visible(ctx.reads(), caller, id).await?;
    let query = ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(id.0));
    let query = window.apply(query, ticket_event::Column::Id, Order::OldestFirst);
    window.page(query.all(ctx.reads()).await?).try_map(TicketEvent::try_from)
}

/// How many entries one ticket's timeline has, if the caller may see the ticket.
pub async fn timeline_length(ctx: &Context, caller: &Caller, id: TicketId) -> Result<u64, TicketError> {
    storage::load_visible(ctx.reads(), caller, id).await?;
    Ok(ticket_event::Entity::find().filter(ticket_event::Column::TicketId.eq(id.0)).count(ctx.reads()).await?)
}

/// One timeline entry, if the caller may see its ticket.
pub async fn event(ctx: &Context, caller: &Caller, id: TicketEventId) -> Result<TicketEvent, TicketError> {
    let row = ticket_event::Entity::find_by_id(id.0).one(ctx.reads()).await?.ok_or(TicketError::NotFound)?;
    storage::load_visible(ctx.reads(), caller, TicketId(row.ticket_id)).await?;
    TicketEvent::try_from(row)
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
        .all(ctx.reads())
        .await?;
    let rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.is_in(visible))
        .order_by_asc(ticket_event::Column::TicketId)
        .order_by_asc(ticket_event::Column::Id)
        .all(ctx.reads())
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
