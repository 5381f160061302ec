//! Fuzzing the Pabulib parser with proptest: random edits of the seed corpus
//! (`tests/fixtures/pabulib-corpus/`, real quirks and past failures) must parse or be rejected
//! with an error — never panic, hang or allocate without bound. proptest keeps the inputs of any
//! failure in `proptest-regressions/` so that they are replayed on every run.

use civitas_core::budgeting::{ParseLimits, Rule, TallyOptions, parse_pabulib_with_limits, tally};
use proptest::prelude::*;
use std::path::PathBuf;

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pabulib-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "pb"))
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|path| std::fs::read(path).expect("readable seed")).collect();
    assert!(seeds.len() >= 5, "the seed corpus is missing");
    seeds
}

/// One edit of a seed: overwrite, insert or delete a byte, or splice in a Pabulib token.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Token(usize, &'static str),
}

const TOKENS: [&str; 14] = [
    ";",
    "\n",
    "\r\n",
    "\"",
    ",",
    "META",
    "PROJECTS",
    "VOTES",
    "None",
    "-1",
    "1e999",
    "0/0",
    "\u{feff}",
    "9999999999999999999999",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set(at, byte)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert(at, byte)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), proptest::sample::select(TOKENS.to_vec())).prop_map(|(at, token)| Edit::Token(at, token)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Set(at, byte) if !bytes.is_empty() => bytes[at % len] = byte,
            Edit::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), byte),
            Edit::Delete(at) if !bytes.is_empty() => {
                bytes.remove(at % len);
            }
            Edit::Token(at, token) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, token.bytes());
            }
            _ => {}
        }
    }
    bytes
}

#[test]
fn every_seed_is_a_valid_file() {
    for seed in corpus() {
        if let Err(error) = parse_pabulib_with_limits(&seed[..], ParseLimits::default()) {
            panic!("{error}\n{}", String::from_utf8_lossy(&seed));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn edited_files_parse_or_fail_cleanly(seed in 0usize..64, edits in proptest::collection::vec(edit(), 1..8)) {
        let seeds = corpus();
        let input = apply(&seeds[seed % seeds.len()], &edits);
        let limits = ParseLimits { max_line_bytes: 64 * 1024 };
        match parse_pabulib_with_limits(&input[..], limits) {
            Ok(election) => {
                // Whatever parses must also tally (or be refused) without a panic.
                for rule in [Rule::GreedyCost, Rule::MesCost, Rule::Phragmen, Rule::MaxWelfareCost, Rule::MesPoints, Rule::MesBorda] {
                    let _ = tally(&election, rule, &TallyOptions::default());
                }
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}
