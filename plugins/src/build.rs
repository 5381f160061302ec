//! Building plugins from source, for the test suites, the benchmarks and authors' tools
//! (feature `build`).
//!
//! C: bindings from wit-bindgen's C generator (a crate, so no CLI to install), `clang
//! --target=wasm32-wasi -mexec-model=reactor` against Debian's wasi-libc, then wit-component
//! turns the core module into a component. Python: componentize-py 0.25.x, from
//! `$COMPONENTIZE_PY` or a virtualenv created on first use.

use std::path::{Path, PathBuf};
use std::process::Command;

use wit_bindgen_core::wit_parser::Resolve;

/// Why a plugin could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A tool could not be started (not installed?).
    #[error("cannot run {tool}: {source} (see plugins/README.md for the toolchain)")]
    Spawn {
        /// The program.
        tool: String,
        /// Why.
        source: std::io::Error,
    },
    /// A tool ran and failed.
    #[error("{tool} failed:\n{output}")]
    Failed {
        /// The command line.
        tool: String,
        /// Its stdout and stderr.
        output: String,
    },
    /// The WIT or the component encoding failed.
    #[error("{0}")]
    Wit(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn wit_error(error: impl std::fmt::Display) -> BuildError {
    BuildError::Wit(format!("{error:#}"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io { path: path.to_owned(), source }
}

/// The `plugins/` directory of this checkout.
pub fn plugins_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The WIT of the current `civitas:plugin` version.
pub fn wit_dir() -> PathBuf {
    plugins_dir().join("wit/0.1.0")
}

/// An example's directory under `plugins/examples/`.
pub fn example_dir(name: &str) -> PathBuf {
    plugins_dir().join("examples").join(name)
}

/// The component a C example builds into (`examples/<name>/<name>.wasm`), kept in the repository
/// so that neither the tests nor a newcomer need a C toolchain for wasm. The build is
/// reproducible: `.ci/run` rebuilds it from `plugin.c` and fails if the bytes differ.
pub fn prebuilt_c_example(name: &str) -> PathBuf {
    example_dir(name).join(format!("{name}.wasm"))
}

fn run(command: &mut Command) -> Result<(), BuildError> {
    let tool = format!("{command:?}");
    let output = command.output().map_err(|source| BuildError::Spawn { tool: tool.clone(), source })?;
    if output.status.success() {
        return Ok(());
    }
    Err(BuildError::Failed {
        tool,
        output: format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
    })
}

fn create_dir(dir: &Path) -> Result<(), BuildError> {
    std::fs::create_dir_all(dir).map_err(io(dir))
}

/// Writes wit-bindgen's C bindings for `world` into `out`.
pub fn generate_c_bindings(world: &str, out: &Path) -> Result<(), BuildError> {
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(wit_dir()).map_err(wit_error)?;
    let world = resolve.select_world(&[package], Some(world)).map_err(wit_error)?;
    let mut files = wit_bindgen_core::Files::default();
    wit_bindgen_c::Opts::default().build().generate(&mut resolve, world, &mut files).map_err(wit_error)?;
    create_dir(out)?;
    for (name, contents) in files.iter() {
        let path = out.join(name);
        std::fs::write(&path, contents).map_err(io(&path))?;
    }
    Ok(())
}

/// Compiles the C file `source` for `world` into a component, working in `work_dir`.
pub fn build_c(source: &Path, world: &str, work_dir: &Path) -> Result<Vec<u8>, BuildError> {
    generate_c_bindings(world, work_dir)?;
    let stem = world.replace('-', "_");
    let core = work_dir.join("plugin.core.wasm");
    run(Command::new("clang")
        .args(["--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-Wall", "-Wextra", "-Werror"])
        .args(["-Wno-unused-parameter", "-Wno-missing-field-initializers"])
        .arg("-I")
        .arg(work_dir)
        .arg(source)
        .arg(work_dir.join(format!("{stem}.c")))
        .arg(work_dir.join(format!("{stem}_component_type.o")))
        .arg("-o")
        .arg(&core))?;
    let module = std::fs::read(&core).map_err(io(&core))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(wit_error)?;
    let out = work_dir.join("plugin.wasm");
    std::fs::write(&out, &component).map_err(io(&out))?;
    Ok(component)
}

/// The componentize-py executable: `$COMPONENTIZE_PY`, or one in a virtualenv at `venv`
/// (created, and componentize-py 0.25.1 installed from PyPI, on first use).
pub fn componentize_py(venv: &Path) -> Result<PathBuf, BuildError> {
    if let Some(path) = std::env::var_os("COMPONENTIZE_PY") {
        return Ok(PathBuf::from(path));
    }
    python_venv(venv, &["componentize-py==0.25.1"])?;
    Ok(venv.join("bin/componentize-py"))
}

/// A virtualenv at `venv` with `packages` installed from PyPI (on first use), for tools the
/// tests drive: componentize-py, real GraphQL clients. Returns its `python`.
///
/// Safe to call from several threads and processes at once: the first creates the virtualenv
/// under a lock file beside it while the others wait, and the virtualenv counts as ready only
/// once pip has finished (a marker file), so nobody runs a half-installed package.
pub fn python_venv(venv: &Path, packages: &[&str]) -> Result<PathBuf, BuildError> {
    let python = venv.join("bin/python");
    let ready = venv.join(".civitas-ready");
    if ready.exists() {
        return Ok(python);
    }
    if let Some(parent) = venv.parent() {
        create_dir(parent)?;
    }
    let lock_path = venv.with_extension("lock");
    let lock = std::fs::File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    if !ready.exists() {
        // Left over from an interrupted install: start again rather than trust it.
        if venv.exists() {
            std::fs::remove_dir_all(venv).map_err(io(venv))?;
        }
        run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
        run(Command::new(venv.join("bin/pip")).args(["install", "--quiet"]).args(packages))?;
        std::fs::write(&ready, b"").map_err(io(&ready))?;
    }
    Ok(python)
}

/// What a Python component does with the WASI imports of componentize-py's runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonWasi {
    /// `componentize-py componentize --stub-wasi`: the component imports no WASI at all; each
    /// WASI function is a stub that traps, so a plugin that prints, reads the clock or draws
    /// random numbers fails its call. For plugins that do none of that it is the faster
    /// choice: every call runs in a fresh instance, and with the imports kept, WASI's
    /// preview-1 adapter sets itself up again in each one (~100,000 wasm instructions per call
    /// for the school-area example, more than its own logic).
    Stubbed,
    /// The imports are kept; the host links them to a WASI context with nothing granted
    /// (output discarded, clocks frozen at the epoch). Works for any plugin.
    Imported,
}

/// Builds the Python app `app_dir/app.py` for `world` of the WIT in `wit` into a component,
/// with componentize-py from `venv` (see [`componentize_py`]), its WASI imports stubbed or kept
/// as `wasi` says.
pub fn build_python(
    app_dir: &Path,
    wit: &Path,
    world: &str,
    wasi: PythonWasi,
    venv: &Path,
    work_dir: &Path,
) -> Result<Vec<u8>, BuildError> {
    create_dir(work_dir)?;
    let out = work_dir.join("plugin.wasm");
    let mut command = Command::new(componentize_py(venv)?);
    command.arg("-d").arg(wit).args(["-w", world, "componentize"]);
    if wasi == PythonWasi::Stubbed {
        command.arg("--stub-wasi");
    }
    run(command.arg("-p").arg(app_dir).arg("app").arg("-o").arg(&out))?;
    std::fs::read(&out).map_err(io(&out))
}

/// Whether rustup has the `wasm32-wasip2` target (not installed by default; adding it downloads
/// the target's standard library).
pub fn wasm32_wasip2_installed() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).lines().any(|line| line.trim() == "wasm32-wasip2"))
}

/// Builds a Rust plugin crate for `wasm32-wasip2` in release mode and returns the component
/// `<library>.wasm`; `target_dir` must not be the calling cargo's own (it holds a lock on it).
pub fn build_rust(manifest: &Path, library: &str, target_dir: &Path) -> Result<Vec<u8>, BuildError> {
    run(Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target_dir))?;
    let out = target_dir.join(format!("wasm32-wasip2/release/{library}.wasm"));
    std::fs::read(&out).map_err(io(&out))
}

/// A fault fixture of the plugin test suite (`plugins/tests/fixtures/<name>.wat`): an infinite
/// loop, a memory bomb, a trap, a huge output...
pub fn fault_fixture(name: &str) -> PathBuf {
    plugins_dir().join("tests/fixtures").join(format!("{name}.wat"))
}

/// Turns a core module written in WAT into a component of the civitas `world`.
pub fn component_from_wat(wat_file: &Path, world: &str) -> Result<Vec<u8>, BuildError> {
    let mut module = wat::parse_file(wat_file).map_err(|e| BuildError::Wit(format!("{}: {e}", wat_file.display())))?;
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_dir(wit_dir()).map_err(wit_error)?;
    let world = resolve.select_world(&[package], Some(world)).map_err(wit_error)?;
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false)
        .map_err(wit_error)?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(wit_error)
}
