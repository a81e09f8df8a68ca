//! Queries -> hits. [`Engine::search`] takes a [`SearchRequest`] (the query language plus
//! structured filters) and returns [`SearchResults`]: the page of hits with snippets, the
//! total, and facet counts over every match.
//!
//! The pipeline, one stage per file: [`query`] parses the text into a tree of clauses
//! (`query/lexer`, `query/parser`, `query/dates`) and `query/compile` turns it into a
//! Tantivy query over the index's fields, with `query/speller`'s corrections for words in
//! no item; `queries/` holds Tantivy query types of our own (`phrase`, ranked without
//! reading every candidate's positions; `plus`, a word's score plus a constant;
//! `gathered`, a date range read once per segment). `collect` counts its matches
//! (`count`: the total, facets, months and entries through the `collectors`, estimated
//! past a limit), ranks the page (`rank`, pruning where the order allows) and relaxes the
//! query when fewer items than a page have every word, the digests that have every word
//! across their items (`spread`) first; `snippets` loads each hit and marks its
//! text; `stories` reads a page's stories; `explain` says what emptied a query that found
//! nothing. `engine` strings them together over the per-commit `facts`; `lookups/`
//! answers the lookups around one entry, a story and a trend. Work for a request the
//! server gave up on stops at the next step (`abandon`).

pub mod abandon;
mod collect;
mod collectors;
mod count;
mod engine;
mod error;
mod explain;
mod facts;
pub mod highlight;
mod lookups;
mod meaning;
mod names;
mod queries;
pub mod query;
mod rank;
mod request;
mod results;
mod snippets;
mod spread;
mod stored;
mod stories;

pub use self::engine::Engine;
pub use self::error::SearchError;
pub use self::highlight::escape_html;
pub use self::lookups::every_month;
pub use self::lookups::{Facet, RelatedBy};
pub use self::query::QueryError;
pub use self::request::{COUNT_LIMIT, Group, MAX_PAGE, MAX_PER_PAGE, Mode, SearchRequest, Sort};
pub use self::results::{
    ClauseCount, EntryGroup, EntryLink, EntryView, FacetCount, Facets, Health, Hit,
    ITEMS_PER_GROUP, ItemView, Matched, Mention, SearchResults, Story, StoryKind, StoryLine,
    StoryView, Suggestion, Trend, TrendOf,
};
