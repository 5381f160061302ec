//! The sandbox's resident memory stays under its documented bound however many distinct
//! memory-hungry plugins a district uploads and calls, and comes back when they are
//! uninstalled. A test binary of its own: it reads the process's resident set, which other
//! tests running in the same process would disturb.

#![cfg(target_os = "linux")]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use civitas_core::hooks::RoutingRequest;
use civitas_core::ids::{CategoryId, DistrictId, PluginId};
use civitas_core::plugins::{LoadedPlugin, PluginLimits, PluginRuntime};
use civitas_core::tickets::Channel;
use civitas_plugins::{CallLimits, EngineSettings, PluginEngine, WasmRuntime};
use wit_component::{ComponentEncoder, StringEncoding, embed_component_metadata};
use wit_parser::Resolve;

/// Distinct plugins, as a district admin uploading version after version would.
const PLUGINS: usize = 22;
/// What each touches per call: most of the default 64 MiB per-call limit.
const TOUCHED_MIB: usize = 48;
/// Compiled code and the allocator's own growth while 22 components are compiled and called.
const SLACK: u64 = 96 << 20;

/// A ticket-router that grows its memory to `TOUCHED_MIB` and writes every page, then has no
/// opinion. `index` makes each one a distinct component (another sha256, another module).
fn hungry_router(index: usize) -> Vec<u8> {
    let pages = TOUCHED_MIB * 16;
    let wat = format!(
        r#"(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then unreachable))
    (local.get $ptr))
  (func (export "route") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 f64 f64 i64 i32 i32) (result i32)
    (local $address i32)
    (if (i32.eq (memory.grow (i32.const {grow})) (i32.const -1)) (then unreachable))
    (local.set $address (i32.const 65536))
    (loop $touch
      (i32.store8 (local.get $address) (i32.const 1))
      (local.set $address (i32.add (local.get $address) (i32.const 4096)))
      (br_if $touch (i32.lt_u (local.get $address) (i32.const {end}))))
    (i32.store8 (i32.const 1024) (i32.const 0))
    (i32.store8 (i32.const 1028) (i32.const 0))
    (i32.const 1024))
  (data (i32.const 4096) "hungry plugin {index}"))"#,
        grow = pages - 1,
        end = pages * 65536,
    );
    let mut module = wat::parse_str(&wat).expect("WAT parses");
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/wit/0.1.0")).expect("civitas WIT parses");
    let world = resolve.select_world(&[package], Some("ticket-router")).expect("world");
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false).expect("metadata");
    ComponentEncoder::default().module(&module).expect("module").validate(true).encode().expect("component")
}

fn installed(index: usize, component: Vec<u8>) -> LoadedPlugin {
    LoadedPlugin {
        id: PluginId(i64::try_from(index).expect("small") + 1),
        label: format!("hungry-{index}@1"),
        sha256: civitas_plugins::CompiledPlugin::sha256_of(&component),
        component: Arc::new(component),
        config: Arc::from("{}"),
        limits: PluginLimits::default(),
    }
}

fn request() -> RoutingRequest {
    let at = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).expect("a time");
    RoutingRequest {
        district_id: DistrictId(1),
        street_id: None,
        category_id: CategoryId(1),
        channel: Channel::App,
        title: "Noise".into(),
        description: String::new(),
        location: None,
        submitted_at: at,
        local_time: at.naive_utc(),
    }
}

/// The process's resident set, from the kernel.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS");
    kib << 10
}

/// Installs, calls 5 times and uninstalls `PLUGINS` distinct hungry routers, numbered from
/// `first`.
fn run_a_batch(runtime: &WasmRuntime, first: usize) {
    let plugins: Vec<LoadedPlugin> =
        (first..first + PLUGINS).map(|index| installed(index, hungry_router(index))).collect();
    for plugin in &plugins {
        runtime.inspect(&plugin.component).expect("installs");
        for _ in 0..5 {
            let call = runtime.route_ticket(plugin, &request());
            assert_eq!(call.outcome, Ok(None), "{}", plugin.label);
        }
    }
    for plugin in &plugins {
        runtime.release(plugin.id, &plugin.sha256);
    }
    runtime.wait_for_background_work();
}

#[test]
fn resident_memory_stays_bounded_however_many_hungry_plugins_come_and_go() {
    let settings = EngineSettings::default();
    let engine = Arc::new(PluginEngine::new(settings.clone()).expect("engine"));
    let runtime = WasmRuntime::new(engine, CallLimits::default(), CallLimits::ceilings(&settings));
    let bound = settings.idle_resident_bound() + SLACK;
    let touched = (PLUGINS * TOUCHED_MIB) as u64;
    assert!(
        bound < touched << 20,
        "the bound must be below what an unbounded pool would keep, or this test proves nothing"
    );
    let baseline = resident_bytes();
    for batch in 0..2 {
        run_a_batch(&runtime, batch * PLUGINS);
        let grown = resident_bytes().saturating_sub(baseline);
        eprintln!("after batch {batch}: {} MiB resident beyond the baseline", grown >> 20);
        assert!(
            grown <= bound,
            "{} MiB resident after {} plugins came and went ({touched} MiB touched each batch); the bound is {} MiB",
            grown >> 20,
            (batch + 1) * PLUGINS,
            bound >> 20
        );
    }
}
