//! The wasmtime engine shared by every plugin: configuration, allocation strategy, epoch ticker,
//! linker, and compiling components into `CompiledPlugin`s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

use crate::bindings::router::TicketRouter;
use crate::cache;
use crate::error::{CompileError, EngineError, describe};
use crate::limits::{EngineSettings, SlotReset};
use crate::plugin::{CompiledPlugin, HookPres};
use crate::state::CallState;

/// How instances get their memory and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allocation {
    /// Preallocated slots reused across calls (fast instantiation, copy-on-write memory images).
    Pooling,
    /// mmap per instance, because the machine refused the pool's address-space reservation.
    OnDemand {
        /// wasmtime's reason for refusing the pool.
        reason: String,
    },
    /// On-demand because `EngineSettings::pooling` was off.
    OnDemandByChoice,
}

/// Compiles components and runs hook calls. Build one per process and share it (`Send + Sync`).
pub struct PluginEngine {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<CallState>,
    pub(crate) settings: EngineSettings,
    allocation: Allocation,
    fingerprint: String,
    _ticker: EpochTicker,
}

impl PluginEngine {
    /// Builds the engine; tries the pooling allocator first when `settings.pooling` is set.
    pub fn new(settings: EngineSettings) -> Result<Self, EngineError> {
        let (engine, allocation) = if settings.pooling {
            match Engine::new(&config(&settings, true)) {
                Ok(engine) => (engine, Allocation::Pooling),
                Err(refused) => {
                    let engine =
                        Engine::new(&config(&settings, false)).map_err(|e| EngineError::Config(describe(&e)))?;
                    (engine, Allocation::OnDemand { reason: describe(&refused) })
                }
            }
        } else {
            let engine = Engine::new(&config(&settings, false)).map_err(|e| EngineError::Config(describe(&e)))?;
            (engine, Allocation::OnDemandByChoice)
        };
        let mut linker = Linker::new(&engine);
        // Every world imports the same `types` and `host`, so one world's add_to_linker serves all.
        TicketRouter::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |state| state)
            .map_err(|e| EngineError::Config(describe(&e)))?;
        // Offered to every component; a component that never imports WASI never touches it, and
        // one that does gets a context with nothing granted (see `state::empty_wasi`).
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| EngineError::Config(describe(&e)))?;
        let ticker = EpochTicker::start(engine.clone(), settings.epoch_tick)?;
        Ok(PluginEngine {
            fingerprint: cache::engine_fingerprint(&engine),
            engine,
            linker,
            settings,
            allocation,
            _ticker: ticker,
        })
    }

    /// The allocation strategy in use.
    pub fn allocation(&self) -> &Allocation {
        &self.allocation
    }

    /// The engine-wide settings.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// Validates and compiles a component, or loads its precompiled artifact from the cache.
    ///
    /// Refuses components over the size limit, with imports the host does not offer, or that
    /// implement no hook world.
    pub fn compile(&self, bytes: &[u8]) -> Result<CompiledPlugin, CompileError> {
        let limit = self.settings.max_component_bytes;
        if bytes.len() > limit {
            return Err(CompileError::TooLarge { size: bytes.len(), limit });
        }
        let sha256 = cache::sha256_hex(bytes);
        let started = Instant::now();
        let (component, from_cache) = match &self.settings.cache_dir {
            Some(dir) => {
                let path = cache::artifact_path(dir, &sha256, &self.fingerprint);
                match cache::load(&self.engine, &path) {
                    Some(component) => (component, true),
                    None => {
                        let component = self.compile_fresh(bytes)?;
                        let artifact = component.serialize().map_err(|e| CompileError::Invalid(describe(&e)))?;
                        cache::store(&path, &artifact)?;
                        (component, false)
                    }
                }
            }
            None => (self.compile_fresh(bytes)?, false),
        };
        self.link(component, sha256, bytes.len(), started.elapsed(), from_cache)
    }

    fn compile_fresh(&self, bytes: &[u8]) -> Result<Component, CompileError> {
        Component::new(&self.engine, bytes).map_err(|e| CompileError::Invalid(describe(&e)))
    }

    fn link(
        &self,
        component: Component,
        sha256: String,
        size_bytes: usize,
        load_time: Duration,
        from_cache: bool,
    ) -> Result<CompiledPlugin, CompileError> {
        let ty = component.component_type();
        let imports: Vec<String> = ty.imports(&self.engine).map(|(name, _)| name.to_owned()).collect();
        let exports: Vec<String> = ty.exports(&self.engine).map(|(name, _)| name.to_owned()).collect();
        let unsupported: Vec<String> = imports.iter().filter(|name| !offered(name)).cloned().collect();
        if !unsupported.is_empty() {
            return Err(CompileError::UnsupportedImports { imports: unsupported });
        }
        let pre = self.linker.instantiate_pre(&component).map_err(|e| CompileError::Link(describe(&e)))?;
        let pres = HookPres::new(&pre);
        let hooks = pres.hooks();
        if hooks.is_empty() {
            return Err(CompileError::NoHooks { exports });
        }
        let imports_wasi = imports.iter().any(|name| name.starts_with("wasi:"));
        Ok(CompiledPlugin { sha256, size_bytes, hooks, imports, exports, imports_wasi, load_time, from_cache, pres })
    }
}

/// Whether the host links an import of this name.
fn offered(name: &str) -> bool {
    matches!(name, "civitas:plugin/types@0.1.0" | "civitas:plugin/host@0.1.0") || name.starts_with("wasi:")
}

fn config(settings: &EngineSettings, pooling: bool) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.consume_fuel(true);
    config.epoch_interruption(true);
    config.cranelift_opt_level(OptLevel::Speed);
    // Memory images are mapped copy-on-write, so a fresh instance does not copy its data segments.
    config.memory_init_cow(true);
    if pooling {
        let instances = settings.pool_instances.max(1);
        let mut pool = PoolingAllocationConfig::new();
        // Sized for componentize-py components (38 core instances with `--stub-wasi`, a few
        // dozen tables, ~20k table entries) so that Python plugins fit the same pool as C ones;
        // a component over these limits is refused at compile time with wasmtime's reason.
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(64))
            .total_memories(settings.pool_memories())
            .total_tables(instances.saturating_mul(64))
            .max_core_instances_per_component(128)
            .max_memories_per_component(4)
            .max_tables_per_component(128)
            .max_core_instance_size(4 << 20)
            .max_component_instance_size(1 << 20)
            .table_elements(100_000)
            .max_memory_size(usize::try_from(settings.max_memory_bytes).unwrap_or(usize::MAX))
            // Up to `keep_resident_bytes` of a returned slot's memory is restored in place rather
            // than decommitted (madvise), so the next instance does not fault it back in;
            // `SlotReset` decides whether all of it is copied or only the pages the kernel
            // reports written. Only `max_warm_slots` idle slots keep a plugin's image: a new
            // plugin reuses one of them rather than a fresh slot, so resident memory does not
            // grow with the number of plugins ever called.
            .pagemap_scan(match settings.slot_reset {
                SlotReset::CopyWholeMemory => Enabled::No,
                SlotReset::DirtyPagesOnly => Enabled::Auto,
            })
            .linear_memory_keep_resident(settings.keep_resident_bytes)
            .max_unused_warm_slots(settings.max_warm_slots)
            .table_keep_resident(64 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}

/// Advances the engine's epoch every tick so a call's epoch deadline is wall-clock time.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine, tick: Duration) -> Result<Self, EngineError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("civitas-plugin-epoch".to_owned())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .map_err(EngineError::Ticker)?;
        Ok(EpochTicker { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            // The thread only sleeps and increments; joining waits at most one tick.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_and_plugins_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<PluginEngine>();
        shared::<CompiledPlugin>();
    }

    #[test]
    fn only_the_civitas_interfaces_and_wasi_are_offered() {
        assert!(offered("civitas:plugin/host@0.1.0"));
        assert!(offered("wasi:cli/environment@0.2.3"));
        assert!(!offered("civitas:plugin/host@0.2.0"));
        assert!(!offered("acme:secrets/vault"));
    }
}
