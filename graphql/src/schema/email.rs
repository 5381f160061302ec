//! The email outbox for admins: what was sent, what waits, what failed, and a retry.

use async_graphql::{Context, ID, Object};
use civitas_core::email;
use civitas_core::ids::EmailId;

use crate::errors::{IntoGraphql, parse_id};
use crate::schema::{core_context, request};
use crate::types::email::{EmailStatus, OutboxEmail};

/// Email queries.
#[derive(Default)]
pub struct EmailQuery;

#[Object]
impl EmailQuery {
    /// The outbox's messages, newest first (admins: a city admin sees every district's, a
    /// district admin their district's; recipients masked). `first` at most 200, default 50.
    #[graphql(complexity = "first.unwrap_or(50).clamp(0, 200) as usize * child_complexity")]
    async fn email_outbox(
        &self,
        ctx: &Context<'_>,
        status: Option<EmailStatus>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<OutboxEmail>> {
        let first = u64::try_from(first.unwrap_or(50).clamp(0, 200)).unwrap_or(50);
        let list = email::list(core_context(ctx), &request(ctx).caller, status.map(Into::into), first).await.gql()?;
        Ok(list.into_iter().map(OutboxEmail).collect())
    }
}

/// Email mutations.
#[derive(Default)]
pub struct EmailMutation;

#[Object]
impl EmailMutation {
    /// Puts a failed message back in the queue, due now, its attempts reset (admins of its
    /// district or of the city); a sent message stays sent.
    async fn retry_email(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<OutboxEmail> {
        let id: EmailId = parse_id("id", &id)?;
        Ok(OutboxEmail(email::retry(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }
}
