//! Reading the audit log, scoped by the caller.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select};

use super::AuditError;
use super::record::entity;
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::ids::{AuditEntryId, DistrictId};
use crate::paging::{Order, Page, Window};
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

/// The audit entries of `district` (city-wide entries for `None`), newest first, in `window`.
/// A district's admin reads their district's; city admins read any.
pub async fn log(
    ctx: &Context,
    caller: &Caller,
    district: Option<DistrictId>,
    window: Window,
) -> Result<Page<AuditEntry>, AuditError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PAGE_SIZE)?;
    let query = window.apply(of_district(caller, district)?, entity::Column::Id, Order::NewestFirst);
    Ok(window.page(query.all(&ctx.db).await?).map(AuditEntry::from))
}

/// How many entries [`log`] has for `district`.
pub async fn count(ctx: &Context, caller: &Caller, district: Option<DistrictId>) -> Result<u64, AuditError> {
    Ok(of_district(caller, district)?.count(&ctx.db).await?)
}

/// One entry, if the caller may read its district's log.
pub async fn entry(ctx: &Context, caller: &Caller, id: AuditEntryId) -> Result<AuditEntry, AuditError> {
    let row = entity::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(AuditError::NotFound)?;
    let district = row.district_id.map(DistrictId);
    match of_district(caller, district) {
        Ok(_) => Ok(AuditEntry::from(row)),
        // Whether an entry exists in a log the caller may not read is not theirs to know.
        Err(AuditError::Forbidden) => Err(AuditError::NotFound),
        Err(error) => Err(error),
    }
}

/// The entries of `district`'s log, if the caller may read it.
fn of_district(caller: &Caller, district: Option<DistrictId>) -> Result<Select<entity::Entity>, AuditError> {
    let allowed = match caller {
        Caller::Anonymous => return Err(AuditError::Unauthenticated),
        Caller::System => true,
        _ if caller.is(Role::CityAdmin) => true,
        _ => caller.is(Role::DistrictAdmin) && district.is_some() && caller.district() == district,
    };
    if !allowed {
        return Err(AuditError::Forbidden);
    }
    Ok(entity::Entity::find().filter(match district {
        Some(district) => entity::Column::DistrictId.eq(district.0),
        None => entity::Column::DistrictId.is_null(),
    }))
}
