// archive: progressive enhancement. The pages work without this script; with it,
// results update as you type (the server's page for the query, the URL kept in step), `/` focuses the
// search box, and the arrow keys move through results.
(function () {
  "use strict";
  const input = document.getElementById("q");

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

  if (!input || !document.getElementById("summary")) return;

  // Live results are the server's own page for the query: its summary, timeline,
  // results (stories included) and facets take the place of the current ones. The
  // summary element stays (it is a live region); what it says changes.
  function swap(page) {
    const main = document.getElementById("main");
    const summary = document.getElementById("summary");
    const fresh = page.getElementById("main");
    const freshSummary = page.getElementById("summary");
    if (!main || !summary || !fresh || !freshSummary) return false;
    Array.from(main.children).forEach(function (c) { if (c !== summary) c.remove(); });
    summary.replaceChildren.apply(summary, Array.from(freshSummary.childNodes));
    Array.from(fresh.children).forEach(function (c) { if (c.id !== "summary") main.append(c); });
    const facets = document.getElementById("facets");
    const freshFacets = page.getElementById("facets");
    if (facets && freshFacets) facets.replaceWith(freshFacets);
    else if (facets) facets.replaceChildren();
    document.title = page.title;
    return true;
  }

  let timer = null;
  let latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const q = input.value;
      const ticket = ++latest;
      const url = "/search?q=" + encodeURIComponent(q);
      fetch(url)
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null || ticket !== latest) return;
          const page = new DOMParser().parseFromString(html, "text/html");
          if (swap(page)) history.replaceState(null, "", url);
        })
        .catch(function () {});
    }, 200);
  });
})();
