//! Items per month as a bar chart drawn on the server (SVG, no script): one bar per
//! month from the first to the last, gaps included, each a link; a count axis with
//! round ticks and a month axis labelled as often as the labels fit.

use chrono::{Datelike, NaiveDate};

use crate::search::{FacetCount, every_month};

/// Room left of the plot for the count labels.
const LEFT: usize = 40;
/// Above the plot, so the top label is not cut.
const TOP: usize = 6;
/// The plot's height.
const PLOT: usize = 60;
/// Below the plot, for the month labels.
const BOTTOM: usize = 18;
/// Room a month label takes ("Sep 2026" at the chart's font size).
const LABEL: usize = 54;

/// One bar: a month, its count and where it links.
pub struct Bar {
    pub x: usize,
    /// Where its month's slot begins: the whole slot is its link's target.
    pub slot_x: usize,
    pub y: usize,
    pub width: usize,
    pub slot: usize,
    pub height: usize,
    pub url: String,
    pub label: String,
}

/// A labelled tick: where it is on its axis, and its text.
pub struct Tick {
    pub at: usize,
    pub label: String,
}

/// A chart ready for `chart.html`'s macro.
pub struct Chart {
    pub width: usize,
    pub height: usize,
    /// Where the plot begins (x) and its baseline (y).
    pub left: usize,
    pub baseline: usize,
    pub bars: Vec<Bar>,
    /// Count ticks: `at` is a y.
    pub counts: Vec<Tick>,
    /// Month ticks: `at` is the x of the month's bar's middle.
    pub months: Vec<Tick>,
    /// What it shows, said in words (the figure's caption and the SVG's label).
    pub caption: String,
}

impl Chart {
    /// The chart of counts per month (`YYYY-MM`), each bar linking to `url(month)`;
    /// `None` when no month has a count.
    pub fn months(
        what: &str,
        months: &[FacetCount],
        url: impl Fn(&str) -> String,
    ) -> Option<Chart> {
        let all = every_month(months);
        let (first, last) = (all.first()?, all.last()?);
        let top = round_up(all.iter().map(|m| m.count).max().unwrap_or(0).max(1));
        // The months share 720 units (each at least 6); a bar is at most 40 wide, so a
        // few months do not stretch into slabs.
        let slot = (720 / all.len()).clamp(6, 180);
        let width = (slot * 4 / 5).clamp(1, 40);
        let baseline = TOP + PLOT;
        let bars = all
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let height = match m.count {
                    0 => 0,
                    n => ((n as usize * PLOT) / top as usize).max(2),
                };
                Bar {
                    x: LEFT + i * slot + (slot - width) / 2,
                    slot_x: LEFT + i * slot,
                    y: baseline - height,
                    width,
                    slot,
                    height,
                    url: url(&m.value),
                    label: format!("{}: {} {what}", m.value, m.count),
                }
            })
            .collect();
        let halves = if top.is_multiple_of(2) { vec![0, top / 2, top] } else { vec![0, top] };
        let counts = halves
            .into_iter()
            .map(|n| Tick {
                at: baseline - (n as usize * PLOT) / top as usize,
                label: n.to_string(),
            })
            .collect();
        let step = month_step(slot);
        let months = all
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let date =
                    NaiveDate::parse_from_str(&format!("{}-01", m.value), "%Y-%m-%d").ok()?;
                let labelled = if step >= 12 {
                    date.month0() == 0 && date.year().rem_euclid((step / 12) as i32) == 0
                } else {
                    date.month0() % step as u32 == 0
                };
                labelled.then(|| Tick {
                    at: LEFT + i * slot + slot / 2,
                    label: date.format("%b %Y").to_string(),
                })
            })
            .collect();
        let caption = if first.value == last.value {
            format!("{} per month: {}", capitalised(what), first.value)
        } else {
            format!("{} per month, {} to {}", capitalised(what), first.value, last.value)
        };
        Some(Chart {
            width: LEFT + all.len() * slot + 4,
            height: baseline + BOTTOM,
            left: LEFT,
            baseline,
            bars,
            counts,
            months,
            caption,
        })
    }
}

/// The smallest of 1, 2, 5 times a power of ten that is at least `n`.
fn round_up(n: u64) -> u64 {
    let mut power = 1;
    loop {
        for step in [1, 2, 5] {
            if step * power >= n {
                return step * power;
            }
        }
        power *= 10;
    }
}

/// Months between labels, so that labels `LABEL` wide do not overlap: 1, 2, 3, 6
/// (aligned on the year's months) or whole years.
fn month_step(slot: usize) -> usize {
    let needed = LABEL.div_ceil(slot);
    [1, 2, 3, 6, 12, 24, 60, 120].into_iter().find(|&s| s >= needed).unwrap_or(120)
}

fn capitalised(what: &str) -> String {
    let mut chars = what.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(value: &str, count: u64) -> FacetCount {
        FacetCount { value: value.into(), count }
    }

    #[test]
    fn a_year_and_a_half_has_every_month_a_bar_and_round_count_ticks() {
        let chart = Chart::months("items", &[month("2025-11", 7), month("2027-04", 38)], |m| {
            format!("/search?q=date:{m}")
        })
        .unwrap();
        assert_eq!(chart.bars.len(), 18);
        assert_eq!(chart.bars[1].height, 0, "a month without items has no bar");
        assert_eq!(chart.bars[17].label, "2027-04: 38 items");
        assert_eq!(chart.bars[17].url, "/search?q=date:2027-04");
        let counts: Vec<&str> = chart.counts.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(counts, ["0", "25", "50"]);
        // 18 slots of 40 units: a label every 2 months, on the even months.
        let months: Vec<&str> = chart.months.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(months[..3], ["Nov 2025", "Jan 2026", "Mar 2026"]);
        assert_eq!(chart.caption, "Items per month, 2025-11 to 2027-04");
    }

    #[test]
    fn ten_years_are_labelled_once_a_year() {
        let chart =
            Chart::months("items", &[month("2016-01", 1), month("2025-12", 1)], |_| String::new())
                .unwrap();
        let months: Vec<&str> = chart.months.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(months.len(), 10, "{months:?}");
        assert_eq!(months[..2], ["Jan 2016", "Jan 2017"]);
        assert!(Chart::months("items", &[], |_| String::new()).is_none());
    }

    #[test]
    fn round_up_goes_to_one_two_five() {
        let cases = [(1, 1), (3, 5), (7, 10), (38, 50), (120, 200), (5000, 5000)];
        for (n, want) in cases {
            assert_eq!(round_up(n), want, "{n}");
        }
    }
}
