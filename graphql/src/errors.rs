//! Domain errors as GraphQL errors with stable codes.
//!
//! Codes: `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT` (with `field`),
//! `INVALID_TRANSITION`, `CONFLICT` (with `field` when a unique value is taken), `INTERNAL`. Internal details are logged, never returned.

use std::fmt::Display;
use std::str::FromStr;

use async_graphql::{ErrorExtensions, ID};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::ids::MalformedId;

/// Converts any classified domain error into a GraphQL error.
pub fn to_graphql<E: Classify + Display>(error: E) -> async_graphql::Error {
    let kind = error.kind();
    let message = match kind {
        ErrorKind::Internal => {
            tracing::error!(%error, "internal error");
            "internal error".to_owned()
        }
        _ => error.to_string(),
    };
    with_kind(message, &kind)
}

/// A GraphQL error of `kind` with `message`.
pub fn with_kind(message: impl Into<String>, kind: &ErrorKind) -> async_graphql::Error {
    let (code, field) = match kind {
        ErrorKind::Unauthenticated => ("UNAUTHENTICATED", None),
        ErrorKind::Forbidden => ("FORBIDDEN", None),
        ErrorKind::NotFound => ("NOT_FOUND", None),
        ErrorKind::BadInput { field } => ("BAD_USER_INPUT", Some(*field)),
        ErrorKind::InvalidTransition => ("INVALID_TRANSITION", None),
        ErrorKind::Conflict => ("CONFLICT", None),
        ErrorKind::Duplicate { field } => ("CONFLICT", Some(*field)),
        ErrorKind::Internal => ("INTERNAL", None),
    };
    async_graphql::Error::new(message).extend_with(|_, extensions| {
        extensions.set("code", code);
        if let Some(field) = field {
            extensions.set("field", field);
        }
    })
}

/// A `BAD_USER_INPUT` error naming `field`.
pub fn bad_input(field: &'static str, message: impl Into<String>) -> async_graphql::Error {
    with_kind(message, &ErrorKind::BadInput { field })
}

/// A `first` argument as a page size from 1 to `max`, or `BAD_USER_INPUT` naming `first`.
pub fn page_size(first: i32, max: u64) -> async_graphql::Result<u64> {
    u64::try_from(first)
        .ok()
        .filter(|size| (1..=max).contains(size))
        .ok_or_else(|| bad_input("first", format!("must be between 1 and {max}")))
}

/// Parses a typed ID argument, or fails with `BAD_USER_INPUT` naming `field`.
pub fn parse_id<T: FromStr<Err = MalformedId>>(field: &'static str, id: &ID) -> async_graphql::Result<T> {
    id.parse::<T>().map_err(|error| bad_input(field, error.to_string()))
}

/// Extension trait: `.gql()?` on a domain result in a resolver.
pub trait IntoGraphql<T> {
    /// The result with its error converted.
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Classify + Display> IntoGraphql<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_graphql)
    }
}
