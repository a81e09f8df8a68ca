//! Server-rendered pages: search (`/`, `/search`), entries, topics and sources. Every
//! state is a URL; everything works without JavaScript. Templates live in
//! `web/templates` (askama: compiled in, auto-escaped). One file per page, each with its
//! view model and its handler.

mod entry;
mod facets;
mod search;
mod story;
mod trend;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

pub use self::entry::entry;
pub use self::facets::{sources, topics};
pub use self::search::search;
pub use self::story::story;
pub use self::trend::{source, topic};
use super::error::{Format, WebError};

fn render(page: impl Template) -> Result<Response, WebError> {
    page.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::internal(Format::Html, e))
}

/// Unknown pages.
pub async fn not_found() -> WebError {
    WebError::not_found(Format::Html, "There is no page here.")
}
