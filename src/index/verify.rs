//! Checking an index's files against their checksums, without a memory map.

use std::path::Path;

use tantivy::Index;
use tantivy::directory::OwnedBytes;

use super::{IndexError, damaged};

/// Reads every file of the committed segments and checks it against the checksum in its
/// footer, the way Tantivy writes them. Files are read with plain reads, not through the
/// memory map a searcher holds, so a server's resident memory does not grow by the
/// index's size. Fails with [`IndexError::Damaged`] naming the files that fail.
pub fn verify(index: &Index, path: &Path) -> Result<VerifyReport, IndexError> {
    use tantivy::index::SegmentComponent as C;
    let all = [C::Postings, C::Positions, C::Terms, C::Store, C::FastFields, C::FieldNorms];
    verify_components(index, path, &all, true)
}

/// [`verify`] for the document stores alone: what a one-shot command checks before it
/// reads stored documents, since a flipped bit in a compressed block can make Tantivy
/// ask for more memory than there is (an abort, which no panic handler catches), where
/// other damage fails with an error.
pub fn verify_stores(index: &Index, path: &Path) -> Result<VerifyReport, IndexError> {
    verify_components(index, path, &[tantivy::index::SegmentComponent::Store], false)
}

fn verify_components(
    index: &Index,
    path: &Path,
    components: &[tantivy::index::SegmentComponent],
    deletes: bool,
) -> Result<VerifyReport, IndexError> {
    use tantivy::HasLen;
    use tantivy::directory::{FileSlice, footer::Footer};
    use tantivy::index::SegmentComponent as C;
    let segments = index.searchable_segment_metas().map_err(|e| damaged(path, e))?;
    let mut report = VerifyReport::default();
    let mut bad = vec![];
    for segment in &segments {
        let mut components = components.to_vec();
        if deletes && segment.has_deletes() {
            components.push(C::Delete);
        }
        for component in components {
            let name = segment.relative_path(component);
            let file = match Pread::open(&path.join(&name)) {
                Ok(file) => file,
                Err(e) => {
                    bad.push(format!("{}: {e}", name.display()));
                    continue;
                }
            };
            report.files += 1;
            report.bytes += file.len as u64;
            // Read in chunks: a store file of hundreds of MB is never in memory at once.
            let checked = Footer::extract_footer(FileSlice::new(std::sync::Arc::new(file)))
                .and_then(|(footer, body)| {
                    let mut crc = crc32fast::Hasher::new();
                    for start in (0..body.len()).step_by(VERIFY_CHUNK) {
                        let end = (start + VERIFY_CHUNK).min(body.len());
                        crc.update(body.read_bytes_slice(start..end)?.as_slice());
                    }
                    Ok(crc.finalize() == footer.crc)
                });
            match checked {
                Ok(true) => {}
                Ok(false) => bad.push(format!("{}: checksum mismatch", name.display())),
                Err(e) => bad.push(format!("{}: {e}", name.display())),
            }
        }
    }
    if bad.is_empty() {
        Ok(report)
    } else {
        bad.sort();
        Err(IndexError::Damaged { path: path.to_path_buf(), cause: bad.join("; ") })
    }
}

/// How much of a file [`verify`] reads at a time.
const VERIFY_CHUNK: usize = 1 << 20;

/// A file read by position, for [`verify`]: Tantivy's footer parser takes a
/// [`FileSlice`](tantivy::directory::FileSlice) and reads only what it asks for.
#[derive(Debug)]
struct Pread {
    file: std::fs::File,
    len: usize,
}

impl Pread {
    fn open(path: &Path) -> std::io::Result<Pread> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len() as usize;
        Ok(Pread { file, len })
    }
}

impl tantivy::HasLen for Pread {
    fn len(&self) -> usize {
        self.len
    }
}

impl tantivy::directory::FileHandle for Pread {
    fn read_bytes(&self, range: std::ops::Range<usize>) -> std::io::Result<OwnedBytes> {
        use std::os::unix::fs::FileExt;
        let mut buffer = vec![0; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

/// What [`verify`] read.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct VerifyReport {
    /// Segment files checked.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
}
