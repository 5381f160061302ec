//! A server on a free port with the demo directory, and a small GraphQL client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::Utc;
use civitas_core::Context;
use civitas_core::auth::{Claims, TokenIssuer, TokenVerifier};
use civitas_core::background::{self, BackgroundTasks, Schedule};
use civitas_core::clock::Clock;
use civitas_core::demo::{self, DemoCity};
use civitas_core::events::{self, PluginListeners};
use civitas_core::plugins::{FailurePolicy, PluginHooks, PluginRuntime};
use civitas_core::testing::TestDatabase;
use civitas_graphql::csrf::AllowedOrigins;
use civitas_graphql::server::{self, AppState};
use civitas_plugins::{CallLimits, EngineSettings, PluginEngine, WasmRuntime};
use serde_json::{Value, json};

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// One plugin sandbox for the test binary, as a server process has one; servers share its
/// compiled components, never instances.
pub fn sandbox() -> Arc<dyn PluginRuntime> {
    static SANDBOX: OnceLock<Arc<dyn PluginRuntime>> = OnceLock::new();
    SANDBOX
        .get_or_init(|| {
            let engine = PluginEngine::new(EngineSettings::default()).expect("plugin engine");
            let ceilings = CallLimits::ceilings(engine.settings());
            Arc::new(WasmRuntime::new(Arc::new(engine), CallLimits::default(), ceilings))
        })
        .clone()
}

pub struct TestServer {
    pub url: String,
    pub ctx: Context,
    pub demo: DemoCity,
    /// Statements executed by the server's database handle.
    pub statements: Arc<AtomicUsize>,
    pub http: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Who calls: a role with its bindings, as a token would carry them.
#[derive(Clone, Debug)]
pub struct Who {
    pub subject: String,
    pub role: &'static str,
    pub district: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub email: Option<String>,
}

impl Who {
    pub fn new(role: &'static str, subject: &str) -> Self {
        Who {
            subject: subject.into(),
            role,
            district: None,
            department: None,
            phone: None,
            birth_year: None,
            email: None,
        }
    }

    /// A resident whose identity provider verified this phone number.
    pub fn with_phone(mut self, phone: &str) -> Self {
        self.phone = Some(phone.to_owned());
        self
    }

    /// A resident whose identity provider verified this year of birth.
    pub fn born_in(mut self, year: i32) -> Self {
        self.birth_year = Some(year);
        self
    }

    /// Someone whose identity provider gave this email address (the `email` claim).
    pub fn with_email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    pub fn in_district(mut self, district: impl ToString) -> Self {
        self.district = Some(district.to_string());
        self
    }

    pub fn in_department(mut self, department: impl ToString) -> Self {
        self.department = Some(department.to_string());
        self
    }

    pub fn token(&self) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            email: self.email.clone(),
            sub: self.subject.clone(),
            role: self.role.into(),
            district: self.district.clone(),
            department: self.department.clone(),
            phone: self.phone.clone(),
            birth_year: self.birth_year,
            iat: now,
            exp: now + 600,
            nbf: None,
            iss: None,
            aud: None,
        };
        TokenIssuer::new(SECRET).issue(&claims).expect("sign")
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with_clock(Clock::System).await
    }

    /// A server whose domain clock is `clock` (plugins see its wall-clock time).
    pub async fn start_with_clock(clock: Clock) -> TestServer {
        Self::start_with(clock, AllowedOrigins::default()).await
    }

    /// A server answering CORS preflights for `origins`.
    pub async fn start_allowing(origins: &[&str]) -> TestServer {
        Self::start_with(Clock::System, AllowedOrigins(origins.iter().map(|origin| origin.to_string()).collect())).await
    }

    /// A server limiting mutations with `limits`.
    pub async fn start_rate_limited(limits: civitas_graphql::rate_limit::RateLimits) -> TestServer {
        Self::start_configured(Clock::System, AllowedOrigins::default(), limits).await
    }

    async fn start_with(clock: Clock, origins: AllowedOrigins) -> TestServer {
        Self::start_configured(clock, origins, Default::default()).await
    }

    async fn start_configured(
        clock: Clock,
        origins: AllowedOrigins,
        limits: civitas_graphql::rate_limit::RateLimits,
    ) -> TestServer {
        let mut database = TestDatabase::new().await.expect("database");
        database.ctx.clock = clock;
        let demo = demo::seed_directory(&database.ctx).await.expect("seed").expect("empty");
        let statements = Arc::new(AtomicUsize::new(0));
        let mut counted = database.ctx.db.clone();
        let counter = statements.clone();
        counted.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let ctx = Context { db: counted, ..database.ctx.clone() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state = AppState::with_plugins(ctx, TokenVerifier::new().with_hs256_secret(SECRET), sandbox())
            .with_allowed_origins(origins)
            .with_rate_limits(limits);
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        TestServer { url, ctx: database.ctx, demo, statements, http: reqwest::Client::new(), _shutdown: shutdown }
    }

    /// Offers domain events to the districts' listener plugins every 20 ms, as `civitas serve`
    /// does every second, until the returned tasks are dropped (the server's own handle counts
    /// statements, so the background rounds use one of their own). Like a server running since
    /// its start, the listeners' cursors are placed first: the seeded history is passed over.
    pub async fn deliver_events(&self) -> BackgroundTasks {
        let hooks = PluginHooks::new(sandbox(), FailurePolicy::default());
        let ctx = Context { hooks: Arc::new(hooks), ..self.ctx.clone() };
        events::deliver(&ctx, &PluginListeners).await.expect("first delivery round");
        let schedule = Schedule {
            sweep_every: std::time::Duration::from_secs(3600),
            deliver_every: std::time::Duration::from_millis(20),
        };
        background::spawn(&ctx, &schedule)
    }

    pub fn district_id(&self, index: usize) -> String {
        self.demo.districts[index].district.id.to_string()
    }

    pub fn department_id(&self, district: usize, department: usize) -> String {
        self.demo.districts[district].departments[department].id.to_string()
    }

    pub fn category_id(&self, district: usize, category: usize) -> String {
        self.demo.districts[district].categories[category].id.to_string()
    }

    /// Posts a GraphQL request and returns the HTTP status and the JSON body.
    pub async fn post(&self, who: Option<&Who>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self.http.post(format!("{}/graphql", self.url)).json(&json!({
            "query": query,
            "variables": variables,
        }));
        if let Some(who) = who {
            request = request.bearer_auth(who.token());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.expect("json body");
        (status, body)
    }

    /// Posts and expects success; returns `data`.
    pub async fn ok(&self, who: Option<&Who>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(who, query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Posts and expects exactly one error; returns its `extensions.code` and the body.
    pub async fn error(&self, who: Option<&Who>, query: &str, variables: Value) -> (String, Value) {
        let (status, body) = self.post(who, query, variables).await;
        assert_eq!(status, 200, "{body}");
        let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("<none>").to_owned();
        (code, body)
    }
}

pub const SUBMIT: &str = r#"
mutation Submit($input: SubmitTicketInput!) {
  submitTicket(input: $input) { id code status }
}"#;

pub fn submit_input(server: &TestServer, district: usize, channel: &str) -> Value {
    json!({
        "input": {
            "districtId": server.district_id(district),
            "categoryId": server.category_id(district, 0),
            "title": "Overflowing bins",
            "description": "The bins at the market have not been emptied for a week.",
            "channel": channel,
            "address": "Market square",
            "latitude": 31.2,
            "longitude": 121.5,
            "contact": { "name": "王小明", "phone": "13912345678", "email": "wang@example.org" }
        }
    })
}

/// Debian's Chromium, or the browser `CIVITAS_CHROMIUM` names. `.ci/run` installs it; a
/// missing browser fails the test instead of skipping it.
pub fn chromium() -> std::path::PathBuf {
    let path = std::env::var_os("CIVITAS_CHROMIUM")
        .map_or_else(|| std::path::PathBuf::from("/usr/bin/chromium"), std::path::PathBuf::from);
    assert!(
        path.exists(),
        "the browser tests need Chromium at {} (apt-get install chromium, or set CIVITAS_CHROMIUM)",
        path.display()
    );
    path
}
