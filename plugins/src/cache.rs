//! Precompiled artifacts on disk, keyed by the component's sha256 and wasmtime's compatibility hash.
//!
//! The compatibility hash changes with the wasmtime version and any engine setting that affects
//! code generation, so a stale artifact is never found rather than rejected.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::CompileError;

pub(crate) use civitas_core::digest::sha256_hex;

/// A stable digest of `Engine::precompile_compatibility_hash` (std's `DefaultHasher` is not
/// stable across Rust releases; sha256 through the `Hasher` interface is).
pub(crate) fn engine_fingerprint(engine: &Engine) -> String {
    struct ShaHasher(Sha256);
    impl Hasher for ShaHasher {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize()[..8])
}

pub(crate) fn artifact_path(dir: &Path, sha256: &str, fingerprint: &str) -> PathBuf {
    dir.join(format!("{sha256}-{fingerprint}.cwasm"))
}

/// Loads a cached artifact; `None` when absent or unreadable (the caller recompiles).
pub(crate) fn load(engine: &Engine, path: &Path) -> Option<Component> {
    if !path.is_file() {
        return None;
    }
    // SAFETY: `deserialize_file` runs the machine code in the file. Only `store` writes this
    // directory, with the output of `Component::serialize` for this engine's fingerprint, and the
    // directory must be as trusted as the server binary (documented on `EngineSettings::cache_dir`).
    // wasmtime still checks the header, version and engine settings and errs on a mismatch.
    #[expect(unsafe_code, reason = "loading a precompiled artifact; see SAFETY above")]
    let component = unsafe { Component::deserialize_file(engine, path) };
    component.ok()
}

/// Writes an artifact atomically (temporary file + rename), so a crash never leaves half a file.
pub(crate) fn store(path: &Path, artifact: &[u8]) -> Result<(), CompileError> {
    let io = |source| CompileError::Cache { path: path.to_owned(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, artifact).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
