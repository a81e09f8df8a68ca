//! The one error type at the search edge. Damage has one route: every way the index
//! can turn out unreadable (a file that fails its checksum, a read that fails while
//! searching, a panic on a flipped bit) ends as [`SearchError::Damaged`].

use super::query::QueryError;
use crate::index::{self, IndexError};

/// Errors at the search edge.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index cannot be opened as it is: none has been built yet, it was built by
    /// another version, or another error of the index's edge.
    #[error(transparent)]
    Index(IndexError),
    /// The query is past a limit.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A request parameter is out of range.
    #[error("`{param}`: {message}")]
    BadParameter {
        /// The parameter's name.
        param: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The index is damaged: a file failed its checksum, or reading it failed.
    #[error("{0}")]
    Damaged(String),
    /// Tantivy failed while searching.
    #[error("search failed: {0}")]
    Tantivy(tantivy::TantivyError),
    /// An entry too large for one answer to hold (its items are still searched).
    #[error(
        "the entry `{id}` is {:.1} MB of Markdown, more than the {} MB an entry's page or JSON holds; its items are found by search, and its file is in the archive",
        *bytes as f64 / 1e6,
        limit / 1_000_000
    )]
    TooLarge {
        /// The entry's id.
        id: String,
        /// Its Markdown's size.
        bytes: usize,
        /// The most an answer holds.
        limit: usize,
    },
    /// The request was abandoned before its work was done ([`super::abandon`]).
    #[error("the request was abandoned before its answer was ready")]
    Abandoned,
}

impl From<IndexError> for SearchError {
    /// A damaged index is [`SearchError::Damaged`], whichever edge found it.
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Damaged { .. } => SearchError::Damaged(e.to_string()),
            e => SearchError::Index(e),
        }
    }
}

impl From<tantivy::TantivyError> for SearchError {
    /// A file that cannot be read, or data that does not decode, is damage.
    fn from(e: tantivy::TantivyError) -> Self {
        // While searching, a failed read is damage too.
        match e {
            e if index::is_damage(&e) || matches!(e, tantivy::TantivyError::IoError(_)) => {
                SearchError::Damaged(format!(
                    "the index is damaged ({e}): run `archive reindex --full` to rebuild it"
                ))
            }
            e => SearchError::Tantivy(e),
        }
    }
}
