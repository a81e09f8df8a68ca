//! Opening an index for reading, and what each commit records: the schema version
//! and the taxonomy's fingerprint, so an index of another version is told apart, and
//! the story settings that searches read.

use std::path::{Path, PathBuf};

use tantivy::Index;
use tantivy::directory::{Directory, MmapDirectory};

use super::schema::{self, Fields, SCHEMA_VERSION};

use super::{IndexError, analysis, damaged};
use crate::digest::taxonomy::StorySettings;

/// The state recorded with each commit.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Payload {
    pub(super) schema: u32,
    pub(super) taxonomy: u64,
    #[serde(default)]
    pub(super) stories: StorySettings,
}

pub(super) fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// The story settings the index was built with (`[stories]` of its taxonomy).
pub fn story_settings(index: &Index) -> StorySettings {
    payload(index).map(|p| p.stories).unwrap_or_default()
}

/// Whether an index was written by this version: same schema, same schema version.
pub(super) fn compatible(
    index: &Index,
    schema: &tantivy::schema::Schema,
    payload: Option<&Payload>,
) -> bool {
    index.schema() == *schema && payload.is_some_and(|p| p.schema == SCHEMA_VERSION)
}

/// Opens the Tantivy directory of an index folder (the tests wrap the real one to fail
/// writes, syncs and deletes).
pub type OpenDirectory<'a> =
    dyn Fn(&Path) -> Result<Box<dyn Directory>, tantivy::directory::error::OpenDirectoryError> + 'a;

/// The index at `path` through the directory that `directory` opens, if one has been
/// built: the one way both searches and reindexes open an index.
pub(super) fn open_in(
    path: &Path,
    directory: &OpenDirectory<'_>,
) -> Result<Option<Index>, IndexError> {
    if !path.join("meta.json").exists() {
        return Ok(None);
    }
    let dir = directory(path).map_err(|e| damaged(path, e.into()))?;
    Ok(Some(Index::open(dir).map_err(|e| damaged(path, e))?))
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
    let index = open_in(path, &|path| Ok(Box::new(MmapDirectory::open(path)?)))?
        .ok_or_else(|| IndexError::Missing(path.to_path_buf()))?;
    let (schema, fields) = schema::schema();
    let payload = payload(&index);
    if !compatible(&index, &schema, payload.as_ref()) {
        // This version always writes its own schema: meta.json that names this version
        // but holds another schema was not written so (it has no checksum to tell).
        if payload.is_some_and(|p| p.schema == SCHEMA_VERSION) {
            return Err(IndexError::Damaged {
                path: path.to_path_buf(),
                cause: "meta.json holds a schema this version never writes".into(),
            });
        }
        return Err(IndexError::Stale(path.to_path_buf()));
    }
    analysis::register_analyzers(&index);
    Ok(IndexHandle { index, fields, path: path.to_path_buf() })
}
