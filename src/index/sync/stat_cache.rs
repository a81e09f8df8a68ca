//! The stat cache: files that only moved since they were indexed.

use std::collections::HashMap;
use std::path::Path;

use super::records::FileRecord;
use super::report::ReindexSummary;
use super::state::IndexIo;
use crate::digest::SourceFile;
use crate::index::folder::CACHE_FILE;

/// Files whose content was hashed and found to be what the index holds although their
/// size or mtime moved since they were indexed (a `cp -r`, a `touch`, a checkout): their
/// new size and mtime, so the next run trusts them without reading them, and no document
/// is rewritten to record them. Kept in a file of the index folder, written after each
/// commit. A cache: lost or stale, it costs a hash, never a wrong answer, since it is
/// trusted only where its hash is the one the documents hold.
#[derive(Debug, Default)]
pub(super) struct StatCache {
    pub(super) files: HashMap<String, FileRecord>,
    pub(super) changed: bool,
}

impl StatCache {
    /// The cache of an index folder, empty when it is missing or unreadable. Read and
    /// written beside Tantivy's files, not through its managed directory: Tantivy's
    /// garbage collection would take it for one of its own.
    pub(super) fn load(io: &IndexIo) -> StatCache {
        let Ok(bytes) = io
            .open(io.path)
            .map_err(drop)
            .and_then(|dir| dir.atomic_read(Path::new(CACHE_FILE)).map_err(drop))
        else {
            return StatCache::default();
        };
        let text = String::from_utf8_lossy(&bytes);
        let files = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.rsplitn(4, '\t');
                let mtime = parts.next()?.parse().ok()?;
                let size = parts.next()?.parse().ok()?;
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                Some((parts.next()?.to_string(), FileRecord { hash, size, mtime }))
            })
            .collect();
        StatCache { files, changed: false }
    }

    pub(super) fn get(&self, id: &str) -> Option<&FileRecord> {
        self.files.get(id)
    }

    pub(super) fn insert(&mut self, file: &SourceFile, hash: u64) {
        let stat = FileRecord { hash, size: file.size, mtime: file.mtime };
        let old = self.files.insert(file.id.clone(), stat);
        self.changed |=
            old.is_none_or(|o| (o.hash, o.size, o.mtime) != (hash, file.size, file.mtime));
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.changed |= self.files.remove(id).is_some();
    }

    /// Writes the cache (atomically) when it changed, keeping only entries that still
    /// describe a file of the index. A failure is a note, not an error: the commit
    /// stands, and the next run hashes those files again.
    pub(super) fn save(
        &self,
        io: &IndexIo,
        records: &HashMap<String, FileRecord>,
        summary: &mut ReindexSummary,
    ) {
        if !self.changed {
            return;
        }
        let mut out = String::new();
        for (id, stat) in &self.files {
            if records.get(id).is_some_and(|r| r.hash == stat.hash) {
                out.push_str(&format!("{id}\t{:x}\t{}\t{}\n", stat.hash, stat.size, stat.mtime));
            }
        }
        let written = io
            .open(io.path)
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|dir| dir.atomic_write(Path::new(CACHE_FILE), out.as_bytes()));
        if let Err(e) = written {
            summary.notes.push(format!(
                "could not record the files that only moved ({e}): the next reindex hashes them again"
            ));
        }
    }
}
