//! Errors of the directory domain.

use crate::error::{Classify, ErrorKind, InvalidInput};

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
            DirectoryError::Storage(_) => ErrorKind::Internal,
        }
    }
}
