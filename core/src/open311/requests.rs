//! Service requests posted by Open311 clients: each becomes an ordinary ticket submission, and
//! leaves beside the ticket the token the client was given and the media URL it sent.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::Open311Error;
use super::clients::Open311Client;
use super::entities::request;
use crate::auth::Caller;
use crate::context::Context;
use crate::digest::random_hex;
use crate::error::InvalidInput;
use crate::ids::{CategoryId, TicketId};
use crate::text;
use crate::tickets::{self, Channel, Contact, GeoPoint, NewTicket, Ticket};
use crate::time::to_millis;

/// The longest description GeoReport v2 allows, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The longest media URL kept, in characters.
pub const MAX_MEDIA_URL_CHARS: usize = 2000;
/// The longest title made from a description, in characters.
const TITLE_CHARS: usize = 80;

/// A service request as a client posts it.
#[derive(Debug, Clone)]
pub struct PostedRequest {
    /// The service (a category of the client's district).
    pub category_id: CategoryId,
    /// Where, on the map.
    pub location: Option<GeoPoint>,
    /// Where, as written (`address_string`).
    pub address: Option<String>,
    /// What is wrong.
    pub description: String,
    /// The reporter's contact details (personal data: never shown by Open311 reads).
    pub contact: Contact,
    /// A photo or other media, as a URL.
    pub media_url: Option<String>,
    /// `attribute[code]` values; Civitas' services define none, so any is refused.
    pub attributes: Vec<(String, String)>,
}

/// What a post made.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The ticket.
    pub ticket: Ticket,
    /// The token the client may look the request up with.
    pub token: String,
}

/// The caller a client's posts are made as: an intake bound to the client's district, which
/// the ticket's timeline names `open311:o311_<n>`.
fn intake(client: &Open311Client) -> Caller {
    Caller::operator(&format!("open311:{}", client.id)).in_district(client.district_id)
}

/// A ticket's title: the first line of the description, shortened.
fn title_of(description: &str) -> String {
    let first_line = description.trim().lines().next().unwrap_or_default().trim();
    if first_line.chars().count() <= TITLE_CHARS {
        first_line.to_owned()
    } else {
        let mut title: String = first_line.chars().take(TITLE_CHARS - 1).collect();
        title.push('…');
        title
    }
}

fn media_url(url: Option<&str>) -> Result<Option<String>, InvalidInput> {
    let Some(url) = text::optional("media_url", url, MAX_MEDIA_URL_CHARS)? else {
        return Ok(None);
    };
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.chars().any(char::is_whitespace) {
        return Err(InvalidInput::new("media_url", "must be an http or https URL"));
    }
    Ok(Some(url))
}

/// Takes in a request posted by `client`: the same validation, routing plugins and deadlines
/// as any ticket, on channel `OPEN311`.
pub async fn post(ctx: &Context, client: &Open311Client, posted: PostedRequest) -> Result<Posted, Open311Error> {
    if let Some((code, _)) = posted.attributes.first() {
        let code: String = code.chars().take(64).collect();
        return Err(InvalidInput::new(
            "attribute",
            crate::i18n::Message::new("this service has no attribute `{code}`").arg("code", code),
        )
        .into());
    }
    let description = text::required("description", &posted.description, MAX_DESCRIPTION_CHARS)?;
    let address = text::optional("address_string", posted.address.as_deref(), 500)?;
    if posted.location.is_none() && address.is_none() {
        return Err(InvalidInput::new("lat", "give lat and long, or address_string").into());
    }
    let media_url = media_url(posted.media_url.as_deref())?;
    let new = NewTicket {
        location: posted.location,
        address,
        contact: posted.contact,
        ..NewTicket::new(client.district_id, posted.category_id, Channel::Open311, title_of(&description), description)
    };
    let ticket = tickets::submit(ctx, &intake(client), new).await?;
    let token = random_hex::<16>();
    request::ActiveModel {
        token: Set(token.clone()),
        ticket_id: Set(ticket.id.0),
        client_id: Set(client.id.0),
        media_url: Set(media_url),
        created_at_ms: Set(to_millis(ctx.clock.now())),
    }
    .insert(&ctx.db)
    .await?;
    Ok(Posted { ticket, token })
}

/// The ticket a token was given for, if the server ever gave it.
pub async fn request_for_token(ctx: &Context, token: &str) -> Result<Option<TicketId>, Open311Error> {
    let token = token.trim();
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    Ok(request::Entity::find_by_id(token.to_owned()).one(&ctx.db).await?.map(|row| TicketId(row.ticket_id)))
}

/// The media URLs that clients posted with `tickets`.
pub async fn media_urls(ctx: &Context, tickets: &[TicketId]) -> Result<HashMap<TicketId, String>, Open311Error> {
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = request::Entity::find()
        .filter(request::Column::TicketId.is_in(tickets.iter().map(|id| id.0)))
        .filter(request::Column::MediaUrl.is_not_null())
        .all(&ctx.db)
        .await?;
    Ok(rows.into_iter().filter_map(|row| Some((TicketId(row.ticket_id), row.media_url?))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_the_first_line_shortened() {
        assert_eq!(title_of("  Pothole on Main St\nnear the school"), "Pothole on Main St");
        let long = "x".repeat(200);
        let title = title_of(&long);
        assert_eq!(title.chars().count(), TITLE_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn media_urls_are_web_urls() {
        assert_eq!(media_url(None), Ok(None));
        assert_eq!(media_url(Some("https://example.org/a.jpg")), Ok(Some("https://example.org/a.jpg".into())));
        assert_eq!(media_url(Some("javascript:alert(1)")).expect_err("scheme").field, "media_url");
        assert_eq!(media_url(Some("http://a b")).expect_err("space").field, "media_url");
    }
}
