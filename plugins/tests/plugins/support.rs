//! Builds test components from source and provides common inputs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use civitas_plugins::{Channel, EngineSettings, NewTicket, PluginEngine};
use wit_component::{ComponentEncoder, StringEncoding, embed_component_metadata};
use wit_parser::Resolve;

/// The crate's root directory.
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(name)
}

/// One engine for the whole test binary, like the server has.
pub fn engine() -> &'static PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PluginEngine::new(EngineSettings::default()).expect("engine builds"))
}

/// The civitas WIT plus any extra WIT files (dependencies first, the package holding `world` last).
pub fn resolve_with(extra: &[&str]) -> (Resolve, Vec<wit_parser::PackageId>) {
    let mut resolve = Resolve::default();
    let (civitas, _) = resolve.push_dir(crate_dir().join("wit/0.1.0")).expect("civitas WIT parses");
    let mut packages = vec![civitas];
    for file in extra {
        let path = fixture(file);
        let text = std::fs::read_to_string(&path).expect("fixture WIT readable");
        packages.push(resolve.push_str(&path, &text).expect("fixture WIT parses"));
    }
    (resolve, packages)
}

/// Turns a core module (WAT) into a component of `world`.
pub fn component_from_wat(wat_file: &str, extra_wit: &[&str], world: &str) -> Vec<u8> {
    let mut module = wat::parse_file(fixture(wat_file)).expect("WAT parses");
    let (resolve, packages) = resolve_with(extra_wit);
    let main = packages.last().copied().into_iter().collect::<Vec<_>>();
    let world = resolve.select_world(&main, Some(world)).expect("world exists");
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false).expect("metadata embeds");
    ComponentEncoder::default()
        .module(&module)
        .expect("module accepted")
        .validate(true)
        .encode()
        .expect("component encodes")
}

/// A router fixture (the civitas `ticket-router` world).
pub fn router_from_wat(wat_file: &str) -> Vec<u8> {
    component_from_wat(wat_file, &[], "ticket-router")
}

/// A noise complaint at 23:30 on a Saturday.
pub fn night_ticket() -> NewTicket {
    NewTicket {
        district: "dst_1".to_owned(),
        street: Some("str_4".to_owned()),
        category: "cat_noise".to_owned(),
        channel: Channel::App,
        text: "Loud music\n\nParty next door since 22:00.".to_owned(),
        location: None,
        submitted_at: 1_790_000_000_000,
        minute_of_day: 23 * 60 + 30,
        weekday: 6,
    }
}

/// Runs every `fixtures/<case>.json` of an example through `hook` with the example's
/// `config.json` and compares the decision with `fixtures/<case>.expected.json`.
/// Returns the number of cases, so a test can insist there were some.
pub fn check_example_fixtures(
    plugin: &civitas_plugins::CompiledPlugin,
    hook: civitas_plugins::Hook,
    example: &Path,
) -> usize {
    let config = std::fs::read_to_string(example.join("config.json")).expect("config.json");
    let settings = civitas_plugins::CallSettings {
        config_json: std::sync::Arc::from(config),
        limits: civitas_plugins::CallLimits::default(),
    };
    let mut cases = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(example.join("fixtures"))
        .expect("fixtures dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json") && !path.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    entries.sort();
    for input_path in entries {
        let input: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&input_path).expect("input")).expect("input is JSON");
        let expected_path = input_path.with_extension("expected.json");
        let expected: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&expected_path).expect("expected file")).expect("expected is JSON");
        let report = engine().call_json(plugin, &settings, hook, input).expect("input has the hook's shape");
        match report.outcome {
            Ok(Ok(decision)) => assert_eq!(decision, expected, "{}", input_path.display()),
            other => panic!("{}: {other:?}", input_path.display()),
        }
        cases += 1;
    }
    cases
}
