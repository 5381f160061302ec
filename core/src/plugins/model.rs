//! Installed plugins and their call records.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ids::{DistrictId, PluginCallId, PluginId};

/// The largest component accepted at install.
pub const MAX_COMPONENT_BYTES: usize = 32 * 1024 * 1024;

/// A hook family: one WIT world of `civitas:plugin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HookKind {
    /// `ticket-router`: where a new ticket goes.
    TicketRouter,
    /// `deadline-policy`: deadlines of a dispatched ticket.
    DeadlinePolicy,
    /// `survey-validator`: problems in a survey response.
    SurveyValidator,
    /// `ballot-eligibility`: whether a voter may vote.
    BallotEligibility,
    /// `event-listener`: actions in answer to domain events.
    EventListener,
}

impl HookKind {
    /// Every hook family.
    pub const ALL: [HookKind; 5] = [
        HookKind::TicketRouter,
        HookKind::DeadlinePolicy,
        HookKind::SurveyValidator,
        HookKind::BallotEligibility,
        HookKind::EventListener,
    ];

    /// The WIT world's name.
    pub fn as_str(self) -> &'static str {
        match self {
            HookKind::TicketRouter => "ticket-router",
            HookKind::DeadlinePolicy => "deadline-policy",
            HookKind::SurveyValidator => "survey-validator",
            HookKind::BallotEligibility => "ballot-eligibility",
            HookKind::EventListener => "event-listener",
        }
    }

    /// Parses a world name.
    pub fn parse(name: &str) -> Option<HookKind> {
        HookKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for HookKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plugin installed in a district, or city-wide as a default that district plugins override.
#[derive(Debug, Clone, PartialEq)]
pub struct Plugin {
    /// Its ID.
    pub id: PluginId,
    /// Its district; `None` for a city-wide default.
    pub district_id: Option<DistrictId>,
    /// Name given at install.
    pub name: String,
    /// Version given at install (by default derived from the component's hash).
    pub version: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// The hooks it serves.
    pub hooks: Vec<HookKind>,
    /// The JSON configuration the installer set, passed to the plugin's `config()` import.
    pub config: String,
    /// Its call limits; unset ones are the host's defaults.
    pub limits: PluginLimits,
    /// Whether it is called.
    pub enabled: bool,
    /// Why it was disabled (by an admin or automatically after repeated failures).
    pub disabled_reason: Option<String>,
    /// Failures since its last success.
    pub consecutive_failures: i32,
    /// Who installed it.
    pub installed_by: String,
    /// When.
    pub installed_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A plugin to install.
#[derive(Clone)]
pub struct NewPlugin {
    /// Its district; `None` for a city-wide default (city administrators only).
    pub district_id: Option<DistrictId>,
    /// A name, unique in its district.
    pub name: String,
    /// A version label; the component's hash prefix when `None`.
    pub version: Option<String>,
    /// The WASM component.
    pub component: Vec<u8>,
    /// JSON configuration.
    pub config: String,
    /// Call limits; unset ones are the host's defaults.
    pub limits: PluginLimits,
    /// The hooks to serve; each must be implemented by the component.
    pub hooks: Vec<HookKind>,
}

/// A district's limits for each call of one plugin. Unset limits are the host's defaults, and
/// the host caps every limit at its own ceiling, so a district can tighten freely but loosen only
/// as far as the city allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginLimits {
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

impl PluginLimits {
    /// Whether no limit is set.
    pub fn is_default(&self) -> bool {
        *self == PluginLimits::default()
    }

    /// Checks that every set limit is positive.
    pub fn validate(&self) -> Result<(), crate::i18n::Message> {
        let values = [
            self.fuel,
            self.timeout_ms,
            self.max_memory_bytes,
            self.max_input_bytes,
            self.max_output_bytes,
            self.max_log_bytes,
        ];
        if values.iter().flatten().any(|value| *value == 0) {
            return Err(crate::i18n::Message::new("every limit must be positive"));
        }
        Ok(())
    }
}

impl fmt::Debug for NewPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPlugin")
            .field("district_id", &self.district_id)
            .field("name", &self.name)
            .field("component_bytes", &self.component.len())
            .field("limits", &self.limits)
            .field("hooks", &self.hooks)
            .finish()
    }
}

/// How a plugin call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The plugin decided, and the decision was used.
    Decided,
    /// The plugin had no opinion.
    NoOpinion,
    /// The plugin answered with its own error.
    GuestError,
    /// The sandbox stopped it: trap, fuel, time, memory or output limit.
    Trap,
    /// It answered, but the answer was unusable (e.g. a department of another district).
    Refused,
    /// The host could not run it (e.g. every sandbox slot busy): not the plugin's failure.
    HostError,
}

impl CallOutcome {
    /// Stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Decided => "DECIDED",
            CallOutcome::NoOpinion => "NO_OPINION",
            CallOutcome::GuestError => "GUEST_ERROR",
            CallOutcome::Trap => "TRAP",
            CallOutcome::Refused => "REFUSED",
            CallOutcome::HostError => "HOST_ERROR",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<CallOutcome> {
        [Self::Decided, Self::NoOpinion, Self::GuestError, Self::Trap, Self::Refused, Self::HostError]
            .into_iter()
            .find(|outcome| outcome.as_str() == name)
    }

    /// Whether this counts as the plugin failing (towards disabling it).
    pub fn is_failure(self) -> bool {
        matches!(self, CallOutcome::GuestError | CallOutcome::Trap | CallOutcome::Refused)
    }
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginCall {
    /// Its ID.
    pub id: PluginCallId,
    /// The plugin.
    pub plugin_id: PluginId,
    /// The district whose data it saw.
    pub district_id: Option<DistrictId>,
    /// The hook.
    pub hook: HookKind,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The trap or error message, or why the answer was refused.
    pub detail: Option<String>,
    /// Fuel (instructions) it used; a lower bound after a timeout, which interrupts the count.
    pub fuel_used: u64,
    /// Wall time of the call.
    pub wall_time: Duration,
    /// When.
    pub at: DateTime<Utc>,
}

/// Aggregates of a plugin's recent calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallStats {
    /// Calls recorded.
    pub calls: i64,
    /// Of which failed.
    pub failures: i64,
    /// Mean fuel per call.
    pub average_fuel: Option<f64>,
    /// Mean wall time per call, in microseconds.
    pub average_wall_micros: Option<f64>,
}
