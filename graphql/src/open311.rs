//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) under `/open311/v2/`, so that
//! existing 311 apps, FixMyStreet and city data portals work with Civitas unchanged.
//!
//! Every document comes as `.json` or `.xml` (the specification's required format, the only
//! one FixMyStreet speaks), written with serde (quick-xml for XML). `jurisdiction_id` is a
//! district's code, needed when the city has several. Reads are public and carry no personal
//! data; a `POST requests` needs an API key of the district (see
//! [`civitas_core::open311::create_client`]). Errors are the specification's list of
//! `{code, description}`, with 400, 403 or 404, in the request's `Accept-Language`.

mod documents;
mod format;
mod post;
mod read;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use civitas_core::Context;
use civitas_core::directory::{self, District};
use civitas_core::i18n::{Locale, Message};

pub use format::{Format, Refusal};

use crate::errors::request_locale;
use crate::server::AppState;

/// The path prefix of every Open311 document.
pub const PREFIX: &str = "/open311/v2/";

/// The Open311 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(read::document).post(post::requests))
        .route("/open311/v2/services/{file}", get(read::service_definition))
        .route("/open311/v2/requests/{file}", get(read::request))
        .route("/open311/v2/tokens/{file}", get(post::token))
}

/// A request's parameters (query string, or form body of a post), in order.
#[derive(Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim()).filter(|value| !value.is_empty())
    }

    /// The values of a comma-separated list parameter.
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.get(name)
            .map(|value| value.split(',').map(str::trim).filter(|item| !item.is_empty()).collect())
            .unwrap_or_default()
    }
}

/// The district a request is about: `jurisdiction_id`'s, or the city's only one.
pub(crate) async fn jurisdiction(ctx: &Context, params: &Params) -> Result<District, Refusal> {
    if let Some(code) = params.get("jurisdiction_id") {
        return directory::district_by_code(ctx, code).await.map_err(Refusal::domain)?.ok_or_else(|| {
            let code: String = code.chars().take(64).collect();
            Refusal::not_found(Message::new("unknown jurisdiction_id `{id}`").arg("id", code))
        });
    }
    match <[District; 1]>::try_from(directory::districts(ctx).await.map_err(Refusal::domain)?) {
        Ok([only]) => Ok(only),
        Err(_) => Err(Refusal::bad(Message::new("jurisdiction_id is required: this city has several districts"))),
    }
}

/// What a document request names: the file's name without its extension, the format the
/// extension chose, and the request's language.
pub(crate) struct Asked<'a> {
    pub name: &'a str,
    pub format: Format,
    pub locale: Locale,
}

/// `answer`'s document for the path's `file`, or its refusal in the file's format and the
/// request's language (an unknown extension: a 404 in JSON).
pub(crate) async fn reply<'a, F>(headers: &HeaderMap, file: &'a str, answer: impl FnOnce(Asked<'a>) -> F) -> Response
where
    F: Future<Output = Result<Response, Refusal>> + 'a,
{
    let locale = request_locale(headers);
    let Some((name, format)) = Format::split(file) else {
        return Refusal::not_found(Message::new("no such Open311 document")).respond(Format::Json, locale);
    };
    answer(Asked { name, format, locale }).await.unwrap_or_else(|refusal| refusal.respond(format, locale))
}
