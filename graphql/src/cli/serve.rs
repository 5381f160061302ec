//! `civitas serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use civitas_core::background::Schedule;
use civitas_core::email::{EmailWriter, Mailer, MailerSettings};
use civitas_core::i18n::Locale;
use civitas_core::realtime::{Feed, FeedSettings};
use civitas_core::{Config, Context, directory};
use civitas_graphql::cost::Limits;
use civitas_graphql::csrf::AllowedOrigins;
use civitas_graphql::live::LiveLimits;
use civitas_graphql::rate_limit::{Rate, RateLimits};
use civitas_graphql::redis_link::RedisLink;
use civitas_graphql::server::{self, AppState};
use civitas_graphql::settings::ServerSettings;
use civitas_plugins::SlotReset;
use clap::{Args, ValueEnum};

use super::token::{TokenArgs, demo_token};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CIVITAS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database URL (`postgres://…` or `sqlite://…`); a SQLite file in the data dir by default.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Directory for the SQLite database and the generated signing secret.
    #[arg(long, env = "CIVITAS_DATA_DIR", default_value = "./civitas-data")]
    data_dir: PathBuf,
    /// HS256 signing secret (at least 32 bytes); generated into the data dir when not set.
    #[arg(long, env = "CIVITAS_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// The key of survey participation keys (at least 32 bytes); generated into the data dir
    /// when not set. Instances sharing a database must share it.
    #[arg(long, env = "CIVITAS_PARTICIPATION_SECRET", hide_env_values = true)]
    participation_secret: Option<String>,
    /// PEM public key (RSA or P-256) of the city's identity provider, for RS256/ES256 tokens.
    #[arg(long, env = "CIVITAS_JWT_PUBLIC_KEY")]
    jwt_public_key: Option<PathBuf>,
    /// JWKS file of the city's identity provider.
    #[arg(long, env = "CIVITAS_JWKS")]
    jwks: Option<PathBuf>,
    #[command(flatten)]
    tokens: TokenArgs,
    /// Seconds between deadline sweeps.
    #[arg(long, env = "CIVITAS_SWEEP_INTERVAL_SECS", default_value_t = 60)]
    sweep_interval_secs: u64,
    /// Milliseconds between rounds of offering new domain events to the districts' listeners.
    #[arg(long, env = "CIVITAS_EVENT_DELIVERY_INTERVAL_MS", default_value_t = 1000)]
    event_delivery_interval_ms: u64,
    /// Days after which resolved tickets left unrated are closed.
    #[arg(long, env = "CIVITAS_AUTO_CLOSE_DAYS", default_value_t = 7)]
    auto_close_days: i64,
    /// The latest deadline a district's deadline-policy plugin may set, in days after the
    /// dispatch; a plugin answering later is refused (and the category's deadlines kept).
    #[arg(long, env = "CIVITAS_MAX_DEADLINE_DAYS", default_value_t = 365, value_parser = clap::value_parser!(i64).range(1..=3650))]
    max_deadline_days: i64,
    /// The city's IANA time zone (e.g. `Asia/Shanghai`): the wall clock district plugins see.
    #[arg(long, env = "CIVITAS_TIMEZONE", default_value = "UTC")]
    timezone: chrono_tz::Tz,
    /// Directory for precompiled plugin artifacts; `<data dir>/plugin-cache` by default. Loading
    /// an artifact runs its machine code: only the service may write here.
    #[arg(long, env = "CIVITAS_PLUGIN_CACHE_DIR")]
    plugin_cache_dir: Option<PathBuf>,
    /// How a plugin instance's pool slot is reset after its call: `copy-whole-memory` (the
    /// fastest calls) or `dirty-pages-only` (less CPU and memory per call; see BENCHMARKS.md).
    #[arg(long, env = "CIVITAS_PLUGIN_SLOT_RESET", value_enum, default_value_t = PluginSlotReset::CopyWholeMemory)]
    plugin_slot_reset: PluginSlotReset,
    /// A web origin whose pages may call the API from a browser (`https://portal.city.example`);
    /// repeat it, or separate several with commas. The server's own pages are always allowed.
    #[arg(long = "cors-origin", env = "CIVITAS_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// The most root fields (aliases included) one GraphQL operation may have: each may be a
    /// database query, so a request of a thousand aliases is refused before any runs.
    #[arg(long, env = "CIVITAS_MAX_ROOT_FIELDS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    max_root_fields: u64,
    /// Refuse schema introspection (GraphiQL's documentation and code generators need it; the
    /// SDL is public in the repository anyway).
    #[arg(long, env = "CIVITAS_NO_INTROSPECTION")]
    no_introspection: bool,
    /// How log lines are written to standard error: `text` (coloured only on a terminal) or
    /// `json` (one object per line).
    #[arg(long, env = "CIVITAS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Seed a demo city into an empty database and print a token per role.
    #[arg(long)]
    demo: bool,
    /// Send mail through this SMTP server (`smtp://host:25`, `smtp://host:587?tls=required` for
    /// STARTTLS, `smtps://user:password@host:465`); without it, each message is written as an
    /// `.eml` file under `DATA_DIR/mail/`.
    #[arg(long, env = "CIVITAS_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// How residents reach this server (`https://civitas.example.org`), for the unsubscribe
    /// links in mail; `http://` + the listen address by default.
    #[arg(long, env = "CIVITAS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Mutations an anonymous caller may make per client IP (`10/min`, `2/s`, `100/h`; `off`).
    #[arg(long, env = "CIVITAS_RATE_LIMIT_ANONYMOUS", default_value = "10/min", value_parser = parse_rate)]
    rate_limit_anonymous: RateFlag,
    /// Mutations a resident may make per subject (`off` for none); operators, staff and admins
    /// are not limited.
    #[arg(long, env = "CIVITAS_RATE_LIMIT_RESIDENT", default_value = "30/min", value_parser = parse_rate)]
    rate_limit_resident: RateFlag,
    /// The header a trusted proxy puts the client's address in (e.g. `X-Forwarded-For`: its
    /// first address is the client's); without it the peer address is the client's.
    #[arg(long, env = "CIVITAS_TRUSTED_PROXY_HEADER")]
    trusted_proxy_header: Option<axum::http::HeaderName>,
    /// Redis (`redis://127.0.0.1:6379/0`), for what must cross instances: live events fan out
    /// to every instance's subscribers and rate limits are shared. Without it each instance
    /// broadcasts and limits on its own (enough for one instance).
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// The prefix of every Redis key and channel, so that several deployments can share one
    /// Redis.
    #[arg(long, env = "CIVITAS_REDIS_PREFIX", default_value = "civitas")]
    redis_prefix: String,
    /// The longest wait, in milliseconds, before a subscriber hears of a change it was not told
    /// of (one made by background work, or by another instance while Redis was unreachable).
    #[arg(long, env = "CIVITAS_LIVE_POLL_INTERVAL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    live_poll_interval_ms: u64,
    /// The most subscriptions one WebSocket connection may hold at once.
    #[arg(long, env = "CIVITAS_WS_MAX_SUBSCRIPTIONS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
    ws_max_subscriptions: u64,
    /// Seconds after which a WebSocket connection whose client sent nothing (not even a ping) is
    /// closed.
    #[arg(long, env = "CIVITAS_WS_IDLE_TIMEOUT_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(5..=86_400))]
    ws_idle_timeout_secs: u64,
    /// Seconds a rendered public performance page (`/`, `/districts/{code}`) is reused; 0
    /// renders every request.
    #[arg(long, env = "CIVITAS_DASHBOARD_CACHE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    dashboard_cache_secs: u64,
    /// The sender of every message.
    #[arg(long, env = "CIVITAS_MAIL_FROM", default_value = "Civitas <noreply@civitas.localhost>")]
    mail_from: String,
    /// The language of mail to reporters who did not say (en, zh-Hans, zh-Hant).
    #[arg(long, env = "CIVITAS_MAIL_LANGUAGE", default_value = "zh-Hans", value_parser = parse_locale)]
    mail_language: Locale,
}

/// A rate flag's value: a rate, or `off`.
#[derive(Debug, Clone, Copy)]
struct RateFlag(Option<Rate>);

fn parse_rate(text: &str) -> Result<RateFlag, String> {
    if text.trim() == "off" { Ok(RateFlag(None)) } else { text.parse().map(|rate| RateFlag(Some(rate))) }
}

fn parse_locale(tag: &str) -> Result<Locale, String> {
    Locale::parse(tag).ok_or_else(|| format!("`{tag}` is not en, zh-Hans or zh-Hant"))
}

/// `civitas_plugins::SlotReset` as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PluginSlotReset {
    /// Copy the memory image back over the slot's whole used memory.
    CopyWholeMemory,
    /// Restore only the pages the call wrote (Linux 6.7+).
    DirtyPagesOnly,
}

impl From<PluginSlotReset> for SlotReset {
    fn from(value: PluginSlotReset) -> Self {
        match value {
            PluginSlotReset::CopyWholeMemory => SlotReset::CopyWholeMemory,
            PluginSlotReset::DirtyPagesOnly => SlotReset::DirtyPagesOnly,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event, coloured only on a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs to standard error (standard output is for what the server prints to its operator:
/// the address, demo tokens): JSON lines, or text coloured only when it is a terminal.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// SIGTERM (what systemd, Docker and Kubernetes send) and SIGINT (Ctrl-C), listened for from
/// the start: a signal that comes before the server is ready still stops it cleanly.
struct StopSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<Self> {
        Ok(StopSignals {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// Resolves at the first of the two.
    async fn requested(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How long requests in flight may take to finish once a stop is requested.
const GRACE: Duration = Duration::from_secs(10);

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format);
    let signals = StopSignals::install()?;
    let settings = ServerSettings {
        listen: args.listen,
        database_url: args.database_url,
        data_dir: args.data_dir,
        jwt_secret: args.jwt_secret,
        jwt_public_key: args.jwt_public_key,
        jwks: args.jwks,
        jwt_issuer: args.tokens.jwt_issuer.clone(),
        jwt_audience: args.tokens.jwt_audience.clone(),
        jwt_max_lifetime: args.tokens.jwt_max_lifetime,
        sweep_interval: Duration::from_secs(args.sweep_interval_secs.max(1)),
        auto_close_after_days: args.auto_close_days,
    };
    civitas_graphql::settings::prepare_data_dir(&settings.data_dir)?;
    let db = civitas_core::db::connect(&settings.database_url()).await?;
    let applied = civitas_core::db::migrate(&db).await?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    let mut ctx = Context::new(db);
    ctx.readers = civitas_core::db::connect_readers(&settings.database_url()).await?;
    ctx.secrets = civitas_core::secrets::Secrets::new(&civitas_graphql::settings::participation_secret(
        &settings.data_dir,
        args.participation_secret.as_deref(),
    )?);
    ctx.config = Config {
        auto_close_after_days: settings.auto_close_after_days,
        timezone: args.timezone,
        max_deadline_after_dispatch: chrono::Duration::days(args.max_deadline_days),
    };
    ctx.feed = Feed::new(FeedSettings {
        poll_every: Duration::from_millis(args.live_poll_interval_ms),
        ..FeedSettings::default()
    });
    let verifier = settings.verifier()?;
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    let address = listener.local_addr()?;
    // Tokens only for a city seeded now: printed at every start of a real deployment they
    // would hand out fresh city-admin rights to whoever reads the logs.
    if args.demo && civitas_core::demo::seed(&ctx).await?.is_some() {
        println!("Seeded the demo city: 3 districts, 15 departments, 30 categories, 3 tickets.");
        print_demo_tokens(&ctx, &settings, &args.tokens).await?;
    } else if args.demo {
        println!(
            "The database is not empty: no demo city seeded, no tokens printed (`civitas token issue` makes one)."
        );
    }
    // Before the "listening" line, which scripts wait for and may stop reading after.
    println!("Public performance pages at http://{address}/ and Open311 GeoReport v2 at http://{address}/open311/v2/");
    println!("Civitas is listening on http://{address}/graphql (GraphiQL in a browser), health at /healthz");
    let cache_dir = args.plugin_cache_dir.clone().unwrap_or_else(|| settings.data_dir.join("plugin-cache"));
    let runtime = super::plugin::server_runtime(&cache_dir, args.plugin_slot_reset.into())?;
    let limits =
        Limits { max_root_fields: args.max_root_fields, introspection: !args.no_introspection, ..Limits::default() };
    let redis = match &args.redis_url {
        Some(url) => Some(RedisLink::new(url, &args.redis_prefix)?),
        None => None,
    };
    let mut rate_limits =
        RateLimits::new(args.rate_limit_anonymous.0, args.rate_limit_resident.0, args.trusted_proxy_header.clone());
    if let Some(redis) = &redis {
        rate_limits = rate_limits.shared_through(redis.clone());
    }
    let live_limits = LiveLimits {
        max_subscriptions: usize::try_from(args.ws_max_subscriptions).unwrap_or(usize::MAX),
        idle_timeout: Duration::from_secs(args.ws_idle_timeout_secs),
        ..LiveLimits::default()
    };
    let mut state = AppState::configured(ctx, verifier, runtime, limits)
        .with_allowed_origins(AllowedOrigins(args.cors_origins.clone()))
        .with_rate_limits(rate_limits)
        .with_live_limits(live_limits)
        .with_dashboard_cache(Duration::from_secs(args.dashboard_cache_secs));
    state.redis = redis.clone();
    let schedule = Schedule {
        sweep_every: settings.sweep_interval,
        deliver_every: Duration::from_millis(args.event_delivery_interval_ms.max(10)),
    };
    let background = civitas_core::background::spawn(&state.ctx, &schedule);
    let feed = civitas_core::background::spawn_feed(&state.ctx);
    let fanout = redis.as_ref().map(|redis| redis.spawn_fanout(&state.ctx.feed)).unwrap_or_default();
    match &redis {
        Some(_) => tracing::info!(prefix = %args.redis_prefix, "live events fan out through redis"),
        None => tracing::info!("no redis: live events and rate limits stay within this instance"),
    }
    let mail = match &args.smtp_url {
        Some(url) => MailerSettings::Smtp { url: url.clone(), from: args.mail_from.clone() },
        None => MailerSettings::Files { dir: settings.data_dir.join("mail"), from: args.mail_from.clone() },
    };
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
    let mailer = Mailer::new(&mail)?.with_public_url(&public_url);
    match &mail {
        MailerSettings::Smtp { .. } => tracing::info!("mail goes out through the SMTP server"),
        MailerSettings::Files { dir, .. } => tracing::info!(dir = %dir.display(), "mail is written as .eml files"),
    }
    let writer = EmailWriter { default_locale: args.mail_language };
    let email = civitas_core::background::spawn_email(&state.ctx, writer, mailer, &schedule);
    let db = state.ctx.db.clone();
    // Stop accepting at the signal; requests in flight get `GRACE` to finish, then the workers
    // stop and the pool closes (SQLite's WAL is checkpointed).
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve(listener, state, async {
        let _ = stop.await;
    }));
    signals.requested().await;
    tracing::info!("stop requested: finishing the requests in flight");
    let _ = stopping.send(());
    match tokio::time::timeout(GRACE, serving).await {
        Ok(served) => served??,
        Err(_) => tracing::warn!("requests still running after {} s were cut off", GRACE.as_secs()),
    }
    drop(background);
    drop(email);
    drop(feed);
    for task in fanout {
        task.abort();
    }
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn print_demo_tokens(ctx: &Context, settings: &ServerSettings, tokens: &TokenArgs) -> anyhow::Result<()> {
    let Some(district) = directory::districts(ctx).await?.into_iter().next() else {
        return Ok(());
    };
    let department = directory::departments(ctx, district.id).await?.into_iter().next();
    let issuer = settings.issuer()?;
    let district_id = Some(district.id.to_string());
    let department_id = department.map(|department| department.id.to_string());
    let days = tokens.jwt_max_lifetime.as_secs() / 86_400;
    println!("Demo bearer tokens (valid {days} days; send as `Authorization: Bearer <token>`):");
    for (role, subject, district, department) in [
        ("resident", "demo-resident", None, None),
        ("operator", "demo-operator", None, None),
        ("department_staff", "demo-staff", district_id.clone(), department_id.clone()),
        ("district_admin", "demo-district-admin", district_id.clone(), None),
        ("city_admin", "demo-city-admin", None, None),
    ] {
        println!("  {role:<17} {}", demo_token(&issuer, subject, role, district, department, tokens)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    #[test]
    fn the_slot_reset_defaults_to_copying_and_can_be_chosen() {
        let default = Serve::try_parse_from(["serve"]).expect("parses");
        assert_eq!(SlotReset::from(default.args.plugin_slot_reset), SlotReset::CopyWholeMemory);
        let chosen = Serve::try_parse_from(["serve", "--plugin-slot-reset", "dirty-pages-only"]).expect("parses");
        assert_eq!(SlotReset::from(chosen.args.plugin_slot_reset), SlotReset::DirtyPagesOnly);
        assert!(Serve::try_parse_from(["serve", "--plugin-slot-reset", "never"]).is_err());
    }
}
