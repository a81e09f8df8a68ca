//! The one writer of an index, sized for the machine, and the wait for another run's.

use std::path::Path;
use std::time::Instant;

use tantivy::directory::error::LockError;
use tantivy::{Index, IndexWriter, TantivyDocument, TantivyError};

use super::commit::DELETED_RATIO_BEFORE_MERGE;
use crate::index::IndexError;

/// How long a reindex waits for another one to release the index.
pub(super) const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Indexing threads: one per core, up to four.
pub fn indexing_threads() -> usize {
    crate::cores().clamp(1, 4)
}

/// Indexing memory per thread: 400 MB (a 100k-digest archive then makes one segment per
/// thread instead of merging ten), or a sixteenth of the machine's memory when that is
/// less. Memory is taken as documents arrive: a small reindex uses little of it.
pub fn heap_per_thread() -> usize {
    const MOST: usize = 400_000_000;
    const LEAST: usize = 50_000_000;
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
        let kb = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
        kb.trim().trim_end_matches("kB").trim().parse::<usize>().ok().map(|kb| kb * 1024)
    });
    total.map_or(MOST, |bytes| (bytes / 16).clamp(LEAST, MOST))
}

/// A writer sized for the machine; a second writer fails with [`IndexError::Busy`].
pub(super) fn open(index: &Index, path: &Path) -> Result<IndexWriter<TantivyDocument>, IndexError> {
    let threads = indexing_threads();
    let started = Instant::now();
    loop {
        match index.writer_with_num_threads(threads, threads * heap_per_thread()) {
            Ok(writer) => {
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_del_docs_ratio_before_merge(DELETED_RATIO_BEFORE_MERGE);
                writer.set_merge_policy(Box::new(policy));
                // A failed run may have left files no commit refers to; the next run can
                // reuse their names (a deletion file is named by segment and opstamp).
                if let Err(e) = writer.garbage_collect_files().wait() {
                    tracing::warn!(error = %e, "could not remove files left by an earlier run");
                }
                return Ok(writer);
            }
            // Another reindex (another shell, or a server catching up) holds the lock:
            // wait a little for it, then give up with a clear message.
            Err(TantivyError::LockFailure(LockError::LockBusy, _))
                if started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(IndexError::Busy(path.to_path_buf()));
            }
            // Opening writes nothing but its lock: any other failure is in reading.
            Err(source) => return Err(crate::index::error::read_failed(path, source)),
        }
    }
}
