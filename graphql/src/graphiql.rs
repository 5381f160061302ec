//! GraphiQL, served from the binary: a city's intranet, or a machine with no way out, gets the
//! same IDE as anyone else, and no third-party CDN sees who uses it or can change what runs.
//!
//! The page is `GET /graphql`; its assets are under `graphiql/<version>/` beside it (relative
//! links, so the page works when the router is nested under a prefix). The vendored files are
//! GraphiQL 3.8.3 and React 18.3.1 exactly as npm publishes them, gzip-compressed
//! (`scripts/vendor_graphiql.sh` writes them; CI checks they are unchanged). A strict
//! Content-Security-Policy lets the page load scripts from this server only and talk to it only.

use std::io::Read;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The GraphiQL release whose assets are embedded; part of their paths, so browsers may cache
/// them for good.
pub const GRAPHIQL_VERSION: &str = "3.8.3";

/// The policy of the GraphiQL page: scripts, styles, fonts and requests to this origin only.
/// GraphiQL sets element styles at run time, hence `'unsafe-inline'` for styles (not scripts).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../assets/graphiql/index.html");

/// An embedded file: its bytes, whether they are gzip-compressed, and its media type.
struct Asset {
    bytes: &'static [u8],
    gzipped: bool,
    media_type: &'static str,
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

fn asset(name: &str) -> Option<Asset> {
    let (bytes, gzipped, media_type): (&'static [u8], bool, &'static str) = match name {
        "graphiql.min.js" => (include_bytes!("../assets/graphiql/graphiql.min.js.gz"), true, JS),
        "graphiql.min.css" => (include_bytes!("../assets/graphiql/graphiql.min.css.gz"), true, CSS),
        "react.production.min.js" => (include_bytes!("../assets/graphiql/react.production.min.js.gz"), true, JS),
        "react-dom.production.min.js" => {
            (include_bytes!("../assets/graphiql/react-dom.production.min.js.gz"), true, JS)
        }
        "civitas.js" => (include_bytes!("../assets/graphiql/civitas.js"), false, JS),
        "civitas.css" => (include_bytes!("../assets/graphiql/civitas.css"), false, CSS),
        _ => return None,
    };
    Some(Asset { bytes, gzipped, media_type })
}

/// `GET /graphql`: the GraphiQL page.
pub async fn page() -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], PAGE)
            .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// `GET /graphiql/{version}/{file}`: one of the page's assets, compressed when the browser
/// accepts gzip (all do; a client that does not gets them decompressed).
pub async fn asset_file(Path((version, name)): Path<(String, String)>, request_headers: HeaderMap) -> Response {
    let Some(asset) = asset(&name).filter(|_| version == GRAPHIQL_VERSION) else {
        return (StatusCode::NOT_FOUND, "no such GraphiQL asset").into_response();
    };
    let accepts_gzip = request_headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| coding.split(';').next().is_some_and(|coding| coding.trim().eq_ignore_ascii_case("gzip")));
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.media_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !asset.gzipped {
        return (headers, asset.bytes).into_response();
    }
    if accepts_gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return (headers, asset.bytes).into_response();
    }
    let mut plain = Vec::new();
    match flate2::read::GzDecoder::new(asset.bytes).read_to_end(&mut plain) {
        Ok(_) => (headers, plain).into_response(),
        Err(error) => {
            tracing::error!(%error, name, "an embedded GraphiQL asset does not decompress");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_the_page_links_is_embedded_and_decompresses() {
        let prefix = format!("graphiql/{GRAPHIQL_VERSION}/");
        let linked: Vec<&str> = PAGE.split('"').filter_map(|part| part.strip_prefix(prefix.as_str())).collect();
        assert_eq!(linked.len(), 6, "{linked:?}");
        for name in linked {
            let asset = asset(name).unwrap_or_else(|| panic!("{name} is linked but not embedded"));
            if asset.gzipped {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(asset.bytes).read_to_end(&mut plain).expect(name);
                assert!(plain.len() > asset.bytes.len(), "{name}");
            }
        }
    }

    #[test]
    fn the_page_has_no_inline_script_and_no_foreign_address() {
        assert!(!PAGE.contains("<script>"), "an inline script would need 'unsafe-inline'");
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://"), "everything comes from this server");
    }
}
