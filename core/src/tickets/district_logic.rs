//! The tickets' hook points — routing at intake, deadlines at dispatch — and the one place
//! where each answer is checked before the domain uses it.

use sea_orm::DbErr;

use super::Priority;
use super::input::{MAX_TAGS, plugin_tag_problem};
use crate::context::Context;
use crate::directory;
use crate::hooks::{DeadlineRequest, Deadlines, Hook, RoutingDecision, RoutingRequest, Verdict};
use crate::ids::{DepartmentId, DistrictId};
use crate::plugins::{DeadlineAnswer, HookCall, HookKind, LoadedPlugin, PluginRuntime, RouterAnswer};

/// `ticket-router`: where a new ticket goes.
#[derive(Debug)]
pub struct RouteTicket;

impl Hook for RouteTicket {
    const KIND: HookKind = HookKind::TicketRouter;
    type Request = RoutingRequest;
    type Answer = Option<RouterAnswer>;
    type Decision = RoutingDecision;

    fn district(request: &RoutingRequest) -> Option<DistrictId> {
        Some(request.district_id)
    }

    fn call(runtime: &dyn PluginRuntime, plugin: &LoadedPlugin, request: &RoutingRequest) -> HookCall<Self::Answer> {
        runtime.route_ticket(plugin, request)
    }

    /// A department of the ticket's district, and at most [`MAX_TAGS`] tags checked like a
    /// listener's (length, no control characters or spaces).
    async fn check(
        ctx: &Context,
        request: &RoutingRequest,
        answer: Option<RouterAnswer>,
    ) -> Result<Verdict<RoutingDecision>, DbErr> {
        let Some(answer) = answer else {
            return Ok(Verdict::NoOpinion);
        };
        let Ok(department_id) = answer.department.parse::<DepartmentId>() else {
            let named = answer.department.chars().take(64).collect::<String>();
            return Ok(Verdict::Refused(format!("unknown department `{named}`")));
        };
        if !directory::department_belongs_to(&ctx.db, department_id, request.district_id).await? {
            return Ok(Verdict::Refused(format!("{department_id} is not a department of the ticket's district")));
        }
        if answer.tags.len() > MAX_TAGS {
            return Ok(Verdict::Refused(format!("{} tags; at most {MAX_TAGS}", answer.tags.len())));
        }
        if let Some(problem) = answer.tags.iter().find_map(|tag| plugin_tag_problem(tag)) {
            return Ok(Verdict::Refused(problem));
        }
        Ok(Verdict::Decided(RoutingDecision { department_id, priority: answer.priority, tags: answer.tags }))
    }
}

/// `deadline-policy`: the deadlines of a dispatched ticket.
#[derive(Debug)]
pub struct SetDeadlines;

impl Hook for SetDeadlines {
    const KIND: HookKind = HookKind::DeadlinePolicy;
    type Request = DeadlineRequest;
    type Answer = Option<DeadlineAnswer>;
    type Decision = Deadlines;

    fn district(request: &DeadlineRequest) -> Option<DistrictId> {
        Some(request.district_id)
    }

    fn call(runtime: &dyn PluginRuntime, plugin: &LoadedPlugin, request: &DeadlineRequest) -> HookCall<Self::Answer> {
        runtime.ticket_deadlines(plugin, request)
    }

    /// Deadlines after the dispatch, the response no later than the resolution, and neither
    /// later than `Config::max_deadline_after_dispatch` (a far deadline would switch
    /// escalation off). Deadlines equal to the category's are no opinion.
    async fn check(
        ctx: &Context,
        request: &DeadlineRequest,
        answer: Option<DeadlineAnswer>,
    ) -> Result<Verdict<Deadlines>, DbErr> {
        let Some(answer) = answer else {
            return Ok(Verdict::NoOpinion);
        };
        let respond_by = answer.respond_by.unwrap_or(request.respond_by);
        let resolve_by = answer.resolve_by.unwrap_or(request.resolve_by);
        if respond_by == request.respond_by && resolve_by == request.resolve_by {
            return Ok(Verdict::NoOpinion);
        }
        if respond_by <= request.dispatched_at || resolve_by < respond_by {
            return Ok(Verdict::Refused("deadlines in the past or out of order".to_owned()));
        }
        let limit = ctx.config.max_deadline_after_dispatch;
        if resolve_by > request.dispatched_at + limit {
            return Ok(Verdict::Refused(format!("a deadline more than {} days after the dispatch", limit.num_days())));
        }
        Ok(Verdict::Decided(Deadlines { respond_by, resolve_by }))
    }
}

/// How urgent a ticket is when both a person and a router may have said: the more urgent.
pub(crate) fn combined_priority(given: Option<Priority>, routed: Option<Priority>) -> Priority {
    given.into_iter().chain(routed).max().unwrap_or(Priority::Normal)
}
