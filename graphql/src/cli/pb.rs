//! `civitas pb tally` and `civitas pb check`: participatory-budgeting tallies of Pabulib files;
//! `civitas pb sweep`: a whole directory of them with every rule; `civitas pb export`: a tallied
//! process's ballots as a Pabulib file.

mod sweep;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use civitas_core::budgeting::{
    Election, Rule, TallyOptions, TallyProgress, TieBreaking, decompressed, parse_pabulib, plain_report, tally,
};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

/// The `pb` subcommands.
#[derive(Subcommand)]
pub enum PbCommand {
    /// Tally a Pabulib file: prints the selected project ids, one per line, in order of selection.
    Tally {
        /// The rule, e.g. greedy-cost, max-welfare-cost, phragmen, mes-cost, mes-cost+greedy,
        /// mes-cost-add1, mes-cost-add1+greedy, mes-cost-add1-exhaustive, mes-points, mes-borda.
        #[arg(long, value_parser = parse_rule)]
        rule: Rule,
        /// How ties are broken: lexicographic (project ids as strings, pabutools' default),
        /// most-votes or lowest-cost (both fall back to ids).
        #[arg(long, default_value = "lexicographic", value_parser = parse_tie_breaking)]
        tie_breaking: TieBreaking,
        /// Print the outcome in plain words: every project by name, funded or not, and why
        /// (amounts rounded to cents; --json has the exact figures).
        #[arg(long, conflicts_with = "json")]
        explain: bool,
        /// Print the selection and the explanations as JSON. Exact amounts are strings (an
        /// integer or a fraction, "25000/21"); rounded figures, such as equal shares' price
        /// `rho` or what each payer paid, are JSON numbers; no field holds both kinds.
        #[arg(long)]
        json: bool,
        /// With --explain or --json and an equal-shares rule: list the ids of the voters who
        /// paid for each bought project, group by group.
        #[arg(long)]
        payer_ids: bool,
        /// Refuse a file whose ballots break its own declarations (e.g. cost more than META
        /// `max_sum_cost`) instead of reading it as pabutools does, with a warning.
        #[arg(long)]
        strict: bool,
        /// The `.pb` file.
        file: PathBuf,
    },
    /// Validate a Pabulib file and summarise it (projects, voters, budget, vote type).
    Check {
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Refuse a file whose ballots break its own declarations (e.g. cost more than META
        /// `max_sum_cost`); without it each such ballot is a warning.
        #[arg(long)]
        strict: bool,
        /// The `.pb` file.
        file: PathBuf,
    },
    /// Tally every Pabulib file of a directory (`.pb`, `.pb.gz`) with every rule that applies,
    /// in one process: one TSV row per file and rule (file, rule, status, seconds, projects
    /// selected, error) on stdout, a summary on stderr. Files are read as `pb tally` reads them
    /// (ballots breaking the file's declarations are read as pabutools reads them).
    Sweep {
        /// Tallies at a time (default: one per core).
        #[arg(long)]
        jobs: Option<usize>,
        /// Only these rules, comma-separated (default: every rule that applies to each file).
        #[arg(long, value_delimiter = ',', value_parser = parse_rule)]
        rules: Vec<Rule>,
        /// The directory, e.g. `pb_files/` of a clone of pabulib/pabulib_files.
        dir: PathBuf,
    },
    /// Export a tallied budgeting process's counted ballots, anonymised, as a Pabulib file
    /// (what `GET /budgeting/processes/{id}.pb` serves): `civitas pb tally` on it gives the
    /// stored outcome.
    Export {
        /// The process (`pbp_…`).
        process_id: String,
        /// The file to write; stdout by default.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        data: super::DatabaseArgs,
    },
}

fn parse_rule(name: &str) -> Result<Rule, String> {
    name.parse().map_err(|error: civitas_core::budgeting::TallyError| error.to_string())
}

fn parse_tie_breaking(name: &str) -> Result<TieBreaking, String> {
    name.parse()
}

/// Runs a `pb` subcommand.
pub fn run(command: PbCommand) -> anyhow::Result<()> {
    match command {
        PbCommand::Tally { rule, tie_breaking, explain, json, payer_ids, strict, file } => {
            let election = load(&file, strict)?;
            if let Some(first) = election.warnings.first() {
                eprintln!(
                    "warning: {} ballots break the file's declarations, read as pabutools reads them (first: {first}; \
                     `civitas pb check` lists them, --strict refuses the file)",
                    election.warnings.len()
                );
            }
            let options = TallyOptions { tie_breaking, payer_ids, ..TallyOptions::default() };
            run_tally(&file, &election, rule, options, explain, json)
        }
        PbCommand::Check { json, strict, file } => run_check(&file, json, strict),
        PbCommand::Sweep { jobs, rules, dir } => sweep::run(&dir, jobs, &rules),
        PbCommand::Export { process_id, out, data } => super::runtime()?.block_on(run_export(&process_id, out, &data)),
    }
}

async fn run_export(process_id: &str, out: Option<PathBuf>, data: &super::DatabaseArgs) -> anyhow::Result<()> {
    let id: civitas_core::ids::BudgetProcessId = process_id.parse()?;
    let db = civitas_core::db::connect(&data.existing_url()?).await?;
    let ctx = civitas_core::Context::new(db);
    let text = civitas_core::budget_processes::pabulib_export(&ctx, id)
        .await
        .with_context(|| format!("cannot export {id}"))?;
    match &out {
        Some(path) => std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    if let Some(path) = out {
        eprintln!("exported the ballots of {id} to {}", path.display());
    }
    Ok(())
}

/// The election in `file`; with `strict`, a file whose rows break its declarations is refused.
fn load(file: &Path, strict: bool) -> anyhow::Result<Election> {
    let reader = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let text = decompressed(reader).with_context(|| format!("cannot read {}", file.display()))?;
    let election = parse_pabulib(text).with_context(|| format!("{} is not a valid Pabulib file", file.display()))?;
    if strict && let Some(first) = election.warnings.first() {
        anyhow::bail!(
            "{} is not a valid Pabulib file (--strict): {first}; {} ballots break the file's declarations",
            file.display(),
            election.warnings.len()
        );
    }
    Ok(election)
}

fn run_tally(
    file: &Path,
    election: &Election,
    rule: Rule,
    options: TallyOptions<'_>,
    explain: bool,
    json: bool,
) -> anyhow::Result<()> {
    // Add-one completions can run for a while on large elections; show how far they are.
    // indicatif draws nothing when stderr is not a terminal, so scripts see clean output.
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(200));
    spinner.set_message(format!("tallying {} with {rule}", file.display()));
    let report = |progress: TallyProgress| {
        spinner.set_message(format!(
            "{rule}: {} runs, per-voter budget {:.2}",
            progress.evaluations, progress.per_voter_budget
        ));
    };
    let options = TallyOptions { progress: Some(&report), ..options };
    let outcome = tally(election, rule, &options);
    spinner.finish_and_clear();
    let outcome = outcome.with_context(|| format!("cannot tally {} with {rule}", file.display()))?;
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &outcome)?;
        writeln!(stdout)?;
    } else if explain {
        write!(stdout, "{}", plain_report(election, &outcome))?;
        let payers = payer_lists(&outcome.explanations);
        if !payers.is_empty() {
            write!(stdout, "\nWho paid (voter ids from the file):\n{payers}")?;
        }
    } else {
        for id in &outcome.selected {
            writeln!(stdout, "{id}")?;
        }
    }
    Ok(())
}

/// The voters who paid for each bought project, when the tally listed them.
fn payer_lists(explanations: &[civitas_core::budgeting::ProjectExplanation]) -> String {
    let mut text = String::new();
    for explanation in explanations {
        if let civitas_core::budgeting::Reason::EqualSharesBought { round, payers, .. } = &explanation.reason {
            for group in payers {
                let Some(ids) = &group.voter_ids else { continue };
                let paid = if group.paid_everything_left {
                    "all they had left".to_owned()
                } else {
                    format!("{:.2} each", group.paid_each)
                };
                let project = match &explanation.name {
                    Some(name) => format!("{name} (project {})", explanation.project_id),
                    None => format!("project {}", explanation.project_id),
                };
                text.push_str(&format!("  {project}, round {round}, {paid}: {}\n", ids.join(" ")));
            }
        }
    }
    text
}

/// What `pb check` reports.
#[derive(serde::Serialize)]
struct Summary {
    file: String,
    vote_type: String,
    projects: usize,
    voters: u64,
    distinct_ballots: usize,
    budget: civitas_core::budgeting::Exact,
    total_cost_of_all_projects: civitas_core::budgeting::Exact,
    applicable_rules: Vec<&'static str>,
    warnings: Vec<String>,
}

fn run_check(file: &Path, json: bool, strict: bool) -> anyhow::Result<()> {
    let election = load(file, strict)?;
    let mut warnings: Vec<String> = election.warnings.iter().map(ToString::to_string).collect();
    let declared = |key: &str| election.meta_value(key).and_then(|value| value.trim().parse::<u64>().ok());
    if let Some(count) = declared("num_projects").filter(|&count| count != election.projects.len() as u64) {
        warnings.push(format!("META num_projects is {count} but the file lists {} projects", election.projects.len()));
    }
    if let Some(count) = declared("num_votes").filter(|&count| count != election.voter_count()) {
        warnings.push(format!("META num_votes is {count} but the file has {} votes", election.voter_count()));
    }
    let unsupported = election.supporter_counts().iter().filter(|&&count| count == 0).count();
    if unsupported > 0 {
        warnings.push(format!("{unsupported} projects have no votes"));
    }
    let over_budget = election.projects.iter().filter(|project| project.cost > election.budget).count();
    if over_budget > 0 {
        warnings.push(format!("{over_budget} projects cost more than the whole budget"));
    }
    let all: Vec<usize> = (0..election.projects.len()).collect();
    let summary = Summary {
        file: file.display().to_string(),
        vote_type: election.vote_type.pabulib_name().to_owned(),
        projects: election.projects.len(),
        voters: election.voter_count(),
        distinct_ballots: election.ballots.len(),
        budget: civitas_core::budgeting::Exact::from(election.budget.clone()),
        total_cost_of_all_projects: civitas_core::budgeting::Exact::from(election.total_cost(&all)),
        applicable_rules: Rule::ALL
            .into_iter()
            .filter(|rule| rule.applies_to(election.vote_type))
            .map(Rule::name)
            .collect(),
        warnings,
    };
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &summary)?;
        writeln!(stdout)?;
        return Ok(());
    }
    writeln!(stdout, "{}: valid Pabulib file", summary.file)?;
    writeln!(stdout, "vote type: {}", summary.vote_type)?;
    writeln!(stdout, "projects: {}", summary.projects)?;
    writeln!(stdout, "voters: {} ({} distinct ballots)", summary.voters, summary.distinct_ballots)?;
    writeln!(stdout, "budget: {} (all projects together cost {})", summary.budget, summary.total_cost_of_all_projects)?;
    writeln!(stdout, "rules: {}", summary.applicable_rules.join(", "))?;
    for warning in &summary.warnings {
        writeln!(stdout, "warning: {warning}")?;
    }
    Ok(())
}
