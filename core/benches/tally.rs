//! Tally speed on the real Pabulib files of `tests/data/pabulib` (`cargo bench -p civitas-core --bench tally`):
//! parsing the largest files, and every rule on every instance of `reference.tsv`. Figures and
//! the comparison with pabutools are in BENCHMARKS.md (`scripts/bench_table.py` joins them).

use civitas_core::budgeting::{Election, Rule, TallyOptions, decompressed, parse_pabulib, tally};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn path(instance: &str) -> PathBuf {
    let dir = std::env::var_os("CIVITAS_PABULIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pabulib"));
    let plain = dir.join(instance);
    if plain.is_file() { plain } else { dir.join(format!("{instance}.gz")) }
}

fn load(instance: &str) -> Election {
    let file = std::fs::File::open(path(instance)).expect("Pabulib file");
    parse_pabulib(decompressed(file).expect("readable")).expect("valid file")
}

/// Every (instance, rule) row of `reference.tsv` that pabutools finished, so that BENCHMARKS.md
/// can set each case next to pabutools' time (`scripts/bench_pabutools.py`).
fn reference_cases() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path("reference.tsv")).expect("reference.tsv");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let finished = fields.get(2).is_some_and(|seconds| !seconds.starts_with("NA"));
            finished.then(|| (fields[0].to_owned(), fields[1].to_owned()))
        })
        .collect()
}

fn parsing(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("parse");
    group.sample_size(10);
    for instance in ["Poland_Lodz_2022.pb", "Poland_Krakow_2024.pb", "Poland_Wroclaw_2015_150_-_500.pb"] {
        let bytes = std::fs::read(path(instance)).expect("shared Pabulib file");
        group.bench_with_input(BenchmarkId::from_parameter(instance), &bytes, |bencher, bytes| {
            bencher.iter(|| parse_pabulib(black_box(&bytes[..])).expect("valid"))
        });
    }
    group.finish();
}

fn rules(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("tally");
    group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    let mut loaded: Option<(String, Election)> = None;
    for (instance, rule) in reference_cases() {
        if loaded.as_ref().is_none_or(|(name, _)| *name != instance) {
            loaded = Some((instance.clone(), load(&instance)));
        }
        let Some((_, election)) = &loaded else { continue };
        let rule: Rule = rule.parse().expect("known rule");
        group.bench_with_input(BenchmarkId::new(rule.name(), &instance), election, |bencher, election| {
            bencher.iter(|| tally(black_box(election), rule, &TallyOptions::default()).expect("tally"))
        });
    }
    group.finish();
}

criterion_group!(benches, parsing, rules);
criterion_main!(benches);
