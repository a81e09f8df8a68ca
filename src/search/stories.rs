//! A hit's story: the other items, in other digests, that cite what it cites or retell
//! its text (the ids of its links' story keys and of its text's near duplicates,
//! [`crate::digest::stories`]). Read per page of hits, a small query per story,
//! remembered for the commit; and the first mentions of a ranked list (`group=story`).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::collectors::{Columns, DayRange, EntryCount};
use super::compile::{term_or_phrase, tokens, without_drafts};
use super::engine::Facts;
use super::query::quote;
use super::stored::first_str;
use super::{Engine, MAX_PER_PAGE, SearchError, SearchRequest, Sort, Story, StoryKind, StoryView};
use crate::index::{Fields, Kind, field, from_day_number};

/// A ranked item that is the first mention of its stories, with its story ids.
pub type FirstMention = ((f32, DocAddress), Vec<String>);
/// The story ids of each item, from the `stories` column of its segment (they are not
/// stored), the dictionary of each segment read once, in order.
pub fn story_ids(
    searcher: &Searcher,
    columns: &Columns,
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<Vec<String>>> {
    let mut out = vec![vec![]; addresses.len()];
    let mut segments: Vec<u32> = addresses.iter().map(|a| a.segment_ord).collect();
    segments.sort_unstable();
    segments.dedup();
    for segment in segments {
        let reader = searcher.segment_reader(segment);
        let Some(column) = columns.str(reader, field::STORIES)? else { continue };
        let mut wanted: Vec<(u64, usize)> = vec![];
        for (i, address) in addresses.iter().enumerate() {
            if address.segment_ord == segment {
                wanted.extend(column.term_ords(address.doc_id).map(|ord| (ord, i)));
            }
        }
        wanted.sort_unstable();
        let mut ords: Vec<u64> = wanted.iter().map(|&(ord, _)| ord).collect();
        ords.dedup();
        let mut next = wanted.iter().peekable();
        let mut ords_iter = ords.iter();
        column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
            let ord = ords_iter.next().copied();
            let id = String::from_utf8_lossy(term).into_owned();
            while let Some(&&(o, i)) = next.peek() {
                if Some(o) != ord {
                    break;
                }
                out[i].push(id.clone());
                next.next();
            }
        })?;
    }
    Ok(out)
}

/// The stories read in one commit, by id, shared by its searches: a story is a
/// function of the commit alone, and the same few come back page after page (reading
/// one is three small searches and a stored document). Forgotten all at once when full.
#[derive(Default)]
pub struct Known(Mutex<HashMap<String, Option<Story>>>);

/// Stories [`Known`] holds at most (each ~100 bytes).
const KNOWN_MOST: usize = 100_000;

impl Known {
    fn get(&self, id: &str) -> Option<Option<Story>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    fn insert(&self, id: &str, story: Option<Story>) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KNOWN_MOST {
            known.clear();
        }
        known.insert(id.to_string(), story);
    }
}

/// The stories of one page of hits.
pub struct Stories<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    drafts: bool,
    /// Items a link may be cited by before it is boilerplate.
    most_items: u64,
    /// The commit's columns and the stories read in it.
    facts: &'a Facts,
}

impl<'a> Stories<'a> {
    /// Stories over one searcher (drafts counted when they are shown). A story cited by
    /// more than the settings' share of the entries (and by enough items) is boilerplate:
    /// a digest's own home page, its Discord, its sign-off.
    pub fn new(
        searcher: &'a Searcher,
        f: &'a Fields,
        facts: &'a Facts,
        drafts: bool,
    ) -> tantivy::Result<Self> {
        let settings = &facts.stories;
        let entries = searcher.doc_freq(&f.kind_term(Kind::Entry))?;
        let share = (entries as f64 * settings.boilerplate_share) as u64;
        let most_items = share.max(settings.boilerplate_items);
        Ok(Stories { searcher, f, drafts, most_items, facts })
    }

    /// The story of an item citing these story ids: the one in the most entries, if any
    /// is in two or more.
    pub fn of(&self, ids: &[String]) -> tantivy::Result<Option<Story>> {
        let mut best: Option<Story> = None;
        for id in ids {
            let story = self.read(id)?;
            // The one in most entries; of those, the smallest id (whatever order the
            // ids come in).
            if let Some(story) = story
                && best.as_ref().is_none_or(|b| (story.entries, &b.id) > (b.entries, &story.id))
            {
                best = Some(story);
            }
        }
        Ok(best)
    }

    /// The first `need` of the ranked items that are not a later mention of a story told
    /// by an item before them (the best-ranked mention stands for the others), each
    /// with its story ids. Items are read a page at a time (reading an item's ids
    /// decodes the column's dictionary) and only ids an item shares with the items
    /// before it are looked up.
    pub fn first_mentions(
        &self,
        ranked: Vec<(f32, DocAddress)>,
        need: usize,
    ) -> tantivy::Result<Vec<FirstMention>> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut first = vec![];
        for chunk in ranked.chunks(need.max(1)) {
            let addresses: Vec<DocAddress> = chunk.iter().map(|&(_, at)| at).collect();
            let ids = story_ids(self.searcher, &self.facts.columns, &addresses)?;
            for (&ranked, ids) in chunk.iter().zip(ids) {
                let mut retold = false;
                for id in ids.iter().filter(|id| seen.contains(*id)) {
                    if self.of(std::slice::from_ref(id))?.is_some() {
                        retold = true;
                        break;
                    }
                }
                seen.extend(ids.iter().cloned());
                if !retold {
                    first.push((ranked, ids));
                }
            }
            if first.len() >= need {
                break;
            }
        }
        Ok(first)
    }

    /// A story that is one: cited in two or more entries, by no more items than
    /// boilerplate is.
    pub fn read(&self, id: &str) -> tantivy::Result<Option<Story>> {
        if let Some(known) = self.facts.known_stories.get(id) {
            return Ok(known);
        }
        let story = self.look_up(id)?;
        self.facts.known_stories.insert(id, story.clone());
        Ok(story)
    }

    fn look_up(&self, id: &str) -> tantivy::Result<Option<Story>> {
        let cited = self.searcher.doc_freq(&Term::from_field_text(self.f.stories, id))?;
        if cited < 2 || cited > self.most_items {
            return Ok(None);
        }
        let Some(story) = self.counted(id)?.filter(|story| story.entries >= 2) else {
            return Ok(None);
        };
        if self.recurring_section(&story)? {
            return Ok(None);
        }
        Ok(Some(story))
    }

    /// Whether a story's mentions are a section that every issue has ("Crate of the
    /// Week: this week's crate is ...", "Jobs: see the hiring thread"), alike in text or
    /// citing the same page: its first mention's title is in more than twice as many
    /// entries as the story. A story told again keeps its title only where it is told.
    fn recurring_section(&self, story: &Story) -> tantivy::Result<bool> {
        let tokens = tokens(&self.first_title(&story.id)?);
        if tokens.is_empty() {
            return Ok(false);
        }
        let titled = self
            .searcher
            .search(&*term_or_phrase(self.f.title, &tokens), &EntryCount(&self.facts.columns))?;
        Ok(titled.distinct as u64 > 2 * story.entries)
    }

    /// The items that cite a story (drafts among them when they are shown).
    fn citing(&self, id: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(self.f.stories, id);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        if self.drafts { query } else { without_drafts(self.f, query) }
    }

    /// The title of a story's first mention ("" when none is dated or none cites it).
    pub fn first_title(&self, id: &str) -> tantivy::Result<String> {
        let oldest = TopDocs::with_limit(1).order_by_fast_field::<u64>(field::DAY, Order::Asc);
        let Some((_, address)) = self.searcher.search(&*self.citing(id), &oldest)?.pop() else {
            return Ok(String::new());
        };
        Ok(first_str(&self.searcher.doc::<TantivyDocument>(address)?, self.f.title))
    }

    /// A story's counts and dates, however few or many cite it (`None`: none does).
    pub fn counted(&self, id: &str) -> tantivy::Result<Option<Story>> {
        let (items, entries, days) = self.searcher.search(
            &*self.citing(id),
            &(Count, EntryCount(&self.facts.columns), DayRange(&self.facts.columns)),
        )?;
        if items == 0 {
            return Ok(None);
        }
        let day = |d: u64| from_day_number(d).map(|d| d.to_string());
        Ok(Some(Story {
            id: id.to_string(),
            kind: StoryKind::of(id),
            items: items as u64,
            entries: entries.distinct as u64,
            first_seen: days.and_then(|(first, _)| day(first)),
            last_seen: days.and_then(|(_, last)| day(last)),
        }))
    }
}

impl Engine {
    /// Every story: cited in two or more entries, boilerplate left out; those in most
    /// entries first. A pass over the whole `stories` dictionary: for reports, not for
    /// requests.
    pub fn stories(&self) -> Result<Vec<Story>, SearchError> {
        let searcher = self.reader.searcher();
        let facts = self.facts(&searcher)?;
        let stories = Stories::new(&searcher, self.fields(), &facts, self.drafts)?;
        let mut ids = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields().stories)?;
            let mut terms = inverted.terms().stream().map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                ids.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        let mut found = vec![];
        for id in ids {
            found.extend(stories.read(&id)?);
        }
        found.sort_by(|a, b| (b.entries, &a.id).cmp(&(a.entries, &b.id)));
        Ok(found)
    }

    /// One story by its id: every mention oldest first (the first 100), their topics
    /// and sources. `None` when no item cites it.
    pub fn story(&self, id: &str) -> Result<Option<StoryView>, SearchError> {
        let searcher = self.reader.searcher();
        let facts = self.facts(&searcher)?;
        let stories = Stories::new(&searcher, self.fields(), &facts, self.drafts)?;
        let Some(story) = stories.counted(id)? else {
            return Ok(None);
        };
        let request = SearchRequest {
            q: format!("story:{}", quote(id)),
            sort: Some(Sort::Oldest),
            per_page: MAX_PER_PAGE,
            ..SearchRequest::default()
        };
        let results = self.search(&request)?;
        Ok(Some(StoryView {
            story,
            mentions: results.hits,
            topics: results.facets.topics,
            sources: results.facets.sources,
        }))
    }
}
