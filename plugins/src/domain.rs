//! The sandbox behind civitas-core's hook points: [`WasmRuntime`] implements
//! `civitas_core::plugins::PluginRuntime` over a [`PluginEngine`].
//!
//! It translates the domain's requests into the WIT records (IDs as strings, times as epoch
//! milliseconds, the city's wall clock as minute of day and weekday), applies the district's
//! limits capped by the city's ceilings, and keeps each component compiled once per process,
//! keyed by its sha256.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};
use civitas_core::events::StoredEvent;
use civitas_core::hooks::{
    DeadlineRequest, EligibilityAnswer, EligibilityRequest, RoutingRequest, SurveyAnswerValue, SurveyValidationRequest,
    ValidatorProblem,
};
use civitas_core::ids::PluginId;
use civitas_core::plugins::{
    ActionAnswer, ComponentInfo, DeadlineAnswer, HookCall, HookFailure, HookKind, LoadedPlugin, PluginLimits,
    PluginRuntime, RouterAnswer,
};
use civitas_core::tickets;

use crate::call::{CallFailure, CallSettings};
use crate::engine::PluginEngine;
use crate::gate::CallGate;
use crate::hook::Hook;
use crate::limits::CallLimits;
use crate::plugin::CompiledPlugin;
use crate::prepared::HookInput;
use crate::types::{
    Action, Answer, AnswerValue, BudgetingProcess, Channel, DispatchedTicket, DomainEvent, Eligibility,
    EligibilityQuestion, Location, NewTicket, Priority, SurveyResponse, Voter,
};
use crate::warm::Warmer;

/// Compiled components kept per process by sha256, with when each was last used: at most
/// `EngineSettings::max_compiled`, the least recently used going first (an 18 MB Python one takes
/// seconds to compile, under a second to load from the precompiled cache).
#[derive(Default)]
struct CompiledCache {
    entries: HashMap<String, (Result<Arc<CompiledPlugin>, String>, u64)>,
    uses: u64,
}

impl CompiledCache {
    fn get(&mut self, sha256: &str) -> Option<Result<Arc<CompiledPlugin>, String>> {
        self.uses += 1;
        let uses = self.uses;
        self.entries.get_mut(sha256).map(|(compiled, used)| {
            *used = uses;
            compiled.clone()
        })
    }

    /// Keeps `compiled`, and returns what no longer fits (dropped by the caller, outside the
    /// lock: dropping a component releases its pool slots).
    fn insert(
        &mut self,
        sha256: String,
        compiled: Result<Arc<CompiledPlugin>, String>,
        capacity: usize,
    ) -> Vec<Result<Arc<CompiledPlugin>, String>> {
        self.uses += 1;
        self.entries.insert(sha256, (compiled, self.uses));
        let mut evicted = Vec::new();
        while self.entries.len() > capacity.max(1) {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, (_, used))| *used).map(|(sha, _)| sha.clone())
            else {
                break;
            };
            evicted.extend(self.entries.remove(&oldest).map(|(compiled, _)| compiled));
        }
        evicted
    }
}

/// `PluginRuntime` over wasmtime: what the server hands to `civitas_core::plugins::PluginHooks`.
pub struct WasmRuntime {
    engine: Arc<PluginEngine>,
    defaults: CallLimits,
    ceilings: CallLimits,
    compiled: Mutex<CompiledCache>,
    gate: Arc<CallGate>,
    // `None` if its thread could not start: every call then instantiates inline.
    warmer: Option<Warmer>,
}

impl fmt::Debug for WasmRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WasmRuntime")
            .field("allocation", self.engine.allocation())
            .field("defaults", &self.defaults)
            .field("ceilings", &self.ceilings)
            .finish()
    }
}

impl WasmRuntime {
    /// A runtime whose calls use `defaults` where a district set no limit, and never more than
    /// `ceilings` whatever the district set.
    ///
    /// After each call of an installed plugin, the instance for its next call is prepared on a
    /// background thread, so that a call waits only for the plugin itself (see
    /// [`PluginEngine::prepare`]); at most `EngineSettings::max_prepared` wait, and at most
    /// `max_concurrent_calls` calls run at once.
    pub fn new(engine: Arc<PluginEngine>, defaults: CallLimits, ceilings: CallLimits) -> Self {
        let settings = engine.settings();
        let gate = CallGate::new(settings.max_concurrent_calls);
        // Prepared instances take what the calls leave of the pool, with one slot for the
        // instance being made before the oldest waiting one is pushed out.
        let room = usize::try_from(settings.pool_instances).unwrap_or(usize::MAX);
        let capacity = settings.max_prepared.min(room.saturating_sub(settings.max_concurrent_calls.max(1) + 1));
        let warmer = match Warmer::start(Arc::clone(&engine), capacity) {
            Ok(warmer) => Some(warmer),
            Err(error) => {
                tracing::warn!(%error, "plugin instances will be made at call time: no thread to prepare them");
                None
            }
        };
        WasmRuntime { engine, defaults, ceilings, compiled: Mutex::default(), gate, warmer }
    }

    /// Drops what is kept for an installation that was uninstalled or disabled: its prepared
    /// instances and its compiled component, so the pool slots that held its memory go back
    /// to the kernel (wasmtime purges a dropped component's slots). Installations sharing the
    /// component compile or load it again on their next call.
    pub fn release(&self, installation: PluginId, sha256: &str) {
        if let Some(warmer) = &self.warmer {
            warmer.forget(installation);
        }
        let removed = self.lock().entries.remove(sha256);
        drop(removed);
    }

    /// How many instances prepared for installed plugins' next calls are waiting (each holds a
    /// pool slot).
    pub fn prepared_instances(&self) -> usize {
        self.warmer.as_ref().map_or(0, Warmer::waiting)
    }

    /// Returns once the background thread has done what it was asked so far (preparing next
    /// instances, dropping spent ones): for tests and measurements that need a settled state.
    pub fn wait_for_background_work(&self) {
        if let Some(warmer) = &self.warmer {
            warmer.flush();
        }
    }

    /// How many instances the background thread has prepared since the runtime started.
    pub fn instances_prepared_so_far(&self) -> u64 {
        self.warmer.as_ref().map_or(0, Warmer::prepared_so_far)
    }

    /// The engine.
    pub fn engine(&self) -> &PluginEngine {
        &self.engine
    }

    /// The limits of one call of `plugin`: its district's, else the defaults, capped.
    pub fn limits_for(&self, limits: &PluginLimits) -> CallLimits {
        let pick = |set: Option<u64>, default: u64, ceiling: u64| set.unwrap_or(default).min(ceiling);
        let size = |value: usize| u64::try_from(value).unwrap_or(u64::MAX);
        let back = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        let (d, c) = (&self.defaults, &self.ceilings);
        CallLimits {
            fuel: pick(limits.fuel, d.fuel, c.fuel),
            timeout: Duration::from_millis(pick(limits.timeout_ms, millis(d.timeout), millis(c.timeout))),
            max_memory_bytes: pick(limits.max_memory_bytes, d.max_memory_bytes, c.max_memory_bytes),
            max_input_bytes: back(pick(limits.max_input_bytes, size(d.max_input_bytes), size(c.max_input_bytes))),
            max_output_bytes: back(pick(limits.max_output_bytes, size(d.max_output_bytes), size(c.max_output_bytes))),
            max_log_bytes: back(pick(limits.max_log_bytes, size(d.max_log_bytes), size(c.max_log_bytes))),
        }
    }

    fn compiled(&self, plugin: &LoadedPlugin) -> Result<Arc<CompiledPlugin>, String> {
        let cached = self.lock().get(&plugin.sha256);
        if let Some(result) = cached {
            return result;
        }
        // Compiled outside the lock: another district's call must not wait for a slow compile.
        let result = self.engine.compile(&plugin.component).map(Arc::new).map_err(|error| error.to_string());
        self.keep(plugin.sha256.clone(), result.clone());
        result
    }

    fn keep(&self, sha256: String, compiled: Result<Arc<CompiledPlugin>, String>) {
        let evicted = self.lock().insert(sha256, compiled, self.engine.settings().max_compiled);
        drop(evicted);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CompiledCache> {
        self.compiled.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    fn settings(&self, plugin: &LoadedPlugin) -> CallSettings {
        CallSettings { config_json: plugin.config.clone(), limits: self.limits_for(&plugin.limits) }
    }

    fn call<I: HookInput, U>(
        &self,
        plugin: &LoadedPlugin,
        input: &I,
        answer: impl FnOnce(I::Decision) -> U,
    ) -> HookCall<U> {
        let compiled = match self.compiled(plugin) {
            Ok(compiled) => compiled,
            Err(reason) => {
                return HookCall {
                    outcome: Err(HookFailure::Trap(format!("the component no longer compiles: {reason}"))),
                    fuel_used: 0,
                    wall_time: Duration::ZERO,
                };
            }
        };
        let settings = self.settings(plugin);
        let permit = self.gate.enter();
        let report = match &self.warmer {
            Some(warmer) => warmer.call(plugin.id, &compiled, &settings, input, permit),
            None => self.engine.call(&compiled, &settings, input),
        };
        for line in &report.logs {
            tracing::info!(plugin = %plugin.label, level = ?line.level, "{}", line.message);
        }
        let outcome = match report.outcome {
            Ok(Ok(decision)) => Ok(answer(decision)),
            Ok(Err(error)) => Err(HookFailure::Guest(format!("{}: {}", error.code, error.message))),
            // The host failing to run a call is not the plugin's failure.
            Err(failure @ CallFailure::Host(_)) => Err(HookFailure::Host(failure.to_string())),
            Err(failure) => Err(HookFailure::Trap(failure.to_string())),
        };
        HookCall { outcome, fuel_used: report.fuel_used, wall_time: report.wall_time }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn epoch_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn kind(hook: Hook) -> HookKind {
    match hook {
        Hook::TicketRouter => HookKind::TicketRouter,
        Hook::DeadlinePolicy => HookKind::DeadlinePolicy,
        Hook::SurveyValidator => HookKind::SurveyValidator,
        Hook::BallotEligibility => HookKind::BallotEligibility,
        Hook::EventListener => HookKind::EventListener,
    }
}

fn channel(channel: tickets::Channel) -> Channel {
    match channel {
        tickets::Channel::Phone => Channel::Phone,
        tickets::Channel::Web => Channel::Web,
        tickets::Channel::App => Channel::App,
        tickets::Channel::Email => Channel::Email,
        tickets::Channel::Sensor => Channel::Sensor,
        tickets::Channel::WalkIn => Channel::WalkIn,
        // WIT 0.1.0 has no paper channel: a paper form handed in at a counter is a walk-in.
        tickets::Channel::Paper => Channel::WalkIn,
        // Nor an Open311 one: a 311 client is a resident's app or web form of another vendor.
        tickets::Channel::Open311 => Channel::App,
    }
}

fn to_wit_priority(priority: tickets::Priority) -> Priority {
    match priority {
        tickets::Priority::Low => Priority::Low,
        tickets::Priority::Normal => Priority::Normal,
        tickets::Priority::High => Priority::High,
        tickets::Priority::Urgent => Priority::Urgent,
    }
}

fn from_wit_priority(priority: Priority) -> tickets::Priority {
    match priority {
        Priority::Low => tickets::Priority::Low,
        Priority::Normal => tickets::Priority::Normal,
        Priority::High => tickets::Priority::High,
        Priority::Urgent => tickets::Priority::Urgent,
    }
}

/// The router's view of a new ticket. Contact data is not part of the request, so never shown.
pub fn new_ticket(request: &RoutingRequest) -> NewTicket {
    let local = request.local_time;
    NewTicket {
        district: request.district_id.to_string(),
        street: request.street_id.map(|id| id.to_string()),
        category: request.category_id.to_string(),
        channel: channel(request.channel),
        text: if request.description.is_empty() {
            request.title.clone()
        } else {
            format!("{}\n\n{}", request.title, request.description)
        },
        location: request.location.map(|point| Location { latitude: point.latitude, longitude: point.longitude }),
        submitted_at: epoch_millis(request.submitted_at),
        // Both fit: at most 1439 and 7.
        minute_of_day: u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0),
        weekday: u8::try_from(local.weekday().number_from_monday()).unwrap_or(1),
    }
}

/// The deadline policy's view of a dispatched ticket.
pub fn dispatched_ticket(request: &DeadlineRequest) -> DispatchedTicket {
    DispatchedTicket {
        district: request.district_id.to_string(),
        street: request.street_id.map(|id| id.to_string()),
        category: request.category_id.to_string(),
        channel: channel(request.channel),
        priority: to_wit_priority(request.priority),
        department: request.department_id.to_string(),
        tags: request.tags.clone(),
        submitted_at: epoch_millis(request.submitted_at),
        dispatched_at: epoch_millis(request.dispatched_at),
        respond_by: epoch_millis(request.respond_by),
        resolve_by: epoch_millis(request.resolve_by),
    }
}

/// A listener's view of a domain event.
pub fn domain_event(stored: &StoredEvent) -> DomainEvent {
    DomainEvent {
        kind: stored.event.name().to_owned(),
        district: stored.event.district().map(|district| district.to_string()),
        subject: stored.event.subject().to_string(),
        occurred_at: epoch_millis(stored.at),
        payload: stored.event.payload(),
    }
}

/// A validator's view of a survey response: the survey's district (empty for a city-wide
/// survey), its ID, the answers by question key. No identity of the respondent.
pub fn survey_response(request: &SurveyValidationRequest) -> SurveyResponse {
    SurveyResponse {
        district: request.district_id.map(|district| district.to_string()).unwrap_or_default(),
        survey: request.survey_id.to_string(),
        answers: request
            .answers
            .iter()
            .map(|(question, value)| Answer {
                question: question.clone(),
                value: match value {
                    SurveyAnswerValue::Text(text) => AnswerValue::Text(text.clone()),
                    SurveyAnswerValue::Number(number) => AnswerValue::Number(*number),
                    SurveyAnswerValue::Choices(choices) => AnswerValue::Choices(choices.clone()),
                    SurveyAnswerValue::Skipped => AnswerValue::Skipped,
                },
            })
            .collect(),
        submitted_at: epoch_millis(request.submitted_at),
    }
}

fn action_answer(action: Action) -> ActionAnswer {
    match action {
        Action::AddComment(text) => ActionAnswer::AddComment(text),
        Action::AddTag(tag) => ActionAnswer::AddTag(tag),
        Action::NotifyDepartment(department, message) => ActionAnswer::NotifyDepartment { department, message },
    }
}

fn instant(millis: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(millis)
}

/// An eligibility plugin's view of a voter and the process: what the city verified (age,
/// district of residence, the channel the ballot comes through), never who they are.
pub fn eligibility_question(request: &EligibilityRequest) -> EligibilityQuestion {
    EligibilityQuestion {
        voter: Voter {
            age: request.age,
            resident_district: request.resident_district.map(|district| district.to_string()),
            attributes: vec![("channel".to_owned(), request.channel.as_str().to_owned())],
        },
        process: BudgetingProcess {
            id: request.process_id.to_string(),
            district: request.district_id.map(|district| district.to_string()).unwrap_or_default(),
            name: request.process_name.clone(),
        },
    }
}

impl PluginRuntime for WasmRuntime {
    fn inspect(&self, component: &[u8]) -> Result<ComponentInfo, String> {
        let compiled = self.engine.compile(component).map_err(|error| error.to_string())?;
        let info = ComponentInfo {
            hooks: compiled.hooks().iter().copied().map(kind).collect(),
            imports: compiled.imports().to_vec(),
        };
        // Compiled now, so the first call does not pay for it.
        self.keep(compiled.sha256().to_owned(), Ok(Arc::new(compiled)));
        Ok(info)
    }

    fn release(&self, plugin: PluginId, sha256: &str) {
        WasmRuntime::release(self, plugin, sha256);
    }

    fn route_ticket(&self, plugin: &LoadedPlugin, request: &RoutingRequest) -> HookCall<Option<RouterAnswer>> {
        let ticket = new_ticket(request);
        self.call(plugin, &ticket, |routing| {
            routing.map(|routing| RouterAnswer {
                department: routing.department,
                priority: Some(from_wit_priority(routing.priority)),
                tags: routing.tags,
            })
        })
    }

    fn ticket_deadlines(&self, plugin: &LoadedPlugin, request: &DeadlineRequest) -> HookCall<Option<DeadlineAnswer>> {
        let ticket = dispatched_ticket(request);
        let call = self.call(plugin, &ticket, |answer| {
            (answer.respond_by.is_some() || answer.resolve_by.is_some())
                .then_some((answer.respond_by, answer.resolve_by))
        });
        // Times the plugin wrote that are not instants at all are its failure, not "keep".
        let outcome = match call.outcome {
            Ok(Some((respond, resolve))) => {
                let convert = |value: Option<i64>| value.map(|millis| instant(millis).ok_or(millis)).transpose();
                match (convert(respond), convert(resolve)) {
                    (Ok(respond_by), Ok(resolve_by)) => Ok(Some(DeadlineAnswer { respond_by, resolve_by })),
                    (Err(millis), _) | (_, Err(millis)) => {
                        Err(HookFailure::Guest(format!("deadline {millis} is not a time in epoch milliseconds")))
                    }
                }
            }
            Ok(None) => Ok(None),
            Err(failure) => Err(failure),
        };
        HookCall { outcome, fuel_used: call.fuel_used, wall_time: call.wall_time }
    }

    fn on_event(&self, plugin: &LoadedPlugin, event: &StoredEvent) -> HookCall<Vec<ActionAnswer>> {
        let event = domain_event(event);
        self.call(plugin, &event, |actions| actions.into_iter().map(action_answer).collect())
    }

    fn validate_survey(
        &self,
        plugin: &LoadedPlugin,
        request: &SurveyValidationRequest,
    ) -> HookCall<Vec<ValidatorProblem>> {
        let response = survey_response(request);
        self.call(plugin, &response, |problems| {
            problems
                .into_iter()
                .map(|problem| ValidatorProblem { question: problem.question, message: problem.message })
                .collect()
        })
    }

    fn check_eligibility(&self, plugin: &LoadedPlugin, request: &EligibilityRequest) -> HookCall<EligibilityAnswer> {
        let question = eligibility_question(request);
        self.call(plugin, &question, |answer| match answer {
            Eligibility::Eligible => EligibilityAnswer::Eligible,
            Eligibility::Ineligible(reason) => EligibilityAnswer::Ineligible(reason),
            Eligibility::ManualReview(reason) => EligibilityAnswer::ManualReview(reason),
        })
    }
}
