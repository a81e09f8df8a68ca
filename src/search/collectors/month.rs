//! Matching items per month, from the dense `day` fast field.

use std::collections::HashMap;

use chrono::Datelike;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;
use crate::index::{field, from_day_number};
use crate::search::FacetCount;

/// Counts matching items per month (`2026-04`), from the `day` fast field: a counter
/// per day in the segment's range, turned into months once per segment.
pub struct MonthCollector<'a>(pub &'a Columns);

/// Per segment: the day column and a counter per day from its smallest value.
pub struct MonthSegmentCollector {
    column: tantivy::columnar::Column<u64>,
    min: u64,
    counts: Vec<u64>,
}

impl Collector for MonthCollector<'_> {
    type Fruit = Vec<FacetCount>;
    type Child = MonthSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let column = self.0.u64(segment, field::DAY)?;
        let (min, max) = (column.min_value(), column.max_value());
        let span = if max >= min { (max - min + 1) as usize } else { 0 };
        Ok(MonthSegmentCollector { column, min, counts: vec![0; span] })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut months: HashMap<String, u64> = HashMap::new();
        for (month, count) in fruits.into_iter().flatten() {
            *months.entry(month).or_default() += count;
        }
        let mut out: Vec<FacetCount> =
            months.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(out)
    }
}

impl SegmentCollector for MonthSegmentCollector {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(day) = self.column.first(doc)
            && let Some(count) = self.counts.get_mut((day - self.min) as usize)
        {
            *count += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        // Walk the days in order, a month's counts together: one string per month.
        // Day 0 is "no date": counting starts at day 1.
        let mut by_month: Vec<((i32, u32), u64)> = vec![];
        let mut date = from_day_number(self.min.max(1));
        for &count in self.counts.iter().skip((self.min.max(1) - self.min) as usize) {
            let Some(day) = date else { break };
            if count > 0 {
                let key = (day.year(), day.month());
                match by_month.last_mut() {
                    Some((last, n)) if *last == key => *n += count,
                    _ => by_month.push((key, count)),
                }
            }
            date = day.succ_opt();
        }
        by_month
            .into_iter()
            .map(|((year, month), count)| (format!("{year:04}-{month:02}"), count))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use tantivy::schema::{FAST, Schema};
    use tantivy::{Index, TantivyDocument, doc};

    use super::MonthCollector;
    use crate::index::{day_number, field};
    use crate::search::FacetCount;
    use crate::search::collectors::Columns;

    #[test]
    fn counts_months_across_segments_and_skips_undated() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let day = builder.add_u64_field(field::DAY, FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        let date = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        for segment in [
            vec![date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 30), None],
            vec![date(2026, 4, 15), date(2025, 12, 31)],
        ] {
            for d in segment {
                writer.add_document(doc!(day => day_number(d)))?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        let months =
            searcher.search(&tantivy::query::AllQuery, &MonthCollector(&Columns::default()))?;
        let want = |value: &str, count| FacetCount { value: value.into(), count };
        assert_eq!(months, vec![want("2026-04", 3), want("2025-12", 1), want("2026-03", 1)]);
        Ok(())
    }
}
