//! Committed domain events as they happen, for live readers (GraphQL subscriptions).
//!
//! Each server instance runs one [`Feed`]: a single task that tails the `domain_events` outbox
//! and broadcasts each newly committed event to the instance's live readers, so that a
//! thousand subscribers cost one query per batch of changes, not a thousand. Readers therefore
//! only ever see committed state, and re-read what they show from storage with their caller's
//! scope.
//!
//! The feed reads when told that something was committed — by this instance
//! ([`Feed::committed`], after a mutation) or by another one ([`Feed::heard`], e.g. through
//! Redis pub/sub, which the transport wires up) — and at least every poll interval otherwise
//! (background work, a lost message). What this instance committed is announced on
//! [`Feed::announcements`] for the transport to pass on to the other instances.

mod feed;
mod frontier;

pub use feed::{Feed, FeedSettings, run};
