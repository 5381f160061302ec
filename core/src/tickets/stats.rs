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

    /// The stats of the union of disjoint parts (a breakdown's): every field is a count, so the
    /// whole's counts are the parts' sums and its rates follow from them.
    pub fn combined<'a>(parts: impl IntoIterator<Item = &'a TicketStats>) -> TicketStats {
        let mut whole = TicketStats::default();
        for part in parts {
            whole.total += part.total;
            whole.response_due += part.response_due;
            whole.responded_on_time += part.responded_on_time;
            whole.resolution_due += part.resolution_due;
            whole.resolved_on_time += part.resolved_on_time;
            whole.rated += part.rated;
            whole.satisfied += part.satisfied;
            for &(status, count) in &part.by_status {
                match whole.by_status.iter_mut().find(|(known, _)| *known == status) {
                    Some((_, sum)) => *sum += count,
                    None => whole.by_status.push((status, count)),
                }
            }
        }
        whole.by_status.sort_by_key(|(status, _)| TicketStatus::ALL.iter().position(|s| s == status));
        whole
    }
}

fn count_where(condition: SimpleExpr) -> SimpleExpr {
    Expr::case(condition, 1).finally(0).sum()
}

/// How to break a set of tickets down ([`stats_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// By district (the key is the district's number).
    District,
    /// By the department each ticket is dispatched to (key `None`: not dispatched).
    Department,
    /// By category (the key is the category's number).
    Category,
    /// By week of submission: key 0 is the week starting at the query's `from`, 1 the next.
    Week,
}

/// A week, in milliseconds.
const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

impl Breakdown {
    fn key(self, query: &StatsQuery) -> SimpleExpr {
        match self {
            Breakdown::District => Expr::col(ticket::Column::DistrictId),
            Breakdown::Department => Expr::col(ticket::Column::DepartmentId),
            Breakdown::Category => Expr::col(ticket::Column::CategoryId),
            Breakdown::Week => Expr::col(ticket::Column::CreatedAtMs).sub(to_millis(query.from)).div(WEEK_MS),
        }
    }
}

fn scope(query: &StatsQuery) -> Result<Condition, TicketError> {
    if query.from >= query.to {
        return Err(InvalidInput::new("to", "must be after from").into());
    }
    let mut scope = Condition::all()
        .add(ticket::Column::CreatedAtMs.gte(to_millis(query.from)))
        .add(ticket::Column::CreatedAtMs.lt(to_millis(query.to)));
    if let Some(district) = query.district_id {
        scope = scope.add(ticket::Column::DistrictId.eq(district.0));
    }
    if let Some(department) = query.department_id {
        scope = scope.add(ticket::Column::DepartmentId.eq(department.0));
    }
    Ok(scope)
}

/// Counts and rates for `query`. Rates are public information: anyone may read them.
pub async fn stats(ctx: &Context, query: &StatsQuery) -> Result<TicketStats, TicketError> {
    Ok(grouped(ctx, query, None).await?.pop().map(|(_, stats)| stats).unwrap_or_default())
}

/// [`stats`] of each part of `query`'s tickets, broken down by `breakdown`, in the order of the
/// key (parts without tickets are left out). The same definitions, in two statements whatever
/// the number of parts.
pub async fn stats_by(
    ctx: &Context,
    query: &StatsQuery,
    breakdown: Breakdown,
) -> Result<Vec<(Option<i64>, TicketStats)>, TicketError> {
    grouped(ctx, query, Some(breakdown.key(query))).await
}

async fn grouped(
    ctx: &Context,
    query: &StatsQuery,
    key: Option<SimpleExpr>,
) -> Result<Vec<(Option<i64>, TicketStats)>, TicketError> {
    let scope = scope(query)?;
    let now = to_millis(ctx.clock.now());
    let key_alias = Alias::new("k");
    let mut by_status_query = Query::select();
    by_status_query
        .column(ticket::Column::Status)
        .expr_as(Expr::col(ticket::Column::Id).count(), Alias::new("n"))
        .from(ticket::Entity)
        .cond_where(scope.clone())
        .group_by_col(ticket::Column::Status);
    if let Some(key) = &key {
        // Grouped by the output's name: PostgreSQL cannot tell that the key's parameters in
        // SELECT and GROUP BY are the same.
        by_status_query.expr_as(key.clone(), key_alias.clone()).add_group_by([Expr::col(key_alias.clone())]);
    }
    let mut parts: std::collections::BTreeMap<Option<i64>, TicketStats> = std::collections::BTreeMap::new();
    for row in ctx.reads().query_all(&by_status_query).await? {
        let part = if key.is_some() { row.try_get::<Option<i64>>("", "k")? } else { None };
        let status: String = row.try_get("", "status")?;
        let count: i64 = row.try_get("", "n")?;
        let status =
            TicketStatus::parse(&status).ok_or_else(|| TicketError::Corrupt(format!("unknown status `{status}`")))?;
        let stats = parts.entry(part).or_default();
        stats.total += count;
        stats.by_status.push((status, count));
    }
    if key.is_none() && parts.is_empty() {
        parts.insert(None, TicketStats::default());
    }
    for stats in parts.values_mut() {
        stats.by_status.sort_by_key(|(status, _)| TicketStatus::ALL.iter().position(|s| s == status));
    }

    let measured = scope.add(status_in(TicketStatus::NOT_RATED).not());
    let accepted = Expr::col(ticket::Column::AcceptedAtMs);
    let resolved = Expr::col(ticket::Column::ResolvedAtMs);
    let mut rates_query = Query::select();
    rates_query
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
        .cond_where(measured);
    if let Some(key) = &key {
        rates_query.expr_as(key.clone(), key_alias.clone()).add_group_by([Expr::col(key_alias)]);
    }
    for row in ctx.reads().query_all(&rates_query).await? {
        let part = if key.is_some() { row.try_get::<Option<i64>>("", "k")? } else { None };
        // SUM over no rows is NULL; PostgreSQL sums integers as BIGINT.
        let read = |name: &str| -> Result<i64, TicketError> { Ok(row.try_get::<Option<i64>>("", name)?.unwrap_or(0)) };
        let Some(stats) = parts.get_mut(&part) else { continue };
        stats.response_due = read("response_due")?;
        stats.responded_on_time = read("responded_on_time")?;
        stats.resolution_due = read("resolution_due")?;
        stats.resolved_on_time = read("resolved_on_time")?;
        stats.rated = read("rated")?;
        stats.satisfied = read("satisfied")?;
    }
    Ok(parts.into_iter().collect())
}

/// How long tickets took, and how many are late now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TicketTimes {
    /// The median time from submission to a department's acceptance, of the accepted tickets.
    pub median_response: Option<chrono::Duration>,
    /// The median time from submission to resolution, of the resolved tickets.
    pub median_resolution: Option<chrono::Duration>,
    /// Tickets overdue now (a deadline passed while still waiting for what it sets).
    pub overdue: i64,
}

/// [`TicketTimes`] of `query`'s tickets (rejected and merged ones left out of the medians):
/// each median is one count and one ordered read of the middle row, in SQL on both backends.
pub async fn times(ctx: &Context, query: &StatsQuery) -> Result<TicketTimes, TicketError> {
    let scope = scope(query)?;
    let measured = scope.clone().add(status_in(TicketStatus::NOT_RATED).not());
    let median_response = median(ctx, &measured, ticket::Column::AcceptedAtMs).await?;
    let median_resolution = median(ctx, &measured, ticket::Column::ResolvedAtMs).await?;
    let overdue = Query::select()
        .expr_as(Expr::col(ticket::Column::Id).count(), Alias::new("n"))
        .from(ticket::Entity)
        .cond_where(scope.add(super::query::overdue_condition(ctx.clock.now())))
        .to_owned();
    let overdue = match ctx.reads().query_one(&overdue).await? {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    };
    Ok(TicketTimes { median_response, median_resolution, overdue })
}

async fn median(
    ctx: &Context,
    scope: &Condition,
    done_at: ticket::Column,
) -> Result<Option<chrono::Duration>, TicketError> {
    let done = scope.clone().add(Expr::col(done_at).is_not_null());
    let count = Query::select()
        .expr_as(Expr::col(ticket::Column::Id).count(), Alias::new("n"))
        .from(ticket::Entity)
        .cond_where(done.clone())
        .to_owned();
    let count = match ctx.reads().query_one(&count).await? {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    };
    if count == 0 {
        return Ok(None);
    }
    let took = Expr::col(done_at).sub(Expr::col(ticket::Column::CreatedAtMs));
    // The middle row, or the two middle rows of an even count.
    let middle = Query::select()
        .expr_as(took.clone(), Alias::new("took"))
        .from(ticket::Entity)
        .cond_where(done)
        .order_by_expr(took, sea_orm::Order::Asc)
        .limit(if count % 2 == 0 { 2 } else { 1 })
        .offset(u64::try_from((count - 1) / 2).unwrap_or(0))
        .to_owned();
    let rows = ctx.reads().query_all(&middle).await?;
    let values = rows.iter().map(|row| row.try_get::<i64>("", "took")).collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        return Ok(None);
    }
    let millis = values.iter().sum::<i64>() / values.len() as i64;
    Ok(Some(chrono::Duration::milliseconds(millis)))
}
