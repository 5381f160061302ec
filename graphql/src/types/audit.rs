//! The audit log.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use civitas_core::audit;

/// One administrative change: who did what to which object, when, and the object before and
/// after it.
pub struct AuditEntry(pub audit::AuditEntry);

#[Object]
impl AuditEntry {
    /// Its ID (`aud_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Who (null for the system itself).
    async fn actor_subject(&self) -> Option<&str> {
        self.0.actor_subject.as_deref()
    }

    /// In which role (`system` for the system itself, e.g. a plugin disabled after failures).
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }

    /// The district it happened in; null for city-wide changes.
    async fn district_id(&self) -> Option<ID> {
        self.0.district_id.map(|id| ID(id.to_string()))
    }

    /// What happened: the domain event it raised (`department.created`, `plugin.disabled`).
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The object changed (`dep_7`, `plg_3`).
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The object before the change, as JSON text (null for creations).
    async fn before(&self) -> Option<&str> {
        self.0.before.as_deref()
    }

    /// The object after the change, as JSON text (null for removals).
    async fn after(&self) -> Option<&str> {
        self.0.after.as_deref()
    }
}
