//! What a search needs to know of the whole index, read once per commit and shared by
//! the searches of that commit: the names the archive gives domains, the languages of
//! its entries, its story settings, its columns, and the stories read so far.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::Searcher;

use super::Story;
use super::collectors::Columns;
use super::names::SourceNames;
use crate::digest::stories::StoryId;
use crate::digest::taxonomy::StorySettings;
use crate::index::{self, Fields, language_query_analyzer};

/// What a search needs to know of the whole index, read once per commit.
pub(super) struct Facts {
    /// The names the archive gives domains.
    pub names: SourceNames,
    /// The languages of its entries other than English, that have a stemmer.
    pub languages: Vec<String>,
    /// How its stories were found, and what is boilerplate.
    pub stories: StorySettings,
    /// The columns of its segments, opened as searches need them.
    pub columns: Columns,
    /// The stories its searches have read.
    pub known_stories: Known,
}

impl Facts {
    pub(super) fn read(searcher: &Searcher, f: &Fields) -> tantivy::Result<Facts> {
        let mut languages = vec![];
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.lang)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let Ok(code) = std::str::from_utf8(stream.key()) else { continue };
                if code != "en"
                    && !languages.iter().any(|l| l == code)
                    && language_query_analyzer(code).is_some()
                {
                    languages.push(code.to_string());
                }
            }
        }
        languages.sort();
        let stories = index::story_settings(searcher.index());
        let names = SourceNames::read(searcher, f)?;
        let (columns, known_stories) = Default::default();
        Ok(Facts { names, languages, stories, columns, known_stories })
    }
}

/// The stories read in one commit, by id, shared by its searches: a story is a
/// function of the commit alone, and the same few come back page after page (reading
/// one is three small searches and a stored document). Forgotten all at once when full.
#[derive(Default)]
pub struct Known(Mutex<HashMap<StoryId, Option<Story>>>);

/// Stories [`Known`] holds at most (each ~100 bytes).
const KNOWN_MOST: usize = 100_000;

impl Known {
    pub(super) fn get(&self, id: StoryId) -> Option<Option<Story>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    pub(super) fn insert(&self, id: StoryId, story: Option<Story>) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KNOWN_MOST {
            known.clear();
        }
        known.insert(id, story);
    }
}
