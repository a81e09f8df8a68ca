//! A topic's or a source's page (`/topics/{topic}`, `/sources/{source}`): its items
//! per month as a chart, its first and busiest months, what it comes with, the
//! stories that ran longest in it, and its newest items.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::render;
use crate::search::{Trend, TrendOf};
use crate::web::assets::{AssetUrls, urls};
use crate::web::chart::Chart;
use crate::web::error::{Format, WebError};
use crate::web::state::AppState;
use crate::web::urls::{entry_url, filter, search_url, trend_url};

#[derive(Template)]
#[template(path = "trend.html")]
pub struct TrendPage {
    pub assets: &'static AssetUrls,
    pub trend: Trend,
    pub chart: Option<Chart>,
    /// "Topic" or "Source".
    pub kind: &'static str,
    /// The search for its items.
    pub search: String,
}

impl TrendPage {
    pub fn entry_url(&self, entry_id: &str, anchor: &str) -> String {
        entry_url(entry_id, "", anchor)
    }

    pub fn topic_url(&self, topic: &str) -> String {
        trend_url(TrendOf::Topic, topic)
    }

    pub fn source_url(&self, source: &str) -> String {
        trend_url(TrendOf::Source, source)
    }

    /// Its items in one month.
    pub fn month_url(&self, month: &str) -> String {
        let q = format!(
            "{} {}",
            filter(self.trend.of.filter(), &self.trend.value),
            filter("date", month)
        );
        search_url(&q, None, 1)
    }

    /// "about " when the counts are estimates.
    pub fn about(&self) -> &'static str {
        if self.trend.total_is_estimate { "about " } else { "" }
    }
}

async fn trend_page(
    state: Arc<AppState>,
    of: TrendOf,
    value: String,
) -> Result<Response, WebError> {
    let lookup = value.clone();
    let found =
        state.blocking(move |engine| engine.trend(of, &lookup)).await.map_err(WebError::page)?;
    let (kind, plural) = match of {
        TrendOf::Topic => ("Topic", "topic"),
        TrendOf::Source => ("Source", "source"),
    };
    let Some(trend) = found else {
        return Err(WebError::not_found(
            Format::Html,
            format!("No item has the {plural} `{value}`."),
        ));
    };
    let mut page = TrendPage {
        assets: urls(),
        search: search_url(&filter(of.filter(), &trend.value), None, 1),
        chart: None,
        kind,
        trend,
    };
    page.chart = Chart::months("items", &page.trend.months, |month| page.month_url(month));
    render(page)
}

/// `GET /topics/{topic}`.
pub async fn topic(
    State(state): State<Arc<AppState>>,
    Path(topic): Path<String>,
) -> Result<Response, WebError> {
    trend_page(state, TrendOf::Topic, topic).await
}

/// `GET /sources/{source}`.
pub async fn source(
    State(state): State<Arc<AppState>>,
    Path(source): Path<String>,
) -> Result<Response, WebError> {
    trend_page(state, TrendOf::Source, source).await
}
