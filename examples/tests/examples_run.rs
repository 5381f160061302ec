//! Every example runs to completion and prints what it promises.

use std::process::Command;

#[test]
fn embed_district_runs_a_ticket_to_closure() {
    let output = Command::new(env!("CARGO_BIN_EXE_embed_district"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("dispatched T-"), "{stdout}");
    assert!(stdout.contains("-> CLOSED"), "{stdout}");
    assert!(
        stdout.contains("Harbour District: 1 ticket(s), response 100%, resolution 100%, satisfaction 100%"),
        "{stdout}"
    );
}

/// WAT needs no toolchain; the C build, the same command with `c`, runs in `.ci/run` (which
/// installs clang and wasi-libc) to check the shipped C example against its source.
#[test]
fn build_plugin_builds_a_plugin_into_a_component() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("build-plugin");
    std::fs::create_dir_all(&dir).expect("scratch");
    let output_file = dir.join("router.wasm");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/tests/fixtures/echo_config.wat");
    let output = Command::new(env!("CARGO_BIN_EXE_build_plugin"))
        .args(["wat", source, "--world", "ticket-router", "-o"])
        .arg(&output_file)
        .arg("--work-dir")
        .arg(&dir)
        .output()
        .expect("run build_plugin");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let bytes = std::fs::read(&output_file).expect("component written");
    // A component, not a core module: the preamble's layer field is 1.
    assert_eq!(&bytes[..4], b"\0asm");
    assert_eq!(&bytes[6..8], &[1, 0], "component layer");
}

#[test]
fn embed_graphql_serves_the_schema_beside_the_host_apps_own_routes() {
    let output = Command::new(env!("CARGO_BIN_EXE_embed_graphql")).output().expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("GET /hello: Welcome to the city portal"), "{stdout}");
    assert!(stdout.contains(r#""code":"harbour""#), "{stdout}");
    assert!(stdout.contains(r#""name":"港湾区""#), "names follow Accept-Language: {stdout}");
}
