//! Every fault fixture is contained within its limit, and the engine keeps serving afterwards.

use std::sync::Arc;
use std::time::Duration;

use civitas_plugins::{CallFailure, CallLimits, CallSettings, CompileError, Hook, Priority};

use crate::support::{component_from_wat, engine, night_ticket, router_from_wat};

fn settings(limits: CallLimits) -> CallSettings {
    CallSettings { config_json: Arc::from("dep_police"), limits }
}

/// After any fault the same engine still routes a well-behaved plugin.
fn assert_engine_still_serves() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("echo compiles");
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    assert_eq!(report.decision().and_then(|d| d.as_ref()).map(|r| r.department.as_str()), Some("dep_police"));
}

#[test]
fn a_well_behaved_router_gets_config_logs_and_a_fresh_instance_per_call() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("echo compiles");
    assert_eq!(plugin.hooks(), [Hook::TicketRouter]);
    assert!(!plugin.imports_wasi());
    for _ in 0..3 {
        let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
        let routing = report.decision().cloned().flatten().expect("routes");
        assert_eq!(routing.department, "dep_police");
        // HIGH on every call: neither the call counter in a global nor the one in linear memory
        // survives into the next call (fresh instance; pool slots are reset).
        assert_eq!(routing.priority, Priority::High);
        assert_eq!(report.logs.len(), 1);
        assert_eq!(report.logs[0].message, "routing by config");
        assert!(report.fuel_used > 0);
        assert!(report.peak_memory_bytes >= 65536);
    }
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let plugin = engine().compile(&router_from_wat("infinite_loop.wat")).expect("compiles");
    let limits = CallLimits { fuel: 1_000_000, ..CallLimits::default() };
    let report = engine().route(&plugin, &settings(limits), &night_ticket());
    assert_eq!(report.outcome, Err(CallFailure::OutOfFuel { limit: 1_000_000 }));
    assert_eq!(report.fuel_used, 1_000_000);
    assert_engine_still_serves();
}

#[test]
fn an_infinite_loop_with_ample_fuel_hits_the_wall_clock_deadline() {
    let plugin = engine().compile(&router_from_wat("infinite_loop.wat")).expect("compiles");
    let limits = CallLimits { fuel: u64::MAX, timeout: Duration::from_millis(50), ..CallLimits::default() };
    let report = engine().route(&plugin, &settings(limits), &night_ticket());
    assert_eq!(report.outcome, Err(CallFailure::Timeout { limit: Duration::from_millis(50) }));
    let said = report.outcome.clone().expect_err("timed out").to_string();
    assert!(
        said.contains("the fuel recorded is a lower bound"),
        "the record must not pass a partial count off as the real one: {said}"
    );
    assert!(report.wall_time >= Duration::from_millis(50), "stopped after {:?}", report.wall_time);
    // One tick (5 ms) of slack plus scheduling on a loaded 2-core machine.
    assert!(report.wall_time < Duration::from_millis(1000), "stopped after {:?}", report.wall_time);
    assert_engine_still_serves();
}

#[test]
fn a_memory_bomb_stops_at_the_memory_limit() {
    let plugin = engine().compile(&router_from_wat("memory_bomb.wat")).expect("compiles");
    let limits = CallLimits { max_memory_bytes: 8 << 20, ..CallLimits::default() };
    let report = engine().route(&plugin, &settings(limits), &night_ticket());
    assert_eq!(report.outcome, Err(CallFailure::MemoryLimit { limit: 8 << 20 }));
    assert!(report.peak_memory_bytes <= 8 << 20, "reached {}", report.peak_memory_bytes);
    assert!(report.peak_memory_bytes > 7 << 20, "reached {}", report.peak_memory_bytes);
    assert_engine_still_serves();
}

#[test]
fn a_trap_is_reported_as_a_trap() {
    let plugin = engine().compile(&router_from_wat("trap.wat")).expect("compiles");
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    match report.outcome {
        Err(CallFailure::Trap(message)) => assert!(message.contains("unreachable"), "{message}"),
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_engine_still_serves();
}

#[test]
fn a_huge_answer_is_refused() {
    let plugin = engine().compile(&router_from_wat("huge_output.wat")).expect("compiles");
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    match report.outcome {
        Err(CallFailure::OutputTooLarge { size, limit }) => {
            assert!(size > 1 << 20);
            assert_eq!(limit, CallLimits::default().max_output_bytes);
        }
        other => panic!("expected output too large, got {other:?}"),
    }
    assert_engine_still_serves();
}

#[test]
fn a_huge_input_is_refused_before_the_plugin_runs() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("compiles");
    let mut ticket = night_ticket();
    ticket.text = "x".repeat(100_000);
    let report = engine().route(&plugin, &settings(CallLimits::default()), &ticket);
    assert!(matches!(report.outcome, Err(CallFailure::InputTooLarge { .. })), "{:?}", report.outcome);
    assert_eq!(report.fuel_used, 0);
}

#[test]
fn a_component_of_another_world_is_refused_at_install() {
    let bytes = component_from_wat("wrong_world.wat", &["other_world.wit"], "greeter");
    match engine().compile(&bytes) {
        Err(CompileError::NoHooks { exports }) => assert_eq!(exports, ["greet"]),
        Err(other) => panic!("expected NoHooks, got {other}"),
        Ok(_) => panic!("a greeter must not install as a plugin"),
    }
}

#[test]
fn calling_a_hook_the_plugin_lacks_is_a_wrong_world_failure() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("compiles");
    let event = civitas_plugins::DomainEvent {
        kind: "ticket.dispatched".to_owned(),
        district: Some("dst_1".to_owned()),
        subject: "tkt_9".to_owned(),
        occurred_at: 0,
        payload: "{}".to_owned(),
    };
    let report = engine().on_event(&plugin, &settings(CallLimits::default()), &event);
    assert_eq!(report.outcome, Err(CallFailure::WrongWorld(Hook::EventListener)));
}

#[test]
fn a_core_module_or_garbage_is_refused() {
    let core = wat::parse_str("(module)").expect("parses");
    assert!(matches!(engine().compile(&core), Err(CompileError::Invalid(_))));
    assert!(matches!(engine().compile(b"\0asm garbage"), Err(CompileError::Invalid(_))));
    assert!(matches!(engine().compile(&[]), Err(CompileError::Invalid(_))));
}

#[test]
fn a_component_over_the_size_limit_is_refused_before_compiling() {
    let big = vec![0u8; engine().settings().max_component_bytes + 1];
    assert!(matches!(engine().compile(&big), Err(CompileError::TooLarge { .. })));
}

#[test]
fn a_wasi_component_sees_no_environment_arguments_directories_or_clock() {
    let bytes = component_from_wat(
        "wasi_probe.wat",
        &["wasi_excerpts.wit", "wasi_fs_excerpts.wit", "wasi_clock_excerpts.wit", "wasi_probe.wit"],
        "probe",
    );
    let plugin = engine().compile(&bytes).expect("probe compiles");
    assert!(plugin.imports_wasi());
    assert!(plugin.imports().iter().any(|i| i == "wasi:filesystem/preopens@0.2.0"), "{:?}", plugin.imports());
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    // `Ok(Ok(None))`: the probe found zero variables, arguments and preopened directories, and the
    // clock at the epoch; anything granted would make it answer with the plugin error "leak".
    assert_eq!(report.outcome, Ok(Ok(None)));
}

#[test]
fn log_output_is_capped() {
    let plugin = engine().compile(&router_from_wat("echo_config.wat")).expect("compiles");
    let limits = CallLimits { max_log_bytes: 7, ..CallLimits::default() };
    let report = engine().route(&plugin, &settings(limits), &night_ticket());
    assert_eq!(report.logs[0].message, "routing");
    assert!(report.logs_truncated);
}

#[test]
fn a_component_importing_what_the_host_does_not_offer_is_refused_at_install() {
    let bytes = component_from_wat("unknown_import.wat", &["unknown_import.wit"], "sneaky");
    match engine().compile(&bytes) {
        Err(CompileError::UnsupportedImports { imports }) => assert_eq!(imports, ["acme:secrets/vault"]),
        Err(other) => panic!("expected UnsupportedImports, got {other}"),
        Ok(_) => panic!("a component with unknown imports must not install"),
    }
}

#[test]
fn a_stack_overflow_is_reported_cause_first() {
    let plugin = engine().compile(&router_from_wat("stack_overflow.wat")).expect("compiles");
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    match report.outcome {
        // A call record keeps 500 characters: the cause must come before the frames.
        Err(CallFailure::Trap(message)) => {
            assert!(message.starts_with("wasm trap: call stack exhausted"), "{message}");
            assert!(message.len() > "wasm trap: call stack exhausted".len(), "the backtrace follows: {message}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_engine_still_serves();
}

#[test]
fn a_forged_resource_handle_is_the_plugins_fault_not_the_hosts() {
    let bytes = component_from_wat("forged_handle.wat", &["wasi_fs_excerpts.wit", "forged_handle.wit"], "forger");
    let plugin = engine().compile(&bytes).expect("compiles");
    let report = engine().route(&plugin, &settings(CallLimits::default()), &night_ticket());
    match report.outcome {
        Err(CallFailure::Trap(message)) => assert!(message.contains("handle"), "{message}"),
        other => panic!("expected the plugin's fault, got {other:?}"),
    }
    assert_engine_still_serves();
}
