//! The domain's work that runs on a schedule rather than in answer to a request: the deadline
//! sweeper and the outbox's consumers. An embedder starts all of it with one call, [`spawn`];
//! every instance of a deployment may run it (sweeps and deliveries are safe to run at once).

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::context::Context;
use crate::email::{self, EmailWriter, Mailer};
use crate::events::{self, EventConsumer, PluginListeners};
use crate::{budget_processes, realtime, surveys, tickets};

/// How often each background task runs.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Between deadline sweeps (escalations, auto-close).
    pub sweep_every: Duration,
    /// Between delivery rounds of each event consumer.
    pub deliver_every: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { sweep_every: Duration::from_secs(60), deliver_every: Duration::from_secs(1) }
    }
}

/// The running tasks; dropping this stops them.
#[derive(Debug)]
pub struct BackgroundTasks {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for BackgroundTasks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the sweeper and every event consumer (today the districts' listener plugins, run by
/// `ctx.hooks`) on the current tokio runtime. A failed round is logged and retried at the next.
pub fn spawn(ctx: &Context, schedule: &Schedule) -> BackgroundTasks {
    BackgroundTasks {
        tasks: vec![
            spawn_sweeper(ctx.clone(), schedule.sweep_every),
            spawn_consumer(ctx.clone(), PluginListeners, schedule.deliver_every),
        ],
    }
}

/// Starts email: the writer (ticket changes → messages in the outbox) as an event consumer,
/// and the worker that hands due messages to `mailer` every `deliver_every`. Dropping the
/// result stops both.
pub fn spawn_email(ctx: &Context, writer: EmailWriter, mailer: Mailer, schedule: &Schedule) -> BackgroundTasks {
    let every = schedule.deliver_every;
    let worker_ctx = ctx.clone();
    let worker = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            // A full batch means more may be due: go on at once rather than a tick later.
            loop {
                match email::deliver_due(&worker_ctx, &mailer).await {
                    Ok(round) => {
                        if round != Default::default() {
                            tracing::info!(?round, "email delivery");
                        }
                        if round.handled() < email::DELIVERY_BATCH {
                            break;
                        }
                    }
                    Err(error) => {
                        tracing::error!(%error, "email delivery failed");
                        break;
                    }
                }
            }
        }
    });
    BackgroundTasks { tasks: vec![spawn_consumer(ctx.clone(), writer, every), worker] }
}

/// Starts `ctx.feed` on the outbox (see [`crate::realtime`]); dropping the result stops it.
pub fn spawn_feed(ctx: &Context) -> BackgroundTasks {
    BackgroundTasks { tasks: vec![tokio::spawn(realtime::run(ctx.clone(), ctx.feed.clone()))] }
}

fn spawn_sweeper(ctx: Context, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match tickets::sweep(&ctx).await {
                Ok(report) if report != Default::default() => tracing::info!(?report, "deadline sweep"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "deadline sweep failed"),
            }
            match surveys::sweep(&ctx).await {
                Ok(report) if report != Default::default() => tracing::info!(?report, "survey windows"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "survey sweep failed"),
            }
            match budget_processes::sweep(&ctx).await {
                Ok(report) if report.advanced > 0 => tracing::info!(?report, "budgeting phases"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "budgeting sweep failed"),
            }
        }
    })
}

fn spawn_consumer<C: EventConsumer + 'static>(ctx: Context, consumer: C, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match events::deliver(&ctx, &consumer).await {
                Ok(report) if report.applied + report.failed > 0 => {
                    tracing::info!(consumer = consumer.name(), ?report, "event delivery");
                }
                Ok(_) => {}
                Err(error) => tracing::error!(consumer = consumer.name(), %error, "event delivery failed"),
            }
        }
    })
}
