//! Plain Rust mirrors of the WIT records, independent of wasmtime's generated bindings.
//!
//! They are what callers build and read; `convert` maps them to and from the generated types.
//! Field names follow the WIT (`snake_case` here, `kebab-case` there); JSON uses `snake_case`
//! fields and the API's `SCREAMING_SNAKE_CASE` enum values, so fixtures look like API payloads.

use serde::{Deserialize, Serialize};

/// A plugin's own refusal to decide (the inner `Err` of a call), shown to the district admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginError {
    /// A short machine-readable reason, e.g. `bad-config`.
    pub code: String,
    /// A sentence for the district admin.
    pub message: String,
}

/// How a ticket reached the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    /// A call to the hotline.
    Phone,
    /// The web form.
    Web,
    /// The mobile app.
    App,
    /// An email entered by an operator.
    Email,
    /// An automatic sensor.
    Sensor,
    /// A visit to a service counter.
    WalkIn,
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    Normal,
    /// Should be handled first.
    High,
    /// Danger to people or property.
    Urgent,
}

/// A point on the map (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
}

/// Input of `ticket-router`: a ticket as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTicket {
    /// District ID (`dst_1`).
    pub district: String,
    /// Street ID (`str_4`), when known.
    #[serde(default)]
    pub street: Option<String>,
    /// Category ID (`cat_3`).
    pub category: String,
    /// How it came in.
    pub channel: Channel,
    /// Title and description joined by a blank line; never contact data.
    pub text: String,
    /// Where it is, when known.
    #[serde(default)]
    pub location: Option<Location>,
    /// Submission time, epoch milliseconds (UTC).
    pub submitted_at: i64,
    /// Minutes since local midnight in the district's time zone (0..=1439).
    pub minute_of_day: u16,
    /// Local day of the week, 1 = Monday ... 7 = Sunday.
    pub weekday: u8,
}

/// Output of `ticket-router` when it has an opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// Department ID (`dep_7`); the host checks it belongs to the ticket's district.
    pub department: String,
    /// The priority to give the ticket.
    pub priority: Priority,
    /// Tags to add.
    pub tags: Vec<String>,
}

/// Input of `deadline-policy`: a ticket that was just dispatched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchedTicket {
    /// District ID.
    pub district: String,
    /// Street ID, when known.
    #[serde(default)]
    pub street: Option<String>,
    /// Category ID.
    pub category: String,
    /// How it came in.
    pub channel: Channel,
    /// Its priority.
    pub priority: Priority,
    /// The department it was dispatched to.
    pub department: String,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Epoch milliseconds (UTC).
    pub submitted_at: i64,
    /// Epoch milliseconds (UTC).
    pub dispatched_at: i64,
    /// The category's response deadline, epoch milliseconds.
    pub respond_by: i64,
    /// The category's resolution deadline, epoch milliseconds.
    pub resolve_by: i64,
}

/// Output of `deadline-policy`; `None` keeps the category's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeadlineOverride {
    /// New response deadline, epoch milliseconds.
    pub respond_by: Option<i64>,
    /// New resolution deadline, epoch milliseconds.
    pub resolve_by: Option<i64>,
}

/// One answer's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    /// Free text.
    Text(String),
    /// A number.
    Number(f64),
    /// The chosen option IDs.
    Choices(Vec<String>),
    /// Not answered.
    Skipped,
}

/// One answer of a survey response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Question ID.
    pub question: String,
    /// What was answered.
    pub value: AnswerValue,
}

/// Input of `survey-validator`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResponse {
    /// District ID.
    pub district: String,
    /// Survey ID.
    pub survey: String,
    /// The answers.
    pub answers: Vec<Answer>,
    /// Epoch milliseconds (UTC).
    pub submitted_at: i64,
}

/// A problem `survey-validator` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The question it concerns, if one.
    pub question: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What the city verified about a voter (no name, no contact data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter {
    /// Age in whole years, if verified.
    #[serde(default)]
    pub age: Option<u8>,
    /// The district the voter is registered in, if verified.
    #[serde(default)]
    pub resident_district: Option<String>,
    /// Other verified attributes as key/value pairs.
    #[serde(default)]
    pub attributes: Vec<(String, String)>,
}

/// The budgeting process a voter wants to take part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetingProcess {
    /// Process ID.
    pub id: String,
    /// District ID.
    pub district: String,
    /// Its name.
    pub name: String,
}

/// Input of `ballot-eligibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityQuestion {
    /// The voter.
    pub voter: Voter,
    /// The process.
    pub process: BudgetingProcess,
}

/// Output of `ballot-eligibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// May vote.
    Eligible,
    /// May not vote; the reason is shown to the voter.
    Ineligible(String),
    /// A person must decide; the reason is shown to staff.
    ManualReview(String),
}

/// Input of `event-listener`: a domain event from the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// What happened, e.g. `ticket.dispatched`.
    pub kind: String,
    /// District ID, when the event belongs to one.
    #[serde(default)]
    pub district: Option<String>,
    /// ID of the object it happened to (`tkt_9`).
    pub subject: String,
    /// Epoch milliseconds (UTC).
    pub occurred_at: i64,
    /// Details as JSON text.
    pub payload: String,
}

/// An action an event listener asks the host to perform on the event's subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Add a comment to the timeline.
    AddComment(String),
    /// Add a tag.
    AddTag(String),
    /// Enqueue a notification: (department ID, message).
    NotifyDepartment(String, String),
}

/// Severity of a plugin's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Detail for the plugin's author.
    Debug,
    /// Normal operation.
    Info,
    /// Something looks wrong.
    Warn,
    /// Something failed.
    Error,
}

/// One line a plugin logged during a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// Its severity.
    pub level: LogLevel,
    /// The text (possibly cut at the log-bytes limit).
    pub message: String,
}
