//! Tally speed on the shared Pabulib files (`cargo bench -p civitas-core --bench tally`):
//! parsing, and each rule on the instances where pabutools is slowest. Figures and the
//! comparison with pabutools are in BENCHMARKS.md.

use civitas_core::budgeting::{Election, Rule, TallyOptions, parse_pabulib, tally};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Duration;

fn path(instance: &str) -> PathBuf {
    std::env::var_os("CIVITAS_PABULIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/pabulib"))
        .join(instance)
}

fn load(instance: &str) -> Election {
    let file = std::fs::File::open(path(instance)).expect("shared Pabulib file");
    parse_pabulib(BufReader::new(file)).expect("valid file")
}

/// (instance, rules): the largest files, and pabutools' slowest cases in reference.tsv.
const CASES: &[(&str, &[&str])] = &[
    (
        "France_Toulouse_2022.pb",
        &[
            "greedy-cost",
            "max-welfare-cost",
            "phragmen",
            "mes-cost",
            "mes-cost+greedy",
            "mes-cost-add1",
            "mes-cost-add1+greedy",
        ],
    ),
    (
        "Poland_Lodz_2022.pb",
        &["greedy-cost", "max-welfare-cost", "phragmen", "mes-cost", "mes-cost+greedy", "mes-cost-add1+greedy"],
    ),
    (
        "Poland_Wroclaw_2015_150_-_500.pb",
        &["greedy-cost", "max-welfare-cost", "phragmen", "mes-cost", "mes-cost+greedy"],
    ),
    ("Poland_Warszawa_2026.pb", &["mes-cost", "mes-cost+greedy", "mes-cost-add1+greedy"]),
    ("Poland_Czestochowa_2020.pb", &["mes-cost-add1+greedy"]),
    ("Hungary_Budapest_2024.pb", &["greedy-cost", "max-welfare-cost", "phragmen", "mes-cost", "mes-cost+greedy"]),
    ("Poland_Krakow_2024.pb", &["greedy-cost", "mes-cost"]),
    ("Poland_Swiecie_2023.pb", &["greedy-points", "max-welfare-points", "mes-points"]),
    ("Netherlands_Amsterdam_212.pb", &["greedy-borda", "mes-borda"]),
];

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
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (instance, rules) in CASES {
        let election = load(instance);
        for rule in *rules {
            let rule: Rule = rule.parse().expect("known rule");
            group.bench_with_input(BenchmarkId::new(rule.name(), instance), &election, |bencher, election| {
                bencher.iter(|| tally(black_box(election), rule, &TallyOptions::default()).expect("tally"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, parsing, rules);
criterion_main!(benches);
