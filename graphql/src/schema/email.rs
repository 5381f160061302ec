//! The email outbox for admins: what was sent, what waits, what failed, and a retry.

use async_graphql::{Context, ID, Object};
use civitas_core::email;
use civitas_core::ids::EmailId;

use crate::errors::{IntoGraphql, parse_id};
use crate::schema::{core_context, request};
use crate::types::email::{EmailKind, EmailPreference, EmailStatus, OutboxEmail};

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

    /// Which mail about their tickets reaches the caller, at the address of their sign-in (its
    /// `email` claim; `BAD_USER_INPUT` on `email` without one).
    async fn email_preferences(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EmailPreference>> {
        let preferences = email::preferences(core_context(ctx), &request(ctx).caller).await.gql()?;
        Ok(preferences.into_iter().map(EmailPreference::from).collect())
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

    /// Turns one kind of mail about the caller's tickets on or off (the same opt-out as the
    /// unsubscribe link, which this can undo); returns every preference after it.
    async fn set_email_preference(
        &self,
        ctx: &Context<'_>,
        kind: EmailKind,
        enabled: bool,
    ) -> async_graphql::Result<Vec<EmailPreference>> {
        let preferences =
            email::set_preference(core_context(ctx), &request(ctx).caller, kind.into(), enabled).await.gql()?;
        Ok(preferences.into_iter().map(EmailPreference::from).collect())
    }
}
