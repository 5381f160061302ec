//! `civitas pb sweep DIR`: every Pabulib file of a directory × every rule that applies, in one
//! process — each file read once, its rules sharing their common work through a `Tallier`, the
//! files spread over worker threads. Prints one TSV row per case and a summary on stderr.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use civitas_core::budgeting::{Rule, Tallier, TallyOptions};
use indicatif::{ProgressBar, ProgressStyle};

/// The pseudo-rule of the row that times reading a file.
const READ: &str = "(read)";

/// One case of the sweep: reading a file, or one rule on it.
struct Row {
    file: String,
    /// The rule's position in [`Rule::ALL`] (reading comes first), for a stable order.
    order: usize,
    rule: String,
    status: &'static str,
    seconds: f64,
    selected: Option<usize>,
    error: Option<String>,
}

/// Sweeps `dir` with `jobs` threads; `rules` (empty: all) narrows the rules tried.
pub fn run(dir: &Path, jobs: Option<usize>, rules: &[Rule]) -> anyhow::Result<()> {
    let files = pabulib_files(dir)?;
    anyhow::ensure!(!files.is_empty(), "no .pb or .pb.gz files in {}", dir.display());
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1);
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files, {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    bar.set_message(file_name(path));
                    let file_rows = sweep_file(path, rules);
                    rows.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(file_rows);
                    bar.inc(1);
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut rows = rows.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    rows.sort_by(|a, b| (&a.file, a.order).cmp(&(&b.file, b.order)));
    print_rows(&rows)?;
    eprint!("{}", summary(&rows, files.len(), jobs, elapsed));
    Ok(())
}

/// The `.pb` and `.pb.gz` files of `dir`, largest first so that the long ones start early.
fn pabulib_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the directory {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read the directory {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if (name.ends_with(".pb") || name.ends_with(".pb.gz")) && entry.file_type()?.is_file() {
            files.push((entry.metadata()?.len(), entry.path()));
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(files.into_iter().map(|(_, path)| path).collect())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// Reads one file and tallies it with every applicable rule (of `rules`, when given). A panic
/// of the engine is a failed case, not the end of the sweep.
fn sweep_file(path: &Path, rules: &[Rule]) -> Vec<Row> {
    let file = file_name(path);
    let row = |order, rule: &str, status, seconds, selected, error| Row {
        file: file.clone(),
        order,
        rule: rule.to_owned(),
        status,
        seconds,
        selected,
        error,
    };
    let started = Instant::now();
    let election = match super::load(path, false) {
        Ok(election) => election,
        Err(error) => {
            let seconds = started.elapsed().as_secs_f64();
            return vec![row(0, READ, "refused", seconds, None, Some(format!("{error:#}")))];
        }
    };
    let mut rows = vec![row(0, READ, "ok", started.elapsed().as_secs_f64(), None, None)];
    let mut tallier = Tallier::new(&election);
    for (position, rule) in Rule::ALL.into_iter().enumerate() {
        if !rule.applies_to(election.vote_type) || !(rules.is_empty() || rules.contains(&rule)) {
            continue;
        }
        let started = Instant::now();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tallier.tally(rule, &TallyOptions::default())));
        let seconds = started.elapsed().as_secs_f64();
        rows.push(match outcome {
            Ok(Ok(outcome)) => row(position + 1, rule.name(), "ok", seconds, Some(outcome.selected.len()), None),
            Ok(Err(error)) => row(position + 1, rule.name(), "failed", seconds, None, Some(error.to_string())),
            Err(_) => row(position + 1, rule.name(), "failed", seconds, None, Some("the tally panicked".to_owned())),
        });
        // A panic may leave the shared runs half-built: start afresh for the next rule.
        if matches!(rows.last(), Some(last) if last.error.as_deref() == Some("the tally panicked")) {
            tallier = Tallier::new(&election);
        }
    }
    rows
}

fn print_rows(rows: &[Row]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "file\trule\tstatus\tseconds\tselected\terror")?;
    for row in rows {
        let selected = row.selected.map(|count| count.to_string()).unwrap_or_default();
        let error = row.error.as_deref().unwrap_or_default().replace(['\t', '\n'], " ");
        writeln!(stdout, "{}\t{}\t{}\t{:.4}\t{selected}\t{error}", row.file, row.rule, row.status, row.seconds)?;
    }
    stdout.flush()
}

/// Files, cases, wall time, and per rule: cases that tallied, cases, seconds summed.
fn summary(rows: &[Row], files: usize, jobs: usize, elapsed: f64) -> String {
    let cases = rows.iter().filter(|row| row.rule != READ).count();
    let mut text = format!("files: {files}, cases: {cases}, wall time: {elapsed:.1} s with {jobs} threads\n");
    let mut per_rule: BTreeMap<(usize, &str), (usize, usize, f64)> = BTreeMap::new();
    for row in rows {
        let entry = per_rule.entry((row.order, row.rule.as_str())).or_default();
        entry.0 += usize::from(row.status == "ok");
        entry.1 += 1;
        entry.2 += row.seconds;
    }
    text.push_str("per rule (ok / cases, seconds summed):\n");
    for ((_, rule), (ok, count, seconds)) in per_rule {
        text.push_str(&format!("  {rule:<26} {ok:>5} / {count:>5}  {seconds:>8.1} s\n"));
    }
    let mut slowest: Vec<&Row> = rows.iter().filter(|row| row.rule != READ).collect();
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    text.push_str("slowest cases:\n");
    for row in slowest.into_iter().take(5) {
        text.push_str(&format!("  {:>7.2} s  {} {}\n", row.seconds, row.file, row.rule));
    }
    for row in rows.iter().filter(|row| row.status != "ok") {
        text.push_str(&format!("{} {}: {}\n", row.file, row.rule, row.error.as_deref().unwrap_or_default()));
    }
    text
}
