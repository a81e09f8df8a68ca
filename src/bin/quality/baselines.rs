//! The baselines, on the same queries: `rg` (files with every word, in path order) and
//! plain BM25 over whole files.

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::{Index, TantivyDocument, doc};

use super::draw::Doc;

/// Plain BM25 over whole files: a throwaway in-memory index, English stemming, OR.
pub(super) struct Bm25 {
    index: Index,
    parser: QueryParser,
    id: tantivy::schema::Field,
}

impl Bm25 {
    pub(super) fn new(docs: &[Doc]) -> Bm25 {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions);
        let body = b.add_text_field("body", TextOptions::default().set_indexing_options(indexing));
        let index = Index::create_in_ram(b.build());
        let mut writer: tantivy::IndexWriter = index.writer(100_000_000).unwrap();
        for d in docs {
            writer.add_document(doc!(id => d.id.clone(), body => d.text.clone())).unwrap();
        }
        writer.commit().unwrap();
        let parser = QueryParser::for_index(&index, vec![body]);
        Bm25 { index, parser, id }
    }

    pub(super) fn search(&self, q: &str) -> Vec<String> {
        let reader = self.index.reader().unwrap();
        let searcher = reader.searcher();
        let Ok(query) = self.parser.parse_query(q) else { return vec![] };
        searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(_, a)| {
                let d: TantivyDocument = searcher.doc(a).unwrap();
                d.get_first(self.id).and_then(|v| v.as_str()).unwrap().to_string()
            })
            .collect()
    }
}

/// `rg -i -l -F w1 | ... wN` in path order: files containing every word.
pub(super) fn rg(docs: &[Doc], lowered: &[String], q: &str) -> Vec<String> {
    let terms: Vec<&str> = q.split_whitespace().collect();
    docs.iter()
        .zip(lowered)
        .filter(|(_, text)| terms.iter().all(|t| text.contains(t)))
        .map(|(d, _)| d.id.clone())
        .take(10)
        .collect()
}
