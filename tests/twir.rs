//! Real-world ingestion: the "This Week in Rust" archive in `../shared/datasets/twir`
//! (669 digests with Pelican `Key: value` front matter).

use std::path::PathBuf;
use std::sync::LazyLock;

use archive::digest::{self, Entry, Taxonomy};
use chrono::NaiveDate;

use crate::util::{Sandbox, hit_ids};

fn dataset() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/twir");
    assert!(
        path.join("content").is_dir(),
        "the real-archive dataset is missing: expected This Week in Rust at {} (see ../shared/datasets/README.md)",
        path.display()
    );
    path
}

/// The dataset indexed once for all the query tests here.
static INDEXED: LazyLock<Sandbox> = LazyLock::new(|| {
    let s = Sandbox::over(&dataset());
    let r = s.reindex();
    assert_eq!(r["skipped"].as_array().unwrap().len(), 0, "{}", r["skipped"]);
    s
});

#[test]
fn every_issue_gets_the_date_of_its_header() {
    let root = dataset();
    let taxonomy = Taxonomy::builtin();
    let walk = digest::walk(&root).unwrap();
    let markdown: Vec<_> = walk.files.iter().filter(|f| !f.rel.ends_with(".txt")).collect();
    assert_eq!(markdown.len(), 669);
    let mut issues = 0;
    for file in markdown {
        let text = std::fs::read_to_string(&file.path).unwrap();
        // The header's date, read independently of the parser: `Date: 2020-12-2 18:00`.
        let header = text
            .lines()
            .find_map(|l| l.strip_prefix("Date:"))
            .unwrap_or_else(|| panic!("{}: no Date header", file.rel));
        let ymd: Vec<u32> = header
            .trim()
            .split([' ', 'T'])
            .next()
            .unwrap()
            .split('-')
            .map(|p| p.parse().unwrap())
            .collect();
        let want = NaiveDate::from_ymd_opt(ymd[0] as i32, ymd[1], ymd[2]).unwrap();
        let entry = Entry::parse(&file.id, &text, &taxonomy).unwrap();
        assert_eq!(entry.date, Some(want), "{}", file.rel);
        if entry.title.starts_with("This Week in Rust")
            || entry.title.starts_with("This Week In Rust")
        {
            issues += 1;
            assert!(entry.items.len() >= 3, "{}: only {} items", file.rel, entry.items.len());
            assert!(entry.items.len() <= 600, "{}: {} items", file.rel, entry.items.len());
            assert_eq!(entry.series.as_deref(), Some("This Week in Rust"), "{}", file.rel);
        }
    }
    assert!(issues >= 640, "{issues} issues recognised");
}

#[test]
fn placeholder_links_in_html_comments_are_not_sources() {
    let root = dataset();
    let text =
        std::fs::read_to_string(root.join("content/2025-01-15-this-week-in-rust.md")).unwrap();
    assert!(
        text.contains("https://example.com/my_article"),
        "the fixture still has its placeholder"
    );
    let entry =
        Entry::parse("content/2025-01-15-this-week-in-rust", &text, &Taxonomy::builtin()).unwrap();
    assert!(
        entry
            .items
            .iter()
            .all(|i| i.links.iter().all(|l| !l.url.contains("example.com/my_article")))
    );
    let cotw = entry.items.iter().find(|i| i.title == "Crate of the Week").unwrap();
    assert!(cotw.repos.contains(&"ambuda-org/vidyut".to_string()), "{:?}", cotw.repos);
    let official = entry.items.iter().find(|i| i.title == "Announcing Rust 1.84.0").unwrap();
    assert_eq!(official.context, ["Updates from Rust Community", "Official"]);
    assert_eq!(official.sources, ["blog.rust-lang.org"]);
}

#[test]
fn known_queries_find_the_right_issues() {
    let s = &*INDEXED;
    let r = s.search("\"This Week in Rust 500\"");
    assert_eq!(hit_ids(&r)[0], "content/2023-06-21-this-week-in-rust");
    assert_eq!(r["hits"][0]["entry_title"], "This Week in Rust 500");

    let r = s.search("\"Announcing Rust 1.84.0\"");
    assert_eq!(hit_ids(&r)[0], "content/2025-01-15-this-week-in-rust");

    let r = s.search("vidyut sanskrit");
    assert!(hit_ids(&r).contains(&"content/2025-01-15-this-week-in-rust".to_string()), "{r}");

    let r = s.search("\"async closures\" date:2024-07");
    assert!(r["total"].as_u64().unwrap() >= 2, "{r}");
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["date"].as_str().unwrap().starts_with("2024-07"))
    );

    assert_eq!(s.search("site:example.com")["total"], 0, "placeholders are not links");
    let r = s.search("repo:rust-lang/rust after:2026-01-01");
    assert!(r["total"].as_u64().unwrap() > 10, "{r}");

    // The draft dated in the future keeps its date.
    let e = s.json(&["show", "draft/2026-08-26-this-week-in-rust"], 0);
    assert_eq!(e["date"], "2026-08-26");
}
