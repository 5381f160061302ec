//! The Python examples (school-area deadline policy, escalation notifier), built with
//! componentize-py from a virtualenv.

use std::sync::{Arc, OnceLock};

use civitas_plugins::{CallLimits, CallSettings, CompiledPlugin, DispatchedTicket, DomainEvent, Hook};

use crate::build_examples as build;
use crate::support::{check_example_fixtures, engine};

/// Built and compiled once: componentize-py takes ~15 s and wasmtime a few more.
fn plugin() -> &'static CompiledPlugin {
    static PLUGIN: OnceLock<CompiledPlugin> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let bytes =
            build::build_python_example("school-deadline-policy", "deadline-policy", build::PythonWasi::Stubbed);
        engine().compile(&bytes).expect("compiles")
    })
}

#[test]
fn the_school_deadline_policy_decides_its_fixtures() {
    assert_eq!(plugin().hooks(), [Hook::DeadlinePolicy]);
    // Built with `--stub-wasi`: no WASI imports at all.
    assert!(!plugin().imports_wasi(), "{:?}", plugin().imports());
    let cases = check_example_fixtures(plugin(), Hook::DeadlinePolicy, &build::example_dir("school-deadline-policy"));
    assert_eq!(cases, 3);
}

#[test]
fn the_school_deadline_policy_reports_bad_config_as_its_own_error() {
    let input = std::fs::read(build::example_dir("school-deadline-policy").join("fixtures/school-street.json"))
        .expect("fixture");
    let ticket: DispatchedTicket = serde_json::from_slice(&input).expect("fixture parses");
    let settings = CallSettings { config_json: Arc::from("{\"schools\": []}"), limits: CallLimits::default() };
    let report = engine().deadlines(plugin(), &settings, &ticket);
    match report.outcome {
        Ok(Err(error)) => assert_eq!(error.code, "bad-config"),
        other => panic!("expected the plugin's bad-config error, got {other:?}"),
    }
}

/// The escalation notifier (an event listener), built and compiled once.
fn notifier() -> &'static CompiledPlugin {
    static PLUGIN: OnceLock<CompiledPlugin> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let bytes = build::build_python_example("escalation-notifier", "event-listener", build::PythonWasi::Imported);
        engine().compile(&bytes).expect("compiles")
    })
}

#[test]
fn the_escalation_notifier_answers_its_fixtures() {
    assert_eq!(notifier().hooks(), [Hook::EventListener]);
    // Built with componentize-py's WASI imports kept: it runs with nothing granted.
    assert!(notifier().imports_wasi());
    let cases = check_example_fixtures(notifier(), Hook::EventListener, &build::example_dir("escalation-notifier"));
    assert_eq!(cases, 3);
}

#[test]
fn the_escalation_notifier_reports_bad_config_as_its_own_error() {
    let input = std::fs::read(build::example_dir("escalation-notifier").join("fixtures/response-missed.json"))
        .expect("fixture");
    let event: DomainEvent = serde_json::from_slice(&input).expect("fixture parses");
    for config in ["{}", "{\"supervisor_department\": \"dep_5\", \"levels\": [3]}", "not json"] {
        let settings = CallSettings { config_json: Arc::from(config), limits: CallLimits::default() };
        match engine().on_event(notifier(), &settings, &event).outcome {
            Ok(Err(error)) => assert_eq!(error.code, "bad-config", "{config}"),
            other => panic!("expected the plugin's bad-config error for {config}, got {other:?}"),
        }
    }
}
