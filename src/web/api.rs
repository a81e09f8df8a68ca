//! The JSON API: `/api/search`, `/api/entries/{id}`, `/api/stories/{id}`, `/api/topics`
//! and `/api/topics/{topic}`, `/api/sources` and `/api/sources/{source}`,
//! `/healthz`, `/api/openapi.json`. Handlers are thin: parameters in, engine call,
//! JSON out.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;

use super::auth::Anonymous;
use super::document::{EntryDocument, entry_document};
use super::error::{Format, WebError};
use super::params::Params;
use super::state::AppState;
use crate::search::{
    Facet, FacetCount, Group, SearchError, SearchResults, StoryView, Trend, TrendOf,
};

/// `GET /api/search`: the same `SearchResults` as `archive search --json`.
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, WebError> {
    let request = Params::parse(raw.as_deref()).request(Format::Json, Group::Item)?;
    Ok(Json(state.blocking(move |engine| engine.search(&request)).await?))
}

/// `GET /api/entries/{id}`.
pub async fn entry(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<EntryDocument>, WebError> {
    let lookup = id.clone();
    let found = state.blocking(move |engine| entry_document(engine, &lookup, "")).await;
    match found? {
        Some(doc) => Ok(Json(doc)),
        None => Err(WebError::not_found(Format::Json, format!("no entry with id `{id}`"))),
    }
}

/// `GET /api/stories/{id}`: every mention of one story, oldest first.
pub async fn story(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<StoryView>, WebError> {
    let lookup = id.clone();
    match state.blocking(move |engine| engine.story(&lookup)).await? {
        Some(story) => Ok(Json(story)),
        None => Err(WebError::not_found(Format::Json, format!("no story with id `{id}`"))),
    }
}

/// Values of a facet with their counts.
#[derive(Serialize)]
pub struct Values {
    values: Vec<FacetCount>,
}

async fn facet(state: Arc<AppState>, facet: Facet) -> Result<Json<Values>, WebError> {
    Ok(Json(Values { values: state.blocking(move |engine| engine.facet_values(facet)).await? }))
}

/// `GET /api/topics`.
pub async fn topics(State(state): State<Arc<AppState>>) -> Result<Json<Values>, WebError> {
    facet(state, Facet::Topics).await
}

/// `GET /api/sources`.
pub async fn sources(State(state): State<Arc<AppState>>) -> Result<Json<Values>, WebError> {
    facet(state, Facet::Sources).await
}

async fn trend(state: Arc<AppState>, of: TrendOf, value: String) -> Result<Json<Trend>, WebError> {
    let lookup = value.clone();
    match state.blocking(move |engine| engine.trend(of, &lookup)).await? {
        Some(trend) => Ok(Json(trend)),
        None => Err(WebError::not_found(
            Format::Json,
            format!("no item has the {} `{value}`", of.filter()),
        )),
    }
}

/// `GET /api/topics/{topic}`: one topic over time.
pub async fn topic(
    State(state): State<Arc<AppState>>,
    Path(topic): Path<String>,
) -> Result<Json<Trend>, WebError> {
    trend(state, TrendOf::Topic, topic).await
}

/// `GET /api/sources/{source}`: one source over time.
pub async fn source(
    State(state): State<Arc<AppState>>,
    Path(source): Path<String>,
) -> Result<Json<Trend>, WebError> {
    trend(state, TrendOf::Source, source).await
}

/// `GET /healthz`: 200 with counts when the index reads, 503 otherwise. Behind
/// `--auth-file`, a request without credentials is told the status only.
pub async fn health(
    State(state): State<Arc<AppState>>,
    anonymous: Option<Extension<Anonymous>>,
) -> Response {
    match state.blocking(|engine| engine.health()).await {
        Ok(_) if anonymous.is_some() => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Ok(health) => {
            let mut body = serde_json::json!({ "status": "ok", "entries": health.entries, "items": health.items, "segments": health.segments });
            // Serving, from an index that falls behind the archive.
            if let Some(failing) = state.catch_up.failing() {
                body["status"] = "degraded".into();
                body["reindex"] = failing.into();
            }
            Json(body).into_response()
        }
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
