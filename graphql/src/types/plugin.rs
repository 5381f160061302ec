//! District plugins, their limits and their call records.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use civitas_core::plugins::{self, HookKind, PluginLimits};

use crate::errors::IntoGraphql;
use crate::schema::{core_context, request};

/// A hook family: one WIT world of `civitas:plugin`.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "HookKind")]
pub enum PluginHook {
    /// `ticket-router`: where a new ticket goes (called by `submitTicket`).
    TicketRouter,
    /// `deadline-policy`: deadlines of a dispatched ticket (called at dispatch).
    DeadlinePolicy,
    /// `survey-validator`: problems in a survey response, after the built-in checks (called by
    /// `submitSurveyResponse`; a failing validator leaves the built-in checks alone to judge).
    SurveyValidator,
    /// `ballot-eligibility`: whether a voter may vote (called when budgeting processes land).
    BallotEligibility,
    /// `event-listener`: actions in answer to domain events.
    EventListener,
}

/// How a plugin call ended.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "plugins::CallOutcome")]
pub enum PluginCallOutcome {
    /// The plugin decided, and the decision was used.
    Decided,
    /// The plugin had no opinion; the normal flow went on.
    NoOpinion,
    /// The plugin answered with its own error.
    GuestError,
    /// The sandbox stopped it: trap, fuel, time, memory or output limit.
    Trap,
    /// Its answer was unusable (e.g. a department of another district).
    Refused,
    /// The server could not run it (e.g. every sandbox slot busy); not counted against it.
    HostError,
}

/// Limits of each call of one plugin; unset ones are the server's defaults, and the server caps
/// every limit at its own ceiling.
#[derive(InputObject, SimpleObject, Clone, Copy, Default)]
#[graphql(input_name = "PluginLimitsInput")]
pub struct PluginCallLimits {
    /// Fuel (roughly wasm instructions) per call.
    pub fuel: Option<u64>,
    /// Wall-clock backstop per call, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Linear memory, in bytes.
    pub max_memory_bytes: Option<u64>,
    /// Size of the input as JSON, in bytes.
    pub max_input_bytes: Option<u64>,
    /// Size of the answer as JSON, in bytes.
    pub max_output_bytes: Option<u64>,
    /// Log bytes kept per call.
    pub max_log_bytes: Option<u64>,
}

impl From<PluginCallLimits> for PluginLimits {
    fn from(limits: PluginCallLimits) -> Self {
        PluginLimits {
            fuel: limits.fuel,
            timeout_ms: limits.timeout_ms,
            max_memory_bytes: limits.max_memory_bytes,
            max_input_bytes: limits.max_input_bytes,
            max_output_bytes: limits.max_output_bytes,
            max_log_bytes: limits.max_log_bytes,
        }
    }
}

impl From<PluginLimits> for PluginCallLimits {
    fn from(limits: PluginLimits) -> Self {
        PluginCallLimits {
            fuel: limits.fuel,
            timeout_ms: limits.timeout_ms,
            max_memory_bytes: limits.max_memory_bytes,
            max_input_bytes: limits.max_input_bytes,
            max_output_bytes: limits.max_output_bytes,
            max_log_bytes: limits.max_log_bytes,
        }
    }
}

/// Aggregates of a plugin's recorded calls.
#[derive(SimpleObject)]
pub struct PluginCallStats {
    /// Calls recorded.
    pub calls: i64,
    /// Of which failed (guest error, trap or refused answer).
    pub failures: i64,
    /// Mean fuel per call.
    pub average_fuel: Option<f64>,
    /// Mean wall time per call, in microseconds.
    pub average_wall_micros: Option<f64>,
}

/// One recorded call of a plugin.
pub struct PluginCall(pub plugins::PluginCall);

#[Object]
impl PluginCall {
    /// Its ID.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The district whose ticket it saw.
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(|id| ID(id.to_string()))
    }

    /// The hook called.
    async fn hook(&self) -> PluginHook {
        self.0.hook.into()
    }

    /// How it ended.
    async fn outcome(&self) -> PluginCallOutcome {
        self.0.outcome.into()
    }

    /// The trap or error message, or why the answer was refused.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// Fuel used (roughly wasm instructions). After a timeout it is a lower bound: the deadline
    /// interrupts the count, which the sandbox updates only at the plugin's calls and returns.
    async fn fuel_used(&self) -> u64 {
        self.0.fuel_used
    }

    /// Wall time, in microseconds.
    async fn wall_micros(&self) -> u64 {
        u64::try_from(self.0.wall_time.as_micros()).unwrap_or(u64::MAX)
    }

    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A plugin installed in a district, or city-wide as a default that district plugins override.
pub struct Plugin(pub plugins::Plugin);

#[Object]
impl Plugin {
    /// Its ID (`plg_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its district; null for a city-wide default.
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(|id| ID(id.to_string()))
    }

    /// Name given at install.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Version given at install (`sha256-…` when none was given).
    async fn version(&self) -> &str {
        &self.0.version
    }

    /// SHA-256 of the component, hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// The hooks it serves.
    async fn hooks(&self) -> Vec<PluginHook> {
        self.0.hooks.iter().map(|hook| (*hook).into()).collect()
    }

    /// Its JSON configuration, as set at install.
    async fn config(&self) -> &str {
        &self.0.config
    }

    /// Its call limits as set at install (unset: the server's defaults).
    async fn limits(&self) -> PluginCallLimits {
        self.0.limits.into()
    }

    /// Whether it is called.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// Why it was disabled: by an administrator, or automatically after repeated failures.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Failures since its last success.
    async fn consecutive_failures(&self) -> i32 {
        self.0.consecutive_failures
    }

    /// Who installed it.
    async fn installed_by(&self) -> &str {
        &self.0.installed_by
    }

    /// When.
    async fn installed_at(&self) -> DateTime<Utc> {
        self.0.installed_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Aggregates over its recorded calls.
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<PluginCallStats> {
        let stats = plugins::call_stats(core_context(ctx), &request(ctx).caller, self.0.id).await.gql()?;
        Ok(PluginCallStats {
            calls: stats.calls,
            failures: stats.failures,
            average_fuel: stats.average_fuel,
            average_wall_micros: stats.average_wall_micros,
        })
    }

    /// Its most recent calls, newest first (at most 100).
    async fn recent_calls(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: u64,
    ) -> async_graphql::Result<Vec<PluginCall>> {
        let calls = plugins::calls(core_context(ctx), &request(ctx).caller, self.0.id, first).await.gql()?;
        Ok(calls.into_iter().map(PluginCall).collect())
    }
}
