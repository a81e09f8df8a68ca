//! Ranked items grouped under their entries, for grouped pages and related entries.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, Searcher};

use crate::index::field;

/// Ranked items (score, address).
pub type Ranked = Vec<(f32, DocAddress)>;

/// Groups ranked items by entry, entries in the order of their best item.
pub fn group_by_entry(
    searcher: &Searcher,
    ranked: &[(f32, DocAddress)],
) -> tantivy::Result<Vec<(String, Ranked)>> {
    let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
    let mut groups: Vec<(String, Ranked)> = vec![];
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut id = String::new();
    for &(score, address) in ranked {
        let column = match columns.entry(address.segment_ord) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(
                searcher.segment_reader(address.segment_ord).fast_fields().str(field::ENTRY_ID)?,
            ),
        };
        let Some(column) = column else { continue };
        let Some(ord) = column.term_ords(address.doc_id).next() else { continue };
        id.clear();
        column.ord_to_str(ord, &mut id)?;
        match position.get(&id) {
            Some(&i) => groups[i].1.push((score, address)),
            None => {
                position.insert(id.clone(), groups.len());
                groups.push((id.clone(), vec![(score, address)]));
            }
        }
    }
    Ok(groups)
}
