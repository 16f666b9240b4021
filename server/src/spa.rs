//! The built SPA (`web/dist`) as a browser should get it:
//! - `/assets/*` are content-hashed file names, so they are cached for a year and never asked
//!   for again; a missing one is a real 404 (a tab still holding an old build after a deploy gets
//!   an error it can recover from, not `index.html` served as JavaScript);
//! - everything else (`index.html`, the favicon, and `index.html` for the SPA's own routes) is
//!   revalidated on every load, so a deploy reaches the next page load;
//! - the `.br` and `.gz` files `npm run build` writes next to each file are sent to browsers
//!   that accept them (no compression work per request).

use std::path::Path;

use axum::{
    http::{header, HeaderValue, StatusCode},
    middleware::map_response,
    response::Response,
    Router,
};
use tower_http::services::{ServeDir, ServeFile};

/// Hashed assets: a new build has new names, so a cached copy is never stale.
pub const ASSETS_CACHE: &str = "public, max-age=31536000, immutable";
/// The entry points: kept, but checked with the server (ETag / Last-Modified) before each use.
pub const PAGE_CACHE: &str = "no-cache";

/// Serves `dir` (a built `web/dist`): its files, and `index.html` for any other path.
pub fn router(dir: &Path) -> Router {
    let assets = ServeDir::new(dir.join("assets"))
        .precompressed_br()
        .precompressed_gzip();
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let pages = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .nest_service(
            "/assets",
            Router::new()
                .fallback_service(assets)
                .layer(map_response(cache_assets)),
        )
        .fallback_service(
            Router::new()
                .fallback_service(pages)
                .layer(map_response(cache_pages)),
        )
}

async fn cache_assets(response: Response) -> Response {
    let policy = if served(response.status()) {
        ASSETS_CACHE
    } else {
        // Never keep an error for a year: the file may exist after the next deploy.
        "no-store"
    };
    with_cache_headers(response, policy)
}

async fn cache_pages(response: Response) -> Response {
    with_cache_headers(response, PAGE_CACHE)
}

fn served(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::NOT_MODIFIED
}

fn with_cache_headers(mut response: Response, policy: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // The body depends on Accept-Encoding (the .br, the .gz or the plain file): shared caches
    // must keep them apart.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
