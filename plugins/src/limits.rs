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
    /// Written `timeout_ms` in JSON, like a district's limits; the GraphQL spelling
    /// (`timeoutMs`, and `maxMemoryBytes`… for the others) is read too, so one file serves both.
    #[serde(with = "millis", rename = "timeout_ms", alias = "timeoutMs", alias = "timeout")]
    pub timeout: Duration,
    /// Linear memory, summed over the component's memories.
    #[serde(alias = "maxMemoryBytes")]
    pub max_memory_bytes: u64,
    /// Size of the input, measured as its JSON encoding.
    #[serde(alias = "maxInputBytes")]
    pub max_input_bytes: usize,
    /// Size of the decision, measured as its JSON encoding.
    #[serde(alias = "maxOutputBytes")]
    pub max_output_bytes: usize,
    /// Bytes of log messages kept per call; the rest is dropped.
    #[serde(alias = "maxLogBytes")]
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
    /// Copy the memory image back over the used memory, up to
    /// [`EngineSettings::keep_resident_bytes`] (memory past that is decommitted). The reset costs a `memcpy` of the memory's size (~0.9 ms for a
    /// componentize-py heap of ~13 MB, a few µs for a C plugin), and every page stays mapped,
    /// so the next call takes no page faults: a prepared Python call ran in ~0.1 ms instead of
    /// ~0.35 ms (BENCHMARKS.md). The price besides the copy: each pool slot a plugin has used
    /// keeps a private copy of that used memory resident (~13 MB for a Python plugin).
    #[default]
    CopyWholeMemory,
    /// Ask the kernel which pages the call wrote (Linux 6.7+ `PAGEMAP_SCAN`; on older Linux
    /// wasmtime falls back to the copy) and restore only those, up to
    /// [`EngineSettings::keep_resident_bytes`] of them. Cheaper resets and only written pages resident, but wasmtime 48 handles at most 32 disjoint
    /// dirty regions and decommits the memory after them, so a plugin that writes scattered
    /// pages (CPython's reference counts) faults them back in on its next call, ~2 µs each.
    DirtyPagesOnly,
}

/// Engine-wide settings, fixed when the `PluginEngine` is built.
///
/// They bound the sandbox's resident memory whatever plugins do (see
/// [`EngineSettings::resident_memory_bound`]): the pool holds at most `pool_instances`
/// instances, each within its call's memory limit, and a slot nobody uses keeps at most
/// `keep_resident_bytes` per linear memory; `max_warm_slots` keeps the number of such idle
/// slots small in practice, and a plugin's slots are released when it is uninstalled or
/// disabled (`WasmRuntime::release`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSettings {
    /// Largest component accepted at install (bytes of the `.wasm`).
    pub max_component_bytes: usize,
    /// Ceiling for any district's `max_memory_bytes`; also the pooling allocator's slot size.
    pub max_memory_bytes: u64,
    /// Use the pooling allocator (falls back to on-demand when the machine refuses it).
    pub pooling: bool,
    /// Instances the pool holds at once: calls running plus instances prepared for next calls.
    pub pool_instances: u32,
    /// Instances prepared ahead for installed plugins' next calls (`WasmRuntime`).
    pub max_prepared: usize,
    /// Calls running at once (`WasmRuntime`); more wait for one to finish. With `max_prepared`
    /// it must leave room in the pool.
    pub max_concurrent_calls: usize,
    /// Bytes of a returned slot's linear memory kept mapped (restored in place, see
    /// [`SlotReset`]) rather than given back to the kernel; per memory, while the slot is idle.
    pub keep_resident_bytes: usize,
    /// Idle slots that keep an earlier plugin's memory image for its next instance: beyond
    /// these, a new plugin reuses an idle slot (releasing what it kept) instead of a fresh one.
    pub max_warm_slots: u32,
    /// Compiled components kept per process (least recently used go first; they are compiled
    /// again, or loaded from `cache_dir`, when called).
    pub max_compiled: usize,
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
            pool_instances: 16,
            max_prepared: 8,
            // Calls are CPU-bound: more at once than twice the cores only queue inside the pool.
            max_concurrent_calls: std::thread::available_parallelism().map_or(4, |cores| cores.get() * 2).clamp(2, 8),
            // A componentize-py heap (~13-20 MB) is restored in place; more is given back.
            keep_resident_bytes: 32 << 20,
            max_warm_slots: 8,
            max_compiled: 32,
            slot_reset: SlotReset::default(),
            epoch_tick: Duration::from_millis(5),
            cache_dir: None,
        }
    }
}

impl EngineSettings {
    /// Linear memories the pool holds: two per instance (components made by wit-component and
    /// componentize-py have one or two).
    pub fn pool_memories(&self) -> u32 {
        self.pool_instances.saturating_mul(2)
    }

    /// The most linear memory the sandbox keeps resident when every call may use up to
    /// `per_call_memory` bytes: every pool instance at that limit, plus every memory slot
    /// keeping `keep_resident_bytes` while idle. Other memory (compiled code, tables, stacks)
    /// is not counted.
    pub fn resident_memory_bound(&self, per_call_memory: u64) -> u64 {
        let keep = u64::try_from(self.keep_resident_bytes).unwrap_or(u64::MAX);
        u64::from(self.pool_instances)
            .saturating_mul(per_call_memory)
            .saturating_add(u64::from(self.pool_memories()).saturating_mul(keep))
    }

    /// What the slots of plugins no longer running keep, at most, when calls come one at a
    /// time: the warm slots plus those of the prepared instances and the running call.
    pub fn idle_resident_bound(&self) -> u64 {
        let slots = u64::from(self.max_warm_slots) + u64::try_from(self.max_prepared).unwrap_or(u64::MAX) + 1;
        slots.saturating_mul(u64::try_from(self.keep_resident_bytes).unwrap_or(u64::MAX))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_in_the_cli_spelling_and_the_graphql_one_alike() {
        let snake: CallLimits =
            serde_json::from_str(r#"{"timeout_ms": 250, "max_memory_bytes": 1024}"#).expect("snake");
        let camel: CallLimits = serde_json::from_str(r#"{"timeoutMs": 250, "maxMemoryBytes": 1024}"#).expect("camel");
        assert_eq!(snake, camel);
        assert_eq!(camel.timeout, Duration::from_millis(250));
    }

    #[test]
    fn the_time_limit_is_written_timeout_ms_like_a_districts_limits() {
        let limits: CallLimits = serde_json::from_str(r#"{"timeout_ms": 50, "fuel": 7}"#).expect("parses");
        assert_eq!((limits.timeout, limits.fuel), (Duration::from_millis(50), 7));
        let older: CallLimits = serde_json::from_str(r#"{"timeout": 60}"#).expect("the old name still reads");
        assert_eq!(older.timeout, Duration::from_millis(60));
        let written = serde_json::to_value(&limits).expect("serializes");
        assert_eq!(written["timeout_ms"], 50);
    }
}
