//! GraphQL types of the email outbox.

use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};
use civitas_core::email;

/// Where a message stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "email::EmailStatus")]
pub enum EmailStatus {
    /// Waiting to be sent, or to be retried.
    Pending,
    /// Handed to the mail server (or written to a file).
    Sent,
    /// Given up after repeated failures; `retryEmail` queues it again.
    Failed,
    /// Not sent: the recipient unsubscribed from its kind before it went.
    Unsubscribed,
}

/// What a message is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "email::EmailKind")]
pub enum EmailKind {
    /// To the reporter: the ticket is in, with its tracking code.
    TicketReceived,
    /// To the reporter: a department has the ticket.
    TicketDispatched,
    /// To the reporter: resolved, with a rating request.
    TicketResolved,
    /// To the reporter: reopened after their rating.
    TicketReopened,
    /// To the reporter: closed.
    TicketClosed,
    /// To a department's address: a ticket was dispatched or transferred to it.
    DepartmentTicketDispatched,
    /// To a district's address: a ticket missed a deadline.
    TicketEscalated,
    /// To a district's address: a plugin was disabled by its failures.
    PluginAutoDisabled,
    /// To an address a survey's admin invited: please answer the survey.
    SurveyInvitation,
}

/// A message of the outbox (its recipient masked).
pub struct OutboxEmail(pub email::OutboxEmail);

#[Object]
impl OutboxEmail {
    /// Its ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its `Message-ID` header, the same on every attempt.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }

    /// What it is about.
    async fn kind(&self) -> EmailKind {
        self.0.kind.into()
    }

    /// The recipient, masked.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }

    /// Its language (`en`, `zh-Hans`, `zh-Hant`).
    async fn language(&self) -> &str {
        self.0.locale.tag()
    }

    /// Its subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The ticket it is about, if any.
    async fn ticket_id(&self) -> Option<ID> {
        self.0.ticket.map(|id| ID(id.to_string()))
    }

    /// Where it stands.
    async fn status(&self) -> EmailStatus {
        self.0.status.into()
    }

    /// Attempts so far.
    async fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// When it is next tried (pending messages).
    async fn next_attempt_at(&self) -> DateTime<Utc> {
        self.0.next_attempt_at
    }

    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was sent.
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

/// Whether a kind of mail about the caller's tickets reaches them.
#[derive(async_graphql::SimpleObject)]
pub struct EmailPreference {
    /// The kind.
    pub kind: EmailKind,
    /// Whether it is sent.
    pub enabled: bool,
}

impl From<email::EmailPreference> for EmailPreference {
    fn from(preference: email::EmailPreference) -> Self {
        EmailPreference { kind: preference.kind.into(), enabled: preference.enabled }
    }
}
