//! The query language on arbitrary text: a parse or a clear error, never a panic.
#![no_main]

use archive::search::query::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let _ = parse(input, today, &|name| name == "companies");
});
