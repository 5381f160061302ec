//! The `domain_events` table: appended in each change's own transaction, read in order.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::event::{DomainEvent, UndecodableEvent};
use super::scope::EventScope;
use crate::ids::{DistrictId, EventId};
use crate::time::from_millis;

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "domain_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub version: i16,
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

/// An event as the outbox holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Its position in the outbox.
    pub id: EventId,
    /// What happened.
    pub event: DomainEvent,
    /// When.
    pub at: DateTime<Utc>,
    /// The event whose listener's action raised this one, if any.
    pub caused_by: Option<EventId>,
}

impl TryFrom<entity::Model> for StoredEvent {
    type Error = UndecodableEvent;

    fn try_from(row: entity::Model) -> Result<Self, Self::Error> {
        Ok(StoredEvent {
            id: EventId(row.id),
            event: DomainEvent::decode(&row.kind, row.version, &row.payload)?,
            at: from_millis(row.at_ms),
            caused_by: row.caused_by.map(EventId),
        })
    }
}

/// Appends `event` to the outbox within the caller's transaction.
pub(crate) async fn append(db: &impl ConnectionTrait, event: &DomainEvent, at_ms: i64) -> Result<(), DbErr> {
    append_caused_by(db, event, at_ms, None).await
}

/// Appends `event`, raised by a listener's answer to the event `cause` (listeners are not told
/// about such events, so that two listeners cannot keep answering each other).
pub(crate) async fn append_caused_by(
    db: &impl ConnectionTrait,
    event: &DomainEvent,
    at_ms: i64,
    cause: Option<EventId>,
) -> Result<(), DbErr> {
    entity::ActiveModel {
        caused_by: Set(cause.map(|id| id.0)),
        kind: Set(event.name().to_owned()),
        version: Set(DomainEvent::VERSION),
        district_id: Set(event.district().map(|id| id.0)),
        aggregate_id: Set(event.subject().raw_id()),
        payload: Set(event.payload()),
        at_ms: Set(at_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Up to `limit` rows of `scope` after `cursor`, in order.
pub(crate) async fn rows_after(
    db: &impl ConnectionTrait,
    scope: EventScope,
    cursor: i64,
    limit: u64,
) -> Result<Vec<entity::Model>, DbErr> {
    let query = entity::Entity::find().filter(entity::Column::Id.gt(cursor));
    let query = match scope {
        EventScope::All => query,
        EventScope::CityWide => query.filter(entity::Column::DistrictId.is_null()),
        EventScope::District(DistrictId(id)) => query.filter(entity::Column::DistrictId.eq(id)),
    };
    query.order_by_asc(entity::Column::Id).limit(limit).all(db).await
}

/// Up to `limit` rows after `cursor` or among `missing` (IDs below it not seen yet), in order.
pub(crate) async fn rows_after_or_among(
    db: &impl ConnectionTrait,
    cursor: i64,
    missing: &[i64],
    limit: u64,
) -> Result<Vec<entity::Model>, DbErr> {
    let mut wanted = sea_orm::Condition::any().add(entity::Column::Id.gt(cursor));
    if !missing.is_empty() {
        wanted = wanted.add(entity::Column::Id.is_in(missing.iter().copied()));
    }
    entity::Entity::find().filter(wanted).order_by_asc(entity::Column::Id).limit(limit).all(db).await
}

/// The position of the newest event (0 when the outbox is empty).
pub(crate) async fn latest(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let query = Query::select().expr(Expr::cust("COALESCE(MAX(id), 0)")).from(entity::Entity).to_owned();
    match db.query_one(&query).await? {
        Some(row) => row.try_get_by_index::<i64>(0),
        None => Ok(0),
    }
}
