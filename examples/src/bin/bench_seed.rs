//! Seeds a database with the demo directory and N synthetic tickets, for load benchmarks.
//!
//! `cargo run --release -p civitas-examples --bin bench_seed -- --database-url URL --tickets 1000000`
//!
//! Tickets are inserted with one set-based SQL statement (a recursive CTE that both SQLite and
//! PostgreSQL run), not through `tickets::submit`, so that a million rows take seconds; the
//! statement is therefore tied to the current schema. Run it on an empty database.

use std::time::Instant;

use civitas_core::{Context, db, demo};
use clap::Parser;
use sea_orm::ConnectionTrait;

#[derive(Parser)]
struct Args {
    /// `sqlite://…?mode=rwc` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// How many tickets to create.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let connection = db::connect(&args.database_url).await?;
    db::migrate(&connection).await?;
    let ctx = Context::new(connection);
    if demo::seed_directory(&ctx).await?.is_none() {
        anyhow::bail!("the database is not empty");
    }
    let started = Instant::now();
    let now = chrono::Utc::now().timestamp_millis();
    // Districts 1-3, categories 10 per district, departments 5 per district, as the demo seeds
    // them into an empty database. Two thirds of the tickets are dispatched.
    let sql = format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count}) \
         INSERT INTO tickets (code, channel, district_id, category_id, title, description, priority, status, \
           department_id, respond_by_ms, resolve_by_ms, escalation_level, reopen_count, version, created_at_ms, \
           updated_at_ms, contact_phone) \
         SELECT 'B-' || n, 'PHONE', 1 + n % 3, (n % 3) * 10 + 1 + n % 10, 'Synthetic ticket ' || n, \
           'Seeded for load benchmarks', 'NORMAL', \
           CASE WHEN n % 3 = 0 THEN 'RECEIVED' ELSE 'DISPATCHED' END, \
           CASE WHEN n % 3 = 0 THEN NULL ELSE (n % 3) * 5 + 1 + n % 5 END, \
           {now} + 3600000, {now} + 86400000, 0, 0, 0, {now} - n * 1000, {now} - n * 1000, '13800000000' \
         FROM seq",
        count = args.tickets,
    );
    ctx.db.execute_unprepared(&sql).await?;
    let events = "INSERT INTO ticket_events (ticket_id, kind, actor_role, at_ms) \
                  SELECT id, 'SUBMITTED', 'operator', created_at_ms FROM tickets";
    ctx.db.execute_unprepared(events).await?;
    if ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        ctx.db.execute_unprepared("ANALYZE").await?;
    }
    println!("seeded {} tickets in {:.1} s", args.tickets, started.elapsed().as_secs_f64());
    Ok(())
}
