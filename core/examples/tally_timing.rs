//! Times a tally of one Pabulib file in process, for long cases that criterion's ten samples
//! make impractical (add-one on Budapest 2024 runs for a minute):
//!
//! `cargo run --release -p civitas-core --example tally_timing -- FILE.pb RULE [REPEATS] [STEPS]`
//!
//! Prints the best and mean wall time of REPEATS tallies (default 1), the file parsed once
//! beforehand, how many equal-shares runs an add-one completion computed, and the selection.
//! STEPS picks the add-one strategy: `adaptive` (the default), `unit` (one unit at a time, as
//! pabutools) or `always-jump` — all give the same outcome, which this shows on real files.

use civitas_core::budgeting::{AddOneStrategy, Rule, TallyOptions, decompressed, parse_pabulib, tally};
use std::process::ExitCode;
use std::time::Instant;

/// Seconds for people: µs below a millisecond, ms below a second.
fn human(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.2} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.3} ms", seconds * 1e3)
    } else {
        format!("{seconds:.3} s")
    }
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [file, rule, rest @ ..] = arguments.as_slice() else {
        eprintln!("usage: tally_timing FILE.pb[.gz] RULE [REPEATS]");
        return ExitCode::from(2);
    };
    let election = match std::fs::File::open(file)
        .map_err(|error| error.to_string())
        .and_then(|handle| decompressed(handle).map_err(|error| error.to_string()))
        .and_then(|text| parse_pabulib(text).map_err(|error| error.to_string()))
    {
        Ok(election) => election,
        Err(error) => {
            eprintln!("{file}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let rule: Rule = match rule.parse() {
        Ok(rule) => rule,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let repeats: u32 = rest.first().and_then(|repeats| repeats.parse().ok()).unwrap_or(1).max(1);
    let add_one_strategy = match rest.get(1).map(String::as_str) {
        None | Some("adaptive") => AddOneStrategy::Adaptive,
        Some("unit") => AddOneStrategy::UnitSteps,
        Some("always-jump") => AddOneStrategy::AlwaysJump,
        Some(other) => {
            eprintln!("unknown STEPS `{other}` (expected adaptive, unit or always-jump)");
            return ExitCode::from(2);
        }
    };
    let options = TallyOptions { add_one_strategy, ..TallyOptions::default() };
    let (mut best, mut total, mut runs, mut selected) = (f64::INFINITY, 0.0, None, Vec::new());
    for _ in 0..repeats {
        let started = Instant::now();
        let outcome = match tally(&election, rule, &options) {
            Ok(outcome) => outcome,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        best = best.min(seconds);
        total += seconds;
        runs = outcome.add_one_runs;
        selected = outcome.selected;
    }
    let runs = runs.map_or_else(String::new, |runs| format!(", {runs} equal-shares runs"));
    let mean = total / f64::from(repeats);
    println!("{file} {rule}: best {}, mean {} over {repeats}{runs}", human(best), human(mean));
    println!("selected: {}", selected.join(","));
    ExitCode::SUCCESS
}
