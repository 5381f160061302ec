//! Errors of plugin management.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;

/// Why a plugin operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The caller must sign in.
    #[error("sign in to do this")]
    Unauthenticated,
    /// The caller may not manage plugins here.
    #[error("forbidden")]
    Forbidden,
    /// No such plugin, or not visible to the caller.
    #[error("plugin not found")]
    NotFound,
    /// An input is invalid (including a component that does not implement what it claims).
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Another plugin of the district already has this name.
    #[error("{field}: a plugin of this name is already installed here")]
    Duplicate {
        /// The field, as named by the API.
        field: &'static str,
    },
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// Stored data is unreadable.
    #[error("corrupt stored plugin data: {0}")]
    Corrupt(String),
}

impl Classify for PluginError {
    fn kind(&self) -> ErrorKind {
        match self {
            PluginError::Unauthenticated => ErrorKind::Unauthenticated,
            PluginError::Forbidden => ErrorKind::Forbidden,
            PluginError::NotFound => ErrorKind::NotFound,
            PluginError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            PluginError::Duplicate { field } => ErrorKind::Duplicate { field },
            PluginError::Storage(_) | PluginError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            PluginError::Unauthenticated => Message::new("sign in to do this"),
            PluginError::Forbidden => Message::new("forbidden"),
            PluginError::NotFound => Message::new("plugin not found"),
            PluginError::InvalidInput(invalid) => invalid.to_message(),
            PluginError::Duplicate { field } => {
                Message::new("{field}: a plugin of this name is already installed here").arg("field", field)
            }
            PluginError::Storage(_) | PluginError::Corrupt(_) => INTERNAL_ERROR,
        }
    }
}

/// A directory lookup within a plugin operation: storage failures stay themselves; "not found"
/// is handled where it is asked.
impl From<crate::directory::DirectoryError> for PluginError {
    fn from(error: crate::directory::DirectoryError) -> Self {
        match error {
            crate::directory::DirectoryError::Storage(error) => PluginError::Storage(error),
            other => PluginError::Corrupt(format!("unexpected directory answer: {other}")),
        }
    }
}
