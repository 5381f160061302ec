//! Installing and managing plugins, and reading their call records.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::PluginError;
use super::entities::{call, component, plugin, plugin_hook};
use super::model::{
    CallOutcome, CallStats, HookKind, MAX_COMPONENT_BYTES, NewPlugin, Plugin, PluginCall, PluginLimits,
};
use super::runtime::PluginRuntime;
use crate::audit::{self, Change};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::digest::sha256_hex;
use crate::directory::DirectoryError;
use crate::error::InvalidInput;
use crate::events::{DomainEvent, PluginDisabled, PluginFacts};
use crate::i18n::Message;
use crate::ids::{DistrictId, PluginCallId, PluginId};
use crate::time::{from_millis, to_millis};

/// A stored plugin with the hooks it serves.
fn plugin_from(row: plugin::Model, hooks: &[String]) -> Result<Plugin, PluginError> {
    let mut hooks = hooks
        .iter()
        .map(|name| HookKind::parse(name).ok_or_else(|| PluginError::Corrupt(format!("unknown hook `{name}`"))))
        .collect::<Result<Vec<_>, _>>()?;
    hooks.sort();
    Ok(Plugin {
        id: PluginId(row.id),
        district_id: row.district_id.map(DistrictId),
        name: row.name,
        version: row.version,
        sha256: row.sha256,
        hooks,
        limits: match row.limits.as_deref() {
            Some(json) => serde_json::from_str(json).map_err(|e| PluginError::Corrupt(format!("limits: {e}")))?,
            None => PluginLimits::default(),
        },
        config: row.config,
        enabled: row.enabled,
        disabled_reason: row.disabled_reason,
        consecutive_failures: row.consecutive_failures,
        installed_by: row.installed_by,
        installed_at: from_millis(row.installed_at_ms),
        updated_at: from_millis(row.updated_at_ms),
    })
}

/// The stored plugins of `rows`, each with its hooks (read in one query).
async fn with_hooks(db: &impl ConnectionTrait, rows: Vec<plugin::Model>) -> Result<Vec<Plugin>, PluginError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut hooks: HashMap<i64, Vec<String>> = HashMap::new();
    for row in plugin_hook::Entity::find().filter(plugin_hook::Column::PluginId.is_in(ids)).all(db).await? {
        hooks.entry(row.plugin_id).or_default().push(row.hook);
    }
    rows.into_iter()
        .map(|row| {
            let served = hooks.remove(&row.id).unwrap_or_default();
            plugin_from(row, &served)
        })
        .collect()
}

/// The facts administration events and audit entries name a plugin by.
fn facts(plugin: &Plugin) -> PluginFacts {
    PluginFacts {
        plugin: plugin.id,
        district: plugin.district_id,
        name: plugin.name.clone(),
        version: plugin.version.clone(),
    }
}

/// How the audit log shows a plugin: what was installed and whether it runs (not its config).
fn audited(plugin: &Plugin) -> serde_json::Value {
    serde_json::json!({
        "name": plugin.name,
        "version": plugin.version,
        "sha256": plugin.sha256,
        "hooks": plugin.hooks.iter().map(|hook| hook.as_str()).collect::<Vec<_>>(),
        "limits": plugin.limits,
        "enabled": plugin.enabled,
        "disabledReason": plugin.disabled_reason,
    })
}

impl TryFrom<call::Model> for PluginCall {
    type Error = PluginError;

    fn try_from(row: call::Model) -> Result<Self, Self::Error> {
        Ok(PluginCall {
            id: PluginCallId(row.id),
            plugin_id: PluginId(row.plugin_id),
            district_id: row.district_id.map(DistrictId),
            hook: HookKind::parse(&row.hook).ok_or_else(|| PluginError::Corrupt(format!("hook `{}`", row.hook)))?,
            outcome: CallOutcome::parse(&row.outcome)
                .ok_or_else(|| PluginError::Corrupt(format!("outcome `{}`", row.outcome)))?,
            detail: row.detail,
            fuel_used: u64::try_from(row.fuel_used).unwrap_or(0),
            wall_time: std::time::Duration::from_micros(u64::try_from(row.wall_micros).unwrap_or(0)),
            at: from_millis(row.at_ms),
        })
    }
}

/// Installing and removing: a district's admin in their district, a city admin city-wide.
fn may_install(caller: &Caller, district: Option<DistrictId>) -> Result<(), PluginError> {
    match (caller, district) {
        (Caller::Anonymous, _) => Err(PluginError::Unauthenticated),
        (Caller::System, _) => Ok(()),
        (_, Some(district)) if caller.is(Role::DistrictAdmin) && caller.district() == Some(district) => Ok(()),
        (_, None) if caller.is(Role::CityAdmin) => Ok(()),
        _ => Err(PluginError::Forbidden),
    }
}

/// The plugins `caller` may see: a district admin their district's and the city-wide ones, a
/// city admin all of them.
fn visibility(caller: &Caller) -> Result<Condition, PluginError> {
    match caller {
        Caller::Anonymous => Err(PluginError::Unauthenticated),
        Caller::System => Ok(Condition::all()),
        _ if caller.is(Role::CityAdmin) => Ok(Condition::all()),
        _ if caller.is(Role::DistrictAdmin) => Ok(Condition::any()
            .add(plugin::Column::DistrictId.is_null())
            .add(plugin::Column::DistrictId.eq(caller.district().map(|id| id.0)))),
        _ => Err(PluginError::Forbidden),
    }
}

async fn load_visible(db: &impl ConnectionTrait, caller: &Caller, id: PluginId) -> Result<Plugin, PluginError> {
    let row =
        plugin::Entity::find_by_id(id.0).filter(visibility(caller)?).one(db).await?.ok_or(PluginError::NotFound)?;
    with_hooks(db, vec![row]).await?.pop().ok_or(PluginError::NotFound)
}

/// Validates a component with the runtime and installs it, enabled. Validating compiles the
/// component (seconds for a large one), so it runs on a blocking thread, after every cheaper
/// check has passed.
pub async fn install(
    ctx: &Context,
    runtime: &Arc<dyn PluginRuntime>,
    caller: &Caller,
    mut new: NewPlugin,
) -> Result<Plugin, PluginError> {
    may_install(caller, new.district_id)?;
    let name = new.name.trim();
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(InvalidInput::new("name", "must be 1 to 64 letters, digits, '-', '_' or '.'").into());
    }
    if new.component.is_empty() || new.component.len() > MAX_COMPONENT_BYTES {
        return Err(InvalidInput::new(
            "component",
            Message::new("must be 1 byte to {max} bytes").arg("max", MAX_COMPONENT_BYTES),
        )
        .into());
    }
    if serde_json::from_str::<serde_json::Value>(&new.config).is_err() {
        return Err(InvalidInput::new("config", "must be JSON").into());
    }
    if new.hooks.is_empty() {
        return Err(InvalidInput::new("hooks", "must name at least one hook").into());
    }
    new.limits.validate().map_err(|reason| InvalidInput::new("limits", reason))?;
    if let Some(district) = new.district_id {
        match crate::directory::district(ctx, district).await {
            Ok(_) => {}
            Err(DirectoryError::NotFound(_)) => return Err(InvalidInput::new("districtId", "no such district").into()),
            Err(error) => return Err(error.into()),
        }
    }
    let checker = runtime.clone();
    let component = std::mem::take(&mut new.component);
    let (info, component) = tokio::task::spawn_blocking(move || (checker.inspect(&component), component))
        .await
        .map_err(|error| PluginError::Corrupt(format!("the component check did not complete: {error}")))?;
    new.component = component;
    let info = info.map_err(|reason| InvalidInput::new("component", Message::verbatim(reason)))?;
    if let Some(missing) = new.hooks.iter().find(|hook| !info.hooks.contains(hook)) {
        return Err(InvalidInput::new(
            "hooks",
            Message::new("the component does not implement `{hook}`").arg("hook", missing),
        )
        .into());
    }
    let sha256 = sha256_hex(&new.component);
    let version = match new.version.as_deref() {
        Some(version) => crate::text::required("version", version, 64)?,
        None => format!("sha256-{}", &sha256[..12]),
    };
    let mut hooks = new.hooks.clone();
    hooks.sort();
    hooks.dedup();
    let now = to_millis(ctx.clock.now());
    let txn = ctx.db.begin().await?;
    let same_name = plugin::Entity::find()
        .filter(plugin::Column::Name.eq(name))
        .filter(match new.district_id {
            Some(district) => plugin::Column::DistrictId.eq(district.0),
            None => plugin::Column::DistrictId.is_null(),
        })
        .one(&txn)
        .await?;
    if same_name.is_some() {
        return Err(PluginError::Duplicate { field: "name" });
    }
    if component::Entity::find_by_id(sha256.clone()).one(&txn).await?.is_none() {
        component::ActiveModel {
            sha256: Set(sha256.clone()),
            size: Set(i64::try_from(new.component.len()).unwrap_or(i64::MAX)),
            bytes: Set(new.component),
            created_at_ms: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let row = plugin::ActiveModel {
        district_id: Set(new.district_id.map(|id| id.0)),
        name: Set(name.to_owned()),
        version: Set(version),
        sha256: Set(sha256),
        config: Set(new.config),
        limits: Set(stored_limits(&new.limits)),
        enabled: Set(true),
        disabled_reason: Set(None),
        consecutive_failures: Set(0),
        installed_by: Set(caller.subject().unwrap_or("system").to_owned()),
        installed_at_ms: Set(now),
        updated_at_ms: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let served: Vec<String> = hooks.iter().map(|hook| hook.as_str().to_owned()).collect();
    plugin_hook::Entity::insert_many(
        served.iter().map(|hook| plugin_hook::ActiveModel { plugin_id: Set(row.id), hook: Set(hook.clone()) }),
    )
    .exec(&txn)
    .await?;
    let installed = plugin_from(row, &served)?;
    let change = Change {
        event: DomainEvent::PluginInstalled(facts(&installed)),
        before: None,
        after: Some(audited(&installed)),
    };
    audit::record(&txn, caller, ctx.clock.now(), change).await?;
    txn.commit().await?;
    ctx.hooks.forget();
    Ok(installed)
}

fn stored_limits(limits: &PluginLimits) -> Option<String> {
    // Serializing a struct of integers cannot fail.
    (!limits.is_default()).then(|| serde_json::to_string(limits).unwrap_or_default())
}

async fn set_enabled(
    ctx: &Context,
    caller: &Caller,
    id: PluginId,
    enabled: bool,
    reason: Option<String>,
) -> Result<Plugin, PluginError> {
    let txn = ctx.db.begin().await?;
    let before = load_visible(&txn, caller, id).await?;
    if !caller.is(Role::CityAdmin) {
        may_install(caller, before.district_id)?;
    }
    let reason = if enabled { None } else { Some(reason.unwrap_or_else(|| "disabled by an administrator".into())) };
    let now = ctx.clock.now();
    plugin::Entity::update_many()
        .col_expr(plugin::Column::Enabled, Expr::value(enabled))
        .col_expr(plugin::Column::DisabledReason, Expr::value(reason.clone()))
        .col_expr(plugin::Column::ConsecutiveFailures, Expr::value(0))
        .col_expr(plugin::Column::UpdatedAtMs, Expr::value(to_millis(now)))
        .filter(plugin::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    let after = load_visible(&txn, &Caller::System, id).await?;
    let event = match reason {
        None => DomainEvent::PluginEnabled(facts(&after)),
        Some(reason) => DomainEvent::PluginDisabled(PluginDisabled { plugin: facts(&after), reason, automatic: false }),
    };
    let change = Change { event, before: Some(audited(&before)), after: Some(audited(&after)) };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    if enabled {
        ctx.hooks.forget();
    } else {
        release(ctx, &after);
    }
    Ok(after)
}

/// Enables a plugin (its district's admin, or a city admin) and resets its failure count.
pub async fn enable(ctx: &Context, caller: &Caller, id: PluginId) -> Result<Plugin, PluginError> {
    set_enabled(ctx, caller, id, true, None).await
}

/// Disables a plugin (its district's admin, or a city admin in an emergency).
pub async fn disable(
    ctx: &Context,
    caller: &Caller,
    id: PluginId,
    reason: Option<&str>,
) -> Result<Plugin, PluginError> {
    let reason = crate::text::optional("reason", reason, 500)?;
    set_enabled(ctx, caller, id, false, reason).await
}

/// Removes a plugin and its call records; its component stays if another installation uses it.
pub async fn uninstall(ctx: &Context, caller: &Caller, id: PluginId) -> Result<(), PluginError> {
    let txn = ctx.db.begin().await?;
    let plugin = load_visible(&txn, caller, id).await?;
    may_install(caller, plugin.district_id)?;
    call::Entity::delete_many().filter(call::Column::PluginId.eq(id.0)).exec(&txn).await?;
    plugin_hook::Entity::delete_many().filter(plugin_hook::Column::PluginId.eq(id.0)).exec(&txn).await?;
    plugin::Entity::delete_by_id(id.0).exec(&txn).await?;
    let still_used = plugin::Entity::find().filter(plugin::Column::Sha256.eq(plugin.sha256.as_str())).one(&txn).await?;
    if still_used.is_none() {
        component::Entity::delete_by_id(plugin.sha256.as_str()).exec(&txn).await?;
    }
    let change =
        Change { event: DomainEvent::PluginUninstalled(facts(&plugin)), before: Some(audited(&plugin)), after: None };
    audit::record(&txn, caller, ctx.clock.now(), change).await?;
    txn.commit().await?;
    release(ctx, &plugin);
    Ok(())
}

/// Tells this instance's hooks and sandbox that the plugin will not be called (other instances
/// drop what they kept for it as their own bounds push it out).
fn release(ctx: &Context, plugin: &Plugin) {
    ctx.hooks.release(plugin.id, &plugin.sha256);
}

/// The plugins of a district (and the city-wide ones), or of the city when `district` is `None`.
pub async fn list(ctx: &Context, caller: &Caller, district: Option<DistrictId>) -> Result<Vec<Plugin>, PluginError> {
    let scope = match district {
        Some(district) => {
            Condition::any().add(plugin::Column::DistrictId.eq(district.0)).add(plugin::Column::DistrictId.is_null())
        }
        None => Condition::all().add(plugin::Column::DistrictId.is_null()),
    };
    if let (Some(district), Some(own)) = (district, caller.district())
        && district != own
    {
        return Err(PluginError::Forbidden);
    }
    let rows = plugin::Entity::find()
        .filter(visibility(caller)?)
        .filter(scope)
        .order_by_asc(plugin::Column::Id)
        .all(&ctx.db)
        .await?;
    with_hooks(&ctx.db, rows).await
}

/// One plugin, if the caller may see it (as [`list`] would show it).
pub async fn get(ctx: &Context, caller: &Caller, id: PluginId) -> Result<Plugin, PluginError> {
    load_visible(&ctx.db, caller, id).await
}

/// One recorded call, if the caller may read it (as [`calls`] would show it).
pub async fn call(ctx: &Context, caller: &Caller, id: PluginCallId) -> Result<PluginCall, PluginError> {
    let row =
        call::Entity::find_by_id(id.0).filter(call_scope(caller)).one(&ctx.db).await?.ok_or(PluginError::NotFound)?;
    load_visible(&ctx.db, caller, PluginId(row.plugin_id)).await?;
    PluginCall::try_from(row)
}

/// The call records `caller` may read: a district admin only those of calls on their
/// district's data, also for a city-wide plugin (whose records span every district).
fn call_scope(caller: &Caller) -> Condition {
    match caller.district() {
        Some(own) if !caller.is(Role::CityAdmin) => Condition::all().add(call::Column::DistrictId.eq(own.0)),
        _ => Condition::all(),
    }
}

/// The most recent calls of a plugin, newest first.
pub async fn calls(ctx: &Context, caller: &Caller, id: PluginId, first: u64) -> Result<Vec<PluginCall>, PluginError> {
    load_visible(&ctx.db, caller, id).await?;
    let rows = call::Entity::find()
        .filter(call::Column::PluginId.eq(id.0))
        .filter(call_scope(caller))
        .order_by_desc(call::Column::Id)
        .limit(Ord::min(first, 100))
        .all(&ctx.db)
        .await?;
    rows.into_iter().map(PluginCall::try_from).collect()
}

/// Aggregates over a plugin's recorded calls that `caller` may read, computed by the database.
pub async fn call_stats(ctx: &Context, caller: &Caller, id: PluginId) -> Result<CallStats, PluginError> {
    load_visible(&ctx.db, caller, id).await?;
    let failures = [CallOutcome::GuestError, CallOutcome::Trap, CallOutcome::Refused].map(CallOutcome::as_str);
    let query = Query::select()
        .expr_as(Expr::col(call::Column::Id).count(), Alias::new("calls"))
        .expr_as(Expr::case(call::Column::Outcome.is_in(failures), 1).finally(0).sum(), Alias::new("failures"))
        // AVG is NUMERIC on PostgreSQL and REAL on SQLite; the cast makes both a double.
        .expr_as(Expr::cust("CAST(AVG(fuel_used) AS DOUBLE PRECISION)"), Alias::new("fuel"))
        .expr_as(Expr::cust("CAST(AVG(wall_micros) AS DOUBLE PRECISION)"), Alias::new("wall"))
        .from(call::Entity)
        .and_where(call::Column::PluginId.eq(id.0))
        .cond_where(call_scope(caller))
        .to_owned();
    let Some(row) = ctx.db.query_one(&query).await? else {
        return Ok(CallStats::default());
    };
    Ok(CallStats {
        calls: row.try_get::<i64>("", "calls")?,
        failures: row.try_get::<Option<i64>>("", "failures")?.unwrap_or(0),
        average_fuel: row.try_get::<Option<f64>>("", "fuel")?,
        average_wall_micros: row.try_get::<Option<f64>>("", "wall")?,
    })
}
