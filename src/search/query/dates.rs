//! Date values of the query language: days, months, years, ranges, relative dates.

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::DateRange;

/// `2026`, `2026-04`, `2026-04-16`, `A..B`, relative `-30d`/`-2w`/`-6m`/`-1y`, `today`,
/// `yesterday` -> a half-open range of days.
pub fn date_range(value: &str, today: NaiveDate) -> Option<DateRange> {
    if let Some((a, b)) = value.split_once("..") {
        let from = if a.is_empty() { None } else { Some(date_range(a, today)?.from?) };
        let to = if b.is_empty() { None } else { Some(date_range(b, today)?.to?) };
        return Some(DateRange { from, to });
    }
    let day = |d: NaiveDate| DateRange { from: Some(d), to: d.succ_opt() };
    match value.to_ascii_lowercase().as_str() {
        "today" => return Some(day(today)),
        "yesterday" => return today.pred_opt().map(day),
        _ => {}
    }
    if let Some(rel) = value.strip_prefix('-') {
        let (n, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit())?);
        let n: u32 = n.parse().ok().filter(|&n| n <= 100_000)?;
        let start = match unit {
            "d" => today.checked_sub_signed(Duration::days(n.into()))?,
            "w" => today.checked_sub_signed(Duration::weeks(n.into()))?,
            "m" => today.checked_sub_months(Months::new(n))?,
            "y" => today.checked_sub_months(Months::new(n.checked_mul(12)?))?,
            _ => return None,
        };
        return Some(DateRange { from: Some(start), to: None });
    }
    let parts: Vec<&str> = value.split(['-', '/']).collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let year = |s: &str| {
        Some(s)
            .filter(|s| s.len() == 4)
            .and_then(|s| s.parse::<i32>().ok())
            .filter(|y| (1000..=9998).contains(y))
    };
    match parts.as_slice() {
        [y] => {
            let y = year(y)?;
            Some(DateRange {
                from: NaiveDate::from_ymd_opt(y, 1, 1),
                to: NaiveDate::from_ymd_opt(y + 1, 1, 1),
            })
        }
        [y, m] => {
            let start = NaiveDate::from_ymd_opt(year(y)?, num(m)?, 1)?;
            Some(DateRange { from: Some(start), to: start.checked_add_months(Months::new(1)) })
        }
        [y, m, d] => NaiveDate::from_ymd_opt(year(y)?, num(m)?, num(d)?).map(day),
        _ => None,
    }
}

impl DateRange {
    pub(super) fn render(&self) -> String {
        let last = |d: NaiveDate| d.pred_opt().unwrap_or(d);
        match (self.from, self.to) {
            (Some(f), Some(t)) if t == f.succ_opt().unwrap_or(f) => format!("date:{f}"),
            (Some(f), Some(t))
                if f.day() == 1
                    && f.month() == 1
                    && t == NaiveDate::from_ymd_opt(f.year() + 1, 1, 1).unwrap_or(t) =>
            {
                format!("date:{}", f.year())
            }
            (Some(f), Some(t))
                if f.day() == 1 && Some(t) == f.checked_add_months(Months::new(1)) =>
            {
                format!("date:{}", f.format("%Y-%m"))
            }
            (Some(f), Some(t)) => format!("date:{f}..{}", last(t)),
            (Some(f), None) => format!("after:{f}"),
            (None, Some(t)) => format!("before:{t}"),
            (None, None) => "date:..".into(),
        }
    }
}
