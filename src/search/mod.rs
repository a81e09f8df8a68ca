//! Queries -> hits. [`Engine::search`] takes a [`SearchRequest`] (the query language plus
//! structured filters) and returns [`SearchResults`]: the page of hits with snippets, the
//! total, and facet counts over every match. The CLI and the HTTP API print the same
//! `SearchResults`, so they cannot drift.

mod build;
mod entries;
mod facets;
pub mod highlight;
pub mod query;
mod suggest;

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, IndexReader, Order, ReloadPolicy, TantivyDocument, Term};

pub use self::entries::{EntryLink, Facet, Health};
pub use self::facets::FacetCount;
pub use self::query::QueryError;
use crate::digest::Link;
use crate::digest::outline::{outline, plain_text};
use crate::index::{self, EntryMeta, Fields, IndexError, IndexHandle, from_datetime};

/// The most hits on one page.
pub const MAX_PER_PAGE: usize = 100;
/// The deepest page: past it, ask for a narrower query.
pub const MAX_PAGE: usize = 1000;
/// Values listed per facet.
const FACET_LIMIT: usize = 50;
/// Items shown under each entry on a grouped page.
pub const ITEMS_PER_GROUP: usize = 3;
/// Items scanned to build entry groups.
const GROUP_SCAN: usize = 2000;
/// Below this many items with every word, the words become optional.
const FALLBACK_BELOW: usize = 3;

/// What one pass over the matches collects.
struct Found {
    ranked: Vec<(f32, DocAddress)>,
    total: usize,
    facets: Facets,
    total_entries: usize,
}

/// Errors at the search edge.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index cannot be opened.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The query is past a limit.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A request parameter is out of range.
    #[error("`{param}`: {message}")]
    BadParameter {
        /// The parameter's name.
        param: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The index is damaged: a file failed its checksum, or reading it failed.
    #[error("{0}")]
    Damaged(String),
    /// Tantivy failed while searching.
    #[error("search failed: {0}")]
    Tantivy(tantivy::TantivyError),
}

impl From<tantivy::TantivyError> for SearchError {
    /// A file that cannot be read, or data that does not decode, is damage.
    fn from(e: tantivy::TantivyError) -> Self {
        // While searching, a failed read is damage too.
        match e {
            e if index::is_damage(&e) || matches!(e, tantivy::TantivyError::IoError(_)) => {
                SearchError::Damaged(format!(
                    "the index is damaged ({e}): run `archive reindex --full` to rebuild it"
                ))
            }
            e => SearchError::Tantivy(e),
        }
    }
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first; ties broken by newer date.
    Relevance,
    /// Newest entry first.
    Newest,
    /// Oldest entry first.
    Oldest,
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Sort, String> {
        match s {
            "relevance" => Ok(Sort::Relevance),
            "newest" => Ok(Sort::Newest),
            "oldest" => Ok(Sort::Oldest),
            _ => Err(format!("`{s}` is not a sort order: use relevance, newest or oldest")),
        }
    }
}

/// A search: the query text and structured filters added to it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query, in the query language.
    pub q: String,
    /// Topics every hit must have (added to the query's filters).
    pub topics: Vec<String>,
    /// Sources every hit must have.
    pub sources: Vec<String>,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// The order; by default relevance, or newest for an empty query.
    pub sort: Option<Sort>,
    /// 1-based page number.
    pub page: usize,
    /// Hits per page, at most [`MAX_PER_PAGE`].
    pub per_page: usize,
    /// The day relative dates (`after:-30d`) count from; today by default.
    pub today: Option<NaiveDate>,
    /// Hits one per item, or grouped by entry (pages then count entries).
    pub group: Group,
}

/// How hits are returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// One hit per matching item.
    #[default]
    Item,
    /// Matching items grouped under their entry; a page is `per_page` entries.
    Entry,
}

impl std::str::FromStr for Group {
    type Err = String;
    fn from_str(s: &str) -> Result<Group, String> {
        match s {
            "item" => Ok(Group::Item),
            "entry" => Ok(Group::Entry),
            _ => Err(format!("`{s}` is not a grouping: use item or entry")),
        }
    }
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            topics: vec![],
            sources: vec![],
            from: None,
            to: None,
            sort: None,
            page: 1,
            per_page: 10,
            today: None,
            group: Group::Item,
        }
    }
}

impl SearchRequest {
    /// A request for this query with defaults for everything else.
    pub fn new(q: impl Into<String>) -> Self {
        SearchRequest { q: q.into(), ..Default::default() }
    }
}

/// One matching item.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Its entry's id.
    pub entry_id: String,
    /// Its anchor in the entry (`/entries/{entry_id}#{anchor}`).
    pub anchor: String,
    /// Its entry's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Its entry's title.
    pub entry_title: String,
    /// Its own title.
    pub title: String,
    /// The headings above it.
    pub context: Option<String>,
    /// A fragment of its text, matched terms in `<mark>` (HTML, escaped).
    pub snippet: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Its sources.
    pub sources: Vec<String>,
    /// Its relevance score.
    pub score: f32,
}

/// Facet counts over all matching items.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// Topics, most frequent first.
    pub topics: Vec<FacetCount>,
    /// Sources, most frequent first.
    pub sources: Vec<FacetCount>,
    /// Months (`2026-04`), most frequent first.
    pub months: Vec<FacetCount>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Matching items in all.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Hits per page.
    pub per_page: usize,
    /// How the query was read.
    pub interpreted: String,
    /// What was dropped or read differently.
    pub warnings: Vec<String>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Counts over all matches.
    pub facets: Facets,
    /// Distinct entries among all matching items.
    pub total_entries: usize,
    /// With `group=entry`: this page's entries, each with its best matching items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<EntryGroup>>,
    /// With no results: how many items each part of the query matches on its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<ClauseCount>,
    /// With no results: spellings from the index's own words ("did you mean").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
}

/// An entry and its matching items on a grouped page.
#[derive(Debug, Clone, Serialize)]
pub struct EntryGroup {
    /// The entry id.
    pub entry_id: String,
    /// Its title.
    pub entry_title: String,
    /// Its date.
    pub date: Option<String>,
    /// Matching items in this entry (among the first scanned).
    pub matches: usize,
    /// Its best matching items, at most [`ITEMS_PER_GROUP`].
    pub hits: Vec<Hit>,
}

/// Items matched by one part of a query that found nothing as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseCount {
    /// The part, as interpreted.
    pub clause: String,
    /// Items it matches alone.
    pub count: usize,
}

/// A spelling suggestion: a query word not in the index, and a near word that is.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// The suggested word.
    pub suggestion: String,
    /// The whole query with the word replaced.
    pub query: String,
}

/// An item as the index holds it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Anchor.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Headings above it.
    pub context: Option<String>,
    /// Byte offset of its anchor block in the entry's Markdown.
    #[serde(skip)]
    pub offset: usize,
    /// Plain text.
    pub text: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Links.
    pub links: Vec<Link>,
}

/// An entry as the index holds it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Series.
    pub series: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Other list facets.
    pub facets: std::collections::BTreeMap<String, Vec<String>>,
    /// File below the archive root.
    pub path: String,
    /// Problems found when it was read.
    pub warnings: Vec<String>,
    /// Items in document order.
    pub items: Vec<ItemView>,
    /// The Markdown body.
    #[serde(skip)]
    pub markdown: String,
}

/// A searcher over one index, shared by every request.
pub struct Engine {
    handle: IndexHandle,
    reader: IndexReader,
    /// What the last [`Engine::verify`] found wrong, if anything.
    damage: std::sync::RwLock<Option<String>>,
}

impl Engine {
    /// Opens the index at `path` for searching; it follows new commits by itself.
    pub fn open(path: &Path) -> Result<Engine, SearchError> {
        let handle = index::open(path)?;
        let reader = handle
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| index::damaged(path, source))?;
        Ok(Engine { handle, reader, damage: Default::default() })
    }

    /// Checks every file of the index against its checksum (see [`index::verify`]);
    /// until a later check passes, [`Engine::health`] reports the damage.
    pub fn verify(&self) -> Result<index::VerifyReport, SearchError> {
        let result = index::verify(&self.handle.index, &self.handle.path);
        *self.damage.write().unwrap_or_else(|e| e.into_inner()) =
            result.as_ref().err().map(ToString::to_string);
        Ok(result?)
    }

    fn fields(&self) -> &Fields {
        &self.handle.fields
    }

    /// Runs a search. Tantivy trusts the bytes it reads and can panic on a flipped bit
    /// that only a checksum pass would catch: such a panic is reported as damage.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_search(request)))
            .unwrap_or_else(|_| {
                Err(SearchError::Damaged(format!(
                    "the index at {} could not be read: it is probably damaged; run `archive check` to find the file and `archive reindex --full` to rebuild it",
                    self.handle.path.display()
                )))
            })
    }

    fn run_search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        if request.page == 0 || request.page > MAX_PAGE {
            return Err(SearchError::BadParameter {
                param: "page",
                message: format!("must be between 1 and {MAX_PAGE}"),
            });
        }
        if request.per_page == 0 || request.per_page > MAX_PER_PAGE {
            return Err(SearchError::BadParameter {
                param: "per_page",
                message: format!("must be between 1 and {MAX_PER_PAGE}"),
            });
        }
        let searcher = self.reader.searcher();
        let f = self.fields();
        let today = request.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
        let is_facet = |name: &str| build::has_facet(&searcher, f, name);
        let parsed = query::parse(&request.q, today, &is_facet)?;
        let browsing = parsed.root.is_none();
        let sort = request.sort.unwrap_or(if browsing { Sort::Newest } else { Sort::Relevance });
        let mut warnings = parsed.warnings.clone();
        let speller = suggest::Speller::new(&searcher, f);
        let mut built = build::build(f, &speller, &parsed, request, false);
        let mut found = self.collect(&searcher, &*built.query, request, sort)?;
        // When only a handful of items have every word, the words become optional:
        // items with more of them still rank first, and the reader is told.
        if found.total < FALLBACK_BELOW && build::relaxable(&parsed.root) {
            let relaxed = build::build(f, &speller, &parsed, request, true);
            let again = self.collect(&searcher, &*relaxed.query, request, sort)?;
            if again.total > found.total {
                let words =
                    parsed.root.as_ref().map(|r| r.positive_words().join(", ")).unwrap_or_default();
                warnings.push(format!(
                    "only {} item(s) contain every word; also showing items that contain some of them (not required: {words})",
                    found.total
                ));
                (built, found) = (relaxed, again);
            }
        }
        warnings.extend(built.warnings.iter().cloned());
        let query = built.query;
        let Found { ranked, total, facets, total_entries } = found;

        // Snippets mark the query's words; a query of filters only shows each item's lead.
        let has_words = parsed.root.as_ref().is_some_and(|r| !r.positive_words().is_empty());
        let snippets = if has_words {
            let mut snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
            snippets.set_max_num_chars(220);
            Some(snippets)
        } else {
            None
        };
        let bodies = std::cell::RefCell::new(Bodies::new(&searcher, f));
        let hit = |(score, address): (f32, DocAddress)| {
            self.hit(&searcher, &mut bodies.borrow_mut(), snippets.as_ref(), score, address)
        };
        let (hits, groups) = match request.group {
            Group::Item => (ranked.into_iter().map(hit).collect::<Result<Vec<_>, _>>()?, None),
            Group::Entry => {
                let mut groups = vec![];
                for (entry_id, items) in facets::group_by_entry(&searcher, &ranked)?
                    .into_iter()
                    .skip((request.page - 1) * request.per_page)
                    .take(request.per_page)
                {
                    let matches = items.len();
                    let hits = items
                        .into_iter()
                        .take(ITEMS_PER_GROUP)
                        .map(hit)
                        .collect::<Result<Vec<_>, _>>()?;
                    let first = &hits[0];
                    groups.push(EntryGroup {
                        entry_id,
                        entry_title: first.entry_title.clone(),
                        date: first.date.clone(),
                        matches,
                        hits,
                    });
                }
                (groups.iter().flat_map(|g| g.hits.clone()).collect(), Some(groups))
            }
        };
        let explanation = if total == 0 {
            suggest::explain(&searcher, f, &speller, &parsed.root, request)?
        } else {
            vec![]
        };
        // "Did you mean": whenever a word is in no item, whether or not a near word
        // was searched in its place.
        let suggestions = suggest::suggestions(&speller, &request.q, &parsed.root);
        Ok(SearchResults {
            total,
            page: request.page,
            per_page: request.per_page,
            interpreted: built.interpreted,
            warnings,
            took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
            hits,
            facets,
            total_entries,
            groups,
            explanation,
            suggestions,
        })
    }

    /// Runs a query once: the ranked page (or the scan for grouping), the total, facet
    /// counts and distinct entries, in one pass over the matches.
    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn tantivy::query::Query,
        request: &SearchRequest,
        sort: Sort,
    ) -> Result<Found, SearchError> {
        // Grouped pages scan the best items once and page over their entries.
        let (limit, offset) = match request.group {
            Group::Item => (request.per_page, (request.page - 1) * request.per_page),
            Group::Entry => (GROUP_SCAN, 0),
        };
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let by_date = || SortByStaticFastValue::<u64>::for_field("day");
        let collectors = (
            Count,
            facets::FacetCollector::new(vec![("topics", FACET_LIMIT), ("sources", FACET_LIMIT)]),
            facets::MonthCollector,
            facets::EntryCount,
        );
        let (ranked, (total, counts, months, total_entries)): (Vec<(f32, DocAddress)>, _) =
            match sort {
                Sort::Relevance => {
                    let top = top
                        .order_by(((SortBySimilarityScore, Order::Desc), (by_date(), Order::Desc)));
                    let (docs, rest) = searcher.search(query, &(top, collectors))?;
                    (docs.into_iter().map(|((score, _), addr)| (score, addr)).collect(), rest)
                }
                Sort::Newest | Sort::Oldest => {
                    let order = if sort == Sort::Newest { Order::Desc } else { Order::Asc };
                    let top =
                        top.order_by(((by_date(), order), (SortBySimilarityScore, Order::Desc)));
                    let (docs, rest) = searcher.search(query, &(top, collectors))?;
                    (docs.into_iter().map(|((_, score), addr)| (score, addr)).collect(), rest)
                }
            };

        let [topics, sources] = <[Vec<FacetCount>; 2]>::try_from(counts).unwrap_or_default();
        let facets = Facets { topics, sources, months };
        Ok(Found { ranked, total, facets, total_entries })
    }

    /// Loads one hit: its stored fields and a snippet of its text.
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        bodies: &mut Bodies,
        snippets: Option<&SnippetGenerator>,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit, SearchError> {
        let f = self.fields();
        let doc: TantivyDocument = searcher.doc(address)?;
        let entry_id = first_str(&doc, f.entry_id);
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let (ord, start, end) = (number(f.ord), number(f.offset), number(f.end));
        let markdown = bodies.of(&entry_id, address, ord)?;
        let text = markdown.get(start as usize..end as usize).map(plain_text).unwrap_or_default();
        let snippet = match snippets {
            Some(snippets) => {
                let mut snippet = snippets.snippet(&text);
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                Some(snippet).filter(|s| !s.is_empty()).map(|s| s.to_html())
            }
            None => None,
        };
        let snippet = snippet.unwrap_or_else(|| lead(&text, 220));
        Ok(Hit {
            entry_id,
            anchor: first_str(&doc, f.anchor),
            date: date_of(&doc, f),
            entry_title: first_str(&doc, f.entry_title),
            title: first_str(&doc, f.title),
            context: Some(first_str(&doc, f.context)).filter(|c| !c.is_empty()),
            snippet,
            topics: all_str(&doc, f.topics),
            sources: all_str(&doc, f.sources),
            score,
        })
    }

    /// One entry, as the index holds it; `None` when there is no such entry.
    pub fn entry(&self, id: &str) -> Result<Option<EntryView>, SearchError> {
        let searcher = self.reader.searcher();
        let f = self.fields();
        let query = TermQuery::new(Term::from_field_text(f.entry_id, id), IndexRecordOption::Basic);
        let addresses = searcher.search(&query, &DocSetCollector)?;
        let mut view: Option<EntryView> = None;
        let mut items: Vec<(u64, ItemView)> = vec![];
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(json) = doc.get_first(f.entry_json).and_then(|v| v.as_str()) {
                let meta: EntryMeta = serde_json::from_str(json).map_err(|e| {
                    tantivy::TantivyError::InternalError(format!(
                        "entry {id}: bad stored metadata: {e}"
                    ))
                })?;
                view = Some(EntryView {
                    id: id.to_string(),
                    title: first_str(&doc, f.entry_name),
                    date: date_in(&doc, f.entry_date),
                    authors: meta.authors,
                    series: meta.series,
                    tags: meta.tags,
                    facets: meta.facets,
                    path: meta.path,
                    warnings: meta.warnings,
                    items: vec![],
                    markdown: first_str(&doc, f.markdown),
                });
            } else {
                let ord = doc.get_first(f.ord).and_then(|v| v.as_u64()).unwrap_or(0);
                items.push((
                    ord,
                    ItemView {
                        anchor: first_str(&doc, f.anchor),
                        title: first_str(&doc, f.title),
                        context: Some(first_str(&doc, f.context)).filter(|c| !c.is_empty()),
                        offset: doc.get_first(f.offset).and_then(|v| v.as_u64()).unwrap_or(0)
                            as usize,
                        text: String::new(),
                        sources: all_str(&doc, f.sources),
                        topics: all_str(&doc, f.topics),
                        links: vec![],
                    },
                ));
            }
        }
        let Some(view) = view else { return Ok(None) };
        items.sort_by_key(|(ord, _)| *ord);
        // Texts and links come from the Markdown, item by item in the same order.
        let mut parsed = outline(&view.markdown).items.into_iter();
        let items = items
            .into_iter()
            .map(|(_, item)| match parsed.next() {
                Some(raw) => ItemView { text: raw.text, links: raw.links, ..item },
                None => item,
            })
            .collect();
        Ok(Some(EntryView { items, ..view }))
    }
}

/// The Markdown of the entries on a page of hits: the store keeps an entry's text
/// once, in its Markdown, and an item only where its part is. Each entry document is
/// read once per search.
struct Bodies<'a> {
    searcher: &'a tantivy::Searcher,
    f: &'a Fields,
    markdown: std::collections::HashMap<String, String>,
}

impl<'a> Bodies<'a> {
    fn new(searcher: &'a tantivy::Searcher, f: &'a Fields) -> Self {
        Bodies { searcher, f, markdown: Default::default() }
    }

    /// The Markdown of the entry of the item at `address` (empty if it is gone). An
    /// entry's documents are added in one batch, the entry's first: it sits `ord + 1`
    /// documents before its item, unless a merge moved it (then it is looked up).
    fn of(&mut self, entry_id: &str, address: DocAddress, ord: u64) -> tantivy::Result<&str> {
        if !self.markdown.contains_key(entry_id) {
            let f = self.f;
            let is_entry = |doc: &TantivyDocument| {
                doc.get_first(f.entry_id).and_then(|v| v.as_str()) == Some(entry_id)
                    && doc.get_first(f.markdown).is_some()
            };
            let guess = u32::try_from(ord + 1)
                .ok()
                .and_then(|back| address.doc_id.checked_sub(back))
                .map(|doc_id| DocAddress { doc_id, ..address });
            let mut found = match guess {
                Some(guess) => Some(self.searcher.doc::<TantivyDocument>(guess)?),
                None => None,
            }
            .filter(is_entry);
            if found.is_none() {
                let term = |field, text: &str| -> Box<dyn tantivy::query::Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, text),
                        IndexRecordOption::Basic,
                    ))
                };
                let query = tantivy::query::BooleanQuery::intersection(vec![
                    term(f.entry_id, entry_id),
                    term(f.kind, "entry"),
                ]);
                if let Some(at) = self.searcher.search(&query, &DocSetCollector)?.into_iter().next()
                {
                    found = Some(self.searcher.doc(at)?);
                }
            }
            let markdown = found.map(|doc| first_str(&doc, f.markdown)).unwrap_or_default();
            self.markdown.insert(entry_id.to_string(), markdown);
        }
        Ok(&self.markdown[entry_id])
    }
}

fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

fn all_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field).filter_map(|v| v.as_str()).map(str::to_string).collect()
}

fn date_of(doc: &TantivyDocument, f: &Fields) -> Option<String> {
    date_in(doc, f.date)
}

fn date_in(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .and_then(from_datetime)
        .map(|d| d.to_string())
}

/// The start of a text, escaped for HTML, when no term of the query is in it.
fn lead(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if out.len() < text.len() {
        if let Some(space) = out.rfind(char::is_whitespace) {
            out.truncate(space);
        }
        out.push('…');
    }
    escape_html(&out)
}

/// Escapes text for HTML (pulldown-cmark's escaper, the one its HTML renderer uses).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}
