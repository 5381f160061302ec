//! Live work queues: the new timeline entries of a district's tickets, or of one department's,
//! for those who work them.

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::TicketError;
use super::access;
use super::entities::{ticket, ticket_event};
use super::model::TicketEvent;
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::ids::{DepartmentId, DistrictId, TicketEventId, TicketId};

/// The most entries one read of a queue returns.
pub const MAX_QUEUE_READ: u64 = 500;

/// A work queue: a district's tickets, or those dispatched to one of its departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    /// The district.
    pub district: DistrictId,
    /// Only the tickets dispatched to this department of it.
    pub department: Option<DepartmentId>,
}

/// Whether `caller` may watch `queue`: operators and city admins, the district's admin, and the
/// staff of the queue's department (who must name it). Residents follow their own tickets.
pub fn may_watch(caller: &Caller, queue: Queue) -> Result<(), TicketError> {
    let allowed = match caller {
        Caller::Anonymous => return Err(TicketError::Unauthenticated),
        Caller::System => true,
        _ if caller.is_city_wide() => true,
        _ if caller.is(Role::DistrictAdmin) => caller.district() == Some(queue.district),
        _ if caller.is(Role::DepartmentStaff) => {
            caller.district() == Some(queue.district)
                && queue.department.is_some()
                && caller.department() == queue.department
        }
        _ => false,
    };
    allowed.then_some(()).ok_or(TicketError::Forbidden)
}

/// The timeline entries after `after` of the queue's tickets that `caller` may see, oldest
/// first, at most `limit` (capped at [`MAX_QUEUE_READ`]); only those of `only` when given.
pub async fn queue_entries(
    ctx: &Context,
    caller: &Caller,
    queue: Queue,
    only: Option<&[TicketId]>,
    after: TicketEventId,
    limit: u64,
) -> Result<Vec<TicketEvent>, TicketError> {
    may_watch(caller, queue)?;
    let mut tickets = Query::select()
        .column(ticket::Column::Id)
        .from(ticket::Entity)
        .cond_where(access::visibility(caller))
        .and_where(ticket::Column::DistrictId.eq(queue.district.0))
        .to_owned();
    if let Some(department) = queue.department {
        tickets.and_where(ticket::Column::DepartmentId.eq(department.0));
    }
    if let Some(only) = only {
        tickets.and_where(ticket::Column::Id.is_in(only.iter().map(|id| id.0)));
    }
    let rows = ticket_event::Entity::find()
        .filter(ticket_event::Column::Id.gt(after.0))
        .filter(ticket_event::Column::TicketId.in_subquery(tickets))
        .order_by_asc(ticket_event::Column::Id)
        .limit(limit.min(MAX_QUEUE_READ))
        .all(&ctx.db)
        .await?;
    rows.into_iter().map(TicketEvent::try_from).collect()
}

/// The newest timeline entry's ID (0 when there is none): where a live queue starts.
pub async fn newest_entry(ctx: &Context) -> Result<TicketEventId, TicketError> {
    let newest: Option<i64> = ticket_event::Entity::find()
        .select_only()
        .column(ticket_event::Column::Id)
        .order_by_desc(ticket_event::Column::Id)
        .limit(1)
        .into_tuple()
        .one(&ctx.db)
        .await?;
    Ok(TicketEventId(newest.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_those_who_work_a_queue_may_watch_it() {
        let (d1, d2) = (DistrictId(1), DistrictId(2));
        let (p1, p2) = (DepartmentId(1), DepartmentId(2));
        let district = Queue { district: d1, department: None };
        let department = Queue { district: d1, department: Some(p1) };
        assert!(may_watch(&Caller::operator("op"), district).is_ok());
        assert!(may_watch(&Caller::city_admin("c"), department).is_ok());
        assert!(may_watch(&Caller::district_admin("a", d1), district).is_ok());
        assert!(matches!(may_watch(&Caller::district_admin("a", d2), district), Err(TicketError::Forbidden)));
        assert!(may_watch(&Caller::staff("s", d1, p1), department).is_ok());
        assert!(matches!(may_watch(&Caller::staff("s", d1, p1), district), Err(TicketError::Forbidden)));
        assert!(matches!(may_watch(&Caller::staff("s", d1, p2), department), Err(TicketError::Forbidden)));
        assert!(matches!(may_watch(&Caller::resident("r"), district), Err(TicketError::Forbidden)));
        assert!(matches!(may_watch(&Caller::Anonymous, district), Err(TicketError::Unauthenticated)));
    }
}
