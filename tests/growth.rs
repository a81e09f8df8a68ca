//! Inputs that grow: each stage is linear in its input (or capped). Each family of
//! pathological input is parsed at 1x, 2x, 4x and 8x its base size; the time at 8x
//! must stay under 20 times the time at 1x (linear is 8, quadratic 64). Ratios, not
//! absolute times: these machines are noisy, and each size is timed as the best of 5.

use std::time::{Duration, Instant};

use archive::digest::{Entry, Taxonomy};

/// Times `run` over `make`'s input at 1x, 2x, 4x and 8x `base` and fails when 8x takes 20
/// times as long as 1x. The sizes are timed in turn, five rounds, the best of each kept:
/// other tests running beside this one slow every size alike.
fn linear<T>(family: &str, base: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let inputs: Vec<T> = [1, 2, 4, 8].into_iter().map(|k| make(base * k)).collect();
    let mut times = vec![Duration::MAX; inputs.len()];
    for _ in 0..5 {
        for (input, best) in inputs.iter().zip(times.iter_mut()) {
            let started = Instant::now();
            run(input);
            *best = (*best).min(started.elapsed());
        }
    }
    let ratio = times[3].as_secs_f64() / times[0].as_secs_f64().max(1e-4);
    println!("{family}: {times:?} (8x / 1x = {ratio:.1})");
    assert!(ratio < 20.0, "{family}: {times:?}, 8x the input took {ratio:.1}x the time");
}

/// [`linear`] for parsing a digest.
fn parses_linearly(family: &str, base: usize, make: impl Fn(usize) -> String) {
    let taxonomy = Taxonomy::builtin();
    linear(family, base, make, |text| {
        std::hint::black_box(Entry::parse("growth/2026-01-01", text, &taxonomy).ok());
    });
}

/// A digest of one item made of `n` pieces.
fn one_item_of(piece: impl Fn(usize) -> String) -> impl Fn(usize) -> String {
    move |n| {
        format!(
            "# Many\n\n## One item\n\nSome Text here. {}\n",
            (0..n).map(&piece).collect::<String>()
        )
    }
}

#[test]
fn one_item_with_thousands_of_bare_urls_of_distinct_sites() {
    parses_linearly("bare URLs", 2_500, one_item_of(|i| format!("https://site{i}.example.com/p ")));
}

#[test]
fn one_item_with_thousands_of_markdown_links() {
    let link = |i| format!("[Site {i}](https://site{i}.example.org/a) ");
    parses_linearly("Markdown links", 2_500, one_item_of(link));
}

#[test]
fn one_item_with_thousands_of_hashtags() {
    parses_linearly("hashtags", 10_000, one_item_of(|i| format!("#tag{i} ")));
}

/// Front matter nested past 64 brackets is refused before the YAML parser, whose time grows
/// with the square of the depth, reads it.
#[test]
fn front_matter_nested_too_deep_is_refused() {
    let deep = format!("---\ntags: {}{}\n---\n\nText.\n", "[".repeat(100), "]".repeat(100));
    let refused = Entry::parse("growth/deep", &deep, &Taxonomy::builtin()).unwrap_err();
    assert!(refused.to_string().contains("nest deeper than 64"), "{refused}");
}

/// An entry page of deeply nested `<div>`s (raw HTML in the Markdown): rendered and
/// sanitised in time linear in its size, the text kept.
#[test]
fn an_entry_of_nested_divs_renders_in_linear_time() {
    use std::collections::HashSet;
    let page = |n: usize| format!("{}deep text{}\n", "<div>".repeat(n), "</div>".repeat(n));
    linear("nested divs", 2_500, page, |page| {
        let html = archive::web::render::render(page, &[], &HashSet::new());
        assert!(html.contains("deep text"));
    });
}
