//! Opening an index for reading, and what each commit records: the schema version
//! and the taxonomy's fingerprint, so an index of another version is told apart, and
//! the story settings that searches read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Index;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use super::schema::{self, Fields, SCHEMA_VERSION};

use super::{IndexError, analysis, damaged};
use crate::digest::meaning;
use crate::digest::taxonomy::StorySettings;

/// The state recorded with each commit.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Payload {
    pub(super) schema: u32,
    pub(super) taxonomy: u64,
    #[serde(default)]
    pub(super) stories: StorySettings,
    /// The model the items' vectors are of ([`meaning::MODEL_ID`]).
    #[serde(default)]
    pub(super) model: String,
}

impl Payload {
    /// Whether this version wrote it: its schema version, vectors of its model.
    fn is_current(&self) -> bool {
        self.schema == SCHEMA_VERSION && self.model == meaning::MODEL_ID
    }
}

pub(super) fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// The story settings the index was built with (`[stories]` of its taxonomy).
pub fn story_settings(index: &Index) -> StorySettings {
    payload(index).map(|p| p.stories).unwrap_or_default()
}

/// Whether an index was written by this version: same schema, same schema version, its
/// vectors of the same model.
pub(super) fn compatible(
    index: &Index,
    schema: &tantivy::schema::Schema,
    payload: Option<&Payload>,
) -> bool {
    index.schema() == *schema && payload.is_some_and(Payload::is_current)
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
    let index = open_in(path, &|path| Ok(Box::new(ReaderDirectory(MmapDirectory::open(path)?))))?
        .ok_or_else(|| IndexError::Missing(path.to_path_buf()))?;
    let (schema, fields) = schema::schema();
    let payload = payload(&index);
    if !compatible(&index, &schema, payload.as_ref()) {
        // This version always writes its own schema: meta.json that names this version
        // but holds another schema was not written so (it has no checksum to tell).
        if payload.as_ref().is_some_and(Payload::is_current) {
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

/// The index folder as a reader opens it. Tantivy holds a lock file while it loads a
/// commit (a writer's cleanup waits for it), which a folder the reader may not write
/// cannot hold: a replica's read-only mount, an index owned by another user. There
/// nothing this process does can race a cleanup, and it reads without the lock.
#[derive(Debug, Clone)]
struct ReaderDirectory(MmapDirectory);

impl Directory for ReaderDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if matches!(e.kind(), PermissionDenied | ReadOnlyFilesystem) =>
            {
                tracing::debug!(lock = %lock.filepath.display(), error = %e, "reading without the lock");
                Ok(DirectoryLock::from(Box::new(())))
            }
            held => held,
        }
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }
}
