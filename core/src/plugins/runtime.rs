//! What the domain needs from a plugin sandbox.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{HookKind, PluginLimits};
use crate::events::StoredEvent;
use crate::hooks::{
    DeadlineRequest, EligibilityAnswer, EligibilityRequest, RoutingRequest, SurveyValidationRequest, ValidatorProblem,
};
use crate::ids::PluginId;
use crate::tickets::Priority;

/// What a component offers, as found at install.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentInfo {
    /// The hooks (WIT worlds) it implements.
    pub hooks: Vec<HookKind>,
    /// What it imports, for the installer to review.
    pub imports: Vec<String>,
}

/// An installed plugin, ready to call.
#[derive(Debug, Clone)]
pub struct LoadedPlugin {
    /// Its ID.
    pub id: PluginId,
    /// `name@version`, recorded on timelines.
    pub label: String,
    /// SHA-256 of the component (the runtime caches compiled code by it).
    pub sha256: String,
    /// The component.
    pub component: Arc<Vec<u8>>,
    /// Its JSON configuration.
    pub config: Arc<str>,
    /// The district's limits for its calls.
    pub limits: PluginLimits,
}

/// The sandbox failing, or the plugin answering with its own error.
#[derive(Debug, Clone, PartialEq)]
pub enum HookFailure {
    /// The plugin's own error answer.
    Guest(String),
    /// The sandbox stopped the call (trap, fuel, deadline, memory, output size, wrong world).
    Trap(String),
    /// The host could not run the call (e.g. no sandbox slot free): not the plugin's doing.
    Host(String),
}

/// One call's result and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct HookCall<T> {
    /// The answer, or why there is none.
    pub outcome: Result<T, HookFailure>,
    /// Fuel used.
    pub fuel_used: u64,
    /// Wall time.
    pub wall_time: Duration,
}

/// A router's answer in the plugin's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterAnswer {
    /// The department, as an ID string (`dep_7`).
    pub department: String,
    /// Priority, if any.
    pub priority: Option<Priority>,
    /// Tags.
    pub tags: Vec<String>,
}

/// A deadline policy's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineAnswer {
    /// New respond-by.
    pub respond_by: Option<DateTime<Utc>>,
    /// New resolve-by.
    pub resolve_by: Option<DateTime<Utc>>,
}

/// An action a listener asked for, in the plugin's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionAnswer {
    /// Add a comment to the subject's timeline.
    AddComment(String),
    /// Tag the subject.
    AddTag(String),
    /// Notify a department.
    NotifyDepartment {
        /// The department, as an ID string (`dep_7`).
        department: String,
        /// The message.
        message: String,
    },
}

/// A sandbox that validates components and runs their hooks. Calls are synchronous and bounded
/// by the runtime's own limits; the domain runs them off the async executor.
pub trait PluginRuntime: Send + Sync + Debug {
    /// What the component implements, or why it cannot be installed.
    fn inspect(&self, component: &[u8]) -> Result<ComponentInfo, String>;

    /// The installation was uninstalled or disabled: drop what is kept to call it (prepared
    /// instances, compiled code). It may be called again later (enabled again), as any other.
    fn release(&self, plugin: PluginId, sha256: &str) {
        let _ = (plugin, sha256);
    }

    /// Runs `ticket-router`; `Ok(None)` is "no opinion".
    fn route_ticket(&self, plugin: &LoadedPlugin, request: &RoutingRequest) -> HookCall<Option<RouterAnswer>>;

    /// Runs `deadline-policy`; `Ok(None)` is "no opinion".
    fn ticket_deadlines(&self, plugin: &LoadedPlugin, request: &DeadlineRequest) -> HookCall<Option<DeadlineAnswer>>;

    /// Runs `event-listener`.
    fn on_event(&self, plugin: &LoadedPlugin, event: &StoredEvent) -> HookCall<Vec<ActionAnswer>>;

    /// Runs `survey-validator`: the problems it finds (empty: none).
    fn validate_survey(
        &self,
        plugin: &LoadedPlugin,
        request: &SurveyValidationRequest,
    ) -> HookCall<Vec<ValidatorProblem>>;

    /// Runs `ballot-eligibility`: whether a voter may take part in a budgeting process.
    fn check_eligibility(&self, plugin: &LoadedPlugin, request: &EligibilityRequest) -> HookCall<EligibilityAnswer>;
}
