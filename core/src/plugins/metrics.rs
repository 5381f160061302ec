//! Plugin call counters for monitoring: every recorded call, grouped by plugin, district, hook
//! and outcome, summed by the database.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::PluginError;
use super::entities::{call, plugin};
use super::model::{CallOutcome, HookKind};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::ids::{DistrictId, PluginId};

/// Totals of one plugin's calls with one outcome at one hook.
#[derive(Debug, Clone, PartialEq)]
pub struct CallCounter {
    /// The plugin.
    pub plugin_id: PluginId,
    /// `name@version`.
    pub plugin: String,
    /// The district whose data the calls saw.
    pub district_id: Option<DistrictId>,
    /// The hook.
    pub hook: HookKind,
    /// How the calls ended.
    pub outcome: CallOutcome,
    /// How many.
    pub calls: i64,
    /// Fuel summed over them.
    pub fuel: i64,
    /// Wall time summed over them, in microseconds.
    pub wall_micros: i64,
}

/// Call totals of every installed plugin, for the city's monitoring (city admins and the
/// system only: the names of every district's plugins are in them).
pub async fn call_counters(ctx: &Context, caller: &Caller) -> Result<Vec<CallCounter>, PluginError> {
    match caller {
        Caller::Anonymous => return Err(PluginError::Unauthenticated),
        Caller::System => {}
        _ if caller.is(Role::CityAdmin) => {}
        _ => return Err(PluginError::Forbidden),
    }
    let labels: std::collections::HashMap<i64, String> = plugin::Entity::find()
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|row| (row.id, format!("{}@{}", row.name, row.version)))
        .collect();
    let query = Query::select()
        .columns([call::Column::PluginId, call::Column::DistrictId, call::Column::Hook, call::Column::Outcome])
        .expr_as(Expr::col(call::Column::Id).count(), Alias::new("calls"))
        // SUM of BIGINT is NUMERIC on PostgreSQL; the cast keeps it a BIGINT on both backends.
        .expr_as(Expr::cust("CAST(SUM(fuel_used) AS BIGINT)"), Alias::new("fuel"))
        .expr_as(Expr::cust("CAST(SUM(wall_micros) AS BIGINT)"), Alias::new("wall"))
        .from(call::Entity)
        .group_by_columns([call::Column::PluginId, call::Column::DistrictId, call::Column::Hook, call::Column::Outcome])
        .order_by(call::Column::PluginId, sea_orm::Order::Asc)
        .order_by(call::Column::Hook, sea_orm::Order::Asc)
        .order_by(call::Column::Outcome, sea_orm::Order::Asc)
        .to_owned();
    let mut counters = Vec::new();
    for row in ctx.db.query_all(&query).await? {
        let plugin_id: i64 = row.try_get("", "plugin_id")?;
        let hook: String = row.try_get("", "hook")?;
        let outcome: String = row.try_get("", "outcome")?;
        let Some(label) = labels.get(&plugin_id) else { continue };
        counters.push(CallCounter {
            plugin_id: PluginId(plugin_id),
            plugin: label.clone(),
            district_id: row.try_get::<Option<i64>>("", "district_id")?.map(DistrictId),
            hook: HookKind::parse(&hook).ok_or_else(|| PluginError::Corrupt(format!("hook `{hook}`")))?,
            outcome: CallOutcome::parse(&outcome)
                .ok_or_else(|| PluginError::Corrupt(format!("outcome `{outcome}`")))?,
            calls: row.try_get("", "calls")?,
            fuel: row.try_get::<Option<i64>>("", "fuel")?.unwrap_or(0),
            wall_micros: row.try_get::<Option<i64>>("", "wall")?.unwrap_or(0),
        });
    }
    Ok(counters)
}
