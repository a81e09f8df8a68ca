//! Fast-field columns, opened once per segment and kept for the commit.
//!
//! Opening a column is not free: a string column opens its dictionary's index, and a
//! column of numbers reads the header of every block of 512 values. A page of hits looks
//! up the story of each hit, each lookup a small search whose collectors read the
//! `entry_id` and `day` columns of every segment: opened per search, that was the
//! largest single cost in a profile of a 2,000-match search at 100k digests.
//! [`Columns`] is held with the engine's facts of one commit; segments are immutable, so
//! a column opened once serves every search of that commit.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::SegmentReader;
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;

/// The columns opened so far, by segment and field name.
#[derive(Default)]
pub struct Columns {
    strs: Opened<Option<StrColumn>>,
    u64s: Opened<Option<Column<u64>>>,
}

type Opened<T> = Mutex<HashMap<(SegmentId, &'static str), T>>;

impl Columns {
    /// The string column `name` of a segment (`None`: no document of it has a value).
    pub fn str(
        &self,
        segment: &SegmentReader,
        name: &'static str,
    ) -> tantivy::Result<Option<StrColumn>> {
        cached(&self.strs, segment, name, || {
            let column = segment.fast_fields().str(name)?;
            // Collectors size their counts by the dictionary: a damaged one must not
            // ask for more memory than there is (an abort, not an error).
            if let Some(column) = &column
                && column.num_terms() > column.ords().values.num_vals() as usize
            {
                return Err(tantivy::TantivyError::DataCorruption(
                    tantivy::error::DataCorruption::comment_only(format!(
                        "the `{name}` column of segment {} has {} terms for {} values",
                        segment.segment_id().short_uuid_string(),
                        column.num_terms(),
                        column.ords().values.num_vals()
                    )),
                ));
            }
            Ok(column)
        })
    }

    /// The u64 column `name` of a segment, which every document of it has.
    pub fn u64(&self, segment: &SegmentReader, name: &'static str) -> tantivy::Result<Column<u64>> {
        let column = self.u64_opt(segment, name)?;
        column.ok_or_else(|| tantivy::TantivyError::SchemaError(format!("no column `{name}`")))
    }

    /// The u64 column `name` of a segment (`None`: no document of it has a value).
    pub fn u64_opt(
        &self,
        segment: &SegmentReader,
        name: &'static str,
    ) -> tantivy::Result<Option<Column<u64>>> {
        cached(&self.u64s, segment, name, || segment.fast_fields().column_opt(name))
    }
}

/// The column from `opened`, or from `open` (outside the lock: two searches may both
/// open it, and the second one's stays).
fn cached<T: Clone>(
    opened: &Opened<T>,
    segment: &SegmentReader,
    name: &'static str,
    open: impl FnOnce() -> tantivy::Result<T>,
) -> tantivy::Result<T> {
    let key = (segment.segment_id(), name);
    if let Some(column) = opened.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(column.clone());
    }
    let column = open()?;
    opened.lock().unwrap_or_else(|e| e.into_inner()).insert(key, column.clone());
    Ok(column)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, TantivyDocument, doc};

    use super::Columns;

    /// A column read through the cache is the segment's own, for each segment.
    #[test]
    fn reads_each_segments_own_column() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | FAST);
        let day = builder.add_u64_field("day", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for (name, n) in [("a", 1u64), ("b", 2)] {
            writer.add_document(doc!(id => name, day => n))?;
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        let columns = Columns::default();
        for _ in 0..2 {
            let mut seen = vec![];
            for segment in searcher.segment_readers() {
                let ids = columns.str(segment, "id")?.expect("a column");
                let mut name = String::new();
                ids.ord_to_str(ids.term_ords(0).next().expect("a value"), &mut name)?;
                seen.push((name, columns.u64(segment, "day")?.first(0)));
            }
            seen.sort();
            assert_eq!(seen, vec![("a".to_string(), Some(1)), ("b".to_string(), Some(2))]);
        }
        let missing = columns.str(&searcher.segment_readers()[0], "missing");
        assert!(!matches!(missing, Ok(Some(_))));
        Ok(())
    }
}
