//! Domain enumerations exposed as GraphQL enums.

use async_graphql::Enum;
use civitas_core::tickets;

/// How a ticket reached the city.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tickets::Channel")]
pub enum Channel {
    /// A call to the hotline, taken by an operator.
    Phone,
    /// The web form.
    Web,
    /// The mobile app.
    App,
    /// An email, entered by an operator.
    Email,
    /// An automatic sensor.
    Sensor,
    /// A visit to a service counter.
    WalkIn,
    /// A paper form or ballot, entered by staff.
    Paper,
    /// A 311 client through Open311 GeoReport v2.
    #[graphql(name = "OPEN311")]
    Open311,
}

/// How urgent a ticket is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tickets::Priority")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    Normal,
    /// Should be handled first.
    High,
    /// Danger to people or property.
    Urgent,
}

/// Where a ticket is in its lifecycle.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tickets::TicketStatus")]
pub enum TicketStatus {
    /// Taken in, waiting to be dispatched.
    Received,
    /// Sent to a department, waiting for it to accept.
    Dispatched,
    /// A department is working on it.
    Accepted,
    /// Done, waiting for the reporter's rating.
    Resolved,
    /// Finished.
    Closed,
    /// Not actionable.
    Rejected,
    /// A duplicate, closed into another ticket.
    Merged,
}

/// What happened to a ticket.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tickets::TicketEventKind")]
pub enum TicketEventKind {
    /// Submitted.
    Submitted,
    /// Dispatched to a department.
    Dispatched,
    /// Accepted by the department.
    Accepted,
    /// Sent back to dispatch as misrouted.
    Returned,
    /// Re-dispatched to another department.
    Transferred,
    /// Resolved by the department.
    Resolved,
    /// Rated by the reporter.
    Rated,
    /// Closed after an unrated wait.
    AutoClosed,
    /// Rejected as not actionable.
    Rejected,
    /// Merged into another ticket as a duplicate.
    MergedInto,
    /// A duplicate was merged into it.
    DuplicateMerged,
    /// Commented.
    Commented,
    /// A deadline was missed and the district admin alerted.
    Escalated,
    /// The district's deadline policy changed the deadlines.
    DeadlinesChanged,
    /// District logic (an event-listener plugin) tagged it; the note holds the tag.
    Tagged,
}
