//! The domain's hook points answered by installed plugins, with the failure policy: any failure
//! falls back to the normal flow, every call is recorded, and a plugin that fails too many times
//! in a row is disabled, with the reason shown to its district admin and written to the audit
//! log.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::entities::{call, component, plugin, plugin_hook};
use super::model::{CallOutcome, HookKind, PluginLimits};
use super::runtime::{HookCall, HookFailure, LoadedPlugin, PluginRuntime};
use crate::audit::{self, Change};
use crate::auth::Caller;
use crate::context::Context;
use crate::events::{DomainEvent, PluginDisabled, PluginFacts};
use crate::hooks::{Asked, Hook, Verdict};
use crate::ids::{DistrictId, PluginId};
use crate::time::to_millis;

/// When the host gives up on a plugin.
#[derive(Debug, Clone)]
pub struct FailurePolicy {
    /// Consecutive failures after which a plugin is disabled.
    pub disable_after: i32,
}

impl Default for FailurePolicy {
    fn default() -> Self {
        FailurePolicy { disable_after: 5 }
    }
}

/// The domain's hook points answered by each district's installed plugins (district plugins
/// first, then the city-wide defaults), run by a [`PluginRuntime`]. Without a runtime no
/// plugin is ever asked: the normal flow everywhere.
pub struct PluginHooks {
    runtime: Option<Arc<dyn PluginRuntime>>,
    policy: FailurePolicy,
    components: Mutex<ComponentCache>,
    registry: Mutex<Registry>,
}

/// The enabled plugins and the hooks each answers, kept in memory so that asking a hook where
/// no plugin serves costs no statement (a submission asks two). Forgotten when this instance
/// changes a plugin, when its event feed brings another instance's change (every change of a
/// plugin is a domain event: see [`crate::realtime`]), and after [`Registry::MAX_AGE`] in any
/// case: an instance without a running feed, or a feed that cannot read, is behind by at most
/// that. Failure counts are never taken from here (see [`PluginHooks::record`]).
#[derive(Default)]
struct Registry {
    loaded: Option<(Instant, Arc<Vec<Enabled>>)>,
    /// Bumped by each [`PluginHooks::forget`]: a load that began before is not kept.
    generation: u64,
}

impl Registry {
    const MAX_AGE: Duration = Duration::from_secs(5);
}

/// An enabled plugin and the hooks it answers.
struct Enabled {
    row: plugin::Model,
    hooks: Vec<String>,
}

/// Components' bytes read from storage, by sha256, with when each was last used: the runtime
/// compiles from them on a miss of its own cache. A Python component is ~18 MB, so at most
/// [`ComponentCache::CAPACITY`] are kept, the least recently used going first.
#[derive(Default)]
struct ComponentCache {
    bytes: HashMap<String, (Arc<Vec<u8>>, u64)>,
    uses: u64,
}

impl ComponentCache {
    const CAPACITY: usize = 8;

    fn get(&mut self, sha256: &str) -> Option<Arc<Vec<u8>>> {
        self.uses += 1;
        let uses = self.uses;
        self.bytes.get_mut(sha256).map(|(bytes, used)| {
            *used = uses;
            Arc::clone(bytes)
        })
    }

    fn insert(&mut self, sha256: String, bytes: Arc<Vec<u8>>) {
        self.uses += 1;
        self.bytes.insert(sha256, (bytes, self.uses));
        while self.bytes.len() > Self::CAPACITY {
            let Some(oldest) = self.bytes.iter().min_by_key(|(_, (_, used))| *used).map(|(sha, _)| sha.clone()) else {
                break;
            };
            self.bytes.remove(&oldest);
        }
    }
}

impl fmt::Debug for PluginHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginHooks").field("runtime", &self.runtime).field("policy", &self.policy).finish()
    }
}

/// A call to record: which plugin, where, and what it cost.
struct Recorded {
    plugin: plugin::Model,
    district: Option<DistrictId>,
    hook: HookKind,
    fuel_used: u64,
    wall_time: Duration,
}

impl Recorded {
    fn label(&self) -> String {
        format!("plugin {}@{}", self.plugin.name, self.plugin.version)
    }
}

impl PluginHooks {
    /// No plugins: every hook point follows the normal flow.
    pub fn none() -> Self {
        PluginHooks {
            runtime: None,
            policy: FailurePolicy::default(),
            components: Mutex::default(),
            registry: Mutex::default(),
        }
    }

    /// Hooks answered by the plugins stored in the context's database, run by `runtime`.
    pub fn new(runtime: Arc<dyn PluginRuntime>, policy: FailurePolicy) -> Self {
        PluginHooks { runtime: Some(runtime), policy, components: Mutex::default(), registry: Mutex::default() }
    }

    /// The sandbox the plugins run in, if any.
    pub fn runtime(&self) -> Option<&Arc<dyn PluginRuntime>> {
        self.runtime.as_ref()
    }

    /// Whether an enabled plugin serves `hook` for `district` (`None`: the city's own scope).
    pub async fn serves(&self, ctx: &Context, hook: HookKind, district: Option<DistrictId>) -> Result<bool, DbErr> {
        if self.runtime.is_none() {
            return Ok(false);
        }
        Ok(self.serving(ctx, district, hook).await?.is_some())
    }

    /// Asks the plugin serving hook `H` for the request's district, checks its answer with
    /// [`Hook::check`], records the call and applies the failure policy. `Err` only when our
    /// storage fails; a plugin's failure is a value ([`Asked::Failed`]).
    pub async fn ask<H: Hook>(&self, ctx: &Context, request: &H::Request) -> Result<Asked<H::Decision>, DbErr> {
        let Some(runtime) = &self.runtime else {
            return Ok(Asked::NoPlugin);
        };
        let district = H::district(request);
        let Some(row) = self.serving(ctx, district, H::KIND).await? else {
            return Ok(Asked::NoPlugin);
        };
        let Some(loaded) = self.load(&ctx.db, &row).await? else {
            return Ok(Asked::NoPlugin);
        };
        let runtime = Arc::clone(runtime);
        let input = request.clone();
        let called = tokio::task::spawn_blocking(move || H::call(runtime.as_ref(), &loaded, &input)).await;
        let HookCall { outcome, fuel_used, wall_time } = called.unwrap_or_else(|error| HookCall {
            outcome: Err(HookFailure::Host(format!("the plugin call did not complete: {error}"))),
            fuel_used: 0,
            wall_time: Duration::ZERO,
        });
        let recorded = Recorded { plugin: row, district, hook: H::KIND, fuel_used, wall_time };
        let decided_by = recorded.label();
        let (asked, outcome, detail) = match outcome {
            Ok(answer) => match H::check(ctx, request, answer).await? {
                Verdict::NoOpinion => (Asked::NoOpinion { decided_by }, CallOutcome::NoOpinion, None),
                Verdict::Decided(decision) => (Asked::Decided { decision, decided_by }, CallOutcome::Decided, None),
                Verdict::Refused(reason) => {
                    (Asked::Refused { decided_by, reason: reason.clone() }, CallOutcome::Refused, Some(reason))
                }
            },
            Err(failure) => {
                let (outcome, reason) = match failure {
                    HookFailure::Guest(reason) => (CallOutcome::GuestError, reason),
                    HookFailure::Trap(reason) => (CallOutcome::Trap, reason),
                    HookFailure::Host(reason) => {
                        tracing::error!(plugin = %decided_by, %reason, "the sandbox could not run a plugin");
                        (CallOutcome::HostError, reason)
                    }
                };
                (Asked::Failed { decided_by, reason: reason.clone() }, outcome, Some(reason))
            }
        };
        self.record(ctx, &recorded, outcome, detail).await?;
        Ok(asked)
    }

    /// Forgets which plugins are enabled where: a plugin was installed, enabled, disabled or
    /// uninstalled (here or, heard through the event feed, on another instance).
    pub fn forget(&self) {
        let mut registry = self.registry();
        registry.loaded = None;
        registry.generation += 1;
    }

    /// Drops what this instance keeps to call a plugin that was uninstalled or disabled: its
    /// component's bytes, and in the sandbox its compiled code and prepared instances.
    pub fn release(&self, plugin: PluginId, sha256: &str) {
        self.forget();
        self.components().bytes.remove(sha256);
        if let Some(runtime) = &self.runtime {
            runtime.release(plugin, sha256);
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// The row of the enabled plugin serving `hook` for `district`: the district's own, else the
    /// city's (for `None`, only the city's).
    async fn serving(
        &self,
        ctx: &Context,
        district: Option<DistrictId>,
        hook: HookKind,
    ) -> Result<Option<plugin::Model>, DbErr> {
        let enabled = self.enabled(ctx).await?;
        let serves = |entry: &&Enabled| entry.hooks.iter().any(|served| served == hook.as_str());
        let own = district
            .and_then(|district| enabled.iter().filter(serves).find(|entry| entry.row.district_id == Some(district.0)));
        let chosen = own.or_else(|| enabled.iter().filter(serves).find(|entry| entry.row.district_id.is_none()));
        Ok(chosen.map(|entry| entry.row.clone()))
    }

    /// The enabled plugins, from memory when this instance knows them.
    async fn enabled(&self, ctx: &Context) -> Result<Arc<Vec<Enabled>>, DbErr> {
        let generation = {
            let registry = self.registry();
            if let Some((at, enabled)) = &registry.loaded
                && at.elapsed() < Registry::MAX_AGE
            {
                return Ok(Arc::clone(enabled));
            }
            registry.generation
        };
        let rows = plugin::Entity::find()
            .filter(plugin::Column::Enabled.eq(true))
            .order_by_asc(plugin::Column::Id)
            .find_with_related(plugin_hook::Entity)
            .all(ctx.reads())
            .await?;
        let enabled: Arc<Vec<Enabled>> = Arc::new(
            rows.into_iter()
                .map(|(row, hooks)| Enabled { row, hooks: hooks.into_iter().map(|hook| hook.hook).collect() })
                .collect(),
        );
        let mut registry = self.registry();
        // A change heard while reading may not be in what was read: keep it only if none was.
        if registry.generation == generation {
            registry.loaded = Some((Instant::now(), Arc::clone(&enabled)));
        }
        Ok(enabled)
    }

    fn components(&self) -> std::sync::MutexGuard<'_, ComponentCache> {
        self.components.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// The plugin of `row` ready to call, with its component (cached by sha256).
    async fn load(&self, db: &impl ConnectionTrait, row: &plugin::Model) -> Result<Option<LoadedPlugin>, DbErr> {
        let cached = self.components().get(&row.sha256);
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
                // Uninstalled meanwhile: nobody serves the hook any more.
                let Some(stored) = component::Entity::find_by_id(row.sha256.clone()).one(db).await? else {
                    return Ok(None);
                };
                let bytes = Arc::new(stored.bytes);
                self.components().insert(row.sha256.clone(), Arc::clone(&bytes));
                bytes
            }
        };
        let limits = match row.limits.as_deref() {
            Some(json) => serde_json::from_str(json)
                .map_err(|error| DbErr::Custom(format!("stored limits of plugin {} unreadable: {error}", row.id)))?,
            None => PluginLimits::default(),
        };
        Ok(Some(LoadedPlugin {
            id: PluginId(row.id),
            label: format!("{}@{}", row.name, row.version),
            sha256: row.sha256.clone(),
            component: bytes,
            config: Arc::from(row.config.as_str()),
            limits,
        }))
    }

    /// Records a call and applies the failure policy: a failure counts, and the count, the
    /// automatic disabling and its audit entry commit together with the record.
    async fn record(
        &self,
        ctx: &Context,
        call: &Recorded,
        outcome: CallOutcome,
        detail: Option<String>,
    ) -> Result<(), DbErr> {
        let now = ctx.clock.now();
        let row = call::ActiveModel {
            plugin_id: Set(call.plugin.id),
            district_id: Set(call.district.map(|id| id.0)),
            hook: Set(call.hook.as_str().to_owned()),
            outcome: Set(outcome.as_str().to_owned()),
            detail: Set(detail.as_ref().map(|detail| detail.chars().take(500).collect())),
            fuel_used: Set(i64::try_from(call.fuel_used).unwrap_or(i64::MAX)),
            wall_micros: Set(i64::try_from(call.wall_time.as_micros()).unwrap_or(i64::MAX)),
            at_ms: Set(to_millis(now)),
            ..Default::default()
        };
        let id = call.plugin.id;
        if !outcome.is_failure() {
            row.insert(&ctx.db).await?;
            if outcome != CallOutcome::HostError {
                // The count is read where it is kept, not from the registry's copy of the row,
                // which another instance's failures may have made stale; a healthy plugin's
                // count is 0 and this matches (and locks) no row.
                plugin::Entity::update_many()
                    .col_expr(plugin::Column::ConsecutiveFailures, Expr::value(0))
                    .filter(plugin::Column::Id.eq(id))
                    .filter(plugin::Column::ConsecutiveFailures.gt(0))
                    .exec(&ctx.db)
                    .await?;
            }
            return Ok(());
        }
        let txn = ctx.db.begin().await?;
        row.insert(&txn).await?;
        plugin::Entity::update_many()
            .col_expr(plugin::Column::ConsecutiveFailures, Expr::col(plugin::Column::ConsecutiveFailures).add(1))
            .filter(plugin::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let reason = format!(
            "disabled automatically after {} consecutive failures; last: {}",
            self.policy.disable_after,
            detail.unwrap_or_else(|| outcome.as_str().to_owned())
        );
        let reason: String = reason.chars().take(500).collect();
        let disabled = plugin::Entity::update_many()
            .col_expr(plugin::Column::Enabled, Expr::value(false))
            .col_expr(plugin::Column::DisabledReason, Expr::value(reason.as_str()))
            .col_expr(plugin::Column::UpdatedAtMs, Expr::value(to_millis(now)))
            .filter(plugin::Column::Id.eq(id))
            .filter(plugin::Column::Enabled.eq(true))
            .filter(plugin::Column::ConsecutiveFailures.gte(self.policy.disable_after))
            .exec(&txn)
            .await?;
        if disabled.rows_affected > 0 {
            tracing::warn!(plugin = %call.label(), "plugin disabled after repeated failures");
            let facts = PluginFacts {
                plugin: PluginId(id),
                district: call.plugin.district_id.map(DistrictId),
                name: call.plugin.name.clone(),
                version: call.plugin.version.clone(),
            };
            let change = Change {
                event: DomainEvent::PluginDisabled(PluginDisabled {
                    plugin: facts,
                    reason: reason.clone(),
                    automatic: true,
                }),
                before: Some(serde_json::json!({ "enabled": true })),
                after: Some(serde_json::json!({ "enabled": false, "disabledReason": reason })),
            };
            audit::record(&txn, &Caller::System, now, change).await?;
            txn.commit().await?;
            self.release(PluginId(id), &call.plugin.sha256);
            return Ok(());
        }
        txn.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_component_cache_keeps_the_most_recently_used_few() {
        let mut cache = ComponentCache::default();
        for index in 0..ComponentCache::CAPACITY {
            cache.insert(format!("sha-{index}"), Arc::new(vec![0; 4]));
        }
        assert!(cache.get("sha-0").is_some(), "used again: now the most recent");
        cache.insert("sha-new".to_owned(), Arc::new(vec![1; 4]));
        assert_eq!(cache.bytes.len(), ComponentCache::CAPACITY);
        assert!(cache.get("sha-0").is_some() && cache.get("sha-new").is_some());
        assert!(cache.get("sha-1").is_none(), "the least recently used went");
    }
}
