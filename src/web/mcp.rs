//! The archive for its owner's AI assistant: a Model Context Protocol server (the `rmcp`
//! SDK) over the same engine as the JSON API. `archive mcp` serves it on stdio, `serve
//! --mcp` at `/mcp` (Streamable HTTP, behind the same credentials as the API). Tools
//! take the API's parameters and give its answers, shaped for a model to cite: plain
//! text with the query's words in `**`, and links to the pages. Bad arguments are tool
//! errors carrying the API's message; each entry is also a resource
//! (`archive://entries/{id}`, its Markdown).

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{Format, WebError};
use super::params::Params;
use super::state::AppState;
use super::urls::{entry_url, trend_url};
use crate::digest::Link;
use crate::digest::html::{HtmlReader, Piece};
use crate::search::{
    ClauseCount, Group, Hit, MAX_PER_PAGE, Matched, SearchRequest, SearchResults, Sort, Story,
    TrendOf,
};

/// Entries listed per page of `resources/list`.
const RESOURCES_PER_PAGE: usize = MAX_PER_PAGE;
/// The scheme of an entry's resource URI.
const ENTRY_URI: &str = "archive://entries/";

/// The query language, for the tools that take a query and the server's instructions.
macro_rules! query_help {
    () => {
        "The query language: words (all must match; stemmed, typos forgiven), \"an exact \
         phrase\", -excluded, a OR b, (grouping), topic:agents, source:r/LocalLLaMA (also \
         source:arxiv, source:hn), tag:weekly, after:2026-03-01, before:2026-04-01, \
         date:2026-03 (a month, a year or a day), after:-30d, story:ID (every mention of a \
         story). Examples: `speculative decoding`, `\"agent memory\" after:2026-01-01`, \
         `topic:rl source:arxiv`. An empty query lists everything, newest first."
    };
}

/// What the server tells a model about itself when it connects.
const INSTRUCTIONS: &str = concat!(
    "Search the owner's archive of digests (newsletter-style write-ups, \
each item citing where it came from). Start with `search`; `facets` lists the topics, sources \
and tags to filter by; `get_entry` opens a whole digest or one item; `get_story` follows one \
story across digests; `trend` shows a topic or source over time. Cite hits by their `url`. ",
    query_help!()
);

/// The MCP server: tools and resources over one engine.
#[derive(Clone)]
pub struct ArchiveMcp {
    state: Arc<AppState>,
    /// Prefixed to the pages' paths in answers (`http://localhost:3000`); empty for paths.
    base_url: String,
    tool_router: ToolRouter<ArchiveMcp>,
}

/// `search`'s arguments: the API's parameters.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
struct SearchArgs {
    /// The query (see the tool's description for the language).
    #[serde(default)]
    q: String,
    /// `relevance` (the default with words), `newest` (the default without) or `oldest`.
    sort: Option<String>,
    /// `keyword` (the default: items with the words) or `hybrid` (also items whose
    /// meaning is near the words', marked `"matched": "meaning"`; English only).
    mode: Option<String>,
    /// Hits per page, 1 to 100 (10 by default).
    per_page: Option<u64>,
    /// The page, from 1.
    page: Option<u64>,
    /// Only items on or after this day (YYYY-MM-DD).
    from: Option<String>,
    /// Only items on or before this day (YYYY-MM-DD).
    to: Option<String>,
    /// Only items with every one of these topics.
    #[serde(default)]
    topic: Vec<String>,
    /// Only items with every one of these sources.
    #[serde(default)]
    source: Vec<String>,
    /// Only items of entries with every one of these tags.
    #[serde(default)]
    tag: Vec<String>,
}

/// `get_entry`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct EntryArgs {
    /// The entry's id (`entry_id` of a hit).
    id: String,
    /// One item of it: its anchor (`anchor` of a hit). Without it, the whole entry.
    anchor: Option<String>,
}

/// `get_story`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct StoryArgs {
    /// The story's id (`story.id` of a hit).
    id: String,
}

/// `trend`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct TrendArgs {
    /// `topic` or `source`.
    of: String,
    /// The topic or source, as `facets` lists it (`agents`, `r/LocalLLaMA`).
    value: String,
}

/// `facets`' arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
struct FacetsArgs {
    /// Count over the items this query matches (the query language); empty: every item.
    #[serde(default)]
    q: String,
}

/// A hit as a model reads it.
#[derive(Debug, Serialize)]
struct McpHit {
    entry_id: String,
    entry_title: String,
    date: Option<String>,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    /// The snippet as a reader sees it, the query's words in `**`.
    text: String,
    topics: Vec<String>,
    sources: Vec<String>,
    tags: Vec<String>,
    links: Vec<Link>,
    anchor: String,
    /// The item on its entry's page.
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    story: Option<Story>,
    /// `"meaning"` for an item of a hybrid search found by its meaning alone.
    #[serde(skip_serializing_if = "is_by_words")]
    matched: Matched,
}

fn is_by_words(matched: &Matched) -> bool {
    *matched != Matched::Meaning
}

#[tool_router]
impl ArchiveMcp {
    /// A server over `state`; answers link to `base_url` (no trailing `/`), or give
    /// paths when it is empty.
    pub fn new(state: Arc<AppState>, base_url: &str) -> ArchiveMcp {
        let base_url = base_url.trim_end_matches('/').to_string();
        ArchiveMcp { state, base_url, tool_router: Self::tool_router() }
    }

    #[tool(
        description = concat!(
            "Search the archive's items (one per digest entry item: a linked story, a section, a paragraph). Returns the total, the hits (entry title and date, item title, the snippet with the query's words in **, topics, sources, links, a url to cite) and, when nothing matches, what each part of the query matches alone. ",
            query_help!()
        )
    )]
    async fn search(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        match self.run_search(&args).await {
            Ok(results) => Ok(answer(&self.results(results))),
            Err(e) => Ok(tool_error(e)),
        }
    }

    #[tool(
        description = "Open one digest entry: its Markdown and metadata (title, date, tags, file, its items' anchors and titles), or with `anchor` one item of it (title, headings above it, text, links, topics, sources). Ids and anchors come with every search hit."
    )]
    async fn get_entry(
        &self,
        Parameters(args): Parameters<EntryArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let id = args.id.clone();
        let found = self.state.blocking(move |engine| engine.entry(&id)).await;
        let entry = match found {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(tool_error(no_entry(&args.id))),
            Err(e) => return Ok(tool_error(WebError::from_search(Format::Json, e))),
        };
        let page = self.link(&entry_url(&entry.id, "", ""));
        let Some(anchor) = args.anchor.filter(|a| !a.is_empty()) else {
            let items: Vec<Value> = entry
                .items
                .iter()
                .map(|item| json!({"anchor": item.anchor, "title": item.title}))
                .collect();
            return Ok(answer(&json!({
                "id": entry.id, "title": entry.title, "date": entry.date, "tags": entry.tags,
                "authors": entry.authors, "path": entry.path, "url": page, "items": items,
                "markdown": entry.markdown,
            })));
        };
        match entry.items.iter().find(|item| item.anchor == anchor) {
            Some(item) => Ok(answer(&json!({
                "entry_id": entry.id, "entry_title": entry.title, "date": entry.date,
                "anchor": item.anchor, "title": item.title, "context": item.context,
                "text": item.text, "links": item.links, "topics": item.topics,
                "sources": item.sources, "url": self.link(&entry_url(&entry.id, "", &anchor)),
            }))),
            None => Ok(tool_error(WebError::not_found(
                Format::Json,
                format!("the entry `{}` has no item `{anchor}`", entry.id),
            ))),
        }
    }

    #[tool(
        description = "Every mention of one story (a thread, paper, post or repository cited by several digests), oldest first: each with its digest, date, text and url, and whether it says again what an earlier mention said. Story ids come with search hits (`story.id`)."
    )]
    async fn get_story(
        &self,
        Parameters(args): Parameters<StoryArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let id = args.id.clone();
        let found = self.state.blocking(move |engine| engine.story(&id)).await;
        let view = match found {
            Ok(Some(view)) => view,
            Ok(None) => {
                let message = format!("no story with id `{}`", args.id);
                return Ok(tool_error(WebError::not_found(Format::Json, message)));
            }
            Err(e) => return Ok(tool_error(WebError::from_search(Format::Json, e))),
        };
        let mentions: Vec<Value> = view
            .mentions
            .into_iter()
            .map(|mention| {
                let mut hit = serde_json::to_value(self.hit(mention.hit)).unwrap_or_default();
                hit["says_again"] = json!(mention.says_again);
                hit
            })
            .collect();
        Ok(answer(&json!({
            "story": view.story, "versions": view.versions, "mentions": mentions,
            "topics": view.topics, "sources": view.sources,
        })))
    }

    #[tool(
        description = "A topic or a source over time: its items per month, first and last seen, its busiest months and its longest stories. Names as `facets` lists them."
    )]
    async fn trend(
        &self,
        Parameters(args): Parameters<TrendArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let of = match args.of.as_str() {
            "topic" => TrendOf::Topic,
            "source" => TrendOf::Source,
            other => {
                let message = format!("must be `topic` or `source`, not `{other}`");
                return Ok(tool_error(WebError::bad_parameter(Format::Json, "of", message)));
            }
        };
        let value = args.value.clone();
        let found = self.state.blocking(move |engine| engine.trend(of, &value)).await;
        match found {
            Ok(Some(trend)) => {
                let mut out = serde_json::to_value(&trend).unwrap_or_default();
                out["url"] = json!(self.link(&trend_url(of, &args.value)));
                Ok(answer(&out))
            }
            Ok(None) => Ok(tool_error(WebError::not_found(
                Format::Json,
                format!("no item has the {} `{}`", of.filter(), args.value),
            ))),
            Err(e) => Ok(tool_error(WebError::from_search(Format::Json, e))),
        }
    }

    #[tool(
        description = "The archive's vocabulary: its topics, sources, entry tags and months, each with its count of items, most frequent first, over every item or over the items a query matches. Use it to find the names `topic:`, `source:` and `tag:` take."
    )]
    async fn facets(
        &self,
        Parameters(args): Parameters<FacetsArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let search = SearchArgs { q: args.q, per_page: Some(1), ..SearchArgs::default() };
        match self.run_search(&search).await {
            Ok(results) => Ok(answer(&json!({
                "total": results.total, "total_is_estimate": results.total_is_estimate,
                "topics": results.facets.topics, "sources": results.facets.sources,
                "tags": results.facets.tags, "months": results.facets.months,
            }))),
            Err(e) => Ok(tool_error(e)),
        }
    }
}

impl ArchiveMcp {
    /// A search as the API runs it: the arguments checked as its parameters, the
    /// engine's error as its error.
    async fn run_search(&self, args: &SearchArgs) -> Result<SearchResults, WebError> {
        let request = search_request(args)?;
        let found = self.state.blocking(move |engine| engine.search(&request)).await;
        found.map_err(|e| WebError::from_search(Format::Json, e))
    }

    /// A path of the pages, on the base URL.
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A hit as a model reads it.
    fn hit(&self, hit: Hit) -> McpHit {
        McpHit {
            url: self.link(&entry_url(&hit.entry_id, "", &hit.anchor)),
            text: plain_marked(&hit.snippet),
            matched: hit.matched,
            entry_id: hit.entry_id,
            entry_title: hit.entry_title,
            date: hit.date,
            title: hit.title,
            context: hit.context,
            topics: hit.topics,
            sources: hit.sources,
            tags: hit.entry_tags,
            links: hit.links,
            anchor: hit.anchor,
            story: hit.story,
        }
    }

    /// A page of results as a model reads it; when nothing matches, what each part of
    /// the query matches alone, as the results page says.
    fn results(&self, results: SearchResults) -> Value {
        let nothing = (results.total == 0).then(|| emptied(&results.explanation));
        json!({
            "total": results.total,
            "total_is_estimate": results.total_is_estimate,
            "page": results.page,
            "per_page": results.per_page,
            "interpreted": results.interpreted,
            "warnings": results.warnings,
            "suggestions": results.suggestions,
            "nothing_matched": nothing,
            "hits": results.hits.into_iter().map(|hit| self.hit(hit)).collect::<Vec<_>>(),
        })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ArchiveMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_resources().build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("archive", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    /// Every entry as `archive://entries/{id}`, newest first, a page at a time (the
    /// cursor is the next page's number).
    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let cursor = request.and_then(|r| r.cursor);
        let page = match cursor.as_deref().map(str::parse::<usize>) {
            None => 1,
            Some(Ok(page)) if (1..=crate::search::MAX_PAGE).contains(&page) => page,
            Some(_) => {
                let message = format!(
                    "the cursor `{}` is not one this server gave",
                    cursor.unwrap_or_default()
                );
                return Err(ErrorData::invalid_params(message, None));
            }
        };
        let request = SearchRequest {
            sort: Some(Sort::Newest),
            group: Group::Entry,
            page,
            per_page: RESOURCES_PER_PAGE,
            ..SearchRequest::default()
        };
        let results = self
            .state
            .blocking(move |engine| engine.search(&request))
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let groups = results.groups.unwrap_or_default();
        let more =
            page * RESOURCES_PER_PAGE < results.total_entries && page < crate::search::MAX_PAGE;
        let resources = groups
            .into_iter()
            .map(|group| {
                let description = group.date.clone().unwrap_or_default();
                Resource::new(format!("{ENTRY_URI}{}", group.entry_id), group.entry_id)
                    .with_title(group.entry_title)
                    .with_description(description)
                    .with_mime_type("text/markdown")
            })
            .collect();
        let mut listed = ListResourcesResult::with_all_items(resources);
        listed.next_cursor = more.then(|| (page + 1).to_string());
        Ok(listed)
    }

    /// One entry's Markdown.
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let Some(id) = request.uri.strip_prefix(ENTRY_URI).map(str::to_string) else {
            let message = format!("`{}` is not an entry (archive://entries/ID)", request.uri);
            return Err(ErrorData::resource_not_found(message, None));
        };
        let lookup = id.clone();
        let found = self.state.blocking(move |engine| engine.entry(&lookup)).await;
        match found {
            Ok(Some(entry)) => {
                let contents = ResourceContents::TextResourceContents {
                    uri: request.uri,
                    mime_type: Some("text/markdown".into()),
                    text: entry.markdown,
                    meta: None,
                };
                Ok(ReadResourceResult::new(vec![contents]).into())
            }
            Ok(None) => Err(ErrorData::resource_not_found(no_entry(&id).message, None)),
            Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
        }
    }
}

/// The MCP server over Streamable HTTP, for `serve --mcp` at `/mcp`: stateless (no
/// session to keep, so replicas behind a load balancer answer alike) and answering JSON.
/// Behind `--auth-file` the guard has checked every request; without one only requests
/// naming a loopback host are taken (a page elsewhere cannot reach a local server
/// through DNS rebinding).
pub fn http_service(
    state: Arc<AppState>,
    base_url: &str,
) -> StreamableHttpService<ArchiveMcp, LocalSessionManager> {
    let guarded = state.guard.is_some();
    let server = ArchiveMcp::new(state, base_url);
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true);
    let config = if guarded { config.disable_allowed_hosts() } else { config };
    StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config)
}

/// The search a tool's arguments ask for, checked as the API checks its parameters.
fn search_request(args: &SearchArgs) -> Result<SearchRequest, WebError> {
    let mut pairs = vec![("q".to_string(), args.q.clone())];
    let mut one = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            pairs.push((name.to_string(), value));
        }
    };
    one("sort", args.sort.clone());
    one("mode", args.mode.clone());
    one("per_page", args.per_page.map(|n| n.to_string()));
    one("page", args.page.map(|n| n.to_string()));
    one("from", args.from.clone());
    one("to", args.to.clone());
    for (name, values) in [("topic", &args.topic), ("source", &args.source), ("tag", &args.tag)] {
        pairs.extend(values.iter().map(|v| (name.to_string(), v.clone())));
    }
    Params::from_pairs(pairs).request(Format::Json, Group::Item)
}

/// "Nothing matches": what each part matches alone, the parts that match nothing named.
fn emptied(parts: &[ClauseCount]) -> String {
    let counts: Vec<String> =
        parts.iter().map(|c| format!("`{}` matches {} items alone", c.clause, c.count)).collect();
    if counts.is_empty() {
        return "no item matches".into();
    }
    format!("no item matches every part of the query: {}", counts.join("; "))
}

/// A snippet's HTML as a reader sees it: its text, the query's words in `**`.
fn plain_marked(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut reader = HtmlReader::default();
    let mut pieces = reader.read(html, 0);
    pieces.append(&mut reader.finish());
    for (_, piece) in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Open { name, .. } | Piece::Close { name } if name == "mark" => {
                out.push_str("**")
            }
            _ => {}
        }
    }
    out
}

/// No entry with this id.
fn no_entry(id: &str) -> WebError {
    WebError::not_found(Format::Json, format!("no entry with id `{id}`"))
}

/// A tool's answer: its JSON, as text (every client reads it) and as structured content.
fn answer(value: &Value) -> CallToolResult {
    let text = serde_json::to_string(value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value.clone());
    result
}

/// A tool error: the message the API gives for the same input.
fn tool_error(e: WebError) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(e.message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_read_as_text_with_the_words_marked() {
        let html = "the <mark>speculative</mark> &amp; <mark>decoding</mark> &lt;thread&gt;";
        assert_eq!(plain_marked(html), "the **speculative** & **decoding** <thread>");
    }

    #[test]
    fn bad_arguments_get_the_apis_messages() {
        let args = SearchArgs { per_page: Some(1000), ..SearchArgs::default() };
        let e = search_request(&args).unwrap_err();
        assert_eq!(e.message, "`per_page`: must be a whole number from 1 to 100, not `1000`");
        let args = SearchArgs { sort: Some("best".into()), ..SearchArgs::default() };
        assert!(search_request(&args).unwrap_err().message.starts_with("`sort`:"));
        let args = SearchArgs { from: Some("2026-02-30".into()), ..SearchArgs::default() };
        assert!(search_request(&args).unwrap_err().message.contains("is not a date"));
    }
}
