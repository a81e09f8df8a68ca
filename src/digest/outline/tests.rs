use super::*;

fn titles(o: &Outline) -> Vec<&str> {
    o.items.iter().map(|i| i.title.as_str()).collect()
}

#[test]
fn sections_under_headings_are_items() {
    let o = outline(
        "# Weekly\n\nIntro text.\n\n## Speculative decoding\n\nA thread about drafts.\n\n## Agent memory\n\nMemory layers.\n",
    );
    assert_eq!(o.title.as_deref(), Some("Weekly"));
    assert_eq!(titles(&o), ["Introduction", "Speculative decoding", "Agent memory"]);
    assert_eq!(o.items[1].text, "A thread about drafts.");
    assert_eq!(o.items[2].markdown, "Memory layers.");
}

#[test]
fn link_lists_split_into_entries_with_context() {
    let body = "## Updates\n\n<!--\n* [Title](https://example.com/placeholder)\n-->\n\n### Official\n* [Announcing Rust 1.84.0](https://blog.rust-lang.org/x.html)\n* [video] [Comprehending Proc Macros](https://www.youtube.com/watch?v=1) — a talk\n\n## Crate of the Week\n\nThis week's crate is [vidyut](https://github.com/ambuda-org/vidyut).\n";
    let o = outline(body);
    assert_eq!(
        titles(&o),
        ["Announcing Rust 1.84.0", "Comprehending Proc Macros", "Crate of the Week"]
    );
    assert_eq!(o.items[0].context, ["Updates", "Official"]);
    assert_eq!(o.items[1].links[0].url, "https://www.youtube.com/watch?v=1");
    assert_eq!(o.items[1].text, "[video] Comprehending Proc Macros — a talk");
    assert!(o.items.iter().all(|i| i.links.iter().all(|l| !l.url.contains("placeholder"))));
    assert_eq!(&body[o.items[0].offset..o.items[0].offset + 3], "* [");
}

#[test]
fn section_text_before_a_link_list_is_its_own_item() {
    let o = outline(
        "## Papers\n\nThree papers this week.\n\n- [A](https://arxiv.org/abs/1)\n- [B](https://arxiv.org/abs/2)\n",
    );
    assert_eq!(titles(&o), ["Papers", "A", "B"]);
    assert_eq!(o.items[0].text, "Three papers this week.");
}

#[test]
fn plain_digest() {
    let body = "Thursday, April 16, 2026\n\n**Speculative decoding.** Someone on LocalLLaMA got 2x with a small draft model.\n\nA new GGUF of the model is out: https://huggingface.co/x/y.\n\n- it fits in 8 GB\n- runs at 40 tok/s\n\n— Sam Lee\n";
    let o = outline(body);
    let line = "Thursday, April 16, 2026".to_string();
    assert_eq!(
        o.date_line,
        Some((NaiveDate::from_ymd_opt(2026, 4, 16).unwrap(), String::new(), line))
    );
    assert_eq!(o.signature.as_ref().unwrap().author.as_deref(), Some("Sam Lee"));
    assert_eq!(titles(&o), ["Speculative decoding", "A new GGUF of the model is out"]);
    assert_eq!(o.items[1].links[0].url, "https://huggingface.co/x/y");
    assert!(o.items[1].text.contains("runs at 40 tok/s"), "{}", o.items[1].text);
}

#[test]
fn signatures() {
    let sig = signature("Weekly Roundup — March 3, 2026 — Sam Lee").unwrap();
    assert_eq!(sig.date, NaiveDate::from_ymd_opt(2026, 3, 3));
    assert_eq!(sig.author.as_deref(), Some("Sam Lee"));
    assert_eq!(sig.series.as_deref(), Some("Weekly Roundup"));
    let sig = signature("-- Ana").unwrap();
    assert_eq!((sig.author.as_deref(), sig.date), (Some("Ana"), None));
    assert!(
        signature("That was the week, see you on March 10, 2026 when we have much more to say.")
            .is_none()
    );
    assert!(signature("A plain closing sentence.").is_none());
}

#[test]
fn date_lines() {
    let (date, rest) = date_line("Weekly AI Roundup — March 3, 2026").unwrap();
    assert_eq!(
        (date, rest.as_str()),
        (NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(), "Weekly AI Roundup")
    );
    assert!(
        date_line("On March 3, 2026 a very long sentence went on and on about many many things")
            .is_none()
    );
}

#[test]
fn nothing_but_comments_and_blank() {
    assert!(outline("<!-- nothing -->\n\n").items.is_empty());
    assert!(outline("").items.is_empty());
}

#[test]
fn titles_leave_out_the_bare_urls_they_cite() {
    let o = outline(
        "1. Golang IO 手册 https://github.com/example/io\n2. https://example.com/only-a-link\n",
    );
    let titles: Vec<&str> = o.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Golang IO 手册", "https://example.com/only-a-link"]);
    assert_eq!(o.items[0].links[0].url, "https://github.com/example/io");
}
