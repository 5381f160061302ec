//! Hotline tickets and their timeline.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId, TicketEventId, TicketId};

stored_enum!(
    /// How a ticket reached the city.
    Channel {
        /// A call to the hotline, taken by an operator.
        Phone = "PHONE",
        /// The web form.
        Web = "WEB",
        /// The mobile app.
        App = "APP",
        /// An email, entered by an operator.
        Email = "EMAIL",
        /// An automatic sensor (flooding, noise, ...).
        Sensor = "SENSOR",
        /// A visit to a service counter.
        WalkIn = "WALK_IN",
        /// A paper form or ballot, entered by staff (budgeting votes' paper batches).
        Paper = "PAPER",
        /// A 311 client (an app, FixMyStreet, a data portal) through Open311 GeoReport v2.
        Open311 = "OPEN311",
    }
);

stored_enum!(
    /// How urgent a ticket is, in increasing order.
    Priority {
        /// Can wait.
        Low = "LOW",
        /// The default.
        Normal = "NORMAL",
        /// Should be handled first.
        High = "HIGH",
        /// Danger to people or property.
        Urgent = "URGENT",
    }
);

stored_enum!(
    /// Where a ticket is in its lifecycle.
    TicketStatus {
        /// Taken in, waiting to be dispatched.
        Received = "RECEIVED",
        /// Sent to a department, waiting for it to accept.
        Dispatched = "DISPATCHED",
        /// A department is working on it.
        Accepted = "ACCEPTED",
        /// The department says it is done; waiting for the reporter's rating.
        Resolved = "RESOLVED",
        /// Finished.
        Closed = "CLOSED",
        /// Not actionable.
        Rejected = "REJECTED",
        /// A duplicate, closed into another ticket.
        Merged = "MERGED",
    }
);

stored_enum!(
    /// What happened to a ticket, as recorded on its timeline.
    TicketEventKind {
        /// It was submitted.
        Submitted = "SUBMITTED",
        /// It was dispatched to a department.
        Dispatched = "DISPATCHED",
        /// The department accepted it.
        Accepted = "ACCEPTED",
        /// The department sent it back to dispatch as misrouted.
        Returned = "RETURNED",
        /// It was re-dispatched to another department.
        Transferred = "TRANSFERRED",
        /// The department resolved it.
        Resolved = "RESOLVED",
        /// The reporter rated the resolution.
        Rated = "RATED",
        /// It was closed after an unrated wait.
        AutoClosed = "AUTO_CLOSED",
        /// It was rejected as not actionable.
        Rejected = "REJECTED",
        /// It was merged into another ticket as a duplicate.
        MergedInto = "MERGED_INTO",
        /// A duplicate was merged into it.
        DuplicateMerged = "DUPLICATE_MERGED",
        /// Someone commented.
        Commented = "COMMENTED",
        /// A deadline was missed and the district admin was alerted.
        Escalated = "ESCALATED",
        /// The district's deadline policy changed the deadlines.
        DeadlinesChanged = "DEADLINES_CHANGED",
        /// District logic (a listener) tagged it; the note holds the tag.
        Tagged = "TAGGED",
    }
);

/// A point on the map (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Degrees north, -90 to 90.
    pub latitude: f64,
    /// Degrees east, -180 to 180.
    pub longitude: f64,
}

/// Contact details of a reporter: personal data.
///
/// `Debug` never prints the values, so that contact data cannot reach logs by accident.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// The language to write to them in (the submission's `Accept-Language`); the server's
    /// default when `None`.
    pub language: Option<crate::i18n::Locale>,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present = |value: &Option<String>| if value.is_some() { "<redacted>" } else { "-" };
        f.debug_struct("Contact")
            .field("name", &present(&self.name))
            .field("phone", &present(&self.phone))
            .field("email", &present(&self.email))
            .field("language", &self.language)
            .finish()
    }
}

impl Contact {
    /// Whether no detail is given.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// A resident's rating of a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub score: u8,
    /// Optional comment.
    pub comment: Option<String>,
}

/// A hotline ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// Its ID.
    pub id: TicketId,
    /// Human tracking code, e.g. `T-2026-000123`.
    pub code: String,
    /// How it came in.
    pub channel: Channel,
    /// The district it belongs to.
    pub district_id: DistrictId,
    /// The street, if known.
    pub street_id: Option<StreetId>,
    /// Its category.
    pub category_id: CategoryId,
    /// Short summary.
    pub title: String,
    /// What the reporter said.
    pub description: String,
    /// Free-form address.
    pub address: Option<String>,
    /// Location on the map.
    pub location: Option<GeoPoint>,
    /// The resident who reported it, when signed in.
    pub reporter_subject: Option<String>,
    /// The operator who took it, for assisted channels.
    pub intake_subject: Option<String>,
    /// Contact details (personal data; see `tickets::access::contact_visible_to`).
    pub contact: Contact,
    /// Urgency.
    pub priority: Priority,
    /// Lifecycle state.
    pub status: TicketStatus,
    /// The department it is dispatched to.
    pub department_id: Option<DepartmentId>,
    /// A department must accept it by then.
    pub respond_by: DateTime<Utc>,
    /// It must be resolved by then.
    pub resolve_by: DateTime<Utc>,
    /// When a department first accepted it in the current cycle.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed, rejected or merged.
    pub closed_at: Option<DateTime<Utc>>,
    /// 0: on time; 1: response deadline missed and escalated; 2: resolution deadline missed.
    pub escalation_level: i16,
    /// The reporter's last rating.
    pub rating: Option<Rating>,
    /// The primary ticket, when merged as a duplicate.
    pub merged_into: Option<TicketId>,
    /// How many times a poor rating reopened it.
    pub reopen_count: i32,
    /// Optimistic-concurrency version, bumped by every lifecycle transition and merge (not by
    /// comments, tags or escalations, which must not make a concurrent action conflict).
    pub version: i32,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The secret an anonymous reporter reads the ticket back with
    /// ([`crate::tickets::get_by_tracking_token`]): set only on what `submit` returns to them
    /// (and to a retry of that submission), never stored in clear nor read back.
    pub tracking_token: Option<String>,
}

impl Ticket {
    /// Whether a deadline has passed while the ticket still waits for what it sets.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        (self.status.awaits_response() && now > self.respond_by)
            || (self.status.awaits_resolution() && now > self.resolve_by)
    }
}

/// One entry of a ticket's append-only timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketEvent {
    /// Its ID (timeline order).
    pub id: TicketEventId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// What happened.
    pub kind: TicketEventKind,
    /// Who did it (`None` for the system or an anonymous reporter).
    pub actor_subject: Option<String>,
    /// In which role.
    pub actor_role: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Reason, resolution, comment, ...
    pub note: Option<String>,
    /// The department involved (dispatch, transfer).
    pub department_id: Option<DepartmentId>,
    /// The rating's score (rated events).
    pub score: Option<u8>,
    /// The other ticket of a merge.
    pub related_ticket_id: Option<TicketId>,
}
