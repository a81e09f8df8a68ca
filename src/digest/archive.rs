//! Walking an archive: which files are digests, and what their ids are.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

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
}

/// Walks an archive: digest files (`.md`, `.markdown`, `.txt`) anywhere below the root.
/// Hidden files and folders are skipped; symlinks are followed only when they stay
/// inside the root. Fails only when the root itself cannot be read.
pub fn walk(root: &Path) -> std::io::Result<Walk> {
    let canonical_root = root.canonicalize()?;
    let mut walk = Walk::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    let walker = WalkDir::new(&canonical_root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for found in walker {
        let entry = match found {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(|p| relative(&canonical_root, p)).unwrap_or_default();
                let reason = if e.loop_ancestor().is_some() {
                    "symlink loop".to_string()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), |io| io.to_string())
                };
                walk.problems.push((path, reason));
                continue;
            }
        };
        let path = entry.path();
        let rel = relative(&canonical_root, path);
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {}
                _ => {
                    walk.problems
                        .push((rel, "symlink points outside the archive; not followed".into()));
                    continue;
                }
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else { continue };
        if !EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
            continue;
        }
        let Some(rel_str) = path.strip_prefix(&canonical_root).ok().and_then(|p| p.to_str()) else {
            walk.problems.push((rel, "file name is not valid UTF-8".into()));
            continue;
        };
        let id = rel_str[..rel_str.len() - ext.len() - 1].replace('\\', "/");
        if let Some(first) = seen.get(&id) {
            walk.problems.push((
                rel,
                format!("duplicate id `{id}`: `{first}` has the same id and was kept"),
            ));
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) => {
                walk.problems.push((rel, e.to_string()));
                continue;
            }
        };
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        seen.insert(id.clone(), rel.clone());
        walk.files.push(SourceFile { id, rel, path: path.to_path_buf(), size: meta.len(), mtime });
    }
    Ok(walk)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

impl SourceFile {
    /// Reads the file's bytes, refusing files over [`MAX_FILE_BYTES`].
    pub fn read_bytes(&self) -> Result<Vec<u8>, ParseError> {
        use std::io::Read;
        let file = std::fs::File::open(&self.path)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            let size = std::fs::metadata(&self.path).map_or(bytes.len() as u64, |m| m.len());
            return Err(ParseError::TooLarge(size));
        }
        Ok(bytes)
    }
}

impl Entry {
    /// Parses a digest from the bytes of its file.
    pub fn from_bytes(id: &str, bytes: &[u8], taxonomy: &Taxonomy) -> Result<Entry, ParseError> {
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Err(ParseError::Binary);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8(e.valid_up_to()))?;
        Entry::parse(id, text, taxonomy)
    }
}
