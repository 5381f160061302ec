//! District plugins: installing WASM components per district (or city-wide), enabling and
//! disabling them, recording every call, and answering the domain's hook points through them.
//!
//! The sandbox itself is behind [`PluginRuntime`] (implemented with wasmtime in
//! `civitas-plugins`); this module owns who may install what, where components are stored, the
//! failure policy (fall back to the normal flow; disable a plugin after repeated failures) and
//! the call records a district admin reads.

mod entities;
mod error;
mod hooks;
mod metrics;
mod model;
mod runtime;
mod service;

pub use error::PluginError;
pub use hooks::{FailurePolicy, PluginHooks};
pub use metrics::{CallCounter, call_counters};
pub use model::{CallOutcome, CallStats, HookKind, MAX_COMPONENT_BYTES, NewPlugin, Plugin, PluginCall, PluginLimits};
pub use runtime::{
    ActionAnswer, ComponentInfo, DeadlineAnswer, HookCall, HookFailure, LoadedPlugin, PluginRuntime, RouterAnswer,
};
pub use service::{call, call_stats, calls, disable, enable, get, install, list, uninstall};
