//! Opening the database and applying migrations.

use std::path::Path;
use std::time::Duration;

use civitas_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

/// The SQLite file URL for a data directory (`DIR/civitas.db`, created on first use).
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("civitas.db").display())
}

/// A PostgreSQL URL for this machine's loopback or a Unix socket that names no `sslmode` gets
/// `sslmode=disable`: the driver's default (`prefer`) would encrypt every query to a server on
/// the same machine, for nothing but CPU (a fifth of a list request's time). Any other URL is
/// left as it is.
pub fn without_loopback_tls(url: &str) -> String {
    let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) else {
        return url.to_owned();
    };
    if url.contains("sslmode=") {
        return url.to_owned();
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let socket = host.is_empty() || url.contains("host=/") || host.starts_with("%2F") || host.starts_with("%2f");
    if !(socket || matches!(host, "127.0.0.1" | "localhost" | "[::1]")) {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}sslmode=disable")
}

/// Connects to `url` (`sqlite://…` or `postgres://…`; see [`without_loopback_tls`]).
///
/// SQLite gets a single pooled connection: the domain's transactions read before they write,
/// and two such transactions on separate SQLite connections fail with `SQLITE_BUSY` instead of
/// waiting, so writes are serialised in the pool. WAL lets readers of other processes proceed;
/// with `synchronous = NORMAL` a commit is in the WAL file, which survives a crash of the
/// process, before it is acknowledged, and reaches the disk at the next checkpoint: an
/// operating-system crash or power loss may lose the last commits (the README says so).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(without_loopback_tls(url));
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite {
        options.max_connections(1).min_connections(1);
    } else {
        options.max_connections(16);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        for pragma in [
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
        ] {
            db.execute_unprepared(pragma).await?;
        }
    }
    Ok(db)
}

/// How many read-only connections [`connect_readers`] opens: one per core of the machine this
/// was measured on (issue 20), and few enough that readers never starve the writer's
/// checkpoints.
pub const SQLITE_READERS: u32 = 4;

/// Read-only connections to the SQLite database of `url`, beside [`connect`]'s single writer,
/// so that reads run in parallel and never queue behind a write (WAL gives each read a
/// consistent snapshot of what was committed when it began). `None` for PostgreSQL, whose one
/// pool serves reads and writes. Use them through [`crate::Context::reads`].
pub async fn connect_readers(url: &str) -> Result<Option<DatabaseConnection>, DbErr> {
    if !url.starts_with("sqlite:") {
        return Ok(None);
    }
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(SQLITE_READERS)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|options| {
            options.pragma("query_only", "ON").busy_timeout(Duration::from_secs(5)).foreign_keys(true)
        });
    Ok(Some(Database::connect(options).await?))
}

/// Applies every pending migration; returns how many were applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::without_loopback_tls;

    #[test]
    fn loopback_and_socket_urls_skip_tls_unless_they_say_otherwise() {
        for (given, expected) in [
            ("postgres://postgres@127.0.0.1:5432/db", "postgres://postgres@127.0.0.1:5432/db?sslmode=disable"),
            (
                "postgresql://u:p@localhost/db?application_name=x",
                "postgresql://u:p@localhost/db?application_name=x&sslmode=disable",
            ),
            ("postgres://[::1]:5432/db", "postgres://[::1]:5432/db?sslmode=disable"),
            ("postgres:///db?host=/var/run/postgresql", "postgres:///db?host=/var/run/postgresql&sslmode=disable"),
            ("postgres://db.city.example/civitas", "postgres://db.city.example/civitas"),
            ("postgres://127.0.0.1/db?sslmode=require", "postgres://127.0.0.1/db?sslmode=require"),
            ("postgres://u@127.0.0.2/db", "postgres://u@127.0.0.2/db"),
            ("sqlite://civitas.db?mode=rwc", "sqlite://civitas.db?mode=rwc"),
        ] {
            assert_eq!(without_loopback_tls(given), expected, "{given}");
        }
    }
}
