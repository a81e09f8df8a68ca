use chrono::NaiveDate;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn read(q: &str) -> (String, Vec<String>) {
    let parsed = parse(q, today(), &|name| name == "companies").unwrap();
    (parsed.root.map(|r| r.interpreted()).unwrap_or_default(), parsed.warnings)
}

#[test]
fn interpretations() {
    let cases = [
        ("speculative decoding", "speculative AND decoding"),
        ("\"agent memory\" -hype", "\"agent memory\" AND -hype"),
        ("a OR b c", "(a OR b) AND c"),
        ("a b OR c", "a AND (b OR c)"),
        ("(a b) OR c", "(a AND b) OR c"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("topic:agents source:\"Hacker News\"", "topic:agents AND source:\"Hacker News\""),
        ("date:2026-04", "date:2026-04"),
        ("date:2026", "date:2026"),
        ("date:2026-04-16", "date:2026-04-16"),
        ("date:2026-04-01..2026-04-30", "date:2026-04"),
        ("date:2026-04-01..2026-04-15", "date:2026-04-01..2026-04-15"),
        ("after:2026-04-01 before:2026-05-01", "after:2026-04-01 AND before:2026-05-01"),
        ("after:-30d", "after:2026-10-27"),
        ("companies:Mistral", "companies:Mistral"),
        ("gpt-4o llama.cpp", "gpt-4o AND llama.cpp"),
        ("-\"hype cycle\" x", "-\"hype cycle\" AND x"),
        ("NOT a", "-a"),
        ("a AND b", "a AND b"),
        ("https://example.com/x", "https://example.com/x"),
        ("", ""),
    ];
    for (q, want) in cases {
        let (got, warnings) = read(q);
        assert_eq!(got, want, "{q:?}");
        assert!(warnings.is_empty(), "{q:?}: {warnings:?}");
    }
}

#[test]
fn garbage_is_read_with_warnings() {
    let cases: [(&str, &str, &str); 9] = [
        ("\"unclosed phrase", "unclosed AND phrase", "unbalanced quote"),
        ("(a b", "a AND b", "missing `)`"),
        ("a b)", "a AND b", "unmatched `)`"),
        ("wat:ever x", "\"wat ever\" AND x", "unknown operator"),
        ("date:2026-02-30 x", "x", "not a date"),
        ("after:someday", "", "not a date"),
        ("OR a", "a", "OR"),
        ("a -", "a", "`-`"),
        ("\"\" x", "x", "empty phrase"),
    ];
    for (q, want, warning) in cases {
        let (got, warnings) = read(q);
        assert_eq!(got, want, "{q:?}");
        assert!(warnings.iter().any(|w| w.contains(warning)), "{q:?}: {warnings:?}");
    }
}

#[test]
fn operators_alone_and_punctuation_never_fail() {
    for q in [
        "OR", "AND", "-", "()", ")(", "\"", ":", "topic:", "((((", "))))", "- - -", "OR OR OR",
        "\u{0}", "a:b:c",
    ] {
        assert!(parse(q, today(), &|_| false).is_ok(), "{q:?}");
    }
}

#[test]
fn limits() {
    assert_eq!(
        parse(&"a".repeat(MAX_QUERY_CHARS + 1), today(), &|_| false),
        Err(QueryError::TooLong(MAX_QUERY_CHARS + 1))
    );
    let many = (0..=MAX_CLAUSES).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
    assert_eq!(parse(&many, today(), &|_| false), Err(QueryError::TooManyClauses));
    let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    assert_eq!(parse(&deep, today(), &|_| false), Err(QueryError::TooDeep));
    let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(read(&ok).0, "a");
}

#[test]
fn date_ranges() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    assert_eq!(
        date_range("2026-04", today()),
        Some(DateRange { from: d(2026, 4, 1), to: d(2026, 5, 1) })
    );
    assert_eq!(
        date_range("2026-12", today()),
        Some(DateRange { from: d(2026, 12, 1), to: d(2027, 1, 1) })
    );
    assert_eq!(date_range("..2026-04", today()), Some(DateRange { from: None, to: d(2026, 5, 1) }));
    assert_eq!(date_range("-2w", today()), Some(DateRange { from: d(2026, 11, 12), to: None }));
    assert_eq!(date_range("-1y", today()), Some(DateRange { from: d(2025, 11, 26), to: None }));
    assert_eq!(
        date_range("yesterday", today()),
        Some(DateRange { from: d(2026, 11, 25), to: d(2026, 11, 26) })
    );
    for bad in
        ["2026-02-30", "26", "99999", "-5x", "-99999999999d", "2026-13", "abc", "2026-04-01..x"]
    {
        assert_eq!(date_range(bad, today()), None, "{bad}");
    }
}
