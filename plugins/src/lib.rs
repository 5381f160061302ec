//! Sandboxed WebAssembly plugins for Civitas districts.
//!
//! A district uploads a WebAssembly component that implements one of the worlds of the WIT
//! package `civitas:plugin@0.1.0` (see `wit/`). [`PluginEngine::compile`] validates it once at
//! install, caching the compiled artifact by sha256; each hook call then creates a fresh store
//! and instance from the plugin's `InstancePre`, runs it under [`CallLimits`] (fuel, a wall-clock
//! epoch deadline, linear memory, input/output/log size) and returns a [`CallReport`] whose
//! `outcome` separates the plugin's answer (`Ok(Ok(decision))`, `Ok(Err(plugin_error))`) from the
//! sandbox failing (`Err(CallFailure)`).
//!
//! ```no_run
//! use civitas_plugins::{CallSettings, Channel, EngineSettings, NewTicket, PluginEngine};
//! let engine = PluginEngine::new(EngineSettings::default())?;
//! let plugin = engine.compile(&std::fs::read("router.wasm")?)?;
//! let ticket = NewTicket {
//!     district: "dst_1".into(),
//!     street: None,
//!     category: "cat_9".into(),
//!     channel: Channel::Phone,
//!     text: "Karaoke after midnight".into(),
//!     location: None,
//!     submitted_at: 1_790_000_000_000,
//!     minute_of_day: 23 * 60 + 30,
//!     weekday: 6,
//! };
//! let report = engine.route(&plugin, &CallSettings::default(), &ticket);
//! match report.outcome {
//!     Ok(Ok(Some(routing))) => println!("dispatch to {}", routing.department),
//!     Ok(Ok(None)) => println!("no opinion"),
//!     Ok(Err(plugin_error)) => println!("plugin refused: {}", plugin_error.message),
//!     Err(failure) => println!("sandbox: {failure}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Calls are synchronous and CPU-bound; from async code run them on a blocking thread.

mod bindings;
#[cfg(feature = "build")]
pub mod build;
mod cache;
mod call;
mod convert;
mod domain;
mod dynamic;
mod engine;
mod error;
mod gate;
mod hook;
mod limits;
mod plugin;
mod prepared;
mod state;
mod types;
mod warm;

pub use call::{CallFailure, CallOutcome, CallReport, CallSettings, SpentInstance};
pub use domain::{WasmRuntime, dispatched_ticket, new_ticket};
pub use engine::{Allocation, PluginEngine};
pub use error::{CompileError, EngineError};
pub use hook::{Hook, UnknownHook, WIT_PACKAGE};
pub use limits::{CallLimits, EngineSettings, SlotReset};
pub use plugin::{CompiledPlugin, PluginSummary};
pub use prepared::{HookInput, PreparedInstance};
pub use types::*;
