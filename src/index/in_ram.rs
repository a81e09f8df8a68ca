//! An index in memory, built from Markdown strings with the real schema, analyzers and
//! documents in one commit: what the unit tests of the sync, the compiler and the
//! engine search, instead of small schemas of their own.

use std::path::PathBuf;

use tantivy::Index;
use xxhash_rust::xxh3::xxh3_64;

use super::open::Payload;
use super::schema::{self, SCHEMA_VERSION};
use super::{IndexHandle, analysis};
use crate::digest::{Entry, SourceFile, Taxonomy};

/// The digests `(id, markdown)`, parsed with the built-in taxonomy and indexed as a
/// reindex indexes them. Panics on a digest that does not parse: a test's mistake.
pub fn in_ram(digests: &[(&str, &str)]) -> IndexHandle {
    let taxonomy = Taxonomy::builtin();
    let (schema, fields) = schema::schema();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::settings())
        .create_in_ram()
        .expect("an index in memory");
    analysis::register_analyzers(&index);
    let mut writer = index.writer_with_num_threads(1, 30_000_000).expect("a writer");
    for (id, markdown) in digests {
        let entry = Entry::parse(id, markdown, &taxonomy).expect("a digest that parses");
        let rel = format!("{id}.md");
        let size = markdown.len() as u64;
        let file =
            SourceFile { id: id.to_string(), path: PathBuf::from(&rel), rel, size, mtime: 1 };
        for doc in fields.documents(&entry, &file, xxh3_64(markdown.as_bytes())) {
            writer.add_document(doc).expect("a document");
        }
    }
    let payload = Payload {
        schema: SCHEMA_VERSION,
        taxonomy: taxonomy.fingerprint,
        stories: taxonomy.stories.clone(),
        model: crate::digest::meaning::MODEL_ID.to_string(),
    };
    let mut prepared = writer.prepare_commit().expect("a commit");
    prepared.set_payload(&serde_json::to_string(&payload).expect("serializable"));
    prepared.commit().expect("a commit");
    IndexHandle { index, fields, path: PathBuf::from("(in memory)") }
}
