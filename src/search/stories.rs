//! A hit's story: the other items, in other digests, that cite what it cites or retell
//! its text (the ids of its links' story keys and of its text's near duplicates,
//! [`crate::digest::stories`]). Read per page of hits, a small query per story,
//! remembered for the commit; and the first mentions of a ranked list (`group=story`).

use std::collections::HashSet;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::collectors::{Columns, DayRange, EntryCount};
use super::facts::Facts;
use super::lookups::span;
use super::query::compile::{term_or_phrase, tokens, without_drafts};
use super::snippets::item_text;
use super::stored::{Bodies, first_str};
use super::{Story, StoryKind};
use crate::digest::date::opens_with_coming_day;
use crate::digest::stories::StoryId;
use crate::index::{Fields, Kind, field, from_datetime, from_day_number};

/// Mentions whose titles [`Stories::one_heading`] compares and whose words
/// [`Stories::versions`] tells apart.
const MENTIONS_READ: usize = 20;
/// Characters of a mention's text that say, beside its title, what it is about: a
/// snippet's worth.
const SAID_CHARS: usize = 220;
/// Entries, and days from the first to the last, from which the same words or heading
/// are a standing blurb rather than a story told again.
const STANDING_ENTRIES: u64 = 4;
const STANDING_DAYS: u64 = 28;
/// Entries, and days from the first to the last, from which a link whose mentions all
/// say one thing is a listing run again (a call for help for three weeks) rather than a
/// story.
const RERUN_ENTRIES: u64 = 3;
const RERUN_DAYS: u64 = 14;

/// A title's words for comparing it: lower-cased, letters only (numbers and dates
/// left out).
fn title_words(title: &str) -> HashSet<String> {
    title
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What a mention says, for telling the mentions of a story apart: the headings it is
/// under, and the words of its title and of its text's lead as the index cuts them,
/// numbers left out (a listing's date, an episode's number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    context: String,
    words: HashSet<String>,
}

impl Said {
    /// What a mention under `context`, titled `title`, with `text`, says.
    pub fn new(context: &str, title: &str, text: &str) -> Said {
        let lead: String = text.chars().take(SAID_CHARS).collect();
        let words = tokens(&format!("{title}\n{lead}")).into_iter();
        let words = words.filter(|t| !t.chars().all(|c| c.is_ascii_digit())).collect();
        Said { context: context.to_string(), words }
    }

    /// Whether another mention says this again: under the same headings, mostly in the
    /// same words (a proposal moving from "New RFCs" to "Final Comment Period" is told
    /// anew, an event listed again under "Upcoming Events" is not).
    fn again(&self, other: &Said) -> bool {
        self.context == other.context && alike(&self.words, &other.words)
    }
}

/// Whether two sets of words are mostly one: they share half of all their words or more.
fn alike(a: &HashSet<String>, b: &HashSet<String>) -> bool {
    let shared = a.intersection(b).count();
    shared > 0 && 2 * shared >= a.union(b).count()
}

/// For each mention, in order: the first mention before it that says something new and
/// that it says again ([`Said::again`]), or `None` when it says something new itself.
pub fn says_again(said: &[Said]) -> Vec<Option<usize>> {
    let mut again: Vec<Option<usize>> = Vec::with_capacity(said.len());
    for (i, this) in said.iter().enumerate() {
        let first = (0..i).find(|&j| again[j].is_none() && said[j].again(this));
        again.push(first);
    }
    again
}

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

    /// Whether a story's mentions are a section that issues repeat ("Crate of the
    /// Week: this week's crate is ...", "CFP - Projects: every week we highlight ...",
    /// "2024-12-04 Seattle Rust Meetup"), alike in text or citing the same page, whatever
    /// share of the issues have it:
    /// - a text retold in [`StorySettings::boilerplate_items`] entries or more, or in
    ///   [`STANDING_ENTRIES`] over [`STANDING_DAYS`] or more (a copied summary runs for
    ///   days, a standing paragraph or a project's blurb for months), or saying one thing
    ///   ([`Stories::versions`]) over [`STANDING_DAYS`] (a blurb copied a month later), or a
    ///   link under one heading ([`Stories::one_heading`]) in that many entries;
    /// - a link whose mentions all say one thing ([`Stories::versions`]) in
    ///   [`RERUN_ENTRIES`] over [`RERUN_DAYS`] or more: a call for help or an event
    ///   listed week after week;
    /// - the first mention and most others are a calendar's listings
    ///   ([`Stories::listing`]): an event listed until it happens;
    /// - its first mention's title (numbers and dates left out, unless they are most of
    ///   it) is in more than twice as many entries as the story (a story told again
    ///   keeps its title only where it is told), or, once the story is in that many
    ///   entries, in as many.
    ///
    /// [`StorySettings::boilerplate_items`]: crate::digest::taxonomy::StorySettings
    fn recurring_section(&self, id: StoryId, story: &Story) -> tantivy::Result<bool> {
        let many = self.facts.stories.boilerplate_items;
        // A heading alone says less than a text: "Swift Forums" heads a new thread each
        // week, so only a text is a standing blurb by its months.
        let standing = story.entries >= STANDING_ENTRIES && span(story) >= STANDING_DAYS;
        let rerun = story.entries >= RERUN_ENTRIES && span(story) >= RERUN_DAYS;
        let blurb = id.is_text() && span(story) >= STANDING_DAYS;
        if (id.is_text() && (story.entries >= many || standing))
            || (blurb && self.versions(id, &mut Bodies::new(self.searcher, self.f))? < 2)
            || (story.entries >= many && self.one_heading(id)?)
            || (rerun
                && !id.is_text()
                && self.versions(id, &mut Bodies::new(self.searcher, self.f))? < 2)
        {
            return Ok(true);
        }
        let first = self.first_mention(id)?;
        let title = first.as_ref().map(|doc| first_str(doc, self.f.title)).unwrap_or_default();
        if first.as_ref().is_some_and(|doc| self.listing(doc)) && self.mostly_listings(id)? {
            return Ok(true);
        }
        // Numbers left out (a listing's date), unless they are most of the title (an
        // identifier: "SR-1048").
        let mut tokens = tokens(&title);
        let words: Vec<String> =
            tokens.iter().filter(|t| !t.chars().all(|c| c.is_ascii_digit())).cloned().collect();
        if words.len() >= 2 {
            tokens = words;
        }
        if tokens.is_empty() {
            return Ok(false);
        }
        let titled = self
            .searcher
            .search(&*term_or_phrase(self.f.title, &tokens), &EntryCount(&self.facts.columns))?;
        let titled = titled.distinct as u64;
        Ok(titled > 2 * story.entries || (story.entries >= many && titled >= story.entries))
    }

    /// Whether most of a story's first mentions (up to [`MENTIONS_READ`]) have one title,
    /// numbers aside and a word or two changed ("2024-04-05 | Kampala | Rust Circle
    /// Meetup" week after week; "No calls for testing were issued this week by Cargo"):
    /// a heading the issues repeat under the same link. A story told again is retitled by
    /// each digest that tells it.
    fn one_heading(&self, id: StoryId) -> tantivy::Result<bool> {
        let mut titles = vec![];
        for address in self.oldest(id, MENTIONS_READ)? {
            let title = first_str(&self.searcher.doc::<TantivyDocument>(address)?, self.f.title);
            titles.push(title_words(&title));
        }
        let most = titles.iter().map(|t| titles.iter().filter(|u| alike(t, u)).count()).max();
        Ok(most.unwrap_or(0) * 5 >= titles.len() * 3)
    }

    /// How many different things a story's first mentions (up to [`MENTIONS_READ`]) say
    /// ([`says_again`]): 1 for a listing repeated word for word (an event week after
    /// week, a job ad, a tracking issue), more for a story that each telling moves on.
    /// `bodies` keeps the entries read for the next call.
    pub fn versions(&self, id: StoryId, bodies: &mut Bodies) -> tantivy::Result<usize> {
        let said: Vec<_> = self.said(id, MENTIONS_READ, bodies)?.into_iter().map(|m| m.1).collect();
        Ok(says_again(&said).iter().filter(|again| again.is_none()).count())
    }

    /// What a story's oldest `limit` mentions say ([`Said`]), oldest first, each with its
    /// place: its entry id and anchor.
    pub fn said(
        &self,
        id: StoryId,
        limit: usize,
        bodies: &mut Bodies,
    ) -> tantivy::Result<Vec<((String, String), Said)>> {
        let mut out = vec![];
        for address in self.oldest(id, limit)? {
            let doc: TantivyDocument = self.searcher.doc(address)?;
            let (entry_id, title, text) = item_text(self.f, bodies, &doc, address)?;
            let said = Said::new(&first_str(&doc, self.f.context), &title, &text);
            out.push(((entry_id, first_str(&doc, self.f.anchor)), said));
        }
        Ok(out)
    }

    /// A story's oldest `limit` mentions, oldest first.
    fn oldest(&self, id: StoryId, limit: usize) -> tantivy::Result<Vec<DocAddress>> {
        let oldest = TopDocs::with_limit(limit).order_by_fast_field::<u64>(field::DAY, Order::Asc);
        let found = self.searcher.search(&*self.citing(id), &oldest)?;
        Ok(found.into_iter().map(|(_, address)| address).collect())
    }

    /// The items that cite a story (drafts among them when they are shown).
    fn citing(&self, id: StoryId) -> Box<dyn Query> {
        let term = Term::from_field_u64(self.f.stories, id.0);
        let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        if self.drafts { query } else { without_drafts(self.f, query) }
    }

    /// The title of a story's first mention ("" when none is dated or none cites it).
    pub fn first_title(&self, id: StoryId) -> tantivy::Result<String> {
        let first = self.first_mention(id)?;
        Ok(first.map(|doc| first_str(&doc, self.f.title)).unwrap_or_default())
    }

    /// A story's first mention, if any.
    fn first_mention(&self, id: StoryId) -> tantivy::Result<Option<TantivyDocument>> {
        match self.oldest(id, 1)?.pop() {
            Some(address) => Ok(Some(self.searcher.doc(address)?)),
            None => Ok(None),
        }
    }

    /// Whether an item is a calendar's listing: its title opens with a day to come, or of
    /// its digest's week ("2025-05-16 | Utrecht, NL | RustWeek Hackathon", "Sep 13. Utah Rust
    /// meetup").
    fn listing(&self, doc: &TantivyDocument) -> bool {
        let day = doc.get_first(self.f.date).and_then(|v| v.as_datetime()).and_then(from_datetime);
        day.is_some_and(|day| opens_with_coming_day(&first_str(doc, self.f.title), day))
    }

    /// Whether most of a story's first mentions (up to [`MENTIONS_READ`]; three in five, as
    /// for [`Stories::one_heading`]) are listings: an event listed week after week until
    /// it happens, a meetup's series.
    fn mostly_listings(&self, id: StoryId) -> tantivy::Result<bool> {
        let (mut listed, mut read) = (0, 0);
        for address in self.oldest(id, MENTIONS_READ)? {
            read += 1;
            listed += usize::from(self.listing(&self.searcher.doc(address)?));
        }
        Ok(listed * 5 >= read * 3)
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
