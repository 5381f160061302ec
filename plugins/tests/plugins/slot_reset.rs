//! Both ways of resetting a pool slot (`SlotReset`) give every call the pristine memory image,
//! also when a call dirties more disjoint regions than the in-place reset restores; and they
//! differ as documented in what the next call in the slot pays: page faults.

use std::sync::Arc;

use civitas_plugins::{
    Allocation, CallLimits, CallSettings, CompiledPlugin, EngineSettings, Hook, PluginEngine, Priority, SlotReset,
};

use crate::support::{night_ticket, router_from_wat};

fn engine_and_plugin(slot_reset: SlotReset) -> (PluginEngine, CompiledPlugin) {
    // A small pool: wasmtime gives a module back the slot it used last (slot affinity), so
    // successive calls run in the memory the previous call left behind, reset.
    let engine = PluginEngine::new(EngineSettings { pool_instances: 2, slot_reset, ..EngineSettings::default() })
        .expect("engine");
    assert_eq!(engine.allocation(), &Allocation::Pooling, "the reset under test is the pool's");
    let plugin = engine.compile(&router_from_wat("scattered_writes.wat")).expect("compiles");
    (engine, plugin)
}

fn settings() -> CallSettings {
    CallSettings { config_json: Arc::from("dep_police"), limits: CallLimits::default() }
}

/// Runs prepared calls one after the other; per call, the minor page faults this thread took
/// during it (Linux: `/proc/thread-self/stat`).
fn faults_per_call(engine: &PluginEngine, plugin: &CompiledPlugin, calls: usize) -> Vec<u64> {
    (0..calls)
        .map(|call| {
            let prepared = engine.prepare(plugin, &settings(), Hook::TicketRouter);
            let before = minor_faults_of_this_thread();
            let (report, spent) = engine.call_prepared(prepared, &night_ticket());
            let faults = minor_faults_of_this_thread() - before;
            let routing = report.decision().cloned().flatten().unwrap_or_else(|| panic!("call {call}: {report:?}"));
            // URGENT would mean a byte of an earlier call's writes, or a lost byte of the image.
            assert_eq!(routing.priority, Priority::High, "call {call}");
            drop(spent);
            faults
        })
        .collect()
}

fn minor_faults_of_this_thread() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("procfs");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after_name = stat.rfind(')').map_or("", |end| &stat[end + 1..]);
    after_name.split_whitespace().nth(7).and_then(|field| field.parse().ok()).expect("minflt field")
}

fn every_call_sees_the_memory_image(slot_reset: SlotReset) {
    let (engine, plugin) = engine_and_plugin(slot_reset);
    for call in 0..6 {
        let routing = engine.route(&plugin, &settings(), &night_ticket()).decision().cloned().flatten();
        assert_eq!(routing.map(|routing| routing.priority), Some(Priority::High), "call {call}");
    }
    // Prepared calls as well; their faults are what the tests below compare.
    faults_per_call(&engine, &plugin, 3);
}

#[test]
fn copying_the_whole_memory_restores_the_image_for_every_call() {
    every_call_sees_the_memory_image(SlotReset::CopyWholeMemory);
}

#[test]
fn restoring_dirty_pages_only_restores_the_image_for_every_call() {
    every_call_sees_the_memory_image(SlotReset::DirtyPagesOnly);
}

#[cfg(target_os = "linux")]
#[test]
fn after_a_whole_copy_the_next_call_takes_no_faults_on_the_pages_it_writes() {
    let (engine, plugin) = engine_and_plugin(SlotReset::CopyWholeMemory);
    let faults = faults_per_call(&engine, &plugin, 5);
    // The first call maps the image fresh; every later one finds its 64 pages resident.
    assert!(faults[1..].iter().all(|&count| count < 16), "faults per call: {faults:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn after_a_dirty_pages_reset_the_pages_past_the_restored_regions_fault_again() {
    if !wasmtime::PoolingAllocationConfig::is_pagemap_scan_available() {
        eprintln!("NOT EXERCISED: this kernel has no PAGEMAP_SCAN, so wasmtime copies instead");
        return;
    }
    let (engine, plugin) = engine_and_plugin(SlotReset::DirtyPagesOnly);
    let faults = faults_per_call(&engine, &plugin, 5);
    // 64 dirty regions, 32 restored in place: the other 32 pages were decommitted.
    assert!(faults[1..].iter().all(|&count| count >= 32), "faults per call: {faults:?}");
}
