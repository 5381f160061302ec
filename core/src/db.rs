//! Opening the database and applying migrations.

use std::path::Path;
use std::time::Duration;

use civitas_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

/// The SQLite file URL for a data directory (`DIR/civitas.db`, created on first use).
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("civitas.db").display())
}

/// Connects to `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite gets a single pooled connection: the domain's transactions read before they write,
/// and two such transactions on separate SQLite connections fail with `SQLITE_BUSY` instead of
/// waiting, so writes are serialised in the pool. WAL lets readers of other processes proceed.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite {
        options.max_connections(1).min_connections(1);
    } else {
        options.max_connections(16);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000"] {
            db.execute_unprepared(pragma).await?;
        }
    }
    Ok(db)
}

/// Applies every pending migration; returns how many were applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}
