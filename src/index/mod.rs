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
mod recorder;
mod schema;
mod sync;
mod verify;

use std::path::{Path, PathBuf};

use tantivy::Index;
use tantivy::directory::MmapDirectory;

pub use self::analysis::{
    KEYWORD_ANALYZER, TEXT_ANALYZER, WORDS_ANALYZER, analyze, query_analyzer, text_analyzer,
    words_analyzer,
};
pub use self::dates::{day_number, from_datetime, from_day_number, to_datetime};
pub use self::documents::EntryMeta;
pub use self::error::{IndexError, damaged, is_damage};
pub use self::schema::{Fields, Kind, SCHEMA_VERSION, field};
pub use self::sync::{
    Change, ChangeKind, OpenDirectory, ReindexOptions, ReindexSummary, Skipped, reindex, reindex_in,
};
pub use self::verify::{VerifyReport, verify};

/// The state recorded with each commit.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    taxonomy: u64,
}

fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// Whether an index was written by this version: same schema, same schema version.
fn compatible(index: &Index, schema: &tantivy::schema::Schema, payload: Option<&Payload>) -> bool {
    index.schema() == *schema && payload.is_some_and(|p| p.schema == SCHEMA_VERSION)
}

/// An index opened for reading.
pub struct IndexHandle {
    /// The Tantivy index, analyzers registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Where it lives.
    pub path: PathBuf,
}

/// Opens an existing index for reading. Fails with [`IndexError::Missing`] when none has
/// been built, and [`IndexError::Stale`] when it was built with another schema.
pub fn open(path: &Path) -> Result<IndexHandle, IndexError> {
    if !path.join("meta.json").exists() {
        return Err(IndexError::Missing(path.to_path_buf()));
    }
    let dir = MmapDirectory::open(path).map_err(|e| damaged(path, e.into()))?;
    let index = Index::open(dir).map_err(|e| damaged(path, e))?;
    let (schema, fields) = schema::schema();
    if !compatible(&index, &schema, payload(&index).as_ref()) {
        return Err(IndexError::Stale(path.to_path_buf()));
    }
    analysis::register_analyzers(&index);
    Ok(IndexHandle { index, fields, path: path.to_path_buf() })
}

/// Whether the index at `path` is missing, or out of step with the archive at `root`
/// (a dry run finds something to change).
pub fn needs_reindex(root: &Path, path: &Path) -> Result<bool, IndexError> {
    if open(path).is_err() {
        return Ok(true);
    }
    let summary =
        reindex(root, path, &ReindexOptions { dry_run: true, ..Default::default() }, &|_, _| {})?;
    Ok(summary.added + summary.updated + summary.removed > 0 || summary.full)
}
