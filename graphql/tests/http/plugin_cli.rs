//! `civitas plugin check` and `civitas plugin run` as a plugin author runs them: on the C example
//! built from source, its fixtures and config, and on fault fixtures that hit a limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use civitas_plugins::build;

const BINARY: &str = env!("CARGO_BIN_EXE_civitas");

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The C night-noise router, as the repository ships it.
fn router_wasm() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| build::prebuilt_c_example("night-noise-router"))
}

fn civitas(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().expect("run civitas")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn check_lists_the_hooks_size_and_imports_of_a_component() {
    let output = civitas(&["plugin", "check", path(router_wasm())]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(stdout.contains("valid civitas:plugin@0.1.0 plugin"), "{stdout}");
    assert!(stdout.contains("hooks:   ticket-router"), "{stdout}");
    assert!(stdout.contains("civitas:plugin/host@0.1.0"), "{stdout}");
    let size = std::fs::metadata(router_wasm()).expect("size").len();
    assert!(stdout.contains(&format!("size:    {size} bytes")), "{stdout}");
}

#[test]
fn check_refuses_what_is_not_a_plugin() {
    let junk = scratch("cli-junk").join("junk.wasm");
    std::fs::write(&junk, b"\0asm junk").expect("write");
    let output = civitas(&["plugin", "check", path(&junk)]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("is not a valid plugin"), "{}", text(&output.stderr));
}

#[test]
fn run_prints_the_decision_and_its_cost_against_the_limits() {
    let example = build::example_dir("night-noise-router");
    let input = example.join("fixtures/noise-at-night.json");
    let config = example.join("config.json");
    let output = civitas(&[
        "plugin",
        "run",
        path(router_wasm()),
        "--hook",
        "ticket-router",
        "--input",
        path(&input),
        "--config",
        path(&config),
    ]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(stdout.contains("\"department\": \"dep_police\""), "{stdout}");
    assert!(stdout.contains("fuel used:") && stdout.contains("of 100000000"), "{stdout}");
    assert!(stdout.contains("peak memory:"), "{stdout}");
    assert!(stdout.contains("routed to the police liaison"), "the plugin's log line: {stdout}");
}

#[test]
fn run_exits_non_zero_with_a_clear_message_when_a_limit_is_hit() {
    let dir = scratch("cli-loop");
    let component = dir.join("loop.wasm");
    let bytes = build::component_from_wat(&build::fault_fixture("infinite_loop"), "ticket-router").expect("builds");
    std::fs::write(&component, bytes).expect("write");
    let limits = dir.join("limits.json");
    std::fs::write(&limits, r#"{"fuel": 100000}"#).expect("write");
    let input = build::example_dir("night-noise-router").join("fixtures/noise-at-night.json");
    let output = civitas(&[
        "plugin",
        "run",
        path(&component),
        "--hook",
        "ticket-router",
        "--input",
        path(&input),
        "--limits",
        path(&limits),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("limit hit: plugin ran out of fuel (limit 100000 units)"), "{stderr}");

    let wrong_hook =
        civitas(&["plugin", "run", path(router_wasm()), "--hook", "deadline-policy", "--input", path(&input)]);
    assert!(!wrong_hook.status.success());
    assert!(text(&wrong_hook.stderr).contains("deadline-policy"), "{}", text(&wrong_hook.stderr));
}
