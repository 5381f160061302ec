//! Domain errors as GraphQL errors with stable codes.
//!
//! Codes: `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT` (with `field`, or with
//! `problems: [{path, reason}]` when an input has several),
//! `INVALID_TRANSITION`, `CONFLICT` (with `field` when a unique value is taken), `INTERNAL`. Internal details are logged, never returned.

use std::fmt::Display;
use std::str::FromStr;
use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, ErrorExtensions, ID, ServerError};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::error::{Classify, ErrorKind, INTERNAL_ERROR};
use civitas_core::i18n::{Locale, Message};
use civitas_core::ids::MalformedId;
use civitas_core::problems::Problem;

/// Converts any classified domain error into a GraphQL error.
pub fn to_graphql<E: Classify + Display>(error: E) -> async_graphql::Error {
    let kind = error.kind();
    let message = match kind {
        ErrorKind::Internal => {
            tracing::error!(%error, "internal error");
            INTERNAL_ERROR
        }
        _ => error.message(),
    };
    with_kind(message, &kind)
}

/// A GraphQL error of `kind` with `message`. The message is kept with the error, so that the
/// server says it in the caller's language ([`localize`]); until then it is English.
pub fn with_kind(message: impl Into<Message>, kind: &ErrorKind) -> async_graphql::Error {
    let message: Message = message.into();
    let problems = match kind {
        ErrorKind::Problems(problems) => problems.list().to_vec(),
        _ => Vec::new(),
    };
    let (code, field) = match kind {
        ErrorKind::Unauthenticated => ("UNAUTHENTICATED", None),
        ErrorKind::Forbidden => ("FORBIDDEN", None),
        ErrorKind::NotFound => ("NOT_FOUND", None),
        ErrorKind::BadInput { field } => ("BAD_USER_INPUT", Some(*field)),
        ErrorKind::InvalidTransition => ("INVALID_TRANSITION", None),
        ErrorKind::Conflict => ("CONFLICT", None),
        ErrorKind::Duplicate { field } => ("CONFLICT", Some(*field)),
        ErrorKind::Problems(_) => ("BAD_USER_INPUT", None),
        ErrorKind::Internal => ("INTERNAL", None),
    };
    let mut error = async_graphql::Error::new(message.to_string()).extend_with(|_, extensions| {
        extensions.set("code", code);
        if let Some(field) = field {
            extensions.set("field", field);
        }
        if !problems.is_empty() {
            extensions.set("problems", problems_value(&problems, Locale::En));
        }
    });
    error.source = Some(Arc::new(Localizable { message, problems }));
    error
}

/// What of an error is said in the caller's language: its message and its problems' reasons.
struct Localizable {
    message: Message,
    problems: Vec<Problem>,
}

fn problems_value(problems: &[Problem], locale: Locale) -> async_graphql::Value {
    async_graphql::Value::List(
        problems
            .iter()
            .map(|problem| {
                let mut object = async_graphql::indexmap::IndexMap::new();
                object.insert(async_graphql::Name::new("path"), async_graphql::Value::from(problem.path.clone()));
                object.insert(
                    async_graphql::Name::new("reason"),
                    async_graphql::Value::from(problem.reason.render(locale)),
                );
                async_graphql::Value::Object(object)
            })
            .collect(),
    )
}

/// A `BAD_USER_INPUT` error naming `field`.
pub fn bad_input(field: &'static str, message: impl Into<Message>) -> async_graphql::Error {
    with_kind(message, &ErrorKind::BadInput { field })
}

/// A `BAD_USER_INPUT` error about the whole request (no field, no position).
pub fn bad_input_at_root(message: Message) -> ServerError {
    let mut error = ServerError::new(message.to_string(), None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", "BAD_USER_INPUT");
    error.extensions = Some(extensions);
    error.source = Some(Arc::new(Localizable { message, problems: Vec::new() }));
    error
}

/// Says each of our errors in `locale` (async-graphql's own, about syntax and validation, stay
/// in English).
pub fn localize(errors: &mut [ServerError], locale: Locale) {
    for error in errors {
        let Some(text) = error.source::<Localizable>() else { continue };
        let message = text.message.render(locale);
        let problems = (!text.problems.is_empty()).then(|| problems_value(&text.problems, locale));
        error.message = message;
        if let Some(problems) = problems {
            error.extensions.get_or_insert_with(Default::default).set("problems", problems);
        }
    }
}

/// The locale a request asks for with `Accept-Language` (English by default).
pub fn request_locale(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Locale::negotiate)
        .unwrap_or_default()
}

/// A domain refusal outside GraphQL (a download), as the same JSON body with the matching HTTP
/// status: 401, 403, 404, 400, 409, or 500 (logged) for ours.
pub fn domain_refusal<E: Classify + Display>(error: E, headers: &HeaderMap) -> Response {
    let (status, code) = match error.kind() {
        ErrorKind::Unauthenticated => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "FORBIDDEN"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "NOT_FOUND"),
        ErrorKind::BadInput { .. } | ErrorKind::Problems(_) => (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
        ErrorKind::InvalidTransition => (StatusCode::CONFLICT, "INVALID_TRANSITION"),
        ErrorKind::Conflict | ErrorKind::Duplicate { .. } => (StatusCode::CONFLICT, "CONFLICT"),
        ErrorKind::Internal => {
            tracing::error!(%error, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
        }
    };
    let message = if code == "INTERNAL" { INTERNAL_ERROR } else { error.message() };
    let body = serde_json::json!({
        "errors": [{ "message": message.render(request_locale(headers)), "extensions": { "code": code } }]
    });
    (status, axum::Json(body)).into_response()
}

/// A request refused before GraphQL sees it (wrong content type, too large, foreign origin),
/// as a GraphQL-shaped JSON body with a code, in the language the request asks for.
pub fn transport_refusal(status: StatusCode, message: Message, headers: &HeaderMap) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message.render(request_locale(headers)), "extensions": { "code": "BAD_USER_INPUT" } }]
    });
    (status, axum::Json(body)).into_response()
}

/// A `first` argument as a page size from 1 to `max`, or `BAD_USER_INPUT` naming `first`.
pub fn page_size(first: i32, max: u64) -> async_graphql::Result<u64> {
    u64::try_from(first)
        .ok()
        .filter(|size| (1..=max).contains(size))
        .ok_or_else(|| bad_input("first", Message::new("must be between 1 and {max}").arg("max", max)))
}

/// Parses a typed ID argument, or fails with `BAD_USER_INPUT` naming `field`.
pub fn parse_id<T: FromStr<Err = MalformedId>>(field: &'static str, id: &ID) -> async_graphql::Result<T> {
    id.parse::<T>().map_err(|error| bad_input(field, error.message()))
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
