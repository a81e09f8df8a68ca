//! A hit's story: the other items, in other digests, that cite what it cites (the
//! item's links' story keys, [`crate::digest::stories`]). Read per page of hits, a
//! small query per story, remembered for the page.

use std::collections::HashMap;

use tantivy::collector::Count;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::collectors::{DayRange, EntryCount};
use super::compile::without_drafts;
use super::query::quote;
use super::{Engine, MAX_PER_PAGE, SearchError, SearchRequest, Sort, Story, StoryView};
use crate::index::{Fields, Kind, from_day_number};

/// A link cited by more than this share of the entries is boilerplate (a digest's own
/// home page, its Discord, its sponsor): it never makes a story.
const BOILERPLATE_SHARE: u64 = 5;
/// ...and by at least this many items: in a small archive a story may well be in most
/// entries.
const BOILERPLATE_FLOOR: u64 = 10;

/// The stories of one page of hits.
pub struct Stories<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    drafts: bool,
    /// Items a link may be cited by before it is boilerplate.
    most_items: u64,
    memo: HashMap<String, Option<Story>>,
}

impl<'a> Stories<'a> {
    /// Stories over one searcher (drafts counted when they are shown).
    pub fn new(searcher: &'a Searcher, f: &'a Fields, drafts: bool) -> tantivy::Result<Self> {
        let entries = searcher.doc_freq(&f.kind_term(Kind::Entry))?;
        let most_items = (entries / BOILERPLATE_SHARE).max(BOILERPLATE_FLOOR);
        Ok(Stories { searcher, f, drafts, most_items, memo: HashMap::new() })
    }

    /// The story of an item citing these story ids: the one in the most entries, if any
    /// is in two or more.
    pub fn of(&mut self, ids: &[String]) -> tantivy::Result<Option<Story>> {
        let mut best: Option<Story> = None;
        for id in ids {
            let story = match self.memo.get(id) {
                Some(known) => known.clone(),
                None => {
                    let story = self.read(id)?;
                    self.memo.insert(id.clone(), story.clone());
                    story
                }
            };
            if let Some(story) = story
                && best.as_ref().is_none_or(|b| story.entries > b.entries)
            {
                best = Some(story);
            }
        }
        Ok(best)
    }

    fn read(&self, id: &str) -> tantivy::Result<Option<Story>> {
        let cited = self.searcher.doc_freq(&Term::from_field_text(self.f.stories, id))?;
        if cited < 2 || cited > self.most_items {
            return Ok(None);
        }
        Ok(self.counted(id)?.filter(|story| story.entries >= 2))
    }

    /// A story's counts and dates, however few or many cite it (`None`: none does).
    pub fn counted(&self, id: &str) -> tantivy::Result<Option<Story>> {
        let term = Term::from_field_text(self.f.stories, id);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        let query = if self.drafts { query } else { without_drafts(self.f, query) };
        let (items, entries, days) =
            self.searcher.search(&*query, &(Count, EntryCount, DayRange))?;
        if items == 0 {
            return Ok(None);
        }
        let day = |d: u64| from_day_number(d).map(|d| d.to_string());
        Ok(Some(Story {
            id: id.to_string(),
            items: items as u64,
            entries: entries.distinct as u64,
            first_seen: days.and_then(|(first, _)| day(first)),
            last_seen: days.and_then(|(_, last)| day(last)),
        }))
    }
}

impl Engine {
    /// One story by its id: every mention oldest first (the first 100), their topics
    /// and sources. `None` when no item cites it.
    pub fn story(&self, id: &str) -> Result<Option<StoryView>, SearchError> {
        let searcher = self.reader.searcher();
        let Some(story) = Stories::new(&searcher, self.fields(), self.drafts)?.counted(id)? else {
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
