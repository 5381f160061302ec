//! `POST requests` (a form with the client's API key) and `GET tokens/{token}`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use civitas_core::auth::Caller;
use civitas_core::error::InvalidInput;
use civitas_core::i18n::{Locale, Message};
use civitas_core::ids::CategoryId;
use civitas_core::open311::{self, Open311Error, PostedRequest};
use civitas_core::tickets::{self, Contact, GeoPoint, TicketError};

use super::documents::{PostAnswer, TokenAnswer};
use super::format::{Format, List, Refusal, respond};
use super::{Asked, Params, jurisdiction, reply};
use crate::server::AppState;

/// `POST requests.{json,xml}`: a new service request, as a form.
pub async fn requests(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    reply(&headers, &file, |asked| async move {
        if asked.name != "requests" {
            return Err(Refusal::not_found(Message::new("no such Open311 document")));
        }
        let Ok(Form(form)) = form else {
            return Err(Refusal::bad(Message::new("the body must be a form (application/x-www-form-urlencoded)")));
        };
        let mut params = query;
        params.extend(form);
        post(&state, &Params(params), asked.format, asked.locale).await
    })
    .await
}

async fn post(state: &AppState, params: &Params, format: Format, locale: Locale) -> Result<Response, Refusal> {
    let ctx = &state.ctx;
    let district = jurisdiction(ctx, params).await?;
    // The key first: who may not post learns nothing about what else is wrong.
    let client = open311::client_for_key(ctx, params.get("api_key").unwrap_or_default(), district.id)
        .await
        .map_err(Refusal::domain)?;
    let category_id: CategoryId = params
        .get("service_code")
        .ok_or_else(|| Refusal::bad(Message::new("service_code: is required")))?
        .parse()
        .map_err(|_| Refusal::bad(Message::new("service_code: is not a service code of this jurisdiction")))?;
    let coordinate = |field: &'static str| -> Result<Option<f64>, Refusal> {
        params
            .get(field)
            .map(|text| text.parse::<f64>().map_err(|_| invalid(&InvalidInput::new(field, "must be a number"))))
            .transpose()
    };
    let location = GeoPoint::from_pair(coordinate("lat")?, coordinate("long")?).map_err(|error| invalid(&error))?;
    let name = [params.get("first_name"), params.get("last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let posted = PostedRequest {
        category_id,
        location,
        address: params.get("address_string").map(str::to_owned),
        description: params.get("description").unwrap_or_default().to_owned(),
        contact: Contact {
            name: Some(name).filter(|name| !name.is_empty()),
            phone: params.get("phone").map(str::to_owned),
            email: params.get("email").map(str::to_owned),
            language: Some(locale),
        },
        media_url: params.get("media_url").map(str::to_owned),
        attributes: params
            .0
            .iter()
            .filter_map(|(key, value)| {
                let code = key.strip_prefix("attribute[")?.strip_suffix(']')?;
                Some((code.to_owned(), value.clone()))
            })
            .collect(),
    };
    let posted = open311::post(ctx, &client, posted).await.map_err(|error| match error {
        Open311Error::Invalid(invalid) | Open311Error::Ticket(TicketError::InvalidInput(invalid)) => {
            self::invalid(&invalid)
        }
        other => Refusal::domain(other),
    })?;
    // Live readers hear of the new ticket now, here and on the other instances.
    ctx.feed.committed();
    let answer = [PostAnswer {
        service_notice: Message::new("received as {code}; follow it at requests/{code}")
            .arg("code", &posted.ticket.code)
            .render(locale),
        service_request_id: posted.ticket.code,
        token: posted.token,
    }];
    Ok(respond(format, StatusCode::OK, &List { root: "service_requests", item: "request", items: &answer }))
}

/// A domain field as Open311 names it.
fn open311_field(field: &'static str) -> &'static str {
    match field {
        "categoryId" => "service_code",
        "latitude" => "lat",
        "longitude" => "long",
        "address" => "address_string",
        "contact.name" => "first_name",
        "contact.email" => "email",
        "contact.phone" => "phone",
        other => other,
    }
}

fn invalid(invalid: &InvalidInput) -> Refusal {
    Refusal::bad(
        Message::new("{field}: {message}")
            .arg("field", open311_field(invalid.field))
            .arg_message("message", invalid.message.clone()),
    )
}

/// `GET tokens/{token}`: the request a post's token stands for.
pub async fn token(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    reply(&headers, &file, |asked| async move {
        let Asked { name: token, format, .. } = asked;
        let unknown = || Refusal::not_found(Message::new("no such token"));
        let ticket_id =
            open311::request_for_token(&state.ctx, token).await.map_err(Refusal::domain)?.ok_or_else(unknown)?;
        // The token was checked: its ticket's code is read on the system's behalf.
        let ticket = tickets::get(&state.ctx, &Caller::System, ticket_id).await.map_err(Refusal::domain)?;
        let answer = [TokenAnswer { service_request_id: ticket.code, token: token.to_owned() }];
        Ok(respond(format, StatusCode::OK, &List { root: "service_requests", item: "request", items: &answer }))
    })
    .await
}
