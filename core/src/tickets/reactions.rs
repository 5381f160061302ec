//! What a district's listener may do to a ticket in answer to one of its events: comment, tag,
//! notify a department of the ticket's district. Checked when the answer is given, then applied
//! in the delivery's transaction, each action on the timeline under the listener's name.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use super::TicketError;
use super::input::{MAX_NOTE_CHARS, plugin_tag_problem, plugin_text_problem};
use super::model::TicketEventKind;
use super::storage::{self, NewEvent};
use crate::auth::Caller;
use crate::directory;
use crate::events::{self, DepartmentNotice, DomainEvent, TicketTag};
use crate::hooks::ListenerAction;
use crate::ids::{DistrictId, EventId, TicketId};
use crate::notifications::{self, MAX_MESSAGE_CHARS, NewNotification};
use crate::time::to_millis;

/// The most actions one answer may carry.
pub const MAX_ACTIONS: usize = 16;

/// Why `actions` cannot be applied to a ticket of `district`, if they cannot.
pub(crate) async fn check(
    db: &impl ConnectionTrait,
    district: DistrictId,
    actions: &[ListenerAction],
) -> Result<Option<String>, DbErr> {
    if actions.len() > MAX_ACTIONS {
        return Ok(Some(format!("{} actions; at most {MAX_ACTIONS} per event", actions.len())));
    }
    for action in actions {
        let problem = match action {
            ListenerAction::AddComment(text) => plugin_text_problem("comment", text, MAX_NOTE_CHARS),
            ListenerAction::AddTag(tag) => plugin_tag_problem(tag),
            ListenerAction::NotifyDepartment { department_id, message } => {
                if directory::department_belongs_to(db, *department_id, district).await? {
                    plugin_text_problem("message", message, MAX_MESSAGE_CHARS)
                } else {
                    Some(format!("{department_id} is not a department of the event's district"))
                }
            }
        };
        if problem.is_some() {
            return Ok(problem);
        }
    }
    Ok(None)
}

/// Applies checked `actions` to ticket `id` within the caller's transaction. Each comment and
/// tag raises a domain event caused by the event `cause`.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    id: TicketId,
    actions: &[ListenerAction],
    decided_by: &str,
    cause: EventId,
    now: DateTime<Utc>,
) -> Result<(), TicketError> {
    let ticket = storage::reload(db, id).await?;
    let at_ms = to_millis(now);
    let mut touched = false;
    for action in actions {
        let (kind, note, event) = match action {
            ListenerAction::AddComment(text) => (
                TicketEventKind::Commented,
                format!("{decided_by}: {text}"),
                DomainEvent::TicketCommented(ticket.facts()),
            ),
            ListenerAction::AddTag(tag) => (
                TicketEventKind::Tagged,
                format!("{tag} (by {decided_by})"),
                DomainEvent::TicketTagged(TicketTag { ticket: ticket.facts(), tag: tag.clone() }),
            ),
            ListenerAction::NotifyDepartment { department_id, message } => {
                let new = NewNotification {
                    district_id: ticket.district_id,
                    department_id: *department_id,
                    ticket_id: Some(id),
                    message: message.clone(),
                    sent_by: decided_by.to_owned(),
                };
                notifications::enqueue(db, new, at_ms).await?;
                let notice =
                    DepartmentNotice { department: *department_id, district: ticket.district_id, ticket: Some(id) };
                events::append_caused_by(db, &DomainEvent::DepartmentNotified(notice), at_ms, Some(cause)).await?;
                continue;
            }
        };
        touched = true;
        let entry = NewEvent { note: Some(note), ..NewEvent::default() };
        storage::append_event(db, id, kind, &Caller::System, at_ms, entry).await?;
        events::append_caused_by(db, &event, at_ms, Some(cause)).await?;
    }
    if touched {
        storage::touch(db, id, at_ms).await?;
    }
    Ok(())
}
