//! [`Engine`]: one searcher over one index, shared by every request, and the search
//! pipeline: parse -> compile and collect -> page -> explain.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tantivy::query::Query;
use tantivy::{IndexReader, ReloadPolicy, Searcher};

use super::abandon::checkpoint;
use super::collect::{self, Found};
use super::collectors::group_by_entry;
use super::explain;
use super::facts::Facts;
use super::meaning::Vectors;
use super::query;
use super::query::compile::Scope;
use super::query::speller::Speller;
use super::results::ITEMS_PER_GROUP;
use super::snippets::{self, Snippets};
use super::stored::Bodies;
use super::stories::{FirstMention, Stories, story_ids};
use super::{
    EntryGroup, Group, Hit, Matched, SearchError, SearchRequest, SearchResults, Sort,
    query::compile,
};
use crate::index::{self, Fields, IndexHandle, VerifyReport};

/// A searcher over one index, shared by every request.
pub struct Engine {
    pub(super) handle: IndexHandle,
    pub(super) reader: IndexReader,
    /// What the last [`Engine::verify`] found wrong, if anything.
    pub(super) damage: RwLock<Option<String>>,
    /// Whether drafts are searched and shown.
    pub(super) drafts: bool,
    /// What the searcher last read knows of the whole index, by its generation.
    facts: Mutex<Option<(u64, Arc<Facts>)>>,
    /// The vectors of the segments searched by meaning: kept across commits (a commit
    /// adds a segment or two and merges a few; the others' tables stay).
    pub(super) vectors: Vectors,
}

impl Engine {
    /// Opens the index at `path` for searching; it follows new commits by itself.
    pub fn open(path: &Path) -> Result<Engine, SearchError> {
        Engine::over(index::open(path)?)
    }

    /// A searcher over an index already open.
    pub(crate) fn over(handle: IndexHandle) -> Result<Engine, SearchError> {
        let reader = handle
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| index::damaged(&handle.path, source))?;
        Ok(Engine {
            handle,
            reader,
            damage: Default::default(),
            drafts: false,
            facts: Default::default(),
            vectors: Default::default(),
        })
    }

    /// Searches and shows drafts too (`--drafts`); by default they are left out of
    /// every search, feed, list and lookup.
    pub fn with_drafts(self, drafts: bool) -> Engine {
        Engine { drafts, ..self }
    }

    /// Checks every file of the index against its checksum (see [`index::verify`]);
    /// until a later check passes, [`Engine::health`] reports the damage.
    pub fn verify(&self) -> Result<VerifyReport, SearchError> {
        let result = index::verify(&self.handle.index, &self.handle.path);
        *self.damage.write().unwrap_or_else(|e| e.into_inner()) =
            result.as_ref().err().map(ToString::to_string);
        Ok(result?)
    }

    /// Checks the document stores against their checksums (see [`index::verify_stores`]):
    /// a one-shot command's guard before it reads stored documents.
    pub fn verify_stores(&self) -> Result<(), SearchError> {
        index::verify_stores(&self.handle.index, &self.handle.path)?;
        Ok(())
    }

    pub(super) fn fields(&self) -> &Fields {
        &self.handle.fields
    }

    /// What the searcher's index knows as a whole, read once per commit it sees.
    pub(super) fn facts(&self, searcher: &Searcher) -> tantivy::Result<Arc<Facts>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.facts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, facts)) = cached.as_ref()
            && *seen == generation
        {
            return Ok(Arc::clone(facts));
        }
        let facts = Arc::new(Facts::read(searcher, self.fields())?);
        *cached = Some((generation, Arc::clone(&facts)));
        self.vectors.retain(searcher);
        Ok(facts)
    }

    /// What compiling a query reads besides the query.
    fn scope<'a>(
        &'a self,
        searcher: &'a Searcher,
        facts: &'a Facts,
        speller: &'a Speller<'a>,
    ) -> Scope<'a> {
        let f = self.fields();
        let (names, languages, columns) = (&facts.names, &facts.languages, &facts.columns);
        let vectors = &self.vectors;
        Scope { f, speller, names, languages, drafts: self.drafts, columns, vectors, searcher }
    }

    /// The query `q` compiled on its own (drafts left out unless they are shown), for
    /// the lookups that count over its matches.
    pub(super) fn compile(
        &self,
        searcher: &Searcher,
        q: &str,
    ) -> Result<Box<dyn Query>, SearchError> {
        let f = self.fields();
        let today = chrono::Utc::now().date_naive();
        let parsed = query::parse(q, today, &|name| compile::has_facet(searcher, f, name))?;
        let facts = self.facts(searcher)?;
        let speller = Speller::new(searcher, f, &facts.languages);
        let scope = self.scope(searcher, &facts, &speller);
        Ok(compile::compile(&scope, &parsed, &SearchRequest::default(), false).query)
    }

    /// Runs a search. Tantivy trusts the bytes it reads and can panic on a flipped bit
    /// that only a checksum pass would catch: such a panic is reported as damage.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        crate::catch_panic(|| self.run_search(request))
            .unwrap_or_else(|_| {
                Err(SearchError::Damaged(format!(
                    "the index at {} could not be read: it is probably damaged; run `archive check` to find the file and `archive reindex --full` to rebuild it",
                    self.handle.path.display()
                )))
            })
    }

    fn run_search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        request.validate()?;
        let (searcher, f) = (self.reader.searcher(), self.fields());
        let today = request.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
        let parsed =
            query::parse(&request.q, today, &|name| compile::has_facet(&searcher, f, name))?;
        let sort = request.sort.unwrap_or(Sort::default_for(parsed.root.is_none()));
        let facts = self.facts(&searcher)?;
        let speller = Speller::new(&searcher, f, &facts.languages);
        let scope = self.scope(&searcher, &facts, &speller);
        let (compiled, found, relaxed) =
            collect::matches(&searcher, &scope, &parsed, request, sort)?;
        checkpoint()?;
        let warnings = parsed.warnings.iter().cloned().chain(relaxed).chain(compiled.warnings);
        let snippets = Snippets::new(&searcher, &*compiled.query, f, parsed.has_words())?;
        let Found { ranked, total, facets, total_entries, estimated, matched } = found;
        let stories = Stories::new(&searcher, f, &facts, self.drafts)?;
        let ranked = RankedPage { items: ranked, matched };
        let (hits, groups) = page(&searcher, f, &snippets, &facts, &stories, ranked, request)?;
        checkpoint()?;
        let explanation =
            if total == 0 { explain::explain(&searcher, &scope, &parsed.root)? } else { vec![] };
        // "Did you mean": whenever a word is in no item, whether or not a near word
        // was searched in its place.
        let suggestions = explain::suggestions(&speller, &request.q, &parsed.root);
        Ok(SearchResults {
            total,
            total_is_estimate: estimated,
            page: request.page,
            per_page: request.per_page,
            interpreted: compiled.interpreted,
            warnings: warnings.collect(),
            took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
            hits,
            facets,
            total_entries,
            groups,
            explanation,
            suggestions,
            sort,
        })
    }
}

/// The ranked items of a page, and how those that do not have every word match.
struct RankedPage {
    items: Vec<(f32, tantivy::DocAddress)>,
    matched: HashMap<tantivy::DocAddress, Matched>,
}

/// The page's hits; for a grouped page also its entries, each with its best items.
fn page(
    searcher: &Searcher,
    f: &Fields,
    snippets: &Snippets,
    facts: &Facts,
    stories: &Stories,
    RankedPage { items: ranked, matched }: RankedPage,
    request: &SearchRequest,
) -> tantivy::Result<(Vec<Hit>, Option<Vec<EntryGroup>>)> {
    let bodies = RefCell::new(Bodies::new(searcher, f));
    let names = &facts.names;
    let how = |address| matched.get(&address).copied().unwrap_or_default();
    let hit = |(ranked, story_ids): FirstMention| {
        let address = ranked.1;
        let mut hit = snippets::hit(searcher, f, &mut bodies.borrow_mut(), snippets, ranked)?;
        hit.matched = how(address);
        hit.sources = names.show_all(std::mem::take(&mut hit.sources));
        hit.story = stories.of(&story_ids)?;
        hit.story_ids = story_ids;
        Ok::<_, tantivy::TantivyError>(hit)
    };
    // The story ids of some ranked items, read in one pass over each segment's column.
    let with_ids = |ranked: Vec<(f32, tantivy::DocAddress)>| {
        let addresses: Vec<tantivy::DocAddress> = ranked.iter().map(|&(_, at)| at).collect();
        let ids = story_ids(searcher, &facts.columns, &addresses)?;
        Ok::<_, tantivy::TantivyError>(ranked.into_iter().zip(ids))
    };
    match request.group {
        Group::Item => {
            return Ok((with_ids(ranked)?.map(hit).collect::<Result<_, _>>()?, None));
        }
        Group::Story => {
            let need = request.offset() + request.per_page;
            let first = stories.first_mentions(ranked, need)?;
            let page = first.into_iter().skip(request.offset()).take(request.per_page);
            return Ok((page.map(hit).collect::<Result<_, _>>()?, None));
        }
        Group::Entry => {}
    }
    let mut groups = vec![];
    for (entry_id, items) in group_by_entry(searcher, &facts.columns, &ranked)?
        .into_iter()
        .skip(request.offset())
        .take(request.per_page)
    {
        let matches = items.len();
        // An entry with the words between its items shows its best item for each word.
        let between = items.iter().filter(|(_, at)| how(*at) == Matched::Entry).count();
        let best = items.into_iter().take(ITEMS_PER_GROUP.max(between)).collect();
        let hits = with_ids(best)?.map(hit).collect::<Result<Vec<_>, _>>()?;
        let first = &hits[0];
        groups.push(EntryGroup {
            entry_id,
            entry_title: first.entry_title.clone(),
            date: first.date.clone(),
            tags: first.entry_tags.clone(),
            matches,
            matched: first.matched,
            hits,
        });
    }
    Ok((groups.iter().flat_map(|g| g.hits.clone()).collect(), Some(groups)))
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;

    use super::*;
    use crate::search::Mode;

    const DIGESTS: &[(&str, &str)] = &[
        (
            "weekly/2026-04-06",
            "---\ntitle: Weekly — April 6, 2026\ndate: 2026-04-06\n---\n\n## Speculative decoding on a budget\n\nA [thread on r/LocalLLaMA](https://www.reddit.com/r/LocalLLaMA/comments/abc/x/) got twice the tokens per second with a draft model.\n\n## Agent memory that forgets\n\nA [paper](https://arxiv.org/abs/2604.00001) on agents that consolidate memory and forget the rest.\n",
        ),
        (
            "weekly/2026-04-13",
            "---\ntitle: Weekly — April 13, 2026\ndate: 2026-04-13\n---\n\n## Quantization for laptops\n\nA [Hacker News thread](https://news.ycombinator.com/item?id=1) on GGUF files that fit a laptop.\n\n## Browser sandboxes\n\nA [repo](https://github.com/example/sandbox) runs browsing agents in containers.\n",
        ),
        (
            "weekly/2026-04-20",
            "---\ntitle: Not yet\ndate: 2026-04-20\ndraft: true\n---\n\n## Speculative sampling draft\n\nUnpublished notes on speculative sampling.\n",
        ),
    ];

    fn engine() -> Engine {
        Engine::over(index::in_ram(DIGESTS)).unwrap()
    }

    /// `(entry id, anchor)` of each hit of `q`.
    fn hits(engine: &Engine, q: &str) -> Vec<(String, String)> {
        let request = SearchRequest { q: q.into(), ..SearchRequest::default() };
        let results = engine.search(&request).unwrap();
        results.hits.into_iter().map(|h| (h.entry_id, h.anchor)).collect()
    }

    fn hit(id: &str, anchor: &str) -> (String, String) {
        (id.to_string(), anchor.to_string())
    }

    #[test]
    fn words_filters_and_typos_find_their_items() {
        let e = engine();
        let decoding = hit("weekly/2026-04-06", "speculative-decoding-on-a-budget");
        for q in ["speculative decoding", "source:r/LocalLLaMA", "speculativ decodng"] {
            assert_eq!(hits(&e, q), std::slice::from_ref(&decoding), "{q}");
        }
        let sandboxes = hit("weekly/2026-04-13", "browser-sandboxes");
        assert_eq!(hits(&e, "agents -memory"), [sandboxes]);
        assert!(hits(&e, "date:2026-03 speculative").is_empty());
    }

    #[test]
    fn drafts_are_searched_only_when_shown() {
        assert!(!hits(&engine(), "sampling").iter().any(|(id, _)| id == "weekly/2026-04-20"));
        let shown = engine().with_drafts(true);
        assert_eq!(
            hits(&shown, "sampling"),
            [hit("weekly/2026-04-20", "speculative-sampling-draft")]
        );
    }

    /// Words of two items of one digest: the digest's two items, marked as matched by
    /// their entry, before the items with one of the words.
    #[test]
    fn words_of_two_items_find_their_digest_first() {
        let request = SearchRequest { q: "laptop agents".into(), ..SearchRequest::default() };
        let results = engine().search(&request).unwrap();
        let found: Vec<_> = results
            .hits
            .iter()
            .map(|h| (h.entry_id.as_str(), h.anchor.as_str(), h.matched))
            .collect();
        assert_eq!(
            found,
            [
                ("weekly/2026-04-13", "quantization-for-laptops", Matched::Entry),
                ("weekly/2026-04-13", "browser-sandboxes", Matched::Entry),
                ("weekly/2026-04-06", "agent-memory-that-forgets", Matched::Some),
            ]
        );
    }

    /// A hybrid search adds the items whose meaning is near the query's after those
    /// with its words, marked; never a draft, and not in keyword mode.
    #[test]
    fn hybrid_search_adds_items_near_in_meaning() {
        let e = engine();
        let search = |q: &str, mode| {
            let request = SearchRequest { q: q.into(), mode, ..SearchRequest::default() };
            e.search(&request).unwrap().hits
        };
        assert!(search("amnesia", Mode::Keyword).is_empty());
        let hits = search("amnesia", Mode::Hybrid);
        assert_eq!(hits[0].anchor, "agent-memory-that-forgets");
        assert!(hits.iter().all(|h| h.matched == Matched::Meaning));
        assert!(hits.iter().all(|h| h.entry_id != "weekly/2026-04-20"));
        // The words' items first, then the others by meaning.
        let hits = search("sandboxes", Mode::Hybrid);
        assert!(hits.len() > 1, "no item found by meaning");
        assert_eq!(
            (hits[0].anchor.as_str(), hits[0].matched),
            ("browser-sandboxes", Matched::Item)
        );
        assert!(hits[1..].iter().all(|h| h.matched == Matched::Meaning));
    }

    #[test]
    fn a_compiled_query_matches_items_only() {
        let e = engine();
        let searcher = e.reader.searcher();
        let count = |q: &str| searcher.search(&*e.compile(&searcher, q).unwrap(), &Count).unwrap();
        // Every item holds its entry's title; entry documents and the draft's item are
        // never matched.
        assert_eq!(count("weekly"), 4);
        assert_eq!(count("agents"), 2);
        assert_eq!(count("gguf OR containers"), 2);
        assert_eq!(count("weekly -agents"), 2);
    }
}
