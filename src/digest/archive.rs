//! Walking an archive (which files are digests, and what their ids are) and reading
//! its files in parallel: the loader that `reindex` and `check` share.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::UNIX_EPOCH;

use ignore::{WalkBuilder, WalkState};

use super::{Entry, MAX_FILE_BYTES, ParseError, Taxonomy};

/// Extensions of digest files.
const EXTENSIONS: &[&str] = &["md", "markdown", "txt"];

/// A digest file found by the walk, before it is read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path below the root without extension, `/`-separated: the entry's id.
    pub id: String,
    /// Path below the root, as found (for messages).
    pub rel: String,
    /// Full path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: i64,
}

/// What a walk found: digest files, and files it had to pass over with the reason.
#[derive(Debug, Default)]
pub struct Walk {
    /// Digest files, sorted by path.
    pub files: Vec<SourceFile>,
    /// `(path, reason)` for files that cannot be entries.
    pub problems: Vec<(String, String)>,
    /// Paths below the root (folders or files) that could not be read: what they held
    /// is unknown, so the entries indexed from them stay. `""` is the whole archive.
    pub unreadable: Vec<String>,
}

impl Walk {
    /// Whether the entry `id` may lie in a part of the archive that could not be read
    /// (and so must not be taken for removed).
    pub fn keeps(&self, id: &str) -> bool {
        self.unreadable.iter().any(|path| {
            path.is_empty()
                || id.strip_prefix(path.as_str()).is_some_and(|rest| rest.starts_with('/'))
                || path.rsplit_once('.').is_some_and(|(stem, _)| stem == id)
        })
    }
}

/// A problem the walk met, and whether the path could not be read at all.
type Problem = (String, String, bool);

/// Walks an archive: digest files (`.md`, `.markdown`, `.txt`) anywhere below the root.
/// Hidden files and folders are skipped; links are not followed by the walk, so a
/// symlinked folder is not entered, and a symlinked file is read only when it points
/// inside the root. Fails only when the root itself cannot be read.
///
/// Folders are read in parallel: on a large archive the walk is most of a no-op
/// reindex, and most of the walk is `stat`.
pub fn walk(root: &Path) -> std::io::Result<Walk> {
    let canonical_root = root.canonicalize()?;
    std::fs::read_dir(&canonical_root)?;
    let (tx, rx) = std::sync::mpsc::channel::<Result<SourceFile, Problem>>();
    let threads = crate::cores().min(8);
    WalkBuilder::new(&canonical_root)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .threads(threads)
        .build_parallel()
        .run(|| {
            let (tx, root) = (tx.clone(), canonical_root.as_path());
            Box::new(move |found| {
                let outcome = match found {
                    Ok(entry) => visit(root, &entry),
                    Err(e) => Some(Err(unreadable(root, &e))),
                };
                if let Some(outcome) = outcome {
                    let _ = tx.send(outcome);
                }
                WalkState::Continue
            })
        });
    drop(tx);
    let mut walk = Walk::default();
    let mut files = vec![];
    for outcome in rx {
        match outcome {
            Ok(file) => files.push(file),
            Err((path, reason, unreadable)) => {
                if unreadable {
                    walk.unreadable.push(path.clone());
                }
                walk.problems.push((path, reason));
            }
        }
    }
    // Sorted by path, so that of two files with one id the same one always wins.
    files.sort_by(|a: &SourceFile, b| a.rel.cmp(&b.rel));
    let mut seen: HashMap<String, String> = HashMap::with_capacity(files.len());
    for file in files {
        if let Some(first) = seen.get(&file.id) {
            let reason =
                format!("duplicate id `{}`: `{first}` has the same id and was kept", file.id);
            walk.problems.push((file.rel, reason));
            continue;
        }
        seen.insert(file.id.clone(), file.rel.clone());
        walk.files.push(file);
    }
    walk.problems.sort();
    Ok(walk)
}

/// A folder (or file) the walk could not read, named below the root (`""` when the
/// error names no path), with the cause.
fn unreadable(root: &Path, error: &ignore::Error) -> Problem {
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            ignore::Error::Partial(errors) => errors.iter().find_map(path_of),
            _ => None,
        }
    }
    let path = path_of(error).map(|p| relative(root, p)).unwrap_or_default();
    match error.io_error() {
        Some(cause) => cannot_read(path, cause),
        None => cannot_read(path, error),
    }
}

fn cannot_read(path: String, cause: impl std::fmt::Display) -> Problem {
    let reason = format!("cannot be read ({cause}): the entries indexed from it stay as they were");
    (path, reason, true)
}

/// One entry of the walk: a digest file, a problem, or nothing of interest.
fn visit(root: &Path, entry: &ignore::DirEntry) -> Option<Result<SourceFile, Problem>> {
    let path = entry.path();
    if entry.file_type().is_none_or(|t| t.is_dir()) {
        return None;
    }
    // Cheap checks first.
    let ext = path.extension().and_then(|e| e.to_str())?;
    if !EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)) {
        return None;
    }
    let rel = relative(root, path);
    let meta = if entry.path_is_symlink() {
        match path.canonicalize() {
            Ok(target) if target.starts_with(root) => std::fs::metadata(&target),
            Ok(_) => {
                let reason = "symlink points outside the archive; not followed".into();
                return Some(Err((rel, reason, false)));
            }
            Err(e) => {
                return Some(Err((rel, format!("broken symlink or symlink loop: {e}"), false)));
            }
        }
    } else {
        entry.metadata().map_err(|e| {
            let text = e.to_string();
            e.into_io_error().unwrap_or_else(|| std::io::Error::other(text))
        })
    };
    let meta = match meta {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return None,
        Err(e) => return Some(Err(cannot_read(rel, e))),
    };
    if path.to_str().is_none() {
        return Some(Err((rel, "file name is not valid UTF-8".into(), false)));
    }
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    let id = rel[..rel.len() - ext.len() - 1].to_string();
    Some(Ok(SourceFile { id, rel, path: path.to_path_buf(), size: meta.len(), mtime }))
}

/// A path below the root, its components joined with `/` (a `\` is part of a name).
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
    parts.join("/")
}

impl SourceFile {
    /// Reads the file's bytes, refusing files over [`MAX_FILE_BYTES`].
    pub fn read_bytes(&self) -> Result<Vec<u8>, ParseError> {
        use std::io::Read;
        let file = std::fs::File::open(&self.path)?;
        // Sized from the open file: one allocation and one read, where growing a buffer
        // from nothing cost a read and a copy per doubling (a reindex that only hashes,
        // after a touch of the archive: 0.3 s -> 0.16 s at 10k digests).
        let size = file.metadata()?.len();
        if size > MAX_FILE_BYTES {
            return Err(ParseError::TooLarge(size));
        }
        let mut bytes = Vec::with_capacity(size as usize + 1);
        // A file that grew since: read up to the limit, and no further.
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ParseError::TooLarge(bytes.len() as u64));
        }
        Ok(bytes)
    }

    /// Reads and parses the file.
    pub fn parse(&self, taxonomy: &Taxonomy) -> Result<Entry, ParseError> {
        Entry::from_bytes(&self.id, &self.read_bytes()?, taxonomy)
    }
}

/// Runs `read` over every piece of `work` on up to four threads, and hands each result
/// to `done` on the calling thread, in order of completion, with its index in `work`.
/// Stops at the first error `done` returns.
pub fn read_parallel<W: Sync, T: Send, E>(
    work: &[W],
    read: impl Fn(&W) -> T + Sync,
    mut done: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let threads = crate::cores().min(4);
    let (tx, rx) = mpsc::sync_channel::<(usize, T)>(64);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, next, read) = (tx.clone(), &next, &read);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(w) = work.get(i) else { break };
                    if tx.send((i, read(w))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // On an error the receiver is dropped: the readers stop at their next send.
        rx.into_iter().try_for_each(|(i, outcome)| done(i, outcome))
    })
}
