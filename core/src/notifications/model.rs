//! A notification as the domain shows it.

use chrono::{DateTime, Utc};

use super::entity;
use crate::ids::{DepartmentId, DistrictId, NotificationId, TicketId};
use crate::time::from_millis;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// A message for a department.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Its ID.
    pub id: NotificationId,
    /// The department's district.
    pub district_id: DistrictId,
    /// The department it is for.
    pub department_id: DepartmentId,
    /// The ticket it is about, if any.
    pub ticket_id: Option<TicketId>,
    /// What it says.
    pub message: String,
    /// Who sent it (e.g. `plugin escalation-notifier@1.0.0`).
    pub sent_by: String,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
}

impl From<entity::Model> for Notification {
    fn from(row: entity::Model) -> Self {
        Notification {
            id: NotificationId(row.id),
            district_id: DistrictId(row.district_id),
            department_id: DepartmentId(row.department_id),
            ticket_id: row.ticket_id.map(TicketId),
            message: row.message,
            sent_by: row.sent_by,
            created_at: from_millis(row.created_at_ms),
        }
    }
}
