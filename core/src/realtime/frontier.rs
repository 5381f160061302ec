//! Which outbox positions the feed has read, with the gaps below the newest it has seen.
//!
//! IDs come from a sequence, and on PostgreSQL concurrent transactions commit out of order: the
//! event with ID 10 may become visible after 11. A reader that only asked for "after 11" would
//! never see 10, so the frontier remembers each skipped ID and asks for it again until it
//! appears or is old enough to be a rolled-back transaction's burnt ID.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a gap is asked for again before it is taken for a rolled-back transaction's ID.
pub(super) const GAP_PATIENCE: Duration = Duration::from_secs(10);
/// The most gaps remembered at once (the oldest are given up first).
const MAX_GAPS: usize = 1_000;

/// What has been read of the outbox.
#[derive(Debug)]
pub(super) struct Frontier {
    newest: i64,
    gaps: BTreeMap<i64, Instant>,
}

impl Frontier {
    /// Nothing after `newest` read yet (e.g. the outbox's newest event at start-up).
    pub(super) fn after(newest: i64) -> Self {
        Frontier { newest, gaps: BTreeMap::new() }
    }

    /// The newest position read.
    pub(super) fn newest(&self) -> i64 {
        self.newest
    }

    /// The IDs below [`Frontier::newest`] not seen yet, to ask for again.
    pub(super) fn gaps(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Records `id` as read; false if it had been read before.
    pub(super) fn observe(&mut self, id: i64, now: Instant) -> bool {
        if id > self.newest {
            // A jump of more IDs than we can remember leaves the lower ones to the patience
            // of none: they are too many to be in-flight transactions.
            let first_gap = (self.newest + 1).max(id - MAX_GAPS as i64);
            for gap in first_gap..id {
                self.gaps.insert(gap, now);
            }
            self.newest = id;
            self.trim();
            true
        } else {
            self.gaps.remove(&id).is_some()
        }
    }

    /// Gives up gaps older than [`GAP_PATIENCE`].
    pub(super) fn expire(&mut self, now: Instant) {
        self.gaps.retain(|_, noticed| now.duration_since(*noticed) < GAP_PATIENCE);
    }

    fn trim(&mut self) {
        while self.gaps.len() > MAX_GAPS {
            self.gaps.pop_first();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_committed_late_below_the_newest_is_read_once() {
        let now = Instant::now();
        let mut frontier = Frontier::after(9);
        assert!(frontier.observe(11, now));
        assert_eq!(frontier.gaps(), [10]);
        assert!(frontier.observe(10, now), "the late one is new");
        assert!(!frontier.observe(10, now), "and only once");
        assert!(!frontier.observe(11, now));
        assert!(frontier.gaps().is_empty());
        assert_eq!(frontier.newest(), 11);
    }

    #[test]
    fn a_gap_is_given_up_after_the_patience() {
        let start = Instant::now();
        let mut frontier = Frontier::after(0);
        frontier.observe(3, start);
        assert_eq!(frontier.gaps(), [1, 2]);
        frontier.expire(start + GAP_PATIENCE / 2);
        assert_eq!(frontier.gaps(), [1, 2]);
        frontier.expire(start + GAP_PATIENCE);
        assert!(frontier.gaps().is_empty());
    }

    #[test]
    fn a_huge_jump_remembers_a_bounded_number_of_gaps() {
        let mut frontier = Frontier::after(0);
        frontier.observe(1_000_000, Instant::now());
        assert_eq!(frontier.gaps().len(), MAX_GAPS);
        assert_eq!(frontier.gaps().last(), Some(&999_999));
    }
}
