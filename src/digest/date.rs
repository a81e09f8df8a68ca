//! Dates in the forms real archives use: front-matter values, file names and paths, and
//! date lines or signatures written in the text.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// How much of its date an entry was given: a day, or only a month or a year. The date
/// itself is then the first day of that month or year (where it sorts and is counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// `2026-04-16`.
    #[default]
    Day,
    /// `2024-05`: a monthly issue, a month folder.
    Month,
    /// `2020`: a year folder.
    Year,
}

impl Precision {
    /// Its name in JSON: `day`, `month`, `year`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }

    /// The date as written at this precision: `2024-05-01` as a month is `2024-05`.
    pub fn format(self, date: NaiveDate) -> String {
        match self {
            Precision::Day => date.to_string(),
            Precision::Month => date.format("%Y-%m").to_string(),
            Precision::Year => date.year().to_string(),
        }
    }

    /// As a number, for the index: 0 day, 1 month, 2 year.
    pub fn code(self) -> u64 {
        self as u64
    }

    /// From [`Precision::code`]; a day for anything else.
    pub fn from_code(code: u64) -> Precision {
        match code {
            1 => Precision::Month,
            2 => Precision::Year,
            _ => Precision::Day,
        }
    }
}

/// Where an entry's date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// A `date` (or `published`, `created` ...) key of the front matter.
    FrontMatter,
    /// The entry's heading or the date line on top (`# 2024-05`, `Weekly — March 3, 2026`).
    Heading,
    /// The file name (`2026-04-16-roundup.md`, `2024-05.md`).
    FileName,
    /// The folders (`2026/04/16.md`, `2020-05/index.md`, `2020/issue-192.md`).
    Folder,
    /// The signature line at the bottom.
    Signature,
    /// The day the commit that first added the file was written, in an archive kept in
    /// git (see [`crate::digest::History`]).
    Git,
}

impl DateSource {
    /// Its name in JSON: `front_matter`, `heading`, `file_name`, `folder`, `signature`,
    /// `git`.
    pub fn name(self) -> &'static str {
        match self {
            DateSource::FrontMatter => "front_matter",
            DateSource::Heading => "heading",
            DateSource::FileName => "file_name",
            DateSource::Folder => "folder",
            DateSource::Signature => "signature",
            DateSource::Git => "git",
        }
    }
}

/// A date found for an entry: its first day, how precise it is, and where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The day, or the first day of the month or year.
    pub date: NaiveDate,
    /// Day, month or year.
    pub precision: Precision,
    /// Where it came from.
    pub source: DateSource,
}

impl Found {
    /// A day found in `source`.
    pub fn day(date: NaiveDate, source: DateSource) -> Found {
        Found { date, precision: Precision::Day, source }
    }
}

/// A date as an entry shows it (`2026-04-16`, `2024-05` or `2024`) read back as its first
/// day.
pub fn parse_shown(value: &str) -> Option<NaiveDate> {
    let mut parts = value.splitn(3, '-');
    let year = parts.next()?;
    let month = parts.next().unwrap_or("1");
    let day = parts.next().unwrap_or("1");
    (year.len() == 4).then_some(())?;
    ymd(year, month, day)
}

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

/// Days ahead of its digest that a date without its year may name in a calendar's
/// listing: events are listed weeks ahead, not a season.
const LISTED_AHEAD: i64 = 92;
/// Days before its digest that a listing's date may be: a weekly's calendar lists the
/// week's events, and a conference still running.
const LISTED_BEHIND: i64 = 7;

/// Whether a line opens, after nothing but punctuation, with a day from a week before
/// `day` on ([`LISTED_BEHIND`]): a calendar's listing (`2025-05-16 | Utrecht, NL | RustWeek Hackathon`, `Sep 13. Utah
/// Rust meetup`, `3/17. London Rust Meetup`). A day without its year is the next such
/// day from `day`, and lists only within [`LISTED_AHEAD`] days; one in figures (`3/17.`)
/// is month first and must end in punctuation ("1/2 of the crates" is no day).
pub fn opens_with_coming_day(text: &str, day: NaiveDate) -> bool {
    static YEARLESS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i)^[^\p{{L}}\p{{N}}]*(?:({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:[^\p{{L}}\p{{N}}/]|$)|(\d{{1,2}})/(\d{{1,2}})\s*[.:|\-–—\])])"
        ))
        .unwrap()
    });
    let days_ahead = |on: NaiveDate| (on - day).num_days();
    if let Some((date, range)) = find_date(text)
        && !text[..range.start].chars().any(char::is_alphanumeric)
    {
        return days_ahead(date) >= -LISTED_BEHIND;
    }
    let Some(c) = YEARLESS.captures(text) else { return false };
    let (month, dom) = match c.get(1) {
        Some(m) => (month_number(m.as_str()), c[2].parse().ok()),
        None => (c[3].parse().ok(), c[4].parse().ok()),
    };
    let (Some(month), Some(dom)) = (month, dom) else { return false };
    [day.year(), day.year() + 1].into_iter().any(|year| {
        NaiveDate::from_ymd_opt(year, month, dom)
            .is_some_and(|on| (-LISTED_BEHIND..=LISTED_AHEAD).contains(&days_ahead(on)))
    })
}

/// A month written in a short line of text, as a first day: `2024-05`, `2024/05`,
/// `May 2024`, `2024年5月`, `2024년 5월`. For headings and date lines: in prose, a
/// month and a year side by side are not the digest's date.
pub fn find_month(text: &str) -> Option<NaiveDate> {
    static MONTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i)(?:^|[^\d/.-])(\d{{4}})[-/.](\d{{1,2}})(?:$|[^\d/.-])|\b({MONTHS})\.?,?\s+(\d{{4}})\b|(\d{{4}})\s*[年년]\s*(\d{{1,2}})\s*[月월](?:$|[^\d])"
        ))
        .unwrap()
    });
    for c in MONTH.captures_iter(text) {
        let month = if let Some(y) = c.get(1) {
            ymd(y.as_str(), &c[2], "1")
        } else if let Some(m) = c.get(3) {
            month_number(m.as_str()).and_then(|m| ymd(&c[4], &m.to_string(), "1"))
        } else {
            ymd(&c[5], &c[6], "1")
        };
        if month.is_some() {
            return month;
        }
    }
    None
}

/// A month or a year from an entry's id, where no day was found in it: a file or folder
/// named for a month (`2024-05.md`, `2024_05-digest.md`, `2020-05/index.md`), folders of a
/// year and a month (`2020/05/x.md`), or a folder named for a year (`2020/issue-192.md`).
/// The file name comes before its folders.
pub fn month_or_year_from_path(id: &str) -> Option<Found> {
    static DASHED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{4})[-_](\d{2})(?:[^\d]|$)").unwrap());
    static NESTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|/)(\d{4})/(\d{1,2})(?:/|$)").unwrap());
    let (folders, file) = id.rsplit_once('/').unwrap_or(("", id));
    let month = |source, text: &str| {
        let c = DASHED.captures(text)?;
        let date = ymd(&c[1], &c[2], "1")?;
        Some(Found { date, precision: Precision::Month, source })
    };
    if let Some(found) = month(DateSource::FileName, file) {
        return Some(found);
    }
    let nested = NESTED.captures(folders).and_then(|c| ymd(&c[1], &c[2], "1"));
    if let Some(date) = nested {
        return Some(Found { date, precision: Precision::Month, source: DateSource::Folder });
    }
    if let Some(found) = folders.rsplit('/').find_map(|f| month(DateSource::Folder, f)) {
        return Some(found);
    }
    // The innermost folder that is a year.
    let year = folders.rsplit('/').find(|f| f.len() == 4 && f.bytes().all(|b| b.is_ascii_digit()));
    let date = ymd(year?, "1", "1")?;
    Some(Found { date, precision: Precision::Year, source: DateSource::Folder })
}

/// Takes a day from an entry's id (its path without extension): `2026-04-16-x`,
/// `20260416`, `2026/04/16`, `2026/04/16-x`, `2026/2026-04-16`; from the file name when
/// it holds one, else from the folders.
pub fn day_from_path(id: &str) -> Option<Found> {
    let date = date_from_path(id)?;
    let file = id.rsplit('/').next().unwrap_or(id);
    let source = match date_from_path(file) {
        Some(_) => DateSource::FileName,
        None => DateSource::Folder,
    };
    Some(Found::day(date, source))
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
    fn months_in_headings() {
        let cases = [
            ("2024-05", d(2024, 5, 1)),
            ("Frontend digest 2024/05", d(2024, 5, 1)),
            ("Monthly notes — May 2024", d(2024, 5, 1)),
            ("Sept. 2025 issue", d(2025, 9, 1)),
            ("2024年5月 前端月刊", d(2024, 5, 1)),
            ("2024년 5월", d(2024, 5, 1)),
            ("version 1.84.0", None),
            ("2024-13", None),
            ("第 300 期", None),
            ("Issue 2024", None),
        ];
        for (text, want) in cases {
            assert_eq!(find_month(text), want, "find_month({text:?})");
        }
    }

    #[test]
    fn months_and_years_in_paths() {
        let month = |y, m, source| {
            Some(Found { date: d(y, m, 1).unwrap(), precision: Precision::Month, source })
        };
        let year = |y| {
            Some(Found {
                date: d(y, 1, 1).unwrap(),
                precision: Precision::Year,
                source: DateSource::Folder,
            })
        };
        let cases = [
            ("2024-05", month(2024, 5, DateSource::FileName)),
            ("digests/2024_05-frontend", month(2024, 5, DateSource::FileName)),
            ("content/this-month/2020-05/index", month(2020, 5, DateSource::Folder)),
            ("2020/05/notes", month(2020, 5, DateSource::Folder)),
            ("newsletter/2020/issue-192", year(2020)),
            ("2019/2020/x", year(2020)),
            ("docs/issue-300", None),
            ("2020", None),
            ("notes/1234-56", None),
        ];
        for (id, want) in cases {
            assert_eq!(month_or_year_from_path(id), want, "month_or_year_from_path({id:?})");
        }
    }

    #[test]
    fn names_are_the_json_names() {
        use DateSource::*;
        for s in [FrontMatter, Heading, FileName, Folder, Signature, Git] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
        for p in [Precision::Day, Precision::Month, Precision::Year] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.name());
        }
    }

    #[test]
    fn shown_dates_read_back_as_first_days() {
        assert_eq!(parse_shown("2026-04-16"), d(2026, 4, 16));
        assert_eq!(parse_shown("2024-05"), d(2024, 5, 1));
        assert_eq!(parse_shown("2020"), d(2020, 1, 1));
        assert_eq!(parse_shown("20"), None);
        assert_eq!(Precision::Month.format(d(2024, 5, 1).unwrap()), "2024-05");
        assert_eq!(Precision::Year.format(d(2024, 5, 1).unwrap()), "2024");
    }

    #[test]
    fn a_listing_opens_with_a_day_to_come() {
        let on = d(2018, 12, 20).unwrap();
        for listing in [
            "2019-01-03 | Atlanta, GA, US | Rust Atlanta",
            "Jan  3. Rust Atlanta - Grab a beer with fellow Rustaceans",
            "December 20, 2018 - Seattle Rust Meetup",
            "12/27. Rust Amsterdam - Talks and Drinks",
            "[Dec 21st] Berlin Hack and Learn",
        ] {
            assert!(opens_with_coming_day(listing, on), "{listing}");
        }
        for not in [
            "2018-12-02 | An event already held",
            "Dec 10. A meetup already held",
            "June 9, a season too far ahead",
            "Rust 1.31 released on December 6, 2018",
            "1/2 of the crates now build",
            "May 2019 roadmap",
        ] {
            assert!(!opens_with_coming_day(not, on), "{not}");
        }
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
