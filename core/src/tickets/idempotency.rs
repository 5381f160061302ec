//! Retried submissions: a client that lost the answer to `submitTicket` (a cut connection, a
//! timeout) sends it again with the same `Idempotency-Key` and gets the ticket the first attempt
//! made, not a second one. A key is remembered for 24 hours, per caller (per key alone for
//! anonymous callers, whose key is then as secret as a tracking token).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr,
};

use super::TicketError;
use super::entities::idempotency_key;
use super::model::Ticket;
use super::storage;
use crate::auth::Caller;
use crate::error::InvalidInput;
use crate::ids::TicketId;
use crate::time::to_millis;

/// How long a key is remembered.
pub const KEY_LIFETIME: Duration = Duration::hours(24);
/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 128;

/// A caller's key.
pub(crate) struct IdempotencyKey {
    scope: String,
    key: String,
}

impl IdempotencyKey {
    /// `key` of `caller`: 1 to 128 visible ASCII characters (a UUID, say).
    pub(crate) fn new(caller: &Caller, key: &str) -> Result<Self, InvalidInput> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(InvalidInput::new("Idempotency-Key", "must be 1 to 128 visible ASCII characters"));
        }
        let scope = match (caller.recorded_role(), caller.subject()) {
            (Some(role), Some(subject)) => format!("{role}:{subject}"),
            (Some(role), None) => role.to_owned(),
            (None, _) => "anonymous".to_owned(),
        };
        Ok(IdempotencyKey { scope, key: key.to_owned() })
    }

    /// The ticket this key made within the last 24 hours, as the first answer gave it.
    pub(crate) async fn earlier(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, TicketError> {
        let found = idempotency_key::Entity::find_by_id((self.scope.clone(), self.key.clone()))
            .filter(idempotency_key::Column::CreatedAtMs.gt(to_millis(now - KEY_LIFETIME)))
            .one(db)
            .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let mut ticket = storage::reload(db, TicketId(found.ticket_id)).await?;
        ticket.tracking_token = found.tracking_token;
        Ok(Some(ticket))
    }

    /// Remembers that this key made `ticket`, in the submission's transaction; `Ok(false)` when
    /// a concurrent attempt with the same key got there first (its ticket is the answer).
    pub(crate) async fn remember(
        &self,
        db: &impl ConnectionTrait,
        ticket: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<bool, TicketError> {
        // A key older than its lifetime may be reused: the old row gives way.
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Scope.eq(self.scope.as_str()))
            .filter(idempotency_key::Column::Key.eq(self.key.as_str()))
            .filter(idempotency_key::Column::CreatedAtMs.lte(to_millis(now - KEY_LIFETIME)))
            .exec(db)
            .await?;
        let row = idempotency_key::ActiveModel {
            scope: Set(self.scope.clone()),
            key: Set(self.key.clone()),
            ticket_id: Set(ticket.id.0),
            tracking_token: Set(ticket.tracking_token.clone()),
            created_at_ms: Set(to_millis(now)),
        };
        match row.insert(db).await {
            Ok(_) => Ok(true),
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

/// Forgets keys past their lifetime (the sweeper's job).
pub(crate) async fn forget_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAtMs.lte(to_millis(now - KEY_LIFETIME)))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
