//! Delivering the outbox to the districts' listeners, after the changes that raised the events
//! committed: a listener that fails or hangs never holds up a change.
//!
//! Each district has a cursor, the last event its listener was offered, and the district's
//! events are offered in order. The actions of an answer and the cursor's move commit together,
//! so an action is applied once even if the server stops between the two. A failed call is
//! retried after a growing delay while the district's later events wait; the plugin host's
//! failure policy disables a listener that keeps failing, and its events are then passed over.
//! Several server instances may deliver at the same time: a cursor only moves from the position
//! an instance read, so only one of them applies an answer.

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::entity as event;
use crate::context::Context;
use crate::directory::{self, DirectoryError};
use crate::hooks::{ListenedEvent, ListenerAction, ListenerAnswer};
use crate::ids::{DistrictId, TicketId};
use crate::tickets::{TicketError, reactions};
use crate::time::{from_millis, to_millis};

/// Events of one district offered per delivery round.
const BATCH: u64 = 200;
/// The longest wait before a failed listener is asked again.
const MAX_RETRY_DELAY: Duration = Duration::minutes(5);

/// What one delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events a listener answered (with actions or without).
    pub answered: u64,
    /// Actions performed.
    pub actions: u64,
    /// Events passed over: the district has no listener, the event echoes a listener's own
    /// action, or the answer was refused.
    pub passed_over: u64,
    /// Listener failures; each failed event is offered again later.
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
    #[sea_orm(table_name = "event_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub district_id: i64,
        pub last_event_id: i64,
        pub failures: i32,
        pub retry_at_ms: Option<i64>,
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Offers every district's pending events to its listener, as of the context's clock.
pub async fn deliver(ctx: &Context) -> Result<DeliveryReport, DeliveryError> {
    let mut report = DeliveryReport::default();
    let cursors: HashMap<i64, cursor::Model> =
        cursor::Entity::find().all(&ctx.db).await?.into_iter().map(|row| (row.district_id, row)).collect();
    for district in directory::districts(ctx).await? {
        let cursor = match cursors.get(&district.id.0) {
            Some(cursor) => cursor.clone(),
            None => start_cursor(&ctx.db, district.id).await?,
        };
        deliver_district(ctx, district.id, cursor, &mut report).await?;
    }
    Ok(report)
}

/// A new district's cursor: before its first event (a new district has no history).
async fn start_cursor(db: &impl ConnectionTrait, district: DistrictId) -> Result<cursor::Model, DbErr> {
    let row = cursor::ActiveModel {
        district_id: Set(district.0),
        last_event_id: Set(0),
        failures: Set(0),
        retry_at_ms: Set(None),
        last_error: Set(None),
    };
    cursor::Entity::insert(row).on_conflict_do_nothing_on([cursor::Column::DistrictId]).exec(db).await?;
    cursor::Entity::find_by_id(district.0)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("the delivery cursor of {district}")))
}

async fn deliver_district(
    ctx: &Context,
    district: DistrictId,
    cursor: cursor::Model,
    report: &mut DeliveryReport,
) -> Result<(), DeliveryError> {
    let now = ctx.clock.now();
    if cursor.retry_at_ms.is_some_and(|retry_at| retry_at > to_millis(now)) {
        return Ok(());
    }
    let pending = event::Entity::find()
        .filter(event::Column::DistrictId.eq(district.0))
        .filter(event::Column::Id.gt(cursor.last_event_id))
        .order_by_asc(event::Column::Id)
        .limit(BATCH)
        .all(&ctx.db)
        .await?;
    let Some(last) = pending.last() else {
        return Ok(());
    };
    let mut position = Position { district, stored: cursor.last_event_id, passed: cursor.last_event_id };
    if !ctx.hooks.listens(district).await {
        position.passed = last.id;
        report.passed_over += pending.len() as u64;
        position.flush(&ctx.db).await?;
        return Ok(());
    }
    for row in pending {
        if row.caused_by.is_some() {
            position.passed = row.id;
            report.passed_over += 1;
            continue;
        }
        let listened = ListenedEvent {
            id: row.id,
            subject: subject(&row.kind, row.aggregate_id),
            kind: row.kind,
            district_id: district,
            occurred_at: from_millis(row.at_ms),
            payload: row.payload,
        };
        match ctx.hooks.on_event(&listened).await {
            ListenerAnswer::NoListener | ListenerAnswer::Refused => {
                position.passed = listened.id;
                report.passed_over += 1;
            }
            ListenerAnswer::Act { actions, decided_by } => {
                match position.act(ctx, &listened, &actions, &decided_by).await? {
                    Acted::Applied => {
                        report.answered += 1;
                        report.actions += actions.len() as u64;
                    }
                    Acted::Refused => report.passed_over += 1,
                    // Another instance delivered meanwhile; it goes on from here.
                    Acted::Raced => return Ok(()),
                }
            }
            ListenerAnswer::Failed(reason) => {
                report.failed += 1;
                position.flush(&ctx.db).await?;
                // The failures counted so far were this event's only if nothing was passed.
                let prior = if position.stored == cursor.last_event_id { cursor.failures } else { 0 };
                retry_later(ctx, &position, prior, &reason).await?;
                return Ok(());
            }
        }
    }
    position.flush(&ctx.db).await
}

/// What became of an answer.
enum Acted {
    Applied,
    /// Its actions were not acceptable; nothing was applied.
    Refused,
    /// Another instance had moved the cursor; nothing was applied.
    Raced,
}

/// Where a district's delivery stands: `stored` in the database, `passed` in this round.
struct Position {
    district: DistrictId,
    stored: i64,
    passed: i64,
}

impl Position {
    /// Moves the stored cursor to what this round passed over; false if another instance moved
    /// it first.
    async fn advance(&mut self, db: &impl ConnectionTrait, to: i64) -> Result<bool, DbErr> {
        let moved = cursor::Entity::update_many()
            .col_expr(cursor::Column::LastEventId, Expr::value(to))
            .col_expr(cursor::Column::Failures, Expr::value(0))
            .col_expr(cursor::Column::RetryAtMs, Expr::value(Option::<i64>::None))
            .col_expr(cursor::Column::LastError, Expr::value(Option::<String>::None))
            .filter(cursor::Column::DistrictId.eq(self.district.0))
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

    /// Applies an answer, or refuses it, and moves past its event in one transaction.
    async fn act(
        &mut self,
        ctx: &Context,
        event: &ListenedEvent,
        actions: &[ListenerAction],
        decided_by: &str,
    ) -> Result<Acted, DeliveryError> {
        let txn = ctx.db.begin().await?;
        if !self.advance(&txn, event.id).await? {
            return Ok(Acted::Raced);
        }
        let acted = match check_answer(&txn, event, actions).await? {
            Some(problem) => {
                tracing::warn!(event = event.id, %problem, by = decided_by, "listener answer refused");
                Acted::Refused
            }
            None => {
                apply(&txn, event, actions, decided_by, ctx.clock.now()).await?;
                Acted::Applied
            }
        };
        txn.commit().await?;
        Ok(acted)
    }
}

/// Why `actions` cannot be applied to `event`'s subject, if they cannot. The plugin host asks
/// too, to record a refused answer as the plugin's failure.
pub(crate) async fn check_answer(
    db: &impl ConnectionTrait,
    event: &ListenedEvent,
    actions: &[ListenerAction],
) -> Result<Option<String>, DeliveryError> {
    if actions.is_empty() {
        return Ok(None);
    }
    if ticket_of(event).is_none() {
        return Ok(Some(format!("`{}` events take no actions", event.kind)));
    }
    Ok(reactions::check(db, event.district_id, actions).await?)
}

async fn apply(
    db: &impl ConnectionTrait,
    event: &ListenedEvent,
    actions: &[ListenerAction],
    decided_by: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DeliveryError> {
    match ticket_of(event) {
        Some(ticket) if !actions.is_empty() => {
            Ok(reactions::apply(db, ticket, actions, decided_by, event.id, now).await?)
        }
        _ => Ok(()),
    }
}

fn ticket_of(event: &ListenedEvent) -> Option<TicketId> {
    event.kind.starts_with("ticket.").then(|| event.subject.parse().ok()).flatten()
}

/// The subject's ID as the API writes it (`tkt_9`).
fn subject(kind: &str, aggregate_id: i64) -> String {
    match kind.split_once('.').map(|(domain, _)| domain) {
        Some("ticket") => TicketId(aggregate_id).to_string(),
        _ => aggregate_id.to_string(),
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
        .filter(cursor::Column::DistrictId.eq(position.district.0))
        .filter(cursor::Column::LastEventId.eq(position.stored))
        .exec(&ctx.db)
        .await?;
    Ok(())
}
