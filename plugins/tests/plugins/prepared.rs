//! Instances made ahead of their calls: each still serves exactly one call, under the limits of
//! the call, and the runtime keeps one ready per installation and hook.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use civitas_core::hooks::RoutingRequest;
use civitas_core::ids::{CategoryId, DistrictId, PluginId};
use civitas_core::plugins::{HookFailure, LoadedPlugin, PluginLimits, PluginRuntime};
use civitas_core::tickets::Channel;
use civitas_plugins::{
    CallFailure, CallLimits, CallSettings, DispatchedTicket, EngineSettings, Hook, PluginEngine, Priority, WasmRuntime,
};

use crate::support::{engine, night_ticket, router_from_wat};

fn settings(department: &str, limits: CallLimits) -> CallSettings {
    CallSettings { config_json: Arc::from(department), limits }
}

#[test]
fn a_prepared_instance_answers_like_a_fresh_one_and_serves_one_call() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("echo compiles");
    let settings = settings("dep_police", CallLimits::default());
    // Several waiting at once, as a server may have for several districts.
    let prepared: Vec<_> = (0..3).map(|_| engine().prepare(&plugin, &settings, Hook::TicketRouter)).collect();
    for instance in prepared {
        assert_eq!(instance.hook(), Hook::TicketRouter);
        let (report, _spent) = engine().call_prepared(instance, &night_ticket());
        let routing = report.decision().cloned().flatten().expect("routes");
        assert_eq!(routing.department, "dep_police");
        // HIGH: the instance's call counters (a global, a word of memory) start at zero.
        assert_eq!(routing.priority, Priority::High);
        assert!(report.prepared_ahead);
        assert!(report.fuel_used > 0);
        assert_eq!(report.logs.len(), 1);
    }
    let inline = engine().route(&plugin, &settings, &night_ticket());
    assert!(!inline.prepared_ahead, "a call that instantiates is not prepared ahead");
}

#[test]
fn the_fuel_limit_covers_a_prepared_call() {
    let plugin = engine().compile(&router_from_wat("infinite_loop.wat")).expect("compiles");
    let limits = CallLimits { fuel: 1_000_000, ..CallLimits::default() };
    let instance = engine().prepare(&plugin, &settings("x", limits), Hook::TicketRouter);
    let (report, _) = engine().call_prepared(instance, &night_ticket());
    assert_eq!(report.outcome, Err(CallFailure::OutOfFuel { limit: 1_000_000 }));
}

#[test]
fn a_prepared_call_gets_its_whole_time_limit_however_long_it_waited() {
    let plugin = engine().compile(&router_from_wat("infinite_loop.wat")).expect("compiles");
    let limits = CallLimits { fuel: u64::MAX, timeout: Duration::from_millis(50), ..CallLimits::default() };
    let instance = engine().prepare(&plugin, &settings("x", limits), Hook::TicketRouter);
    // Longer than the time limit: a deadline counted from preparing would stop the call at once.
    std::thread::sleep(Duration::from_millis(120));
    let (report, _) = engine().call_prepared(instance, &night_ticket());
    assert_eq!(report.outcome, Err(CallFailure::Timeout { limit: Duration::from_millis(50) }));
    assert!(report.wall_time >= Duration::from_millis(50), "stopped after {:?}", report.wall_time);
}

#[test]
fn an_instance_prepared_for_one_hook_refuses_another_hooks_input() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("echo compiles");
    let instance = engine().prepare(&plugin, &settings("dep_police", CallLimits::default()), Hook::TicketRouter);
    let dispatched = DispatchedTicket {
        district: "dst_1".to_owned(),
        street: None,
        category: "cat_1".to_owned(),
        channel: civitas_plugins::Channel::App,
        priority: Priority::Normal,
        department: "dep_1".to_owned(),
        tags: Vec::new(),
        submitted_at: 0,
        dispatched_at: 0,
        respond_by: 0,
        resolve_by: 0,
    };
    let (report, _) = engine().call_prepared(instance, &dispatched);
    let Err(CallFailure::Host(reason)) = &report.outcome else { panic!("expected a host failure: {report:?}") };
    assert!(reason.contains("ticket-router"), "{reason}");
}

fn installed(id: i64, department: &str) -> LoadedPlugin {
    let component = router_from_wat("echo_config.wat");
    LoadedPlugin {
        id: PluginId(id),
        label: format!("echo@{id}"),
        sha256: civitas_plugins::CompiledPlugin::sha256_of(&component),
        component: Arc::new(component),
        config: Arc::from(department),
        limits: PluginLimits::default(),
    }
}

fn request() -> RoutingRequest {
    let submitted_at = Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 0).single().expect("a time");
    RoutingRequest {
        district_id: DistrictId(1),
        street_id: None,
        category_id: CategoryId(9),
        channel: Channel::Phone,
        title: "Karaoke".to_owned(),
        description: String::new(),
        location: None,
        submitted_at,
        local_time: submitted_at.naive_utc(),
    }
}

fn department(runtime: &WasmRuntime, plugin: &LoadedPlugin) -> String {
    let call = runtime.route_ticket(plugin, &request());
    match call.outcome {
        Ok(Some(answer)) => {
            // Fresh on every call, prepared or not: the call counters start at zero.
            assert_eq!(answer.priority, Some(civitas_core::tickets::Priority::High));
            answer.department
        }
        other => panic!("expected a routing: {other:?}"),
    }
}

/// Waits (up to 10 s) for the background thread to have `count` instances waiting.
fn wait_for_prepared(runtime: &WasmRuntime, count: usize) {
    wait_until(
        || runtime.prepared_instances() == count,
        || format!("{} prepared, expected {count}", runtime.prepared_instances()),
    );
}

fn wait_until(done: impl Fn() -> bool, describe: impl Fn() -> String) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(10), "{}", describe());
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_runtime_prepares_each_installations_next_instance_and_never_reuses_one() {
    let engine = PluginEngine::new(EngineSettings { pool_instances: 8, ..EngineSettings::default() }).expect("engine");
    let runtime = WasmRuntime::new(Arc::new(engine), CallLimits::default(), CallLimits::default());
    let (first, second) = (installed(1, "dep_one"), installed(2, "dep_two"));
    assert_eq!(runtime.prepared_instances(), 0);
    for _ in 0..3 {
        assert_eq!(department(&runtime, &first), "dep_one");
        assert_eq!(department(&runtime, &second), "dep_two");
        // One waiting per installation, even with the same component: never shared.
        wait_for_prepared(&runtime, 2);
    }
}

#[test]
fn a_changed_configuration_is_never_answered_by_an_instance_prepared_with_the_old_one() {
    let engine = PluginEngine::new(EngineSettings { pool_instances: 8, ..EngineSettings::default() }).expect("engine");
    let runtime = WasmRuntime::new(Arc::new(engine), CallLimits::default(), CallLimits::default());
    assert_eq!(department(&runtime, &installed(1, "dep_before")), "dep_before");
    wait_for_prepared(&runtime, 1);
    assert_eq!(department(&runtime, &installed(1, "dep_after")), "dep_after");
    let tighter = LoadedPlugin {
        limits: PluginLimits { fuel: Some(10), ..PluginLimits::default() },
        ..installed(1, "dep_after")
    };
    wait_for_prepared(&runtime, 1);
    let call = runtime.route_ticket(&tighter, &request());
    assert!(matches!(&call.outcome, Err(HookFailure::Trap(reason)) if reason.contains("fuel")), "{:?}", call.outcome);
}

#[test]
fn waiting_instances_are_capped_and_released_with_their_plugin() {
    let settings =
        EngineSettings { pool_instances: 8, max_prepared: 2, max_concurrent_calls: 2, ..EngineSettings::default() };
    let engine = PluginEngine::new(settings).expect("engine");
    let runtime = WasmRuntime::new(Arc::new(engine), CallLimits::default(), CallLimits::default());
    let plugins: Vec<LoadedPlugin> = (1..=5).map(|id| installed(id, "dep_x")).collect();
    for plugin in &plugins {
        department(&runtime, plugin);
    }
    // Once the thread has prepared all five, only the two newest wait.
    wait_until(
        || runtime.instances_prepared_so_far() == 5,
        || format!("{} prepared so far", runtime.instances_prepared_so_far()),
    );
    assert_eq!(runtime.prepared_instances(), 2);
    // Uninstalling the newest releases its waiting instance (and its compiled component).
    runtime.release(plugins[4].id, &plugins[4].sha256);
    runtime.wait_for_background_work();
    assert_eq!(runtime.prepared_instances(), 1);
    assert_eq!(department(&runtime, &plugins[4]), "dep_x", "an enabled-again plugin compiles again");
}

#[test]
fn calls_beyond_the_concurrency_limit_wait_instead_of_exhausting_the_pool() {
    // Room for one running call (with its spent instance until the background thread drops it),
    // one prepared instance and the one being prepared: without the limit, eight calls at once
    // would find no free slot and fail as the host's.
    let settings =
        EngineSettings { pool_instances: 3, max_prepared: 1, max_concurrent_calls: 1, ..EngineSettings::default() };
    let engine = PluginEngine::new(settings).expect("engine");
    let runtime = Arc::new(WasmRuntime::new(Arc::new(engine), CallLimits::default(), CallLimits::default()));
    let component = Arc::new(router_from_wat("infinite_loop.wat"));
    let callers: Vec<_> = (1..=8)
        .map(|id| {
            let runtime = Arc::clone(&runtime);
            // Each call loops until its fuel runs out (some milliseconds), so the eight overlap.
            let looping = LoadedPlugin {
                id: PluginId(id),
                label: format!("loop@{id}"),
                sha256: civitas_plugins::CompiledPlugin::sha256_of(&component),
                component: Arc::clone(&component),
                config: Arc::from("{}"),
                limits: PluginLimits { fuel: Some(20_000_000), ..PluginLimits::default() },
            };
            std::thread::spawn(move || runtime.route_ticket(&looping, &request()).outcome)
        })
        .collect();
    let outcomes: Vec<_> = callers.into_iter().map(|caller| caller.join().expect("joins")).collect();
    let out_of_fuel = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(HookFailure::Trap(reason)) if reason.contains("ran out of fuel")))
        .count();
    assert_eq!(out_of_fuel, 8, "every call ran, none found the pool full: {outcomes:?}");
}
