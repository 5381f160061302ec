//! Roles and the identity of a caller.

use std::fmt;
use std::str::FromStr;

use crate::ids::{DepartmentId, DistrictId};

/// A role in the city's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A resident: sees and rates their own tickets.
    Resident,
    /// A hotline agent: takes tickets on any channel, city-wide, and dispatches them.
    Operator,
    /// A member of one department of one district: works the tickets dispatched to it.
    DepartmentStaff,
    /// The administrator of one district.
    DistrictAdmin,
    /// The administrator of the whole city.
    CityAdmin,
}

impl Role {
    /// Every role, in order of reach.
    pub const ALL: [Role; 5] =
        [Role::Resident, Role::Operator, Role::DepartmentStaff, Role::DistrictAdmin, Role::CityAdmin];

    /// The role's name in tokens and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Operator => "operator",
            Role::DepartmentStaff => "department_staff",
            Role::DistrictAdmin => "district_admin",
            Role::CityAdmin => "city_admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown role `{0}` (expected one of resident, operator, department_staff, district_admin, city_admin)")]
pub struct UnknownRole(pub String);

impl UnknownRole {
    /// The refusal, translatable.
    pub fn message(&self) -> crate::i18n::Message {
        crate::i18n::Message::new(
            "unknown role `{role}` (expected one of resident, operator, department_staff, district_admin, city_admin)",
        )
        .arg("role", &self.0)
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == name)
            .ok_or_else(|| UnknownRole(name.chars().take(64).collect()))
    }
}

/// A phone number from a token, as `+<country code><number>`. Personal data: its `Debug` shows
/// no digit, so a caller in a log line or a panic message does not leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedPhone(String);

impl VerifiedPhone {
    /// The number as a token writes it, normalised (see [`crate::text::international_phone`]).
    pub fn parse(text: &str) -> Result<Self, crate::error::InvalidInput> {
        crate::text::international_phone("phone", text).map(VerifiedPhone)
    }

    /// `+<country code><number>`.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for VerifiedPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedPhone(<redacted>)")
    }
}

/// An email address from a token. Personal data: its `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct CallerEmail(pub(crate) String);

impl CallerEmail {
    /// The address.
    pub fn address(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CallerEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallerEmail(<redacted>)")
    }
}

/// Why a caller may not administer something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRefusal {
    /// Nobody signed in.
    Unauthenticated,
    /// Signed in, without the right.
    Forbidden,
}

/// The identity on whose behalf a service function runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Nobody signed in: may read public data and, where a district allows it, submit tickets.
    Anonymous,
    /// A signed-in person.
    User {
        /// Stable subject identifier from the token (`sub`).
        subject: String,
        /// Their role.
        role: Role,
        /// The district they belong to (district admins and department staff).
        district: Option<DistrictId>,
        /// The department they belong to (department staff).
        department: Option<DepartmentId>,
        /// A phone number the identity provider verified (residents), which makes the same
        /// person's self-service and assisted survey answers one participation.
        phone: Option<VerifiedPhone>,
        /// The year of birth the identity provider verified (residents), for votes with a
        /// minimum age.
        birth_year: Option<i32>,
        /// Their email address as the identity provider knows it.
        email: Option<CallerEmail>,
    },
    /// The system itself (sweepers, auto-close), acting on every district.
    System,
}

impl Caller {
    /// A resident with this subject.
    pub fn resident(subject: &str) -> Self {
        Caller::User {
            email: None,
            subject: subject.to_owned(),
            role: Role::Resident,
            district: None,
            department: None,
            phone: None,
            birth_year: None,
        }
    }

    /// A hotline operator.
    pub fn operator(subject: &str) -> Self {
        Caller::User {
            email: None,
            subject: subject.to_owned(),
            role: Role::Operator,
            district: None,
            department: None,
            phone: None,
            birth_year: None,
        }
    }

    /// A member of `department` in `district`.
    pub fn staff(subject: &str, district: DistrictId, department: DepartmentId) -> Self {
        Caller::User {
            email: None,
            subject: subject.to_owned(),
            role: Role::DepartmentStaff,
            district: Some(district),
            department: Some(department),
            phone: None,
            birth_year: None,
        }
    }

    /// The administrator of `district`.
    pub fn district_admin(subject: &str, district: DistrictId) -> Self {
        Caller::User {
            email: None,
            subject: subject.to_owned(),
            role: Role::DistrictAdmin,
            district: Some(district),
            department: None,
            phone: None,
            birth_year: None,
        }
    }

    /// A city administrator.
    pub fn city_admin(subject: &str) -> Self {
        Caller::User {
            email: None,
            subject: subject.to_owned(),
            role: Role::CityAdmin,
            district: None,
            department: None,
            phone: None,
            birth_year: None,
        }
    }

    /// The same caller living in `district` (a resident's optional district claim).
    pub fn in_district(mut self, district: DistrictId) -> Self {
        if let Caller::User { district: own, .. } = &mut self {
            *own = Some(district);
        }
        self
    }

    /// The same caller with a verified phone number (a resident's optional `phone` claim).
    pub fn with_phone(mut self, phone: VerifiedPhone) -> Self {
        if let Caller::User { phone: own, .. } = &mut self {
            *own = Some(phone);
        }
        self
    }

    /// The same caller with an email address (the token's optional `email` claim).
    pub fn with_email(mut self, address: &str) -> Self {
        if let Caller::User { email, .. } = &mut self {
            *email = Some(CallerEmail(address.trim().to_owned()));
        }
        self
    }

    /// The caller's email address, if the token carried one.
    pub fn email(&self) -> Option<&str> {
        match self {
            Caller::User { email, .. } => email.as_ref().map(|email| email.0.as_str()),
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// The caller's verified year of birth, if the token carried one.
    pub fn birth_year(&self) -> Option<i32> {
        match self {
            Caller::User { birth_year, .. } => *birth_year,
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// Whether the caller administers what belongs to `district` (`None`: the city's own):
    /// city admins and the system everything, a district admin their district's.
    pub fn administers(&self, district: Option<DistrictId>) -> Result<(), AdminRefusal> {
        match self {
            Caller::Anonymous => Err(AdminRefusal::Unauthenticated),
            Caller::System => Ok(()),
            _ if self.is(Role::CityAdmin) => Ok(()),
            _ if self.is(Role::DistrictAdmin) && district.is_some() && self.district() == district => Ok(()),
            _ => Err(AdminRefusal::Forbidden),
        }
    }

    /// The caller's verified phone number, if the token carried one.
    pub fn phone(&self) -> Option<&VerifiedPhone> {
        match self {
            Caller::User { phone, .. } => phone.as_ref(),
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// The caller's role, if signed in.
    pub fn role(&self) -> Option<Role> {
        match self {
            Caller::User { role, .. } => Some(*role),
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// The caller's subject, if signed in.
    pub fn subject(&self) -> Option<&str> {
        match self {
            Caller::User { subject, .. } => Some(subject),
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// The district the caller is bound to, if any.
    pub fn district(&self) -> Option<DistrictId> {
        match self {
            Caller::User { district, .. } => *district,
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// The department the caller is bound to, if any.
    pub fn department(&self) -> Option<DepartmentId> {
        match self {
            Caller::User { department, .. } => *department,
            Caller::Anonymous | Caller::System => None,
        }
    }

    /// How audit records name the caller's role: its role, `system` for the system, `None` for
    /// an anonymous caller.
    pub fn recorded_role(&self) -> Option<&'static str> {
        match self {
            Caller::User { role, .. } => Some(role.as_str()),
            Caller::System => Some("system"),
            Caller::Anonymous => None,
        }
    }

    /// Whether this caller is `role`.
    pub fn is(&self, role: Role) -> bool {
        self.role() == Some(role)
    }

    /// Whether the caller sees every district (operators, city admins, the system).
    pub fn is_city_wide(&self) -> bool {
        matches!(self, Caller::System) || self.is(Role::Operator) || self.is(Role::CityAdmin)
    }
}
