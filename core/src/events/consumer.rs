//! Named consumers of the outbox, each reading every event of its scopes once, in order, at its
//! own pace, through cursors of its own.
//!
//! A consumer decides about an event outside any transaction (it may be slow: a plugin call, an
//! SMTP hand-off), then its decision is applied in the transaction that moves its cursor past
//! the event, so an effect is applied once even if the server stops between the two. A consumer
//! that cannot decide yet is asked again after a growing delay while its later events of that
//! scope wait; other consumers and other scopes go on. Several server instances may deliver at
//! once: a cursor only moves from the position an instance read, so only one of them applies a
//! decision.
//!
//! To add a consumer: implement [`EventConsumer`] (a new `name`, its scopes, `decide`, `apply`)
//! and run it with [`deliver`] — the server's background tasks (`crate::background`) do that
//! for every consumer they know. Its cursors are created on its first round.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::event::UndecodableEvent;
use super::outbox::{self, StoredEvent};
use super::scope::EventScope;
use crate::context::Context;
use crate::directory::DirectoryError;
use crate::tickets::TicketError;
use crate::time::to_millis;

/// Events of one scope read per round.
const BATCH: u64 = 200;
/// The longest wait before a consumer that could not decide is asked again.
const MAX_RETRY_DELAY: Duration = Duration::minutes(5);

/// Where a consumer's new cursor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Before the first event: the consumer reads the scope's whole history.
    Beginning,
    /// After the newest event: the consumer hears what happens from now on.
    Latest,
}

/// What a consumer makes of one event.
#[derive(Debug)]
pub enum Decision<D> {
    /// Nothing to do: the cursor moves past the event.
    Skip,
    /// Apply this in the transaction that moves the cursor past the event.
    Apply(D),
    /// Not now (e.g. the plugin failed): ask again later; the scope's later events wait.
    Retry(String),
}

/// A reader of the outbox with its own cursors and retry state.
#[async_trait::async_trait]
pub trait EventConsumer: Send + Sync {
    /// What [`EventConsumer::decide`] hands to [`EventConsumer::apply`].
    type Decision: Send;

    /// The stable name its cursors are stored under (renaming a consumer restarts it).
    fn name(&self) -> &'static str;

    /// The scopes it reads, one cursor each: e.g. every district and the city-wide events, or
    /// [`EventScope::All`].
    async fn scopes(&self, ctx: &Context) -> Result<Vec<EventScope>, DeliveryError>;

    /// Where a new cursor over `scope` starts.
    fn start(&self, scope: EventScope) -> Start {
        let _ = scope;
        Start::Latest
    }

    /// Whether it wants `scope`'s events at all now; if not, they are passed over in one update.
    async fn interested(&self, ctx: &Context, scope: EventScope) -> Result<bool, DeliveryError> {
        let _ = (ctx, scope);
        Ok(true)
    }

    /// What to do about `event`, decided outside any transaction.
    async fn decide(
        &self,
        ctx: &Context,
        scope: EventScope,
        event: &StoredEvent,
    ) -> Result<Decision<Self::Decision>, DeliveryError>;

    /// Applies a decision within `txn`, which also moves the cursor past `event`; returns how
    /// many effects it had (actions, messages...).
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        event: &StoredEvent,
        decision: Self::Decision,
        now: DateTime<Utc>,
    ) -> Result<u64, DeliveryError>;
}

/// What one delivery round of a consumer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events whose decision was applied.
    pub applied: u64,
    /// Effects those decisions had.
    pub effects: u64,
    /// Events passed over: skipped, or in a scope the consumer was not interested in.
    pub passed_over: u64,
    /// Events the consumer could not decide about yet; each is offered again later.
    pub failed: u64,
}

/// Why a delivery round stopped early. Nothing it did not finish was applied.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] DbErr),
    /// Stored data could not be read back.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

impl From<UndecodableEvent> for DeliveryError {
    fn from(error: UndecodableEvent) -> Self {
        DeliveryError::Corrupt(error.to_string())
    }
}

impl From<DirectoryError> for DeliveryError {
    fn from(error: DirectoryError) -> Self {
        match error {
            DirectoryError::Storage(error) => DeliveryError::Storage(error),
            other => DeliveryError::Corrupt(other.to_string()),
        }
    }
}

impl From<TicketError> for DeliveryError {
    fn from(error: TicketError) -> Self {
        match error {
            TicketError::Storage(error) => DeliveryError::Storage(error),
            other => DeliveryError::Corrupt(other.to_string()),
        }
    }
}

pub(crate) mod cursor {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "event_cursors")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub consumer: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub scope: String,
        pub last_event_id: i64,
        pub failures: i32,
        pub retry_at_ms: Option<i64>,
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One round of `consumer`: every scope's pending events, as of the context's clock.
pub async fn deliver<C: EventConsumer + ?Sized>(ctx: &Context, consumer: &C) -> Result<DeliveryReport, DeliveryError> {
    let mut report = DeliveryReport::default();
    let mut cursors: HashMap<String, cursor::Model> = cursor::Entity::find()
        .filter(cursor::Column::Consumer.eq(consumer.name()))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|row| (row.scope.clone(), row))
        .collect();
    for scope in consumer.scopes(ctx).await? {
        let cursor = match cursors.remove(&scope.key()) {
            Some(cursor) => cursor,
            None => start_cursor(&ctx.db, consumer.name(), scope, consumer.start(scope)).await?,
        };
        deliver_scope(ctx, consumer, scope, cursor, &mut report).await?;
    }
    Ok(report)
}

async fn start_cursor(
    db: &impl ConnectionTrait,
    consumer: &str,
    scope: EventScope,
    start: Start,
) -> Result<cursor::Model, DbErr> {
    let last_event_id = match start {
        Start::Beginning => 0,
        Start::Latest => outbox::latest(db).await?,
    };
    let row = cursor::ActiveModel {
        consumer: Set(consumer.to_owned()),
        scope: Set(scope.key()),
        last_event_id: Set(last_event_id),
        failures: Set(0),
        retry_at_ms: Set(None),
        last_error: Set(None),
    };
    // Another instance may have created it first; its row wins.
    cursor::Entity::insert(row)
        .on_conflict_do_nothing_on([cursor::Column::Consumer, cursor::Column::Scope])
        .exec(db)
        .await?;
    cursor::Entity::find_by_id((consumer.to_owned(), scope.key()))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("the {consumer} cursor of {}", scope.key())))
}

async fn deliver_scope<C: EventConsumer + ?Sized>(
    ctx: &Context,
    consumer: &C,
    scope: EventScope,
    cursor: cursor::Model,
    report: &mut DeliveryReport,
) -> Result<(), DeliveryError> {
    if cursor.retry_at_ms.is_some_and(|retry_at| retry_at > to_millis(ctx.clock.now())) {
        return Ok(());
    }
    let pending = outbox::rows_after(&ctx.db, scope, cursor.last_event_id, BATCH).await?;
    let Some(last) = pending.last() else {
        return Ok(());
    };
    let mut position = Position {
        consumer: consumer.name(),
        scope: cursor.scope.clone(),
        stored: cursor.last_event_id,
        passed: cursor.last_event_id,
    };
    if !consumer.interested(ctx, scope).await? {
        position.passed = last.id;
        report.passed_over += pending.len() as u64;
        return position.flush(&ctx.db).await;
    }
    for row in pending {
        let event = StoredEvent::try_from(row)?;
        match consumer.decide(ctx, scope, &event).await? {
            Decision::Skip => {
                position.passed = event.id.0;
                report.passed_over += 1;
            }
            Decision::Apply(decision) => match position.apply(ctx, consumer, &event, decision).await? {
                Some(effects) => {
                    report.applied += 1;
                    report.effects += effects;
                }
                // Another instance delivered meanwhile; it goes on from here.
                None => return Ok(()),
            },
            Decision::Retry(reason) => {
                report.failed += 1;
                position.flush(&ctx.db).await?;
                // The failures counted so far were this event's only if nothing was passed.
                let prior = if position.stored == cursor.last_event_id { cursor.failures } else { 0 };
                return Ok(retry_later(ctx, &position, prior, &reason).await?);
            }
        }
    }
    position.flush(&ctx.db).await
}

/// Where a cursor stands: `stored` in the database, `passed` in this round.
struct Position {
    consumer: &'static str,
    scope: String,
    stored: i64,
    passed: i64,
}

impl Position {
    /// Moves the stored cursor to `to`; false if another instance moved it first.
    async fn advance(&mut self, db: &impl ConnectionTrait, to: i64) -> Result<bool, DbErr> {
        let moved = cursor::Entity::update_many()
            .col_expr(cursor::Column::LastEventId, Expr::value(to))
            .col_expr(cursor::Column::Failures, Expr::value(0))
            .col_expr(cursor::Column::RetryAtMs, Expr::value(Option::<i64>::None))
            .col_expr(cursor::Column::LastError, Expr::value(Option::<String>::None))
            .filter(cursor::Column::Consumer.eq(self.consumer))
            .filter(cursor::Column::Scope.eq(self.scope.as_str()))
            .filter(cursor::Column::LastEventId.eq(self.stored))
            .exec(db)
            .await?;
        if moved.rows_affected == 0 {
            return Ok(false);
        }
        self.stored = to;
        self.passed = to;
        Ok(true)
    }

    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), DeliveryError> {
        if self.passed != self.stored {
            self.advance(db, self.passed).await?;
        }
        Ok(())
    }

    /// Applies a decision and moves past its event in one transaction; `None` if another
    /// instance had moved the cursor (nothing applied).
    async fn apply<C: EventConsumer + ?Sized>(
        &mut self,
        ctx: &Context,
        consumer: &C,
        event: &StoredEvent,
        decision: C::Decision,
    ) -> Result<Option<u64>, DeliveryError> {
        let txn = ctx.db.begin().await?;
        if !self.advance(&txn, event.id.0).await? {
            return Ok(None);
        }
        let effects = consumer.apply(&txn, event, decision, ctx.clock.now()).await?;
        txn.commit().await?;
        Ok(Some(effects))
    }
}

/// Counts a failure and sets when to ask again: 1 s, 2 s, 4 s... up to [`MAX_RETRY_DELAY`].
async fn retry_later(ctx: &Context, position: &Position, failures: i32, reason: &str) -> Result<(), DbErr> {
    let failures = failures.saturating_add(1);
    let delay = Duration::seconds(1i64 << failures.clamp(1, 20).saturating_sub(1)).min(MAX_RETRY_DELAY);
    cursor::Entity::update_many()
        .col_expr(cursor::Column::Failures, Expr::value(failures))
        .col_expr(cursor::Column::RetryAtMs, Expr::value(to_millis(ctx.clock.now() + delay)))
        .col_expr(cursor::Column::LastError, Expr::value(reason.chars().take(500).collect::<String>()))
        .filter(cursor::Column::Consumer.eq(position.consumer))
        .filter(cursor::Column::Scope.eq(position.scope.as_str()))
        .filter(cursor::Column::LastEventId.eq(position.stored))
        .exec(&ctx.db)
        .await?;
    Ok(())
}
