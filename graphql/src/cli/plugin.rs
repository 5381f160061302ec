//! `civitas plugin check` and `civitas plugin run`: the plugin author's kit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use civitas_core::plugins::PluginRuntime;
use civitas_plugins::{
    Allocation, CallLimits, CallSettings, EngineSettings, Hook, PluginEngine, SlotReset, WasmRuntime,
};
use clap::Subcommand;

/// `civitas plugin ...`: check and run plugin components locally, without a server.
#[derive(Subcommand)]
pub enum PluginCommand {
    /// Validate a component against the civitas:plugin worlds; print its hooks, size and imports.
    Check {
        /// The component (`.wasm`).
        file: PathBuf,
    },
    /// Run one hook call and print the decision and what it cost against the limits.
    Run {
        /// The component (`.wasm`).
        file: PathBuf,
        /// ticket-router, deadline-policy, survey-validator, ballot-eligibility or event-listener.
        #[arg(long)]
        hook: Hook,
        /// The hook's input as JSON (for ballot-eligibility: `{"voter": ..., "process": ...}`).
        #[arg(long)]
        input: PathBuf,
        /// The district's plugin configuration (JSON); `{}` if omitted.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Call limits as JSON (any subset of `fuel`, `timeout_ms`, `max_memory_bytes`,
        /// `max_input_bytes`, `max_output_bytes`, `max_log_bytes`, or their GraphQL spelling
        /// `timeoutMs`, `maxMemoryBytes`…); the defaults otherwise.
        #[arg(long)]
        limits: Option<PathBuf>,
    },
}

/// The server's sandbox: pooling allocator where the machine allows it (its slots reset as
/// `slot_reset` says), precompiled artifacts cached in `cache_dir`, the default limits per call
/// and the ceilings districts cannot exceed.
pub fn server_runtime(cache_dir: &Path, slot_reset: SlotReset) -> anyhow::Result<Arc<dyn PluginRuntime>> {
    std::fs::create_dir_all(cache_dir).with_context(|| format!("cannot create {}", cache_dir.display()))?;
    let settings = EngineSettings { cache_dir: Some(cache_dir.to_owned()), slot_reset, ..EngineSettings::default() };
    let engine = PluginEngine::new(settings)?;
    match engine.allocation() {
        Allocation::Pooling => tracing::info!("plugin sandbox: pooling allocator"),
        Allocation::OnDemand { reason } => tracing::warn!(%reason, "plugin sandbox: on-demand allocation"),
        Allocation::OnDemandByChoice => tracing::info!("plugin sandbox: on-demand allocation"),
    }
    let ceilings = CallLimits::ceilings(engine.settings());
    Ok(Arc::new(WasmRuntime::new(Arc::new(engine), CallLimits::default(), ceilings)))
}

/// Runs a plugin command; a hit limit or a plugin error is an `Err` (non-zero exit).
pub fn run(command: PluginCommand) -> anyhow::Result<()> {
    // One call from the command line: no pool to keep warm.
    let engine = PluginEngine::new(EngineSettings { pooling: false, ..EngineSettings::default() })?;
    match command {
        PluginCommand::Check { file } => check(&engine, &file),
        PluginCommand::Run { file, hook, input, config, limits } => {
            run_hook(&engine, &file, hook, &input, config.as_deref(), limits.as_deref())
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn check(engine: &PluginEngine, file: &Path) -> anyhow::Result<()> {
    let summary = engine.check(&read(file)?).with_context(|| format!("{} is not a valid plugin", file.display()))?;
    let hooks: Vec<String> = summary.hooks.iter().map(Hook::to_string).collect();
    println!("{}: valid {} plugin", file.display(), civitas_plugins::WIT_PACKAGE);
    println!("  hooks:   {}", hooks.join(", "));
    println!("  size:    {} bytes (limit {})", summary.size_bytes, engine.settings().max_component_bytes);
    println!("  sha256:  {}", summary.sha256);
    println!("  imports:");
    for import in &summary.imports {
        println!("    {import}");
    }
    if summary.imports_wasi {
        println!("  note:    imports WASI; it will get a context with nothing granted");
    }
    Ok(())
}

fn run_hook(
    engine: &PluginEngine,
    file: &Path,
    hook: Hook,
    input: &Path,
    config: Option<&Path>,
    limits: Option<&Path>,
) -> anyhow::Result<()> {
    let plugin = engine.compile(&read(file)?).with_context(|| format!("{} is not a valid plugin", file.display()))?;
    let input: serde_json::Value =
        serde_json::from_slice(&read(input)?).with_context(|| format!("{} is not JSON", input.display()))?;
    let config_json = match config {
        Some(path) => {
            let text = String::from_utf8(read(path)?).with_context(|| format!("{} is not UTF-8", path.display()))?;
            // The server stores validated JSON; refuse here what it would refuse at install.
            serde_json::from_str::<serde_json::Value>(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            text
        }
        None => "{}".to_owned(),
    };
    let limits: CallLimits = match limits {
        Some(path) => {
            serde_json::from_slice(&read(path)?).with_context(|| format!("bad limits in {}", path.display()))?
        }
        None => CallLimits::default(),
    };
    let settings = CallSettings { config_json: Arc::from(config_json), limits: limits.clone() };
    let report = engine
        .call_json(&plugin, &settings, hook, input)
        .with_context(|| format!("the input does not have the shape of a {hook} input"))?;

    for line in &report.logs {
        println!("log {:?}: {}", line.level, line.message);
    }
    if report.logs_truncated {
        println!("log output cut at {} bytes", limits.max_log_bytes);
    }
    println!("fuel used:   {} of {}", report.fuel_used, limits.fuel);
    println!("wall time:   {:.3} ms of {} ms", report.wall_time.as_secs_f64() * 1000.0, limits.timeout.as_millis());
    println!("peak memory: {} of {} bytes", report.peak_memory_bytes, limits.max_memory_bytes);
    match report.outcome {
        Ok(Ok(decision)) => {
            println!("decision:    {}", serde_json::to_string_pretty(&decision)?);
            Ok(())
        }
        Ok(Err(plugin_error)) => {
            anyhow::bail!("the plugin returned an error: {} ({})", plugin_error.message, plugin_error.code)
        }
        Err(failure) if failure.is_limit() => anyhow::bail!("limit hit: {failure}"),
        Err(failure) => anyhow::bail!("{failure}"),
    }
}
