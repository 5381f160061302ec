//! Rate limits on mutations: per client IP for anonymous callers, per subject for residents;
//! operators, staff and admins are not limited. GCRA, in Redis when the deployment has one
//! (shared by every instance, atomic in a Lua script), else — or while Redis is unreachable —
//! in process (governor), each instance counting its own requests.
//!
//! Every root field of a mutation counts (ten aliased `submitTicket`s are ten), and the check
//! runs before any resolver: a refused request does no work.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_graphql::parser::types::{OperationType, Selection};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};
use civitas_core::auth::{Caller, Role};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::redis_link::RedisLink;

/// A rate such as `10/min`: so many requests per second, minute or hour, in bursts of at most
/// that many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed per period.
    pub count: NonZeroU32,
    /// The period.
    pub per: Duration,
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Rate, String> {
        let usage = || format!("`{text}` is not a rate such as 10/min (per s, min or h)");
        let (count, unit) = text.trim().split_once('/').ok_or_else(usage)?;
        let count: NonZeroU32 = count.trim().parse().map_err(|_| usage())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(usage()),
        };
        Ok(Rate { count, per })
    }
}

impl Rate {
    fn quota(self) -> Quota {
        let interval = self.per / self.count.get();
        Quota::with_period(interval.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(self.count))
            .allow_burst(self.count)
    }
}

/// How mutations are limited.
#[derive(Clone, Default)]
pub struct RateLimits {
    anonymous: Option<(Rate, Arc<DefaultKeyedRateLimiter<IpAddr>>)>,
    resident: Option<(Rate, Arc<DefaultKeyedRateLimiter<String>>)>,
    trusted_proxy_header: Option<HeaderName>,
    redis: Option<RedisLink>,
    checks: Arc<AtomicU64>,
}

/// The peer address of a request, when the server records it (`civitas serve` does).
pub struct PeerAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<PeerAddr, Self::Rejection> {
        Ok(PeerAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0)))
    }
}

impl RateLimits {
    /// Limits of `anonymous` mutations per client IP and `resident` ones per subject (`None`:
    /// unlimited); the client IP is the first address of `trusted_proxy_header` when given
    /// (e.g. `X-Forwarded-For` behind a load balancer), else the peer's.
    pub fn new(anonymous: Option<Rate>, resident: Option<Rate>, trusted_proxy_header: Option<HeaderName>) -> Self {
        RateLimits {
            anonymous: anonymous.map(|rate| (rate, Arc::new(RateLimiter::keyed(rate.quota())))),
            resident: resident.map(|rate| (rate, Arc::new(RateLimiter::keyed(rate.quota())))),
            trusted_proxy_header,
            redis: None,
            checks: Arc::default(),
        }
    }

    /// Counts in `redis`, shared by every instance, while it is reachable.
    pub fn shared_through(mut self, redis: RedisLink) -> Self {
        self.redis = Some(redis);
        self
    }

    /// How long the caller must wait before this request would be accepted, if it must; a
    /// request that is not a mutation, or a caller who is not limited, never waits.
    pub async fn check(
        &self,
        caller: &Caller,
        peer: Option<SocketAddr>,
        headers: &HeaderMap,
        request: &mut async_graphql::Request,
    ) -> Option<Duration> {
        let limited = match caller {
            Caller::Anonymous => self.anonymous.is_some(),
            _ if caller.is(Role::Resident) => self.resident.is_some(),
            _ => false,
        };
        if !limited {
            return None;
        }
        let fields = mutation_fields(request);
        let fields = NonZeroU32::new(u32::try_from(fields).unwrap_or(u32::MAX))?;
        let key = match caller {
            Caller::Anonymous => Key::Ip(self.client_ip(peer, headers)?),
            _ => Key::Subject(caller.subject()?.to_owned()),
        };
        let rate = match key {
            Key::Ip(_) => self.anonymous.as_ref()?.0,
            Key::Subject(_) => self.resident.as_ref()?.0,
        };
        if fields > rate.count {
            // More fields than the whole burst: never acceptable as one request.
            return Some(Duration::from_secs(60));
        }
        if let Some(redis) = self.redis.as_ref().filter(|redis| redis.worth_asking()) {
            let interval = rate.per / rate.count.get();
            // On an error it is counted here instead, until Redis answers again.
            if let Ok(wait) = redis.check_rate(&key.redis_key(), interval, rate.count.get(), fields.get()).await {
                return wait;
            }
        }
        self.check_in_process(key, fields)
    }

    fn check_in_process(&self, key: Key, fields: NonZeroU32) -> Option<Duration> {
        // Forget idle keys now and then, so that the table stays as small as the active set.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            if let Some((_, limiter)) = &self.anonymous {
                limiter.retain_recent();
            }
            if let Some((_, limiter)) = &self.resident {
                limiter.retain_recent();
            }
        }
        let outcome = match key {
            Key::Ip(ip) => self.anonymous.as_ref()?.1.check_key_n(&ip, fields),
            Key::Subject(subject) => self.resident.as_ref()?.1.check_key_n(&subject, fields),
        };
        match outcome {
            Ok(Ok(())) => None,
            Ok(Err(not_until)) => Some(not_until.wait_time_from(DefaultClock::default().now())),
            Err(_) => Some(Duration::from_secs(60)),
        }
    }

    fn client_ip(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let forwarded = self
            .trusted_proxy_header
            .as_ref()
            .and_then(|name| headers.get(name))
            .and_then(|value| value.to_str().ok()?.split(',').next()?.trim().parse::<IpAddr>().ok());
        forwarded.or(peer.map(|peer| peer.ip()))
    }
}

/// Whom a limit counts for.
enum Key {
    Ip(IpAddr),
    Subject(String),
}

impl Key {
    fn redis_key(&self) -> String {
        match self {
            Key::Ip(ip) => format!("ip:{ip}"),
            Key::Subject(subject) => format!("sub:{subject}"),
        }
    }
}

/// The root fields of the operation a request runs, if it is a mutation (0 otherwise, or when
/// it does not parse: execution then reports the error).
pub(crate) fn mutation_fields(request: &mut async_graphql::Request) -> usize {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else { return 0 };
    let operation = match &name {
        Some(name) => document.operations.iter().find(|(op, _)| op.map(|op| op.as_str()) == Some(name.as_str())),
        None => document.operations.iter().next(),
    };
    let Some((_, operation)) = operation else { return 0 };
    if operation.node.ty != OperationType::Mutation {
        return 0;
    }
    fn count(
        selections: &[async_graphql::Positioned<Selection>],
        document: &async_graphql::parser::types::ExecutableDocument,
        depth: u8,
    ) -> usize {
        selections
            .iter()
            .map(|selection| match &selection.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(fragment) if depth < 4 => {
                    count(&fragment.node.selection_set.node.items, document, depth + 1)
                }
                Selection::FragmentSpread(spread) if depth < 4 => document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |fragment| count(&fragment.node.selection_set.node.items, document, depth + 1)),
                _ => 1,
            })
            .sum()
    }
    count(&operation.node.selection_set.node.items, document, 0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_like_the_flags() {
        let rate: Rate = "10/min".parse().expect("rate");
        assert_eq!((rate.count.get(), rate.per), (10, Duration::from_secs(60)));
        assert!("ten/min".parse::<Rate>().is_err());
        assert!("10/week".parse::<Rate>().is_err());
        assert!("0/min".parse::<Rate>().is_err());
    }

    #[test]
    fn each_root_field_of_a_mutation_counts_and_queries_are_free() {
        let mut request = async_graphql::Request::new(
            "mutation { a: me { role } b: me { role } ...F } fragment F on Mutation { c: me { role } }",
        );
        assert_eq!(mutation_fields(&mut request), 3);
        let mut request = async_graphql::Request::new("{ me { role } }");
        assert_eq!(mutation_fields(&mut request), 0);
        let mut request =
            async_graphql::Request::new("query A { me { role } } mutation B { x: me { role } }").operation_name("B");
        assert_eq!(mutation_fields(&mut request), 1);
    }
}
