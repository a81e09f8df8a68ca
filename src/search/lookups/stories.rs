//! Stories as lookups: every story of the index (for reports), and one story with its
//! mentions oldest first.

use std::collections::HashMap;

use crate::digest::stories::StoryId;
use crate::search::abandon::checkpoint;
use crate::search::stored::Bodies;
use crate::search::stories::{Said, Stories, says_again};
use crate::search::{
    Engine, MAX_PER_PAGE, Mention, SearchError, SearchRequest, Sort, Story, StoryView,
};

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
                let bytes = terms.key().try_into().ok().map(u64::from_be_bytes);
                ids.extend(bytes.map(StoryId));
            }
        }
        let mut found = vec![];
        for id in ids {
            found.extend(stories.read(id)?);
        }
        found.sort_by(|a, b| (b.entries, &a.id).cmp(&(a.entries, &b.id)));
        Ok(found)
    }

    /// One story by its id: every mention oldest first (the first 100), each with the
    /// mention before it that it says again, if any; their topics and sources. `None`
    /// when no item cites it.
    pub fn story(&self, id: &str) -> Result<Option<StoryView>, SearchError> {
        let Ok(id) = id.parse::<StoryId>() else { return Ok(None) };
        let searcher = self.reader.searcher();
        let facts = self.facts(&searcher)?;
        let stories = Stories::new(&searcher, self.fields(), &facts, self.drafts)?;
        let Some(story) = stories.counted(id)? else {
            return Ok(None);
        };
        let request = SearchRequest {
            q: format!("story:{id}"),
            sort: Some(Sort::Oldest),
            per_page: MAX_PER_PAGE,
            ..SearchRequest::default()
        };
        let results = self.search(&request)?;
        checkpoint()?;
        // What each mention says, found by its place (the same mentions, read apart).
        let mut bodies = Bodies::new(&searcher, self.fields());
        let mut said: HashMap<(String, String), Said> =
            stories.said(id, MAX_PER_PAGE, &mut bodies)?.into_iter().collect();
        let said: Vec<Said> = results
            .hits
            .iter()
            .map(|hit| {
                let place = (hit.entry_id.clone(), hit.anchor.clone());
                said.remove(&place).unwrap_or_else(|| {
                    Said::new(hit.context.as_deref().unwrap_or(""), &hit.title, "")
                })
            })
            .collect();
        let again = says_again(&said);
        Ok(Some(StoryView {
            story,
            versions: again.iter().filter(|a| a.is_none()).count(),
            mentions: results
                .hits
                .into_iter()
                .zip(again)
                .map(|(hit, says_again)| Mention { hit, says_again })
                .collect(),
            topics: results.facets.topics,
            sources: results.facets.sources,
        }))
    }
}
