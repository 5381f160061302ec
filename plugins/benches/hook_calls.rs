//! Hook call latency with a fresh instance per call (C, Python, and the same decision as plain
//! Rust as the floor), and compile versus precompiled-load times.
//!
//! `cargo bench -p civitas-plugins --bench hook_calls` (needs clang/wasi-libc
//! and python3 like the tests). Figures: BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use civitas_plugins::{
    CallLimits, CallSettings, Channel, CompiledPlugin, DispatchedTicket, EngineSettings, Hook, HookInput, NewTicket,
    PluginEngine, Priority, Routing, SlotReset,
};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};

/// The example plugins built from source, in the bench's scratch directory.
mod build_examples {
    use std::path::PathBuf;

    pub use civitas_plugins::build::example_dir;

    pub fn scratch(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
    }

    /// The C example as the repository ships it (built reproducibly from its `plugin.c`).
    pub fn c_example(name: &str) -> Vec<u8> {
        std::fs::read(civitas_plugins::build::prebuilt_c_example(name)).expect("C example shipped")
    }

    pub fn build_python_example(name: &str, world: &str) -> Vec<u8> {
        let wit = civitas_plugins::build::wit_dir();
        civitas_plugins::build::build_python(
            &example_dir(name),
            &wit,
            world,
            civitas_plugins::build::PythonWasi::Stubbed,
            &scratch("py-venv"),
            &scratch(name),
        )
        .expect("Python example builds")
    }
}

fn night_ticket() -> NewTicket {
    NewTicket {
        district: "dst_1".to_owned(),
        street: Some("str_4".to_owned()),
        category: "cat_noise".to_owned(),
        channel: Channel::App,
        text: "Loud music\n\nParty next door since 22:00.".to_owned(),
        location: None,
        submitted_at: 1_790_025_000_000,
        minute_of_day: 23 * 60 + 30,
        weekday: 6,
    }
}

fn school_ticket() -> DispatchedTicket {
    DispatchedTicket {
        district: "dst_1".to_owned(),
        street: Some("str_12".to_owned()),
        category: "cat_pothole".to_owned(),
        channel: Channel::App,
        priority: Priority::Normal,
        department: "dep_roads".to_owned(),
        tags: Vec::new(),
        submitted_at: 1_790_000_000_000,
        dispatched_at: 1_790_000_600_000,
        respond_by: 1_790_172_800_000,
        resolve_by: 1_790_604_800_000,
    }
}

fn settings(example: &str) -> CallSettings {
    let config = std::fs::read_to_string(build_examples::example_dir(example).join("config.json")).expect("config");
    CallSettings { config_json: Arc::from(config), limits: CallLimits::default() }
}

/// The night-noise decision as a plain Rust function, config parsed on every call like the plugin.
fn route_natively(config: &str, ticket: &NewTicket) -> Option<Routing> {
    let config: serde_json::Value = serde_json::from_str(config).ok()?;
    let noisy = config["noise_categories"].as_array()?.iter().any(|c| c.as_str() == Some(&ticket.category));
    let night = ticket.minute_of_day >= 22 * 60 || ticket.minute_of_day < 6 * 60;
    (noisy && night).then(|| Routing {
        department: config["police_department"].as_str().unwrap_or_default().to_owned(),
        priority: Priority::High,
        tags: vec!["night-noise".to_owned()],
    })
}

fn hook_calls(c: &mut Criterion) {
    let engine = PluginEngine::new(EngineSettings::default()).expect("engine");
    eprintln!("allocation: {:?}", engine.allocation());
    let c_router = engine.compile(&build_examples::c_example("night-noise-router")).expect("C compiles");
    let python_bytes = build_examples::build_python_example("school-deadline-policy", "deadline-policy");
    let python_policy = engine.compile(&python_bytes).expect("Python compiles");
    let router_settings = settings("night-noise-router");
    let policy_settings = settings("school-deadline-policy");
    let ticket = night_ticket();
    let dispatched = school_ticket();
    assert!(engine.route(&c_router, &router_settings, &ticket).decision().is_some());
    assert!(engine.deadlines(&python_policy, &policy_settings, &dispatched).decision().is_some());

    let mut group = c.benchmark_group("hook_call_fresh_instance");
    group.bench_function("c_night_noise_router", |b| {
        b.iter(|| black_box(engine.route(&c_router, &router_settings, black_box(&ticket))))
    });
    group.bench_function("python_school_deadline_policy", |b| {
        b.iter(|| black_box(engine.deadlines(&python_policy, &policy_settings, black_box(&dispatched))))
    });
    // The same calls in instances made ahead, as the server does after each call.
    let prepared = Prepared { engine: &engine, plugin: &c_router, settings: &router_settings };
    prepared.bench(&mut group, "c_night_noise_router_prepared", &ticket);
    let prepared = Prepared { engine: &engine, plugin: &python_policy, settings: &policy_settings };
    prepared.bench(&mut group, "python_school_deadline_policy_prepared", &dispatched);
    // The same on an engine whose pool restores only the pages a call wrote (the other
    // `SlotReset`), for BENCHMARKS.md's comparison of the two.
    let dirty_pages_engine =
        PluginEngine::new(EngineSettings { slot_reset: SlotReset::DirtyPagesOnly, ..EngineSettings::default() })
            .expect("engine");
    let dirty_pages_policy = dirty_pages_engine.compile(&python_bytes).expect("Python compiles");
    let prepared = Prepared { engine: &dirty_pages_engine, plugin: &dirty_pages_policy, settings: &policy_settings };
    prepared.bench(&mut group, "python_school_deadline_policy_prepared_dirty_pages_reset", &dispatched);
    group.bench_function("plain_rust_night_noise_router", |b| {
        b.iter(|| black_box(route_natively(&router_settings.config_json, black_box(&ticket))))
    });
    group.finish();
    for (engine, policy) in [(&engine, &python_policy), (&dirty_pages_engine, &dirty_pages_policy)] {
        print_where_a_prepared_python_call_goes(engine, policy, &policy_settings, &dispatched);
    }
}

/// Calls of one plugin in instances made ahead (`PluginEngine::prepare`).
struct Prepared<'a> {
    engine: &'a PluginEngine,
    plugin: &'a CompiledPlugin,
    settings: &'a CallSettings,
}

impl Prepared<'_> {
    /// Times `call_prepared` alone: making the instance before and dropping it after (criterion
    /// drops the routine's output untimed) are left out, as the server leaves both to its
    /// background thread.
    fn bench<I: HookInput>(&self, group: &mut BenchmarkGroup<'_, WallTime>, name: &str, input: &I) {
        group.bench_function(name, |b| {
            b.iter_batched(
                || self.engine.prepare(self.plugin, self.settings, I::HOOK),
                |prepared| black_box(self.engine.call_prepared(prepared, black_box(input))),
                BatchSize::PerIteration,
            )
        });
    }
}

/// One prepared Python call, taken apart.
struct Sample {
    instantiate: Duration,
    call: Duration,
    fuel: u64,
    faults: u64,
    reset: Duration,
}

/// The figures BENCHMARKS.md gives for a prepared Python call: what instantiating takes; for
/// the call, its fuel (wasm instructions) and the page faults it takes on this thread; and
/// what dropping the spent instance takes (the pool slot's reset).
fn print_where_a_prepared_python_call_goes(
    engine: &PluginEngine,
    plugin: &CompiledPlugin,
    settings: &CallSettings,
    ticket: &DispatchedTicket,
) {
    let samples: Vec<Sample> = (0..51)
        .map(|_| {
            let started = std::time::Instant::now();
            let prepared = engine.prepare(plugin, settings, Hook::DeadlinePolicy);
            let instantiate = started.elapsed();
            let faults_before = minor_faults_of_this_thread();
            let (report, spent) = engine.call_prepared(prepared, ticket);
            let faults = minor_faults_of_this_thread().saturating_sub(faults_before);
            let dropping = std::time::Instant::now();
            drop(spent);
            Sample { instantiate, call: report.wall_time, fuel: report.fuel_used, faults, reset: dropping.elapsed() }
        })
        .collect();
    let median = |pick: fn(&Sample) -> u64| {
        let mut values: Vec<u64> = samples.iter().map(pick).collect();
        values.sort_unstable();
        values[values.len() / 2]
    };
    fn micros(duration: Duration) -> u64 {
        duration.as_micros() as u64
    }
    eprintln!(
        "prepared Python call, slot reset {:?}, median of {}: instantiate {} µs; call {} µs, {} fuel, {} minor page faults; drop (slot reset) {} µs",
        engine.settings().slot_reset,
        samples.len(),
        median(|sample| micros(sample.instantiate)),
        median(|sample| micros(sample.call)),
        median(|sample| sample.fuel),
        median(|sample| sample.faults),
        median(|sample| micros(sample.reset)),
    );
}

/// Minor page faults of the calling thread so far (`/proc/thread-self/stat`, field 10; 0 where
/// there is no procfs).
fn minor_faults_of_this_thread() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after_name = stat.rfind(')').map_or("", |end| &stat[end + 1..]);
    after_name.split_whitespace().nth(7).and_then(|field| field.parse().ok()).unwrap_or(0)
}

fn load_times(c: &mut Criterion) {
    let c_bytes = build_examples::c_example("night-noise-router");
    let python_bytes = build_examples::build_python_example("school-deadline-policy", "deadline-policy");
    let no_cache = PluginEngine::new(EngineSettings::default()).expect("engine");
    let cache_dir = build_examples::scratch("bench-cache");
    let cached =
        PluginEngine::new(EngineSettings { cache_dir: Some(cache_dir), ..EngineSettings::default() }).expect("engine");
    // Fill the cache once; every measured load below is then a precompiled load.
    cached.compile(&c_bytes).expect("C compiles");
    cached.compile(&python_bytes).expect("Python compiles");

    let mut group = c.benchmark_group("load");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("compile_c", |b| b.iter(|| black_box(no_cache.compile(&c_bytes).expect("compiles"))));
    group.bench_function("precompiled_load_c", |b| {
        b.iter(|| {
            let plugin = cached.compile(&c_bytes).expect("loads");
            assert!(plugin.from_cache());
            black_box(plugin)
        })
    });
    group
        .bench_function("compile_python", |b| b.iter(|| black_box(no_cache.compile(&python_bytes).expect("compiles"))));
    group.bench_function("precompiled_load_python", |b| {
        b.iter(|| {
            let plugin = cached.compile(&python_bytes).expect("loads");
            assert!(plugin.from_cache());
            black_box(plugin)
        })
    });
    group.finish();
}

criterion_group!(benches, hook_calls, load_times);
criterion_main!(benches);
