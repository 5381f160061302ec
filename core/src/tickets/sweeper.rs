//! The deadline sweeper: escalates overdue tickets and auto-closes unrated resolved ones.
//!
//! Idempotent and safe with several server instances on one database: each escalation is a
//! conditional update (`escalation_level < N`) and only the instance whose update changed the
//! row writes the timeline entry; auto-close goes through the optimistic version check.

use chrono::Duration;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

use super::TicketError;
use super::entities::ticket;
use super::model::{TicketEventKind, TicketStatus};
use super::service;
use super::storage::{self, NewEvent, status_in};
use crate::auth::Caller;
use crate::context::Context;
use crate::events::{self, DomainEvent, TicketEscalation};
use crate::ids::{DistrictId, TicketId};
use crate::time::to_millis;

/// Tickets handled per sweep step, to bound each transaction.
const BATCH: u64 = 500;

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Tickets escalated for a missed response deadline.
    pub response_escalations: u64,
    /// Tickets escalated for a missed resolution deadline.
    pub resolution_escalations: u64,
    /// Resolved tickets closed for want of a rating.
    pub auto_closed: u64,
}

/// Escalates overdue tickets and auto-closes stale resolved ones, as of the context's clock.
pub async fn sweep(ctx: &Context) -> Result<SweepReport, TicketError> {
    let now = to_millis(ctx.clock.now());
    let response_escalations = escalate(
        ctx,
        1,
        status_in(TicketStatus::AWAITING_RESPONSE).and(ticket::Column::RespondByMs.lt(now)),
        "response deadline missed",
    )
    .await?;
    let resolution_escalations = escalate(
        ctx,
        2,
        status_in(TicketStatus::AWAITING_RESOLUTION).and(ticket::Column::ResolveByMs.lt(now)),
        "resolution deadline missed",
    )
    .await?;
    super::idempotency::forget_expired(&ctx.db, ctx.clock.now()).await?;
    let mut report = SweepReport { response_escalations, resolution_escalations, auto_closed: 0 };

    let stale_before = now - Duration::days(ctx.config.auto_close_after_days).num_milliseconds();
    let stale: Vec<i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .filter(status_in(&[TicketStatus::Resolved]))
        .filter(ticket::Column::ResolvedAtMs.lt(stale_before))
        .order_by_asc(ticket::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    for id in stale {
        match service::auto_close(ctx, TicketId(id)).await {
            Ok(_) => report.auto_closed += 1,
            // Rated or changed meanwhile, possibly by another instance: nothing to do.
            Err(TicketError::Conflict | TicketError::InvalidTransition(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(report)
}

async fn escalate(
    ctx: &Context,
    level: i16,
    overdue: sea_orm::sea_query::SimpleExpr,
    reason: &str,
) -> Result<u64, TicketError> {
    let candidates: Vec<(i64, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .column(ticket::Column::DistrictId)
        .filter(overdue)
        .filter(ticket::Column::EscalationLevel.lt(level))
        .order_by_asc(ticket::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let now = to_millis(ctx.clock.now());
    let mut escalated = 0;
    for (id, district) in candidates {
        let txn = ctx.db.begin().await?;
        // Escalation does not bump the version: it must not make a department's concurrent
        // action fail with a conflict.
        let claimed = ticket::Entity::update_many()
            .col_expr(ticket::Column::EscalationLevel, Expr::value(level))
            .filter(ticket::Column::Id.eq(id))
            .filter(ticket::Column::EscalationLevel.lt(level))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        let note = NewEvent { note: Some(reason.to_owned()), ..NewEvent::default() };
        storage::append_event(&txn, TicketId(id), TicketEventKind::Escalated, &Caller::System, now, note).await?;
        let event = DomainEvent::TicketEscalated(TicketEscalation {
            ticket: TicketId(id),
            district: DistrictId(district),
            level,
            reason: reason.to_owned(),
        });
        events::append(&txn, &event, now).await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
