//! Queries -> hits. [`Engine::search`] takes a [`SearchRequest`] (the query language plus
//! structured filters) and returns [`SearchResults`]: the page of hits with snippets, the
//! total, and facet counts over every match.
//!
//! The pipeline, one stage per file: [`query`] parses the text into a tree of clauses;
//! `compile` turns it into a Tantivy query over the index's fields, with `speller`'s
//! corrections for words in no item (and queries of our own: `phrase`, ranked without
//! reading every candidate's positions; `plus`, a word's score plus a constant; and
//! `gathered`, a date range read once per segment); `collect` counts its matches
//! (`count`: the total, facets, months and entries through the `collectors`, estimated
//! past a limit), ranks the page (`rank`, pruning where the order allows) and relaxes the
//! query when too few items have every word; `snippets` loads each hit and marks its
//! text; `explain` says what emptied a query that found nothing. `engine` strings them
//! together; `entries` answers the lookups around one entry.

mod collect;
mod collectors;
mod compile;
mod count;
mod engine;
mod entries;
mod error;
mod explain;
mod gathered;
pub mod highlight;
mod names;
mod phrase;
mod plus;
pub mod query;
mod rank;
mod request;
mod results;
mod snippets;
mod speller;
mod stored;
mod stories;
mod trends;

pub use self::engine::Engine;
pub use self::entries::Facet;
pub use self::error::SearchError;
pub use self::highlight::escape_html;
pub use self::query::QueryError;
pub use self::request::{COUNT_LIMIT, Group, MAX_PAGE, MAX_PER_PAGE, SearchRequest, Sort};
pub use self::results::{
    ClauseCount, EntryGroup, EntryLink, EntryView, FacetCount, Facets, Health, Hit,
    ITEMS_PER_GROUP, ItemView, SearchResults, Story, StoryKind, StoryLine, StoryView, Suggestion,
    Trend, TrendOf,
};
pub use self::trends::every_month;
