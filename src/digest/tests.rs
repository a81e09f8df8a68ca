use chrono::NaiveDate;

use super::*;

fn parse(id: &str, text: &str) -> Entry {
    Entry::parse(id, text, &Taxonomy::builtin()).unwrap()
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn yaml_entry() {
    let e = parse(
        "2026/ai-weekly-14",
        "---\ntitle: \"Weekly AI Roundup — April 6, 2026\"\npublished: 2026-04-06T08:00:00+02:00\nby: Sam Lee\nseries: Weekly AI Roundup\ntopics: [agents]\ncompanies: [Mistral, Qwen]\nnumber: 14\n---\n\n## Speculative decoding on a budget\n\nA [thread on r/LocalLLaMA](https://www.reddit.com/r/LocalLLaMA/comments/x/) got 2x tokens per second.\n",
    );
    assert_eq!(e.title, "Weekly AI Roundup — April 6, 2026");
    assert_eq!(e.date, ymd(2026, 4, 6));
    assert_eq!(e.authors, ["Sam Lee"]);
    assert_eq!(e.series.as_deref(), Some("Weekly AI Roundup"));
    assert_eq!(e.tags, ["agents"]);
    assert_eq!(e.facets["companies"], ["Mistral", "Qwen"]);
    assert!(!e.facets.contains_key("number"));
    assert_eq!(e.front_matter, Style::Yaml);
    let item = &e.items[0];
    assert_eq!(item.anchor, "speculative-decoding-on-a-budget");
    assert_eq!(item.sources, ["r/LocalLLaMA"]);
    assert!(
        !item.topics.contains(&"agents".to_string()),
        "an entry tag its text does not show stays the entry's: {:?}",
        item.topics
    );
    assert!(item.topics.contains(&"inference".to_string()), "{:?}", item.topics);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn toml_entry() {
    let e = parse(
        "notes/x",
        "+++\ntitle = \"Model notes\"\ndate = 2026-03-02\nauthors = [\"Ana Ruiz\", \"Bo Chen\"]\ntags = [\"Quantization\"]\n+++\n\n## GGUF everywhere\n\nNew quants are up on [Hugging Face](https://huggingface.co/x/y).\n",
    );
    assert_eq!((e.title.as_str(), e.date), ("Model notes", ymd(2026, 3, 2)));
    assert_eq!(e.authors, ["Ana Ruiz", "Bo Chen"]);
    assert_eq!(e.items[0].sources, ["Hugging Face"]);
    assert_eq!(e.items[0].topics, ["quantization"], "tags take the taxonomy's spelling");
}

#[test]
fn key_value_entry() {
    let e = parse(
        "content/2013-06-07-this-week-in-rust",
        "Title: This Week In Rust 1\nDate: 2013-06-07 18:46\nTags: this-week-in-rust, rust\nCategory: This Week in Rust\n\nHello and welcome.\n\n# What's cooking\n\nThirty pull requests.\n",
    );
    assert_eq!(e.title, "This Week In Rust 1");
    assert_eq!(e.date, ymd(2013, 6, 7));
    assert_eq!(e.series.as_deref(), Some("This Week in Rust"));
    assert_eq!(e.front_matter, Style::KeyValue);
    let titles: Vec<_> = e.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Introduction", "What's cooking"]);
    assert_eq!(e.items[1].anchor, "whats-cooking");
}

#[test]
fn plain_digest_without_front_matter_or_headings() {
    let e = parse(
        "plain/roundup-march",
        "Tuesday, March 3, 2026\n\nSomeone on LocalLLaMA showed speculative decoding with a tiny draft model doubling throughput.\n\nA LessWrong post argues agent memory needs forgetting. Source: LessWrong\n\nA new TTS model clones voices from ten seconds of audio.\n\nWeekly Roundup — March 3, 2026 — Sam Lee\n",
    );
    assert_eq!(e.date, ymd(2026, 3, 3));
    assert_eq!(e.authors, ["Sam Lee"]);
    assert_eq!(e.series.as_deref(), Some("Weekly Roundup"));
    assert_eq!(e.title, "Weekly Roundup — March 3, 2026");
    assert_eq!(e.front_matter, Style::None);
    assert_eq!(e.items.len(), 3, "date line and signature are not items: {:#?}", e.items);
    assert_eq!(e.items[0].sources, ["r/LocalLLaMA"]);
    assert_eq!(e.items[1].sources, ["LessWrong"]);
    assert!(e.items[1].topics.contains(&"agent memory".to_string()));
    assert!(e.items[2].topics.contains(&"speech/TTS".to_string()));
}

#[test]
fn date_precedence_and_fallbacks() {
    assert_eq!(parse("2026-04-16-x", "Hello.\n").date, ymd(2026, 4, 16));
    assert_eq!(parse("2026/04/16", "Hello.\n").date, ymd(2026, 4, 16));
    assert_eq!(parse("digests/20260416", "Hello.\n").date, ymd(2026, 4, 16));
    assert_eq!(parse("x", "16 April 2026\n\nHello.\n").date, ymd(2026, 4, 16));
    assert_eq!(parse("x", "Hello.\n\n— Sam, April 20, 2026\n").date, ymd(2026, 4, 20));
    assert_eq!(parse("2026-01-01", "---\ndate: 2026-02-02\n---\nHi\n").date, ymd(2026, 2, 2));
    let bad = parse("2026-01-05-x", "---\ndate: not a date\n---\nHi\n");
    assert_eq!(bad.date, ymd(2026, 1, 5));
    assert!(bad.warnings[0].contains("not a date"), "{:?}", bad.warnings);
    let undated = parse("notes", "Just some text.\n");
    assert_eq!(undated.date, None);
    assert!(undated.warnings.iter().any(|w| w.contains("no date")));
}

#[test]
fn bom_and_crlf() {
    let e = parse(
        "x",
        "\u{feff}---\r\ntitle: Windows\r\ndate: 2026-01-02\r\n---\r\n\r\n## One\r\n\r\nText.\r\n",
    );
    assert_eq!(e.title, "Windows");
    assert_eq!(e.items[0].text, "Text.");
}

#[test]
fn explicit_source_and_topic_lines_and_hashtags() {
    let e = parse(
        "x",
        "## Item\n\nA long read about memory for assistants.\n\nVia: Hacker News\nTopics: Gardening, agents\n\nAlso #robotics.\n",
    );
    let item = &e.items[0];
    assert!(item.sources.contains(&"Hacker News".to_string()), "{:?}", item.sources);
    assert!(item.topics.contains(&"Gardening".to_string()), "{:?}", item.topics);
    assert!(item.topics.contains(&"agents".to_string()));
    assert!(item.topics.contains(&"robotics".to_string()));
}

#[test]
fn github_sources_keep_repositories() {
    let e = parse(
        "x",
        "## Tools\n\n* [llama.cpp adds MTP](https://github.com/ggml-org/llama.cpp/pull/1) — fast\n* [A blog](https://www.example.com/a)\n",
    );
    assert_eq!(e.items[0].sources, ["GitHub"]);
    assert_eq!(e.items[0].repos, ["ggml-org/llama.cpp"]);
    assert_eq!(e.items[1].sources, ["example.com"]);
    assert_eq!(e.items[0].context, ["Tools"]);
}

#[test]
fn anchors_are_unique() {
    let e = parse("x", "## News\n\nA\n\n## News\n\nB\n\n## !!!\n\nC\n");
    let anchors: Vec<_> = e.items.iter().map(|i| i.anchor.as_str()).collect();
    assert_eq!(anchors, ["news", "news-1", "item"]);
}

#[test]
fn slugs() {
    assert_eq!(slug("What's new in Rust 1.84?"), "whats-new-in-rust-184");
    assert_eq!(slug("  Agent memory -- forgetting  "), "agent-memory-forgetting");
    assert_eq!(slug("Über café"), "über-café");
}

#[test]
fn titles_fall_back_to_the_file_name() {
    assert_eq!(parse("notes/weekly-notes", "Hello.\n").title, "Weekly notes");
    // A name that is a date stays as written: no title that no file contains.
    assert_eq!(parse("2026-04-16", "Hello.\n").title, "2026-04-16");
    assert_eq!(parse("newsletter/2020/issue-192", "Hello.\n").title, "Issue 192");
    assert_eq!(parse("this-month/2021-03/index", "Hello.\n").title, "2021-03");
    // Without a file name to read, the first heading of any level.
    assert_eq!(parse("_index", "Hi.\n\n## Kernels\n\nText.\n").title, "Kernels");
}

#[test]
fn titles_as_written() {
    // A title under a line of links is the title; the line stays an item.
    let e = parse(
        "d/web-20250102",
        "[Home](https://x.org) · [Archive](https://x.org/a)\n\n# Web Digest 2025-01-02\n\n## One\n\nText.\n",
    );
    assert_eq!(e.title, "Web Digest 2025-01-02");
    // The date line as written, not an English date around a name (`开源周报 — April 27, 2026`).
    let e = parse(
        "zh/2026-04-27",
        "开源周报 2026年4月27日\n\n本周最热的话题仍然是推测解码。\n\n— 编辑部\n",
    );
    assert_eq!(e.title, "开源周报 2026年4月27日");
    // A name and a date the file writes together stay the title.
    let e = parse(
        "fn/issue-01",
        "Friday, February 13, 2026\n\nText.\n\nFriday Notes — February 13, 2026 — Bo Chen\n",
    );
    assert_eq!(e.title, "Friday Notes — February 13, 2026");
}

#[test]
fn unreadable_inputs() {
    let t = Taxonomy::builtin();
    assert!(matches!(Entry::from_bytes("x", b"\xff\xfe garbage", &t), Err(ParseError::NotUtf8(0))));
    assert!(matches!(Entry::from_bytes("x", b"PK\x03\x04\0\0", &t), Err(ParseError::Binary)));
    let e = Entry::from_bytes("x", b"", &t).unwrap();
    assert!(e.items.is_empty() && e.warnings.iter().any(|w| w.contains("no items")));
}

/// A newsletter export: an HTML link list (one item per `<li>`), a `<details>`
/// section, an HTML heading and table, entities, a comment, a script and a style.
const HTML_DIGEST: &str = include_str!("../../tests/fixtures/html/2026-05-02-ai-daily.md");

fn item<'a>(e: &'a Entry, title: &str) -> &'a Item {
    e.items.iter().find(|i| i.title == title).unwrap_or_else(|| {
        panic!("no item `{title}` in {:?}", e.items.iter().map(|i| &i.title).collect::<Vec<_>>())
    })
}

#[test]
fn html_link_lists_split_into_items_with_their_links_and_sources() {
    let e = parse("daily/2026-05-02", HTML_DIGEST);
    let titles: Vec<&str> = e.items.iter().map(|i| i.title.as_str()).collect();
    let tweets = ["Tweet from @karpathy", "Thread on r/LocalLLaMA", "Show HN"];
    assert_eq!(&titles[1..4], tweets, "{titles:?}");
    let tweet = item(&e, "Tweet from @karpathy");
    assert_eq!(tweet.context, ["Tweets"]);
    assert!(tweet.text.contains("the root of all evil & suffering"), "{:?}", tweet.text);
    assert_eq!(tweet.links[0].url, "https://x.com/karpathy/status/1916000000000000001");
    assert_eq!(tweet.sources, ["X"]);
    let thread = item(&e, "Thread on r/LocalLLaMA");
    assert_eq!(thread.sources, ["r/LocalLLaMA"]);
    assert!(thread.text.contains("Raspberry Pi"), "{:?}", thread.text);
    assert_eq!(item(&e, "Show HN").sources, ["Hacker News"]);
    // Each item's part of the body starts at its own `<li>`.
    let offsets: Vec<usize> = e.items[1..4].iter().map(|i| i.offset).collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    for offset in offsets {
        assert!(e.body[offset..].starts_with("<li>"), "{:?}", &e.body[offset..]);
    }
}

#[test]
fn details_are_sections_titled_by_their_summary_and_tables_are_text() {
    let e = parse("daily/2026-05-02", HTML_DIGEST);
    let papers = item(&e, "Papers this week");
    assert!(papers.text.contains("A survey of speculative decoding — surprisingly readable."));
    assert!(papers.text.contains("Also: mixture of depths, revisited."), "{:?}", papers.text);
    assert_eq!(papers.sources, ["arXiv"]);
    assert!(item(&e, "Leaderboard").text.contains("Zephyrine-7B 81.2"));
    let all: String = e.items.iter().map(|i| i.text.as_str()).collect::<Vec<_>>().join("\n");
    assert!(!all.contains("quasarflux"), "comments are not text");
    assert!(!all.contains("nebulafox"), "scripts are not text");
    assert!(!all.contains("collapse"), "styles are not text");
}

#[test]
fn html_paragraphs_without_headings_are_items() {
    let e = parse(
        "notes/2026-05-03",
        "<div>\n<p>First, a <a href=\"https://github.com/ggml-org/llama.cpp\">llama.cpp</a> release.</p>\n<p>Second, <em>a</em> paper.</p>\n</div>\n",
    );
    let texts: Vec<&str> = e.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["First, a llama.cpp release.", "Second, a paper."]);
    assert_eq!(e.items[0].repos, ["ggml-org/llama.cpp"]);
}

#[test]
fn inline_html_links_and_breaks_count() {
    let e = parse(
        "notes/2026-05-04",
        "A thread on <a href=\"https://lesswrong.com/posts/x\">LessWrong</a> about agents.<br>Second line <script>hidden()</script>shown.\n",
    );
    assert_eq!(e.items.len(), 1);
    let item = &e.items[0];
    assert_eq!(item.sources, ["LessWrong"]);
    assert!(item.text.contains("Second line shown."), "{:?}", item.text);
    assert!(!item.text.contains("hidden"), "{:?}", item.text);
    assert_eq!(
        plain_text(&item.markdown),
        "A thread on LessWrong about agents. Second line shown."
    );
}

#[test]
fn drafts_in_each_style() {
    let draft = |text: &str| parse("d/x", text).draft;
    assert!(draft("---\ntitle: x\ndraft: true\n---\n\nText.\n"));
    assert!(draft("+++\ntitle = \"x\"\ndraft = true\n+++\n\nText.\n"));
    assert!(draft("Title: x\nStatus: draft\n\nText.\n"));
    assert!(draft("---\ntitle: x\npublished: false\n---\n\nText.\n"));
    assert!(!draft("---\ntitle: x\ndraft: false\n---\n\nText.\n"));
    assert!(!draft("Title: x\nStatus: published\n\nText.\n"));
    // A `published` that is a date stays the date, with no warning.
    let e = parse("d/x", "---\ntitle: x\npublished: 2026-05-05\n---\n\nText.\n");
    assert!(!e.draft);
    assert_eq!(e.date, ymd(2026, 5, 5));
    let e = parse("d/2026-05-06", "---\ntitle: x\npublished: true\n---\n\nText.\n");
    assert!(!e.draft);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn items_carry_only_the_entry_tags_their_text_shows() {
    let tags = [
        "agents",
        "fine-tuning",
        "quantization",
        "robotics",
        "speech",
        "rust",
        "databases",
        "evaluation",
        "open source",
        "inference",
        "safety",
        "vision",
        "compilers",
        "hardware",
        "开源",
    ];
    let mut text =
        format!("---\ntitle: Tagged\ndate: 2026-05-01\ntags: [{}]\n---\n\n", tags.join(", "));
    text.push_str("## One\n\nWe fine-tuned nothing; a fine-tuning recipe for small models.\n\n");
    text.push_str("## Two\n\nAn agent that writes Rust, in the open source world.\n\n");
    text.push_str("## Three\n\nNothing about any of them: the weather was nice.\n\n");
    text.push_str("## 四\n\n一个开源项目。\n");
    let e = parse("t/2026-05-01", &text);
    assert_eq!(e.tags.len(), 15);
    let topics = |title: &str| item(&e, title).topics.clone();
    assert!(topics("One").contains(&"fine-tuning".to_string()), "{:?}", topics("One"));
    assert!(!topics("One").contains(&"agents".to_string()));
    let two = topics("Two");
    for tag in ["agents", "rust", "open source"] {
        assert!(two.contains(&tag.to_string()), "{tag}: {two:?}");
    }
    assert!(!two.contains(&"fine-tuning".to_string()), "{two:?}");
    assert!(topics("Three").is_empty(), "{:?}", topics("Three"));
    assert!(topics("四").contains(&"开源".to_string()));
}

#[test]
fn an_item_citing_a_group_and_its_event_is_about_the_event() {
    let e = parse(
        "events/2026-05-01",
        "# Events\n\n* 2026-05-20 | Zurich | [Rust Zurich](https://www.meetup.com/rust-zurich/)\n    * [**Async in practice**](https://www.meetup.com/rust-zurich/events/310000001/)\n",
    );
    let event = stories::StoryId::of_key("meetup.com/rust-zurich/events/310000001");
    let ids: Vec<&stories::StoryId> = e.items.iter().flat_map(|i| &i.stories).collect();
    assert!(ids.contains(&&event), "{ids:?}");
    let group = stories::StoryId::of_key("meetup.com/rust-zurich");
    assert!(!ids.contains(&&group), "the group page makes no story: {ids:?}");
}

#[test]
fn one_dated_heading_dates_nothing_two_date_their_sections() {
    let days = |e: &Entry| e.items.iter().map(|i| i.date).collect::<Vec<_>>();
    let one = parse("w/2026-04-06", "## News\n\nText.\n\n## 2026-04-20 Meetup\n\nAn event.\n");
    assert_eq!(days(&one), [None, None]);
    assert_eq!(one.date, ymd(2026, 4, 6));
    let two = parse(
        "w/2026-04-06",
        "Intro.\n\n## 2026-04-07\n\nOne.\n\n### Detail\n\nStill the 7th.\n\n## 2026-04-09\n\nTwo.\n\n# Appendix\n\nNo day.\n",
    );
    assert_eq!(days(&two), [None, ymd(2026, 4, 7), ymd(2026, 4, 7), ymd(2026, 4, 9), None]);
    assert_eq!(two.date, ymd(2026, 4, 7), "the first day of its sections");
}
