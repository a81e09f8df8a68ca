// archive: progressive enhancement. The pages work without this script; with it,
// results update as you type (via /api/search, the URL kept in step), `/` focuses the
// search box, and the arrow keys move through results.
(function () {
  "use strict";
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const summary = document.getElementById("summary");

  // `/` focuses the search box; arrows move through results; Enter opens one.
  document.addEventListener("keydown", function (event) {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const hits = Array.from(document.querySelectorAll(".hit"));
    if (hits.length === 0) return;
    event.preventDefault();
    let at = hits.findIndex(function (h) { return h.classList.contains("selected"); });
    if (at >= 0) hits[at].classList.remove("selected");
    at = event.key === "ArrowDown" ? Math.min(at + 1, hits.length - 1) : Math.max(at - 1, 0);
    hits[at].classList.add("selected");
    const link = hits[at].querySelector("a.hit-title");
    link.focus();
    hits[at].scrollIntoView({ block: "nearest" });
  });

  if (!input || !results || !summary) return;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function entryUrl(id, q, anchor) {
    let url = "/entries/" + id.split("/").map(encodeURIComponent).join("/");
    if (q.trim()) url += "?q=" + encodeURIComponent(q.trim());
    return anchor ? url + "#" + anchor : url;
  }

  function chip(kind, value, q) {
    const clause = kind + ":" + (/[\s()]/.test(value) ? '"' + value + '"' : value);
    const a = el("a", "chip " + kind, value);
    a.href = "/search?q=" + encodeURIComponent((q + " " + clause).trim());
    return a;
  }

  function render(data, q) {
    const count = el("p", "count");
    count.append(el("strong", "", String(data.total)), " items in ", el("strong", "", String(data.total_entries)), " entries ");
    if (data.interpreted) count.append("for ", el("code", "interpreted", data.interpreted));
    count.append(el("span", "took", data.took_ms + " ms"));
    summary.replaceChildren(count);
    data.warnings.forEach(function (w) { summary.append(el("p", "warning", w)); });
    results.replaceChildren();
    (data.groups || []).forEach(function (group) {
      const li = el("li", "group");
      const h2 = el("h2", "entry-title");
      const a = el("a", "", group.entry_title);
      a.href = entryUrl(group.entry_id, q, "");
      h2.append(a);
      li.append(h2, el("p", "meta", group.date || "undated"));
      const ul = el("ul", "hits");
      group.hits.forEach(function (hit) {
        const item = el("li", "hit");
        const title = el("a", "hit-title", hit.title);
        title.href = entryUrl(hit.entry_id, q, hit.anchor);
        const snippet = el("p", "snippet");
        snippet.innerHTML = hit.snippet; // escaped by the server; only <mark> is markup
        const chips = el("p", "chips");
        hit.topics.forEach(function (t) { chips.append(chip("topic", t, q)); });
        hit.sources.forEach(function (s) { chips.append(chip("source", s, q)); });
        item.append(title, snippet, chips);
        ul.append(item);
      });
      li.append(ul);
      results.append(li);
    });
  }

  // The sidebar follows the results: facet counts over all matches.
  function renderFacets(data, q) {
    const aside = document.getElementById("facets");
    if (!aside) return;
    aside.replaceChildren();
    [["Topics", "topic", data.facets.topics], ["Sources", "source", data.facets.sources], ["Months", "date", data.facets.months]]
      .forEach(function (facet) {
        if (facet[2].length === 0) return;
        const section = el("section");
        const list = el("ul");
        facet[2].slice(0, 50).forEach(function (v) {
          const li = el("li");
          const link = chip(facet[1], v.value, q);
          link.className = "";
          li.append(link, " ", el("span", "n", String(v.count)));
          list.append(li);
        });
        section.append(el("h2", "", facet[0]), list);
        aside.append(section);
      });
  }

  let timer = null;
  let latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const q = input.value;
      const ticket = ++latest;
      const params = new URLSearchParams({ q: q, group: "entry" });
      fetch("/api/search?" + params.toString())
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || ticket !== latest) return;
          render(data, q);
          renderFacets(data, q);
          history.replaceState(null, "", "/search?q=" + encodeURIComponent(q));
        })
        .catch(function () {});
    }, 200);
  });
})();
