//! The Rust SDK example. Its logic is unit-tested natively in its own crate (`cargo test` in
//! `examples/rust-night-noise-router`); here its component runs in the host, where the
//! `wasm32-wasip2` target is installed.

use civitas_plugins::Hook;

use crate::build_examples as build;
use crate::support::{check_example_fixtures, engine};

#[test]
fn the_rust_night_noise_router_decides_the_c_fixtures_where_the_wasm_target_is_installed() {
    if !build::wasm32_wasip2_installed() {
        eprintln!("NOT EXERCISED: rustup target wasm32-wasip2 is not installed");
        return;
    }
    let bytes = build::build_rust_example("rust-night-noise-router", "night_noise_router");
    let plugin = engine().compile(&bytes).expect("compiles");
    assert_eq!(plugin.hooks(), [Hook::TicketRouter]);
    // Rust's wasip2 standard library imports WASI; it runs with nothing granted.
    assert!(plugin.imports_wasi());
    // Same decision as the C plugin, so the same config and fixtures.
    let cases = check_example_fixtures(&plugin, Hook::TicketRouter, &build::example_dir("night-noise-router"));
    assert_eq!(cases, 3);
}

#[test]
fn the_rust_night_noise_router_passes_its_native_unit_tests() {
    // The author's crate stands alone (its own workspace and lockfile), as an author's would;
    // its logic runs natively against the SDK's `TestHost`, so this needs no wasm target.
    let manifest = build::example_dir("rust-night-noise-router").join("Cargo.toml");
    let output = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", build::scratch("rust-example-native-target"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let passed: u32 = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<u32>().ok())
        .sum();
    assert!(passed >= 4, "the example's unit tests ran: {stdout}");
}
