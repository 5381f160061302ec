//! The handle every service function takes: storage, clock and configuration.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use chrono::Duration;

use crate::clock::Clock;
use crate::directory::DirectoryCache;
use crate::plugins::PluginHooks;
use crate::realtime::Feed;
use crate::secrets::Secrets;

/// Tunable behaviour of the domain, passed explicitly (there are no global settings).
#[derive(Debug, Clone)]
pub struct Config {
    /// Resolved tickets that the reporter has not rated are closed after this many days.
    pub auto_close_after_days: i64,
    /// The city's time zone: the wall clock that district logic (e.g. "noise at night") sees.
    pub timezone: chrono_tz::Tz,
    /// The latest deadline a district's deadline policy may set, after the dispatch: a deadline
    /// years away would switch escalation off for the ticket.
    pub max_deadline_after_dispatch: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config { auto_close_after_days: 7, timezone: chrono_tz::UTC, max_deadline_after_dispatch: Duration::days(365) }
    }
}

/// Storage, clock and configuration of one Civitas deployment.
#[derive(Debug, Clone)]
pub struct Context {
    /// The database; every service function opens its own transaction on it.
    pub db: DatabaseConnection,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Domain settings.
    pub config: Config,
    /// The districts' own logic (plugins) at the domain's hook points; none by default.
    pub hooks: Arc<PluginHooks>,
    /// Keys kept outside the database; random by default (a server loads its own).
    pub secrets: Secrets,
    /// Committed events for live readers; it reads nothing until started
    /// (`background::spawn_feed`).
    pub feed: Feed,
    /// Directory entries this instance has read (they never change; shared by clones).
    pub directory: Arc<DirectoryCache>,
    /// Read-only connections for reads outside any transaction (SQLite's, from
    /// [`crate::db::connect_readers`]); `None`: [`Context::db`] serves reads too.
    pub readers: Option<DatabaseConnection>,
}

impl Context {
    /// A context on `db` with the system clock, default settings, no plugins and random
    /// secrets.
    pub fn new(db: DatabaseConnection) -> Self {
        Context {
            db,
            clock: Clock::System,
            config: Config::default(),
            hooks: Arc::new(PluginHooks::none()),
            secrets: Secrets::random(),
            feed: Feed::default(),
            directory: Arc::default(),
            readers: None,
        }
    }

    /// Where a read outside any transaction goes: the read-only connections if there are
    /// any, otherwise the database.
    pub fn reads(&self) -> &DatabaseConnection {
        self.readers.as_ref().unwrap_or(&self.db)
    }
}
