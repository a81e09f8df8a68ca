//! The topic and source lists (`/topics`, `/sources`): every value with its count,
//! linking to its trend page and to its search.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::render;
use crate::search::{Facet, TrendOf};
use crate::web::assets::{AssetUrls, urls};
use crate::web::error::WebError;
use crate::web::state::AppState;
use crate::web::urls::{filter_url, trend_url};

/// One value: its page and its search.
pub struct Listed {
    pub value: String,
    pub count: u64,
    pub page: String,
    pub search: String,
}

#[derive(Template)]
#[template(path = "facets.html")]
pub struct FacetsPage {
    pub assets: &'static AssetUrls,
    pub title: &'static str,
    pub values: Vec<Listed>,
}

async fn facet_page(
    state: Arc<AppState>,
    facet: Facet,
    title: &'static str,
    of: TrendOf,
) -> Result<Response, WebError> {
    let values =
        state.blocking(move |engine| engine.facet_values(facet)).await.map_err(WebError::page)?;
    let values = values
        .into_iter()
        .map(|v| Listed {
            page: trend_url(of, &v.value),
            search: filter_url(of.filter(), &v.value),
            value: v.value,
            count: v.count,
        })
        .collect();
    render(FacetsPage { assets: urls(), title, values })
}

/// `GET /topics`.
pub async fn topics(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Topics, "Topics", TrendOf::Topic).await
}

/// `GET /sources`.
pub async fn sources(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Sources, "Sources", TrendOf::Source).await
}
