//! The JSON API: `/api/search`, `/api/entries/{id}`, `/api/topics`, `/api/sources`,
//! `/healthz`, `/api/openapi.json`. Handlers are thin: parameters in, engine call,
//! JSON out.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{Format, WebError};
use super::params::Params;
use super::render;
use crate::search::{EntryLink, EntryView, Facet, FacetCount, Group, SearchError, SearchResults};

/// `GET /api/search`: the same `SearchResults` as `archive search --json`.
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, WebError> {
    let request = Params::parse(raw.as_deref()).request(Format::Json, Group::Item)?;
    let results = state.blocking(move |engine| engine.search(&request)).await;
    Ok(Json(results.map_err(|e| WebError::from_search(Format::Json, e))?))
}

/// An entry with its rendered HTML and neighbours.
#[derive(Serialize)]
pub struct EntryDocument {
    /// The entry as the index holds it.
    #[serde(flatten)]
    pub entry: EntryView,
    /// The Markdown rendered to sanitised HTML, anchors on the items.
    pub html: String,
    /// The entry before it by date.
    pub previous: Option<EntryLink>,
    /// The entry after it by date.
    pub next: Option<EntryLink>,
    /// Entries sharing its topics and sources.
    pub related: Vec<EntryLink>,
}

/// Loads an entry, renders it and finds its neighbours; `None` when there is none.
pub fn entry_document(
    engine: &crate::search::Engine,
    id: &str,
    q: &str,
) -> Result<Option<EntryDocument>, crate::search::SearchError> {
    let Some(entry) = engine.entry(id)? else { return Ok(None) };
    let html =
        render::render(&entry.markdown, &entry.items, &crate::search::highlight::query_terms(q));
    let (previous, next) = engine.neighbours(&entry)?;
    let related = engine.related(&entry, 5)?;
    Ok(Some(EntryDocument { entry, html, previous, next, related }))
}

/// `GET /api/entries/{id}`.
pub async fn entry(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<EntryDocument>, WebError> {
    let lookup = id.clone();
    let found = state.blocking(move |engine| entry_document(engine, &lookup, "")).await;
    match found.map_err(|e| WebError::from_search(Format::Json, e))? {
        Some(doc) => Ok(Json(doc)),
        None => Err(WebError::not_found(Format::Json, format!("no entry with id `{id}`"))),
    }
}

/// Values of a facet with their counts.
#[derive(Serialize)]
pub struct Values {
    values: Vec<FacetCount>,
}

async fn facet(state: Arc<AppState>, facet: Facet) -> Result<Json<Values>, WebError> {
    let values = state.blocking(move |engine| engine.facet_values(facet)).await;
    Ok(Json(Values { values: values.map_err(|e| WebError::from_search(Format::Json, e))? }))
}

/// `GET /api/topics`.
pub async fn topics(State(state): State<Arc<AppState>>) -> Result<Json<Values>, WebError> {
    facet(state, Facet::Topics).await
}

/// `GET /api/sources`.
pub async fn sources(State(state): State<Arc<AppState>>) -> Result<Json<Values>, WebError> {
    facet(state, Facet::Sources).await
}

/// `GET /healthz`: 200 with counts when the index reads, 503 otherwise.
pub async fn health(State(state): State<Arc<AppState>>) -> Response {
    match state.blocking(|engine| engine.health()).await {
        Ok(health) => Json(serde_json::json!({ "status": "ok", "entries": health.entries, "items": health.items, "segments": health.segments })).into_response(),
        Err(e) => {
            tracing::error!(cause = %e, "health check failed");
            let code = match e {
                SearchError::Damaged(_) => "index_damaged",
                _ => "index_unavailable",
            };
            let body = serde_json::json!({ "status": "unhealthy", "error": { "code": code, "message": e.to_string() } });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("../../web/openapi.json"))
}

/// Unknown `/api/...` paths.
pub async fn not_found() -> WebError {
    WebError::not_found(Format::Json, "no such API endpoint; see /api/openapi.json")
}
