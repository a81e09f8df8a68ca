//! The digest parser (front matter, dates, items, sources) on arbitrary bytes: no panic,
//! and every item's anchor block lies inside the body.
#![no_main]

use std::sync::LazyLock;

use archive::digest::{Entry, Taxonomy};
use libfuzzer_sys::fuzz_target;

static TAXONOMY: LazyLock<Taxonomy> = LazyLock::new(Taxonomy::builtin);

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::from_bytes("fuzz/entry", data, &TAXONOMY) {
        for item in &entry.items {
            assert!(!item.anchor.is_empty());
            assert!(item.offset <= entry.body.len(), "an item outside its entry");
        }
    }
});
