//! The example plugins: the C one as checked in (built reproducibly from its source, which
//! `.ci/run` checks), the Python and Rust ones built from source with `civitas_plugins::build`
//! (a missing toolchain fails the test with the tool's message).

use std::path::{Path, PathBuf};

use civitas_plugins::build;

pub use civitas_plugins::build::{PythonWasi, example_dir, plugins_dir, wasm32_wasip2_installed};

/// A scratch directory under the target dir for build outputs.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn venv() -> PathBuf {
    scratch("py-venv")
}

/// A C example's component (`examples/<name>/<name>.wasm`, built from its `plugin.c`).
pub fn c_example(name: &str) -> Vec<u8> {
    let path = build::prebuilt_c_example(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// Builds a Python example (`examples/<name>/app.py`) for `world` into a component.
pub fn build_python_example(name: &str, world: &str, wasi: PythonWasi) -> Vec<u8> {
    build::build_python(&example_dir(name), &build::wit_dir(), world, wasi, &venv(), &scratch(&format!("py-{name}")))
        .unwrap_or_else(|error| panic!("building the Python example {name}: {error}"))
}

/// Builds the Rust SDK example for `wasm32-wasip2` (its own target dir: the outer cargo holds ours).
pub fn build_rust_example(name: &str, library: &str) -> Vec<u8> {
    build::build_rust(&example_dir(name).join("Cargo.toml"), library, &scratch("rust-examples-target"))
        .unwrap_or_else(|error| panic!("building the Rust example {name}: {error}"))
}

/// Builds a Python component from `dir/app.py` against the WIT in `dir/world.wit`, with the
/// civitas package copied in as its dependency (componentize-py resolves `deps/` folders), and
/// componentize-py's WASI imports kept.
pub fn build_python_with_own_world(dir: &Path, world: &str, name: &str) -> Vec<u8> {
    let wit = scratch(&format!("py-{name}-wit"));
    std::fs::create_dir_all(wit.join("deps/civitas-plugin")).expect("deps dir");
    std::fs::copy(dir.join("world.wit"), wit.join("world.wit")).expect("world copied");
    std::fs::copy(plugins_dir().join("wit/0.1.0/plugin.wit"), wit.join("deps/civitas-plugin/plugin.wit"))
        .expect("civitas WIT copied");
    build::build_python(dir, &wit, world, PythonWasi::Imported, &venv(), &scratch(&format!("py-{name}")))
        .unwrap_or_else(|error| panic!("building the Python component {name}: {error}"))
}
