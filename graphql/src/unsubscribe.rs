//! `GET` and `POST /unsubscribe/{token}`: the one-click unsubscribe links of Civitas' mail
//! (RFC 8058: mail clients POST `List-Unsubscribe=One-Click`; a person following the link gets
//! the same effect and a page saying so). `?all=1` opts out of every kind of mail.
//!
//! The token is signed by the server (see `civitas_core::email`), so the route needs no login
//! and carries no credentials; the CSRF guard lets it through for that reason.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civitas_core::email::{self, EmailError, OptedOut};
use civitas_core::i18n::{Locale, Message};

use crate::errors::request_locale;
use crate::server::AppState;

/// The path prefix of the links.
pub const PREFIX: &str = "/unsubscribe/";

/// Opts the token's recipient out and answers with a page in the reader's language.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let locale = request_locale(&headers);
    let everything = params.get("all").is_some_and(|value| value == "1" || value == "true");
    match email::unsubscribe(&state.ctx, &token, everything).await {
        Ok(OptedOut::Kind(_)) => {
            let all = format!("{PREFIX}{token}?all=1");
            let text = Message::new("You will no longer receive this kind of mail from Civitas.").render(locale);
            let more = Message::new("Stop all mail from Civitas").render(locale);
            page(StatusCode::OK, locale, &text, Some((&all, &more)))
        }
        Ok(OptedOut::Everything) => page(
            StatusCode::OK,
            locale,
            &Message::new("You will no longer receive mail from Civitas.").render(locale),
            None,
        ),
        Err(EmailError::NotFound) => page(
            StatusCode::NOT_FOUND,
            locale,
            &Message::new("This unsubscribe link is not valid.").render(locale),
            None,
        ),
        Err(error) => {
            tracing::error!(%error, "unsubscribe failed");
            let text = Message::new("Something went wrong; please try the link again later.").render(locale);
            page(StatusCode::INTERNAL_SERVER_ERROR, locale, &text, None)
        }
    }
}

/// A small accessible page. Its texts come from the catalog and the link from a verified
/// token (letters, digits, `_` and `.`), so nothing in it is user input.
fn page(status: StatusCode, locale: Locale, text: &str, link: Option<(&str, &str)>) -> Response {
    let link = link.map(|(href, label)| format!("<p><a href=\"{href}\">{label}</a></p>")).unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Civitas</title></head>\
         <body style=\"font-family: sans-serif; font-size: 20px; line-height: 1.6; max-width: 36em; margin: 2em auto;\">\
         <h1>Civitas</h1><p>{text}</p>{link}</body></html>",
        lang = locale.tag()
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
