//! Directory entries.

use crate::i18n::LocalizedText;
use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId};

/// A district of the city: the unit of tenancy.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct District {
    /// Its ID.
    pub id: DistrictId,
    /// A short unique code, e.g. `east`.
    pub code: String,
    /// Its name.
    pub name: LocalizedText,
    /// Whether callers who are not signed in may submit tickets here.
    pub allow_anonymous_tickets: bool,
    /// The work address that hears of escalations and of plugins disabled by their failures.
    pub notification_email: Option<String>,
}

/// A street of a district.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Street {
    /// Its ID.
    pub id: StreetId,
    /// The district it belongs to.
    pub district_id: DistrictId,
    /// Its name.
    pub name: LocalizedText,
}

/// A department of a district, to which tickets are dispatched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    /// Its ID.
    pub id: DepartmentId,
    /// The district it belongs to.
    pub district_id: DistrictId,
    /// Its name.
    pub name: LocalizedText,
    /// The work address that hears of each ticket dispatched or transferred to it.
    pub notification_email: Option<String>,
}

/// A ticket category of a district and the deadlines it sets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// Its ID.
    pub id: CategoryId,
    /// The district it belongs to.
    pub district_id: DistrictId,
    /// Its name.
    pub name: LocalizedText,
    /// Hours from submission within which a department must accept the ticket.
    pub respond_within_hours: i32,
    /// Hours from submission within which the ticket must be resolved.
    pub resolve_within_hours: i32,
    /// The department that usually handles it, suggested to dispatchers.
    pub default_department_id: Option<DepartmentId>,
}

/// A district to create.
#[derive(Debug, Clone)]
pub struct NewDistrict {
    /// Unique short code.
    pub code: String,
    /// Name.
    pub name: LocalizedText,
    /// Whether anonymous callers may submit tickets.
    pub allow_anonymous_tickets: bool,
}

/// A street to create.
#[derive(Debug, Clone)]
pub struct NewStreet {
    /// Its district.
    pub district_id: DistrictId,
    /// Name.
    pub name: LocalizedText,
}

/// A department to create.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    /// Its district.
    pub district_id: DistrictId,
    /// Name.
    pub name: LocalizedText,
}

/// A category to create.
#[derive(Debug, Clone)]
pub struct NewCategory {
    /// Its district.
    pub district_id: DistrictId,
    /// Name.
    pub name: LocalizedText,
    /// Response deadline in hours.
    pub respond_within_hours: i32,
    /// Resolution deadline in hours.
    pub resolve_within_hours: i32,
    /// The usual department.
    pub default_department_id: Option<DepartmentId>,
}
