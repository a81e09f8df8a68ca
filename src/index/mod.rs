//! Entries -> the Tantivy index in `index/`, kept in step with the archive.
//!
//! `schema` names the fields and kinds of document, `analysis` how text becomes
//! terms, `documents` how an [`Entry`](crate::digest::Entry) becomes documents, and
//! `sync` brings the index in step with the archive: [`reindex`] is incremental (the
//! walk compares each file's size and mtime with what the index recorded, reads and
//! hashes only files that moved, parses only files whose content changed, and removes
//! entries whose files vanished), and all changes land in one commit, so a reader sees
//! the old state or the new one, and a kill leaves the last commit in place. [`open`]
//! gives read-only access for searching; `verify` checks every file's checksum.

mod analysis;
mod dates;
mod documents;
mod error;
mod folder;
#[cfg(test)]
mod in_ram;
mod open;
mod recorder;
mod schema;
mod sync;
mod verify;

pub use self::analysis::{
    KEYWORD_ANALYZER, TEXT_ANALYZER, WORDS_ANALYZER, analyze, language_analyzer,
    language_query_analyzer, query_analyzer, text_analyzer, tokens, words_analyzer,
};
pub use self::dates::{day_number, from_datetime, from_day_number, to_datetime};
pub use self::documents::EntryMeta;
pub use self::error::{IndexError, damaged, is_damage};
#[cfg(test)]
pub use self::in_ram::in_ram;
pub use self::open::{IndexHandle, OpenDirectory, open, story_settings};
pub use self::schema::{Counted, Fields, Kind, SCHEMA_VERSION, SOURCE_NAME_SEPARATOR, field};
pub use self::sync::{
    Change, ChangeKind, ReindexOptions, ReindexSummary, Skipped, heap_per_thread, indexing_threads,
    needs_reindex, reindex, reindex_in,
};
pub use self::verify::{VerifyReport, verify, verify_stores};
