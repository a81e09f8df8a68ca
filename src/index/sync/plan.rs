//! What a run must do: the files to read and the entries whose files are gone.

use std::collections::{HashMap, HashSet};

use super::records::FileRecord;
use super::report::ReindexSummary;
use super::stat_cache::StatCache;
use crate::digest::{self, SourceFile};

/// A file that must be read: new, or moved since the last reindex.
pub(super) struct Work<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) before: Option<FileRecord>,
}

/// The files to read (new, or moved since they were indexed) and the entries whose
/// files are gone; files that did not move count as unchanged, and so do entries of a
/// folder the walk could not read.
/// `reread_all` puts every file in the work.
pub(super) fn plan<'a>(
    walk: &'a digest::Walk,
    records: &HashMap<String, FileRecord>,
    cache: &StatCache,
    reread_all: bool,
    summary: &mut ReindexSummary,
) -> (Vec<Work<'a>>, Vec<String>) {
    let present: HashSet<&str> = walk.files.iter().map(|f| f.id.as_str()).collect();
    let mut removed = vec![];
    for id in records.keys().filter(|id| !present.contains(id.as_str())) {
        match walk.keeps(id) {
            true => summary.unchanged += 1,
            false => removed.push(id.clone()),
        }
    }
    removed.sort_unstable();
    let mut work = vec![];
    for file in &walk.files {
        let before = records.get(&file.id).copied();
        let seen = |r: &FileRecord| r.size == file.size && r.mtime == file.mtime;
        let cached =
            |b: &FileRecord| cache.get(&file.id).is_some_and(|s| seen(s) && s.hash == b.hash);
        match before {
            Some(b) if !reread_all && (seen(&b) || cached(&b)) => summary.unchanged += 1,
            _ => work.push(Work { file, before }),
        }
    }
    (work, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, size: u64, mtime: i64) -> SourceFile {
        let rel = format!("{id}.md");
        SourceFile { id: id.into(), path: rel.clone().into(), rel, size, mtime }
    }

    fn record(hash: u64, size: u64, mtime: i64) -> FileRecord {
        FileRecord { hash, size, mtime }
    }

    /// The ids to read, the ids removed, and the count of unchanged entries.
    fn planned(
        walk: &digest::Walk,
        records: &[(&str, FileRecord)],
        cache: &StatCache,
        reread_all: bool,
    ) -> (Vec<String>, Vec<String>, usize) {
        let records = records.iter().map(|(id, r)| (id.to_string(), *r)).collect();
        let mut summary = ReindexSummary::default();
        let (work, removed) = plan(walk, &records, cache, reread_all, &mut summary);
        (work.iter().map(|w| w.file.id.clone()).collect(), removed, summary.unchanged)
    }

    #[test]
    fn only_new_and_moved_files_are_read_and_only_vanished_ones_removed() {
        let walk = digest::Walk {
            files: vec![file("a", 10, 1), file("b", 20, 2), file("new", 5, 5)],
            ..Default::default()
        };
        let records = [("a", record(1, 10, 1)), ("b", record(2, 20, 1)), ("gone", record(3, 1, 1))];
        let none = StatCache::default();
        assert_eq!(
            planned(&walk, &records, &none, false),
            (vec!["b".into(), "new".into()], vec!["gone".into()], 1)
        );
        // Every file with --full or a new taxonomy; the vanished one still goes.
        assert_eq!(planned(&walk, &records, &none, true).0, ["a", "b", "new"]);
        // A file hashed last time and found unchanged although its mtime moved is trusted.
        let mut cache = StatCache::default();
        cache.insert(&file("b", 20, 2), 2);
        assert_eq!(
            planned(&walk, &records, &cache, false),
            (vec!["new".into()], vec!["gone".into()], 2)
        );
        // ... unless its content changed since (the cached hash is not the recorded one).
        cache.insert(&file("b", 20, 2), 99);
        assert_eq!(planned(&walk, &records, &cache, false).0, ["b", "new"]);
    }

    #[test]
    fn entries_of_an_unreadable_folder_or_file_are_kept() {
        let walk = digest::Walk {
            files: vec![file("a", 10, 1)],
            unreadable: vec!["notes".into(), "solo.md".into()],
            ..Default::default()
        };
        let r = record(1, 1, 1);
        let records =
            [("a", record(1, 10, 1)), ("notes/x", r), ("notes/y/z", r), ("notesx", r), ("solo", r)];
        let (_, removed, unchanged) = planned(&walk, &records, &StatCache::default(), false);
        assert_eq!((removed, unchanged), (vec!["notesx".to_string()], 4));
        // An error that named no path keeps everything.
        let walk = digest::Walk { unreadable: vec![String::new()], ..Default::default() };
        assert_eq!(planned(&walk, &records, &StatCache::default(), false).1, Vec::<String>::new());
    }
}
