//! Errors of the directory domain.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;

/// Why a directory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The caller may not change the directory here.
    #[error("forbidden")]
    Forbidden,
    /// The named entry does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// An input field is invalid.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Another entry already has this value of a unique field (a district's code).
    #[error("{field}: another entry already has this value")]
    Duplicate {
        /// The field, as named by the API.
        field: &'static str,
    },
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
}

impl Classify for DirectoryError {
    fn kind(&self) -> ErrorKind {
        match self {
            DirectoryError::Forbidden => ErrorKind::Forbidden,
            DirectoryError::NotFound(_) => ErrorKind::NotFound,
            DirectoryError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            DirectoryError::Duplicate { field } => ErrorKind::Duplicate { field },
            DirectoryError::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            DirectoryError::Forbidden => Message::new("forbidden"),
            DirectoryError::NotFound(what) => Message::new("{what} not found").arg_message("what", Message::new(what)),
            DirectoryError::InvalidInput(invalid) => invalid.to_message(),
            DirectoryError::Duplicate { field } => {
                Message::new("{field}: another entry already has this value").arg("field", field)
            }
            DirectoryError::Storage(_) => INTERNAL_ERROR,
        }
    }
}
