//! Delivering the outbox: claim what is due, hand it over, record how it went.

use chrono::Duration;
use futures::StreamExt;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::EmailError;
use super::entity;
use super::model::{EmailKind, EmailStatus};
use super::transport::Mailer;
use super::unsubscribe;
use crate::context::Context;
use crate::time::to_millis;

/// Attempts before a message is marked failed (an admin may retry it).
pub const MAX_ATTEMPTS: u32 = 10;

/// How long an instance holds a claimed message: one that dies while sending releases it
/// after this, and another instance retries it.
const CLAIM: Duration = Duration::seconds(45);

/// Messages claimed per round.
pub const DELIVERY_BATCH: u64 = 50;

/// The wait after the `attempts`-th failed attempt: 15 s, 30 s, 1 min… at most 10 min.
pub fn retry_delay(attempts: u32) -> Duration {
    let seconds = 15i64.saturating_mul(1i64 << Ord::min(attempts.saturating_sub(1), 10));
    Duration::seconds(Ord::min(seconds, 600))
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    /// Messages handed over.
    pub sent: u64,
    /// Messages that failed and wait for a retry.
    pub deferred: u64,
    /// Messages given up on after [`MAX_ATTEMPTS`].
    pub failed: u64,
    /// Messages not sent because their recipient unsubscribed meanwhile.
    pub unsubscribed: u64,
}

impl DeliveryRound {
    /// Messages the round dealt with, whatever became of them.
    pub fn handled(&self) -> u64 {
        self.sent + self.deferred + self.failed + self.unsubscribed
    }
}

/// Messages handed to the mail server at once (each mark is then its own short statement;
/// in parallel they share the database's commits instead of waiting for one each).
const SENDS_IN_FLIGHT: usize = 8;

/// What became of one claimed message.
enum Outcome {
    Sent,
    Deferred,
    Failed,
    Unsubscribed,
}

/// Sends up to [`DELIVERY_BATCH`] due messages through `mailer`: the batch is claimed in one
/// conditional update (only the rows it returns are this instance's: two instances never send
/// one message in the same claim), then sent, eight at a time, each marked as it
/// finishes.
pub async fn deliver_due(ctx: &Context, mailer: &Mailer) -> Result<DeliveryRound, EmailError> {
    let now = to_millis(ctx.clock.now());
    let unclaimed =
        || Condition::any().add(entity::Column::ClaimedUntilMs.is_null()).add(entity::Column::ClaimedUntilMs.lt(now));
    let due: Vec<i64> = entity::Entity::find()
        .select_only()
        .column(entity::Column::Id)
        .filter(entity::Column::Status.eq(EmailStatus::Pending.as_str()))
        .filter(entity::Column::NextAttemptAtMs.lte(now))
        .filter(unclaimed())
        .order_by_asc(entity::Column::Id)
        .limit(DELIVERY_BATCH)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut round = DeliveryRound::default();
    if due.is_empty() {
        return Ok(round);
    }
    let claimed = entity::Entity::update_many()
        .col_expr(entity::Column::ClaimedUntilMs, Expr::value(now + CLAIM.num_milliseconds()))
        .col_expr(entity::Column::Attempts, ExprTrait::add(Expr::col(entity::Column::Attempts), 1))
        .filter(entity::Column::Id.is_in(due))
        .filter(entity::Column::Status.eq(EmailStatus::Pending.as_str()))
        .filter(unclaimed())
        .exec_with_returning(&ctx.db)
        .await?;
    let outcomes: Vec<Result<Outcome, EmailError>> = futures::stream::iter(claimed)
        .map(|row| deliver_one(ctx, mailer, row))
        .buffer_unordered(SENDS_IN_FLIGHT)
        .collect()
        .await;
    for outcome in outcomes {
        match outcome? {
            Outcome::Sent => round.sent += 1,
            Outcome::Deferred => round.deferred += 1,
            Outcome::Failed => round.failed += 1,
            Outcome::Unsubscribed => round.unsubscribed += 1,
        }
    }
    Ok(round)
}

/// Sends one claimed message and marks what became of it.
async fn deliver_one(ctx: &Context, mailer: &Mailer, row: entity::Model) -> Result<Outcome, EmailError> {
    let id = row.id;
    let kind = EmailKind::parse(&row.kind).ok_or_else(|| EmailError::Corrupt(format!("email {id}: kind")))?;
    if unsubscribe::opted_out(ctx, &ctx.db, &row.recipient, kind).await? {
        entity::Entity::update_many()
            .col_expr(entity::Column::Status, Expr::value(EmailStatus::Unsubscribed.as_str()))
            .col_expr(entity::Column::ClaimedUntilMs, Expr::value(Option::<i64>::None))
            .filter(entity::Column::Id.eq(id))
            .exec(&ctx.db)
            .await?;
        return Ok(Outcome::Unsubscribed);
    }
    let link = unsubscribe::token(ctx, &row.recipient, kind);
    let sent = mailer.send(&row, &link).await;
    let finished = to_millis(ctx.clock.now());
    let mut update =
        entity::Entity::update_many().col_expr(entity::Column::ClaimedUntilMs, Expr::value(Option::<i64>::None));
    let outcome = match sent {
        Ok(()) => {
            update = update
                .col_expr(entity::Column::Status, Expr::value(EmailStatus::Sent.as_str()))
                .col_expr(entity::Column::SentAtMs, Expr::value(finished))
                .col_expr(entity::Column::LastError, Expr::value(Option::<String>::None));
            Outcome::Sent
        }
        Err(error) => {
            let attempts = u32::try_from(row.attempts).unwrap_or(MAX_ATTEMPTS);
            // The error text may quote the address: it goes to the row, never to the log.
            tracing::warn!(email = row.id, attempts, "an email could not be sent");
            update = update.col_expr(entity::Column::LastError, Expr::value(error.to_string()));
            if attempts >= MAX_ATTEMPTS {
                update = update.col_expr(entity::Column::Status, Expr::value(EmailStatus::Failed.as_str()));
                Outcome::Failed
            } else {
                let next = finished + retry_delay(attempts).num_milliseconds();
                update = update.col_expr(entity::Column::NextAttemptAtMs, Expr::value(next));
                Outcome::Deferred
            }
        }
    };
    update.filter(entity::Column::Id.eq(id)).exec(&ctx.db).await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_start_within_thirty_seconds_and_stay_at_most_ten_minutes_apart() {
        assert!(retry_delay(1) <= Duration::seconds(30));
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).map(|attempt| retry_delay(attempt).num_seconds()).collect();
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]), "{delays:?}");
        assert!(delays.iter().all(|&delay| delay <= 600), "{delays:?}");
        assert_eq!(retry_delay(40).num_seconds(), 600);
    }
}
