//! Ticket rows decoded by position, straight from the driver's row.
//!
//! sea-orm's derived decoder looks each of a ticket's 34 columns up by name and, for every NULL
//! column, builds and discards an error message (sea-orm 2.0.4): on a page of tickets that was
//! the larger half of the server's CPU time (issue 20). The list and the lookup by code read
//! their rows through [`Positional`] instead.

use sea_orm::sqlx::{self, Row};
use sea_orm::{DbErr, EntityTrait, FromQueryResult, QueryResult};

use super::entities::ticket;

/// The entity's columns, in the order [`decode`] reads them (a unit test checks it against the
/// entity; counted once here rather than for every row).
const COLUMNS: usize = 34;

/// A ticket row decoded by the position of its columns, which a `SELECT` of the entity lists in
/// the order of its fields.
pub(crate) struct Positional(pub ticket::Model);

impl FromQueryResult for Positional {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        if pre.is_empty() {
            if let Some(row) = res.try_as_pg_row().filter(|row| row.len() == COLUMNS) {
                return decode(row).map(Positional).map_err(|error| DbErr::Type(error.to_string()));
            }
            if let Some(row) = res.try_as_sqlite_row().filter(|row| row.len() == COLUMNS) {
                return decode(row).map(Positional).map_err(|error| DbErr::Type(error.to_string()));
            }
        }
        // Another selection than the entity's own: by name.
        <ticket::Entity as EntityTrait>::Model::from_query_result(res, pre).map(Positional)
    }
}

fn decode<'r, R>(row: &'r R) -> Result<ticket::Model, sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    i16: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ticket::Model {
        id: row.try_get(0)?,
        code: row.try_get(1)?,
        channel: row.try_get(2)?,
        district_id: row.try_get(3)?,
        street_id: row.try_get(4)?,
        category_id: row.try_get(5)?,
        title: row.try_get(6)?,
        description: row.try_get(7)?,
        address: row.try_get(8)?,
        latitude: row.try_get(9)?,
        longitude: row.try_get(10)?,
        reporter_subject: row.try_get(11)?,
        intake_subject: row.try_get(12)?,
        contact_name: row.try_get(13)?,
        contact_phone: row.try_get(14)?,
        contact_email: row.try_get(15)?,
        contact_language: row.try_get(16)?,
        priority: row.try_get(17)?,
        status: row.try_get(18)?,
        department_id: row.try_get(19)?,
        respond_by_ms: row.try_get(20)?,
        resolve_by_ms: row.try_get(21)?,
        accepted_at_ms: row.try_get(22)?,
        resolved_at_ms: row.try_get(23)?,
        closed_at_ms: row.try_get(24)?,
        escalation_level: row.try_get(25)?,
        rating_score: row.try_get(26)?,
        rating_comment: row.try_get(27)?,
        merged_into_id: row.try_get(28)?,
        reopen_count: row.try_get(29)?,
        version: row.try_get(30)?,
        created_at_ms: row.try_get(31)?,
        updated_at_ms: row.try_get(32)?,
        tracking_token_hash: row.try_get(33)?,
    })
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, Iterable, QueryOrder, QueryTrait};

    use super::*;
    use crate::testing::TestDatabase;

    /// Every column, with NULLs and values, decodes as the derived decoder does it, on the
    /// backend of `DATABASE_URL` (SQLite by default).
    #[tokio::test]
    async fn decodes_every_column_as_the_derived_decoder() {
        let database = TestDatabase::new().await.expect("database");
        let ctx = &database.ctx;
        crate::demo::seed_directory(ctx).await.expect("directory").expect("empty");
        let sparse = ticket::ActiveModel {
            code: Set("T-2026-000001".into()),
            channel: Set("PHONE".into()),
            district_id: Set(1),
            category_id: Set(1),
            title: Set("Lamp".into()),
            description: Set("Out".into()),
            priority: Set("NORMAL".into()),
            status: Set("RECEIVED".into()),
            respond_by_ms: Set(10),
            resolve_by_ms: Set(20),
            escalation_level: Set(0),
            reopen_count: Set(0),
            version: Set(0),
            created_at_ms: Set(1),
            updated_at_ms: Set(2),
            ..Default::default()
        };
        sparse.clone().insert(&ctx.db).await.expect("sparse row");
        let full = ticket::ActiveModel {
            code: Set("T-2026-000002".into()),
            street_id: Set(Some(1)),
            address: Set(Some("1 Harbour Road".into())),
            latitude: Set(Some(22.5)),
            longitude: Set(Some(114.25)),
            reporter_subject: Set(Some("resident-1".into())),
            intake_subject: Set(Some("operator-1".into())),
            contact_name: Set(Some("Li".into())),
            contact_phone: Set(Some("13800000000".into())),
            contact_email: Set(Some("li@example.org".into())),
            contact_language: Set(Some("zh-Hant".into())),
            department_id: Set(Some(1)),
            accepted_at_ms: Set(Some(3)),
            resolved_at_ms: Set(Some(4)),
            closed_at_ms: Set(Some(5)),
            escalation_level: Set(2),
            rating_score: Set(Some(4)),
            rating_comment: Set(Some("快".into())),
            merged_into_id: Set(Some(1)),
            reopen_count: Set(1),
            version: Set(7),
            tracking_token_hash: Set(Some("ab".repeat(32))),
            ..sparse
        };
        full.insert(&ctx.db).await.expect("full row");
        let derived = ticket::Entity::find().order_by_asc(ticket::Column::Id).all(&ctx.db).await.expect("derived");
        let positional: Vec<ticket::Model> = ticket::Entity::find()
            .order_by_asc(ticket::Column::Id)
            .into_model::<Positional>()
            .all(&ctx.db)
            .await
            .expect("positional")
            .into_iter()
            .map(|row| row.0)
            .collect();
        assert_eq!(ticket::Column::iter().count(), COLUMNS);
        assert_eq!(derived.len(), 2);
        assert_eq!(positional, derived);
        // The driver's rows themselves, so that a fall-back to the by-name decoder cannot pass
        // for the positional one.
        let select = ticket::Entity::find().order_by_asc(ticket::Column::Id).build(ctx.db.get_database_backend());
        let raw = ctx.db.query_all_raw(select).await.expect("raw rows");
        let direct: Vec<ticket::Model> = raw
            .iter()
            .map(|res| match (res.try_as_pg_row(), res.try_as_sqlite_row()) {
                (Some(row), _) => decode(row),
                (_, Some(row)) => decode(row),
                _ => panic!("neither a PostgreSQL nor a SQLite row"),
            })
            .collect::<Result<_, _>>()
            .expect("decoded by position");
        assert_eq!(direct, derived);
    }
}
