//! What the outbox holds: kinds of messages, their delivery status, and an admin's view of one.

use chrono::{DateTime, Utc};

use super::EmailError;
use super::entity;
use crate::i18n::Locale;
use crate::ids::{DistrictId, EmailId, TicketId};
use crate::time::from_millis;

stored_enum! {
    /// What a message is about; each kind has a template per language (`core/templates/email/`).
    EmailKind {
        /// To the reporter: the ticket is in, with its tracking code.
        TicketReceived = "TICKET_RECEIVED",
        /// To the reporter: a department has the ticket.
        TicketDispatched = "TICKET_DISPATCHED",
        /// To the reporter: resolved, please rate the resolution.
        TicketResolved = "TICKET_RESOLVED",
        /// To the reporter: reopened after their rating.
        TicketReopened = "TICKET_REOPENED",
        /// To the reporter: closed.
        TicketClosed = "TICKET_CLOSED",
        /// To a department's address: a ticket was dispatched or transferred to it.
        DepartmentTicketDispatched = "DEPARTMENT_TICKET_DISPATCHED",
        /// To a district's address: a ticket missed a deadline.
        TicketEscalated = "TICKET_ESCALATED",
        /// To a district's address: a plugin was disabled by its failures.
        PluginAutoDisabled = "PLUGIN_AUTO_DISABLED",
        /// To an address a survey's admin invited: please answer the survey.
        SurveyInvitation = "SURVEY_INVITATION",
    }
}

impl EmailKind {
    /// The template's file stem: the kind's name in lower case (`ticket_received`).
    pub fn template(self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

stored_enum! {
    /// Where a message stands.
    EmailStatus {
        /// Waiting to be sent, or to be retried.
        Pending = "PENDING",
        /// Handed to the mail server (or written to a file).
        Sent = "SENT",
        /// Given up after repeated failures; an admin may retry it.
        Failed = "FAILED",
        /// Not sent: the recipient unsubscribed from its kind before it went.
        Unsubscribed = "UNSUBSCRIBED",
    }
}

/// A message of the outbox, as an admin sees it (the recipient masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEmail {
    /// Its ID.
    pub id: EmailId,
    /// Its `Message-ID`, the same on every attempt.
    pub message_id: String,
    /// What it is about.
    pub kind: EmailKind,
    /// The recipient, masked (`l***@example.org`).
    pub recipient: String,
    /// Its language.
    pub locale: Locale,
    /// Its subject.
    pub subject: String,
    /// The ticket it is about, if any.
    pub ticket: Option<TicketId>,
    /// The district it belongs to, if any.
    pub district: Option<DistrictId>,
    /// Where it stands.
    pub status: EmailStatus,
    /// Attempts to send it so far.
    pub attempts: u32,
    /// When it is next tried (pending messages).
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<entity::Model> for OutboxEmail {
    type Error = EmailError;

    fn try_from(row: entity::Model) -> Result<Self, EmailError> {
        let corrupt = |what: &str| EmailError::Corrupt(format!("email {}: {what}", row.id));
        Ok(OutboxEmail {
            id: EmailId(row.id),
            kind: EmailKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            recipient: crate::tickets::mask_email(&row.recipient),
            locale: Locale::parse(&row.locale).ok_or_else(|| corrupt("locale"))?,
            status: EmailStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            next_attempt_at: from_millis(row.next_attempt_at_ms),
            created_at: from_millis(row.created_at_ms),
            sent_at: row.sent_at_ms.map(from_millis),
            ticket: row.ticket_id.map(TicketId),
            district: row.district_id.map(DistrictId),
            message_id: row.message_id,
            subject: row.subject,
            last_error: row.last_error,
        })
    }
}
