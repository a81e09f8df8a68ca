//! The topic and source lists (`/topics`, `/sources`): every value with its count.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::render;
use super::search::FacetLink;
use crate::search::Facet;
use crate::web::assets::{AssetUrls, urls};
use crate::web::error::WebError;
use crate::web::state::AppState;
use crate::web::urls::filter_url;

#[derive(Template)]
#[template(path = "facets.html")]
pub struct FacetsPage {
    pub assets: &'static AssetUrls,
    pub title: &'static str,
    pub values: Vec<FacetLink>,
}

async fn facet_page(
    state: Arc<AppState>,
    facet: Facet,
    title: &'static str,
    field: &str,
) -> Result<Response, WebError> {
    let values =
        state.blocking(move |engine| engine.facet_values(facet)).await.map_err(WebError::page)?;
    let values = values
        .into_iter()
        .map(|v| FacetLink { url: filter_url(field, &v.value), value: v.value, count: v.count })
        .collect();
    render(FacetsPage { assets: urls(), title, values })
}

/// `GET /topics`.
pub async fn topics(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Topics, "Topics", "topic").await
}

/// `GET /sources`.
pub async fn sources(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Sources, "Sources", "source").await
}
