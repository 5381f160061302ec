//! The feed: one task per instance tailing the outbox and broadcasting what was committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::DbErr;
use tokio::sync::{Notify, broadcast, watch};

use super::frontier::Frontier;
use crate::context::Context;
use crate::events::{self, StoredEvent};

/// Events read per query.
const BATCH: u64 = 500;

/// How a feed runs.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// The longest wait between two reads when nobody says that anything was committed.
    pub poll_every: Duration,
    /// Events buffered for a reader that falls behind; a reader further behind is told that it
    /// lagged and catches up from storage.
    pub capacity: usize,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings { poll_every: Duration::from_secs(1), capacity: 4096 }
    }
}

/// One instance's stream of committed domain events (cheap to clone: one feed, many handles).
#[derive(Clone)]
pub struct Feed(Arc<Shared>);

struct Shared {
    events: broadcast::Sender<Arc<StoredEvent>>,
    wake: Notify,
    committed_here: AtomicBool,
    announced: watch::Sender<i64>,
    position: AtomicI64,
    settings: FeedSettings,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").field("position", &self.position()).field("readers", &self.readers()).finish()
    }
}

impl Default for Feed {
    fn default() -> Self {
        Feed::new(FeedSettings::default())
    }
}

impl Feed {
    /// A feed that reads nothing until [`run`] runs it.
    pub fn new(settings: FeedSettings) -> Self {
        let (events, _) = broadcast::channel(settings.capacity.max(16));
        let (announced, _) = watch::channel(0);
        Feed(Arc::new(Shared {
            events,
            wake: Notify::new(),
            committed_here: AtomicBool::new(false),
            announced,
            position: AtomicI64::new(0),
            settings,
        }))
    }

    /// Every event committed from now on, in the order the feed reads them.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.0.events.subscribe()
    }

    /// Something was committed through this instance: read it now, and announce it.
    pub fn committed(&self) {
        self.0.committed_here.store(true, Ordering::Release);
        self.0.wake.notify_one();
    }

    /// Another instance committed something: read it now.
    pub fn heard(&self) {
        self.0.wake.notify_one();
    }

    /// The newest position read after this instance committed something, for the other
    /// instances to hear of.
    pub fn announcements(&self) -> watch::Receiver<i64> {
        self.0.announced.subscribe()
    }

    /// The newest outbox position broadcast so far.
    pub fn position(&self) -> i64 {
        self.0.position.load(Ordering::Acquire)
    }

    /// How many readers are subscribed.
    pub fn readers(&self) -> usize {
        self.0.events.receiver_count()
    }
}

/// Runs `feed` on `ctx`'s outbox, from its newest event on, until dropped. A failed read is
/// logged and tried again at the next wake or poll.
pub async fn run(ctx: Context, feed: Feed) {
    let shared = &feed.0;
    let poll_every = shared.settings.poll_every;
    let start = loop {
        match events::latest(&ctx.db).await {
            Ok(newest) => break newest,
            Err(error) => {
                tracing::warn!(%error, "the event feed cannot read the outbox yet");
                tokio::time::sleep(poll_every).await;
            }
        }
    };
    shared.position.store(start, Ordering::Release);
    let mut frontier = Frontier::after(start);
    loop {
        tokio::select! {
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(poll_every) => {}
        }
        let here = shared.committed_here.swap(false, Ordering::AcqRel);
        match read_new(&ctx, &mut frontier).await {
            Ok(found) if found.is_empty() => {}
            Ok(found) => {
                for event in found {
                    if event.event.changes_plugins() {
                        // Perhaps another instance's change: which plugins serve is read afresh.
                        ctx.hooks.forget();
                    }
                    // No reader is not an error: the event is in storage for whoever comes.
                    let _ = shared.events.send(Arc::new(event));
                }
                shared.position.store(frontier.newest(), Ordering::Release);
                if here {
                    shared.announced.send_replace(frontier.newest());
                }
            }
            Err(error) => tracing::warn!(%error, "the event feed could not read the outbox"),
        }
    }
}

async fn read_new(ctx: &Context, frontier: &mut Frontier) -> Result<Vec<StoredEvent>, DbErr> {
    let now = Instant::now();
    frontier.expire(now);
    let mut found = Vec::new();
    loop {
        let rows = events::rows_after_or_among(&ctx.db, frontier.newest(), &frontier.gaps(), BATCH).await?;
        let full = rows.len() as u64 == BATCH;
        for row in rows {
            if !frontier.observe(row.id, now) {
                continue;
            }
            match StoredEvent::try_from(row) {
                Ok(event) => found.push(event),
                Err(error) => tracing::error!(%error, "the event feed skipped an event it cannot read"),
            }
        }
        if !full {
            return Ok(found);
        }
    }
}
