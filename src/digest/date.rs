//! Dates in the forms real archives use: front-matter values, file names and paths, and
//! date lines or signatures written in the text.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// The earliest and latest years we accept; anything outside is a typo or a number.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|\
                      november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    if !YEARS.contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
}

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_ascii_lowercase();
    let n = match name.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(n)
}

/// Parses a date value as written in front matter: `2026-04-16`, `2020-12-2`,
/// `2026-04-16 18:46`, RFC 3339 with a zone or a fraction, `2026/04/16`, or a written
/// date such as `April 16, 2026`; quoted or not. The calendar date is taken as written
/// (a zone does not move it to another day).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[T ]|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4})?)?$")
            .unwrap()
    });
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if let Some(c) = ISO.captures(value) {
        return ymd(&c[1], &c[2], &c[3]);
    }
    let (date, range) = find_date(value)?;
    // A written date must be the whole value, give or take a weekday and punctuation.
    let rest = format!("{}{}", &value[..range.start], &value[range.end..]);
    let rest_is_noise =
        rest.split(|c: char| !c.is_alphanumeric()).all(|w| w.is_empty() || is_weekday(w));
    rest_is_noise.then_some(date)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let w = word.to_ascii_lowercase();
    w.len() >= 3 && DAYS.iter().any(|d| d.starts_with(&w))
}

/// Finds the first date written anywhere in a line of text: ISO (`2026-04-16`),
/// `April 16, 2026`, `Apr 16th 2026`, `16 April 2026`. Returns it with its byte range.
pub fn find_date(text: &str) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    static ANY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            // The last form is Chinese, Japanese and Korean (`2026年4月27日`, `2026년 4월 27일`),
            // which has no word boundary next to the characters around it.
            r"(?i)\b(?:(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})|({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS})\.?,?\s+(\d{{4}}))\b|(\d{{4}})\s*[年년]\s*(\d{{1,2}})\s*[月월]\s*(\d{{1,2}})\s*[日号일]"
        ))
        .unwrap()
    });
    for c in ANY.captures_iter(text) {
        let range = c.get(0).unwrap().range();
        let date = if let Some(y) = c.get(1) {
            ymd(y.as_str(), &c[2], &c[3])
        } else if let Some(m) = c.get(4) {
            month_number(m.as_str()).and_then(|m| ymd(&c[6], &m.to_string(), &c[5]))
        } else if let Some(y) = c.get(10) {
            ymd(y.as_str(), &c[11], &c[12])
        } else {
            month_number(&c[8]).and_then(|m| ymd(&c[9], &m.to_string(), &c[7]))
        };
        if let Some(date) = date {
            return Some((date, range));
        }
    }
    None
}

/// Takes a date from an entry's id (its path without extension): `2026-04-16-x`,
/// `20260416`, `2026/04/16`, `2026/04/16-x`, `2026/2026-04-16`.
pub fn date_from_path(id: &str) -> Option<NaiveDate> {
    static DASHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^\d])(\d{4})[-_](\d{2})[-_](\d{2})(?:[^\d]|$)").unwrap()
    });
    static COMPACT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{4})(\d{2})(\d{2})(?:[^\d]|$)").unwrap());
    static NESTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:[^\d]|$)").unwrap());
    let file = id.rsplit('/').next().unwrap_or(id);
    for re in [&*DASHED, &*COMPACT] {
        if let Some(d) = re.captures(file).and_then(|c| ymd(&c[1], &c[2], &c[3])) {
            return Some(d);
        }
    }
    NESTED
        .captures(id)
        .and_then(|c| ymd(&c[1], &c[2], &c[3]))
        .or_else(|| DASHED.captures(id).and_then(|c| ymd(&c[1], &c[2], &c[3])))
}

/// Formats a date the way digests write it: `March 3, 2026`.
pub fn long_form(date: NaiveDate) -> String {
    date.format("%B %-d, %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn front_matter_values() {
        let cases = [
            ("2026-04-16", d(2026, 4, 16)),
            ("2020-12-2", d(2020, 12, 2)),
            ("2026-04-16 18:46", d(2026, 4, 16)),
            ("2013-08-19 00:33", d(2013, 8, 19)),
            ("2026-04-16T18:46:00Z", d(2026, 4, 16)),
            ("2026-04-16T18:46:00.123+02:00", d(2026, 4, 16)),
            ("2026-04-16T23:30:00-0500", d(2026, 4, 16)),
            ("\"2026-04-16\"", d(2026, 4, 16)),
            ("'2026-04-16'", d(2026, 4, 16)),
            ("2026/04/16", d(2026, 4, 16)),
            ("April 16, 2026", d(2026, 4, 16)),
            ("Thursday, April 16, 2026", d(2026, 4, 16)),
            ("16 April 2026", d(2026, 4, 16)),
            ("Sept 3rd, 2025", d(2025, 9, 3)),
            ("2026-02-30", None),
            ("yesterday", None),
            ("42", None),
            ("April 16, 2026 was a good day", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), want, "parse_date({input:?})");
        }
    }

    #[test]
    fn dates_in_text() {
        let (date, range) = find_date("Weekly Roundup — March 3, 2026 — Sam Lee").unwrap();
        assert_eq!(Some(date), d(2026, 3, 3));
        assert_eq!(&"Weekly Roundup — March 3, 2026 — Sam Lee"[range], "March 3, 2026");
        assert_eq!(find_date("Thursday, April 16, 2026").map(|x| x.0), d(2026, 4, 16));
        assert_eq!(find_date("on the 1st of May 2025, we").map(|x| x.0), d(2025, 5, 1));
        assert_eq!(find_date("version 1.84.0 shipped"), None);
        assert_eq!(find_date("May we all 2026"), None);
        assert_eq!(find_date("开源周报于2026年4月27日发布").map(|x| x.0), d(2026, 4, 27));
        assert_eq!(find_date("2026年5月2日（土）").map(|x| x.0), d(2026, 5, 2));
        assert_eq!(find_date("2026년 4월 27일").map(|x| x.0), d(2026, 4, 27));
    }

    #[test]
    fn dates_in_paths() {
        let cases = [
            ("2026-04-16-x", d(2026, 4, 16)),
            ("content/2013-08-19-this-week-in-rust", d(2013, 8, 19)),
            ("20260416", d(2026, 4, 16)),
            ("digests/20260416-ai", d(2026, 4, 16)),
            ("2026/04/16", d(2026, 4, 16)),
            ("2026/4/6-weekly", d(2026, 4, 6)),
            ("notes/issue-582", None),
            ("2026/readme", None),
            ("12345678", None),
        ];
        for (id, want) in cases {
            assert_eq!(date_from_path(id), want, "date_from_path({id:?})");
        }
    }
}
