//! A hit's story: the other items, in other digests, that cite what it cites or retell
//! its text (the ids of its links' story keys and of its text's near duplicates,
//! [`crate::digest::stories`]). Read per page of hits, a small query per story,
//! remembered for the commit; and the first mentions of a ranked list (`group=story`).

use std::collections::HashSet;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::collectors::{Columns, DayRange, EntryCount};
use super::facts::Facts;
use super::query::compile::{term_or_phrase, tokens, without_drafts};
use super::stored::first_str;
use super::{Story, StoryKind};
use crate::digest::stories::StoryId;
use crate::index::{Fields, Kind, field, from_day_number};

/// A ranked item that is the first mention of its stories, with its story ids.
pub type FirstMention = ((f32, DocAddress), Vec<StoryId>);

/// The story ids of each item, from the `stories` column of its segment (they are not
/// stored).
pub fn story_ids(
    searcher: &Searcher,
    columns: &Columns,
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<Vec<StoryId>>> {
    let mut out = Vec::with_capacity(addresses.len());
    for address in addresses {
        let reader = searcher.segment_reader(address.segment_ord);
        let ids = match columns.u64_opt(reader, field::STORIES)? {
            Some(column) => column.values_for_doc(address.doc_id).map(StoryId).collect(),
            None => vec![],
        };
        out.push(ids);
    }
    Ok(out)
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
    pub fn of(&self, ids: &[StoryId]) -> tantivy::Result<Option<Story>> {
        let mut best: Option<Story> = None;
        for &id in ids {
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
    /// with its story ids. Items are read a page at a time and only ids an item shares
    /// with the items before it are looked up.
    pub fn first_mentions(
        &self,
        ranked: Vec<(f32, DocAddress)>,
        need: usize,
    ) -> tantivy::Result<Vec<FirstMention>> {
        let mut seen: HashSet<StoryId> = HashSet::new();
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
                seen.extend(ids.iter().copied());
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
    pub fn read(&self, id: StoryId) -> tantivy::Result<Option<Story>> {
        if let Some(known) = self.facts.known_stories.get(id) {
            return Ok(known);
        }
        let story = self.look_up(id)?;
        self.facts.known_stories.insert(id, story.clone());
        Ok(story)
    }

    fn look_up(&self, id: StoryId) -> tantivy::Result<Option<Story>> {
        let cited = self.searcher.doc_freq(&Term::from_field_u64(self.f.stories, id.0))?;
        if cited < 2 || cited > self.most_items {
            return Ok(None);
        }
        let Some(story) = self.counted(id)?.filter(|story| story.entries >= 2) else {
            return Ok(None);
        };
        if self.recurring_section(id, &story)? {
            return Ok(None);
        }
        Ok(Some(story))
    }

    /// Whether a story's mentions are a section that every issue has ("Crate of the
    /// Week: this week's crate is ...", "Jobs: see the hiring thread"), alike in text or
    /// citing the same page: its first mention's title is in more than twice as many
    /// entries as the story. A story told again keeps its title only where it is told.
    fn recurring_section(&self, id: StoryId, story: &Story) -> tantivy::Result<bool> {
        let tokens = tokens(&self.first_title(id)?);
        if tokens.is_empty() {
            return Ok(false);
        }
        let titled = self
            .searcher
            .search(&*term_or_phrase(self.f.title, &tokens), &EntryCount(&self.facts.columns))?;
        Ok(titled.distinct as u64 > 2 * story.entries)
    }

    /// The items that cite a story (drafts among them when they are shown).
    fn citing(&self, id: StoryId) -> Box<dyn Query> {
        let term = Term::from_field_u64(self.f.stories, id.0);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        if self.drafts { query } else { without_drafts(self.f, query) }
    }

    /// The title of a story's first mention ("" when none is dated or none cites it).
    pub fn first_title(&self, id: StoryId) -> tantivy::Result<String> {
        let oldest = TopDocs::with_limit(1).order_by_fast_field::<u64>(field::DAY, Order::Asc);
        let Some((_, address)) = self.searcher.search(&*self.citing(id), &oldest)?.pop() else {
            return Ok(String::new());
        };
        Ok(first_str(&self.searcher.doc::<TantivyDocument>(address)?, self.f.title))
    }

    /// A story's counts and dates, however few or many cite it (`None`: none does).
    pub fn counted(&self, id: StoryId) -> tantivy::Result<Option<Story>> {
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
            kind: if id.is_text() { StoryKind::Text } else { StoryKind::Link },
            items: items as u64,
            entries: entries.distinct as u64,
            first_seen: days.and_then(|(first, _)| day(first)),
            last_seen: days.and_then(|(_, last)| day(last)),
        }))
    }
}
