//! End to end in a real headless Chromium (Debian's `chromium` + `chromium-driver`,
//! driven through WebDriver) against `archive serve` on 127.0.0.1: typing a query,
//! clicking a facet, landing on an item's anchor, hostile content that must not run,
//! and the pages without JavaScript. Screenshots go to `target/screenshots/`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::http::SITE;

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts chromedriver, or says loudly why not (and fails under CI).
fn start_driver() -> Option<(Process, String)> {
    let found = |p: &str| std::path::Path::new(p).exists();
    if !found("/usr/bin/chromium") || !found("/usr/bin/chromedriver") {
        let message = "BROWSER TESTS NOT RUN: /usr/bin/chromium and /usr/bin/chromedriver are missing \
                       (apt-get install chromium chromium-driver)";
        if std::env::var_os("CI").is_some() {
            panic!("{message}");
        }
        eprintln!("\n!!!!!!!!\n{message}\n!!!!!!!!\n");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // Wrapped at once: the guard kills and waits for it on every path.
    let child = Process(
        Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((child, url));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &str, javascript: bool, width: u32, height: u32) -> Client {
    let mut extra = vec![format!("--window-size={width},{height}")];
    if !javascript {
        extra.push("--blink-settings=scriptEnabled=false".into());
    }
    browser_with(driver, &extra).await
}

/// A headless Chromium session with these arguments besides the usual ones.
async fn browser_with(driver: &str, extra: &[String]) -> Client {
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
    ];
    args.extend_from_slice(extra);
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    caps.insert("unhandledPromptBehavior".into(), json!("ignore"));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session")
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// Waits up to 10 s for the current URL to contain `part`.
async fn wait_for_url(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the URL never contained `{part}`: {}", c.current_url().await.unwrap());
}

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Polls a script until it returns true.
async fn until(c: &Client, what: &str, script: &str) {
    for _ in 0..100 {
        if c.execute(script, vec![]).await.unwrap() == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_end_to_end() {
    let Some((_driver, driver)) = start_driver() else { return };
    let server = SITE.serve(&[]);
    let base = server.url.clone();
    let c = browser(&driver, true, 1280, 1000).await;

    // Type a query: results update as you type, terms marked, URL kept in step.
    c.goto(&base).await.unwrap();
    shot(&c, "home").await;
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.send_keys("speculative decoding").await.unwrap();
    until(&c, "live results", "return document.querySelectorAll('#results mark').length > 3 && location.search.includes('speculative')").await;
    assert!(c.current_url().await.unwrap().as_str().contains("/search?q=speculative%20decoding"));
    let first = c.find(Locator::Css("#results .hit-title")).await.unwrap().text().await.unwrap();
    assert!(first.to_lowercase().contains("speculative"), "{first}");
    // The timeline follows: 16 matches, at most 6 a month, on a 0-5-10 axis.
    let top = "const t = [...document.querySelectorAll('.timeline text.count')]; return t[t.length - 1].textContent";
    assert_eq!(c.execute(top, vec![]).await.unwrap(), json!("10"), "a stale timeline");
    shot(&c, "typed-query").await;
    // The thread the Monday roundup cites comes back on Thursday: one story.
    c.goto(&format!("{base}/search?q=speculative+decoding+thread")).await.unwrap();
    let story = c.find(Locator::Css("#results .story")).await.unwrap().text().await.unwrap();
    assert!(story.starts_with("Also in 1 other digest, first seen 2026-02-02"), "{story}");
    shot(&c, "story").await;
    c.find(Locator::Css("#results .story a")).await.unwrap().click().await.unwrap();
    until(&c, "the story page", "return location.pathname.startsWith('/stories/')").await;
    assert_eq!(count(&c, ".mention").await, 2);
    shot(&c, "story-page").await;

    // Browse: the topic list -> a topic's page, whose chart has labelled axes that do
    // not overlap, and whose sources link to their own pages.
    c.goto(&format!("{base}/topics")).await.unwrap();
    c.find(Locator::XPath("//main//a[text()='agents']")).await.unwrap().click().await.unwrap();
    until(&c, "the topic page", "return location.pathname === '/topics/agents'").await;
    let months = c
        .execute(
            "return [...document.querySelectorAll('.chart text.month')].map(t => t.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(months, json!(["Feb 2026", "Mar 2026", "Apr 2026", "May 2026"]));
    assert_eq!(count(&c, ".chart rect:not(.target)").await, 4);
    assert!(count(&c, ".chart text.count").await >= 2, "a count axis");
    let apart = "const r = [...document.querySelectorAll('.chart text')].map(t => t.getBoundingClientRect()); \
                 return r.every((a, i) => r.every((b, j) => i == j || a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top))";
    assert_eq!(c.execute(apart, vec![]).await.unwrap(), json!(true), "axis labels overlap");
    assert!(count(&c, ".newest .mention").await >= 5);
    shot(&c, "topic-page").await;
    c.find(Locator::XPath("//aside//a[text()='LessWrong']")).await.unwrap().click().await.unwrap();
    until(&c, "the source page", "return location.pathname === '/sources/LessWrong'").await;
    let h1 = c.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "LessWrong");
    shot(&c, "source-page").await;

    // The search page's timeline has the same axes.
    c.goto(&format!("{base}/search?q=speculative+decoding")).await.unwrap();
    assert!(count(&c, ".timeline text.month").await >= 2);
    assert!(count(&c, ".timeline text.count").await >= 2);

    // Keyboard: `/` focuses the search box, arrows move through results.
    c.execute("document.activeElement.blur()", vec![]).await.unwrap();
    c.find(Locator::Css("body")).await.unwrap().send_keys("/").await.unwrap();
    until(&c, "focus on the search box", "return document.activeElement.id === 'q'").await;
    c.find(Locator::Css("body")).await.unwrap().send_keys("\u{E015}").await.unwrap(); // ArrowDown
    until(&c, "a selected hit", "return document.querySelector('.hit.selected') !== null").await;

    // Click a topic in the sidebar: the list is filtered and the filter is shown.
    c.goto(&format!("{base}/search?q=speculative+decoding")).await.unwrap();
    c.find(Locator::XPath("//aside[@id='facets']//a[text()='local models']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(&c, "the filtered page", "return location.search.includes('topic%3A')").await;
    let chips = c.find(Locator::Css(".chips.active")).await.unwrap().text().await.unwrap();
    assert!(chips.contains("topic:\"local models\""), "{chips}");
    let hits = count(&c, ".hit").await;
    assert!(hits >= 3);
    assert!(count(&c, ".hit .chip.topic").await >= hits);
    for hit in c.find_all(Locator::Css(".hit")).await.unwrap() {
        assert!(hit.text().await.unwrap().contains("local models"));
    }
    shot(&c, "topic-filter").await;

    // Open a hit: land on the item's anchor in the rendered entry, terms marked.
    let link = c.find(Locator::Css(".hit-title")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    let anchor = href.split('#').nth(1).unwrap().to_string();
    link.click().await.unwrap();
    until(&c, "the entry page", "return location.pathname.startsWith('/entries/')").await;
    let target = c
        .execute("const t = document.querySelector(':target'); return t ? t.id : null", vec![])
        .await
        .unwrap();
    assert_eq!(target, json!(anchor));
    assert!(count(&c, ".markdown mark").await > 0);
    let in_view = c
        .execute("const r = document.querySelector(':target').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight", vec![])
        .await
        .unwrap();
    assert_eq!(in_view, json!(true), "the item is scrolled into view");
    shot(&c, "entry-anchor").await;

    // A Chinese word typed from the middle of a sentence: found, marked whole in the
    // snippet and on the entry page.
    c.goto(&format!("{base}/search?q=%E5%BC%80%E6%BA%90%E8%BD%AF%E4%BB%B6")).await.unwrap(); // 开源软件
    let marked = c.find(Locator::Css("#results mark")).await.unwrap().text().await.unwrap();
    assert_eq!(marked, "开源软件");
    let title = c.find(Locator::Css("#results .hit-title")).await.unwrap();
    assert!(title.text().await.unwrap().contains("开源软件基金会"));
    shot(&c, "chinese-query").await;
    title.click().await.unwrap();
    until(&c, "the Chinese entry", "return location.pathname.startsWith('/entries/kaiyuan')").await;
    let marks = c
        .execute(
            "return [...document.querySelectorAll('.markdown mark')].map(m => m.textContent)",
            vec![],
        )
        .await
        .unwrap();
    // Each mark is the word or a pair of it (as `decoding` marks `decoder` in English).
    let marks: Vec<&str> = marks.as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(marks.iter().all(|m| "开源软件".contains(m)), "{marks:?}");
    assert!(marks.iter().filter(|m| **m == "开源软件").count() >= 2, "{marks:?}");

    // Hostile Markdown: neither the script nor the onerror handler runs.
    c.goto(&format!("{base}/entries/hostile/2026-01-15-hostile")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(c.get_alert_text().await.is_err(), "a dialog opened");
    assert_eq!(
        c.execute("return window.__pwned === undefined", vec![]).await.unwrap(),
        json!(true)
    );
    assert_eq!(
        count(&c, ".markdown script, .markdown iframe, .markdown [onerror], .markdown svg").await,
        0
    );
    assert_eq!(count(&c, ".markdown a[href^='javascript'], .markdown a[href^='data']").await, 0);
    shot(&c, "hostile").await;

    // A hostile query string is echoed as text.
    c.goto(&format!("{base}/search?q=%3Cimg+src%3Dx+onerror%3D%22window.__pwned%3D3%22%3E"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        c.execute("return window.__pwned === undefined", vec![]).await.unwrap(),
        json!(true)
    );
    assert!(c.get_alert_text().await.is_err());

    // A phone-sized window.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/search?q=agents")).await.unwrap();
    let overflow = c
        .execute("return document.documentElement.scrollWidth <= innerWidth + 1", vec![])
        .await
        .unwrap();
    assert_eq!(overflow, json!(true), "no horizontal scrolling on a phone");
    shot(&c, "phone").await;
    c.close().await.unwrap();

    // Without JavaScript: the form submits, results and facets are server-rendered.
    let c = browser(&driver, false, 1280, 1000).await;
    c.goto(&base).await.unwrap();
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.send_keys("agent memory").await.unwrap();
    c.find(Locator::Css(".searchbox button")).await.unwrap().click().await.unwrap();
    // The home page lists hits already: wait for the submitted form's page, not a hit.
    wait_for_url(&c, "q=agent+memory").await;
    c.wait().for_element(Locator::Css("#results .hit")).await.unwrap();
    assert!(count(&c, "#results mark").await > 0);
    c.find(Locator::XPath("//aside[@id='facets']//a[text()='LessWrong']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".chips.active")).await.unwrap();
    for hit in c.find_all(Locator::Css(".hit")).await.unwrap() {
        assert!(hit.text().await.unwrap().contains("LessWrong"));
    }
    shot(&c, "no-javascript").await;
    c.close().await.unwrap();
}

/// `serve --auth-file` in the browser: without credentials the browser meets the 401
/// challenge and stops at its sign-in dialog (headless, the dialog is not drawn: the
/// page stays blank rather than showing the 401 body, which it shows without the
/// challenge). A second browser answers the dialog as a person would, through an
/// extension's `onAuthRequired` (the hook the dialog itself answers), and then the
/// pages, the styles and the live search (a `fetch` of a page) all load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in() {
    let Some((_driver, driver)) = start_driver() else { return };
    let file = SITE.beside("browser-users.auth");
    crate::auth::add_user(&SITE, &file, "reader", "open sesame 42");
    let server = SITE.serve(&["--auth-file", file.to_str().unwrap()]);
    let status = "return performance.getEntriesByType('navigation')[0].responseStatus";

    let c = browser(&driver, true, 1280, 1000).await;
    c.goto(&server.url).await.unwrap();
    assert_eq!(c.execute(status, vec![]).await.unwrap(), json!(401));
    let waiting = "return document.title === '' && document.body.children.length === 0";
    assert_eq!(c.execute(waiting, vec![]).await.unwrap(), json!(true), "no sign-in dialog");
    c.close().await.unwrap();

    let person = tempfile::tempdir().unwrap();
    std::fs::write(
        person.path().join("manifest.json"),
        r#"{"manifest_version": 3, "name": "types the password", "version": "1",
            "permissions": ["webRequest", "webRequestAuthProvider"],
            "host_permissions": ["<all_urls>"],
            "background": {"service_worker": "answer.js"}}"#,
    )
    .unwrap();
    std::fs::write(
        person.path().join("answer.js"),
        r#"chrome.webRequest.onAuthRequired.addListener(
             (details, answer) => answer({authCredentials: {username: "reader", password: "open sesame 42"}}),
             {urls: ["<all_urls>"]}, ["asyncBlocking"]);"#,
    )
    .unwrap();
    let c = browser_with(
        &driver,
        &[
            format!("--load-extension={}", person.path().display()),
            "--disable-features=DisableLoadExtensionCommandLineSwitch".into(),
        ],
    )
    .await;
    // The extension's worker starts a moment after the browser: until it does, the
    // dialog waits unanswered.
    let mut answered = false;
    for _ in 0..50 {
        c.goto(&format!("{}/search?q=agents", server.url)).await.unwrap();
        if c.execute(status, vec![]).await.unwrap() == json!(200) {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "the page never loaded after the sign-in dialog was answered");
    assert!(count(&c, "#results .hit").await > 0);
    let styled =
        "return document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 10";
    assert_eq!(c.execute(styled, vec![]).await.unwrap(), json!(true), "the stylesheet loads");
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("speculative decoding").await.unwrap();
    until(&c, "live results", "return document.querySelectorAll('#results mark').length > 3 && location.search.includes('speculative')").await;
    shot(&c, "signed-in").await;
    c.close().await.unwrap();
}

/// Dates as a reader sees them: a monthly issue shows its month and is found by it; the
/// items of a week of dated sections sit in their own days on the timeline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_dates() {
    let Some((_driver, driver)) = start_driver() else { return };
    let site = crate::util::Sandbox::copy_of(&crate::util::fixture("dates"));
    site.reindex();
    let server = site.serve(&[]);
    let c = browser(&driver, true, 1280, 1000).await;

    c.goto(&format!("{}/search?q=date%3A2024-05+wasm", server.url)).await.unwrap();
    let shown = "return [...document.querySelectorAll('#results time')].map(t => [t.textContent, t.getAttribute('datetime')])";
    assert_eq!(c.execute(shown, vec![]).await.unwrap(), json!([["May 2024", "2024-05"]]));
    shot(&c, "month-entry").await;

    // A week of dailies in one file, and a week of two dated sections: each group shows
    // its first day, and each item of another day its own.
    let week = "date%3A2020-01-07..2020-01-31&sort=oldest";
    c.goto(&format!("{}/search?q={week}", server.url)).await.unwrap();
    let days = "return [...document.querySelectorAll('#results time')].map(t => t.textContent)";
    let days = c.execute(days, vec![]).await.unwrap();
    let mut days: Vec<String> = serde_json::from_value(days).unwrap();
    days.dedup();
    assert_eq!(days, ["2020-01-07", "2020-01-09", "2020-01-13", "2020-01-15"]);
    let months =
        "return [...document.querySelectorAll('.timeline text.month')].map(t => t.textContent)";
    let months = c.execute(months, vec![]).await.unwrap();
    assert!(months.to_string().contains("Jan 2020"), "{months}");
    shot(&c, "dated-sections").await;
}

/// Words of two items of one digest: the page shows the item with every word first, then
/// the note and the digest's group with both its items, each word marked (issue 31).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_spread() {
    let Some((_driver, driver)) = start_driver() else { return };
    let site = crate::quality::spread_site();
    let server = site.serve(&[]);
    let c = browser(&driver, true, 1280, 1000).await;

    c.goto(&format!("{}/search?q=browser+gem", server.url)).await.unwrap();
    let groups = "return [...document.querySelectorAll('#results > li.group')].slice(0, 3).map(g => [g.querySelector('.matched-note')?.innerText ?? '', g.querySelector('.entry-title').innerText, g.querySelectorAll('.hit').length, [...g.querySelectorAll('mark')].map(m => m.innerText.toLowerCase()).sort().filter((m, i, all) => all.indexOf(m) == i)])";
    let shown = c.execute(groups, vec![]).await.unwrap();
    assert_eq!(shown[0], json!(["", "Links — May 11, 2026", 1, ["browser", "gem"]]));
    let note = "No other item has every word; these digests have them all";
    assert_eq!(shown[1], json!([note, "Links — May 4, 2026", 2, ["browser", "gem"]]));
    // Then a digest with one of the words.
    assert_eq!(shown[2][0], "These have some of the words");
    assert_eq!(shown[2][3].as_array().map(Vec::len), Some(1), "{shown}");
    let note = c.find(Locator::Css(".matched-note")).await.unwrap();
    assert!(note.is_displayed().await.unwrap());
    shot(&c, "spread").await;
}

/// Search by meaning as a reader switches to it: a word in no digest finds nothing by its
/// words; "words and meaning" finds the items about it, each marked as found by meaning,
/// and the mode stays on through the search box (issue 28).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_meaning() {
    let Some((_driver, driver)) = start_driver() else { return };
    let server = SITE.serve(&[]);
    let c = browser(&driver, false, 1280, 1000).await;

    c.goto(&format!("{}/search?q=amnesia", server.url)).await.unwrap();
    assert_eq!(count(&c, "#results .hit").await, 0);
    c.find(Locator::Css("nav.mode a:last-of-type")).await.unwrap().click().await.unwrap();
    wait_for_url(&c, "mode=hybrid").await;
    let hits = "return [...document.querySelectorAll('#results .hit')].slice(0, 3).map(h => [h.querySelector('.hit-title').innerText, h.querySelector('.by-meaning')?.innerText ?? ''])";
    let hits = c.execute(hits, vec![]).await.unwrap();
    let hits: Vec<(String, String)> = serde_json::from_value(hits).unwrap();
    assert_eq!(hits.len(), 3, "{hits:?}");
    for (title, badge) in &hits {
        assert_eq!(badge, "found by meaning", "{title}");
    }
    assert!(hits.iter().any(|(t, _)| t.to_lowercase().contains("forget")), "{hits:?}");
    let badge = c.find(Locator::Css(".by-meaning")).await.unwrap();
    assert!(badge.is_displayed().await.unwrap());
    let current = "return document.querySelector('nav.mode a[aria-current]').innerText";
    assert_eq!(c.execute(current, vec![]).await.unwrap(), json!("words and meaning"));
    shot(&c, "meaning").await;
    // A new search from the box keeps the mode.
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("oblivion\u{E007}").await.unwrap();
    wait_for_url(&c, "oblivion").await;
    assert!(c.current_url().await.unwrap().as_str().contains("mode=hybrid"));
    c.close().await.unwrap();
}
