//! Ticket rates.

use async_graphql::{Object, SimpleObject};
use civitas_core::tickets;

use super::TicketStatus;

/// The number of tickets in one status.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: TicketStatus,
    /// How many tickets.
    pub count: i64,
}

/// Counts and rates of the tickets submitted in a window. Definitions: see ARCHITECTURE.md
/// ("Ticket rates"); a rate with nothing to count is null.
pub struct TicketStats(pub tickets::TicketStats);

#[Object]
impl TicketStats {
    /// Tickets submitted in the window, whatever their status.
    async fn total(&self) -> i64 {
        self.0.total
    }

    /// Accepted by the respond-by deadline ÷ tickets whose response is due or done.
    async fn response_rate(&self) -> Option<f64> {
        self.0.response_rate()
    }

    /// Resolved by the resolve-by deadline and never reopened ÷ tickets whose resolution is due or done.
    async fn resolution_rate(&self) -> Option<f64> {
        self.0.resolution_rate()
    }

    /// Ratings of 4 or 5 ÷ rated tickets.
    async fn satisfaction_rate(&self) -> Option<f64> {
        self.0.satisfaction_rate()
    }

    /// Tickets per status.
    async fn by_status(&self) -> Vec<StatusCount> {
        self.0.by_status.iter().map(|(status, count)| StatusCount { status: (*status).into(), count: *count }).collect()
    }

    /// Tickets whose response is due or done (denominator of `responseRate`).
    async fn response_due(&self) -> i64 {
        self.0.response_due
    }

    /// Tickets accepted on time (numerator of `responseRate`).
    async fn responded_on_time(&self) -> i64 {
        self.0.responded_on_time
    }

    /// Tickets whose resolution is due or done (denominator of `resolutionRate`).
    async fn resolution_due(&self) -> i64 {
        self.0.resolution_due
    }

    /// Tickets resolved on time and never reopened (numerator of `resolutionRate`).
    async fn resolved_on_time(&self) -> i64 {
        self.0.resolved_on_time
    }

    /// Rated tickets (denominator of `satisfactionRate`).
    async fn rated(&self) -> i64 {
        self.0.rated
    }

    /// Tickets rated 4 or 5 (numerator of `satisfactionRate`).
    async fn satisfied(&self) -> i64 {
        self.0.satisfied
    }
}
