//! Errors of the ticket domain.

use super::state::InvalidTransition;
use crate::directory::DirectoryError;
use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;

/// Why a ticket operation failed. Whatever the error, nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// The caller must sign in for this.
    #[error("sign in to do this")]
    Unauthenticated,
    /// The caller sees the ticket but may not do this to it.
    #[error("forbidden")]
    Forbidden,
    /// No such ticket, or the caller may not see it.
    #[error("ticket not found")]
    NotFound,
    /// An input field is invalid.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The ticket's status does not allow this.
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
    /// Someone changed the ticket at the same time; reload and retry.
    #[error("the ticket was changed concurrently; reload it and try again")]
    Conflict,
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// Stored data could not be read back (a bug or manual tampering).
    #[error("corrupt stored ticket data: {0}")]
    Corrupt(String),
}

impl Classify for TicketError {
    fn kind(&self) -> ErrorKind {
        match self {
            TicketError::Unauthenticated => ErrorKind::Unauthenticated,
            TicketError::Forbidden => ErrorKind::Forbidden,
            TicketError::NotFound => ErrorKind::NotFound,
            TicketError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            TicketError::InvalidTransition(_) => ErrorKind::InvalidTransition,
            TicketError::Conflict => ErrorKind::Conflict,
            TicketError::Storage(_) | TicketError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            TicketError::Unauthenticated => Message::new("sign in to do this"),
            TicketError::Forbidden => Message::new("forbidden"),
            TicketError::NotFound => Message::new("ticket not found"),
            TicketError::InvalidInput(invalid) => invalid.to_message(),
            TicketError::InvalidTransition(invalid) => invalid.message(),
            TicketError::Conflict => Message::new("the ticket was changed concurrently; reload it and try again"),
            TicketError::Storage(_) | TicketError::Corrupt(_) => INTERNAL_ERROR,
        }
    }
}

/// A directory lookup within a ticket operation: a storage failure stays one; the lookups a
/// ticket operation makes answer nothing else but "not found", which it handles itself.
impl From<DirectoryError> for TicketError {
    fn from(error: DirectoryError) -> Self {
        match error {
            DirectoryError::Storage(error) => TicketError::Storage(error),
            other => TicketError::Corrupt(format!("unexpected directory answer: {other}")),
        }
    }
}
