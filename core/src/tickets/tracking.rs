//! Tracking tokens: an anonymous reporter has no account to read their ticket with, so the
//! submission hands them a secret (256 random bits) once; the ticket keeps only its SHA-256.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::TicketError;
use super::entities::ticket;
use super::model::{Contact, Ticket, TicketEvent};
use super::query;
use crate::auth::Caller;
use crate::context::Context;
use crate::digest::{random_hex, sha256_hex};

/// The prefix that tells a tracking token from other strings a reporter may paste.
const PREFIX: &str = "trk_";

/// A new token: `trk_` and 64 hex digits.
pub(crate) fn new_token() -> String {
    format!("{PREFIX}{}", random_hex::<32>())
}

/// What the ticket stores of a token.
pub(crate) fn hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The ticket a tracking token was given for, with its timeline, as its anonymous reporter may
/// see it: no contact details. A wrong or tampered token finds nothing (`NotFound`).
pub async fn get_by_tracking_token(ctx: &Context, token: &str) -> Result<(Ticket, Vec<TicketEvent>), TicketError> {
    let token = token.trim();
    if !token.starts_with(PREFIX) || token.len() != PREFIX.len() + 64 {
        return Err(TicketError::NotFound);
    }
    let row = find(&ctx.db, &hash(token)).await?.ok_or(TicketError::NotFound)?;
    let mut ticket = Ticket::try_from(row)?;
    ticket.contact = Contact::default();
    // The token was checked: the timeline is read on the system's behalf.
    let timeline = query::timeline(ctx, &Caller::System, ticket.id).await?;
    Ok((ticket, timeline))
}

async fn find(db: &impl ConnectionTrait, hash: &str) -> Result<Option<ticket::Model>, TicketError> {
    Ok(ticket::Entity::find().filter(ticket::Column::TrackingTokenHash.eq(hash)).one(db).await?)
}
