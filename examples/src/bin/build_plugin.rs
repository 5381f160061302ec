//! Builds a district plugin from source into a component, without installing any CLI: the C
//! generator and the component encoder are crates (`civitas_plugins::build`).
//!
//! `build_plugin c plugins/examples/night-noise-router/plugin.c --world ticket-router -o router.wasm`
//! `build_plugin python plugins/examples/school-deadline-policy --world deadline-policy -o policy.wasm`
//! `build_plugin wat plugins/tests/fixtures/echo_config.wat --world ticket-router -o echo.wasm`
//!
//! WAT needs nothing but this binary; C needs Debian's `clang lld wasi-libc
//! libclang-rt-14-dev-wasm32` (the C example also ships built, and `.ci/run` rebuilds it with
//! this command to check the bytes are the same); Python needs `python3` with
//! `venv` (componentize-py 0.25.1 is installed into `--venv` on first use); `--stub-wasi`
//! builds a Python component without WASI imports (faster calls; any WASI call traps).

use std::path::PathBuf;

use anyhow::Context as _;
use civitas_plugins::build;
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
enum Language {
    /// One C file using wit-bindgen's C bindings of the world.
    C,
    /// A directory with `app.py` (componentize-py).
    Python,
    /// A core module in the WebAssembly text format, exporting the world's functions.
    Wat,
}

#[derive(Parser)]
struct Args {
    /// The plugin's language.
    language: Language,
    /// The C or WAT file, or the Python app's directory.
    source: PathBuf,
    /// The civitas:plugin world it implements (`ticket-router`, `deadline-policy`, ...).
    #[arg(long)]
    world: String,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// Scratch directory for bindings and intermediate files.
    #[arg(long, default_value = "target/plugin-build")]
    work_dir: PathBuf,
    /// Virtualenv holding componentize-py.
    #[arg(long, default_value = "target/plugin-build/py-venv")]
    venv: PathBuf,
    /// Python: build with componentize-py's `--stub-wasi`, for cheaper calls; every WASI
    /// function then traps, so only for plugins that never print, read the clock or use
    /// random numbers. Without it the WASI imports are kept and the host grants them nothing.
    #[arg(long)]
    stub_wasi: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    eprintln!("building {} for {} ...", args.source.display(), args.world);
    let bytes = match args.language {
        Language::C => build::build_c(&args.source, &args.world, &args.work_dir.join("c"))?,
        Language::Python => {
            let wasi = if args.stub_wasi { build::PythonWasi::Stubbed } else { build::PythonWasi::Imported };
            let work_dir = args.work_dir.join("py");
            build::build_python(&args.source, &build::wit_dir(), &args.world, wasi, &args.venv, &work_dir)?
        }
        Language::Wat => build::component_from_wat(&args.source, &args.world)?,
    };
    std::fs::write(&args.output, &bytes).with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("{}: {} bytes", args.output.display(), bytes.len());
    Ok(())
}
