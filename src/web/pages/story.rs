//! A story's page (`/stories/{id}`): every mention of one thread, paper or post across
//! the digests, oldest first, with what they are about.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::render;
use crate::search::StoryView;
use crate::web::assets::{AssetUrls, urls};
use crate::web::error::{Format, WebError};
use crate::web::state::AppState;
use crate::web::urls::{entry_url, filter_url};

#[derive(Template)]
#[template(path = "story.html")]
pub struct StoryPage {
    pub assets: &'static AssetUrls,
    pub view: StoryView,
}

impl StoryPage {
    pub fn entry_url(&self, entry_id: &str, anchor: &str) -> String {
        entry_url(entry_id, "", anchor)
    }

    pub fn search(&self, field: &str, value: &str) -> String {
        filter_url(field, value)
    }

    /// The story's title: its first mention's.
    pub fn title(&self) -> &str {
        self.view.mentions.first().map_or("A story", |m| m.hit.title.as_str())
    }

    /// The date (or "undated") of the mention that mention `i` says again.
    pub fn said_on(&self, i: &usize) -> &str {
        let earlier = self.view.mentions.get(*i).and_then(|m| m.hit.date.as_deref());
        earlier.unwrap_or("an undated digest")
    }
}

/// `GET /stories/{id}`.
pub async fn story(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let lookup = id.clone();
    match state.blocking(move |engine| engine.story(&lookup)).await.map_err(WebError::page)? {
        Some(view) => render(StoryPage { assets: urls(), view }),
        None => {
            Err(WebError::not_found(Format::Html, format!("There is no story with the id `{id}`.")))
        }
    }
}
