//! The baselines a measurement is set beside: `rg` over the same files, and the same
//! items' text in a plain Tantivy schema (the engine alone).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use super::timed;

/// The words a user would give `rg` for a query: literal words and phrases, filter
/// values for filters (rg cannot filter by metadata).
pub(super) fn rg_terms(q: &str) -> Vec<String> {
    let mut terms = vec![];
    let mut rest = q;
    while let Some(start) = rest.find('"') {
        let Some(len) = rest[start + 1..].find('"') else { break };
        terms.push(rest[start + 1..start + 1 + len].to_string());
        rest = &rest[start + len + 2..];
    }
    for word in q.split('"').step_by(2).flat_map(str::split_whitespace) {
        if word == "OR" || word.starts_with('-') {
            continue;
        }
        let value = word.split_once(':').map_or(word, |(_, v)| v);
        if !value.is_empty()
            && !value.contains("..")
            && !value.starts_with(|c: char| c.is_ascii_digit())
        {
            terms.push(value.to_string());
        }
    }
    terms
}

/// `rg -i -l` for the first term over the archive, then each further term over the
/// files left: the files containing every term, as a user would find them.
pub(super) fn rg_time(archive: &Path, terms: &[String]) -> Option<f64> {
    if terms.is_empty() {
        return None;
    }
    let start = Instant::now();
    let mut files: Option<Vec<String>> = None;
    for term in terms {
        let rg = |paths: &[&str]| -> Option<Vec<String>> {
            let out = Command::new("rg")
                .args(["-i", "-l", "-F", "--no-messages", "--", term])
                .args(paths)
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
        };
        files = Some(match &files {
            None => rg(&[archive.to_str()?])?,
            Some(list) if list.is_empty() => break,
            // Later terms search the files left, in batches that fit a command line.
            Some(list) => {
                let mut left = vec![];
                for chunk in list.chunks(1000) {
                    left.extend(rg(&chunk.iter().map(String::as_str).collect::<Vec<_>>())?);
                }
                left
            }
        });
    }
    Some(start.elapsed().as_secs_f64())
}

/// The engine's own speed on this data: the archive's items (title, entry title, text)
/// parsed first, untimed, then indexed into a plain schema (one text field with
/// positions, the default tokenizer) with the threads and heap `reindex` uses; then
/// embedded, for what the vectors cost.
pub(super) fn engine_alone(archive: &Path, dir: &Path) -> EngineAlone {
    use archive::digest::{Taxonomy, read_parallel, walk};
    use tantivy::schema::{Schema, TEXT};
    let taxonomy = Taxonomy::load(archive).expect("the archive's taxonomy");
    let files = walk(archive).expect("walk the archive").files;
    let mut texts: Vec<[String; 3]> = vec![];
    read_parallel(
        &files,
        |file| file.parse(&taxonomy),
        |_, parsed| {
            if let Ok(entry) = parsed {
                texts.extend(
                    entry.items.into_iter().map(|i| [i.title, entry.title.clone(), i.text]),
                );
            }
            Ok::<_, ()>(())
        },
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut builder = Schema::builder();
    let text = builder.add_text_field("text", TEXT);
    let index = tantivy::Index::create_in_dir(dir, builder.build()).unwrap();
    let threads = archive::index::indexing_threads();
    let ((), secs) = timed(|| {
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(threads, threads * archive::index::heap_per_thread())
            .unwrap();
        for [title, entry_title, body] in &texts {
            let mut doc = tantivy::TantivyDocument::new();
            doc.add_text(text, title);
            doc.add_text(text, entry_title);
            doc.add_text(text, body);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        writer.wait_merging_threads().unwrap();
    });
    let _ = std::fs::remove_dir_all(dir);
    // What the vectors cost: every item's title and text embedded, on as many threads.
    let ((), embed_secs) = timed(|| {
        let chunk = texts.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for part in texts.chunks(chunk) {
                scope.spawn(move || {
                    for [title, _, body] in part {
                        archive::digest::meaning::embed(&format!("{title}\n{body}"));
                    }
                });
            }
        });
    });
    EngineAlone { items: texts.len(), secs, embed_secs }
}

/// The engine alone on the archive's items, and the embedding of the same items.
pub(super) struct EngineAlone {
    pub(super) items: usize,
    /// Seconds to index their text into a plain Tantivy schema.
    pub(super) secs: f64,
    /// Seconds to compute their vectors (`digest::meaning::embed`).
    pub(super) embed_secs: f64,
}
