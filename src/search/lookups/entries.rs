//! Lookups around entries: one entry rebuilt from the index, all values of a facet,
//! the previous and next entry by date, related entries, and a health check.

use std::collections::{BTreeSet, HashMap};

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption::{self, Basic};
use tantivy::schema::Value;
use tantivy::{DateTime, Order, TantivyDocument, Term};

use crate::digest::meaning::{apart_from, direction};
use crate::digest::outline::outline;
use crate::digest::stories::StoryId;
use crate::index::{Counted, EntryMeta, Kind, field, from_datetime, to_datetime};
use crate::search::abandon::checkpoint;
use crate::search::collectors::{FacetCollector, group_by_entry};
use crate::search::meaning::{Allowed, fuse, nearest};
use crate::search::rank::Ranked;
use crate::search::stored::{all_str, date_in, first_str, first_u64, precision_in};
use crate::search::stories::{Stories, story_ids};
use crate::search::{
    Engine, EntryLink, EntryView, FacetCount, Health, ItemView, SearchError, query::compile,
};

/// The items of other entries each way of finding related entries ranks.
const RELATED_DEPTH: usize = 200;

/// The least cosine of an item near an entry's direction: none, since that direction has
/// the mean of every item taken out of it, which lowers every cosine (in a small archive
/// below 0 for all), and a related entry is only the nearest there is.
const RELATED_MIN_COSINE: f32 = f32::MIN;

/// The weight of the meaning's ranking, for related entries, beside that of shared topics
/// and sources (1).
const RELATED_MEANING_WEIGHT: f32 = 1.0;

/// A facet that can be listed in full.
#[derive(Debug, Clone, Copy)]
pub enum Facet {
    /// Topics.
    Topics,
    /// Sources.
    Sources,
}

impl Engine {
    /// One entry, as the index holds it; `None` when there is no such entry. Its
    /// items' texts and links are read again from its Markdown, item by item in order.
    pub fn entry(&self, id: &str) -> Result<Option<EntryView>, SearchError> {
        let searcher = self.reader.searcher();
        let f = self.fields();
        let query = TermQuery::new(Term::from_field_text(f.entry_id, id), IndexRecordOption::Basic);
        let mut view: Option<EntryView> = None;
        let mut items: Vec<(u64, ItemView)> = vec![];
        let mut addresses = vec![];
        for (n, address) in searcher.search(&query, &DocSetCollector)?.into_iter().enumerate() {
            if n % 64 == 0 {
                checkpoint()?;
            }
            let doc: TantivyDocument = searcher.doc(address)?;
            match doc.get_first(f.entry_json).and_then(|v| v.as_str()) {
                Some(json) => view = Some(entry_view(id, &doc, json, f)?),
                None => {
                    items.push((first_u64(&doc, f.ord), item_view(&doc, f)));
                    addresses.push(address);
                }
            }
        }
        let Some(view) = view.filter(|v| self.drafts || !v.draft) else { return Ok(None) };
        let facts = self.facts(&searcher)?;
        for ((_, item), ids) in
            items.iter_mut().zip(story_ids(&searcher, &facts.columns, &addresses)?)
        {
            item.story_ids = ids;
        }
        items.sort_by_key(|(ord, _)| *ord);
        let names = &facts.names;
        checkpoint()?;
        let mut parsed = outline(&view.markdown).items.into_iter();
        let items = items
            .into_iter()
            .map(|(_, item)| match parsed.next() {
                Some(raw) => ItemView {
                    text: raw.text,
                    links: raw.links,
                    sources: names.show_all(item.sources),
                    ..item
                },
                None => ItemView { sources: names.show_all(item.sources), ..item },
            })
            .collect();
        Ok(Some(EntryView { items, ..view }))
    }

    /// Documents of one kind, drafts left out unless they are shown.
    fn kind(&self, kind: Kind) -> Box<dyn Query> {
        let query = compile::kind(self.fields(), kind);
        if self.drafts { query } else { compile::without_drafts(self.fields(), query) }
    }

    /// Every value of a facet over all items, with counts, most frequent first.
    pub fn facet_values(&self, facet: Facet) -> Result<Vec<FacetCount>, SearchError> {
        let group = match facet {
            Facet::Topics => Counted::Topic,
            Facet::Sources => Counted::Source,
        };
        let searcher = self.reader.searcher();
        let facts = self.facts(&searcher)?;
        let collector = FacetCollector::new(&facts.columns, vec![(group, usize::MAX)]);
        let values =
            searcher.search(&*self.kind(Kind::Item), &collector)?.pop().unwrap_or_default();
        Ok(match facet {
            Facet::Sources => facts.names.merge(values),
            Facet::Topics => values,
        })
    }

    /// Entries and items from every segment's term dictionary (cheap, and it fails on
    /// a damaged index). Counts include documents deleted but not yet merged away.
    pub fn health(&self) -> Result<Health, SearchError> {
        if let Some(cause) = self.damage.read().unwrap_or_else(|e| e.into_inner()).clone() {
            return Err(SearchError::Damaged(cause));
        }
        let searcher = self.reader.searcher();
        let count = |kind| searcher.doc_freq(&self.fields().kind_term(kind));
        Ok(Health {
            entries: count(Kind::Entry)? as usize,
            items: count(Kind::Item)? as usize,
            segments: searcher.segment_readers().len(),
        })
    }

    /// The entries just before and just after this one by date (ties by id).
    pub fn neighbours(
        &self,
        entry: &EntryView,
    ) -> Result<(Option<EntryLink>, Option<EntryLink>), SearchError> {
        let Some(date) = entry.date.as_deref().and_then(crate::digest::date::parse_shown) else {
            return Ok((None, None));
        };
        let f = self.fields();
        let searcher = self.reader.searcher();
        let at = Term::from_field_date(f.entry_date, to_datetime(date));
        let mut found = [None, None];
        for (slot, order, range) in [
            (
                0,
                Order::Desc,
                RangeQuery::new(std::ops::Bound::Unbounded, std::ops::Bound::Included(at.clone())),
            ),
            (
                1,
                Order::Asc,
                RangeQuery::new(std::ops::Bound::Included(at.clone()), std::ops::Bound::Unbounded),
            ),
        ] {
            let query = BooleanQuery::new(vec![
                (Occur::Must, self.kind(Kind::Entry)),
                (Occur::Must, Box::new(range)),
            ]);
            let top =
                TopDocs::with_limit(64).order_by_fast_field::<DateTime>(field::ENTRY_DATE, order);
            let me = (date, entry.id.as_str());
            let mut best: Option<((chrono::NaiveDate, String), EntryLink)> = None;
            for (_, address) in searcher.search(&query, &top)? {
                let doc: TantivyDocument = searcher.doc(address)?;
                let d = doc
                    .get_first(f.entry_date)
                    .and_then(|v| v.as_datetime())
                    .and_then(from_datetime);
                let (Some(d), id) = (d, first_str(&doc, f.entry_id)) else { continue };
                let key = (d, id.clone());
                let wanted = if slot == 0 {
                    (key.0, key.1.as_str()) < me
                } else {
                    (key.0, key.1.as_str()) > me
                };
                let closer =
                    best.as_ref().is_none_or(|(b, _)| if slot == 0 { key > *b } else { key < *b });
                if wanted && closer {
                    let link = EntryLink {
                        id,
                        title: first_str(&doc, f.entry_name),
                        date: Some(d.to_string()),
                    };
                    best = Some((key, link));
                }
            }
            found[slot] = best.map(|(_, link)| link);
        }
        let [previous, next] = found;
        Ok((previous, next))
    }

    /// Entries that cite the same stories as this one, then those sharing its topics
    /// and sources or near it in meaning, best first.
    pub fn related(&self, entry: &EntryView, limit: usize) -> Result<Vec<EntryLink>, SearchError> {
        self.related_by(entry, limit, RelatedBy::ALL)
    }

    /// Related entries found by some of the ways only ([`RelatedBy`]): the quality tool
    /// measures each alone.
    pub fn related_by(
        &self,
        entry: &EntryView,
        limit: usize,
        by: RelatedBy,
    ) -> Result<Vec<EntryLink>, SearchError> {
        let f = self.fields();
        let searcher = self.reader.searcher();
        let facts = self.facts(&searcher)?;
        let this_entry = || -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f.entry_id, &entry.id),
                IndexRecordOption::Basic,
            ))
        };
        // Items of other entries that `query` matches, best first.
        let others = |query: Box<dyn Query>| -> tantivy::Result<Ranked> {
            let query = BooleanQuery::new(vec![
                (Occur::Must, self.kind(Kind::Item)),
                (Occur::Must, query),
                (Occur::MustNot, this_entry()),
            ]);
            searcher.search(&query, &TopDocs::with_limit(RELATED_DEPTH).order_by_score())
        };
        let mut by_stories = vec![];
        if by.stories {
            let stories = Stories::new(&searcher, f, &facts, self.drafts)?;
            let ids: BTreeSet<StoryId> =
                entry.items.iter().flat_map(|i| i.story_ids.iter().copied()).collect();
            let mut cited: Vec<(Occur, Box<dyn Query>)> = vec![];
            for id in ids {
                if stories.read(id)?.is_some() {
                    let term = Term::from_field_u64(f.stories, id.0);
                    cited.push((Occur::Should, Box::new(TermQuery::new(term, Basic))));
                }
            }
            if !cited.is_empty() {
                by_stories = others(Box::new(BooleanQuery::new(cited)))?;
            }
        }
        let mut by_facets = vec![];
        if by.facets {
            let mut weights: HashMap<(bool, &str), usize> = HashMap::new();
            for item in &entry.items {
                item.topics.iter().for_each(|t| *weights.entry((true, t)).or_default() += 1);
                item.sources.iter().for_each(|s| *weights.entry((false, s)).or_default() += 1);
            }
            let mut terms: Vec<_> = weights.into_iter().collect();
            terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let shared: Vec<(Occur, Box<dyn Query>)> = terms
                .into_iter()
                .take(12)
                .map(|((topic, value), _)| {
                    let field = if topic { f.topics } else { f.sources };
                    let term = Term::from_field_text(field, &value.to_lowercase());
                    let q: Box<dyn Query> = Box::new(TermQuery::new(term, Basic));
                    (Occur::Should, q)
                })
                .collect();
            if !shared.is_empty() {
                by_facets = others(Box::new(BooleanQuery::new(shared)))?;
            }
        }
        let mut by_meaning = vec![];
        if by.meaning {
            let items = BooleanQuery::new(vec![
                (Occur::Must, self.kind(Kind::Item)),
                (Occur::Must, this_entry()),
            ]);
            let mut vectors = vec![];
            for at in searcher.search(&items, &DocSetCollector)? {
                vectors.extend(self.vectors.of(&searcher, &facts.columns, at)?);
            }
            let mean = self.vectors.mean(&searcher, &facts.columns)?;
            if let Some(vector) = direction(vectors).and_then(|v| apart_from(&v, &mean)) {
                let allowed = BooleanQuery::new(vec![
                    (Occur::Must, self.kind(Kind::Item)),
                    (Occur::MustNot, this_entry()),
                ]);
                let (columns, vectors) = (&facts.columns, &self.vectors);
                by_meaning = nearest(
                    &searcher,
                    columns,
                    vectors,
                    Allowed::Matching(&allowed),
                    &vector,
                    RELATED_DEPTH,
                    RELATED_MIN_COSINE,
                )?;
            }
        }
        checkpoint()?;
        // Entries sharing a story first, then the rest of both rankings fused.
        let (fused, _) = fuse(&by_facets, &by_meaning, RELATED_MEANING_WEIGHT);
        let mut links: Vec<EntryLink> = vec![];
        for ranked in [by_stories, fused] {
            for (id, items) in group_by_entry(&searcher, &facts.columns, &ranked)? {
                if links.len() == limit {
                    return Ok(links);
                }
                if links.iter().any(|link| link.id == id) {
                    continue;
                }
                let doc: TantivyDocument = searcher.doc(items[0].1)?;
                links.push(EntryLink {
                    id,
                    title: first_str(&doc, f.entry_title),
                    date: date_in(&doc, f.date, f.date_precision),
                });
            }
        }
        Ok(links)
    }
}

/// The ways of finding an entry's related entries: the stories it cites, its topics and
/// sources, its meaning (the direction of its items' vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelatedBy {
    /// Entries citing one of its stories, first.
    pub stories: bool,
    /// Entries sharing its topics and sources, most shared first.
    pub facets: bool,
    /// Entries whose items are nearest in meaning.
    pub meaning: bool,
}

impl RelatedBy {
    /// Every way, as the entry page finds them.
    pub const ALL: RelatedBy = RelatedBy { stories: true, facets: true, meaning: true };
}

/// An entry document as a view (its items still to come).
fn entry_view(
    id: &str,
    doc: &TantivyDocument,
    json: &str,
    f: &crate::index::Fields,
) -> tantivy::Result<EntryView> {
    let meta: EntryMeta = serde_json::from_str(json).map_err(|e| {
        tantivy::TantivyError::InternalError(format!("entry {id}: bad stored metadata: {e}"))
    })?;
    Ok(EntryView {
        id: id.to_string(),
        title: first_str(doc, f.entry_name),
        date: date_in(doc, f.entry_date, f.date_precision),
        date_precision: doc.get_first(f.entry_date).map(|_| precision_in(doc, f.date_precision)),
        date_source: meta.date_source,
        authors: meta.authors,
        series: meta.series,
        tags: meta.tags,
        facets: meta.facets,
        path: meta.path,
        warnings: meta.warnings,
        items: vec![],
        markdown: first_str(doc, f.markdown),
        draft: meta.draft,
    })
}

/// An item document as a view (its text and links still to come).
fn item_view(doc: &TantivyDocument, f: &crate::index::Fields) -> ItemView {
    ItemView {
        anchor: first_str(doc, f.anchor),
        title: first_str(doc, f.title),
        context: Some(first_str(doc, f.context)).filter(|c| !c.is_empty()),
        offset: first_u64(doc, f.offset) as usize,
        text: String::new(),
        sources: all_str(doc, f.sources),
        topics: all_str(doc, f.topics),
        links: vec![],
        story_ids: vec![],
    }
}
