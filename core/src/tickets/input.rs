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
    /// Latitude, given together with `longitude`.
    pub latitude: Option<f64>,
    /// Longitude, given together with `latitude`.
    pub longitude: Option<f64>,
    /// Contact details captured with it.
    pub contact: Contact,
    /// Urgency; `NORMAL` when not given.
    pub priority: Option<Priority>,
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

pub(crate) fn location(latitude: Option<f64>, longitude: Option<f64>) -> Result<Option<GeoPoint>, InvalidInput> {
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(InvalidInput::new("longitude", "must be given with latitude")),
        (None, Some(_)) => Err(InvalidInput::new("latitude", "must be given with longitude")),
        (Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) {
                return Err(InvalidInput::new("latitude", "must be between -90 and 90"));
            }
            if !(-180.0..=180.0).contains(&longitude) {
                return Err(InvalidInput::new("longitude", "must be between -180 and 180"));
            }
            Ok(Some(GeoPoint { latitude, longitude }))
        }
    }
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
        assert_eq!(location(Some(91.0), Some(0.0)).expect_err("lat").field, "latitude");
        assert_eq!(location(Some(0.0), Some(f64::NAN)).expect_err("nan").field, "longitude");
        assert_eq!(location(Some(1.0), None).expect_err("pair").field, "longitude");
        let bad_phone = Contact { phone: Some("call me".into()), ..Contact::default() };
        assert_eq!(contact(&bad_phone).expect_err("phone").field, "contact.phone");
        let bad_email = Contact { email: Some("a@b".into()), ..Contact::default() };
        assert_eq!(contact(&bad_email).expect_err("email").field, "contact.email");
        assert!(score(0).is_err() && score(6).is_err() && score(3).is_ok());
    }
}
