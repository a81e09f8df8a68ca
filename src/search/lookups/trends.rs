//! A topic's or a source's trend: its items per month, its first and busiest months,
//! what it comes with, the stories that ran longest in it and its newest items. One
//! search (the newest items and the counts, estimated past the count limit like any
//! search's) and one pass over its matches for its first and last day and its stories
//! (the `stories` column).

use chrono::NaiveDate;

use crate::digest::stories::StoryId;
use crate::index::{field, from_day_number};
use crate::search::abandon::checkpoint;
use crate::search::collectors::{DayRange, TopValues};
use crate::search::query::quote;
use crate::search::stored::Bodies;
use crate::search::stories::Stories;
use crate::search::{
    Engine, FacetCount, SearchError, SearchRequest, Sort, StoryLine, Trend, TrendOf,
};

/// The newest items a trend shows.
const NEWEST: usize = 10;
/// The stories most cited among a trend's items that are weighed for the longest.
const STORY_CANDIDATES: usize = 100;
/// The longest stories a trend shows.
const LONGEST: usize = 8;
/// The busiest months a trend names.
const BUSIEST: usize = 3;
/// The co-topics and sources a trend shows.
const COMPANIONS: usize = 12;

impl Engine {
    /// The trend of one topic or source; `None` when no item has it.
    pub fn trend(&self, of: TrendOf, value: &str) -> Result<Option<Trend>, SearchError> {
        let q = format!("{}:{}", of.filter(), quote(value));
        let request = SearchRequest {
            q: q.clone(),
            sort: Some(Sort::Newest),
            per_page: NEWEST,
            ..SearchRequest::default()
        };
        let results = self.search(&request)?;
        if results.total == 0 {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let query = self.compile(&searcher, &q)?;
        let facts = self.facts(&searcher)?;
        let cited =
            TopValues { columns: &facts.columns, field: field::STORIES, limit: STORY_CANDIDATES };
        let (days, cited) = searcher.search(&*query, &(DayRange(&facts.columns), cited))?;

        let stories = Stories::new(&searcher, self.fields(), &facts, self.drafts)?;
        let mut longest = vec![];
        for (id, _) in cited {
            checkpoint()?;
            if let Some(story) = stories.read(StoryId(id))? {
                longest.push((span(&story), StoryId(id), story));
            }
        }
        longest.sort_by(|(a_days, _, a), (b_days, _, b)| {
            (b_days, b.entries, &a.id).cmp(&(a_days, a.entries, &b.id))
        });
        // The longest whose mentions say different things first: a listing repeated word
        // for word ran long without being told again.
        let (mut told, mut repeated) = (vec![], vec![]);
        let mut bodies = Bodies::new(&searcher, self.fields());
        for (days, id, story) in longest {
            if told.len() == LONGEST {
                break;
            }
            checkpoint()?;
            let versions = stories.versions(id, &mut bodies)?;
            match versions {
                0 | 1 if repeated.len() < LONGEST => repeated.push((id, story, days, versions)),
                0 | 1 => {}
                _ => told.push((id, story, days, versions)),
            }
        }
        told.extend(repeated);
        told.truncate(LONGEST);
        let stories = told
            .into_iter()
            .map(|(id, story, days, versions)| {
                Ok(StoryLine { title: stories.first_title(id)?, story, days, versions })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;

        let own = match of {
            TrendOf::Topic => vec![value.to_lowercase()],
            TrendOf::Source => facts.names.spellings(value),
        };
        let others = |values: Vec<FacetCount>, skip: &[String]| -> Vec<FacetCount> {
            let kept = values.into_iter().filter(|v| !skip.contains(&v.value.to_lowercase()));
            kept.take(COMPANIONS).collect()
        };
        let (topics, sources) = match of {
            TrendOf::Topic => (&own[..], &[][..]),
            TrendOf::Source => (&[][..], &own[..]),
        };
        let months = every_month(&results.facets.months);
        let mut busiest: Vec<FacetCount> = months.iter().filter(|m| m.count > 0).cloned().collect();
        busiest.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        busiest.truncate(BUSIEST);
        let day = |d: u64| from_day_number(d).map(|d| d.to_string());
        Ok(Some(Trend {
            of,
            value: value.to_string(),
            items: results.total,
            entries: results.total_entries,
            total_is_estimate: results.total_is_estimate,
            first_seen: days.and_then(|(first, _)| day(first)),
            last_seen: days.and_then(|(_, last)| day(last)),
            months,
            busiest_months: busiest,
            topics: others(results.facets.topics, topics),
            sources: others(results.facets.sources, sources),
            stories,
            newest: results.hits,
        }))
    }
}

/// Days from a story's first mention to its last.
pub(crate) fn span(story: &crate::search::Story) -> u64 {
    let date = |d: &Option<String>| d.as_deref().and_then(crate::digest::date::parse_shown);
    match (date(&story.first_seen), date(&story.last_seen)) {
        (Some(first), Some(last)) => (last - first).num_days().max(0) as u64,
        _ => 0,
    }
}

/// Counts per month (`YYYY-MM`, in any order) as every month from the first to the
/// last, oldest first, the months without any at 0.
pub fn every_month(months: &[FacetCount]) -> Vec<FacetCount> {
    let start = |m: &FacetCount| NaiveDate::parse_from_str(&format!("{}-01", m.value), "%Y-%m-%d");
    let mut dated: Vec<(NaiveDate, u64)> =
        months.iter().filter_map(|m| Some((start(m).ok()?, m.count))).collect();
    dated.sort();
    let (Some(&(first, _)), Some(&(last, _))) = (dated.first(), dated.last()) else {
        return vec![];
    };
    let mut counts = dated.into_iter().peekable();
    let mut out = vec![];
    let mut month = first;
    while month <= last {
        let mut count = 0;
        while let Some((_, n)) = counts.next_if(|(m, _)| *m == month) {
            count += n;
        }
        out.push(FacetCount { value: month.format("%Y-%m").to_string(), count });
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else { break };
        month = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(pairs: &[(&str, u64)]) -> Vec<FacetCount> {
        pairs.iter().map(|(v, c)| FacetCount { value: v.to_string(), count: *c }).collect()
    }

    #[test]
    fn every_month_fills_the_gaps_across_a_year() {
        let filled = every_month(&months(&[("2026-02", 3), ("2025-11", 1), ("bad", 9)]));
        assert_eq!(
            filled,
            months(&[("2025-11", 1), ("2025-12", 0), ("2026-01", 0), ("2026-02", 3)])
        );
        assert!(every_month(&[]).is_empty());
    }
}
