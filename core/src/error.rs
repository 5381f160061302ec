//! What every domain error is, for transports.
//!
//! Each domain has its own `thiserror` enum; they all classify themselves into one
//! [`ErrorKind`], so that a transport maps kinds to its codes in one place, and says what went
//! wrong as a [`Message`] that the transport renders in the caller's language.

use crate::i18n::Message;
use crate::problems::Problems;

/// The class of a domain error, stable across domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No or an invalid credential.
    Unauthenticated,
    /// The caller may see the object but not do this to it.
    Forbidden,
    /// The object does not exist, or the caller may not know that it does.
    NotFound,
    /// An input field is invalid; nothing was changed.
    BadInput {
        /// The offending input field, as named by the API (`title`, `latitude`, ...).
        field: &'static str,
    },
    /// The object's state does not allow this action; nothing was changed.
    InvalidTransition,
    /// Someone else changed the object concurrently; nothing was changed.
    Conflict,
    /// Another object already has this value of a unique field; nothing was changed.
    Duplicate {
        /// The field, as named by the API.
        field: &'static str,
    },
    /// The input has problems, every one listed with its path; nothing was changed.
    Problems(Problems),
    /// A failure of the system (storage, ...). Details are logged, never shown to clients.
    Internal,
}

/// A domain error that knows its [`ErrorKind`] and how to say itself in every language.
pub trait Classify {
    /// The class of this error.
    fn kind(&self) -> ErrorKind;

    /// What went wrong, for the caller, in any supported language. For an internal error it
    /// is only a placeholder: its details are logged, never shown.
    fn message(&self) -> Message;
}

/// An invalid input field: the field's API name and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidInput {
    /// The field as named by the API.
    pub field: &'static str,
    /// What is wrong, for a human (translated when shown).
    pub message: Message,
}

impl InvalidInput {
    /// An invalid `field` with a message.
    pub fn new(field: &'static str, message: impl Into<Message>) -> Self {
        InvalidInput { field, message: message.into() }
    }
}

impl InvalidInput {
    /// The field and what is wrong with it (`title: must not be empty`), translatable.
    pub fn to_message(&self) -> Message {
        Message::new("{field}: {message}").arg("field", self.field).arg_message("message", self.message.clone())
    }
}

/// The message of an internal error: all a caller is told.
pub const INTERNAL_ERROR: Message = Message::new("internal error");
