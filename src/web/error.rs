//! One error type for every handler; one `IntoResponse` decides status and body.
//! API routes answer JSON `{"error": {"code", "message"}}`; pages answer an HTML page
//! with the same status. A 5xx is a bug: its cause is logged, the body stays generic.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::assets::{self, AssetUrls};
use crate::search::{QueryError, SearchError};

/// Where the error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `/api/...`: JSON.
    Json,
    /// Pages: HTML.
    Html,
}

/// An error with its status, a stable code and a message for people.
#[derive(Debug)]
pub struct WebError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (`bad_parameter`, `not_found`).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// JSON or HTML.
    pub format: Format,
}

impl WebError {
    /// A 400 naming the parameter.
    pub fn bad_parameter(format: Format, param: &str, message: impl std::fmt::Display) -> Self {
        WebError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_parameter",
            message: format!("`{param}`: {message}"),
            format,
        }
    }

    /// A 404.
    pub fn not_found(format: Format, message: impl Into<String>) -> Self {
        WebError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            format,
        }
    }

    /// A 500: the cause is logged, the client gets a generic message.
    pub fn internal(format: Format, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "something went wrong on our side; it has been logged".into(),
            format,
        }
    }

    /// A search error on a page (HTML).
    pub fn page(err: SearchError) -> Self {
        WebError::from_search(Format::Html, err)
    }

    /// Maps a search error to the status that fits.
    pub fn from_search(format: Format, err: SearchError) -> Self {
        match err {
            SearchError::Query(e) => {
                let code = match e {
                    QueryError::TooLong(_) => "query_too_long",
                    QueryError::TooManyClauses | QueryError::TooDeep => "query_too_complex",
                };
                WebError { status: StatusCode::BAD_REQUEST, code, message: e.to_string(), format }
            }
            SearchError::BadParameter { param, message } => {
                WebError::bad_parameter(format, param, message)
            }
            SearchError::Index(e) => {
                tracing::error!(cause = %e, "index unavailable");
                WebError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: "index_unavailable",
                    message: e.to_string(),
                    format,
                }
            }
            SearchError::Damaged(message) => {
                tracing::error!(cause = %message, "index damaged");
                WebError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: "index_damaged",
                    message,
                    format,
                }
            }
            e @ SearchError::TooLarge { .. } => WebError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "entry_too_large",
                message: e.to_string(),
                format,
            },
            e @ SearchError::Abandoned => WebError {
                status: StatusCode::REQUEST_TIMEOUT,
                code: "request_timeout",
                message: e.to_string(),
                format,
            },
            SearchError::Tantivy(e) => WebError::internal(format, e),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: u16,
    pub reason: &'a str,
    pub message: &'a str,
    pub assets: &'a AssetUrls,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self.format {
            Format::Json => {
                let body =
                    serde_json::json!({ "error": { "code": self.code, "message": self.message } });
                (self.status, Json(body)).into_response()
            }
            Format::Html => {
                let page = ErrorPage {
                    status: self.status.as_u16(),
                    reason: self.status.canonical_reason().unwrap_or("Error"),
                    message: &self.message,
                    assets: assets::urls(),
                };
                match page.render() {
                    Ok(html) => (self.status, Html(html)).into_response(),
                    Err(_) => (self.status, self.message).into_response(),
                }
            }
        }
    }
}

impl From<SearchError> for WebError {
    /// For `?` in API handlers; pages map with [`WebError::from_search`] and
    /// [`Format::Html`].
    fn from(err: SearchError) -> Self {
        WebError::from_search(Format::Json, err)
    }
}
