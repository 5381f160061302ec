//! Errors of building the engine and installing a component.
//!
//! A call never returns these: its failures are values in `CallReport::outcome`.

use std::path::PathBuf;

/// The engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// wasmtime refused the configuration (even with on-demand allocation).
    #[error("could not configure wasmtime: {0}")]
    Config(String),
    /// The thread that advances the epoch for wall-clock deadlines could not start.
    #[error("could not start the epoch ticker thread: {0}")]
    Ticker(#[source] std::io::Error),
}

/// A component was refused at install (or `check`).
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// Larger than the engine's `max_component_bytes`.
    #[error("component is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not a valid WebAssembly component (a core module, a corrupt file, a feature we disable).
    #[error("not a valid component: {0}")]
    Invalid(String),
    /// It imports interfaces the host does not offer (only `civitas:plugin/*@0.1.0` and WASI).
    #[error("component imports what the host does not offer: {}", imports.join(", "))]
    UnsupportedImports {
        /// The offending import names.
        imports: Vec<String>,
    },
    /// Its imports have the right names but the wrong types.
    #[error("component's imports do not match the host: {0}")]
    Link(String),
    /// It exports none of the hook worlds' functions with the right types.
    #[error("component implements no civitas:plugin@0.1.0 world; it exports: {}", if exports.is_empty() { "nothing".to_owned() } else { exports.join(", ") })]
    NoHooks {
        /// What it does export.
        exports: Vec<String>,
    },
    /// The precompiled-artifact cache could not be written.
    #[error("precompiled cache at {}: {source}", path.display())]
    Cache {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Formats a wasmtime error with its causes on one line.
pub(crate) fn describe(error: &wasmtime::Error) -> String {
    format!("{error:#}")
}
