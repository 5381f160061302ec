//! Reading and changing the directory.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    SqlErr, TransactionTrait,
};
use serde::Serialize;

use super::DirectoryError;
use super::cache::{Cached, Shelf};
use super::entities::{category, department, district, street};
use super::model::{Category, Department, District, NewCategory, NewDepartment, NewDistrict, NewStreet, Street};
use crate::audit::{self, Change};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::error::InvalidInput;
use crate::events::{CategoryCreated, DepartmentCreated, DistrictCreated, DomainEvent, StreetCreated};
use crate::i18n::LocalizedText;
use crate::ids::{CategoryId, DepartmentId, DistrictId, StreetId};
use crate::text;

fn names(en: String, zh_hans: String, zh_hant: String) -> LocalizedText {
    LocalizedText { en, zh_hans, zh_hant }
}

impl From<district::Model> for District {
    fn from(row: district::Model) -> Self {
        District {
            id: DistrictId(row.id),
            code: row.code,
            name: names(row.name_en, row.name_zh_hans, row.name_zh_hant),
            allow_anonymous_tickets: row.allow_anonymous_tickets,
            notification_email: row.notification_email,
        }
    }
}

impl From<street::Model> for Street {
    fn from(row: street::Model) -> Self {
        Street {
            id: StreetId(row.id),
            district_id: DistrictId(row.district_id),
            name: names(row.name_en, row.name_zh_hans, row.name_zh_hant),
        }
    }
}

impl From<department::Model> for Department {
    fn from(row: department::Model) -> Self {
        Department {
            id: DepartmentId(row.id),
            district_id: DistrictId(row.district_id),
            name: names(row.name_en, row.name_zh_hans, row.name_zh_hant),
            notification_email: row.notification_email,
        }
    }
}

impl From<category::Model> for Category {
    fn from(row: category::Model) -> Self {
        Category {
            id: CategoryId(row.id),
            district_id: DistrictId(row.district_id),
            name: names(row.name_en, row.name_zh_hans, row.name_zh_hant),
            respond_within_hours: row.respond_within_hours,
            resolve_within_hours: row.resolve_within_hours,
            default_department_id: row.default_department_id.map(DepartmentId),
        }
    }
}

/// Every district, in creation order.
pub async fn districts(ctx: &Context) -> Result<Vec<District>, DirectoryError> {
    let rows = district::Entity::find().order_by_asc(district::Column::Id).all(ctx.reads()).await?;
    Ok(rows.into_iter().map(District::from).collect())
}

/// One district.
pub async fn district(ctx: &Context, id: DistrictId) -> Result<District, DirectoryError> {
    district::Entity::find_by_id(id.0)
        .one(ctx.reads())
        .await?
        .map(District::from)
        .ok_or(DirectoryError::NotFound("district"))
}

/// The district with `code`, if any.
pub async fn district_by_code(ctx: &Context, code: &str) -> Result<Option<District>, DirectoryError> {
    let row = district::Entity::find().filter(district::Column::Code.eq(code)).one(ctx.reads()).await?;
    Ok(row.map(District::from))
}

/// The districts among `ids` that exist (for batched loading), from memory where this instance
/// read them before, without their notification address (see [`DirectoryCache`](super::DirectoryCache)).
pub async fn districts_by_ids(ctx: &Context, ids: &[DistrictId]) -> Result<Vec<District>, DirectoryError> {
    through_cache(&ctx.directory.districts, ids, |missing| async move {
        let rows = district::Entity::find().filter(district::Column::Id.is_in(missing.iter().map(|id| id.0)));
        Ok(rows.all(ctx.reads()).await?.into_iter().map(District::from).collect())
    })
    .await
}

/// The entries among `ids` that exist: those kept in `shelf`, and the others from `load`,
/// which are then kept.
async fn through_cache<V, F, Loaded>(shelf: &Shelf<V::Id, V>, ids: &[V::Id], load: F) -> Result<Vec<V>, DirectoryError>
where
    V: Cached,
    F: FnOnce(Vec<V::Id>) -> Loaded,
    Loaded: Future<Output = Result<Vec<V>, DbErr>>,
{
    let (mut found, missing) = shelf.split(ids);
    if !missing.is_empty() {
        let loaded: Vec<V> = load(missing).await?.into_iter().map(Cached::immutable).collect();
        shelf.keep(&loaded);
        found.extend(loaded);
    }
    Ok(found)
}

/// The streets of a district.
pub async fn streets(ctx: &Context, district_id: DistrictId) -> Result<Vec<Street>, DirectoryError> {
    let rows = street::Entity::find()
        .filter(street::Column::DistrictId.eq(district_id.0))
        .order_by_asc(street::Column::Id)
        .all(ctx.reads())
        .await?;
    Ok(rows.into_iter().map(Street::from).collect())
}

/// One street.
pub async fn street(ctx: &Context, id: StreetId) -> Result<Street, DirectoryError> {
    street::Entity::find_by_id(id.0).one(ctx.reads()).await?.map(Street::from).ok_or(DirectoryError::NotFound("street"))
}

/// The streets among `ids` that exist (kept in memory, as [`districts_by_ids`]).
pub async fn streets_by_ids(ctx: &Context, ids: &[StreetId]) -> Result<Vec<Street>, DirectoryError> {
    through_cache(&ctx.directory.streets, ids, |missing| async move {
        let rows = street::Entity::find().filter(street::Column::Id.is_in(missing.iter().map(|id| id.0)));
        Ok(rows.all(ctx.reads()).await?.into_iter().map(Street::from).collect())
    })
    .await
}

/// The departments of a district.
pub async fn departments(ctx: &Context, district_id: DistrictId) -> Result<Vec<Department>, DirectoryError> {
    let rows = department::Entity::find()
        .filter(department::Column::DistrictId.eq(district_id.0))
        .order_by_asc(department::Column::Id)
        .all(ctx.reads())
        .await?;
    Ok(rows.into_iter().map(Department::from).collect())
}

/// One department.
pub async fn department(ctx: &Context, id: DepartmentId) -> Result<Department, DirectoryError> {
    department_in(ctx.reads(), id).await?.ok_or(DirectoryError::NotFound("department"))
}

/// Whether `department` exists and belongs to `district` (the check every district-scoped
/// answer naming a department needs), read within another domain's transaction.
pub(crate) async fn department_belongs_to(
    db: &impl ConnectionTrait,
    department: DepartmentId,
    district: DistrictId,
) -> Result<bool, DbErr> {
    Ok(department_in(db, department).await?.is_some_and(|found| found.district_id == district))
}

/// One department, read within another domain's transaction.
pub(crate) async fn department_in(db: &impl ConnectionTrait, id: DepartmentId) -> Result<Option<Department>, DbErr> {
    Ok(department::Entity::find_by_id(id.0).one(db).await?.map(Department::from))
}

/// The departments among `ids` that exist (kept in memory, as [`districts_by_ids`]: without
/// their notification address).
pub async fn departments_by_ids(ctx: &Context, ids: &[DepartmentId]) -> Result<Vec<Department>, DirectoryError> {
    through_cache(&ctx.directory.departments, ids, |missing| async move {
        let rows = department::Entity::find().filter(department::Column::Id.is_in(missing.iter().map(|id| id.0)));
        Ok(rows.all(ctx.reads()).await?.into_iter().map(Department::from).collect())
    })
    .await
}

/// The ticket categories of a district.
pub async fn categories(ctx: &Context, district_id: DistrictId) -> Result<Vec<Category>, DirectoryError> {
    let rows = category::Entity::find()
        .filter(category::Column::DistrictId.eq(district_id.0))
        .order_by_asc(category::Column::Id)
        .all(ctx.reads())
        .await?;
    Ok(rows.into_iter().map(Category::from).collect())
}

/// One category.
pub async fn category(ctx: &Context, id: CategoryId) -> Result<Category, DirectoryError> {
    category_in(ctx.reads(), id).await?.ok_or(DirectoryError::NotFound("category"))
}

/// One category, read within another domain's transaction.
pub(crate) async fn category_in(db: &impl ConnectionTrait, id: CategoryId) -> Result<Option<Category>, DbErr> {
    Ok(category::Entity::find_by_id(id.0).one(db).await?.map(Category::from))
}

/// The categories among `ids` that exist (kept in memory, as [`districts_by_ids`]).
pub async fn categories_by_ids(ctx: &Context, ids: &[CategoryId]) -> Result<Vec<Category>, DirectoryError> {
    through_cache(&ctx.directory.categories, ids, |missing| async move {
        let rows = category::Entity::find().filter(category::Column::Id.is_in(missing.iter().map(|id| id.0)));
        Ok(rows.all(ctx.reads()).await?.into_iter().map(Category::from).collect())
    })
    .await
}

fn require_city_admin(caller: &Caller) -> Result<(), DirectoryError> {
    if matches!(caller, Caller::System) || caller.is(Role::CityAdmin) { Ok(()) } else { Err(DirectoryError::Forbidden) }
}

fn require_district_admin(caller: &Caller, district_id: DistrictId) -> Result<(), DirectoryError> {
    let own_district = caller.is(Role::DistrictAdmin) && caller.district() == Some(district_id);
    if own_district || require_city_admin(caller).is_ok() { Ok(()) } else { Err(DirectoryError::Forbidden) }
}

/// Each translation of a name: 1 to 200 characters of text, trimmed.
fn validate_names(name: LocalizedText) -> Result<LocalizedText, InvalidInput> {
    Ok(LocalizedText {
        en: text::required("name.en", &name.en, 200)?,
        zh_hans: text::required("name.zhHans", &name.zh_hans, 200)?,
        zh_hant: text::required("name.zhHant", &name.zh_hant, 200)?,
    })
}

/// Creates a district (city administrators).
pub async fn create_district(ctx: &Context, caller: &Caller, new: NewDistrict) -> Result<District, DirectoryError> {
    require_city_admin(caller)?;
    let name = validate_names(new.name)?;
    let code = text::required("code", &new.code, 64)?;
    let txn = ctx.db.begin().await?;
    let row = district::ActiveModel {
        code: Set(code),
        name_en: Set(name.en),
        name_zh_hans: Set(name.zh_hans),
        name_zh_hant: Set(name.zh_hant),
        allow_anonymous_tickets: Set(new.allow_anonymous_tickets),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            InvalidInput::new("code", "another district has this code").into()
        }
        _ => DirectoryError::Storage(error),
    })?;
    let created = District::from(row);
    let event = DomainEvent::DistrictCreated(DistrictCreated { district: created.id, code: created.code.clone() });
    record_creation(&txn, ctx, caller, event, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// The audit entry and event of a new directory entry, within its transaction.
async fn record_creation(
    txn: &impl ConnectionTrait,
    ctx: &Context,
    caller: &Caller,
    event: DomainEvent,
    created: &impl Serialize,
) -> Result<(), DirectoryError> {
    let after = serde_json::to_value(created).ok();
    audit::record(txn, caller, ctx.clock.now(), Change { event, before: None, after }).await?;
    Ok(())
}

/// Creates a street (the district's administrator or a city administrator).
pub async fn create_street(ctx: &Context, caller: &Caller, new: NewStreet) -> Result<Street, DirectoryError> {
    require_district_admin(caller, new.district_id)?;
    let name = validate_names(new.name)?;
    district(ctx, new.district_id).await?;
    let txn = ctx.db.begin().await?;
    let row = street::ActiveModel {
        district_id: Set(new.district_id.0),
        name_en: Set(name.en),
        name_zh_hans: Set(name.zh_hans),
        name_zh_hant: Set(name.zh_hant),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = Street::from(row);
    let event = DomainEvent::StreetCreated(StreetCreated { street: created.id, district: created.district_id });
    record_creation(&txn, ctx, caller, event, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a department (the district's administrator or a city administrator).
pub async fn create_department(
    ctx: &Context,
    caller: &Caller,
    new: NewDepartment,
) -> Result<Department, DirectoryError> {
    require_district_admin(caller, new.district_id)?;
    let name = validate_names(new.name)?;
    district(ctx, new.district_id).await?;
    let txn = ctx.db.begin().await?;
    let row = department::ActiveModel {
        district_id: Set(new.district_id.0),
        name_en: Set(name.en),
        name_zh_hans: Set(name.zh_hans),
        name_zh_hant: Set(name.zh_hant),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = Department::from(row);
    let event =
        DomainEvent::DepartmentCreated(DepartmentCreated { department: created.id, district: created.district_id });
    record_creation(&txn, ctx, caller, event, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a ticket category (the district's administrator or a city administrator).
pub async fn create_category(ctx: &Context, caller: &Caller, new: NewCategory) -> Result<Category, DirectoryError> {
    require_district_admin(caller, new.district_id)?;
    let name = validate_names(new.name)?;
    district(ctx, new.district_id).await?;
    if !(1..=24 * 365).contains(&new.respond_within_hours) {
        return Err(InvalidInput::new("respondWithinHours", "must be between 1 and 8760").into());
    }
    if !(new.respond_within_hours..=24 * 365).contains(&new.resolve_within_hours) {
        return Err(
            InvalidInput::new("resolveWithinHours", "must be at least the response deadline and at most 8760").into()
        );
    }
    if let Some(department_id) = new.default_department_id
        && !department_belongs_to(&ctx.db, department_id, new.district_id).await?
    {
        return Err(InvalidInput::new("defaultDepartmentId", "is not a department of this district").into());
    }
    let txn = ctx.db.begin().await?;
    let row = category::ActiveModel {
        district_id: Set(new.district_id.0),
        name_en: Set(name.en),
        name_zh_hans: Set(name.zh_hans),
        name_zh_hant: Set(name.zh_hant),
        respond_within_hours: Set(new.respond_within_hours),
        resolve_within_hours: Set(new.resolve_within_hours),
        default_department_id: Set(new.default_department_id.map(|id| id.0)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = Category::from(row);
    let event = DomainEvent::CategoryCreated(CategoryCreated { category: created.id, district: created.district_id });
    record_creation(&txn, ctx, caller, event, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Sets (or with `None` clears) the work address that hears of a district's escalations and
/// of its plugins disabled by their failures (its admin or a city admin); audited.
pub async fn set_district_notification_email(
    ctx: &Context,
    caller: &Caller,
    id: DistrictId,
    email: Option<String>,
) -> Result<District, DirectoryError> {
    require_district_admin(caller, id)?;
    let email = notification_email(email)?;
    let before = district(ctx, id).await?;
    let txn = ctx.db.begin().await?;
    district::Entity::update_many()
        .col_expr(district::Column::NotificationEmail, sea_orm::sea_query::Expr::value(email.clone()))
        .filter(district::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    let after = District { notification_email: email, ..before.clone() };
    let event = DomainEvent::DistrictUpdated(DistrictCreated { district: id, code: after.code.clone() });
    let change = Change { event, before: serde_json::to_value(&before).ok(), after: serde_json::to_value(&after).ok() };
    audit::record(&txn, caller, ctx.clock.now(), change).await?;
    txn.commit().await?;
    Ok(after)
}

/// Sets (or with `None` clears) the work address that hears of every ticket dispatched or
/// transferred to a department (its district's admin or a city admin); audited.
pub async fn set_department_notification_email(
    ctx: &Context,
    caller: &Caller,
    id: DepartmentId,
    email: Option<String>,
) -> Result<Department, DirectoryError> {
    let before = department(ctx, id).await?;
    require_district_admin(caller, before.district_id)?;
    let email = notification_email(email)?;
    let txn = ctx.db.begin().await?;
    department::Entity::update_many()
        .col_expr(department::Column::NotificationEmail, sea_orm::sea_query::Expr::value(email.clone()))
        .filter(department::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    let after = Department { notification_email: email, ..before.clone() };
    let event = DomainEvent::DepartmentUpdated(DepartmentCreated { department: id, district: after.district_id });
    let change = Change { event, before: serde_json::to_value(&before).ok(), after: serde_json::to_value(&after).ok() };
    audit::record(&txn, caller, ctx.clock.now(), change).await?;
    txn.commit().await?;
    Ok(after)
}

fn notification_email(email: Option<String>) -> Result<Option<String>, InvalidInput> {
    email.filter(|email| !email.trim().is_empty()).map(|email| text::email("email", &email)).transpose()
}
