//! Ranked items grouped under their entries, for grouped pages and related entries.

use std::collections::HashMap;

use tantivy::{DocAddress, Searcher};

use super::Columns;
use crate::index::field;

/// Ranked items (score, address).
pub type Ranked = Vec<(f32, DocAddress)>;

/// Groups ranked items by entry, entries in the order of their best item.
pub fn group_by_entry(
    searcher: &Searcher,
    columns: &Columns,
    ranked: &[(f32, DocAddress)],
) -> tantivy::Result<Vec<(String, Ranked)>> {
    let mut groups: Vec<(String, Ranked)> = vec![];
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut id = String::new();
    for &(score, address) in ranked {
        let segment = searcher.segment_reader(address.segment_ord);
        let Some(column) = columns.str(segment, field::ENTRY_ID)? else { continue };
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
