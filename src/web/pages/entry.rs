//! The entry page (`/entries/{id}`): the digest rendered, its metadata, neighbours
//! and related entries.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::render;
use crate::web::assets::{AssetUrls, urls};
use crate::web::document::{EntryDocument, entry_document};
use crate::web::error::{Format, WebError};
use crate::web::params::Params;
use crate::web::state::AppState;
use crate::web::urls::{entry_url, filter_url, search_url};

#[derive(Template)]
#[template(path = "entry.html")]
pub struct EntryPage {
    pub assets: &'static AssetUrls,
    pub doc: EntryDocument,
    pub q: String,
}

impl EntryPage {
    pub fn search(&self, field: &str, value: &str) -> String {
        filter_url(field, value)
    }

    pub fn entry_url(&self, id: &str) -> String {
        entry_url(id, "", "")
    }

    pub fn back_url(&self) -> String {
        search_url(&self.q, None, 1)
    }
}

/// `GET /entries/{id}`.
pub async fn entry(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let q = Params::parse(raw.as_deref()).one(Format::Html, "q")?.unwrap_or("").to_string();
    let (lookup, terms) = (id.clone(), q.clone());
    let found = state.blocking(move |engine| entry_document(engine, &lookup, &terms)).await;
    match found.map_err(WebError::page)? {
        Some(doc) => render(EntryPage { assets: urls(), doc, q }),
        None => {
            Err(WebError::not_found(Format::Html, format!("There is no entry with the id `{id}`.")))
        }
    }
}
