//! Calls by hook name with JSON in and out, for the CLI and for tools.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::call::{CallReport, CallSettings};
use crate::engine::PluginEngine;
use crate::error::CompileError;
use crate::hook::Hook;
use crate::plugin::{CompiledPlugin, PluginSummary};
use crate::types::*;

impl PluginEngine {
    /// Calls `hook` with a JSON input shaped like the hook's input type (for `ballot-eligibility`,
    /// `{"voter": ..., "process": ...}`) and returns the decision as JSON.
    pub fn call_json(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        hook: Hook,
        input: serde_json::Value,
    ) -> Result<CallReport<serde_json::Value>, serde_json::Error> {
        Ok(match hook {
            Hook::TicketRouter => to_json(self.route(plugin, settings, &parse::<NewTicket>(input)?)),
            Hook::DeadlinePolicy => to_json(self.deadlines(plugin, settings, &parse::<DispatchedTicket>(input)?)),
            Hook::SurveyValidator => to_json(self.validate_survey(plugin, settings, &parse::<SurveyResponse>(input)?)),
            Hook::BallotEligibility => {
                to_json(self.check_eligibility(plugin, settings, &parse::<EligibilityQuestion>(input)?))
            }
            Hook::EventListener => to_json(self.on_event(plugin, settings, &parse::<DomainEvent>(input)?)),
        })
    }

    /// Validates a component against the hook worlds without keeping it: the hooks it
    /// implements, its size and its imports (`civitas plugin check`).
    pub fn check(&self, bytes: &[u8]) -> Result<PluginSummary, CompileError> {
        self.compile(bytes).map(|plugin| plugin.summary())
    }
}

fn parse<T: DeserializeOwned>(input: serde_json::Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(input)
}

fn to_json<T: Serialize>(report: CallReport<T>) -> CallReport<serde_json::Value> {
    // Our decision types serialize infallibly (no non-string map keys, finite floats aside).
    report.map(|decision| serde_json::to_value(decision).unwrap_or(serde_json::Value::Null))
}
