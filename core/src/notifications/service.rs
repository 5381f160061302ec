//! Enqueueing notifications and reading a department's.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entity;
use super::{Notification, NotificationError};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::directory;
use crate::ids::{DepartmentId, DistrictId, NotificationId, TicketId};

/// The most notifications one read returns.
pub const MAX_PAGE: u64 = 200;

/// A notification to enqueue; the caller has checked that the department is of the district.
pub(crate) struct NewNotification {
    pub district_id: DistrictId,
    pub department_id: DepartmentId,
    pub ticket_id: Option<TicketId>,
    pub message: String,
    pub sent_by: String,
}

/// Enqueues a notification within the caller's transaction.
pub(crate) async fn enqueue(db: &impl ConnectionTrait, new: NewNotification, at_ms: i64) -> Result<(), DbErr> {
    entity::ActiveModel {
        district_id: Set(new.district_id.0),
        department_id: Set(new.department_id.0),
        ticket_id: Set(new.ticket_id.map(|id| id.0)),
        message: Set(new.message),
        sent_by: Set(new.sent_by),
        created_at_ms: Set(at_ms),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The latest notifications of `department`, newest first (at most `limit`, capped at
/// [`MAX_PAGE`]): for its own staff, its district's admin and city admins.
pub async fn for_department(
    ctx: &Context,
    caller: &Caller,
    department: DepartmentId,
    limit: u64,
) -> Result<Vec<Notification>, NotificationError> {
    may_read(ctx, caller, department).await?;
    let rows = entity::Entity::find()
        .filter(entity::Column::DepartmentId.eq(department.0))
        .order_by_desc(entity::Column::Id)
        .limit(limit.min(MAX_PAGE))
        .all(&ctx.db)
        .await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

/// `department`'s notifications after `after`, oldest first (at most `limit`, capped at
/// [`MAX_PAGE`]), for those who may read them (see [`for_department`]); `after` 0 reads from the
/// first.
pub async fn added_after(
    ctx: &Context,
    caller: &Caller,
    department: DepartmentId,
    after: NotificationId,
    limit: u64,
) -> Result<Vec<Notification>, NotificationError> {
    may_read(ctx, caller, department).await?;
    let rows = entity::Entity::find()
        .filter(entity::Column::DepartmentId.eq(department.0))
        .filter(entity::Column::Id.gt(after.0))
        .order_by_asc(entity::Column::Id)
        .limit(limit.min(MAX_PAGE))
        .all(&ctx.db)
        .await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

/// The newest notification's ID of `department` (0 when none), if the caller may read them.
pub async fn newest_of(
    ctx: &Context,
    caller: &Caller,
    department: DepartmentId,
) -> Result<NotificationId, NotificationError> {
    Ok(for_department(ctx, caller, department, 1).await?.first().map_or(NotificationId(0), |newest| newest.id))
}

/// One notification, if the caller may read its department's (see [`for_department`]).
pub async fn get(ctx: &Context, caller: &Caller, id: NotificationId) -> Result<Notification, NotificationError> {
    let row = entity::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(NotificationError::NotFound)?;
    match may_read(ctx, caller, DepartmentId(row.department_id)).await {
        Ok(()) => Ok(Notification::from(row)),
        // Another department's notification is not the caller's to know of.
        Err(NotificationError::Forbidden) => Err(NotificationError::NotFound),
        Err(error) => Err(error),
    }
}

/// Whether `caller` may read `department`'s notifications: its staff, its district's admin
/// and city admins.
async fn may_read(ctx: &Context, caller: &Caller, department: DepartmentId) -> Result<(), NotificationError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(NotificationError::Unauthenticated);
    }
    let found = directory::department_in(&ctx.db, department).await?.ok_or(NotificationError::NotFound)?;
    let allowed = matches!(caller, Caller::System)
        || caller.is(Role::CityAdmin)
        || (caller.is(Role::DistrictAdmin) && caller.district() == Some(found.district_id))
        || (caller.is(Role::DepartmentStaff) && caller.department() == Some(department));
    if allowed { Ok(()) } else { Err(NotificationError::Forbidden) }
}
