//! Email to residents: what a change means for the people who should hear of it, written to a
//! durable outbox and delivered by a worker with retries.
//!
//! The path of a message: a change commits its domain event (`crate::events`); the email
//! writer ([`EmailWriter`], an event consumer with its own cursor) decides who should hear of
//! it and renders the message from its template in the recipient's language, then stores it in
//! `email_outbox` in the transaction that moves its cursor — so a message is written exactly
//! once per event, and never for a change that did not commit. The worker ([`deliver_due`])
//! claims due messages for a while (an instance that dies releases them when the claim
//! expires), hands each to a [`Mailer`] — SMTP through lettre, or `.eml` files in the embedded
//! default — and marks it sent, or schedules a retry with a growing delay, or after
//! [`MAX_ATTEMPTS`] marks it failed for an admin to retry. Every message keeps one
//! `Message-ID` across retries, so a receiver can recognise a copy sent again after a crash
//! between handing it over and marking it sent.
//!
//! A recipient's address is personal data: it is stored only in the outbox row, and never
//! reaches a log line, an event or an error message.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR};
use crate::i18n::Message;

mod entity;
mod invitations;
mod model;
mod outbox;
mod preferences;
mod templates;
mod transport;
mod unsubscribe;
mod worker;
mod writer;

pub use invitations::{Invited, MAX_INVITATIONS, invite_to_survey};
pub use model::{EmailKind, EmailStatus, OutboxEmail};
pub use outbox::{NewEmail, list, retry};
pub use preferences::{EmailPreference, REPORTER_KINDS, preferences, set_preference};
pub use transport::{MailError, Mailer, MailerSettings};
pub use unsubscribe::{OptedOut, unsubscribe};
pub use worker::{DELIVERY_BATCH, DeliveryRound, MAX_ATTEMPTS, deliver_due, retry_delay};
pub use writer::EmailWriter;

/// Errors of the email outbox.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// Nobody signed in.
    #[error("sign in to do this")]
    Unauthenticated,
    /// No such message (or another district's).
    #[error("email not found")]
    NotFound,
    /// Only city and district admins see and retry mail.
    #[error("only admins manage the email outbox")]
    AdminsOnly,
    /// The caller's sign-in names no email address (no `email` claim).
    #[error("your sign-in carries no email address")]
    NoAddress,
    /// Stored data could not be read back.
    #[error("corrupt stored email: {0}")]
    Corrupt(String),
}

impl Classify for EmailError {
    fn kind(&self) -> ErrorKind {
        match self {
            EmailError::Unauthenticated => ErrorKind::Unauthenticated,
            EmailError::AdminsOnly => ErrorKind::Forbidden,
            EmailError::NotFound => ErrorKind::NotFound,
            EmailError::NoAddress => ErrorKind::BadInput { field: "email" },
            EmailError::Storage(_) | EmailError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            EmailError::Unauthenticated => Message::new("sign in to do this"),
            EmailError::AdminsOnly => Message::new("only admins manage the email outbox"),
            EmailError::NotFound => Message::new("email not found"),
            EmailError::NoAddress => Message::new("your sign-in carries no email address"),
            EmailError::Storage(_) | EmailError::Corrupt(_) => INTERNAL_ERROR,
        }
    }
}
