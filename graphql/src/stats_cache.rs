//! Public aggregates kept for a few seconds: `ticketStats` needs no token, so any page or script
//! can ask for it in a loop; the same question within [`TTL`] is answered from memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use civitas_core::Context;
use civitas_core::ids::{DepartmentId, DistrictId};
use civitas_core::tickets::{self, StatsQuery, TicketError, TicketStats};

/// How long an answer is reused.
pub const TTL: Duration = Duration::from_secs(10);
/// How many different questions are kept at most.
pub const CAPACITY: usize = 1_000;

type Key = (Option<DistrictId>, Option<DepartmentId>, DateTime<Utc>, DateTime<Utc>);

/// Recent answers of `ticketStats`, by question.
#[derive(Default)]
pub struct StatsCache {
    answers: Mutex<HashMap<Key, (Instant, TicketStats)>>,
}

impl StatsCache {
    /// The stats of `query`: computed at most once per [`TTL`].
    pub async fn stats(&self, ctx: &Context, query: &StatsQuery) -> Result<TicketStats, TicketError> {
        let key = (query.district_id, query.department_id, query.from, query.to);
        let now = Instant::now();
        if let Some((at, stats)) = self.lock().get(&key)
            && now.duration_since(*at) < TTL
        {
            return Ok(stats.clone());
        }
        let stats = tickets::stats(ctx, query).await?;
        let mut answers = self.lock();
        if answers.len() >= CAPACITY {
            answers.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            if answers.len() >= CAPACITY {
                answers.clear();
            }
        }
        answers.insert(key, (now, stats.clone()));
        Ok(stats)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, (Instant, TicketStats)>> {
        self.answers.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}
