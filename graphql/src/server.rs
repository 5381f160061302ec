//! The HTTP server: `POST /graphql`, GraphiQL at `GET /graphql` (assets under `/graphiql/`), `GET /healthz`, `GET /metrics`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::ParseRequestError;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use civitas_core::Context;
use civitas_core::auth::{AuthError, Caller, KnownBindings, TokenVerifier};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::{Locale, Message};
use civitas_core::plugins::{FailurePolicy, PluginHooks, PluginRuntime};
use http_body_util::Limited;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use crate::cost::{CostGuard, Limits};
use crate::csrf::{self, AllowedOrigins};
use crate::errors::{bad_input_at_root, localize, request_locale, to_graphql, transport_refusal};
use crate::graphiql;
use crate::live::{self, LiveLimits};
use crate::rate_limit::{PeerAddr, RateLimits, mutation_fields};
use crate::redis_link::RedisLink;
use crate::schema::{CivitasSchema, PluginSandbox, request_data, server_schema};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Largest multipart request body (a plugin upload), in bytes.
pub const MAX_UPLOAD_BYTES: usize = civitas_core::plugins::MAX_COMPONENT_BYTES + 64 * 1024;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema, without the cost guard: a request goes through [`AppState::guard`] first,
    /// as the server's transports do.
    pub schema: CivitasSchema,
    /// The domain context.
    pub ctx: Context,
    /// Verifies bearer tokens.
    pub verifier: Arc<TokenVerifier>,
    /// The district/department pairs of tokens found in the directory.
    pub bindings: Arc<KnownBindings>,
    /// The web origins whose pages may call the API from a browser.
    pub allowed_origins: AllowedOrigins,
    /// Limits on mutations per client (none unless configured).
    pub rate_limits: RateLimits,
    /// Bounds on each WebSocket connection of subscriptions.
    pub live_limits: LiveLimits,
    /// The deployment's Redis, if it has one (reported in `/metrics`).
    pub redis: Option<RedisLink>,
    /// The public performance pages, rendered at most once per their lifetime.
    pub dashboard: Arc<crate::dashboard::PageCache>,
    /// What one request may ask for, applied by the transports before the schema runs (the
    /// schema has no extension of its own: see [`crate::schema`]'s `server_schema`).
    pub guard: CostGuard,
}

impl AppState {
    /// The state of a server on `ctx` verifying tokens with `verifier`, without plugins.
    pub fn new(ctx: Context, verifier: TokenVerifier) -> Self {
        let (schema, guard) = server_schema(ctx.clone(), None, Limits::default());
        AppState {
            guard,
            schema,
            ctx,
            verifier: Arc::new(verifier),
            bindings: Arc::default(),
            allowed_origins: AllowedOrigins::default(),
            rate_limits: RateLimits::default(),
            live_limits: LiveLimits::default(),
            redis: None,
            dashboard: Arc::default(),
        }
    }

    /// The state of a server whose districts' plugins run in `runtime`: `installPlugin` checks
    /// components with it and the domain's hook points call the installed plugins through it.
    pub fn with_plugins(ctx: Context, verifier: TokenVerifier, runtime: Arc<dyn PluginRuntime>) -> Self {
        Self::configured(ctx, verifier, runtime, Limits::default())
    }

    /// [`AppState::with_plugins`] with `limits` on what one request may ask for.
    pub fn configured(
        mut ctx: Context,
        verifier: TokenVerifier,
        runtime: Arc<dyn PluginRuntime>,
        limits: Limits,
    ) -> Self {
        ctx.hooks = Arc::new(PluginHooks::new(runtime.clone(), FailurePolicy::default()));
        let (schema, guard) = server_schema(ctx.clone(), Some(PluginSandbox(runtime)), limits);
        AppState {
            schema,
            guard,
            ctx,
            verifier: Arc::new(verifier),
            bindings: Arc::default(),
            allowed_origins: AllowedOrigins::default(),
            rate_limits: RateLimits::default(),
            live_limits: LiveLimits::default(),
            redis: None,
            dashboard: Arc::default(),
        }
    }
}

impl AppState {
    /// Limits mutations per client (see [`RateLimits`]).
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Bounds each WebSocket connection of subscriptions (see [`LiveLimits`]).
    pub fn with_live_limits(mut self, limits: LiveLimits) -> Self {
        self.live_limits = limits;
        self
    }

    /// Keeps each rendered performance page for `ttl` (zero: renders every request).
    pub fn with_dashboard_cache(mut self, ttl: Duration) -> Self {
        self.dashboard = Arc::new(crate::dashboard::PageCache::new(ttl));
        self
    }

    /// Lets pages of `origins` call the API from a browser (CORS), besides the server's own.
    pub fn with_allowed_origins(mut self, origins: AllowedOrigins) -> Self {
        self.allowed_origins = origins;
        self
    }
}

/// The routes.
pub fn router(state: AppState) -> Router {
    let cors = state.allowed_origins.cors_layer();
    let router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql))
        .route("/graphiql/{version}/{file}", get(graphiql::asset_file))
        .route("/surveys/{id}/{file}", get(crate::export::responses))
        .route("/budgeting/processes/{file}", get(crate::export::budget_ballots))
        .route("/unsubscribe/{token}", get(crate::unsubscribe::unsubscribe).post(crate::unsubscribe::unsubscribe))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(crate::open311::routes())
        .merge(crate::dashboard::routes())
        .layer(axum::middleware::from_fn_with_state(state.allowed_origins.clone(), csrf::guard))
        .layer(axum::middleware::from_fn(limit_body))
        .layer(CatchPanicLayer::custom(|_| internal_error_response()))
        .with_state(state);
    // Outermost: a preflight is answered before anything else looks at the request.
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address is kept for the rate limits of anonymous callers.
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Request bodies are small, except multipart ones, which carry plugin components.
async fn limit_body(request: Request, next: Next) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    let limit = if multipart { MAX_UPLOAD_BYTES } else { MAX_BODY_BYTES };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return payload_too_large(limit, request.headers());
    }
    let request = request.map(|body| Body::new(Limited::new(body, limit)));
    next.run(request).await
}

fn payload_too_large(limit: usize, headers: &HeaderMap) -> Response {
    let message = Message::new("the request body is larger than {limit} bytes").arg("limit", limit);
    transport_refusal(StatusCode::PAYLOAD_TOO_LARGE, message, headers)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|token| !token.is_empty())
}

/// The caller a request's bearer token stands for (anonymous without one): a valid signature,
/// and a district and department that exist and belong together.
pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, AuthError> {
    let Some(token) = bearer(headers) else {
        return Ok(Caller::Anonymous);
    };
    let caller = state.verifier.verify(token)?;
    state.bindings.check(&state.ctx, &caller).await?;
    Ok(caller)
}

async fn graphql(
    State(state): State<AppState>,
    peer: PeerAddr,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, &headers),
    };
    let locale = request_locale(&headers);
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) => caller,
        Err(error) => {
            let mut error = to_graphql(error).into_server_error(async_graphql::Pos::default());
            error.locations.clear();
            let mut errors = vec![error];
            localize(&mut errors, locale);
            let response = async_graphql::Response::from_errors(errors);
            return GraphQLResponse::from(response).into_response();
        }
    };
    let (mut request_context, loaders) = request_data(&state.ctx, caller, locale);
    request_context.idempotency_key =
        headers.get("idempotency-key").map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let mut request = request.into_inner();
    // Bounded before anything else looks at it; a document sent before is neither parsed nor
    // measured again.
    if let Err(refusal) = state.guard.prepare(&mut request) {
        let mut errors = vec![refusal];
        finish_response(&mut errors, locale);
        return GraphQLResponse::from(async_graphql::Response::from_errors(errors)).into_response();
    }
    let mutation = mutation_fields(&mut request) > 0;
    if let Some(wait) = state.rate_limits.check(&request_context.caller, peer.0, &headers, &mut request).await {
        return rate_limited(wait, locale);
    }
    let request = request.data(request_context).data(loaders);
    let mut response = state.schema.execute(request).await;
    if mutation {
        // Whatever it committed reaches live readers now, here and on the other instances.
        state.ctx.feed.committed();
    }
    finish_response(&mut response.errors, locale);
    GraphQLResponse::from(response).into_response()
}

/// Our errors as every transport returns them: bounded in number, in `locale`, each with a code.
pub(crate) fn finish_response(errors: &mut Vec<async_graphql::ServerError>, locale: Locale) {
    bound_errors(errors);
    localize(errors, locale);
    for error in errors {
        code_unclassified(error);
    }
}

/// `GET /graphql`: a WebSocket upgrade for subscriptions, else GraphiQL for a browser.
async fn graphql_get(State(state): State<AppState>, request: Request) -> Response {
    let wants_websocket = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    if !wants_websocket {
        return graphiql::page().await;
    }
    let headers = request.headers().clone();
    let (mut parts, _body) = request.into_parts();
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &()).await {
        Ok(protocol) => protocol,
        Err(rejection) => return rejection.into_response(),
    };
    match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => live::upgrade(state, protocol, upgrade, &headers),
        Err(rejection) => rejection.into_response(),
    }
}

/// `RATE_LIMITED` (HTTP 200, as GraphQL errors are) with `extensions.retryAfterSeconds` and a
/// `Retry-After` header.
fn rate_limited(wait: Duration, locale: Locale) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let message = Message::new("too many requests: try again in {seconds} s").arg("seconds", seconds);
    let mut error = async_graphql::ServerError::new(message.render(locale), None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "RATE_LIMITED");
    extensions.set("retryAfterSeconds", seconds);
    error.extensions = Some(extensions);
    let mut response = GraphQLResponse::from(async_graphql::Response::from_errors(vec![error])).into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
    }
    response
}

/// A request that is not a GraphQL request (not JSON, no query, a broken multipart body), as
/// GraphQL-shaped JSON with a code rather than the parser's debug text.
fn rejected(rejection: GraphQLRejection, headers: &HeaderMap) -> Response {
    let message = match rejection.0 {
        ParseRequestError::PayloadTooLarge => return payload_too_large(MAX_BODY_BYTES, headers),
        ParseRequestError::InvalidRequest(error) => Message::new("the body is not a GraphQL request: {error}")
            .arg_message("error", Message::verbatim(error.to_string())),
        other => Message::new("the request cannot be read: {error}")
            .arg_message("error", Message::verbatim(other.to_string())),
    };
    transport_refusal(StatusCode::BAD_REQUEST, message, headers)
}

/// The most errors one response carries: a document of 10,000 failing directives must not get a
/// megabyte of them back.
pub const MAX_ERRORS: usize = 20;

/// Keeps the first [`MAX_ERRORS`] errors and says how many more there were.
fn bound_errors(errors: &mut Vec<async_graphql::ServerError>) {
    if errors.len() <= MAX_ERRORS {
        return;
    }
    let dropped = errors.len() - (MAX_ERRORS - 1);
    errors.truncate(MAX_ERRORS - 1);
    errors.push(bad_input_at_root(Message::new("{dropped} more errors were left out").arg("dropped", dropped)));
}

/// Errors raised by async-graphql itself (syntax, unknown fields, wrong argument types, depth
/// and complexity limits) carry no code; they are all the client's, so they get
/// `BAD_USER_INPUT`. Domain errors already carry theirs.
fn code_unclassified(error: &mut async_graphql::ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", "BAD_USER_INPUT");
    }
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) if caller != Caller::Anonymous => caller,
        _ => return (StatusCode::UNAUTHORIZED, "a city admin's bearer token is required").into_response(),
    };
    match civitas_core::plugins::call_counters(&state.ctx, &caller).await {
        Ok(counters) => {
            let mut text = crate::metrics::render(&counters);
            text.push_str(&crate::metrics::render_live(
                state.ctx.feed.readers(),
                state.redis.as_ref().map(RedisLink::is_up),
            ));
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
        }
        Err(error) => match error.kind() {
            ErrorKind::Internal => {
                tracing::error!(%error, "metrics failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
            _ => (StatusCode::FORBIDDEN, "metrics are for city admins").into_response(),
        },
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

fn internal_error_response() -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }]
    });
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}
