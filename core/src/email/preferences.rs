//! A signed-in person's choice of which mail about their tickets reaches them, kept for the
//! address their identity provider gave (the token's `email` claim) in the same opt-out table
//! that one-click unsubscribe writes, so that the writer and the worker honour both alike.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::EmailError;
use super::model::EmailKind;
use super::unsubscribe::{ALL, opt_out, recipient_key};
use crate::auth::Caller;
use crate::context::Context;
use crate::time::to_millis;

/// The kinds of mail a reporter may receive, in the order they would arrive.
pub const REPORTER_KINDS: [EmailKind; 5] = [
    EmailKind::TicketReceived,
    EmailKind::TicketDispatched,
    EmailKind::TicketResolved,
    EmailKind::TicketReopened,
    EmailKind::TicketClosed,
];

/// Whether a kind of mail reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailPreference {
    /// The kind.
    pub kind: EmailKind,
    /// Whether it is sent.
    pub enabled: bool,
}

fn address(caller: &Caller) -> Result<&str, EmailError> {
    match caller {
        Caller::Anonymous => Err(EmailError::Unauthenticated),
        _ => caller.email().ok_or(EmailError::NoAddress),
    }
}

/// Which kinds of mail about their tickets reach the caller's address.
pub async fn preferences(ctx: &Context, caller: &Caller) -> Result<Vec<EmailPreference>, EmailError> {
    let key = recipient_key(ctx, address(caller)?);
    let off: Vec<String> = opt_out::Entity::find()
        .filter(opt_out::Column::RecipientKey.eq(key))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|row| row.kind)
        .collect();
    let everything_off = off.iter().any(|kind| kind == ALL);
    Ok(REPORTER_KINDS
        .iter()
        .map(|&kind| EmailPreference { kind, enabled: !everything_off && !off.iter().any(|k| k == kind.as_str()) })
        .collect())
}

/// Turns one kind of mail on or off for the caller's address (turning one on after an
/// unsubscribe from all mail keeps every other kind off); returns every preference after it.
pub async fn set_preference(
    ctx: &Context,
    caller: &Caller,
    kind: EmailKind,
    enabled: bool,
) -> Result<Vec<EmailPreference>, EmailError> {
    let key = recipient_key(ctx, address(caller)?);
    let now = to_millis(ctx.clock.now());
    let row = |kind: &str| opt_out::ActiveModel {
        recipient_key: Set(key.clone()),
        kind: Set(kind.to_owned()),
        created_at_ms: Set(now),
    };
    // Read before the transaction, which then only writes (SQLite upgrades no read lock).
    let everything_was_off = opt_out::Entity::find()
        .filter(opt_out::Column::RecipientKey.eq(key.as_str()))
        .filter(opt_out::Column::Kind.eq(ALL))
        .one(&ctx.db)
        .await?
        .is_some();
    let txn = ctx.db.begin().await?;
    if enabled {
        opt_out::Entity::delete_many()
            .filter(opt_out::Column::RecipientKey.eq(key.as_str()))
            .filter(opt_out::Column::Kind.is_in([ALL, kind.as_str()]))
            .exec(&txn)
            .await?;
        if everything_was_off {
            for other in EmailKind::ALL.iter().filter(|other| **other != kind) {
                opt_out::Entity::insert(row(other.as_str()))
                    .on_conflict_do_nothing_on([opt_out::Column::RecipientKey, opt_out::Column::Kind])
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
    } else {
        opt_out::Entity::insert(row(kind.as_str()))
            .on_conflict_do_nothing_on([opt_out::Column::RecipientKey, opt_out::Column::Kind])
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    preferences(ctx, caller).await
}
