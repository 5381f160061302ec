//! Typed identifiers.
//!
//! Every entity has its own ID type so that a department ID can never be passed where a district
//! ID is expected. IDs are rendered with a short prefix (`dst_3`, `dep_12`, ...); the same strings
//! are used by the GraphQL API and the CLI, and parsing rejects an ID of the wrong kind.

use std::fmt;
use std::str::FromStr;

/// An ID string that is malformed or names another kind of entity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a valid {kind} ID (expected `{prefix}_<number>`)")]
pub struct MalformedId {
    /// What was given.
    pub given: String,
    /// The kind of ID that was expected, e.g. `district`.
    pub kind: &'static str,
    /// The expected prefix, e.g. `dst`.
    pub prefix: &'static str,
}

impl MalformedId {
    /// The refusal, translatable.
    pub fn message(&self) -> crate::i18n::Message {
        crate::i18n::Message::new("`{given}` is not a valid {kind} ID (expected `{prefix}_<number>`)")
            .arg("given", &self.given)
            .arg_message("kind", crate::i18n::Message::new(self.kind))
            .arg("prefix", self.prefix)
    }
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            /// The prefix of this ID's string form.
            pub const PREFIX: &'static str = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0)
            }
        }

        impl FromStr for $name {
            type Err = MalformedId;

            fn from_str(given: &str) -> Result<Self, Self::Err> {
                given
                    .strip_prefix(concat!($prefix, "_"))
                    .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|digits| digits.parse::<i64>().ok())
                    .filter(|value| *value > 0)
                    .map($name)
                    .ok_or_else(|| MalformedId {
                        given: given.chars().take(64).collect(),
                        kind: $kind,
                        prefix: $prefix,
                    })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

typed_id!(
    /// An Open311 client (a 311 app, FixMyStreet, a data portal) holding an API key of a district.
    Open311ClientId, "o311", "Open311 client"
);
typed_id!(
    /// A district of the city.
    DistrictId, "dst", "district"
);
typed_id!(
    /// A street of a district.
    StreetId, "str", "street"
);
typed_id!(
    /// A department of a district (e.g. sanitation of district 2).
    DepartmentId, "dep", "department"
);
typed_id!(
    /// A ticket category of a district, with its deadlines.
    CategoryId, "cat", "category"
);
typed_id!(
    /// A hotline ticket.
    TicketId, "tkt", "ticket"
);
typed_id!(
    /// One entry of a ticket's timeline.
    TicketEventId, "tev", "ticket event"
);
typed_id!(
    /// A plugin installed in a district (or city-wide).
    PluginId, "plg", "plugin"
);
typed_id!(
    /// One recorded plugin call.
    PluginCallId, "pcl", "plugin call"
);
typed_id!(
    /// A notification enqueued for a department.
    NotificationId, "ntf", "notification"
);
typed_id!(
    /// A domain event's position in the outbox.
    EventId, "evt", "event"
);
typed_id!(
    /// One entry of the audit log.
    AuditEntryId, "aud", "audit entry"
);
typed_id!(
    /// A survey.
    SurveyId, "srv", "survey"
);
typed_id!(
    /// A response to a survey (random, so that IDs do not follow the order of submission).
    SurveyResponseId, "rsp", "survey response"
);
typed_id!(
    /// A participatory-budgeting process.
    BudgetProcessId, "pbp", "budgeting process"
);
typed_id!(
    /// A project proposed in a budgeting process.
    BudgetProjectId, "prj", "budget project"
);
typed_id!(
    /// A milestone of a selected project's implementation.
    BudgetMilestoneId, "mst", "milestone"
);
typed_id!(
    /// A ballot waiting for an admin's eligibility decision (random, unrelated to the ballot's).
    EligibilityReviewId, "elr", "eligibility review"
);
typed_id!(
    /// A ballot of a budgeting process (random, so that IDs do not follow the order of casting).
    BallotId, "blt", "ballot"
);

typed_id!(
    /// A message of the email outbox.
    EmailId, "eml", "email"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_kinds() {
        let id: DistrictId = "dst_42".parse().expect("valid");
        assert_eq!(id, DistrictId(42));
        assert_eq!(id.to_string(), "dst_42");
        assert!("dep_42".parse::<DistrictId>().is_err());
        for bad in ["dst_", "dst_-1", "dst_0", "dst_1a", "42", "", "dst_99999999999999999999"] {
            assert!(bad.parse::<DistrictId>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn error_names_the_expected_kind() {
        let error = "tkt_1".parse::<DepartmentId>().expect_err("wrong kind");
        assert_eq!(error.kind, "department");
        assert!(error.to_string().contains("dep_<number>"));
    }
}
