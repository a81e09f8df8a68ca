//! An entry as the entry page and `/api/entries/{id}` show it: the view the index
//! holds, its Markdown rendered, its neighbours and related entries.

use serde::Serialize;

use super::render;
use crate::search::abandon::checkpoint;
use crate::search::highlight::query_terms;
use crate::search::{Engine, EntryLink, EntryView, SearchError};

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

/// The largest entry (its Markdown) a page or an API answer shows.
pub const MAX_SHOWN_BYTES: usize = 4_000_000;

/// Loads an entry, renders it and finds its neighbours; `None` when there is none, and
/// [`SearchError::TooLarge`] past [`MAX_SHOWN_BYTES`].
pub fn entry_document(
    engine: &Engine,
    id: &str,
    q: &str,
) -> Result<Option<EntryDocument>, SearchError> {
    let Some(entry) = engine.entry(id)? else { return Ok(None) };
    // Rendered, and held again as JSON or a page, an entry takes several times its size:
    // a few requests for a 31 MB digest took 2 GB.
    if entry.markdown.len() > MAX_SHOWN_BYTES {
        let (id, bytes) = (id.to_string(), entry.markdown.len());
        return Err(SearchError::TooLarge { id, bytes, limit: MAX_SHOWN_BYTES });
    }
    let html = render::render(&entry.markdown, &entry.items, &query_terms(q));
    checkpoint()?;
    let (previous, next) = engine.neighbours(&entry)?;
    let related = engine.related(&entry, 5)?;
    Ok(Some(EntryDocument { entry, html, previous, next, related }))
}
