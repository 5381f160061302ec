//! Writing an audit entry and its domain event together.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

use crate::auth::Caller;
use crate::events::{self, DomainEvent};
use crate::time::to_millis;

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: Option<i64>,
        pub actor_subject: Option<String>,
        pub actor_role: Option<String>,
        pub action: String,
        pub subject: String,
        pub before: Option<String>,
        pub after: Option<String>,
        pub at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One administrative change: the event it raises, and the changed object before and after it
/// (as JSON; `None` where there is nothing to show, e.g. before a creation).
pub(crate) struct Change {
    pub event: DomainEvent,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends the audit entry of `change` made by `actor`, and its domain event, within the
/// caller's transaction.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    actor: &Caller,
    at: DateTime<Utc>,
    change: Change,
) -> Result<(), DbErr> {
    let at_ms = to_millis(at);
    entity::ActiveModel {
        district_id: Set(change.event.district().map(|id| id.0)),
        actor_subject: Set(actor.subject().map(str::to_owned)),
        actor_role: Set(actor.recorded_role().map(str::to_owned)),
        action: Set(change.event.name().to_owned()),
        subject: Set(change.event.subject().to_string()),
        before: Set(change.before.map(|value| value.to_string())),
        after: Set(change.after.map(|value| value.to_string())),
        at_ms: Set(at_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    events::append(db, &change.event, at_ms).await
}
