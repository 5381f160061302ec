//! The points where a district's own logic (its plugins) takes part in the domain's decisions.
//!
//! The domain defines what it asks and what it accepts; an implementation (the WASM plugin host
//! in `civitas-plugins`) answers. The domain never trusts an answer blindly: a routing decision
//! must name a department of the ticket's district, and deadline overrides must lie in the
//! future, or the domain follows its normal flow. An implementation that fails answers `None`.
//!
//! Listeners are the exception: they are told about domain events after the change committed
//! (see [`crate::events::deliver`]), so a failing listener never blocks a change; it is asked
//! again later instead.

use std::fmt::Debug;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId};
use crate::tickets::{Channel, GeoPoint, Priority};

/// A new ticket, as shown to a district's router.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingRequest {
    /// The district.
    pub district_id: DistrictId,
    /// The street, if given.
    pub street_id: Option<StreetId>,
    /// The category.
    pub category_id: CategoryId,
    /// The channel it came in on.
    pub channel: Channel,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Location, if given.
    pub location: Option<GeoPoint>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The same instant on the city's wall clock (see `Config::timezone`).
    pub local_time: NaiveDateTime,
}

/// A router's answer: dispatch straight to this department.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingDecision {
    /// Where the ticket goes.
    pub department_id: DepartmentId,
    /// A priority to set, if the router has an opinion.
    pub priority: Option<Priority>,
    /// Tags to record on the timeline.
    pub tags: Vec<String>,
    /// Who decided (e.g. `night-noise@1.0.0`), recorded on the timeline.
    pub decided_by: String,
}

/// A dispatched ticket, as shown to a district's deadline policy.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineRequest {
    /// The district.
    pub district_id: DistrictId,
    /// The street, if given.
    pub street_id: Option<StreetId>,
    /// The category.
    pub category_id: CategoryId,
    /// The channel it came in on.
    pub channel: Channel,
    /// Tags its router gave it (empty when it was dispatched by hand).
    pub tags: Vec<String>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The department it was dispatched to.
    pub department_id: DepartmentId,
    /// Its priority.
    pub priority: Priority,
    /// The current respond-by deadline (from the category).
    pub respond_by: DateTime<Utc>,
    /// The current resolve-by deadline (from the category).
    pub resolve_by: DateTime<Utc>,
    /// When it was dispatched.
    pub dispatched_at: DateTime<Utc>,
}

/// A deadline policy's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineOverride {
    /// New respond-by, if any.
    pub respond_by: Option<DateTime<Utc>>,
    /// New resolve-by, if any.
    pub resolve_by: Option<DateTime<Utc>>,
    /// Who decided, recorded on the timeline.
    pub decided_by: String,
}

/// A domain event, as shown to a district's listener.
#[derive(Debug, Clone, PartialEq)]
pub struct ListenedEvent {
    /// Its position in the outbox.
    pub id: i64,
    /// What happened, e.g. `ticket.escalated`.
    pub kind: String,
    /// The district it happened in.
    pub district_id: DistrictId,
    /// The object it happened to, e.g. `tkt_9`.
    pub subject: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Details as JSON text (never contact data).
    pub payload: String,
}

/// Something a listener asks the domain to do about an event's subject.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerAction {
    /// Add a comment to the subject's timeline.
    AddComment(String),
    /// Tag the subject (recorded on its timeline).
    AddTag(String),
    /// Enqueue a notification to a department of the event's district.
    NotifyDepartment {
        /// The department.
        department_id: DepartmentId,
        /// What to tell it.
        message: String,
    },
}

/// A listener's answer to one event.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerAnswer {
    /// The district has no listener now: the event is passed over for good.
    NoListener,
    /// Perform these actions (possibly none).
    Act {
        /// What to do, in order.
        actions: Vec<ListenerAction>,
        /// Who asked (e.g. `plugin escalation-notifier@1.0.0`), recorded with each action.
        decided_by: String,
    },
    /// The listener's answer was not acceptable (e.g. a department of another district): the
    /// event is passed over, since asking again would give the same answer.
    Refused,
    /// The listener failed: the event is offered again later, and later events of the district
    /// wait for it so that a listener sees its district's events in order.
    Failed(String),
}

/// A district's own logic at the domain's hook points. Every method has a default that keeps
/// the normal flow.
#[async_trait::async_trait]
pub trait DistrictHooks: Send + Sync + Debug {
    /// Where a new ticket should go, or `None` for normal dispatch.
    async fn route_ticket(&self, request: &RoutingRequest) -> Option<RoutingDecision> {
        let _ = request;
        None
    }

    /// Told when the domain refused a routing decision (e.g. a department of another
    /// district), so that the implementation can count it as the plugin's failure.
    async fn routing_refused(&self, request: &RoutingRequest, decision: &RoutingDecision, reason: &str) {
        let _ = (request, decision, reason);
    }

    /// Deadline overrides for a dispatched ticket, or `None` to keep the category's.
    async fn ticket_deadlines(&self, request: &DeadlineRequest) -> Option<DeadlineOverride> {
        let _ = request;
        None
    }

    /// Whether `district` has a listener at all, so that the events of districts without one
    /// are passed over in bulk. An error counts as "yes": the event is then offered and fails.
    async fn listens(&self, district: DistrictId) -> bool {
        let _ = district;
        false
    }

    /// What the district's listener asks for in answer to `event`.
    async fn on_event(&self, event: &ListenedEvent) -> ListenerAnswer {
        let _ = event;
        ListenerAnswer::NoListener
    }
}

/// No district logic: the normal flow everywhere.
#[derive(Debug, Default)]
pub struct NoHooks;

impl DistrictHooks for NoHooks {}
