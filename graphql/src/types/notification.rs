//! Notifications district logic enqueued for a department.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use civitas_core::notifications;

/// A message for a department, e.g. from a district's event-listener plugin.
pub struct Notification(pub notifications::Notification);

#[Object]
impl Notification {
    /// Its ID (`ntf_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The department it is for.
    async fn department_id(&self) -> ID {
        ID(self.0.department_id.to_string())
    }

    /// The ticket it is about, if any.
    async fn ticket_id(&self) -> Option<ID> {
        self.0.ticket_id.map(|id| ID(id.to_string()))
    }

    /// What it says.
    async fn message(&self) -> &str {
        &self.0.message
    }

    /// Who sent it (e.g. `plugin escalation-notifier@1.0.0`).
    async fn sent_by(&self) -> &str {
        &self.0.sent_by
    }

    /// When it was enqueued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
