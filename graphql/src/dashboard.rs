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
use civitas_core::i18n::{Locale, Message};
use tokio::sync::{OnceCell, Semaphore};

pub use period::{Choice, MAX_DAYS, Period};

use crate::errors::request_locale;
use crate::server::AppState;

/// How long a rendered page is reused by default.
pub const DEFAULT_CACHE: Duration = Duration::from_secs(60);
/// How many rendered pages are kept at most.
const CAPACITY: usize = 500;
/// How many pages are rendered at once: each is about ten scans of a district's tickets, and a
/// visitor choosing new dates each time must not hold more of the database than this.
pub const MAX_RENDERINGS: usize = 2;
/// How long a request waits for its turn to render before it is told to come back.
const RENDERING_WAIT: Duration = Duration::from_secs(30);

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
    renderings: Semaphore,
}

/// A page, rendered or being rendered.
type Rendering = Arc<OnceCell<String>>;

impl PageCache {
    /// A cache keeping pages for `ttl` (zero: not at all).
    pub fn new(ttl: Duration) -> Self {
        PageCache { ttl, pages: Mutex::default(), renderings: Semaphore::new(MAX_RENDERINGS) }
    }

    /// `render`, once one of the [`MAX_RENDERINGS`] turns is free.
    async fn in_turn<F>(&self, render: F) -> Result<String, view::Failure>
    where
        F: Future<Output = Result<String, view::Failure>>,
    {
        let Ok(Ok(_turn)) = tokio::time::timeout(RENDERING_WAIT, self.renderings.acquire()).await else {
            return Err(view::Failure::Busy);
        };
        render.await
    }

    /// The page of `key`: the one kept, the one being rendered, or `render`'s.
    async fn page<F>(&self, key: String, render: F) -> Result<String, view::Failure>
    where
        F: Future<Output = Result<String, view::Failure>>,
    {
        if self.ttl.is_zero() {
            return self.in_turn(render).await;
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
        cell.get_or_try_init(|| self.in_turn(render)).await.cloned()
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
        Err(view::Failure::Busy) => {
            let message = Message::new("many pages are being prepared: please try again in a minute");
            let mut response = render(StatusCode::SERVICE_UNAVAILABLE, view::error(locale, code.as_deref(), &message));
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
            response
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn at_most_two_pages_render_at_once_and_one_rendering_serves_a_page_s_visitors() {
        let cache = PageCache::new(Duration::from_secs(60));
        let (running, most, started) = (AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0));
        let render = || async {
            started.fetch_add(1, Ordering::SeqCst);
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, view::Failure>("page".to_owned())
        };
        // Six different pages, each asked for three times at once.
        let visits = (0..18).map(|visit| cache.page(format!("page {}", visit % 6), render()));
        for page in futures::future::join_all(visits).await {
            assert_eq!(page.ok().as_deref(), Some("page"));
        }
        assert_eq!(started.load(Ordering::SeqCst), 6, "one rendering per page");
        assert_eq!(most.load(Ordering::SeqCst), MAX_RENDERINGS);
    }
}
