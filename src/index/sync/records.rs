//! What the index recorded: each entry's file (hash, size, mtime) and the counts of
//! what it holds, read back from the entry documents' fast fields.

use std::collections::HashMap;

use tantivy::collector::Count;
use tantivy::query::{BooleanQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, ReloadPolicy};

use crate::index::schema::{Fields, Kind, field};

/// What the index recorded about an entry's file.
#[derive(Debug, Clone, Copy)]
pub(super) struct FileRecord {
    pub(super) hash: u64,
    pub(super) size: u64,
    pub(super) mtime: i64,
}

/// The hash, size and mtime of every entry's file, from the entry documents' fast fields.
pub(super) fn file_records(index: &Index) -> tantivy::Result<HashMap<String, FileRecord>> {
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let (hash, size, mtime) =
            (ff.u64(field::HASH)?, ff.u64(field::SIZE)?, ff.i64(field::MTIME)?);
        let Some(ids) = ff.str(field::ENTRY_ID)? else { continue };
        let mut found: Vec<(u64, FileRecord)> = vec![];
        for doc in segment.doc_ids_alive() {
            let Some(h) = hash.first(doc) else { continue };
            let Some(ord) = ids.term_ords(doc).next() else { continue };
            let rec = FileRecord {
                hash: h,
                size: size.first(doc).unwrap_or(0),
                mtime: mtime.first(doc).unwrap_or(0),
            };
            found.push((ord, rec));
        }
        // One pass over the sorted dictionary, not a lookup per entry.
        found.sort_unstable_by_key(|(ord, _)| *ord);
        let ords: Vec<u64> = found.iter().map(|(ord, _)| *ord).collect();
        let mut records = found.into_iter().map(|(_, rec)| rec);
        ids.dictionary().sorted_ords_to_term_cb(&ords, |term| {
            if let Some(rec) = records.next() {
                out.insert(String::from_utf8_lossy(term).into_owned(), rec);
            }
        })?;
    }
    Ok(out)
}

/// What the index holds.
pub(super) struct Counts {
    pub(super) entries: u64,
    pub(super) items: u64,
    pub(super) drafts: u64,
}

/// Entries, items and drafts in the index.
pub(super) fn counts(index: &Index, fields: &Fields) -> tantivy::Result<Counts> {
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let count = |term| -> tantivy::Result<u64> {
        Ok(searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)? as u64)
    };
    let drafts = BooleanQuery::intersection(vec![
        Box::new(TermQuery::new(fields.kind_term(Kind::Entry), IndexRecordOption::Basic)),
        Box::new(TermQuery::new(fields.draft_term(), IndexRecordOption::Basic)),
    ]);
    Ok(Counts {
        entries: count(fields.kind_term(Kind::Entry))?,
        items: count(fields.kind_term(Kind::Item))?,
        drafts: searcher.search(&drafts, &Count)? as u64,
    })
}

#[cfg(test)]
mod tests {
    use xxhash_rust::xxh3::xxh3_64;

    use super::*;

    #[test]
    fn records_and_counts_read_back_what_was_indexed() {
        let digests = [
            ("b/two", "# Two\n\nFirst paragraph.\n\nSecond paragraph.\n"),
            ("a/one", "# One\n\nOnly paragraph.\n"),
            ("c/draft", "---\ndraft: true\n---\n\nA draft paragraph.\n"),
        ];
        let handle = crate::index::in_ram(&digests);
        let records = file_records(&handle.index).unwrap();
        let mut ids: Vec<&str> = records.keys().map(String::as_str).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a/one", "b/two", "c/draft"]);
        for (id, markdown) in digests {
            let r = records[id];
            assert_eq!(
                (r.hash, r.size, r.mtime),
                (xxh3_64(markdown.as_bytes()), markdown.len() as u64, 1)
            );
        }
        let c = counts(&handle.index, &handle.fields).unwrap();
        assert_eq!((c.entries, c.items, c.drafts), (3, 4, 1));
    }
}
