//! Dates as the index holds them: a Tantivy date (midnight UTC) for range filters, and
//! a day number for the dense `day` fast field that sorts and counts months.

use chrono::NaiveDate;
use tantivy::DateTime;

/// A date as Tantivy stores it (midnight UTC of that day).
pub fn to_datetime(date: NaiveDate) -> DateTime {
    let secs = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
    DateTime::from_timestamp_secs(secs)
}

/// A date as the `day` fast field holds it: days since 1970-01-01, plus one; 0 for no
/// date (and for dates before 1970).
pub fn day_number(date: Option<NaiveDate>) -> u64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    date.map_or(0, |d| u64::try_from((d - epoch).num_days() + 1).unwrap_or(0))
}

/// A [`day_number`] back to a date (`None` for 0).
pub fn from_day_number(day: u64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let days = i64::try_from(day).ok().filter(|&d| d > 0)?;
    epoch.checked_add_signed(chrono::TimeDelta::try_days(days - 1)?)
}

/// A stored Tantivy date back to a calendar date.
pub fn from_datetime(dt: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(dt.into_timestamp_secs(), 0).map(|d| d.date_naive())
}
