//! No web page may make a visitor's browser act on Civitas: a form or a script on
//! `evil.example` can send a "simple" cross-origin POST (`text/plain`, form-encoded, multipart)
//! without asking first, and the browser would carry the visitor's credentials.
//!
//! So `POST /graphql` takes only `application/json` (which a browser sends cross-origin only
//! after a CORS preflight that Civitas answers for the configured origins alone), and
//! `multipart/form-data` (plugin uploads) only with a header that no form can set
//! (`x-civitas-csrf` or Apollo's `apollo-require-preflight`). A request whose `Origin` is neither
//! the server itself nor an allowed origin is refused before it runs.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use civitas_core::i18n::Message;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::errors::transport_refusal;

/// The header a multipart request must carry (any value).
pub const CSRF_HEADER: &str = "x-civitas-csrf";
/// Apollo clients' equivalent of [`CSRF_HEADER`], accepted too.
pub const APOLLO_PREFLIGHT_HEADER: &str = "apollo-require-preflight";

/// The web origins (`https://portal.city.example`) whose pages may call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(pub Vec<String>);

impl AllowedOrigins {
    fn allows(&self, origin: &str, headers: &HeaderMap) -> bool {
        let same_site = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .is_some_and(|host| origin.split_once("://").is_some_and(|(_, authority)| authority == host));
        same_site || self.0.iter().any(|allowed| allowed == origin)
    }

    /// The CORS answers for these origins (none without any: no cross-origin page is served).
    pub fn cors_layer(&self) -> Option<CorsLayer> {
        let origins: Vec<HeaderValue> = self.0.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()).collect();
        if origins.is_empty() {
            return None;
        }
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::AUTHORIZATION,
                    header::ACCEPT_LANGUAGE,
                    HeaderName::from_static(CSRF_HEADER),
                    HeaderName::from_static(APOLLO_PREFLIGHT_HEADER),
                    HeaderName::from_static("idempotency-key"),
                ])
                .max_age(std::time::Duration::from_secs(600)),
        )
    }
}

/// The media type of a request, lowercased, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}

/// Refuses what a foreign page could make a browser send (see the module's documentation).
pub async fn guard(State(origins): State<AllowedOrigins>, request: Request, next: Next) -> Response {
    // An unsubscribe link's POST (RFC 8058, form-encoded, from mail clients) carries its own
    // signed token and no credentials: nothing a forged request could borrow. An Open311 post
    // (form-encoded, from 311 clients) carries its API key in the form, likewise.
    let path = request.uri().path();
    if request.method() != Method::POST
        || path.starts_with(crate::unsubscribe::PREFIX)
        || path.starts_with(crate::open311::PREFIX)
    {
        return next.run(request).await;
    }
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|origin| origin.to_str().ok())
        && !origins.allows(origin, headers)
    {
        let message = Message::new("requests from {origin} are not allowed (see --cors-origin)").arg("origin", origin);
        return transport_refusal(StatusCode::FORBIDDEN, message, headers);
    }
    match media_type(headers).as_deref() {
        Some("application/json") => {}
        Some("multipart/form-data") => {
            if !headers.contains_key(CSRF_HEADER) && !headers.contains_key(APOLLO_PREFLIGHT_HEADER) {
                let message = Message::new("a multipart request needs the `{header}` header (any value)")
                    .arg("header", CSRF_HEADER);
                return transport_refusal(StatusCode::BAD_REQUEST, message, headers);
            }
        }
        other => {
            let given = other.map_or(Message::new("no content type"), Message::verbatim);
            let message =
                Message::new("send GraphQL as application/json (multipart/form-data for uploads), not {given}")
                    .arg_message("given", given);
            return transport_refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, message, headers);
        }
    }
    next.run(request).await
}
