//! Errors of the Open311 domain.

use crate::directory::DirectoryError;
use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;
use crate::tickets::TicketError;

/// Why an Open311 operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Open311Error {
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// The ticket could not be taken in.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The directory could not be read.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// An input field is invalid.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Nobody signed in (client management).
    #[error("sign in to do this")]
    Unauthenticated,
    /// Only a district's admins (or the city's) manage its Open311 clients.
    #[error("only the district's admins manage its Open311 clients")]
    Forbidden,
    /// The API key is missing, unknown, revoked, or of another district.
    #[error("the api_key is missing, unknown, revoked or not valid for this jurisdiction")]
    BadKey,
    /// No such client (or another district's).
    #[error("Open311 client not found")]
    NotFound,
}

impl Classify for Open311Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Open311Error::Ticket(error) => error.kind(),
            Open311Error::Directory(error) => error.kind(),
            Open311Error::Invalid(invalid) => ErrorKind::BadInput { field: invalid.field },
            Open311Error::Unauthenticated => ErrorKind::Unauthenticated,
            Open311Error::Forbidden | Open311Error::BadKey => ErrorKind::Forbidden,
            Open311Error::NotFound => ErrorKind::NotFound,
            Open311Error::Storage(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            Open311Error::Ticket(error) => error.message(),
            Open311Error::Directory(error) => error.message(),
            Open311Error::Invalid(invalid) => invalid.to_message(),
            Open311Error::Unauthenticated => Message::new("sign in to do this"),
            Open311Error::Forbidden => Message::new("only the district's admins manage its Open311 clients"),
            Open311Error::BadKey => {
                Message::new("the api_key is missing, unknown, revoked or not valid for this jurisdiction")
            }
            Open311Error::NotFound => Message::new("Open311 client not found"),
            Open311Error::Storage(_) => INTERNAL_ERROR,
        }
    }
}
