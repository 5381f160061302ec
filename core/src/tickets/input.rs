//! Validation of what callers send.

use super::model::{Channel, Contact, GeoPoint, Priority};
use crate::error::InvalidInput;
use crate::ids::{CategoryId, DistrictId, StreetId};
use crate::text;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Longest note (reason, resolution, comment), in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// The longest tag a plugin may give, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// The most tags a router may give a ticket.
pub const MAX_TAGS: usize = 16;

/// A ticket as submitted.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// The district it concerns.
    pub district_id: DistrictId,
    /// Its category (of that district).
    pub category_id: CategoryId,
    /// Short summary.
    pub title: String,
    /// Details.
    pub description: String,
    /// How it came in.
    pub channel: Channel,
    /// The street, if known (of that district).
    pub street_id: Option<StreetId>,
    /// Free-form address.
    pub address: Option<String>,
    /// Where it is (see [`GeoPoint::from_pair`] for latitude and longitude given apart).
    pub location: Option<GeoPoint>,
    /// Contact details captured with it.
    pub contact: Contact,
    /// Urgency; `NORMAL` when not given.
    pub priority: Option<Priority>,
    /// The caller's key for this submission (HTTP `Idempotency-Key`): a retry with the same key
    /// within 24 hours gets the ticket the first attempt made.
    pub idempotency_key: Option<String>,
}

impl NewTicket {
    /// A ticket with what every ticket needs; set the other fields with struct update syntax:
    /// `NewTicket { location: Some(point), ..NewTicket::new(...) }`.
    pub fn new(
        district_id: DistrictId,
        category_id: CategoryId,
        channel: Channel,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        NewTicket {
            district_id,
            category_id,
            title: title.into(),
            description: description.into(),
            channel,
            street_id: None,
            address: None,
            location: None,
            contact: Contact::default(),
            priority: None,
            idempotency_key: None,
        }
    }
}

impl GeoPoint {
    /// A point from a latitude and a longitude given separately (as API inputs are): both or
    /// neither, each in its range; the error names the field at fault.
    pub fn from_pair(latitude: Option<f64>, longitude: Option<f64>) -> Result<Option<GeoPoint>, InvalidInput> {
        match (latitude, longitude) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(InvalidInput::new("longitude", "must be given with latitude")),
            (None, Some(_)) => Err(InvalidInput::new("latitude", "must be given with longitude")),
            (Some(latitude), Some(longitude)) => location(Some(GeoPoint { latitude, longitude })),
        }
    }
}

pub(crate) use crate::text::{optional as optional_text, required as required_text};

/// What is wrong with a text a plugin wrote, if anything: what callers' texts are checked for
/// (a plugin's output goes on timelines as it is).
pub(crate) fn plugin_text_problem(what: &'static str, text: &str, max_chars: usize) -> Option<String> {
    required_text(what, text, max_chars).err().map(|invalid| invalid.to_string())
}

/// What is wrong with a tag a plugin gave, if anything: a plugin text of at most
/// [`MAX_TAG_CHARS`] characters, without spaces or line breaks.
pub(crate) fn plugin_tag_problem(tag: &str) -> Option<String> {
    plugin_text_problem("tag", tag, MAX_TAG_CHARS)
        .or_else(|| tag.chars().any(char::is_whitespace).then(|| "a tag has no spaces".to_owned()))
}

/// Checks a point's coordinates: latitude -90 to 90, longitude -180 to 180.
pub(crate) fn location(point: Option<GeoPoint>) -> Result<Option<GeoPoint>, InvalidInput> {
    let Some(point) = point else {
        return Ok(None);
    };
    if !(-90.0..=90.0).contains(&point.latitude) {
        return Err(InvalidInput::new("latitude", "must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&point.longitude) {
        return Err(InvalidInput::new("longitude", "must be between -180 and 180"));
    }
    Ok(Some(point))
}

pub(crate) fn contact(contact: &Contact) -> Result<Contact, InvalidInput> {
    let present = |value: &Option<String>| value.as_deref().filter(|text| !text.trim().is_empty()).map(str::to_owned);
    Ok(Contact {
        name: optional_text("contact.name", contact.name.as_deref(), 100)?,
        phone: present(&contact.phone).map(|phone| text::phone("contact.phone", &phone)).transpose()?,
        email: present(&contact.email).map(|email| text::email("contact.email", &email)).transpose()?,
        language: contact.language,
    })
}

pub(crate) fn score(score: i32) -> Result<u8, InvalidInput> {
    u8::try_from(score)
        .ok()
        .filter(|score| (1..=5).contains(score))
        .ok_or_else(|| InvalidInput::new("score", "must be between 1 and 5"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_fields_by_name() {
        assert_eq!(required_text("title", "   ", 10).expect_err("blank").field, "title");
        assert_eq!(required_text("title", &"x".repeat(11), 10).expect_err("long").field, "title");
        assert_eq!(GeoPoint::from_pair(Some(91.0), Some(0.0)).expect_err("lat").field, "latitude");
        assert_eq!(GeoPoint::from_pair(Some(0.0), Some(f64::NAN)).expect_err("nan").field, "longitude");
        assert_eq!(GeoPoint::from_pair(Some(1.0), None).expect_err("pair").field, "longitude");
        assert_eq!(GeoPoint::from_pair(None, Some(1.0)).expect_err("pair").field, "latitude");
        let point = GeoPoint { latitude: 31.2, longitude: 121.5 };
        assert_eq!(GeoPoint::from_pair(Some(31.2), Some(121.5)), Ok(Some(point)));
        let bad_phone = Contact { phone: Some("call me".into()), ..Contact::default() };
        assert_eq!(contact(&bad_phone).expect_err("phone").field, "contact.phone");
        let bad_email = Contact { email: Some("a@b".into()), ..Contact::default() };
        assert_eq!(contact(&bad_email).expect_err("email").field, "contact.email");
        assert!(score(0).is_err() && score(6).is_err() && score(3).is_ok());
    }

    #[test]
    fn plugin_texts_have_no_control_characters_and_tags_no_spaces() {
        assert_eq!(plugin_text_problem("comment", "two\nlines", 100), None);
        assert!(plugin_text_problem("comment", "bell\u{7}", 100).is_some());
        assert!(plugin_text_problem("comment", "nul\u{0}", 100).is_some());
        assert!(plugin_text_problem("comment", "\u{1b}[31mred", 100).is_some());
        assert!(plugin_text_problem("comment", "carriage\rreturn", 100).is_some());
        assert_eq!(plugin_tag_problem("night"), None);
        assert!(plugin_tag_problem("two words").is_some());
        assert!(plugin_tag_problem(&"x".repeat(MAX_TAG_CHARS + 1)).is_some());
        assert!(plugin_tag_problem("").is_some());
    }
}
