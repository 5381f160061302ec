//! Validation of what callers send.

use super::model::{Channel, Contact, GeoPoint, Priority};
use crate::error::InvalidInput;
use crate::ids::{CategoryId, DistrictId, StreetId};

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

/// Trims `text` and checks that it has 1 to `max` characters.
pub(crate) fn required_text(field: &'static str, text: &str, max: usize) -> Result<String, InvalidInput> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(InvalidInput::new(field, format!("must have at most {max} characters")));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`], but an absent or blank value is `None`.
pub(crate) fn optional_text(
    field: &'static str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, InvalidInput> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text, max).map(Some),
    }
}

/// What is wrong with a text a plugin wrote, if anything: what callers' texts are checked
/// for, and no control characters but line breaks (a plugin's output goes on timelines as it is).
pub(crate) fn plugin_text_problem(what: &'static str, text: &str, max_chars: usize) -> Option<String> {
    match required_text(what, text, max_chars) {
        Err(invalid) => Some(invalid.to_string()),
        Ok(_) if text.chars().any(|c| c.is_control() && c != '\n') => Some(format!("{what}: has control characters")),
        Ok(_) => None,
    }
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
    let name = optional_text("contact.name", contact.name.as_deref(), 100)?;
    let phone = optional_text("contact.phone", contact.phone.as_deref(), 32)?;
    if let Some(phone) = &phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !allowed || !(3..=20).contains(&digits) {
            return Err(InvalidInput::new("contact.phone", "must be a phone number of 3 to 20 digits"));
        }
    }
    let email = optional_text("contact.email", contact.email.as_deref(), 254)?;
    if let Some(email) = &email {
        let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
        if !well_formed {
            return Err(InvalidInput::new("contact.email", "must be an email address"));
        }
    }
    Ok(Contact { name, phone, email })
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
        assert!(plugin_text_problem("comment", "\u{1b}[31mred", 100).is_some());
        assert!(plugin_text_problem("comment", "carriage\rreturn", 100).is_some());
        assert_eq!(plugin_tag_problem("night"), None);
        assert!(plugin_tag_problem("two words").is_some());
        assert!(plugin_tag_problem(&"x".repeat(MAX_TAG_CHARS + 1)).is_some());
        assert!(plugin_tag_problem("").is_some());
    }
}
