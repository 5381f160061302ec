//! Writing messages to the outbox, and what admins see and do with it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::EmailError;
use super::entity;
use super::model::{EmailKind, EmailStatus, OutboxEmail};
use super::templates::Rendered;
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::i18n::Locale;
use crate::ids::{DistrictId, EmailId, TicketId};
use crate::time::to_millis;

/// The most messages one admin page lists.
pub const MAX_PAGE: u64 = 200;

/// A message to write (what the email writer decided about an event).
pub struct NewEmail {
    pub(crate) kind: EmailKind,
    pub(crate) recipient: String,
    pub(crate) locale: Locale,
    pub(crate) rendered: Rendered,
    pub(crate) ticket: Option<TicketId>,
    pub(crate) district: Option<DistrictId>,
}

/// Stores `email` as pending, due now, with a fresh `Message-ID` it keeps on every attempt.
pub(crate) async fn enqueue(db: &impl ConnectionTrait, email: NewEmail, now: DateTime<Utc>) -> Result<(), EmailError> {
    let message_id = format!("<{:032x}@civitas.invalid>", rand::random::<u128>());
    entity::ActiveModel {
        message_id: Set(message_id),
        kind: Set(email.kind.as_str().to_owned()),
        recipient: Set(email.recipient),
        locale: Set(email.locale.tag().to_owned()),
        subject: Set(email.rendered.subject),
        body_text: Set(email.rendered.text),
        body_html: Set(email.rendered.html),
        ticket_id: Set(email.ticket.map(|id| id.0)),
        district_id: Set(email.district.map(|id| id.0)),
        status: Set(EmailStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at_ms: Set(to_millis(now)),
        claimed_until_ms: Set(None),
        last_error: Set(None),
        created_at_ms: Set(to_millis(now)),
        sent_at_ms: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The outbox's messages in `status`, newest first: every district's for a city admin, their
/// district's for a district admin (recipients masked).
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    status: Option<EmailStatus>,
    first: u64,
) -> Result<Vec<OutboxEmail>, EmailError> {
    let mut query = entity::Entity::find().order_by_desc(entity::Column::Id).limit(first.min(MAX_PAGE));
    if let Some(status) = status {
        query = query.filter(entity::Column::Status.eq(status.as_str()));
    }
    query = match caller {
        Caller::Anonymous => return Err(EmailError::Unauthenticated),
        Caller::System => query,
        _ if caller.is(Role::CityAdmin) => query,
        _ if caller.is(Role::DistrictAdmin) => match caller.district() {
            Some(district) => query.filter(entity::Column::DistrictId.eq(district.0)),
            None => return Err(EmailError::AdminsOnly),
        },
        _ => return Err(EmailError::AdminsOnly),
    };
    query.all(&ctx.db).await?.into_iter().map(OutboxEmail::try_from).collect()
}

/// Puts a failed (or pending) message back in the queue, due now, its attempts reset; a sent
/// message stays sent. Admins of its district or of the city.
pub async fn retry(ctx: &Context, caller: &Caller, id: EmailId) -> Result<OutboxEmail, EmailError> {
    let id = id.0;
    if matches!(caller, Caller::Anonymous) {
        return Err(EmailError::Unauthenticated);
    }
    let row = entity::Entity::find_by_id(id).one(&ctx.db).await?.ok_or(EmailError::NotFound)?;
    if caller.administers(row.district_id.map(DistrictId)).is_err() {
        // Another district's mail does not exist for this caller.
        return Err(if caller.is(Role::DistrictAdmin) { EmailError::NotFound } else { EmailError::AdminsOnly });
    }
    entity::Entity::update_many()
        .col_expr(entity::Column::Status, Expr::value(EmailStatus::Pending.as_str()))
        .col_expr(entity::Column::Attempts, Expr::value(0))
        .col_expr(entity::Column::NextAttemptAtMs, Expr::value(to_millis(ctx.clock.now())))
        .col_expr(entity::Column::ClaimedUntilMs, Expr::value(Option::<i64>::None))
        .filter(entity::Column::Id.eq(id))
        .filter(entity::Column::Status.ne(EmailStatus::Sent.as_str()))
        .exec(&ctx.db)
        .await?;
    let row = entity::Entity::find_by_id(id).one(&ctx.db).await?.ok_or(EmailError::NotFound)?;
    OutboxEmail::try_from(row)
}
