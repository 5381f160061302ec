//! The C example (night-noise router), built from source with clang and wit-bindgen's C generator.

use std::sync::{Arc, OnceLock};

use civitas_plugins::{CallLimits, CallSettings, CompiledPlugin, Hook};

use crate::build_examples as build;
use crate::support::{check_example_fixtures, engine, night_ticket};

/// Built once: the tests run in parallel and would otherwise race on the build directory.
fn plugin() -> &'static CompiledPlugin {
    static PLUGIN: OnceLock<CompiledPlugin> = OnceLock::new();
    PLUGIN.get_or_init(|| engine().compile(&build::c_example("night-noise-router")).expect("compiles"))
}

#[test]
fn the_night_noise_router_decides_its_fixtures() {
    let plugin = plugin();
    assert_eq!(plugin.hooks(), [Hook::TicketRouter]);
    // Only memory and string functions from libc: no WASI, no adapter.
    assert!(!plugin.imports_wasi(), "{:?}", plugin.imports());
    let cases = check_example_fixtures(plugin, Hook::TicketRouter, &build::example_dir("night-noise-router"));
    assert_eq!(cases, 3);
}

#[test]
fn the_night_noise_router_reports_bad_config_as_its_own_error() {
    let plugin = plugin();
    let settings = CallSettings { config_json: Arc::from("{}"), limits: CallLimits::default() };
    let report = engine().route(plugin, &settings, &night_ticket());
    match report.outcome {
        Ok(Err(error)) => assert_eq!(error.code, "bad-config"),
        other => panic!("expected the plugin's bad-config error, got {other:?}"),
    }
}

#[test]
fn the_night_noise_router_fits_a_small_budget() {
    let plugin = plugin();
    let config = std::fs::read_to_string(build::example_dir("night-noise-router").join("config.json")).expect("config");
    let settings = CallSettings { config_json: Arc::from(config), limits: CallLimits::default() };
    let report = engine().route(plugin, &settings, &night_ticket());
    assert!(report.decision().is_some(), "{:?}", report.outcome);
    assert_eq!(report.logs.len(), 1);
    // A pure decision in C costs thousands of instructions, not millions.
    assert!(report.fuel_used < 100_000, "used {}", report.fuel_used);
    assert!(report.peak_memory_bytes <= 1 << 20, "reached {}", report.peak_memory_bytes);
}

fn postcode_check() -> &'static CompiledPlugin {
    static PLUGIN: OnceLock<CompiledPlugin> = OnceLock::new();
    PLUGIN.get_or_init(|| engine().compile(&build::c_example("postcode-check")).expect("compiles"))
}

#[test]
fn the_postcode_check_lists_its_fixtures_problems() {
    let plugin = postcode_check();
    assert_eq!(plugin.hooks(), [Hook::SurveyValidator]);
    assert!(!plugin.imports_wasi(), "{:?}", plugin.imports());
    let cases = check_example_fixtures(plugin, Hook::SurveyValidator, &build::example_dir("postcode-check"));
    assert_eq!(cases, 4);
}

#[test]
fn the_postcode_check_reports_a_config_without_prefixes_as_its_own_error() {
    let settings =
        CallSettings { config_json: Arc::from(r#"{"question": "postcode"}"#), limits: CallLimits::default() };
    let input = std::fs::read(build::example_dir("postcode-check").join("fixtures/inside.json")).expect("fixture");
    let response = serde_json::from_slice(&input).expect("a survey response");
    let report = engine().validate_survey(postcode_check(), &settings, &response);
    match report.outcome {
        Ok(Err(error)) => assert_eq!(error.code, "bad-config"),
        other => panic!("expected the plugin's bad-config error, got {other:?}"),
    }
    assert!(report.fuel_used < 100_000, "used {}", report.fuel_used);
}
