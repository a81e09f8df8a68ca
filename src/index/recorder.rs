//! A pass-through Tantivy `Directory` that remembers the first write, sync or delete
//! that failed. Tantivy's indexing threads report such a failure only as "an index
//! writer was killed"; with this, `reindex` names the file and the cause (a full disk,
//! an I/O error) instead.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// The first failure seen: its kind and a message naming the operation and the file.
pub type FirstFailure = Arc<Mutex<Option<io::Error>>>;

/// Held by every copy of a writer's directory: Tantivy copies it into each thread of
/// the writer, so the count of its holders falls back to one once they have all ended.
pub type Holders = Arc<()>;

#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Box<dyn Directory>,
    first: FirstFailure,
    _held: Option<Holders>,
}

impl Recorder {
    /// Wraps `inner`; the first failure lands in `first`, and each copy holds `held`.
    pub fn new(inner: Box<dyn Directory>, first: FirstFailure, held: Option<Holders>) -> Recorder {
        Recorder { inner, first, _held: held }
    }
}

fn record(first: &FirstFailure, what: &str, path: &Path, e: &io::Error) {
    let mut slot = first.lock().unwrap_or_else(|p| p.into_inner());
    if slot.is_none() {
        *slot = Some(io::Error::new(e.kind(), format!("{what} {}: {e}", path.display())));
    }
}

fn note<T>(first: &FirstFailure, what: &str, path: &Path, result: io::Result<T>) -> io::Result<T> {
    if let Err(e) = &result {
        record(first, what, path, e);
    }
    result
}

struct RecordingWrite {
    inner: WritePtr,
    first: FirstFailure,
    path: PathBuf,
}

impl Write for RecordingWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        note(&self.first, "writing", &self.path, result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        note(&self.first, "writing", &self.path, result)
    }
}

impl TerminatingWrite for RecordingWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        let result = self.inner.terminate_ref(token);
        note(&self.first, "syncing", &self.path, result)
    }
}

impl Directory for Recorder {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        let result = self.inner.delete(path);
        if let Err(DeleteError::IoError { io_error, .. }) = &result {
            record(&self.first, "deleting", path, io_error);
        }
        result
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let result = self.inner.open_write(path);
        if let Err(OpenWriteError::IoError { io_error, .. }) = &result {
            record(&self.first, "creating", path, io_error);
        }
        let inner = result?;
        let write =
            RecordingWrite { inner, first: Arc::clone(&self.first), path: path.to_path_buf() };
        Ok(io::BufWriter::new(Box::new(write)))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let result = self.inner.atomic_write(path, data);
        note(&self.first, "writing", path, result)
    }

    fn sync_directory(&self) -> io::Result<()> {
        let result = self.inner.sync_directory();
        note(&self.first, "syncing", Path::new("the folder"), result)
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
