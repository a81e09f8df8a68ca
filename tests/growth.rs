//! Inputs that grow: each stage is linear in its input (or capped). Each family of
//! pathological input is parsed at 1x, 2x, 4x and 8x its base size; the time at 8x
//! must stay under 20 times the time at 1x (linear is 8, quadratic 64). Ratios, not
//! absolute times: these machines are noisy, and each size is timed as the best of 3.

use std::time::{Duration, Instant};

use archive::digest::{Entry, Taxonomy};

/// The best of three parses of `text`.
fn parse_time(text: &str, taxonomy: &Taxonomy) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let parsed = Entry::parse("growth/2026-01-01", text, taxonomy);
            std::hint::black_box(&parsed);
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn linear(family: &str, base: usize, make: impl Fn(usize) -> String) {
    let taxonomy = Taxonomy::builtin();
    let times: Vec<Duration> =
        [1, 2, 4, 8].iter().map(|k| parse_time(&make(base * k), &taxonomy)).collect();
    let ratio = times[3].as_secs_f64() / times[0].as_secs_f64().max(1e-4);
    println!("{family}: {times:?} (8x / 1x = {ratio:.1})");
    assert!(ratio < 20.0, "{family}: {times:?}, 8x the input took {ratio:.1}x the time");
}

#[test]
fn one_item_with_thousands_of_bare_urls_of_distinct_sites() {
    linear("bare URLs", 2_500, |n| {
        let urls: String = (0..n).map(|i| format!("https://site{i}.example.com/p ")).collect();
        format!("# Links\n\n## Many links\n\nSome Text here. {urls}\n")
    });
}

#[test]
fn one_item_with_thousands_of_markdown_links() {
    linear("Markdown links", 2_500, |n| {
        let links: String =
            (0..n).map(|i| format!("[Site {i}](https://site{i}.example.org/a) ")).collect();
        format!("# Links\n\n## Many links\n\n{links}\n")
    });
}

#[test]
fn one_item_with_thousands_of_hashtags() {
    linear("hashtags", 10_000, |n| {
        let tags: String = (0..n).map(|i| format!("#tag{i} ")).collect();
        format!("# Tags\n\n## Many tags\n\n{tags}\n")
    });
}

#[test]
fn front_matter_nested_deeper_and_deeper() {
    let deep = format!("---\ntags: {}{}\n---\n\nText.\n", "[".repeat(100), "]".repeat(100));
    let refused = Entry::parse("growth/deep", &deep, &Taxonomy::builtin()).unwrap_err();
    assert!(refused.to_string().contains("nest deeper than 64"), "{refused}");
    linear("nested YAML", 2_500, |n| {
        format!(
            "---\ntitle: Deep\ntags: {}{}\n---\n\n## An item\n\nText.\n",
            "[".repeat(n),
            "]".repeat(n)
        )
    });
}

/// An entry page of deeply nested `<div>`s (raw HTML in the Markdown): rendered and
/// sanitised in time linear in its size, the text kept.
#[test]
fn an_entry_of_nested_divs_renders_in_linear_time() {
    use std::collections::HashSet;
    let page = |n: usize| format!("{}deep text{}\n", "<div>".repeat(n), "</div>".repeat(n));
    let time = |n: usize| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let html = archive::web::render::render(&page(n), &[], &HashSet::new());
                assert!(html.contains("deep text"));
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let times: Vec<Duration> = [2_500, 5_000, 10_000, 20_000].into_iter().map(time).collect();
    let ratio = times[3].as_secs_f64() / times[0].as_secs_f64().max(1e-4);
    println!("nested divs: {times:?} (8x / 1x = {ratio:.1})");
    assert!(ratio < 20.0, "nested divs: {times:?}, 8x the input took {ratio:.1}x the time");
}
