//! Errors of the notifications domain.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR};
use crate::i18n::Message;

/// Why reading notifications failed.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// The caller must sign in for this.
    #[error("sign in to do this")]
    Unauthenticated,
    /// The caller may not read this department's notifications.
    #[error("forbidden")]
    Forbidden,
    /// No such department.
    #[error("department not found")]
    NotFound,
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

impl Classify for NotificationError {
    fn kind(&self) -> ErrorKind {
        match self {
            NotificationError::Unauthenticated => ErrorKind::Unauthenticated,
            NotificationError::Forbidden => ErrorKind::Forbidden,
            NotificationError::NotFound => ErrorKind::NotFound,
            NotificationError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            NotificationError::Unauthenticated => Message::new("sign in to do this"),
            NotificationError::Forbidden => Message::new("forbidden"),
            NotificationError::NotFound => Message::new("department not found"),
            NotificationError::Storage(_) => INTERNAL_ERROR,
        }
    }
}
