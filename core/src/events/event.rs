//! The typed domain events: one variant per fact, with its data.
//!
//! Each variant has a stable name (`ticket.dispatched`), the `kind` that storage and plugins
//! see, and its data is stored as a JSON object of named fields (never contact data). Within a
//! [`DomainEvent::VERSION`] a variant's data may only gain optional fields; any other change
//! raises the version, and [`DomainEvent::decode`] keeps reading the older versions.

use serde::{Deserialize, Serialize};

use crate::ids::{
    BudgetMilestoneId, BudgetProcessId, BudgetProjectId, CategoryId, DepartmentId, DistrictId, Open311ClientId,
    PluginId, StreetId, SurveyId, TicketId,
};
use crate::tickets::TicketStatus;

/// What a ticket event says about its ticket: IDs, code and status (no contact data, no text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    /// The ticket.
    pub ticket: TicketId,
    /// Its district.
    pub district: DistrictId,
    /// Its tracking code.
    pub code: String,
    /// Its status after the change.
    pub status: TicketStatus,
    /// The department it is dispatched to after the change, if any.
    pub department: Option<DepartmentId>,
}

/// A rating: the ticket after it, and the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRating {
    /// The ticket after the rating (closed, or received again when reopened).
    #[serde(flatten)]
    pub ticket: TicketFacts,
    /// 1 to 5.
    pub score: u8,
}

/// A tag put on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTag {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: TicketFacts,
    /// The tag.
    pub tag: String,
}

/// Duplicates closed into a primary ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMerge {
    /// The primary ticket, which stays open.
    pub primary: TicketId,
    /// Its district (duplicates are always of the same district).
    pub district: DistrictId,
    /// The tickets closed into it.
    pub duplicates: Vec<TicketId>,
}

/// A missed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEscalation {
    /// The ticket.
    pub ticket: TicketId,
    /// Its district.
    pub district: DistrictId,
    /// 1: response deadline missed; 2: resolution deadline missed.
    pub level: i16,
    /// Why, in words.
    pub reason: String,
}

/// A new district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictCreated {
    /// The district.
    pub district: DistrictId,
    /// Its code.
    pub code: String,
}

/// A new street.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetCreated {
    /// The street.
    pub street: StreetId,
    /// Its district.
    pub district: DistrictId,
}

/// A new department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentCreated {
    /// The department.
    pub department: DepartmentId,
    /// Its district.
    pub district: DistrictId,
}

/// A notification left for a department (by a district's listener plugin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentNotice {
    /// The department.
    pub department: DepartmentId,
    /// Its district.
    pub district: DistrictId,
    /// The ticket it is about, if any.
    pub ticket: Option<TicketId>,
}

/// A new ticket category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCreated {
    /// The category.
    pub category: CategoryId,
    /// Its district.
    pub district: DistrictId,
}

/// An Open311 client of a district (its API key issued or revoked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open311ClientFacts {
    /// The client.
    pub client: Open311ClientId,
    /// Its district.
    pub district: DistrictId,
}

/// A plugin installation, as its administration events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginFacts {
    /// The installation.
    pub plugin: PluginId,
    /// Its district; `None` for a city-wide default.
    pub district: Option<DistrictId>,
    /// Its name.
    pub name: String,
    /// Its version label.
    pub version: String,
}

/// A survey, as its lifecycle events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyFacts {
    /// The survey.
    pub survey: SurveyId,
    /// Its district; `None` for a city-wide survey.
    pub district: Option<DistrictId>,
    /// Its status after the change (`DRAFT`, `OPEN`, `CLOSED`, `ARCHIVED`).
    pub status: String,
}

/// A response to a survey, as its events name it: never who answered, nor which response (an
/// anonymous survey's events must not link a moment to a person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponseFacts {
    /// The survey.
    pub survey: SurveyId,
    /// Its district; `None` for a city-wide survey.
    pub district: Option<DistrictId>,
    /// The channel it came through (`WEB`, `APP`, `PHONE`, `WALK_IN`).
    pub channel: String,
    /// Whether it replaced the resident's earlier response.
    pub replaced: bool,
}

/// A budgeting process, as its lifecycle events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetProcessFacts {
    /// The process.
    pub process: BudgetProcessId,
    /// Its district; `None` for a city-wide process.
    pub district: Option<DistrictId>,
    /// Its phase after the change (`PROPOSALS` … `IMPLEMENTATION`, `CANCELLED`).
    pub phase: String,
}

/// A project of a budgeting process, as its events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetProjectFacts {
    /// The process.
    pub process: BudgetProcessId,
    /// Its district; `None` for a city-wide process.
    pub district: Option<DistrictId>,
    /// The project.
    pub project: BudgetProjectId,
    /// Its review status after the change (`PROPOSED`, `FEASIBLE`, `INFEASIBLE`).
    pub status: String,
}

/// A milestone of a selected project, as its events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetMilestoneFacts {
    /// The process.
    pub process: BudgetProcessId,
    /// Its district; `None` for a city-wide process.
    pub district: Option<DistrictId>,
    /// The project.
    pub project: BudgetProjectId,
    /// The milestone.
    pub milestone: BudgetMilestoneId,
    /// Its status after the change.
    pub status: String,
    /// Its progress after the change, 0 to 100.
    pub progress: u8,
}

/// A ballot, as its events name it: never who voted, which ballot, nor what it marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotFacts {
    /// The process.
    pub process: BudgetProcessId,
    /// Its district; `None` for a city-wide process.
    pub district: Option<DistrictId>,
    /// The channel it came through (`WEB`, `APP`, `PHONE`, `WALK_IN`).
    pub channel: String,
    /// Whether it replaced the voter's earlier ballot.
    pub replaced: bool,
}

/// A plugin disabled, by an administrator or by the failure policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginDisabled {
    /// The plugin.
    #[serde(flatten)]
    pub plugin: PluginFacts,
    /// Why.
    pub reason: String,
    /// Whether the failure policy disabled it (rather than an administrator).
    pub automatic: bool,
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A ticket.
    Ticket(TicketId),
    /// A district.
    District(DistrictId),
    /// A street.
    Street(StreetId),
    /// A department.
    Department(DepartmentId),
    /// A ticket category.
    Category(CategoryId),
    /// A plugin installation.
    Plugin(PluginId),
    /// A survey.
    Survey(SurveyId),
    /// A budgeting process.
    BudgetProcess(BudgetProcessId),
    /// An Open311 client.
    Open311Client(Open311ClientId),
}

impl Subject {
    /// The numeric ID stored beside the event.
    pub fn raw_id(self) -> i64 {
        match self {
            Subject::Ticket(id) => id.0,
            Subject::District(id) => id.0,
            Subject::Street(id) => id.0,
            Subject::Department(id) => id.0,
            Subject::Category(id) => id.0,
            Subject::Plugin(id) => id.0,
            Subject::Survey(id) => id.0,
            Subject::BudgetProcess(id) => id.0,
            Subject::Open311Client(id) => id.0,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Ticket(id) => id.fmt(f),
            Subject::District(id) => id.fmt(f),
            Subject::Street(id) => id.fmt(f),
            Subject::Department(id) => id.fmt(f),
            Subject::Category(id) => id.fmt(f),
            Subject::Plugin(id) => id.fmt(f),
            Subject::Survey(id) => id.fmt(f),
            Subject::BudgetProcess(id) => id.fmt(f),
            Subject::Open311Client(id) => id.fmt(f),
        }
    }
}

/// Where an event's data says it happened and to what.
trait EventData {
    fn subject(&self) -> Subject;
    fn district(&self) -> Option<DistrictId>;
}

macro_rules! ticket_data {
    ($($data:ty => |$value:ident| $facts:expr;)+) => {
        $(impl EventData for $data {
            fn subject(&self) -> Subject {
                let $value = self;
                Subject::Ticket($facts.0)
            }
            fn district(&self) -> Option<DistrictId> {
                let $value = self;
                Some($facts.1)
            }
        })+
    };
}

ticket_data! {
    TicketFacts => |data| (data.ticket, data.district);
    TicketRating => |data| (data.ticket.ticket, data.ticket.district);
    TicketTag => |data| (data.ticket.ticket, data.ticket.district);
    TicketMerge => |data| (data.primary, data.district);
    TicketEscalation => |data| (data.ticket, data.district);
}

impl EventData for DistrictCreated {
    fn subject(&self) -> Subject {
        Subject::District(self.district)
    }
    // A district is created by the city: the event is city-wide.
    fn district(&self) -> Option<DistrictId> {
        None
    }
}

macro_rules! directory_data {
    ($($data:ty => $field:ident as $subject:ident;)+) => {
        $(impl EventData for $data {
            fn subject(&self) -> Subject {
                Subject::$subject(self.$field)
            }
            fn district(&self) -> Option<DistrictId> {
                Some(self.district)
            }
        })+
    };
}

directory_data! {
    StreetCreated => street as Street;
    DepartmentCreated => department as Department;
    DepartmentNotice => department as Department;
    CategoryCreated => category as Category;
    Open311ClientFacts => client as Open311Client;
}

impl EventData for PluginFacts {
    fn subject(&self) -> Subject {
        Subject::Plugin(self.plugin)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for SurveyFacts {
    fn subject(&self) -> Subject {
        Subject::Survey(self.survey)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for SurveyResponseFacts {
    fn subject(&self) -> Subject {
        Subject::Survey(self.survey)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for BudgetProcessFacts {
    fn subject(&self) -> Subject {
        Subject::BudgetProcess(self.process)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for BudgetProjectFacts {
    fn subject(&self) -> Subject {
        Subject::BudgetProcess(self.process)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for BudgetMilestoneFacts {
    fn subject(&self) -> Subject {
        Subject::BudgetProcess(self.process)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for BallotFacts {
    fn subject(&self) -> Subject {
        Subject::BudgetProcess(self.process)
    }
    fn district(&self) -> Option<DistrictId> {
        self.district
    }
}

impl EventData for PluginDisabled {
    fn subject(&self) -> Subject {
        self.plugin.subject()
    }
    fn district(&self) -> Option<DistrictId> {
        self.plugin.district
    }
}

macro_rules! domain_events {
    ($($(#[$doc:meta])* $variant:ident($data:ty) = $name:literal,)+) => {
        /// Something that happened in the domain: one variant per fact. A new fact is a new
        /// variant, and the compiler then lists every consumer that must handle it.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum DomainEvent {
            $($(#[$doc])* #[serde(rename = $name)] $variant($data),)+
        }

        impl DomainEvent {
            /// The stable name of every kind of event.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// Its stable name, e.g. `ticket.dispatched`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(DomainEvent::$variant(_) => $name,)+
                }
            }

            fn data(&self) -> &dyn EventData {
                match self {
                    $(DomainEvent::$variant(data) => data,)+
                }
            }
        }
    };
}

domain_events! {
    /// A ticket was taken in (routed to a department, or waiting for dispatch).
    TicketSubmitted(TicketFacts) = "ticket.submitted",
    /// A ticket was sent to a department.
    TicketDispatched(TicketFacts) = "ticket.dispatched",
    /// The department took the ticket on.
    TicketAccepted(TicketFacts) = "ticket.accepted",
    /// The department sent a misrouted ticket back to dispatch.
    TicketReturned(TicketFacts) = "ticket.returned",
    /// A ticket was re-dispatched to another department.
    TicketTransferred(TicketFacts) = "ticket.transferred",
    /// The department reported the ticket done.
    TicketResolved(TicketFacts) = "ticket.resolved",
    /// The reporter rated the resolution (closing or reopening the ticket).
    TicketRated(TicketRating) = "ticket.rated",
    /// A resolved ticket left unrated was closed.
    TicketAutoClosed(TicketFacts) = "ticket.auto_closed",
    /// A ticket was rejected as not actionable.
    TicketRejected(TicketFacts) = "ticket.rejected",
    /// Duplicates were closed into a primary ticket.
    TicketMerged(TicketMerge) = "ticket.merged",
    /// Someone commented on a ticket (the text stays on its timeline).
    TicketCommented(TicketFacts) = "ticket.commented",
    /// A listener tagged a ticket.
    TicketTagged(TicketTag) = "ticket.tagged",
    /// A ticket missed a deadline.
    TicketEscalated(TicketEscalation) = "ticket.escalated",
    /// A district was created.
    DistrictCreated(DistrictCreated) = "district.created",
    /// A district's settings changed (its notification address).
    DistrictUpdated(DistrictCreated) = "district.updated",
    /// A street was created.
    StreetCreated(StreetCreated) = "street.created",
    /// A department was created.
    DepartmentCreated(DepartmentCreated) = "department.created",
    /// A notification was left for a department.
    DepartmentNotified(DepartmentNotice) = "department.notified",
    /// A department's settings changed (its notification address).
    DepartmentUpdated(DepartmentCreated) = "department.updated",
    /// A ticket category was created.
    CategoryCreated(CategoryCreated) = "category.created",
    /// An API key was issued to an Open311 client.
    Open311ClientCreated(Open311ClientFacts) = "open311.client_created",
    /// An Open311 client's API key was revoked.
    Open311ClientRevoked(Open311ClientFacts) = "open311.client_revoked",
    /// A plugin was installed (enabled).
    PluginInstalled(PluginFacts) = "plugin.installed",
    /// A plugin was enabled again.
    PluginEnabled(PluginFacts) = "plugin.enabled",
    /// A plugin was disabled.
    PluginDisabled(PluginDisabled) = "plugin.disabled",
    /// A plugin was uninstalled.
    PluginUninstalled(PluginFacts) = "plugin.uninstalled",
    /// A survey was created (as a draft).
    SurveyCreated(SurveyFacts) = "survey.created",
    /// A draft survey's settings or questions changed.
    SurveyUpdated(SurveyFacts) = "survey.updated",
    /// A survey opened for answers.
    SurveyOpened(SurveyFacts) = "survey.opened",
    /// A survey closed.
    SurveyClosed(SurveyFacts) = "survey.closed",
    /// A survey was archived.
    SurveyArchived(SurveyFacts) = "survey.archived",
    /// A response came in (or replaced an earlier one of the same resident).
    SurveyResponseSubmitted(SurveyResponseFacts) = "survey.response_submitted",
    /// A resident withdrew their response.
    SurveyResponseWithdrawn(SurveyResponseFacts) = "survey.response_withdrawn",
    /// A budgeting process was created (taking proposals).
    BudgetProcessCreated(BudgetProcessFacts) = "budget.process_created",
    /// A budgeting process's settings changed.
    BudgetProcessUpdated(BudgetProcessFacts) = "budget.process_updated",
    /// A budgeting process moved to its next phase (entering `TALLIED`, its votes were counted).
    BudgetPhaseAdvanced(BudgetProcessFacts) = "budget.phase_advanced",
    /// A budgeting process was cancelled.
    BudgetProcessCancelled(BudgetProcessFacts) = "budget.process_cancelled",
    /// A project was proposed.
    BudgetProjectProposed(BudgetProjectFacts) = "budget.project_proposed",
    /// A project's feasibility was decided.
    BudgetProjectReviewed(BudgetProjectFacts) = "budget.project_reviewed",
    /// A milestone was added to a selected project.
    BudgetMilestoneAdded(BudgetMilestoneFacts) = "budget.milestone_added",
    /// A milestone changed.
    BudgetMilestoneUpdated(BudgetMilestoneFacts) = "budget.milestone_updated",
    /// A district admin imported a batch of paper ballots (counts in the audit entry).
    BudgetPaperBallotsImported(BudgetProcessFacts) = "budget.paper_ballots_imported",
    /// An admin accepted or rejected a ballot in the eligibility-review queue.
    BudgetEligibilityDecided(BudgetProcessFacts) = "budget.eligibility_decided",
    /// A ballot was cast (or replaced the voter's earlier one).
    BallotCast(BallotFacts) = "budget.ballot_cast",
    /// A voter withdrew their ballot.
    BallotWithdrawn(BallotFacts) = "budget.ballot_withdrawn",
}

/// A stored event that this version of Civitas cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read a stored `{kind}` event of version {version}: {reason}")]
pub struct UndecodableEvent {
    /// Its stored name.
    pub kind: String,
    /// Its stored version.
    pub version: i16,
    /// Why.
    pub reason: String,
}

impl DomainEvent {
    /// The version of every event's data that this release writes.
    pub const VERSION: i16 = 1;

    /// What the event is about.
    pub fn subject(&self) -> Subject {
        self.data().subject()
    }

    /// The district it happened in; `None` for city-wide events.
    pub fn district(&self) -> Option<DistrictId> {
        self.data().district()
    }

    /// The tickets it changed: its ticket, or a merge's primary and duplicates.
    pub fn tickets(&self) -> Vec<TicketId> {
        match self {
            DomainEvent::TicketMerged(merge) => {
                std::iter::once(merge.primary).chain(merge.duplicates.iter().copied()).collect()
            }
            _ => match self.subject() {
                Subject::Ticket(ticket) => vec![ticket],
                _ => Vec::new(),
            },
        }
    }

    /// Whether it installed, enabled, disabled or uninstalled a plugin: which plugins serve
    /// where is then to be read afresh.
    pub fn changes_plugins(&self) -> bool {
        matches!(self.subject(), Subject::Plugin(_))
    }

    /// The survey whose number of responses it may have changed.
    pub fn survey_responses(&self) -> Option<SurveyId> {
        match self {
            DomainEvent::SurveyResponseSubmitted(facts) | DomainEvent::SurveyResponseWithdrawn(facts) => {
                Some(facts.survey)
            }
            _ => None,
        }
    }

    /// The budgeting process whose turnout it may have changed.
    pub fn turnout_of(&self) -> Option<BudgetProcessId> {
        match self {
            DomainEvent::BallotCast(facts) | DomainEvent::BallotWithdrawn(facts) => Some(facts.process),
            DomainEvent::BudgetPaperBallotsImported(facts) | DomainEvent::BudgetEligibilityDecided(facts) => {
                Some(facts.process)
            }
            _ => None,
        }
    }

    /// Its data as a JSON object of named fields (the stored payload, also shown to plugins).
    pub fn payload(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.remove("kind");
                serde_json::Value::Object(fields).to_string()
            }
            // Every variant's data is a struct of strings and numbers: always an object.
            _ => "{}".to_owned(),
        }
    }

    /// Reads a stored event back from its name, version and payload.
    pub fn decode(kind: &str, version: i16, payload: &str) -> Result<DomainEvent, UndecodableEvent> {
        let undecodable = |reason: String| UndecodableEvent { kind: kind.to_owned(), version, reason };
        if version != Self::VERSION {
            return Err(undecodable(format!("this release reads version {}", Self::VERSION)));
        }
        let mut fields = match serde_json::from_str(payload) {
            Ok(serde_json::Value::Object(fields)) => fields,
            Ok(_) => return Err(undecodable("the payload is not a JSON object".to_owned())),
            Err(error) => return Err(undecodable(error.to_string())),
        };
        fields.insert("kind".to_owned(), serde_json::Value::String(kind.to_owned()));
        serde_json::from_value(serde_json::Value::Object(fields)).map_err(|error| undecodable(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> TicketFacts {
        TicketFacts {
            ticket: TicketId(9),
            district: DistrictId(2),
            code: "T-2026-000009".into(),
            status: TicketStatus::Dispatched,
            department: Some(DepartmentId(4)),
        }
    }

    #[test]
    fn events_round_trip_through_their_stored_form() {
        let samples = [
            DomainEvent::TicketDispatched(facts()),
            DomainEvent::TicketRated(TicketRating { ticket: facts(), score: 2 }),
            DomainEvent::TicketMerged(TicketMerge {
                primary: TicketId(1),
                district: DistrictId(2),
                duplicates: vec![TicketId(3)],
            }),
            DomainEvent::PluginDisabled(PluginDisabled {
                plugin: PluginFacts { plugin: PluginId(5), district: None, name: "p".into(), version: "1".into() },
                reason: "five failures".into(),
                automatic: true,
            }),
        ];
        for event in samples {
            let decoded = DomainEvent::decode(event.name(), DomainEvent::VERSION, &event.payload());
            assert_eq!(decoded.as_ref(), Ok(&event));
        }
    }

    #[test]
    fn the_payload_keeps_the_fields_plugins_read() {
        let payload: serde_json::Value =
            serde_json::from_str(&DomainEvent::TicketDispatched(facts()).payload()).expect("json");
        assert_eq!(
            payload,
            serde_json::json!({"ticket": "tkt_9", "district": "dst_2", "code": "T-2026-000009",
                               "status": "DISPATCHED", "department": "dep_4"})
        );
        let escalation = DomainEvent::TicketEscalated(TicketEscalation {
            ticket: TicketId(7),
            district: DistrictId(1),
            level: 2,
            reason: "resolution deadline missed".into(),
        });
        assert_eq!(escalation.subject().to_string(), "tkt_7");
        assert_eq!(escalation.district(), Some(DistrictId(1)));
    }

    #[test]
    fn unknown_kinds_versions_and_payloads_are_refused() {
        assert!(DomainEvent::decode("ticket.vanished", 1, "{}").is_err());
        assert!(
            DomainEvent::decode("ticket.dispatched", 2, &DomainEvent::TicketDispatched(facts()).payload()).is_err()
        );
        assert!(DomainEvent::decode("ticket.dispatched", 1, "[]").is_err());
        assert!(DomainEvent::decode("ticket.dispatched", 1, "{\"ticket\": \"tkt_1\"}").is_err());
    }

    #[test]
    fn names_are_unique() {
        let mut names = DomainEvent::NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DomainEvent::NAMES.len());
    }
}
