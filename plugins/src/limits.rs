//! What one call, and one installed component, may use.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Limits of one hook call; a district may tighten or loosen them within the engine's ceilings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallLimits {
    /// Fuel (roughly wasm instructions) for instantiation plus the call.
    pub fuel: u64,
    /// Wall-clock backstop, enforced through epoch interruption in ticks of the engine's
    /// `epoch_tick`; fuel is the precise limit, this catches time spent outside fuel accounting.
    #[serde(with = "millis")]
    pub timeout: Duration,
    /// Linear memory, summed over the component's memories.
    pub max_memory_bytes: u64,
    /// Size of the input, measured as its JSON encoding.
    pub max_input_bytes: usize,
    /// Size of the decision, measured as its JSON encoding.
    pub max_output_bytes: usize,
    /// Bytes of log messages kept per call; the rest is dropped.
    pub max_log_bytes: usize,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            // A C router uses ~10^3, a Python one ~10^5-10^6 per call; 10^8 is ~50 ms of work.
            fuel: 100_000_000,
            timeout: Duration::from_millis(1000),
            // componentize-py components start with ~20 MiB of linear memory.
            max_memory_bytes: 64 << 20,
            max_input_bytes: 64 << 10,
            max_output_bytes: 64 << 10,
            max_log_bytes: 16 << 10,
        }
    }
}

impl CallLimits {
    /// The most any district may set on an engine with `settings`: 10x the default fuel, 5 s,
    /// the engine's memory ceiling, 1 MiB in and out, 64 KiB of logs.
    pub fn ceilings(settings: &EngineSettings) -> CallLimits {
        let defaults = CallLimits::default();
        CallLimits {
            fuel: defaults.fuel * 10,
            timeout: Duration::from_secs(5),
            max_memory_bytes: settings.max_memory_bytes,
            max_input_bytes: 1 << 20,
            max_output_bytes: 1 << 20,
            max_log_bytes: 64 << 10,
        }
    }
}

/// How the pooling allocator resets a returned slot's linear memory.
///
/// Either way the next instance in the slot starts from the pristine memory image: this only
/// decides which work is done when, and how much memory stays resident. With prepared
/// instances (`WasmRuntime`) the reset runs on the background thread, so its cost is off the
/// calls' path but is still CPU spent per call. What is described here is wasmtime 48 on Linux;
/// on other systems wasmtime maps a fresh copy-on-write image into the slot whichever is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlotReset {
    /// Copy the memory image back over the used memory, up to 64 MiB (memory past that is
    /// decommitted). The reset costs a `memcpy` of the memory's size (~0.9 ms for a
    /// componentize-py heap of ~13 MB, a few µs for a C plugin), and every page stays mapped,
    /// so the next call takes no page faults: a prepared Python call ran in ~0.1 ms instead of
    /// ~0.35 ms (BENCHMARKS.md). The price besides the copy: each pool slot a plugin has used
    /// keeps a private copy of that used memory resident (~13 MB for a Python plugin).
    #[default]
    CopyWholeMemory,
    /// Ask the kernel which pages the call wrote (Linux 6.7+ `PAGEMAP_SCAN`; on older Linux
    /// wasmtime falls back to the copy) and restore only those, up to 64 MiB of them. Cheaper
    /// resets and only written pages resident, but wasmtime 48 handles at most 32 disjoint
    /// dirty regions and decommits the memory after them, so a plugin that writes scattered
    /// pages (CPython's reference counts) faults them back in on its next call, ~2 µs each.
    DirtyPagesOnly,
}

/// Engine-wide settings, fixed when the `PluginEngine` is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSettings {
    /// Largest component accepted at install (bytes of the `.wasm`).
    pub max_component_bytes: usize,
    /// Ceiling for any district's `max_memory_bytes`; also the pooling allocator's slot size.
    pub max_memory_bytes: u64,
    /// Use the pooling allocator (falls back to on-demand when the machine refuses it).
    pub pooling: bool,
    /// Instances the pool holds at once (calls running concurrently).
    pub pool_instances: u32,
    /// How a pool slot's linear memory is put back to the memory image when its instance is
    /// dropped; a trade between the next call's latency and the work of the reset.
    pub slot_reset: SlotReset,
    /// Granularity of the wall-clock backstop.
    pub epoch_tick: Duration,
    /// Directory for precompiled artifacts; `None` compiles on every load. Loading an artifact
    /// runs its machine code, so this directory must be as trusted as the server binary
    /// (writable by the service only).
    pub cache_dir: Option<std::path::PathBuf>,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            // An ~18 MB componentize-py component must fit.
            max_component_bytes: 32 << 20,
            max_memory_bytes: 256 << 20,
            pooling: true,
            pool_instances: 64,
            slot_reset: SlotReset::default(),
            epoch_tick: Duration::from_millis(5),
            cache_dir: None,
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}
