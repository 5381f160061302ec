//! Conversions between the public mirror types and wasmtime's generated ones.
//!
//! Inputs are cloned on the way in: the generated types own their strings, and an input is a
//! few hundred bytes, far below the cost of instantiating the plugin.

use crate::bindings::{host, types as wit};
use crate::types::*;

impl From<wit::PluginError> for PluginError {
    fn from(e: wit::PluginError) -> Self {
        PluginError { code: e.code, message: e.message }
    }
}

impl From<Channel> for wit::Channel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Phone => wit::Channel::Phone,
            Channel::Web => wit::Channel::Web,
            Channel::App => wit::Channel::App,
            Channel::Email => wit::Channel::Email,
            Channel::Sensor => wit::Channel::Sensor,
            Channel::WalkIn => wit::Channel::WalkIn,
        }
    }
}

impl From<Priority> for wit::Priority {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Low => wit::Priority::Low,
            Priority::Normal => wit::Priority::Normal,
            Priority::High => wit::Priority::High,
            Priority::Urgent => wit::Priority::Urgent,
        }
    }
}

impl From<wit::Priority> for Priority {
    fn from(p: wit::Priority) -> Self {
        match p {
            wit::Priority::Low => Priority::Low,
            wit::Priority::Normal => Priority::Normal,
            wit::Priority::High => Priority::High,
            wit::Priority::Urgent => Priority::Urgent,
        }
    }
}

impl From<&NewTicket> for wit::NewTicket {
    fn from(t: &NewTicket) -> Self {
        wit::NewTicket {
            district: t.district.clone(),
            street: t.street.clone(),
            category: t.category.clone(),
            channel: t.channel.into(),
            text: t.text.clone(),
            location: t.location.map(|l| wit::Location { latitude: l.latitude, longitude: l.longitude }),
            submitted_at: t.submitted_at,
            minute_of_day: t.minute_of_day,
            weekday: t.weekday,
        }
    }
}

impl From<wit::Routing> for Routing {
    fn from(r: wit::Routing) -> Self {
        Routing { department: r.department, priority: r.priority.into(), tags: r.tags }
    }
}

impl From<&DispatchedTicket> for wit::DispatchedTicket {
    fn from(t: &DispatchedTicket) -> Self {
        wit::DispatchedTicket {
            district: t.district.clone(),
            street: t.street.clone(),
            category: t.category.clone(),
            channel: t.channel.into(),
            priority: t.priority.into(),
            department: t.department.clone(),
            tags: t.tags.clone(),
            submitted_at: t.submitted_at,
            dispatched_at: t.dispatched_at,
            respond_by: t.respond_by,
            resolve_by: t.resolve_by,
        }
    }
}

impl From<wit::DeadlineOverride> for DeadlineOverride {
    fn from(d: wit::DeadlineOverride) -> Self {
        DeadlineOverride { respond_by: d.respond_by, resolve_by: d.resolve_by }
    }
}

impl From<&AnswerValue> for wit::AnswerValue {
    fn from(v: &AnswerValue) -> Self {
        match v {
            AnswerValue::Text(text) => wit::AnswerValue::Text(text.clone()),
            AnswerValue::Number(number) => wit::AnswerValue::Number(*number),
            AnswerValue::Choices(choices) => wit::AnswerValue::Choices(choices.clone()),
            AnswerValue::Skipped => wit::AnswerValue::Skipped,
        }
    }
}

impl From<&SurveyResponse> for wit::SurveyResponse {
    fn from(r: &SurveyResponse) -> Self {
        wit::SurveyResponse {
            district: r.district.clone(),
            survey: r.survey.clone(),
            answers: r
                .answers
                .iter()
                .map(|a| wit::Answer { question: a.question.clone(), value: (&a.value).into() })
                .collect(),
            submitted_at: r.submitted_at,
        }
    }
}

impl From<wit::Problem> for Problem {
    fn from(p: wit::Problem) -> Self {
        Problem { question: p.question, message: p.message }
    }
}

impl From<&Voter> for wit::Voter {
    fn from(v: &Voter) -> Self {
        wit::Voter { age: v.age, resident_district: v.resident_district.clone(), attributes: v.attributes.clone() }
    }
}

impl From<&BudgetingProcess> for wit::BudgetingProcess {
    fn from(p: &BudgetingProcess) -> Self {
        wit::BudgetingProcess { id: p.id.clone(), district: p.district.clone(), name: p.name.clone() }
    }
}

impl From<wit::Eligibility> for Eligibility {
    fn from(e: wit::Eligibility) -> Self {
        match e {
            wit::Eligibility::Eligible => Eligibility::Eligible,
            wit::Eligibility::Ineligible(reason) => Eligibility::Ineligible(reason),
            wit::Eligibility::ManualReview(reason) => Eligibility::ManualReview(reason),
        }
    }
}

impl From<&DomainEvent> for wit::DomainEvent {
    fn from(e: &DomainEvent) -> Self {
        wit::DomainEvent {
            kind: e.kind.clone(),
            district: e.district.clone(),
            subject: e.subject.clone(),
            occurred_at: e.occurred_at,
            payload: e.payload.clone(),
        }
    }
}

impl From<wit::Action> for Action {
    fn from(a: wit::Action) -> Self {
        match a {
            wit::Action::AddComment(text) => Action::AddComment(text),
            wit::Action::AddTag(tag) => Action::AddTag(tag),
            wit::Action::NotifyDepartment((department, message)) => Action::NotifyDepartment(department, message),
        }
    }
}

impl From<host::Level> for LogLevel {
    fn from(l: host::Level) -> Self {
        match l {
            host::Level::Debug => LogLevel::Debug,
            host::Level::Info => LogLevel::Info,
            host::Level::Warn => LogLevel::Warn,
            host::Level::Error => LogLevel::Error,
        }
    }
}
