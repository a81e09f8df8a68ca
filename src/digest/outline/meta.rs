//! The metadata lines of a digest without front matter: a date line on top
//! (`Weekly AI Roundup — March 3, 2026`) and a signature at the bottom (`— Sam Lee`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::digest::date::find_date;
use crate::digest::is_cjk;

/// A signature line at the bottom of a digest: `Weekly Roundup — March 3, 2026 — Sam Lee`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// The date it names.
    pub date: Option<NaiveDate>,
    /// The name that signs it.
    pub author: Option<String>,
    /// The remaining part, usually the series (`Weekly Roundup`).
    pub series: Option<String>,
}

/// A date line on top: a short line with a date and at most a few other words beside
/// it (`Thursday, April 16, 2026`, `Weekly AI Roundup — March 3, 2026`).
pub(super) fn date_line(line: &str) -> Option<(NaiveDate, String)> {
    if line.chars().count() > 100 {
        return None;
    }
    let (date, range) = find_date(line)?;
    let rest = format!("{} {}", &line[..range.start], &line[range.end..]);
    let rest =
        rest.split_whitespace().filter(|w| !is_weekday_word(w)).collect::<Vec<_>>().join(" ");
    let rest = rest.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    (rest.split_whitespace().count() <= 8).then_some((date, rest))
}

pub(super) fn is_weekday_word(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphabetic()).to_ascii_lowercase();
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .contains(&w.as_str())
}

/// A signature line at the bottom: starts with a dash or tilde, or carries a date, and
/// is short. Parts are separated by dashes or bars: series, date, name.
pub(super) fn signature(line: &str) -> Option<Signature> {
    static SEPARATOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s+[—–|-]+\s+|\s*[—–]\s*").unwrap());
    if line.chars().count() > 120 {
        return None;
    }
    let dashed = line.starts_with(['—', '–', '-', '~']);
    let dated = find_date(line);
    if !dashed && dated.is_none() {
        return None;
    }
    let stripped = line.trim_start_matches(['—', '–', '-', '~', ' ']).trim();
    let mut sig = Signature { date: dated.map(|d| d.0), ..Signature::default() };
    let mut others: Vec<String> = vec![];
    for part in SEPARATOR.split(stripped).map(str::trim).filter(|p| !p.is_empty()) {
        // Beside a date, a part may only hold a name: `Sam, April 20, 2026`.
        let part = match find_date(part) {
            Some((_, range)) => format!("{} {}", &part[..range.start], &part[range.end..]),
            None => part.to_string(),
        };
        let part =
            part.trim_matches(|c: char| c == '*' || c == '_' || c == ',' || c.is_whitespace());
        if !part.is_empty() {
            others.push(part.to_string());
        }
    }
    if let Some(last) = others.last().filter(|p| looks_like_name(p)) {
        sig.author = Some(last.to_string());
        others.pop();
    }
    if others.len() > 1 || (others.len() == 1 && others[0].split_whitespace().count() > 6) {
        return None; // prose, not a signature
    }
    sig.series = others.pop();
    Some(sig)
}

/// One to four capitalised words without digits (`Sam Lee`, `Ana de la Cruz`), or two to
/// five CJK characters in at most two words (`林小雨`, `佐藤 花子`).
pub(super) fn looks_like_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let cjk: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    if cjk.iter().all(|&c| is_cjk(c)) && (2..=5).contains(&cjk.len()) && words.len() <= 2 {
        return true;
    }
    (1..=4).contains(&words.len())
        && words[0].chars().next().is_some_and(char::is_uppercase)
        && words.iter().all(|w| !w.chars().any(|c| c.is_ascii_digit()))
        && words.iter().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count() * 2
            >= words.len()
}
