//! Domain events: one typed fact per state change, appended to the `domain_events` outbox in
//! the change's own transaction, then read by named consumers, each through cursors of its own.
//!
//! - [`DomainEvent`]: the facts, one variant each, stored under a stable name and version.
//! - [`EventConsumer`] and [`deliver`]: a consumer reads every event of its scopes once, in
//!   order, at its own pace, with its own retry state (see `consumer` for adding one).
//! - [`PluginListeners`]: the districts' event-listener plugins, the first consumer.
//!
//! Consumers never reach into the domain's tables for what happened: the event carries it.

mod consumer;
mod event;
mod listeners;
mod outbox;
mod scope;

pub use consumer::{Decision, DeliveryError, DeliveryReport, EventConsumer, Start, deliver};
pub use event::{
    BallotFacts, BudgetMilestoneFacts, BudgetProcessFacts, BudgetProjectFacts, CategoryCreated, DepartmentCreated,
    DepartmentNotice, DistrictCreated, DomainEvent, Open311ClientFacts, PluginDisabled, PluginFacts, StreetCreated,
    Subject, SurveyFacts, SurveyResponseFacts, TicketEscalation, TicketFacts, TicketMerge, TicketRating, TicketTag,
    UndecodableEvent,
};
pub use listeners::{ListenToEvent, PluginListeners};
pub use outbox::StoredEvent;
pub(crate) use outbox::{append, append_caused_by, latest, rows_after_or_among};
pub use scope::EventScope;
