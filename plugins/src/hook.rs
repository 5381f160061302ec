//! The hook families, one per WIT world.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The WIT package and version every hook belongs to.
pub const WIT_PACKAGE: &str = "civitas:plugin@0.1.0";

/// A hook family; its name is the WIT world name (`ticket-router`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hook {
    /// Chooses the department for a new ticket.
    TicketRouter,
    /// Overrides the deadlines of a dispatched ticket.
    DeadlinePolicy,
    /// Lists the problems of a survey response.
    SurveyValidator,
    /// Decides whether a voter may take part in a budgeting process.
    BallotEligibility,
    /// Reacts to a domain event with actions.
    EventListener,
}

impl Hook {
    /// Every hook, in WIT order.
    pub const ALL: [Hook; 5] =
        [Hook::TicketRouter, Hook::DeadlinePolicy, Hook::SurveyValidator, Hook::BallotEligibility, Hook::EventListener];

    /// The WIT world name.
    pub fn world(self) -> &'static str {
        match self {
            Hook::TicketRouter => "ticket-router",
            Hook::DeadlinePolicy => "deadline-policy",
            Hook::SurveyValidator => "survey-validator",
            Hook::BallotEligibility => "ballot-eligibility",
            Hook::EventListener => "event-listener",
        }
    }

    /// The name of the function the world exports.
    pub fn export(self) -> &'static str {
        match self {
            Hook::TicketRouter => "route",
            Hook::DeadlinePolicy => "deadlines",
            Hook::SurveyValidator => "validate",
            Hook::BallotEligibility => "check-eligibility",
            Hook::EventListener => "on-event",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.world())
    }
}

/// A hook name that is not one of the WIT worlds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown hook `{0}`; expected one of ticket-router, deadline-policy, survey-validator, ballot-eligibility, event-listener"
)]
pub struct UnknownHook(pub String);

impl FromStr for Hook {
    type Err = UnknownHook;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Hook::ALL.into_iter().find(|hook| hook.world() == name).ok_or_else(|| UnknownHook(name.to_owned()))
    }
}
