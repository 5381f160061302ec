//! Reading the audit log, scoped by the caller.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::AuditError;
use super::record::entity;
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::ids::{AuditEntryId, DistrictId};
use crate::time::from_millis;

/// The most entries one page holds.
pub const MAX_PAGE_SIZE: u64 = 100;

/// One administrative change.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Its ID (log order).
    pub id: AuditEntryId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`None` for the system).
    pub actor_subject: Option<String>,
    /// In which role (`system` for the system itself).
    pub actor_role: Option<String>,
    /// The district it happened in; `None` for city-wide changes.
    pub district_id: Option<DistrictId>,
    /// What happened: the name of the domain event it raised (`plugin.disabled`).
    pub action: String,
    /// The object changed (`plg_3`, `dep_7`).
    pub subject: String,
    /// The object before the change, as JSON, where it matters.
    pub before: Option<String>,
    /// The object after the change, as JSON.
    pub after: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// Whether older entries follow.
    pub has_next_page: bool,
}

impl From<entity::Model> for AuditEntry {
    fn from(row: entity::Model) -> Self {
        AuditEntry {
            id: AuditEntryId(row.id),
            at: from_millis(row.at_ms),
            actor_subject: row.actor_subject,
            actor_role: row.actor_role,
            district_id: row.district_id.map(DistrictId),
            action: row.action,
            subject: row.subject,
            before: row.before,
            after: row.after,
        }
    }
}

/// The audit entries of `district` (city-wide entries for `None`), newest first, older than
/// `after`. A district's admin reads their district's; city admins read any.
pub async fn log(
    ctx: &Context,
    caller: &Caller,
    district: Option<DistrictId>,
    first: u64,
    after: Option<AuditEntryId>,
) -> Result<AuditPage, AuditError> {
    let allowed = match caller {
        Caller::Anonymous => return Err(AuditError::Unauthenticated),
        Caller::System => true,
        _ if caller.is(Role::CityAdmin) => true,
        _ => caller.is(Role::DistrictAdmin) && district.is_some() && caller.district() == district,
    };
    if !allowed {
        return Err(AuditError::Forbidden);
    }
    let mut query = entity::Entity::find().filter(match district {
        Some(district) => entity::Column::DistrictId.eq(district.0),
        None => entity::Column::DistrictId.is_null(),
    });
    if let Some(after) = after {
        query = query.filter(entity::Column::Id.lt(after.0));
    }
    let limit = first.clamp(1, MAX_PAGE_SIZE);
    let mut rows = query.order_by_desc(entity::Column::Id).limit(limit + 1).all(&ctx.db).await?;
    let has_next_page = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok(AuditPage { entries: rows.into_iter().map(AuditEntry::from).collect(), has_next_page })
}
