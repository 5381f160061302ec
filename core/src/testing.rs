//! Isolated databases for tests, on SQLite by default and on PostgreSQL when `DATABASE_URL`
//! is set — so the same tests run against both backends.

use sea_orm::{ConnectionTrait, DbErr};

use crate::context::Context;
use crate::db;

/// A fresh, migrated database of its own for one test.
pub struct TestDatabase {
    /// The URL to connect to it (for servers started by the test).
    pub url: String,
    /// A context on it.
    pub ctx: Context,
}

impl TestDatabase {
    /// A new empty database: a SQLite file in a temporary directory, or a new database on the
    /// PostgreSQL server of `DATABASE_URL` when that is a `postgres://` URL.
    pub async fn new() -> Result<Self, DbErr> {
        let unique = format!("civitas_t_{}", uuid::Uuid::new_v4().simple());
        let url = match std::env::var("DATABASE_URL") {
            Ok(server) if server.starts_with("postgres") => {
                let admin = db::connect(&server).await?;
                admin.execute_unprepared(&format!("CREATE DATABASE {unique}")).await?;
                admin.close().await?;
                replace_database_name(&server, &unique)
            }
            _ => {
                let dir = std::env::temp_dir().join(&unique);
                std::fs::create_dir_all(&dir).map_err(|error| DbErr::Custom(error.to_string()))?;
                db::sqlite_url_in(&dir)
            }
        };
        let connection = db::connect(&url).await?;
        db::migrate(&connection).await?;
        Ok(TestDatabase { url, ctx: Context::new(connection) })
    }
}

/// `postgres://user@host:5432/old?x=y` with `old` replaced by `name`.
fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let scheme_end = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[scheme_end..].find('/').map(|index| scheme_end + index);
    let host = path_start.map_or(base, |index| &base[..index]);
    match query {
        Some(query) => format!("{host}/{name}?{query}"),
        None => format!("{host}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::replace_database_name("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database_name("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(super::replace_database_name("postgres://h", "x"), "postgres://h/x");
    }
}
