//! One hook call: a fresh store and instance, limits applied, the outcome classified.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use wasmtime::{PoolConcurrencyLimitError, Store, Trap, WasmBacktrace};

use crate::engine::PluginEngine;
use crate::error::describe;
use crate::hook::Hook;
use crate::limits::CallLimits;
use crate::plugin::CompiledPlugin;
use crate::prepared::{HookInput, PreparedInstance};
use crate::state::CallState;
use crate::types::*;

/// What a district set when it installed a plugin: its configuration and its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSettings {
    /// JSON handed to the plugin by the `config()` import (`{}` if none).
    pub config_json: Arc<str>,
    /// Limits of each call.
    pub limits: CallLimits,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings { config_json: Arc::from("{}"), limits: CallLimits::default() }
    }
}

/// The sandbox failed to produce an answer; the plugin said nothing (the outer `Err`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallFailure {
    /// The component trapped (unreachable, out-of-bounds access, stack overflow, ...).
    #[error("plugin trapped: {0}")]
    Trap(String),
    /// It used all its fuel.
    #[error("plugin ran out of fuel (limit {limit} units)")]
    OutOfFuel {
        /// The fuel limit.
        limit: u64,
    },
    /// It ran past the wall-clock deadline. The deadline interrupts fuel accounting where it
    /// stands: wasmtime writes a function's fuel back only at calls and returns, so the fuel
    /// reported for such a call is what was counted up to then, a lower bound.
    #[error("plugin exceeded its time limit of {} ms (the fuel recorded is a lower bound: the deadline interrupts its count)", limit.as_millis())]
    Timeout {
        /// The time limit.
        limit: Duration,
    },
    /// It asked for more linear memory than allowed.
    #[error("plugin exceeded its memory limit of {limit} bytes")]
    MemoryLimit {
        /// The memory limit.
        limit: u64,
    },
    /// The input was refused before the call.
    #[error("input is {size} bytes; the limit is {limit}")]
    InputTooLarge {
        /// Its JSON size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Its answer was larger than allowed.
    #[error("plugin's answer is {size} bytes; the limit is {limit}")]
    OutputTooLarge {
        /// Its JSON size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The plugin does not implement the called hook.
    #[error("plugin does not implement the {0} world")]
    WrongWorld(Hook),
    /// The host could not set up the call (every pool slot busy, an instance prepared for
    /// another hook): not the plugin's doing.
    #[error("could not run the plugin: {0}")]
    Host(String),
}

impl CallFailure {
    /// Whether a limit stopped the call (rather than the plugin's own bug or the host).
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            CallFailure::OutOfFuel { .. }
                | CallFailure::Timeout { .. }
                | CallFailure::MemoryLimit { .. }
                | CallFailure::InputTooLarge { .. }
                | CallFailure::OutputTooLarge { .. }
        )
    }
}

/// What a call produced: Spin's `Result<Result<T, GuestError>, Trap>`.
pub type CallOutcome<T> = Result<Result<T, PluginError>, CallFailure>;

/// A call's outcome and what it cost; the host records this for every call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReport<T> {
    /// The hook called.
    pub hook: Hook,
    /// The decision, the plugin's error, or the sandbox's failure.
    pub outcome: CallOutcome<T>,
    /// Fuel consumed by instantiation and the call.
    pub fuel_used: u64,
    /// Wall time the caller waited: the call, plus instantiation unless the instance was
    /// prepared ahead.
    pub wall_time: Duration,
    /// Whether the instance was made before the call was asked for ([`PluginEngine::prepare`]).
    pub prepared_ahead: bool,
    /// Linear memory reached, summed over the component's memories.
    pub peak_memory_bytes: u64,
    /// What the plugin logged, up to the log-bytes limit.
    pub logs: Vec<LogLine>,
    /// Whether log output was dropped at the limit.
    pub logs_truncated: bool,
}

impl CallReport<Eligibility> {
    /// `ballot-eligibility`'s failure policy: it fails closed. The plugin's answer when the call
    /// gave one; after any failure (a trap, a limit, the plugin's own error) a person decides,
    /// and the reason says why — a broken plugin never lets anyone vote, nor turns anyone away.
    pub fn eligibility_or_manual_review(&self) -> Eligibility {
        match &self.outcome {
            Ok(Ok(answer)) => answer.clone(),
            Ok(Err(error)) => {
                Eligibility::ManualReview(format!("the eligibility plugin failed ({}): {}", error.code, error.message))
            }
            Err(failure) => Eligibility::ManualReview(format!("the eligibility plugin failed: {failure}")),
        }
    }
}

impl<T> CallReport<T> {
    /// The plugin's decision, if it gave one.
    pub fn decision(&self) -> Option<&T> {
        match &self.outcome {
            Ok(Ok(decision)) => Some(decision),
            _ => None,
        }
    }

    /// Converts the decision, keeping the measurements.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> CallReport<U> {
        CallReport {
            hook: self.hook,
            outcome: self.outcome.map(|answer| answer.map(f)),
            fuel_used: self.fuel_used,
            wall_time: self.wall_time,
            prepared_ahead: self.prepared_ahead,
            peak_memory_bytes: self.peak_memory_bytes,
            logs: self.logs,
            logs_truncated: self.logs_truncated,
        }
    }
}

impl PluginEngine {
    /// `ticket-router`: the department for a new ticket, or `None` for "no opinion".
    pub fn route(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        ticket: &NewTicket,
    ) -> CallReport<Option<Routing>> {
        self.call(plugin, settings, ticket)
    }

    /// `deadline-policy`: deadline overrides for a dispatched ticket.
    pub fn deadlines(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        ticket: &DispatchedTicket,
    ) -> CallReport<DeadlineOverride> {
        self.call(plugin, settings, ticket)
    }

    /// `survey-validator`: the problems of a survey response (empty: accepted).
    pub fn validate_survey(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        response: &SurveyResponse,
    ) -> CallReport<Vec<Problem>> {
        self.call(plugin, settings, response)
    }

    /// `ballot-eligibility`: whether a voter may take part in a budgeting process.
    pub fn check_eligibility(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        question: &EligibilityQuestion,
    ) -> CallReport<Eligibility> {
        self.call(plugin, settings, question)
    }

    /// `event-listener`: actions for the host to perform about a domain event.
    pub fn on_event(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        event: &DomainEvent,
    ) -> CallReport<Vec<Action>> {
        self.call(plugin, settings, event)
    }

    /// Calls the hook `input` is for in a fresh store and instance made now.
    pub fn call<I: HookInput>(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        input: &I,
    ) -> CallReport<I::Decision> {
        self.call_now(plugin, settings, input).0
    }

    /// [`PluginEngine::call`], handing back the spent instance (`None` if the input was refused
    /// before any instance was made).
    pub(crate) fn call_now<I: HookInput>(
        &self,
        plugin: &CompiledPlugin,
        settings: &CallSettings,
        input: &I,
    ) -> (CallReport<I::Decision>, Option<SpentInstance>) {
        if let Err(refused) = check_input(&settings.limits, input) {
            return (unmeasured(I::HOOK, Err(refused)), None);
        }
        let (report, spent) = self.run(self.instantiate(plugin, settings, I::HOOK), input);
        (report, Some(spent))
    }

    /// Calls the hook `input` is for in an instance made ahead by [`PluginEngine::prepare`],
    /// under the limits it was prepared with.
    ///
    /// Returns the used instance too: dropping it returns its pool slot, which resets the
    /// slot's memory — for a large component a good part of a call's cost, which a server can
    /// leave to a background thread instead of making its caller wait.
    pub fn call_prepared<I: HookInput>(
        &self,
        prepared: PreparedInstance,
        input: &I,
    ) -> (CallReport<I::Decision>, SpentInstance) {
        if let Err(refused) = check_input(&prepared.settings.limits, input) {
            return (unmeasured(I::HOOK, Err(refused)), SpentInstance::unused(prepared));
        }
        self.run(prepared, input)
    }

    /// The call itself, in an instance of any origin, once the input has passed its limit.
    fn run<I: HookInput>(&self, prepared: PreparedInstance, input: &I) -> (CallReport<I::Decision>, SpentInstance) {
        if prepared.hook != I::HOOK {
            let failure = CallFailure::Host(format!("the instance was prepared for {}", prepared.hook));
            return (unmeasured(I::HOOK, Err(failure)), SpentInstance::unused(prepared));
        }
        let limits = prepared.settings.limits.clone();
        let PreparedInstance { mut store, bindings, instantiation, .. } = prepared;
        // The deadline set for instantiation may have run partly or wholly while the instance
        // waited; the call gets its full time.
        store.set_epoch_deadline(self.deadline_ticks(limits.timeout));
        let started = Instant::now();
        let result = match bindings {
            Some(Ok(bindings)) => input.call(&mut store, &bindings),
            Some(Err(error)) => Some(Err(error)),
            None => None,
        };
        let called = started.elapsed();
        let mut report = CallReport {
            hook: I::HOOK,
            outcome: Err(CallFailure::WrongWorld(I::HOOK)),
            fuel_used: limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
            wall_time: called + instantiation.unwrap_or_default(),
            prepared_ahead: instantiation.is_none(),
            peak_memory_bytes: 0,
            logs: Vec::new(),
            logs_truncated: false,
        };
        report.outcome = match result {
            None => Err(CallFailure::WrongWorld(I::HOOK)),
            Some(Ok(answer)) => {
                // The answer was already lifted into host memory, which the guest's memory limit
                // bounds; this limit keeps oversized decisions away from the database and logs.
                let size = match &answer {
                    Ok(decision) => json_size(decision),
                    Err(error) => json_size(error),
                };
                if size > limits.max_output_bytes {
                    Err(CallFailure::OutputTooLarge { size, limit: limits.max_output_bytes })
                } else {
                    Ok(answer)
                }
            }
            Some(Err(error)) => Err(classify(&error, store.data(), &limits)),
        };
        let state = store.data_mut();
        report.peak_memory_bytes = state.memory_bytes;
        report.logs = std::mem::take(&mut state.logs);
        report.logs_truncated = state.logs_truncated;
        (report, SpentInstance { _store: store })
    }

    pub(crate) fn deadline_ticks(&self, timeout: Duration) -> u64 {
        let tick = self.settings.epoch_tick.as_nanos().max(1);
        // +1: the current tick is already partly over when the call starts.
        u64::try_from(timeout.as_nanos().div_ceil(tick)).unwrap_or(u64::MAX).saturating_add(1)
    }
}

/// An instance that has served its call. It can never be called again; dropping it returns its
/// pool slot (see [`PluginEngine::call_prepared`]).
pub struct SpentInstance {
    // Held only to be dropped: that returns the pool slot.
    _store: Store<CallState>,
}

impl SpentInstance {
    /// A prepared instance given up without a call (refused input, stale settings).
    pub(crate) fn unused(prepared: PreparedInstance) -> Self {
        SpentInstance { _store: prepared.store }
    }
}

fn check_input<I: Serialize>(limits: &CallLimits, input: &I) -> Result<(), CallFailure> {
    let size = json_size(input);
    if size > limits.max_input_bytes {
        return Err(CallFailure::InputTooLarge { size, limit: limits.max_input_bytes });
    }
    Ok(())
}

/// A report of a call that ran nothing: no fuel, time, memory or logs to account for.
fn unmeasured<T>(hook: Hook, outcome: CallOutcome<T>) -> CallReport<T> {
    CallReport {
        hook,
        outcome,
        fuel_used: 0,
        wall_time: Duration::ZERO,
        prepared_ahead: false,
        peak_memory_bytes: 0,
        logs: Vec::new(),
        logs_truncated: false,
    }
}

/// Tells the sandbox's limits apart from the plugin's own faults, and both from the host's.
fn classify(error: &wasmtime::Error, state: &CallState, limits: &CallLimits) -> CallFailure {
    // A denied memory.grow surfaces as whatever the guest does next (often `unreachable` after
    // malloc returns NULL), so the limiter's record decides, not the trap code.
    if state.memory_denied {
        return CallFailure::MemoryLimit { limit: limits.max_memory_bytes };
    }
    if error.downcast_ref::<PoolConcurrencyLimitError>().is_some() {
        return CallFailure::Host(describe(error));
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => CallFailure::OutOfFuel { limit: limits.fuel },
        Some(Trap::Interrupt) => CallFailure::Timeout { limit: limits.timeout },
        Some(trap) => CallFailure::Trap(cause_first(error, &trap.to_string())),
        // Anything else the call raised is the plugin breaking the component ABI: a forged or
        // stale resource handle, a pointer or length out of its memory, a string that is not
        // UTF-8. The host's own failures are the pool's, above.
        None => CallFailure::Trap(cause_first(error, &error.root_cause().to_string())),
    }
}

/// What stopped a call, then where: an admin reading a record cut to a few hundred characters
/// must see "call stack exhausted", not only the frames of the backtrace that precede it.
fn cause_first(error: &wasmtime::Error, cause: &str) -> String {
    match error.downcast_ref::<WasmBacktrace>() {
        Some(backtrace) => {
            let frames: Vec<String> = backtrace
                .to_string()
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect();
            format!("{cause}; {}", frames.join(" "))
        }
        None if describe(error) == cause => cause.to_owned(),
        None => format!("{cause}; {}", describe(error)),
    }
}

/// Size of a value's JSON encoding, counted without allocating it.
pub(crate) fn json_size<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Counter(usize);
    impl Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Our types always serialize (no maps with non-string keys); an error counts as oversized.
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: CallOutcome<Eligibility>) -> CallReport<Eligibility> {
        unmeasured(Hook::BallotEligibility, outcome)
    }

    #[test]
    fn eligibility_keeps_the_plugins_answer_and_fails_closed_otherwise() {
        let refused = Eligibility::Ineligible("residents only".to_owned());
        assert_eq!(report(Ok(Ok(refused.clone()))).eligibility_or_manual_review(), refused);
        let error = PluginError { code: "bad-config".to_owned(), message: "no minimum age".to_owned() };
        assert_eq!(
            report(Ok(Err(error))).eligibility_or_manual_review(),
            Eligibility::ManualReview("the eligibility plugin failed (bad-config): no minimum age".to_owned())
        );
        assert_eq!(
            report(Err(CallFailure::Trap("unreachable".to_owned()))).eligibility_or_manual_review(),
            Eligibility::ManualReview("the eligibility plugin failed: plugin trapped: unreachable".to_owned())
        );
    }
}
