//! The HTTP server's router: pages, the JSON API, static assets, and the plumbing
//! around them (request logs, compression, timeouts, security headers).
//!
//! [`app`] builds the router apart from any socket, so tests drive it with `oneshot`.
//! The server only reads the index: the engine follows new commits by itself.

pub mod api;
mod assets;
pub mod auth;
mod chart;
mod dates;
mod document;
mod error;
mod feed;
pub mod listen;
pub mod mcp;
mod pages;
mod params;
pub mod render;
mod state;
mod urls;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use self::error::{Format, WebError};
pub use self::state::{AppState, CatchUp};

/// The default for [`AppState::max_in_flight`]: far more than two cores finish in a
/// request's time budget, far fewer than would exhaust memory.
pub const MAX_IN_FLIGHT: usize = 512;

/// Request bodies are not read by any route; a declared body past this is refused (413).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// A request target past this is refused with 414 and an error body. (Past
/// [`listen::MAX_HEAD_BYTES`] hyper answers 414 or 431 by itself, without one.)
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Header names and values past this in all are refused with 431 and an error body.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// How long a request may take before it is answered with 408, by default
/// (`serve --request-timeout`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The Content-Security-Policy of every response: no inline script, nothing from
/// elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The application: every route and layer.
pub fn app(state: Arc<AppState>) -> Router {
    let (max_in_flight, timeout) = (state.max_in_flight, state.timeout);
    let guard = state.guard.clone();
    let mcp = state.mcp.as_deref().map(|base| mcp::http_service(Arc::clone(&state), base));
    let api = Router::new()
        .route("/search", get(api::search))
        .route("/entries/{*id}", get(api::entry))
        .route("/stories/{id}", get(api::story))
        .route("/topics", get(api::topics))
        .route("/topics/{*topic}", get(api::topic))
        .route("/sources", get(api::sources))
        .route("/sources/{*source}", get(api::source))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found);
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = Router::new()
        .route("/", get(pages::search))
        .route("/search", get(pages::search))
        .route("/entries/{*id}", get(pages::entry))
        .route("/stories/{id}", get(pages::story))
        .route("/topics", get(pages::topics))
        .route("/topics/{*topic}", get(pages::topic))
        .route("/sources", get(pages::sources))
        .route("/sources/{*source}", get(pages::source))
        .route("/feed.atom", get(feed::feed))
        .route("/healthz", get(api::health))
        .route("/static/{name}", get(static_file))
        .nest("/api", api);
    let router = match mcp {
        Some(service) => router.nest_service("/mcp", service),
        None => router,
    };
    let router = router
        .fallback(pages::not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    // Inside the headers below, so a 401 carries them too.
    let router = match guard {
        Some(guard) => router.layer(axum::middleware::from_fn_with_state(guard, auth::require)),
        None => router,
    };
    router
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(CatchPanicLayer::custom(|_| {
            WebError::internal(Format::Json, "a handler panicked").into_response()
        }))
        .layer(axum::middleware::from_fn(refuse_oversized))
        // Past the limit, answer 503 at once rather than queue without bound.
        .layer(
            tower::ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async { overloaded() }))
                .layer(LoadShedLayer::new())
                .layer(GlobalConcurrencyLimitLayer::new(max_in_flight)),
        )
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        uri = %logged_uri(request.uri()),
                        version = ?request.version(),
                    )
                })
                .on_response(
                    DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros),
                ),
        )
}

/// A request's target as the log shows it: the values of parameters that carry secrets
/// (`token`, `access_token`, `password`, `api_key`, `key`, `secret`, `auth`) are replaced,
/// since credentials in a query string are refused but would otherwise be logged.
fn logged_uri(uri: &axum::http::Uri) -> String {
    const SECRET: &[&str] = &[
        "token",
        "access_token",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "key",
        "secret",
        "auth",
    ];
    let Some(query) = uri.query() else { return uri.path().to_string() };
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((name, _)) if SECRET.contains(&name.to_ascii_lowercase().as_str()) => {
                format!("{name}=[redacted]")
            }
            _ => part.to_string(),
        })
        .collect();
    format!("{}?{}", uri.path(), parts.join("&"))
}

/// 414, 431 or 413 with the error (JSON for the API, the error page for pages) for a
/// request target past [`MAX_URI_BYTES`], headers past [`MAX_HEADER_BYTES`], or a
/// declared body past [`MAX_BODY_BYTES`] (bodies are never read).
async fn refuse_oversized(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let format =
        if request.uri().path().starts_with("/api/") { Format::Json } else { Format::Html };
    let refuse = |status, code, message: String| WebError { status, code, message, format };
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return refuse(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is {target} bytes; the limit is {MAX_URI_BYTES}"),
        )
        .into_response();
    }
    let headers: usize = request.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers > MAX_HEADER_BYTES {
        return refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("the headers are {headers} bytes; the limit is {MAX_HEADER_BYTES}"),
        )
        .into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// `GET /static/{name}`: a fingerprinted name is cached for a year; the plain name
/// is served too, revalidated each time.
async fn static_file(
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<axum::response::Response, WebError> {
    let Some((body, content_type, immutable)) = assets::find(&name) else {
        return Err(WebError::not_found(Format::Html, format!("no static file `{name}`")));
    };
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
    ];
    Ok((headers, body).into_response())
}

/// 503 with `Retry-After` and the JSON error.
fn overloaded() -> axum::response::Response {
    let error = WebError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "overloaded",
        message: "the server is answering as many requests as it can; retry in a second".into(),
        format: Format::Json,
    };
    ([(header::RETRY_AFTER, "1")], error).into_response()
}

/// Methods other than GET and HEAD: 405 with the JSON error.
async fn method_not_allowed() -> WebError {
    WebError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "only GET and HEAD are served".into(),
        format: Format::Json,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_a_query_string_are_not_logged() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        let logged =
            super::logged_uri(&uri("/api/search?q=agents&token=alice.AAAA&Access_Token=x"));
        assert_eq!(logged, "/api/search?q=agents&token=[redacted]&Access_Token=[redacted]");
        assert_eq!(super::logged_uri(&uri("/search?q=token")), "/search?q=token");
        assert_eq!(super::logged_uri(&uri("/healthz")), "/healthz");
    }
}
