//! The index folder as a place on disk: where it may be, and which of its files are
//! ours. A reindex writes only into a folder that is new, empty (but for dot-files such
//! as `.gitignore`) or already an index, and it removes only files it recognises as an
//! index's own: a folder named by mistake (`--index ~/Documents`, `--index archive`)
//! is refused before anything is read, and no file of the user's is ever deleted.

use std::fs::{File, TryLockError};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use super::IndexError;

/// The file that marks a folder as an index written by `archive`.
pub(super) const MARKER: &str = ".archive-index";

/// The file of the stat cache (see `sync::stat_cache`).
pub(super) const CACHE_FILE: &str = "archive-stats.tsv";

/// The archive's git history kept between runs (see `sync::history`).
pub(super) const HISTORY_FILE: &str = "archive-git.tsv";

/// The file a reindex holds locked for its whole run (see [`lock_for_run`]).
const RUN_LOCK: &str = ".archive-reindex.lock";

/// What the marker says to whoever opens it.
const MARKER_TEXT: &str = "This folder is a search index written by `archive reindex`.\n\
It is generated: `archive reindex` rebuilds it, and deleting the folder loses nothing.\n";

/// Refuses an index folder that is the archive, lies inside it or holds it, and a folder
/// that holds files but is not an index (nothing in it would be safe to replace).
pub(super) fn check(archive: &Path, index: &Path) -> Result<(), IndexError> {
    let (a, i) = (resolved(archive), resolved(index));
    if a == i || i.starts_with(&a) || a.starts_with(&i) {
        return Err(IndexError::Overlap {
            archive: archive.to_path_buf(),
            index: index.to_path_buf(),
        });
    }
    ours_or_empty(index)
}

/// Refuses a folder that is not an index and holds files other than dot-files.
fn ours_or_empty(path: &Path) -> Result<(), IndexError> {
    if is_index(path) {
        return Ok(());
    }
    let foreign = foreign_files(path).map_err(|e| io(path, e))?;
    match foreign.is_empty() {
        true => Ok(()),
        false => Err(IndexError::NotAnIndex { path: path.to_path_buf(), found: foreign }),
    }
}

/// Holds the index folder for one reindex, from before it reads the index to after it
/// commits: a second run waits up to `wait` for the first, then fails with
/// [`IndexError::Busy`], before it has removed or written anything (Tantivy's own writer
/// lock is taken only once a run writes, after it may have made a new index in the
/// folder). The folder is created if need be; the lock goes with the returned file.
pub(super) fn lock_for_run(path: &Path, wait: Duration) -> Result<File, IndexError> {
    std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
    let lock = path.join(RUN_LOCK);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|e| io(&lock, e))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::WouldBlock) => return Err(IndexError::Busy(path.to_path_buf())),
            Err(TryLockError::Error(e)) => return Err(io(&lock, e)),
        }
    }
}

/// Makes `path` ready for a new index: creates it, removes the files of an index of
/// another version (only names an index writes; anything else stays), and marks it ours.
pub(super) fn prepare(path: &Path) -> Result<(), IndexError> {
    std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
    // Checked again here: the folder may have changed since the run began.
    ours_or_empty(path)?;
    for entry in std::fs::read_dir(path).map_err(|e| io(path, e))? {
        let entry = entry.map_err(|e| io(path, e))?;
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(is_index_file);
        if ours && entry.file_type().map_err(|e| io(path, e))?.is_file() {
            std::fs::remove_file(entry.path()).map_err(|e| io(path, e))?;
        }
    }
    std::fs::write(path.join(MARKER), MARKER_TEXT).map_err(|e| io(path, e))
}

/// Whether the folder holds an index: our marker, or (for indexes written before the
/// marker) Tantivy's `meta.json`.
fn is_index(path: &Path) -> bool {
    path.join(MARKER).is_file() || is_tantivy_meta(&path.join("meta.json"))
}

/// Whether a file is Tantivy's `meta.json`: a JSON object with its three keys.
fn is_tantivy_meta(path: &Path) -> bool {
    let Ok(text) = std::fs::read(path) else { return false };
    let Ok(serde_json::Value::Object(meta)) = serde_json::from_slice(&text) else { return false };
    ["index_settings", "segments", "schema"].iter().all(|k| meta.contains_key(*k))
}

/// Names of a file an index writes: Tantivy's metadata and segment files (a 32-digit
/// hex segment id, a dot and an extension), the stat cache and the git history.
fn is_index_file(name: &str) -> bool {
    if matches!(name, "meta.json" | ".managed.json" | CACHE_FILE | HISTORY_FILE) {
        return true;
    }
    let (id, ext) = name.split_once('.').unwrap_or((name, ""));
    id.len() == 32 && !ext.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The entries of a folder that are neither dot-files nor named as an index's files,
/// sorted (at most five, for a message); none when the folder does not exist.
fn foreign_files(path: &Path) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let mut names = vec![];
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && !is_index_file(&name) {
            names.push(name);
        }
    }
    names.sort_unstable();
    names.truncate(5);
    Ok(names)
}

/// `path` made absolute, with the links of the part that exists resolved, and `.` and
/// `..` of the rest applied: two paths to one folder compare equal although the index
/// folder may not exist yet.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = vec![];
    let base = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break existing.to_path_buf(),
        }
    };
    let mut out = base;
    for name in rest.iter().rev() {
        match Path::new(name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(_) => out.push(name),
        }
    }
    out
}

fn io(path: &Path, source: std::io::Error) -> IndexError {
    IndexError::Io { path: path.to_path_buf(), source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_are_told_from_others() {
        for ours in ["meta.json", ".managed.json", "archive-stats.tsv"] {
            assert!(is_index_file(ours), "{ours}");
        }
        assert!(is_index_file("0123456789abcdef0123456789abcdef.idx"));
        assert!(is_index_file("0123456789abcdef0123456789abcdef.12.del"));
        for theirs in ["thesis.docx", ".gitignore", "0123456789abcdef0123456789abcdef", "a.md"] {
            assert!(!is_index_file(theirs), "{theirs}");
        }
    }

    #[test]
    fn overlap_is_seen_through_dots_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        std::fs::create_dir(&archive).unwrap();
        std::os::unix::fs::symlink(&archive, dir.path().join("link")).unwrap();
        for index in ["archive", "archive/idx", "link/new/idx", "archive/../archive/./x", "."] {
            let err = check(&archive, &dir.path().join(index)).unwrap_err();
            assert!(matches!(err, IndexError::Overlap { .. }), "{index}: {err}");
        }
        for index in ["index", "archive2", "archive/../index"] {
            check(&archive, &dir.path().join(index)).unwrap();
        }
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        let index = dir.path().join("v");
        std::fs::create_dir_all(&index).unwrap();
        std::fs::write(index.join(".gitignore"), "*\n").unwrap();
        check(&archive, &index).unwrap();
        std::fs::write(index.join("thesis.docx"), "important").unwrap();
        let err = check(&archive, &index).unwrap_err().to_string();
        assert!(err.contains("thesis.docx") && err.contains("not an archive index"), "{err}");
        assert!(prepare(&index).is_err());
        assert_eq!(std::fs::read_to_string(index.join("thesis.docx")).unwrap(), "important");
        // Marked as ours, an index folder is cleared of index files only.
        std::fs::write(index.join(MARKER), "").unwrap();
        std::fs::write(index.join("meta.json"), "{}").unwrap();
        prepare(&index).unwrap();
        assert!(!index.join("meta.json").exists());
        assert!(index.join("thesis.docx").exists() && index.join(".gitignore").exists());
    }
}
