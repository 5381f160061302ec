//! Both ways of resetting a pool slot (`SlotReset`) give every call the pristine memory image,
//! also when a call dirties more disjoint regions than the in-place reset restores.

use std::sync::Arc;

use civitas_plugins::{Allocation, CallLimits, CallSettings, EngineSettings, PluginEngine, Priority, SlotReset};

use crate::support::{night_ticket, router_from_wat};

fn every_call_sees_the_memory_image(slot_reset: SlotReset) {
    // Two slots, so that successive calls reuse the same slot's memory.
    let engine = PluginEngine::new(EngineSettings { pool_instances: 2, slot_reset, ..EngineSettings::default() })
        .expect("engine");
    assert_eq!(engine.allocation(), &Allocation::Pooling, "the reset under test is the pool's");
    let plugin = engine.compile(&router_from_wat("scattered_writes.wat")).expect("compiles");
    let settings = CallSettings { config_json: Arc::from("dep_police"), limits: CallLimits::default() };
    for call in 0..6 {
        let report = engine.route(&plugin, &settings, &night_ticket());
        let routing = report.decision().cloned().flatten().unwrap_or_else(|| panic!("call {call}: {report:?}"));
        assert_eq!(routing.department, "dep_police");
        // URGENT would mean a byte of an earlier call's writes, or a lost byte of the image.
        assert_eq!(routing.priority, Priority::High, "call {call}");
    }
    for call in 0..3 {
        let (report, _spent) = engine
            .call_prepared(engine.prepare(&plugin, &settings, civitas_plugins::Hook::TicketRouter), &night_ticket());
        let routing = report.decision().cloned().flatten().expect("routes");
        assert_eq!(routing.priority, Priority::High, "prepared call {call}");
    }
}

#[test]
fn copying_the_whole_memory_restores_the_image_for_every_call() {
    every_call_sees_the_memory_image(SlotReset::CopyWholeMemory);
}

#[test]
fn restoring_dirty_pages_only_restores_the_image_for_every_call() {
    every_call_sees_the_memory_image(SlotReset::DirtyPagesOnly);
}
