//! GraphQL subscriptions over WebSocket on `GET /graphql` (`graphql-transport-ws`, and the
//! older `graphql-ws` for Apollo's legacy clients): authentication in `connection_init`, a
//! bound on subscriptions per connection, on message size, and an idle timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Data, ErrorExtensions, Executor};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::response::Response;
use civitas_core::auth::Caller;
use civitas_core::i18n::{Locale, Message};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::cost::CostGuard;
use crate::errors::{request_locale, to_graphql, with_kind};
use crate::schema::{CivitasSchema, request_data};
use crate::server::{AppState, finish_response};

/// What a connection reads from its socket at a time.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// Bounds on what one WebSocket connection may hold.
#[derive(Debug, Clone, Copy)]
pub struct LiveLimits {
    /// Subscriptions open at once on one connection.
    pub max_subscriptions: usize,
    /// A connection on which the client sends nothing (not even a ping) for this long is
    /// closed (`graphql-ws` clients keep it open with their `keepAlive` pings).
    pub idle_timeout: Duration,
    /// The largest message a client may send.
    pub max_message_bytes: usize,
}

impl Default for LiveLimits {
    fn default() -> Self {
        LiveLimits { max_subscriptions: 20, idle_timeout: Duration::from_secs(300), max_message_bytes: 64 * 1024 }
    }
}

/// Answers a WebSocket upgrade on `/graphql`.
pub(crate) fn upgrade(
    state: AppState,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
    headers: &HeaderMap,
) -> Response {
    let locale = request_locale(headers);
    let limits = state.live_limits;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        // tungstenite's defaults (128 KiB each way) would make an idle connection cost a
        // quarter of a megabyte; messages here are small, and each is written when ready.
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| {
            let executor = Localized { schema: state.schema.clone(), guard: state.guard.clone(), locale };
            GraphQLWebSocket::new(socket, executor, protocol)
                .on_connection_init(move |payload| connection_init(state, payload, locale))
                .keepalive_timeout(limits.idle_timeout)
                .serve()
        })
}

/// The caller of a connection: the bearer token of `connection_init`'s payload
/// (`{"Authorization": "Bearer …"}`), anonymous without one; a bad token refuses the connection.
async fn connection_init(state: AppState, payload: serde_json::Value, locale: Locale) -> async_graphql::Result<Data> {
    let authorization = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(key).and_then(|value| value.as_str()))
        .map(str::to_owned);
    let caller = match authorization {
        None => Caller::Anonymous,
        Some(value) => {
            let Some(token) = value.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")) else {
                return Err(to_graphql(civitas_core::auth::AuthError::Invalid));
            };
            let caller = state.verifier.verify(token.1.trim()).map_err(to_graphql)?;
            state.bindings.check(&state.ctx, &caller).await.map_err(to_graphql)?;
            caller
        }
    };
    let (request_context, loaders) = request_data(&state.ctx, caller, locale);
    // A connection lives for hours: what it delivers is read afresh, never from a cache.
    loaders.uncached();
    let mut data = Data::default();
    data.insert(request_context);
    data.insert(loaders);
    data.insert(ConnectionBudget { open: Arc::default(), max: state.live_limits.max_subscriptions });
    Ok(data)
}

/// The subscriptions open on one connection.
#[derive(Clone)]
struct ConnectionBudget {
    open: Arc<AtomicUsize>,
    max: usize,
}

/// One open subscription's place in its connection's budget, given back when it ends.
pub struct SubscriptionSlot(Option<Arc<AtomicUsize>>);

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        if let Some(open) = &self.0 {
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// A slot for a new subscription, or `TOO_MANY_SUBSCRIPTIONS` when the connection holds its
/// most already.
pub(crate) fn slot(ctx: &async_graphql::Context<'_>) -> async_graphql::Result<SubscriptionSlot> {
    let Some(budget) = ctx.data_opt::<ConnectionBudget>() else {
        // Run by the schema directly (an embedder's own transport): no connection to bound.
        return Ok(SubscriptionSlot(None));
    };
    if budget.open.fetch_add(1, Ordering::AcqRel) >= budget.max {
        budget.open.fetch_sub(1, Ordering::AcqRel);
        let message = Message::new("a connection may hold at most {max} subscriptions").arg("max", budget.max);
        let mut error = with_kind(message, &civitas_core::error::ErrorKind::Conflict);
        error = error.extend_with(|_, extensions| extensions.set("code", "TOO_MANY_SUBSCRIPTIONS"));
        return Err(error);
    }
    Ok(SubscriptionSlot(Some(budget.open.clone())))
}

/// The schema behind the cost guard, with errors said in the connection's language and coded
/// as over HTTP.
#[derive(Clone)]
struct Localized {
    schema: CivitasSchema,
    guard: CostGuard,
    locale: Locale,
}

impl Executor for Localized {
    async fn execute(&self, mut request: async_graphql::Request) -> async_graphql::Response {
        let mut response = match self.guard.prepare(&mut request) {
            Ok(()) => self.schema.execute(request).await,
            Err(refusal) => async_graphql::Response::from_errors(vec![refusal]),
        };
        finish_response(&mut response.errors, self.locale);
        response
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let locale = self.locale;
        let responses = match self.guard.prepare(&mut request) {
            Ok(()) => Executor::execute_stream(&self.schema, request, session_data),
            Err(refusal) => {
                futures::stream::once(async move { async_graphql::Response::from_errors(vec![refusal]) }).boxed()
            }
        };
        responses
            .map(move |mut response| {
                finish_response(&mut response.errors, locale);
                response
            })
            .boxed()
    }
}
