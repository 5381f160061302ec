//! Asking the district's hooks (plugins) and checking their answers before the domain uses them.

use chrono::{DateTime, Utc};

use super::TicketError;
use crate::context::Context;
use crate::directory;
use crate::hooks::{DeadlineRequest, RoutingDecision, RoutingRequest};

/// The router's decision if it names a department of the ticket's district; otherwise `None`
/// (normal dispatch), and the hooks are told why the decision was refused.
pub(crate) async fn route(ctx: &Context, request: &RoutingRequest) -> Result<Option<RoutingDecision>, TicketError> {
    let Some(decision) = ctx.hooks.route_ticket(request).await else {
        return Ok(None);
    };
    if directory::department_belongs_to(&ctx.db, decision.department_id, request.district_id).await? {
        return Ok(Some(decision));
    }
    ctx.hooks.routing_refused(request, &decision, "not a department of the ticket's district").await;
    Ok(None)
}

/// Deadlines chosen by the district's policy, if it has an opinion that makes sense: both after
/// the dispatch, and the response no later than the resolution.
pub(crate) async fn deadlines(
    ctx: &Context,
    request: &DeadlineRequest,
) -> Option<(DateTime<Utc>, DateTime<Utc>, String)> {
    let answer = ctx.hooks.ticket_deadlines(request).await?;
    let respond_by = answer.respond_by.unwrap_or(request.respond_by);
    let resolve_by = answer.resolve_by.unwrap_or(request.resolve_by);
    let changed = respond_by != request.respond_by || resolve_by != request.resolve_by;
    let sensible = respond_by > request.dispatched_at && resolve_by >= respond_by;
    (changed && sensible).then_some((respond_by, resolve_by, answer.decided_by))
}

/// How urgent a ticket is when both a person and a router may have said: the more urgent.
pub(crate) fn combined_priority(given: Option<super::Priority>, routed: Option<super::Priority>) -> super::Priority {
    given.into_iter().chain(routed).max().unwrap_or(super::Priority::Normal)
}
