//! The router driven without a socket (`oneshot`): status codes, JSON fields, facet
//! counts, grouping, pagination, every error path, headers, and Atom validity.

use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use archive::index::{ReindexOptions, reindex};
use archive::search::Engine;
use archive::web::{AppState, app};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::util::{Sandbox, any_contains};

/// Markdown that tries to run script in the reader's browser.
pub const HOSTILE: &str = "---\ntitle: Hostile entry\ndate: 2026-01-15\n---\n\n## Script payloads\n\nA paragraph about the zanzibar exploit <script>window.__pwned = 1; alert('script')</script> with an image <img src=x onerror=\"window.__pwned = 2; alert('onerror')\">.\n\n[click me](javascript:alert('js-link')) and <a href=\"data:text/html,<script>alert(1)</script>\">data link</a>.\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<svg><script>alert('svg')</script></svg>\n";

/// The sample archive plus a hostile entry, indexed once.
pub static SITE: LazyLock<Sandbox> = LazyLock::new(|| {
    let s = Sandbox::sample();
    s.write("hostile/2026-01-15-hostile.md", HOSTILE);
    let summary = reindex(&s.archive, &s.index, &ReindexOptions::default(), &|_, _| {}).unwrap();
    assert_eq!(summary.entries, 40);
    s
});

fn router() -> axum::Router {
    static STATE: LazyLock<Arc<AppState>> = LazyLock::new(|| {
        Arc::new(AppState::new(
            Arc::new(Engine::open(&SITE.index).unwrap()),
            archive::web::MAX_IN_FLIGHT,
        ))
    });
    app(Arc::clone(&STATE))
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a JSON error with this status and code, and returns its message.
    fn error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        let v = self.json();
        assert_eq!(v["error"]["code"], code, "{v}");
        v["error"]["message"].as_str().unwrap().to_string()
    }
}

async fn send(method: Method, uri: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "archive.test")
        .body(Body::empty())
        .unwrap();
    let response = router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(uri: &str) -> Reply {
    send(Method::GET, uri).await
}

#[tokio::test]
async fn counts_say_whether_they_are_estimates_and_exact_is_a_yes_or_no() {
    for uri in
        ["/api/search?q=agents", "/api/search?q=agents&exact=true", "/api/search?q=agents&exact=0"]
    {
        let r = get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        let v = r.json();
        assert_eq!(v["total_is_estimate"], false, "{uri}: {v}");
        assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    }
    let message = get("/api/search?q=agents&exact=maybe")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_parameter");
    assert!(message.contains("`exact`") && message.contains("maybe"), "{message}");
    // Estimates need more documents than the sample has: the counting's unit tests
    // and the bench (`estimate ... from a tenth of its matches`) cover them.
}

/// A word in no digest: nothing by keyword; by meaning, the items about forgetting and
/// memory, marked as found by meaning, with their opening text as the snippet, and
/// still within the query's filters.
#[tokio::test]
async fn hybrid_search_finds_by_meaning_what_no_word_matches() {
    let keyword = get("/api/search?q=amnesia").await.json();
    assert_eq!(keyword["total"], 0, "{keyword}");
    let v = get("/api/search?q=amnesia&mode=hybrid&per_page=3").await.json();
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3, "{v}");
    for hit in hits {
        assert_eq!(hit["matched"], "meaning", "{hit}");
        let about = format!("{} {}", hit["title"], hit["snippet"]).to_lowercase();
        assert!(about.contains("forget") || about.contains("memor"), "{hit}");
        assert!(!hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    }
    let v = get("/api/search?q=amnesia+date:2026-02&mode=hybrid&per_page=100").await.json();
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "{v}");
    assert!(hits.iter().all(|h| h["date"].as_str().unwrap().starts_with("2026-02")), "{v}");
    // Words the model does not read: no meaning leg.
    let cjk = get("/api/search?q=%E8%A8%98%E6%86%B6&mode=hybrid").await.json();
    assert!(cjk["hits"].as_array().unwrap().iter().all(|h| h["matched"] != "meaning"), "{cjk}");
}

#[tokio::test]
async fn api_search_returns_the_cli_shape() {
    let r = get("/api/search?q=agents&per_page=3").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let v = r.json();
    for key in [
        "total",
        "page",
        "per_page",
        "interpreted",
        "warnings",
        "took_ms",
        "hits",
        "facets",
        "total_entries",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["hits"].as_array().unwrap().len(), 3);
    assert!(v["total"].as_u64().unwrap() > 3);
    assert_eq!(v["interpreted"], "agents");
}

#[tokio::test]
async fn topic_and_source_parameters_filter_and_facets_count_all_matches() {
    let v = get("/api/search?topic=agents&topic=security&per_page=100").await.json();
    let total = v["total"].as_u64().unwrap();
    assert!(total >= 3, "{v}");
    for hit in v["hits"].as_array().unwrap() {
        let topics = hit["topics"].as_array().unwrap();
        assert!(
            topics.iter().any(|t| t == "agents") && topics.iter().any(|t| t == "security"),
            "{hit}"
        );
    }
    let agents =
        v["facets"]["topics"].as_array().unwrap().iter().find(|f| f["value"] == "agents").unwrap();
    assert_eq!(agents["count"].as_u64().unwrap(), total);

    let v = get("/api/search?q=speculative&source=r%2FLocalLLaMA&from=2026-04-01&to=2026-04-30")
        .await
        .json();
    assert!(v["total"].as_u64().unwrap() >= 2, "{v}");
    for hit in v["hits"].as_array().unwrap() {
        assert!(hit["date"].as_str().unwrap().starts_with("2026-04"), "{hit}");
    }
    let months = v["facets"]["months"].as_array().unwrap();
    assert_eq!(months.len(), 1);
    assert_eq!(months[0]["value"], "2026-04");
}

#[tokio::test]
async fn grouping_by_entry_and_pagination() {
    let v = get("/api/search?q=memory&group=entry&per_page=2").await.json();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    for g in groups {
        let hits = g["hits"].as_array().unwrap();
        assert!(!hits.is_empty() && hits.len() <= 3);
        assert!(hits.iter().all(|h| h["entry_id"] == g["entry_id"]));
        assert!(g["matches"].as_u64().unwrap() >= hits.len() as u64);
    }
    let page2 = get("/api/search?q=memory&group=entry&per_page=2&page=2").await.json();
    let ids = |v: &Value| {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["entry_id"].to_string())
            .collect::<Vec<_>>()
    };
    assert!(ids(&page2).iter().all(|id| !ids(&v).contains(id)));
    assert!(v["total_entries"].as_u64().unwrap() >= 4);
}

#[tokio::test]
async fn bad_parameters_are_400s_that_name_the_parameter() {
    let cases = [
        ("/api/search?q=x&page=0", "page"),
        ("/api/search?q=x&page=-1", "page"),
        ("/api/search?q=x&page=1000000000000", "page"),
        ("/api/search?q=x&page=abc", "page"),
        ("/api/search?q=x&per_page=1000000000", "per_page"),
        ("/api/search?q=x&sort=sideways", "sort"),
        ("/api/search?q=x&group=folder", "group"),
        ("/api/search?q=x&mode=semantic", "mode"),
        ("/api/search?q=x&from=2026-02-30", "from"),
        ("/api/search?q=x&from=2026-05-01&to=2026-04-01", "from"),
        ("/api/search?q=x&page=1&page=2", "page"),
    ];
    for (uri, param) in cases {
        let message = get(uri).await.error(StatusCode::BAD_REQUEST, "bad_parameter");
        assert!(message.contains(&format!("`{param}`")), "{uri}: {message}");
    }
    let long = format!("/api/search?q={}", "a".repeat(1001));
    get(&long).await.error(StatusCode::BAD_REQUEST, "query_too_long");
    let deep = format!("/api/search?q={}a{}", "(".repeat(50), ")".repeat(50));
    get(&deep).await.error(StatusCode::BAD_REQUEST, "query_too_complex");
}

#[tokio::test]
async fn garbage_queries_answer_200_with_an_explanation() {
    for q in [
        "%22unclosed",
        "((agents",
        "agents))",
        "wat%3Aever",
        "date%3A2026-02-30",
        "OR",
        "-",
        "%28%29",
        "%FF%FE",
        "%E0%A4%A",
    ] {
        let r = get(&format!("/api/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        assert!(r.json()["interpreted"].is_string());
    }
    // Misspelt words are searched as the near words that exist, and said so.
    let v = get("/api/search?q=agnets+memroy").await.json();
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    assert!(any_contains(&v["warnings"], "`agnets` is in no item; searched for `agents`"), "{v}");
    let suggestions = v["suggestions"].as_array().unwrap();
    assert!(suggestions.iter().any(|s| s["suggestion"] == "agents"), "{v}");
    assert_eq!(suggestions[0]["query"], "agents memory");
    let v = get("/api/search?q=speculative+topic%3Aprivacy").await.json();
    assert_eq!(v["total"], 0);
    let explanation = v["explanation"].as_array().unwrap();
    assert!(
        explanation.iter().all(|c| c["count"].as_u64().unwrap() > 0),
        "each part matches alone: {v}"
    );
    // Acronyms that exist are never "corrected".
    let v = get("/api/search?q=GGUF+zqxjv").await.json();
    assert!(v["suggestions"].as_array().is_none_or(|s| s.iter().all(|s| s["word"] != "GGUF")));
}

#[tokio::test]
async fn entries_api_and_not_found() {
    let v = get("/api/entries/local-models/2026-02-05").await.json();
    assert_eq!(v["title"], "Local Models Digest #1");
    assert_eq!(v["date"], "2026-02-05");
    let html = v["html"].as_str().unwrap();
    assert!(html.contains("id=\"qwen3-8b-gguf-quants-are-up\""), "{html}");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("links").is_some() && i.get("anchor").is_some())
    );
    assert_eq!(v["previous"]["id"], "weekly-ai-roundup/2026-02-02-roundup");
    assert_eq!(v["next"]["id"], "weekly-ai-roundup/2026-02-09-roundup");
    assert!(!v["related"].as_array().unwrap().is_empty());

    get("/api/entries/no/such/entry").await.error(StatusCode::NOT_FOUND, "not_found");
    get("/api/entries/..%2F..%2Fetc%2Fpasswd").await.error(StatusCode::NOT_FOUND, "not_found");
    get("/api/nothing-here").await.error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn hostile_markdown_is_sanitised_in_the_api_and_page() {
    let v = get("/api/entries/hostile/2026-01-15-hostile").await.json();
    let html = v["html"].as_str().unwrap().to_lowercase();
    for bad in ["<script", "onerror", "javascript:", "<iframe", "data:text/html", "<svg"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    let page = get("/entries/hostile/2026-01-15-hostile").await;
    assert_eq!(page.status, StatusCode::OK);
    let lower = page.body.to_lowercase();
    assert!(!lower.contains("alert("), "{}", page.body);
    assert!(lower.contains("zanzibar"));
}

#[tokio::test]
async fn topics_sources_and_health() {
    for path in ["/api/topics", "/api/sources"] {
        let v = get(path).await.json();
        let values = v["values"].as_array().unwrap();
        assert!(values.len() > 5, "{path}: {v}");
        let counts: Vec<u64> = values.iter().map(|x| x["count"].as_u64().unwrap()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{path}: sorted by count");
    }
    let sources = get("/api/sources").await.json();
    assert!(sources["values"].as_array().unwrap().iter().any(|v| v["value"] == "r/LocalLLaMA"));
    let health = get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["entries"], 40);
    let spec = get("/api/openapi.json").await.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/api/search"].is_object());
}

#[tokio::test]
async fn atom_feed_is_valid_and_newest_first() {
    let r = get("/feed.atom?q=topic%3Aagents").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/atom+xml"));
    let feed = atom_syndication::Feed::from_str(&r.body)
        .unwrap_or_else(|e| panic!("invalid Atom ({e}): {}", r.body));
    assert!(feed.entries().len() >= 10);
    let updated: Vec<_> = feed.entries().iter().map(|e| *e.updated()).collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(feed.entries()[0].links()[0].href().starts_with("http://archive.test/entries/"));
    assert!(feed.title().as_str().contains("topic:agents"));
}

#[tokio::test]
async fn pages_render_escape_and_carry_security_headers() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Agent Notes 7"), "the newest entry is listed first");
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(r.headers.contains_key(header::REFERRER_POLICY));

    let r = get(
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22%3E%3Cimg+src%3Dx+onerror%3Dalert(2)%3E",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<script>alert(1)"), "query echoed unescaped");
    assert!(!r.body.contains("<img src=x onerror"), "query echoed unescaped");
    assert!(r.body.contains("&lt;script&gt;") || r.body.contains("&#60;script&#62;"));

    let r = get("/search?q=speculative+decoding&sort=newest").await;
    assert!(r.body.contains("<mark>"), "snippets mark terms");
    assert!(r.body.contains("<svg"), "timeline");
    assert!(
        r.body.contains("href=\"/search?q=speculative%20decoding%20topic%3Ainference")
            || r.body.contains("topic%3Ainference"),
        "facet links narrow the query"
    );

    let r = get("/search?q=agents+topic%3Asecurity").await;
    assert!(r.body.contains("class=\"chips active\""), "active filters are shown");
    assert!(
        r.body.contains("href=\"/search?q=agents\""),
        "one click removes the filter: {}",
        r.body
    );

    let r = get("/entries/agent-notes/2026-02-11-agent-notes?q=memory").await;
    assert!(r.body.contains("id=\"episodic-versus-semantic-memory\""));
    assert!(r.body.contains("<mark>memory</mark>") || r.body.contains("<mark>Memory</mark>"));
    for path in ["/topics", "/sources"] {
        let r = get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("href=\"/search?q="));
    }
}

#[tokio::test]
async fn page_errors_are_html_with_the_right_status() {
    let r = get("/entries/no/such").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<h1>404 Not Found</h1>"));
    let r = get("/search?q=x&page=0").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("`page`"));
    assert_eq!(get("/nowhere").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn static_assets_are_embedded_and_fingerprinted() {
    let page = get("/").await.body;
    let css = page.split("href=\"/static/app.").nth(1).unwrap().split('"').next().unwrap();
    let r = get(&format!("/static/app.{css}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
    assert!(r.headers[header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    assert_eq!(get("/static/app.js").await.status, StatusCode::OK);
    for bad in [
        "/static/..%2FCargo.toml",
        "/static/%2e%2e%2fCargo.toml",
        "/static/..\\Cargo.toml",
        "/static/%2Fetc%2Fpasswd",
    ] {
        assert_eq!(get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn other_methods_are_refused() {
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let r = send(method.clone(), "/api/search?q=x").await;
        r.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(send(method, "/search?q=x").await.status, StatusCode::METHOD_NOT_ALLOWED);
    }
    let r = send(Method::HEAD, "/api/search?q=x").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_long_target_or_large_headers_get_414_or_431_with_the_error() {
    let long = format!("/api/search?q={}", "a".repeat(archive::web::MAX_URI_BYTES));
    send(Method::GET, &long).await.error(StatusCode::URI_TOO_LONG, "uri_too_long");
    let page = send(Method::GET, &long.replacen("/api", "", 1)).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(
        page.body.contains("<html") && page.body.contains("request target is"),
        "{}",
        page.body
    );
    let request = Request::builder()
        .uri("/api/search?q=agents")
        .header(header::HOST, "archive.test")
        .header("x-big", "a".repeat(archive::web::MAX_HEADER_BYTES))
        .body(Body::empty())
        .unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"]["code"], "headers_too_large", "{v}");
    // Just under the limit, the target reaches the search: a query that long is a 400.
    let fits = format!("/api/search?q={}", "a".repeat(archive::web::MAX_URI_BYTES - 20));
    send(Method::GET, &fits).await.error(StatusCode::BAD_REQUEST, "query_too_long");
}

#[tokio::test]
async fn a_large_body_is_refused_with_413() {
    let request = Request::builder()
        .method(Method::GET)
        .uri("/api/search?q=agents")
        .header(header::HOST, "archive.test")
        .header(header::CONTENT_LENGTH, 1_000_000)
        .body(Body::from(vec![b'x'; 1_000_000]))
        .unwrap();
    let response = router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"]["code"], "body_too_large", "{v}");
    // A small body is ignored, not refused.
    let request = Request::builder()
        .uri("/api/search?q=agents")
        .header(header::HOST, "archive.test")
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(router().oneshot(request).await.unwrap().status(), StatusCode::OK);
}

mod random {
    //! Random query strings and parameter values thrown at the router: never a 5xx,
    //! never a panic, always an answer within the request budget.

    use proptest::prelude::*;

    use super::*;

    const PATHS: [&str; 9] = [
        "/",
        "/search",
        "/api/search",
        "/api/entries/",
        "/entries/",
        "/static/",
        "/api/topics",
        "/feed.atom",
        "/api/sources",
    ];
    const PARAMS: [&str; 11] =
        ["q", "topic", "source", "after", "before", "page", "per_page", "sort", "group", "q", "zz"];

    /// A value: text with the query language's operators, or raw bytes (invalid UTF-8,
    /// percent signs, control characters), percent-encoded either way.
    fn value() -> impl Strategy<Value = String> {
        let text = proptest::string::string_regex(
            "[a-z0-9 \"():|*~^+\\-./\\\\%é😀]{0,40}|(\\(){0,60}|-?[0-9]{1,25}|[0-9]{4}-[0-9]{2}-[0-9]{2}",
        )
        .unwrap()
        .prop_map(|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>());
        let bytes = proptest::collection::vec(any::<u8>(), 0..30)
            .prop_map(|b| b.iter().map(|x| format!("%{x:02X}")).collect::<String>());
        let raw = "[%&=?#a-z0-9]{0,20}";
        prop_oneof![text, bytes, raw]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn no_5xx_and_no_panic(
            path in 0..PATHS.len(),
            tail in "[a-z0-9./%\\\\-]{0,30}",
            params in proptest::collection::vec((0..PARAMS.len(), value()), 0..6),
        ) {
            let mut uri = PATHS[path].to_string();
            if uri.ends_with('/') && uri.len() > 1 {
                uri.push_str(&tail);
            }
            let query: Vec<String> = params.iter().map(|(p, v)| format!("{}={v}", PARAMS[*p])).collect();
            if !query.is_empty() {
                uri = format!("{uri}?{}", query.join("&"));
            }
            // Some tails are not valid URIs at all: the HTTP layer refuses those first.
            let Ok(request) = Request::builder().uri(&uri).header(header::HOST, "archive.test").body(Body::empty()) else {
                return Ok(());
            };
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let started = std::time::Instant::now();
            let response = runtime.block_on(router().oneshot(request)).unwrap();
            let status = response.status();
            prop_assert!(status.as_u16() < 500, "{uri}: {status}");
            prop_assert!(started.elapsed() < archive::web::REQUEST_TIMEOUT, "{uri}: {:?}", started.elapsed());
        }
    }
}
