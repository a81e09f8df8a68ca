//! How a date reads on the pages: a day as ISO (`2026-04-16`, as the archive's readers
//! and its query language write it), a month in words (`May 2024`: `2024-05` reads like
//! a day cut short), a year as it is. The `datetime` attribute keeps the ISO form.

use chrono::NaiveDate;

/// `2026-04-16` -> `2026-04-16`, `2024-05` -> `May 2024`, `2020` -> `2020`.
pub fn shown_date(date: &str) -> String {
    let month = NaiveDate::parse_from_str(&format!("{date}-01"), "%Y-%m-%d");
    match (date.len(), month) {
        (7, Ok(first)) => first.format("%B %Y").to_string(),
        _ => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_read_in_words() {
        assert_eq!(super::shown_date("2024-05"), "May 2024");
        assert_eq!(super::shown_date("2026-04-16"), "2026-04-16");
        assert_eq!(super::shown_date("2020"), "2020");
        assert_eq!(super::shown_date("2024-13"), "2024-13");
    }
}
