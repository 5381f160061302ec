//! The public performance pages: `GET /` (every district's three rates) and
//! `GET /districts/{code}` (one district: its rates, its departments', tickets by status and
//! category, median times, overdue tickets and a weekly trend), rendered on the server from
//! the same aggregates as `ticketStats`, without login or JavaScript, in zh-Hans, zh-Hant and
//! English (`?lang=`, else `Accept-Language`), and kept for `--dashboard-cache-secs`.

mod chart;
mod period;
mod view;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use civitas_core::i18n::Locale;
use tokio::sync::OnceCell;

pub use period::{Choice, MAX_DAYS, Period};

use crate::errors::request_locale;
use crate::server::AppState;

/// How long a rendered page is reused by default.
pub const DEFAULT_CACHE: Duration = Duration::from_secs(60);
/// How many rendered pages are kept at most.
const CAPACITY: usize = 500;

/// The dashboard's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(overview)).route("/districts/{code}", get(district))
}

/// Rendered pages by (page, language, period), each for a while. Requests for a page that is
/// being rendered wait for that rendering instead of starting their own: a page over a million
/// tickets takes a while, and 32 visitors arriving together must not make 32 of them.
pub struct PageCache {
    ttl: Duration,
    pages: Mutex<HashMap<String, (Instant, Rendering)>>,
}

/// A page, rendered or being rendered.
type Rendering = Arc<OnceCell<String>>;

impl PageCache {
    /// A cache keeping pages for `ttl` (zero: not at all).
    pub fn new(ttl: Duration) -> Self {
        PageCache { ttl, pages: Mutex::default() }
    }

    /// The page of `key`: the one kept, the one being rendered, or `render`'s.
    async fn page<F>(&self, key: String, render: F) -> Result<String, view::Failure>
    where
        F: Future<Output = Result<String, view::Failure>>,
    {
        if self.ttl.is_zero() {
            return render.await;
        }
        let cell = {
            let mut pages = self.pages.lock().unwrap_or_else(|poison| poison.into_inner());
            if pages.len() >= CAPACITY {
                pages.retain(|_, (at, _)| at.elapsed() < self.ttl);
                if pages.len() >= CAPACITY {
                    pages.clear();
                }
            }
            let fresh = pages.get(&key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, cell)| cell.clone());
            fresh.unwrap_or_else(|| {
                let cell = Arc::new(OnceCell::new());
                pages.insert(key, (Instant::now(), cell.clone()));
                cell
            })
        };
        // A failed rendering leaves the cell empty: the next request tries again.
        cell.get_or_try_init(|| render).await.cloned()
    }
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::new(DEFAULT_CACHE)
    }
}

/// What a page request asks for.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    lang: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn locale(params: &PageParams, headers: &HeaderMap) -> Locale {
    params.lang.as_deref().and_then(Locale::parse).unwrap_or_else(|| request_locale(headers))
}

async fn overview(State(state): State<AppState>, Query(params): Query<PageParams>, headers: HeaderMap) -> Response {
    page(&state, None, params, &headers).await
}

async fn district(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<PageParams>,
    headers: HeaderMap,
) -> Response {
    page(&state, Some(code), params, &headers).await
}

async fn page(state: &AppState, code: Option<String>, params: PageParams, headers: &HeaderMap) -> Response {
    let locale = locale(&params, headers);
    let ctx = &state.ctx;
    let today = ctx.clock.now().with_timezone(&ctx.config.timezone).date_naive();
    let period = match Period::parse(
        params.period.as_deref(),
        params.from.as_deref(),
        params.to.as_deref(),
        today,
        ctx.config.timezone,
    ) {
        Ok(period) => period,
        Err(message) => return render(StatusCode::BAD_REQUEST, view::error(locale, code.as_deref(), &message)),
    };
    let key = format!("{}|{}|{}", code.as_deref().unwrap_or(""), locale.tag(), period.query());
    let rendered = state
        .dashboard
        .page(key, async {
            match &code {
                None => view::overview(ctx, locale, &period).await,
                Some(code) => view::district(ctx, locale, &period, code).await,
            }
        })
        .await;
    match rendered {
        Ok(page) => render(StatusCode::OK, Ok(page)),
        Err(view::Failure::NotFound(message)) => {
            render(StatusCode::NOT_FOUND, view::error(locale, code.as_deref(), &message))
        }
        Err(view::Failure::Internal(error)) => {
            tracing::error!(%error, "a dashboard page failed");
            render(StatusCode::INTERNAL_SERVER_ERROR, Err(error))
        }
    }
}

fn render(status: StatusCode, page: Result<String, String>) -> Response {
    match page {
        Ok(page) => (status, [(header::CACHE_CONTROL, "public, max-age=60")], Html(page)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    }
}
