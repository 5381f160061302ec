//! Precompiled artifacts are written once and loaded instead of compiling.

use civitas_plugins::{EngineSettings, PluginEngine};

use crate::support::router_from_wat;

#[test]
fn a_second_engine_loads_the_precompiled_artifact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings =
        EngineSettings { cache_dir: Some(dir.path().to_owned()), pooling: false, ..EngineSettings::default() };
    let bytes = router_from_wat("echo_config.wat");

    let first = PluginEngine::new(settings.clone()).expect("engine").compile(&bytes).expect("compiles");
    assert!(!first.from_cache());
    let artifacts: Vec<_> = std::fs::read_dir(dir.path()).expect("cache dir").collect();
    assert_eq!(artifacts.len(), 1);

    let second = PluginEngine::new(settings).expect("engine").compile(&bytes).expect("loads");
    assert!(second.from_cache());
    assert_eq!(second.sha256(), first.sha256());
    assert_eq!(second.hooks(), first.hooks());
}

#[test]
fn a_corrupt_artifact_is_recompiled_not_trusted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings =
        EngineSettings { cache_dir: Some(dir.path().to_owned()), pooling: false, ..EngineSettings::default() };
    let bytes = router_from_wat("echo_config.wat");
    PluginEngine::new(settings.clone()).expect("engine").compile(&bytes).expect("compiles");
    for entry in std::fs::read_dir(dir.path()).expect("cache dir") {
        std::fs::write(entry.expect("entry").path(), b"not an artifact").expect("overwrite");
    }
    let plugin = PluginEngine::new(settings).expect("engine").compile(&bytes).expect("recompiles");
    assert!(!plugin.from_cache());
}
