//! A compiled, linked component ready to be instantiated once per call.

use std::time::Duration;

use serde::Serialize;
use wasmtime::component::InstancePre;

use crate::bindings::{ballot, deadline, listener, router, survey};
use crate::hook::Hook;
use crate::state::CallState;

/// A component compiled for this engine, with its imports resolved once (`InstancePre`).
///
/// Cheap to clone (reference-counted); holds no instance, so no state crosses calls.
#[derive(Clone)]
pub struct CompiledPlugin {
    pub(crate) sha256: String,
    pub(crate) size_bytes: usize,
    pub(crate) hooks: Vec<Hook>,
    pub(crate) imports: Vec<String>,
    pub(crate) exports: Vec<String>,
    pub(crate) imports_wasi: bool,
    pub(crate) load_time: Duration,
    pub(crate) from_cache: bool,
    pub(crate) pres: HookPres,
}

impl CompiledPlugin {
    /// Hex sha256 of the component's bytes: its identity for caching and for the call log.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The identity a component's bytes are cached and installed by (hex sha256).
    pub fn sha256_of(component: &[u8]) -> String {
        crate::cache::sha256_hex(component)
    }

    /// Size of the component in bytes.
    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    /// The hook worlds it implements.
    pub fn hooks(&self) -> &[Hook] {
        &self.hooks
    }

    /// Whether it implements `hook`.
    pub fn implements(&self, hook: Hook) -> bool {
        self.hooks.contains(&hook)
    }

    /// Names of everything it imports (e.g. `civitas:plugin/host@0.1.0`, `wasi:cli/environment@0.2.0`).
    pub fn imports(&self) -> &[String] {
        &self.imports
    }

    /// Names of everything it exports.
    pub fn exports(&self) -> &[String] {
        &self.exports
    }

    /// Whether its toolchain imports WASI (it then gets a context with nothing granted).
    pub fn imports_wasi(&self) -> bool {
        self.imports_wasi
    }

    /// How long compiling (or loading the precompiled artifact) took.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// Whether it came from the precompiled cache.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// A summary for `civitas plugin check` and the install mutation.
    pub fn summary(&self) -> PluginSummary {
        PluginSummary {
            sha256: self.sha256.clone(),
            size_bytes: self.size_bytes,
            hooks: self.hooks.clone(),
            imports: self.imports.clone(),
            imports_wasi: self.imports_wasi,
        }
    }
}

/// What `check` reports about a valid component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginSummary {
    /// Hex sha256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: usize,
    /// Implemented hooks.
    pub hooks: Vec<Hook>,
    /// Imported interfaces.
    pub imports: Vec<String>,
    /// Whether WASI is among them.
    pub imports_wasi: bool,
}

/// One typed pre-instance per implemented world; `None` where the component lacks that export.
#[derive(Clone)]
pub(crate) struct HookPres {
    pub(crate) router: Option<router::TicketRouterPre<CallState>>,
    pub(crate) deadline: Option<deadline::DeadlinePolicyPre<CallState>>,
    pub(crate) survey: Option<survey::SurveyValidatorPre<CallState>>,
    pub(crate) ballot: Option<ballot::BallotEligibilityPre<CallState>>,
    pub(crate) listener: Option<listener::EventListenerPre<CallState>>,
}

impl HookPres {
    /// Type-checks the component's exports against each world; a mismatch means "not this hook".
    pub(crate) fn new(pre: &InstancePre<CallState>) -> Self {
        HookPres {
            router: router::TicketRouterPre::new(pre.clone()).ok(),
            deadline: deadline::DeadlinePolicyPre::new(pre.clone()).ok(),
            survey: survey::SurveyValidatorPre::new(pre.clone()).ok(),
            ballot: ballot::BallotEligibilityPre::new(pre.clone()).ok(),
            listener: listener::EventListenerPre::new(pre.clone()).ok(),
        }
    }

    pub(crate) fn hooks(&self) -> Vec<Hook> {
        let present = [
            self.router.is_some(),
            self.deadline.is_some(),
            self.survey.is_some(),
            self.ballot.is_some(),
            self.listener.is_some(),
        ];
        Hook::ALL.into_iter().zip(present).filter_map(|(hook, yes)| yes.then_some(hook)).collect()
    }
}
