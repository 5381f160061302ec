//! Redis, for what must cross server instances: the fan-out of live events (pub/sub under a
//! channel of the deployment's prefix) and mutation rate limits (GCRA in a Lua script, atomic
//! in Redis). PostgreSQL stays the only system of record: Redis holds nothing that cannot be
//! lost, and an outage degrades each instance to its own broadcast and limits (logged, and
//! `civitas_redis_up 0` in `/metrics`) without failing a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use civitas_core::realtime::Feed;
use futures::StreamExt;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::task::JoinHandle;

/// How long one Redis command may take before the instance falls back to itself.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// How long requests count in process after Redis failed to answer one, before asking again.
const RETRY_AFTER_FAILURE_MS: u64 = 1_000;
/// The longest wait between two attempts to reach Redis again.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// Where `check_rate` keeps its state: GCRA's "theoretical arrival time" per key, in ms.
const GCRA: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - interval * burst
if allow_at > now then return allow_at - now end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, new_tat - now))
return 0
";

/// A deployment's Redis: one multiplexed connection (re-established on its own), a prefix for
/// every key and channel, and whether Redis answered lately.
#[derive(Clone)]
pub struct RedisLink {
    client: redis::Client,
    manager: ConnectionManager,
    prefix: Arc<str>,
    instance: Arc<str>,
    up: Arc<AtomicBool>,
    /// When Redis last failed to answer, in ms since the link was made (0: never).
    failed_at_ms: Arc<AtomicU64>,
    born: Instant,
    script: Arc<redis::Script>,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink").field("prefix", &self.prefix).field("up", &self.is_up()).finish()
    }
}

impl RedisLink {
    /// A link to the Redis at `url` (`redis://host:6379/0`), with keys and channels under
    /// `prefix`; it connects lazily, so a server starts even while Redis is down.
    pub fn new(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(MAX_RECONNECT_DELAY);
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(RedisLink {
            client,
            manager,
            prefix: Arc::from(prefix),
            instance: Arc::from(uuid_like().as_str()),
            up: Arc::new(AtomicBool::new(false)),
            failed_at_ms: Arc::default(),
            born: Instant::now(),
            script: Arc::new(redis::Script::new(GCRA)),
        })
    }

    /// Whether Redis answered the last time it was asked.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// Whether a request should ask Redis: yes unless it failed within the last second (then
    /// requests count in process without waiting for a timeout each).
    pub fn worth_asking(&self) -> bool {
        let failed_at = self.failed_at_ms.load(Ordering::Acquire);
        self.is_up() || failed_at == 0 || self.elapsed_ms().saturating_sub(failed_at) >= RETRY_AFTER_FAILURE_MS
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX).max(1)
    }

    fn mark(&self, up: bool, error: Option<&redis::RedisError>) {
        if !up {
            self.failed_at_ms.store(self.elapsed_ms(), Ordering::Release);
        }
        let was = self.up.swap(up, Ordering::AcqRel);
        match (was, up) {
            (false, true) => tracing::info!("redis reachable: events fan out and rate limits are shared"),
            (true, false) => tracing::warn!(
                error = error.map(ToString::to_string),
                "redis unreachable: this instance broadcasts and limits on its own until it returns"
            ),
            _ => {}
        }
    }

    /// The channel every instance of the deployment publishes its commits on.
    fn channel(&self) -> String {
        format!("{}:events", self.prefix)
    }

    /// Counts `cost` requests against `key` (`rate`: one per `interval`, bursts of `burst`);
    /// how long to wait if they are refused. An error when Redis cannot say (the caller then
    /// counts in process).
    pub async fn check_rate(
        &self,
        key: &str,
        interval: Duration,
        burst: u32,
        cost: u32,
    ) -> redis::RedisResult<Option<Duration>> {
        let key = format!("{}:rate:{key}", self.prefix);
        let interval_ms = interval.as_millis().max(1) as u64;
        let mut connection = self.manager.clone();
        let outcome = tokio::time::timeout(
            COMMAND_TIMEOUT,
            self.script.key(key).arg(interval_ms).arg(burst).arg(cost).invoke_async::<u64>(&mut connection),
        )
        .await
        .unwrap_or_else(|_| Err(timed_out()));
        match outcome {
            Ok(wait_ms) => {
                self.mark(true, None);
                Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms)))
            }
            Err(error) => {
                self.mark(false, Some(&error));
                Err(error)
            }
        }
    }

    /// Runs the fan-out of `feed`: publishes what this instance commits, and wakes the feed when
    /// another instance publishes. Dropping the handles stops it.
    pub fn spawn_fanout(&self, feed: &Feed) -> Vec<JoinHandle<()>> {
        vec![tokio::spawn(self.clone().publish(feed.clone())), tokio::spawn(self.clone().listen(feed.clone()))]
    }

    async fn publish(self, feed: Feed) {
        let mut announcements = feed.announcements();
        let channel = self.channel();
        while announcements.changed().await.is_ok() {
            let position = *announcements.borrow_and_update();
            let message = format!("{} {position}", self.instance);
            let mut connection = self.manager.clone();
            let sent = tokio::time::timeout(COMMAND_TIMEOUT, connection.publish::<_, _, i64>(&channel, message))
                .await
                .unwrap_or_else(|_| Err(timed_out()));
            match sent {
                Ok(_) => self.mark(true, None),
                // The other instances still read it at their next poll.
                Err(error) => self.mark(false, Some(&error)),
            }
        }
    }

    async fn listen(self, feed: Feed) {
        let channel = self.channel();
        let own = format!("{} ", self.instance);
        let mut delay = Duration::from_millis(100);
        loop {
            let subscribed = async {
                let mut pubsub = self.client.get_async_pubsub().await?;
                pubsub.subscribe(&channel).await?;
                Ok::<_, redis::RedisError>(pubsub)
            };
            match tokio::time::timeout(COMMAND_TIMEOUT * 4, subscribed).await.unwrap_or_else(|_| Err(timed_out())) {
                Ok(pubsub) => {
                    self.mark(true, None);
                    delay = Duration::from_millis(100);
                    // What was committed elsewhere while the link was down is read now.
                    feed.heard();
                    let mut messages = pubsub.into_on_message();
                    while let Some(message) = messages.next().await {
                        let from_here = message.get_payload_bytes().starts_with(own.as_bytes());
                        if !from_here {
                            feed.heard();
                        }
                    }
                    self.mark(false, None);
                }
                Err(error) => self.mark(false, Some(&error)),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(MAX_RECONNECT_DELAY);
        }
    }
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Io, "redis did not answer in time"))
}

/// An identifier of this process among the deployment's instances.
fn uuid_like() -> String {
    use rand::Rng;
    format!("{:016x}", rand::rng().random::<u64>())
}
