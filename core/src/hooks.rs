//! The points where a district's own logic (its plugins) takes part in the domain's decisions.
//!
//! Each hook point is a type implementing [`Hook`]: what the domain asks (`Request`), what a
//! plugin answers (`Answer`, in the domain's words but unchecked), what the domain acts on
//! (`Decision`), and [`Hook::check`] — the one place where an answer is judged. The domain asks
//! through [`crate::plugins::PluginHooks::ask`], which finds the plugin serving the hook for the
//! request's district (its own, else the city's), runs it in the sandbox, checks the answer,
//! records the call and applies the failure policy. An answer the domain refuses counts as the
//! plugin's failure; a failure of ours (storage) is an error of the request, never the plugin's.
//!
//! Adding a hook: a WIT world, its method on [`crate::plugins::PluginRuntime`] (and the
//! sandbox's implementation of it), and one `Hook` impl beside the domain code that asks it.
//!
//! Hooks are asked before a change opens its transaction, so no plugin runs while one is held.
//! Listeners are told about domain events after the change committed (see
//! [`crate::events::PluginListeners`]), so a failing listener never blocks a change.

use std::fmt::Debug;
use std::future::Future;

use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::DbErr;

use crate::context::Context;
use crate::ids::{BudgetProcessId, CategoryId, DepartmentId, DistrictId, StreetId, SurveyId};
use crate::plugins::{HookCall, HookKind, LoadedPlugin, PluginRuntime};
use crate::tickets::{Channel, GeoPoint, Priority};

/// One hook point of the domain.
pub trait Hook: Send + Sync + 'static {
    /// The WIT world that answers it.
    const KIND: HookKind;
    /// What the domain asks.
    type Request: Debug + Clone + Send + Sync + 'static;
    /// What a plugin answered, in the domain's words, not yet checked.
    type Answer: Debug + Send + 'static;
    /// What the domain acts on once it has accepted an answer.
    type Decision: Debug + Send;

    /// The district whose plugin answers; `None` for the city's own.
    fn district(request: &Self::Request) -> Option<DistrictId>;

    /// Runs the hook in the sandbox (synchronous and bounded by the sandbox's limits).
    fn call(runtime: &dyn PluginRuntime, plugin: &LoadedPlugin, request: &Self::Request) -> HookCall<Self::Answer>;

    /// Judges an answer: what the domain will do, or why it refuses the answer.
    fn check(
        ctx: &Context,
        request: &Self::Request,
        answer: Self::Answer,
    ) -> impl Future<Output = Result<Verdict<Self::Decision>, DbErr>> + Send;
}

/// The domain's judgement of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<D> {
    /// The plugin has no opinion (or one that changes nothing): the normal flow.
    NoOpinion,
    /// The domain acts on this.
    Decided(D),
    /// The answer is not acceptable: the normal flow, and the plugin's failure.
    Refused(String),
}

/// What asking a hook came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked<D> {
    /// No enabled plugin serves the hook there.
    NoPlugin,
    /// The plugin had no opinion.
    NoOpinion {
        /// The plugin (`plugin name@version`).
        decided_by: String,
    },
    /// The plugin decided and the domain accepted it.
    Decided {
        /// What to do.
        decision: D,
        /// The plugin (`plugin name@version`), recorded on timelines.
        decided_by: String,
    },
    /// The domain refused the plugin's answer (recorded as its failure).
    Refused {
        /// The plugin.
        decided_by: String,
        /// Why.
        reason: String,
    },
    /// The plugin failed: a trap, a limit, its own error (recorded as its failure).
    Failed {
        /// The plugin.
        decided_by: String,
        /// What happened.
        reason: String,
    },
}

impl<D> Asked<D> {
    /// The accepted decision and who made it, if there is one.
    pub fn decided(self) -> Option<(D, String)> {
        match self {
            Asked::Decided { decision, decided_by } => Some((decision, decided_by)),
            _ => None,
        }
    }
}

/// A new ticket, as shown to a district's router.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingRequest {
    /// The district.
    pub district_id: DistrictId,
    /// The street, if given.
    pub street_id: Option<StreetId>,
    /// The category.
    pub category_id: CategoryId,
    /// The channel it came in on.
    pub channel: Channel,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Location, if given.
    pub location: Option<GeoPoint>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The same instant on the city's wall clock (see `Config::timezone`).
    pub local_time: NaiveDateTime,
}

/// A router's accepted decision: dispatch straight to this department.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingDecision {
    /// Where the ticket goes (a department of its district).
    pub department_id: DepartmentId,
    /// A priority to set, if the router has an opinion.
    pub priority: Option<Priority>,
    /// Tags to record on the timeline (checked like a listener's tags).
    pub tags: Vec<String>,
}

/// A dispatched ticket, as shown to a district's deadline policy.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineRequest {
    /// The district.
    pub district_id: DistrictId,
    /// The street, if given.
    pub street_id: Option<StreetId>,
    /// The category.
    pub category_id: CategoryId,
    /// The channel it came in on.
    pub channel: Channel,
    /// Tags its router gave it (empty when it was dispatched by hand).
    pub tags: Vec<String>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The department it was dispatched to.
    pub department_id: DepartmentId,
    /// Its priority.
    pub priority: Priority,
    /// The current respond-by deadline (from the category).
    pub respond_by: DateTime<Utc>,
    /// The current resolve-by deadline (from the category).
    pub resolve_by: DateTime<Utc>,
    /// When it was dispatched.
    pub dispatched_at: DateTime<Utc>,
}

/// A deadline policy's accepted decision: the ticket's deadlines from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Respond by.
    pub respond_by: DateTime<Utc>,
    /// Resolve by.
    pub resolve_by: DateTime<Utc>,
}

/// Something a listener asks the domain to do about an event's subject.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerAction {
    /// Add a comment to the subject's timeline.
    AddComment(String),
    /// Tag the subject (recorded on its timeline).
    AddTag(String),
    /// Enqueue a notification to a department of the event's district.
    NotifyDepartment {
        /// The department.
        department_id: DepartmentId,
        /// What to tell it.
        message: String,
    },
}

/// A survey response, as shown to the validator of the survey's district (or the city's, for a
/// city-wide survey) after the built-in checks. No identity: not the resident, not the phone.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyValidationRequest {
    /// The survey's district; `None` for a city-wide survey.
    pub district_id: Option<DistrictId>,
    /// The survey.
    pub survey_id: SurveyId,
    /// The keys of the survey's questions, in order: what a problem may name.
    pub questions: Vec<String>,
    /// The answers that passed the built-in checks, and `Skipped` for each question shown but
    /// left unanswered; hidden questions are absent.
    pub answers: Vec<(String, SurveyAnswerValue)>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
}

/// One answer as a validator sees it: the WIT `answer-value`.
#[derive(Debug, Clone, PartialEq)]
pub enum SurveyAnswerValue {
    /// Text and dates (`YYYY-MM-DD`), and the free text of an "other" choice.
    Text(String),
    /// Ratings, NPS, numbers, and each matrix row's rating.
    Number(f64),
    /// Chosen option keys, or a ranking's option keys in order.
    Choices(Vec<String>),
    /// Shown but not answered.
    Skipped,
}

/// A validator's problem in the plugin's words, not yet checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorProblem {
    /// The question it concerns (its key), if one.
    pub question: Option<String>,
    /// What is wrong, as the district wrote it.
    pub message: String,
}

/// A voter, as the `ballot-eligibility` plugin of the process's district (or the city's) sees
/// them: what the city verified, never who they are.
#[derive(Debug, Clone, PartialEq)]
pub struct EligibilityRequest {
    /// The process's district; `None` for a city-wide process.
    pub district_id: Option<DistrictId>,
    /// The process.
    pub process_id: BudgetProcessId,
    /// Its title (English).
    pub process_name: String,
    /// The voter's age in whole years, if their token carries a verified birth year.
    pub age: Option<u8>,
    /// The district the voter's token says they live in.
    pub resident_district: Option<DistrictId>,
    /// How the ballot comes in (`WEB`, `APP`, `PHONE`, `WALK_IN`), as a verified attribute.
    pub channel: Channel,
}

/// A `ballot-eligibility` plugin's answer, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EligibilityAnswer {
    /// May vote.
    Eligible,
    /// May not; the reason is shown to the voter.
    Ineligible(String),
    /// A person must decide; the reason is shown to the district's admins.
    ManualReview(String),
}

/// A plugin's free text (a problem's message, a reason) as people will read it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PluginText {
    /// Control characters dropped, trimmed.
    Clean(String),
    /// Nothing left.
    Empty,
    /// More than the allowed characters.
    TooLong,
}

impl PluginText {
    /// `text` with control characters dropped and trimmed, if 1 to `max` characters remain.
    pub(crate) fn check(text: &str, max: usize) -> PluginText {
        let kept: String = text.chars().filter(|c| !c.is_control()).collect();
        let kept = kept.trim();
        if kept.is_empty() {
            PluginText::Empty
        } else if kept.chars().count() > max {
            PluginText::TooLong
        } else {
            PluginText::Clean(kept.to_owned())
        }
    }
}
