//! Response, resolution and satisfaction rates, computed by the database.
//!
//! Definitions, over the tickets submitted in `[from, to)` in the district (and department, if
//! given; a ticket counts for the department it is currently dispatched to), leaving out
//! rejected and merged tickets:
//!
//! - **response rate** = accepted by their respond-by deadline ÷ tickets whose response is due
//!   or done (accepted, or respond-by already passed). Tickets still within their response
//!   window are not counted either way.
//! - **resolution rate** = resolved by their resolve-by deadline and never reopened ÷ tickets
//!   whose resolution is due or done (resolved, or resolve-by already passed).
//! - **satisfaction rate** = ratings of 4 or 5 ÷ rated tickets.
//!
//! A rate with nothing to count is `None`, not zero. Reopened tickets are measured on their
//! current cycle (reopening restarts the deadlines), and count against the resolution rate.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};

use super::TicketError;
use super::entities::ticket;
use super::model::TicketStatus;
use super::storage::status_in;
use crate::context::Context;
use crate::error::InvalidInput;
use crate::ids::{DepartmentId, DistrictId};
use crate::time::to_millis;

/// Which tickets to measure.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    /// The district (all districts when `None`).
    pub district_id: Option<DistrictId>,
    /// The department (all departments when `None`).
    pub department_id: Option<DepartmentId>,
    /// Submitted at or after.
    pub from: DateTime<Utc>,
    /// Submitted before.
    pub to: DateTime<Utc>,
}

/// Counts and rates of a set of tickets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TicketStats {
    /// Tickets submitted in the window, whatever their status.
    pub total: i64,
    /// Tickets per status.
    pub by_status: Vec<(TicketStatus, i64)>,
    /// Tickets whose response is due or done.
    pub response_due: i64,
    /// Of those, accepted on time.
    pub responded_on_time: i64,
    /// Tickets whose resolution is due or done.
    pub resolution_due: i64,
    /// Of those, resolved on time and never reopened.
    pub resolved_on_time: i64,
    /// Rated tickets.
    pub rated: i64,
    /// Of those, rated 4 or 5.
    pub satisfied: i64,
}

impl TicketStats {
    fn ratio(part: i64, whole: i64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }

    /// See the module documentation.
    pub fn response_rate(&self) -> Option<f64> {
        Self::ratio(self.responded_on_time, self.response_due)
    }

    /// See the module documentation.
    pub fn resolution_rate(&self) -> Option<f64> {
        Self::ratio(self.resolved_on_time, self.resolution_due)
    }

    /// See the module documentation.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        Self::ratio(self.satisfied, self.rated)
    }
}

fn count_where(condition: SimpleExpr) -> SimpleExpr {
    Expr::case(condition, 1).finally(0).sum()
}

/// Counts and rates for `query`. Rates are public information: anyone may read them.
pub async fn stats(ctx: &Context, query: &StatsQuery) -> Result<TicketStats, TicketError> {
    if query.from >= query.to {
        return Err(InvalidInput::new("to", "must be after from").into());
    }
    let now = to_millis(ctx.clock.now());
    let mut scope = Condition::all()
        .add(ticket::Column::CreatedAtMs.gte(to_millis(query.from)))
        .add(ticket::Column::CreatedAtMs.lt(to_millis(query.to)));
    if let Some(district) = query.district_id {
        scope = scope.add(ticket::Column::DistrictId.eq(district.0));
    }
    if let Some(department) = query.department_id {
        scope = scope.add(ticket::Column::DepartmentId.eq(department.0));
    }

    let by_status_query = Query::select()
        .column(ticket::Column::Status)
        .expr_as(Expr::col(ticket::Column::Id).count(), Alias::new("n"))
        .from(ticket::Entity)
        .cond_where(scope.clone())
        .group_by_col(ticket::Column::Status)
        .to_owned();
    let mut stats = TicketStats::default();
    for row in ctx.db.query_all(&by_status_query).await? {
        let status: String = row.try_get("", "status")?;
        let count: i64 = row.try_get("", "n")?;
        let status =
            TicketStatus::parse(&status).ok_or_else(|| TicketError::Corrupt(format!("unknown status `{status}`")))?;
        stats.total += count;
        stats.by_status.push((status, count));
    }
    stats.by_status.sort_by_key(|(status, _)| TicketStatus::ALL.iter().position(|s| s == status));

    let measured = scope.add(status_in(TicketStatus::NOT_RATED).not());
    let accepted = Expr::col(ticket::Column::AcceptedAtMs);
    let resolved = Expr::col(ticket::Column::ResolvedAtMs);
    let rates_query = Query::select()
        .expr_as(
            count_where(accepted.clone().is_not_null().or(Expr::col(ticket::Column::RespondByMs).lt(now))),
            Alias::new("response_due"),
        )
        .expr_as(
            count_where(
                accepted
                    .is_not_null()
                    .and(Expr::col(ticket::Column::AcceptedAtMs).lte(Expr::col(ticket::Column::RespondByMs))),
            ),
            Alias::new("responded_on_time"),
        )
        .expr_as(
            count_where(resolved.clone().is_not_null().or(Expr::col(ticket::Column::ResolveByMs).lt(now))),
            Alias::new("resolution_due"),
        )
        .expr_as(
            count_where(
                resolved
                    .is_not_null()
                    .and(Expr::col(ticket::Column::ResolvedAtMs).lte(Expr::col(ticket::Column::ResolveByMs)))
                    .and(Expr::col(ticket::Column::ReopenCount).eq(0)),
            ),
            Alias::new("resolved_on_time"),
        )
        .expr_as(count_where(Expr::col(ticket::Column::RatingScore).is_not_null()), Alias::new("rated"))
        .expr_as(count_where(Expr::col(ticket::Column::RatingScore).gte(4)), Alias::new("satisfied"))
        .from(ticket::Entity)
        .cond_where(measured)
        .to_owned();
    if let Some(row) = ctx.db.query_one(&rates_query).await? {
        // SUM over no rows is NULL; PostgreSQL sums integers as BIGINT.
        let read = |name: &str| -> Result<i64, TicketError> { Ok(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)) };
        stats.response_due = read("response_due")?;
        stats.responded_on_time = read("responded_on_time")?;
        stats.resolution_due = read("resolution_due")?;
        stats.resolved_on_time = read("resolved_on_time")?;
        stats.rated = read("rated")?;
        stats.satisfied = read("satisfied")?;
    }
    Ok(stats)
}
