//! Seeds a database with the demo directory and two approval budgeting processes of district 1,
//! each with P projects (default 100), for the budgeting benchmarks (issue 17):
//!
//! - `pbp_1` gets N ballots (default 100,000) and is then closed — `budget_processes::advance`
//!   into `TALLIED`: the counted ballots read into an election, tallied by `mes-cost+greedy`,
//!   the outcome stored in the transaction that changes the phase — and the time of that close
//!   is printed (the goal: under 2 s for 100,000 ballots and 100 projects);
//! - `pbp_2` is left in `VOTING`, for `bench_load --operation ballot` (projects `prj_{P+1}` on).
//!
//! `cargo run --release -p civitas-examples --bin budget_seed -- --database-url URL`
//!
//! The processes and projects are made through the service API. The ballots are inserted with
//! multi-row SQL (a random ID, a receipt, `APP`, `COUNTED`, the approvals as `cast` stores them,
//! and a participation row each), not through `cast`, so that 100,000 take seconds; every
//! ballot is within the process's limits (1 to 10 approvals, no cost limit). Voters favour some
//! projects: each approval draws project `i` with a weight falling with `i`. Run it on an empty
//! database.

use std::time::Instant;

use civitas_core::auth::Caller;
use civitas_core::budget_processes::{
    self as pb, BallotChoices, BallotFormat, BallotRules, BudgetPhase, BudgetProcessDraft, Feasibility, ProjectProposal,
};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::{BudgetProjectId, DistrictId};
use civitas_core::{Context, db, demo};
use clap::Parser;
use sea_orm::ConnectionTrait;

#[derive(Parser)]
struct Args {
    /// `sqlite://…?mode=rwc` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Ballots of the process that is closed.
    #[arg(long, default_value_t = 100_000)]
    ballots: u64,
    /// Projects of each process.
    #[arg(long, default_value_t = 100)]
    projects: u64,
}

/// A small deterministic generator, so that every run seeds the same ballots.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

/// A process of district 1 in `VOTING`, with `count` feasible projects.
async fn voting_process(
    ctx: &Context,
    admin: &Caller,
    count: u64,
    rng: &mut Lcg,
) -> anyhow::Result<(pb::BudgetProcess, Vec<BudgetProjectId>)> {
    let draft = BudgetProcessDraft {
        title: Some(text("Benchmark budget")),
        budget: Some("5000000".into()),
        currency: Some("CNY".into()),
        format: Some(BallotFormat::Approval),
        rules: Some(BallotRules { max_projects: Some(10), ..BallotRules::default() }),
        rule: Some("mes-cost+greedy".into()),
        ..BudgetProcessDraft::default()
    };
    let process = pb::create(ctx, admin, Some(DistrictId(1)), draft).await?;
    let mut projects = Vec::new();
    for n in 0..count {
        let cost = 50_000 + rng.below(450_000);
        let proposal = ProjectProposal {
            title: text(&format!("Project {n}")),
            description: None,
            cost: cost.to_string(),
            street_id: None,
            latitude: None,
            longitude: None,
        };
        projects.push(pb::propose(ctx, admin, process.id, proposal).await?.id);
    }
    pb::advance(ctx, admin, process.id).await?;
    for project in &projects {
        pb::review(ctx, admin, *project, Feasibility::Feasible { cost: None }).await?;
    }
    let process = pb::advance(ctx, admin, process.id).await?;
    anyhow::ensure!(process.phase == BudgetPhase::Voting, "the process is not voting");
    Ok((process, projects))
}

/// Project `i` of `n`, drawn with a weight falling with `i` (a few popular projects, a long tail).
fn favoured(rng: &mut Lcg, n: u64) -> u64 {
    let a = rng.below(n);
    let b = rng.below(n);
    a.min(b)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.projects >= 10, "--projects must be at least 10");
    let connection = db::connect(&args.database_url).await?;
    db::migrate(&connection).await?;
    let ctx = Context::new(connection);
    if demo::seed_directory(&ctx).await?.is_none() {
        anyhow::bail!("the database is not empty");
    }
    let admin = Caller::city_admin("bench");
    let mut rng = Lcg(2027);
    let (closing, projects) = voting_process(&ctx, &admin, args.projects, &mut rng).await?;
    let (open, _) = voting_process(&ctx, &admin, args.projects, &mut rng).await?;

    let started = Instant::now();
    let mut inserted = 0u64;
    let mut receipts = std::collections::HashSet::new();
    while inserted < args.ballots {
        let chunk = (args.ballots - inserted).min(1_000);
        let mut ballots = Vec::new();
        let mut participations = Vec::new();
        for n in inserted..inserted + chunk {
            let count = 1 + rng.below(10);
            let mut approvals: Vec<BudgetProjectId> = Vec::new();
            while (approvals.len() as u64) < count {
                let project = projects[usize::try_from(favoured(&mut rng, args.projects))?];
                if !approvals.contains(&project) {
                    approvals.push(project);
                }
            }
            let choices = serde_json::to_string(&BallotChoices { approvals, ..BallotChoices::default() })?;
            let id = 1 + (rng.next() << 20 | rng.next() & 0xF_FFFF) % (1 << 52);
            let receipt = loop {
                let code = format!("BENCH{:011}", rng.below(100_000_000_000));
                if receipts.insert(code.clone()) {
                    break code;
                }
            };
            ballots.push(format!("({id}, {}, '{receipt}', 'APP', 'COUNTED', '{choices}')", closing.id.0));
            participations.push(format!("({}, 'bench-voter-{n}', {id})", closing.id.0));
        }
        ctx.db
            .execute_unprepared(&format!(
                "INSERT INTO budget_ballots (id, process_id, receipt, channel, status, choices) VALUES {}",
                ballots.join(", ")
            ))
            .await?;
        ctx.db
            .execute_unprepared(&format!(
                "INSERT INTO budget_participations (process_id, participant_key, ballot_ref) VALUES {}",
                participations.join(", ")
            ))
            .await?;
        inserted += chunk;
        if inserted.is_multiple_of(20_000) || inserted == args.ballots {
            eprintln!("{inserted} / {} ballots, {:.1} s", args.ballots, started.elapsed().as_secs_f64());
        }
    }
    if ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        ctx.db.execute_unprepared("ANALYZE").await?;
    }
    let turnout = pb::turnout(&ctx, closing.id).await?;
    anyhow::ensure!(turnout.total == args.ballots, "turnout {} for {} ballots", turnout.total, args.ballots);

    let closing_started = Instant::now();
    pb::advance(&ctx, &admin, closing.id).await?;
    let took = closing_started.elapsed();
    let results = pb::results(&ctx, closing.id).await?.ok_or_else(|| anyhow::anyhow!("no results after the close"))?;
    println!(
        "closed {} ({} ballots, {} projects, {}) in {:.0} ms: {} projects selected, total cost {}; {} is voting (projects prj_{}..)",
        closing.id,
        args.ballots,
        args.projects,
        results.rule,
        took.as_secs_f64() * 1000.0,
        results.selected.len(),
        results.total_cost,
        open.id,
        args.projects + 1,
    );
    Ok(())
}
