//! Instances made ahead of the calls that use them.
//!
//! Instantiating a component is most of a call's cost for a large one: a componentize-py
//! component has 38 core instances whose ~7,500 function references wasmtime resolves on every
//! instantiation. [`PluginEngine::prepare`] does that work before a call is asked for; the call
//! then only runs the plugin. A prepared instance is still fresh: it has run no call, is used by
//! exactly one, and is dropped afterwards.

use std::time::{Duration, Instant};

use serde::Serialize;
use wasmtime::Store;

use crate::bindings::{ballot, deadline, listener, router, survey};
use crate::call::CallSettings;
use crate::engine::PluginEngine;
use crate::hook::Hook;
use crate::plugin::CompiledPlugin;
use crate::state::CallState;
use crate::types::*;

/// A fresh store and instance of one plugin for one call of one hook.
pub struct PreparedInstance {
    pub(crate) hook: Hook,
    pub(crate) settings: CallSettings,
    pub(crate) store: Store<CallState>,
    /// `None`: the plugin does not implement the hook; `Err`: instantiating it failed (a trap,
    /// a limit), which the call that takes the instance reports.
    pub(crate) bindings: Option<wasmtime::Result<HookBindings>>,
    /// How long instantiating took, while nobody has waited for it yet: `None` once a call has
    /// been charged for it or if it was made ahead.
    pub(crate) instantiation: Option<Duration>,
}

impl PreparedInstance {
    /// The hook it was made for.
    pub fn hook(&self) -> Hook {
        self.hook
    }

    /// The configuration and limits it was made with (and that its call runs under).
    pub fn settings(&self) -> &CallSettings {
        &self.settings
    }
}

/// The instantiated world of a hook.
pub enum HookBindings {
    Router(router::TicketRouter),
    Deadline(deadline::DeadlinePolicy),
    Survey(survey::SurveyValidator),
    Ballot(ballot::BallotEligibility),
    Listener(listener::EventListener),
}

pub type GuestResult<T> = wasmtime::Result<Result<T, PluginError>>;

/// The input record of a hook; ties it to its world and its decision type.
pub trait HookInput: Serialize + sealed::Sealed {
    /// What the plugin decides.
    type Decision: Serialize;
    /// The hook this is the input of.
    const HOOK: Hook;
    /// Calls the hook; `None` when `bindings` are of another world.
    #[doc(hidden)]
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::NewTicket {}
    impl Sealed for super::DispatchedTicket {}
    impl Sealed for super::SurveyResponse {}
    impl Sealed for super::EligibilityQuestion {}
    impl Sealed for super::DomainEvent {}
}

impl HookInput for NewTicket {
    type Decision = Option<Routing>;
    const HOOK: Hook = Hook::TicketRouter;
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>> {
        let HookBindings::Router(bindings) = bindings else { return None };
        Some(
            bindings
                .call_route(store, &self.into())
                .map(|answer| answer.map(|routing| routing.map(Routing::from)).map_err(PluginError::from)),
        )
    }
}

impl HookInput for DispatchedTicket {
    type Decision = DeadlineOverride;
    const HOOK: Hook = Hook::DeadlinePolicy;
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>> {
        let HookBindings::Deadline(bindings) = bindings else { return None };
        Some(
            bindings
                .call_deadlines(store, &self.into())
                .map(|answer| answer.map(DeadlineOverride::from).map_err(PluginError::from)),
        )
    }
}

impl HookInput for SurveyResponse {
    type Decision = Vec<Problem>;
    const HOOK: Hook = Hook::SurveyValidator;
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>> {
        let HookBindings::Survey(bindings) = bindings else { return None };
        Some(bindings.call_validate(store, &self.into()).map(|answer| {
            answer.map(|problems| problems.into_iter().map(Problem::from).collect()).map_err(PluginError::from)
        }))
    }
}

impl HookInput for EligibilityQuestion {
    type Decision = Eligibility;
    const HOOK: Hook = Hook::BallotEligibility;
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>> {
        let HookBindings::Ballot(bindings) = bindings else { return None };
        Some(
            bindings
                .call_check_eligibility(store, &(&self.voter).into(), &(&self.process).into())
                .map(|answer| answer.map(Eligibility::from).map_err(PluginError::from)),
        )
    }
}

impl HookInput for DomainEvent {
    type Decision = Vec<Action>;
    const HOOK: Hook = Hook::EventListener;
    fn call(&self, store: &mut Store<CallState>, bindings: &HookBindings) -> Option<GuestResult<Self::Decision>> {
        let HookBindings::Listener(bindings) = bindings else { return None };
        Some(bindings.call_on_event(store, &self.into()).map(|answer| {
            answer.map(|actions| actions.into_iter().map(Action::from).collect()).map_err(PluginError::from)
        }))
    }
}

impl PluginEngine {
    /// Makes a fresh store and instance of `plugin` for one later call of `hook`, under
    /// `settings`: its fuel, memory and time limits already apply to instantiating it (a
    /// failure to instantiate is reported by the call). The call then only runs the plugin, and
    /// its report leaves instantiation out of the wall time (`prepared_ahead`).
    pub fn prepare(&self, plugin: &CompiledPlugin, settings: &CallSettings, hook: Hook) -> PreparedInstance {
        PreparedInstance { instantiation: None, ..self.instantiate(plugin, settings, hook) }
    }

    /// [`PluginEngine::prepare`] for a call that waits for it: the call's wall time includes it.
    pub(crate) fn instantiate(&self, plugin: &CompiledPlugin, settings: &CallSettings, hook: Hook) -> PreparedInstance {
        let limits = &settings.limits;
        let mut store = Store::new(&self.engine, CallState::new(settings.config_json.clone(), limits));
        store.limiter(|state| state);
        // Fuel is only refused when the engine does not meter it, which `config` always sets.
        let fuel = store.set_fuel(limits.fuel);
        store.set_epoch_deadline(self.deadline_ticks(limits.timeout));
        store.epoch_deadline_trap();
        let started = Instant::now();
        let pres = &plugin.pres;
        let bindings = match fuel {
            Err(error) => Some(Err(error)),
            Ok(()) => match hook {
                Hook::TicketRouter => {
                    pres.router.as_ref().map(|pre| pre.instantiate(&mut store).map(HookBindings::Router))
                }
                Hook::DeadlinePolicy => {
                    pres.deadline.as_ref().map(|pre| pre.instantiate(&mut store).map(HookBindings::Deadline))
                }
                Hook::SurveyValidator => {
                    pres.survey.as_ref().map(|pre| pre.instantiate(&mut store).map(HookBindings::Survey))
                }
                Hook::BallotEligibility => {
                    pres.ballot.as_ref().map(|pre| pre.instantiate(&mut store).map(HookBindings::Ballot))
                }
                Hook::EventListener => {
                    pres.listener.as_ref().map(|pre| pre.instantiate(&mut store).map(HookBindings::Listener))
                }
            },
        };
        PreparedInstance { hook, settings: settings.clone(), store, bindings, instantiation: Some(started.elapsed()) }
    }
}
