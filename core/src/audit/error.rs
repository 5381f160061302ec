//! Errors of reading the audit log.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;

/// Why the audit log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// No credential.
    #[error("sign in to read the audit log")]
    Unauthenticated,
    /// Not an admin of the scope.
    #[error("only the admins of a district (or city admins) read its audit log")]
    Forbidden,
    /// No such entry, or none the caller may read.
    #[error("audit entry not found")]
    NotFound,
    /// A bad page request.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

impl Classify for AuditError {
    fn kind(&self) -> ErrorKind {
        match self {
            AuditError::Unauthenticated => ErrorKind::Unauthenticated,
            AuditError::Forbidden => ErrorKind::Forbidden,
            AuditError::NotFound => ErrorKind::NotFound,
            AuditError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            AuditError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            AuditError::Unauthenticated => Message::new("sign in to read the audit log"),
            AuditError::Forbidden => Message::new("only the admins of a district (or city admins) read its audit log"),
            AuditError::NotFound => Message::new("audit entry not found"),
            AuditError::InvalidInput(invalid) => invalid.to_message(),
            AuditError::Storage(_) => INTERNAL_ERROR,
        }
    }
}
