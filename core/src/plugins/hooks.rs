//! The domain's hook points answered by installed plugins, with the failure policy: any failure
//! falls back to the normal flow, every call is recorded, and a plugin that fails too many times
//! in a row is disabled, with the reason shown to its district admin.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
};

use super::entities::{call, component, plugin};
use super::model::{CallOutcome, HookKind, PluginLimits};
use super::runtime::{ActionAnswer, HookCall, HookFailure, LoadedPlugin, PluginRuntime};
use crate::clock::Clock;
use crate::context::Context;
use crate::events::check_answer;
use crate::hooks::{
    DeadlineOverride, DeadlineRequest, DistrictHooks, ListenedEvent, ListenerAction, ListenerAnswer, RoutingDecision,
    RoutingRequest,
};
use crate::ids::{DepartmentId, DistrictId, PluginId};
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

/// [`DistrictHooks`] answered by each district's installed plugins (district plugins first,
/// then the city-wide defaults).
pub struct PluginHooks {
    db: DatabaseConnection,
    clock: Clock,
    runtime: Arc<dyn PluginRuntime>,
    policy: FailurePolicy,
    components: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

impl fmt::Debug for PluginHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginHooks").field("runtime", &self.runtime).field("policy", &self.policy).finish()
    }
}

/// A call to record: which plugin, where, and what it cost.
struct Recorded {
    plugin: LoadedPlugin,
    /// Whether it had failed since its last success when it was loaded: only then does a
    /// success have a failure count to reset (a write saved on every healthy call).
    failing: bool,
    district: DistrictId,
    hook: HookKind,
    fuel_used: u64,
    wall_time: Duration,
}

impl Recorded {
    fn decided_by(&self) -> String {
        format!("plugin {}", self.plugin.label)
    }
}

impl PluginHooks {
    /// Hooks over the plugins stored in `ctx`'s database, run by `runtime`.
    pub fn new(ctx: &Context, runtime: Arc<dyn PluginRuntime>, policy: FailurePolicy) -> Self {
        PluginHooks { db: ctx.db.clone(), clock: ctx.clock.clone(), runtime, policy, components: Mutex::default() }
    }

    /// The row of the enabled plugin serving `hook` for `district`: the district's own, else
    /// the city's.
    async fn serving(&self, district: DistrictId, hook: HookKind) -> Result<Option<plugin::Model>, DbErr> {
        let mut candidates = plugin::Entity::find()
            .filter(plugin::Column::Enabled.eq(true))
            .filter(plugin::Column::Hooks.like(format!("%{}%", hook.as_str())))
            .filter(
                Condition::any()
                    .add(plugin::Column::DistrictId.eq(district.0))
                    .add(plugin::Column::DistrictId.is_null()),
            )
            .all(&self.db)
            .await?;
        let own = candidates.iter().position(|row| row.district_id.is_some()).unwrap_or(0);
        Ok((own < candidates.len()).then(|| candidates.swap_remove(own)))
    }

    /// The plugin serving `hook` for `district`, with its component, and whether it had failed
    /// since its last success.
    async fn plugin_for(&self, district: DistrictId, hook: HookKind) -> Result<Option<(LoadedPlugin, bool)>, DbErr> {
        let Some(row) = self.serving(district, hook).await? else {
            return Ok(None);
        };
        let cached = self.components.lock().unwrap_or_else(|poison| poison.into_inner()).get(&row.sha256).cloned();
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
                let Some(stored) = component::Entity::find_by_id(row.sha256.clone()).one(&self.db).await? else {
                    return Ok(None);
                };
                let bytes = Arc::new(stored.bytes);
                self.components
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner())
                    .insert(row.sha256.clone(), bytes.clone());
                bytes
            }
        };
        let loaded = LoadedPlugin {
            id: PluginId(row.id),
            label: format!("{}@{}", row.name, row.version),
            sha256: row.sha256.clone(),
            component: bytes,
            config: Arc::from(row.config.as_str()),
            limits: match row.limits.as_deref() {
                Some(json) => serde_json::from_str(json).unwrap_or_else(|error| {
                    tracing::error!(plugin = row.id, %error, "stored plugin limits unreadable; using the defaults");
                    PluginLimits::default()
                }),
                None => PluginLimits::default(),
            },
        };
        Ok(Some((loaded, row.consecutive_failures > 0)))
    }

    /// Records a call and applies the failure policy.
    async fn record(&self, call: &Recorded, outcome: CallOutcome, detail: Option<String>) -> Result<(), DbErr> {
        let now = to_millis(self.clock.now());
        call::ActiveModel {
            plugin_id: Set(call.plugin.id.0),
            district_id: Set(Some(call.district.0)),
            hook: Set(call.hook.as_str().to_owned()),
            outcome: Set(outcome.as_str().to_owned()),
            detail: Set(detail.as_ref().map(|detail| detail.chars().take(500).collect())),
            fuel_used: Set(i64::try_from(call.fuel_used).unwrap_or(i64::MAX)),
            wall_micros: Set(i64::try_from(call.wall_time.as_micros()).unwrap_or(i64::MAX)),
            at_ms: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let id = call.plugin.id.0;
        if !outcome.is_failure() {
            if !call.failing {
                return Ok(());
            }
            plugin::Entity::update_many()
                .col_expr(plugin::Column::ConsecutiveFailures, Expr::value(0))
                .filter(plugin::Column::Id.eq(id))
                .filter(plugin::Column::ConsecutiveFailures.gt(0))
                .exec(&self.db)
                .await?;
            return Ok(());
        }
        plugin::Entity::update_many()
            .col_expr(plugin::Column::ConsecutiveFailures, Expr::col(plugin::Column::ConsecutiveFailures).add(1))
            .filter(plugin::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        let reason = format!(
            "disabled automatically after {} consecutive failures; last: {}",
            self.policy.disable_after,
            detail.unwrap_or_else(|| outcome.as_str().to_owned())
        );
        let disabled = plugin::Entity::update_many()
            .col_expr(plugin::Column::Enabled, Expr::value(false))
            .col_expr(plugin::Column::DisabledReason, Expr::value(reason.chars().take(500).collect::<String>()))
            .col_expr(plugin::Column::UpdatedAtMs, Expr::value(now))
            .filter(plugin::Column::Id.eq(id))
            .filter(plugin::Column::Enabled.eq(true))
            .filter(plugin::Column::ConsecutiveFailures.gte(self.policy.disable_after))
            .exec(&self.db)
            .await?;
        if disabled.rows_affected > 0 {
            tracing::warn!(plugin = %call.plugin.label, district = %call.district, "plugin disabled after repeated failures");
        }
        Ok(())
    }

    /// Runs one hook off the async executor (calls are CPU-bound and bounded by the runtime).
    async fn run<T: Send + 'static>(
        &self,
        plugin: &LoadedPlugin,
        call: impl FnOnce(&dyn PluginRuntime, &LoadedPlugin) -> HookCall<T> + Send + 'static,
    ) -> HookCall<T> {
        let runtime = self.runtime.clone();
        let loaded = plugin.clone();
        match tokio::task::spawn_blocking(move || call(runtime.as_ref(), &loaded)).await {
            Ok(result) => result,
            Err(error) => HookCall {
                outcome: Err(HookFailure::Trap(format!("the plugin call did not complete: {error}"))),
                fuel_used: 0,
                wall_time: Duration::ZERO,
            },
        }
    }

    async fn record_or_log(&self, call: &Recorded, outcome: CallOutcome, detail: Option<String>) {
        if let Err(error) = self.record(call, outcome, detail).await {
            tracing::error!(plugin = %call.plugin.label, %error, "could not record a plugin call");
        }
    }

    /// Calls the plugin serving `hook` for `district`, if there is one; the caller records the
    /// call once it has judged the answer.
    async fn call<T: Send + 'static>(
        &self,
        district: DistrictId,
        hook: HookKind,
        call: impl FnOnce(&dyn PluginRuntime, &LoadedPlugin) -> HookCall<T> + Send + 'static,
    ) -> Result<Option<(Recorded, Result<T, HookFailure>)>, DbErr> {
        let Some((plugin, failing)) = self.plugin_for(district, hook).await? else {
            return Ok(None);
        };
        let HookCall { outcome, fuel_used, wall_time } = self.run(&plugin, call).await;
        Ok(Some((Recorded { plugin, failing, district, hook, fuel_used, wall_time }, outcome)))
    }

    /// Records a failed call; the answer is the hook's fallback.
    async fn record_failure(&self, recorded: &Recorded, failure: &HookFailure) -> String {
        let (outcome, detail) = match failure {
            HookFailure::Guest(message) => (CallOutcome::GuestError, message.clone()),
            HookFailure::Trap(message) => (CallOutcome::Trap, message.clone()),
        };
        self.record_or_log(recorded, outcome, Some(detail.clone())).await;
        detail
    }
}

#[async_trait::async_trait]
impl DistrictHooks for PluginHooks {
    async fn route_ticket(&self, request: &RoutingRequest) -> Option<RoutingDecision> {
        let district = request.district_id;
        let input = request.clone();
        let called =
            self.call(district, HookKind::TicketRouter, move |runtime, plugin| runtime.route_ticket(plugin, &input));
        let (recorded, outcome) = match called.await {
            Ok(called) => called?,
            Err(error) => {
                tracing::error!(%error, "could not load the district's router");
                return None;
            }
        };
        let answer = match outcome {
            Ok(Some(answer)) => answer,
            Ok(None) => {
                self.record_or_log(&recorded, CallOutcome::NoOpinion, None).await;
                return None;
            }
            Err(failure) => {
                self.record_failure(&recorded, &failure).await;
                return None;
            }
        };
        let department = answer.department.parse::<DepartmentId>().ok();
        let in_district = match department {
            Some(id) => crate::directory::department_belongs_to(&self.db, id, district).await.unwrap_or(false),
            None => false,
        };
        let Some(department_id) = department.filter(|_| in_district) else {
            let detail = format!("unknown department `{}`", answer.department.chars().take(64).collect::<String>());
            self.record_or_log(&recorded, CallOutcome::Refused, Some(detail)).await;
            return None;
        };
        self.record_or_log(&recorded, CallOutcome::Decided, None).await;
        Some(RoutingDecision {
            department_id,
            priority: answer.priority,
            tags: answer.tags,
            decided_by: recorded.decided_by(),
        })
    }

    async fn ticket_deadlines(&self, request: &DeadlineRequest) -> Option<DeadlineOverride> {
        let input = request.clone();
        let called = self.call(request.district_id, HookKind::DeadlinePolicy, move |runtime, plugin| {
            runtime.ticket_deadlines(plugin, &input)
        });
        let (recorded, outcome) = match called.await {
            Ok(called) => called?,
            Err(error) => {
                tracing::error!(%error, "could not load the district's deadline policy");
                return None;
            }
        };
        let answer = match outcome {
            Ok(Some(answer)) => answer,
            Ok(None) => {
                self.record_or_log(&recorded, CallOutcome::NoOpinion, None).await;
                return None;
            }
            Err(failure) => {
                self.record_failure(&recorded, &failure).await;
                return None;
            }
        };
        let respond_by = answer.respond_by.unwrap_or(request.respond_by);
        let resolve_by = answer.resolve_by.unwrap_or(request.resolve_by);
        if respond_by <= request.dispatched_at || resolve_by < respond_by {
            let detail = "deadlines in the past or out of order".to_owned();
            self.record_or_log(&recorded, CallOutcome::Refused, Some(detail)).await;
            return None;
        }
        self.record_or_log(&recorded, CallOutcome::Decided, None).await;
        Some(DeadlineOverride {
            respond_by: answer.respond_by,
            resolve_by: answer.resolve_by,
            decided_by: recorded.decided_by(),
        })
    }

    async fn listens(&self, district: DistrictId) -> bool {
        // The row suffices: the component is loaded when an event is offered.
        match self.serving(district, HookKind::EventListener).await {
            Ok(found) => found.is_some(),
            Err(error) => {
                tracing::error!(%error, "could not look up the district's listener");
                true
            }
        }
    }

    async fn on_event(&self, event: &ListenedEvent) -> ListenerAnswer {
        let input = event.clone();
        let called = self
            .call(event.district_id, HookKind::EventListener, move |runtime, plugin| runtime.on_event(plugin, &input));
        let (recorded, outcome) = match called.await {
            Ok(Some(called)) => called,
            Ok(None) => return ListenerAnswer::NoListener,
            Err(error) => return ListenerAnswer::Failed(format!("could not load the district's listener: {error}")),
        };
        let answers = match outcome {
            Ok(answers) => answers,
            Err(failure) => return ListenerAnswer::Failed(self.record_failure(&recorded, &failure).await),
        };
        let actions = match answers.into_iter().map(listener_action).collect::<Result<Vec<_>, String>>() {
            Ok(actions) => actions,
            Err(problem) => {
                self.record_or_log(&recorded, CallOutcome::Refused, Some(problem)).await;
                return ListenerAnswer::Refused;
            }
        };
        match check_answer(&self.db, event, &actions).await {
            Ok(None) => {}
            Ok(Some(problem)) => {
                self.record_or_log(&recorded, CallOutcome::Refused, Some(problem)).await;
                return ListenerAnswer::Refused;
            }
            Err(error) => return ListenerAnswer::Failed(format!("could not check the listener's answer: {error}")),
        }
        let outcome = if actions.is_empty() { CallOutcome::NoOpinion } else { CallOutcome::Decided };
        self.record_or_log(&recorded, outcome, None).await;
        ListenerAnswer::Act { actions, decided_by: recorded.decided_by() }
    }
}

/// The domain's action for a plugin's, if the plugin named a department by a valid ID.
fn listener_action(answer: ActionAnswer) -> Result<ListenerAction, String> {
    Ok(match answer {
        ActionAnswer::AddComment(text) => ListenerAction::AddComment(text),
        ActionAnswer::AddTag(tag) => ListenerAction::AddTag(tag),
        ActionAnswer::NotifyDepartment { department, message } => ListenerAction::NotifyDepartment {
            department_id: department
                .parse()
                .map_err(|_| format!("unknown department `{}`", department.chars().take(64).collect::<String>()))?,
            message,
        },
    })
}
