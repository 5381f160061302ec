//! Domain events: one per state change, appended in the change's own transaction.
//!
//! The `domain_events` table is an outbox: plugins, notifications and subscriptions consume it
//! and never reach into the domain's tables. [`deliver`] hands it to the districts' listeners.

mod delivery;

pub(crate) use delivery::check_answer;
pub use delivery::{DeliveryError, DeliveryReport, deliver};

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

use crate::ids::DistrictId;

/// Something that happened in the domain.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    /// What happened, e.g. `ticket.dispatched`.
    pub kind: String,
    /// The district it happened in.
    pub district_id: Option<DistrictId>,
    /// The ID of the object it happened to.
    pub aggregate_id: i64,
    /// Details (never contact data).
    pub payload: serde_json::Value,
}

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "domain_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub district_id: Option<i64>,
        pub aggregate_id: i64,
        pub payload: String,
        pub at_ms: i64,
        /// The event a listener answered with the action that raised this one.
        pub caused_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Appends `event` to the outbox within the caller's transaction.
pub(crate) async fn append(db: &impl ConnectionTrait, event: DomainEvent, at_ms: i64) -> Result<(), DbErr> {
    append_caused_by(db, event, at_ms, None).await
}

/// Appends `event`, raised by a listener's answer to the event `cause` (listeners are not told
/// about such events, so that two listeners cannot keep answering each other).
pub(crate) async fn append_caused_by(
    db: &impl ConnectionTrait,
    event: DomainEvent,
    at_ms: i64,
    cause: Option<i64>,
) -> Result<(), DbErr> {
    entity::ActiveModel {
        caused_by: Set(cause),
        kind: Set(event.kind),
        district_id: Set(event.district_id.map(|id| id.0)),
        aggregate_id: Set(event.aggregate_id),
        payload: Set(event.payload.to_string()),
        at_ms: Set(at_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
