//! The public reads: discovery, services, a service's definition, request lists and one request.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use civitas_core::Context;
use civitas_core::directory::{self, Category, District};
use civitas_core::i18n::{Locale, Message};
use civitas_core::ids::{CategoryId, DepartmentId};
use civitas_core::open311;
use civitas_core::tickets::{self, MAX_PUBLIC_PAGE, PublicFilter, PublicTicket, TicketStatus};

use super::documents::{Discovery, Endpoint, Service, ServiceDefinition, ServiceRequest, datetime};
use super::format::{Format, List, Refusal, respond};
use super::{Asked, PREFIX, Params, jurisdiction, reply};
use crate::server::AppState;

/// The default window of a request list, when neither date is given.
const DEFAULT_WINDOW_DAYS: i64 = 90;
/// How deep a request list may page: `page × page_size` at most this many requests.
pub const MAX_LIST_DEPTH: u64 = 100_000;
/// The most service codes one request list may filter by.
pub const MAX_SERVICE_CODES: usize = 100;
/// When this endpoint's documents last changed shape.
const CHANGESET: &str = "2026-12-07T00:00:00Z";

/// The statuses GeoReport calls open; every other status is closed.
const OPEN: [TicketStatus; 3] = [TicketStatus::Received, TicketStatus::Dispatched, TicketStatus::Accepted];

/// `GET discovery`, `services` and `requests`, in either format.
pub async fn document(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let (params, headers) = (&Params(params), &headers);
    reply(headers, &file, |asked| async move {
        match asked.name {
            "discovery" => Ok(discovery(headers, asked.format)),
            "services" => services(&state.ctx, params, asked.format, asked.locale).await,
            "requests" => requests(&state.ctx, params, asked.format, asked.locale).await,
            _ => Err(Refusal::not_found(Message::new("no such Open311 document"))),
        }
    })
    .await
}

fn discovery(headers: &HeaderMap, format: Format) -> Response {
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|proto| proto.to_str().ok()).unwrap_or("http");
    let document = Discovery {
        changeset: CHANGESET.to_owned(),
        contact: "The city's hotline administrators".to_owned(),
        key_service: "API keys are issued by a district's administrator (GraphQL createOpen311Client, or \
                      `civitas open311 key issue`)"
            .to_owned(),
        endpoints: vec![Endpoint {
            specification: "http://wiki.open311.org/GeoReport_v2".to_owned(),
            url: format!("{scheme}://{host}{}", PREFIX.trim_end_matches('/')),
            changeset: CHANGESET.to_owned(),
            kind: "production".to_owned(),
            formats: vec!["text/xml".to_owned(), "application/json".to_owned()],
        }],
    };
    respond(format, StatusCode::OK, &document)
}

async fn services(ctx: &Context, params: &Params, format: Format, locale: Locale) -> Result<Response, Refusal> {
    let district = jurisdiction(ctx, params).await?;
    let categories = directory::categories(ctx, district.id).await.map_err(Refusal::domain)?;
    let departments = department_names(ctx, &district, locale).await?;
    let services: Vec<Service> = categories
        .iter()
        .map(|category| Service {
            service_code: category.id.to_string(),
            service_name: category.name.get(locale).to_owned(),
            description: Message::new("answered within {respond} h, resolved within {resolve} h")
                .arg("respond", category.respond_within_hours)
                .arg("resolve", category.resolve_within_hours)
                .render(locale),
            metadata: false,
            kind: "realtime",
            keywords: district.name.get(locale).to_owned(),
            group: category
                .default_department_id
                .and_then(|id| departments.get(&id).cloned())
                .unwrap_or_else(|| district.name.get(locale).to_owned()),
        })
        .collect();
    Ok(respond(format, StatusCode::OK, &List { root: "services", item: "service", items: &services }))
}

/// `GET services/{service_code}`: the service's definition (no attributes).
pub async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    reply(&headers, &file, |asked| async move {
        let district = jurisdiction(&state.ctx, &Params(params)).await?;
        let category = category_of(&state.ctx, &district, asked.name).await?;
        let definition = ServiceDefinition { service_code: category.id.to_string(), attributes: Vec::new() };
        Ok(respond(asked.format, StatusCode::OK, &definition))
    })
    .await
}

async fn category_of(ctx: &Context, district: &District, code: &str) -> Result<Category, Refusal> {
    let unknown = || {
        let code: String = code.chars().take(64).collect();
        Refusal::not_found(Message::new("unknown service_code `{code}`").arg("code", code))
    };
    let id: CategoryId = code.parse().map_err(|_| unknown())?;
    match directory::category(ctx, id).await {
        Ok(category) if category.district_id == district.id => Ok(category),
        _ => Err(unknown()),
    }
}

/// `GET requests/{service_request_id}`: one request, as a list of one.
pub async fn request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    reply(&headers, &file, |asked| async move {
        let Asked { name: code, format, locale } = asked;
        let district = jurisdiction(&state.ctx, &Params(params)).await?;
        let filter = PublicFilter { codes: vec![code.to_owned()], ..all_of(&district) };
        let found = tickets::public_tickets(&state.ctx, &filter, 0, 1).await.map_err(Refusal::domain)?;
        if found.is_empty() {
            let code: String = code.chars().take(64).collect();
            return Err(Refusal::not_found(Message::new("no service request `{id}`").arg("id", code)));
        }
        let items = service_requests(&state.ctx, &district, found, locale).await?;
        Ok(respond(format, StatusCode::OK, &List { root: "service_requests", item: "request", items: &items }))
    })
    .await
}

fn all_of(district: &District) -> PublicFilter {
    PublicFilter {
        district_id: district.id,
        codes: Vec::new(),
        category_ids: Vec::new(),
        statuses: Vec::new(),
        from: None,
        to: None,
    }
}

async fn requests(ctx: &Context, params: &Params, format: Format, locale: Locale) -> Result<Response, Refusal> {
    let district = jurisdiction(ctx, params).await?;
    let mut filter = all_of(&district);
    let codes = params.list("service_request_id");
    if codes.len() > MAX_PUBLIC_PAGE as usize {
        return Err(Refusal::bad(Message::new("service_request_id: at most {max} IDs").arg("max", MAX_PUBLIC_PAGE)));
    }
    filter.codes = codes.into_iter().map(str::to_owned).collect();
    let service_codes = params.list("service_code");
    if service_codes.len() > MAX_SERVICE_CODES {
        return Err(Refusal::bad(
            Message::new("service_code: at most {max} service codes").arg("max", MAX_SERVICE_CODES),
        ));
    }
    for code in service_codes {
        let id: CategoryId = code.parse().map_err(|_| {
            let code: String = code.chars().take(64).collect();
            Refusal::bad(Message::new("service_code: `{code}` is not a service code").arg("code", code))
        })?;
        if !filter.category_ids.contains(&id) {
            filter.category_ids.push(id);
        }
    }
    // Each status once, however often the list names it (every one is an SQL parameter).
    let statuses = params.list("status");
    for status in &statuses {
        if !matches!(*status, "open" | "closed") {
            return Err(Refusal::bad(Message::new("status: must be open, closed or both")));
        }
    }
    if statuses.contains(&"open") {
        filter.statuses.extend(OPEN);
    }
    if statuses.contains(&"closed") {
        filter.statuses.extend(TicketStatus::ALL.iter().filter(|status| !OPEN.contains(status)));
    }
    let end = params.get("end_date").map(|text| date(ctx, "end_date", text)).transpose()?;
    let start = params.get("start_date").map(|text| date(ctx, "start_date", text)).transpose()?;
    filter.from =
        Some(start.unwrap_or_else(|| end.unwrap_or_else(|| ctx.clock.now()) - Duration::days(DEFAULT_WINDOW_DAYS)));
    filter.to = end;
    if filter.from.zip(filter.to).is_some_and(|(from, to)| from > to) {
        return Err(Refusal::bad(Message::new("end_date: must not be before start_date")));
    }
    let page = number(params, "page", 1, u64::MAX)?.unwrap_or(1);
    let page_size = number(params, "page_size", 1, MAX_PUBLIC_PAGE)?.unwrap_or(MAX_PUBLIC_PAGE);
    let offset = (page - 1).saturating_mul(page_size);
    if offset.saturating_add(page_size) > MAX_LIST_DEPTH {
        return Err(Refusal::bad(
            Message::new("page: page × page_size must be at most {max}; narrow the dates instead")
                .arg("max", MAX_LIST_DEPTH),
        ));
    }
    let found = tickets::public_tickets(ctx, &filter, offset, page_size).await.map_err(Refusal::domain)?;
    let items = service_requests(ctx, &district, found, locale).await?;
    Ok(respond(format, StatusCode::OK, &List { root: "service_requests", item: "request", items: &items }))
}

/// A whole number parameter between `min` and `max`.
fn number(params: &Params, name: &'static str, min: u64, max: u64) -> Result<Option<u64>, Refusal> {
    let Some(text) = params.get(name) else { return Ok(None) };
    text.parse::<u64>().ok().filter(|value| (min..=max).contains(value)).map(Some).ok_or_else(|| {
        Refusal::bad(
            Message::new("{field}: must be a whole number from {min} to {max}")
                .arg("field", name)
                .arg("min", min)
                .arg("max", max),
        )
    })
}

/// A date parameter: ISO 8601 with an offset, or a plain date (midnight in the city's time zone).
fn date(ctx: &Context, field: &'static str, text: &str) -> Result<DateTime<Utc>, Refusal> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .and_then(|midnight| midnight.and_local_timezone(ctx.config.timezone).earliest())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| {
            Refusal::bad(
                Message::new("{field}: must be an ISO 8601 date-time such as 2026-01-31T08:00:00+08:00")
                    .arg("field", field),
            )
        })
}

async fn department_names(
    ctx: &Context,
    district: &District,
    locale: Locale,
) -> Result<HashMap<DepartmentId, String>, Refusal> {
    let departments = directory::departments(ctx, district.id).await.map_err(Refusal::domain)?;
    Ok(departments.into_iter().map(|department| (department.id, department.name.get(locale).to_owned())).collect())
}

/// Public tickets as GeoReport's service requests: three more statements whatever their number
/// (categories, departments, media URLs).
async fn service_requests(
    ctx: &Context,
    district: &District,
    found: Vec<PublicTicket>,
    locale: Locale,
) -> Result<Vec<ServiceRequest>, Refusal> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let categories: HashMap<CategoryId, String> = directory::categories(ctx, district.id)
        .await
        .map_err(Refusal::domain)?
        .into_iter()
        .map(|category| (category.id, category.name.get(locale).to_owned()))
        .collect();
    let departments = department_names(ctx, district, locale).await?;
    let ids: Vec<_> = found.iter().map(|ticket| ticket.id).collect();
    let mut media = open311::media_urls(ctx, &ids).await.map_err(Refusal::domain)?;
    let timezone = ctx.config.timezone;
    Ok(found
        .into_iter()
        .map(|ticket| ServiceRequest {
            service_request_id: ticket.code,
            status: if OPEN.contains(&ticket.status) { "open" } else { "closed" },
            status_notes: ticket.public_note,
            service_name: categories.get(&ticket.category_id).cloned().unwrap_or_default(),
            service_code: ticket.category_id.to_string(),
            description: ticket.description,
            agency_responsible: ticket.department_id.and_then(|id| departments.get(&id).cloned()),
            service_notice: None,
            requested_datetime: datetime(ticket.created_at, timezone),
            updated_datetime: datetime(ticket.updated_at, timezone),
            expected_datetime: Some(datetime(ticket.resolve_by, timezone)),
            address: ticket.address,
            lat: ticket.location.map(|point| point.latitude),
            long: ticket.location.map(|point| point.longitude),
            media_url: media.remove(&ticket.id),
        })
        .collect())
}
