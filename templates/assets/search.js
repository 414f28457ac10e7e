// Full-text search in the browser, loaded only when someone searches. Without JavaScript the
// form stays hidden and the page lists what it would find.
// The build writes each index from the model: the pages of a program in one language (or the
// comparisons across hromadas), each by its kind (a letter the form names a label for), its
// address from the site root, its title and its own words. Indexes are scripts rather than JSON
// so that search works from a folder too: browsers do not fetch() file:// addresses, but they
// run their scripts. MiniSearch ranks the pages, and Orama's stemmer for the page's language
// takes word endings off ("застарілої" and "застаріла" are both "застаріл"), in the pages' words
// and in what is searched for alike. Apostrophes are left out of both, as people type them in
// several ways or not at all: "компютер", "комп'ютер" and "комп’ютер" are one word. The query is
// kept in the address (?q=), so that a search can be shared, and a page opened with one searches.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input");
  var output = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var plural = new Intl.PluralRules(document.documentElement.lang);  // "1 сторінку", "2 сторінки", "5 сторінок"
  var root = new URL(form.getAttribute("data-root"), document.baseURI);
  var sources = form.getAttribute("data-indexes").split(" ").filter(Boolean);
  var engine = null;
  var stems = new Map();  // the same words come again and again: each is stemmed once
  var BATCH = 20;  // results shown at a time
  // The apostrophe, the modifier letter apostrophe, the right single quotation mark and the grave accent.
  var APOSTROPHES = "'\u02BC\u2019`";
  var ANY_APOSTROPHE = /['\u02BC\u2019`]/g;
  form.hidden = false;

  function processTerm(term) {
    var word = term.toLowerCase();
    // Where the stemmer did not load or run (it needs a browser from 2023 or later), words are taken as they are.
    var stem = self.searchStemmer && self.searchStemmer.stemmer;
    if (!stem) return word;
    var known = stems.get(word);
    if (known === undefined) {
      known = stem(word);
      stems.set(word, known);
    }
    return known;
  }

  function script(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = new URL(src, document.baseURI).href;
      element.async = false;  // run in the order given, so that equal scores rank the same way every time
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function load() {
    if (!engine) {
      self.searchIndexes = [];  // each index adds itself here as it runs
      // Each script settled, loaded or not, before the next try: one still on its way would add its pages twice.
      var loading = [form.getAttribute("data-library")].concat(sources).map(function (src) {
        return script(src).then(function () { return true; }, function () { return false; });
      });
      // The stemmer makes search better, not possible: without it, search still works.
      loading.push(script(form.getAttribute("data-stemmer")).catch(function () {}));
      engine = Promise.all(loading).then(function (loaded) {
        if (loaded.indexOf(false) >= 0) throw new Error("a search index did not load");
        var pages = [];
        var file = root.protocol === "file:" ? "index.html" : "";  // opened from a folder: no server serves index.html
        self.searchIndexes.forEach(function (index) {
          index.pages.forEach(function (page) {
            pages.push({ id: pages.length, kind: page[0], url: new URL(page[1] + file, root).href, title: page[2],
                         text: page[3], program: index.program });
          });
        });
        var split = MiniSearch.getDefault("tokenize");  // at spaces and punctuation, which the apostrophe is
        var search = new MiniSearch({
          fields: ["title", "text"],
          tokenize: function (text) { return split(text.replace(ANY_APOSTROPHE, "")); },
          processTerm: processTerm,
          searchOptions: {
            combineWith: "AND",
            boost: { title: 2 },
            prefix: true,
            // One letter in five may differ: a stemmer misses some endings (and a typing slip is forgiven).
            fuzzy: function (term) { return term.length > 4 ? 0.2 : false; }
          }
        });
        search.addAll(pages);
        return { search: search, pages: pages };
      });
      engine.catch(function () { engine = null; });  // offline for a moment: the next search tries again
    }
    return engine;
  }

  // Where a page was found by its words rather than its title, a few of them around the first match.
  // The terms are stems: the mark takes in the rest of the word.
  function excerpt(text, terms) {
    // The terms have no apostrophes: they are looked for in the text without its own, each letter's place kept.
    var lower = text.toLowerCase();
    var plain = "";
    var places = [];
    for (var i = 0; i < lower.length; i++) {
      if (APOSTROPHES.indexOf(lower[i]) >= 0) continue;
      plain += lower[i];
      places.push(i);
    }
    var found = -1;
    var length = 0;
    terms.forEach(function (candidate) {
      var where = plain.indexOf(candidate);
      if (where >= 0 && (found < 0 || where < found)) { found = where; length = candidate.length; }
    });
    if (found < 0) return null;
    var at = places[found];
    var after = places[found + length - 1] + 1;
    // The rest of the word, apostrophes within it too ("комп'ютерного" for "компютерн").
    var term = text.slice(at, after) + text.slice(after).match(/^(?:[\p{L}\p{M}\p{N}]|['\u02BC\u2019`](?=[\p{L}\p{M}\p{N}]))*/u)[0];
    // Within its line: a paragraph, or one of a task's details (the measure, the responsible body...).
    var first = text.lastIndexOf("\n", at) + 1;
    var last = text.indexOf("\n", at);
    if (last < 0) last = text.length;
    var start = at - first > 60 ? Math.max(first, text.lastIndexOf(" ", at - 60) + 1) : first;
    var end = last - at > term.length + 80 ? text.indexOf(" ", at + term.length + 80) : last;
    if (end < 0 || end > last) end = last;
    var paragraph = document.createElement("p");
    paragraph.className = "result-excerpt";
    paragraph.appendChild(document.createTextNode((start > first ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + term.length);
    paragraph.appendChild(mark);
    paragraph.appendChild(document.createTextNode(text.slice(at + term.length, end) + (end < last ? "…" : "")));
    return paragraph;
  }

  // A result: its title, as a link; what kind of page it is and, in a search of many programs, whose
  // (the same indicator can be in many); and, found by its words, a few of them.
  function entry(result, pages) {
    var page = pages[result.id];
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.title;
    item.appendChild(link);
    var about = document.createElement("small");
    about.className = "result-about";
    var kind = form.getAttribute("data-kind-" + page.kind);
    if (kind) {
      var label = document.createElement("span");
      label.className = "result-kind";
      label.textContent = kind;
      about.appendChild(label);
    }
    if (page.program && sources.length > 1) {
      var program = document.createElement("span");
      program.className = "result-program";
      program.textContent = page.program;
      if (kind) about.appendChild(document.createTextNode(" · "));
      about.appendChild(program);
    }
    if (about.firstChild) item.appendChild(about);
    var inText = result.terms.filter(function (term) { return result.match[term].indexOf("text") >= 0; });
    var words = inText.length && !result.terms.some(function (term) { return result.match[term].indexOf("title") >= 0; })
      ? excerpt(page.text, inText) : null;
    if (words) item.appendChild(words);
    return item;
  }

  // The first BATCH results, and a button for each next BATCH: it moves the focus to the first of
  // them, where reading goes on, and the status says how many of all are now listed.
  function show(results, pages) {
    output.textContent = "";
    if (!results.length) {
      status.textContent = form.getAttribute("data-no-results");
      return;
    }
    var found = form.getAttribute("data-found-" + plural.select(results.length)).replace("{count}", results.length);
    var list = document.createElement("ol");
    var more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    var listed = 0;
    function next() {
      var batch = results.slice(listed, listed + BATCH).map(function (result) { return entry(result, pages); });
      batch.forEach(function (item) { list.appendChild(item); });
      listed += batch.length;
      more.hidden = listed >= results.length;
      more.textContent = form.getAttribute("data-more").replace("{count}", Math.min(BATCH, results.length - listed));
      return batch[0];
    }
    next();
    more.addEventListener("click", function () {
      var first = next();
      status.textContent = found + " " + form.getAttribute("data-shown").replace("{shown}", listed)
        .replace("{count}", results.length);
      first.querySelector("a").focus();
    });
    status.textContent = results.length > BATCH ? found + " " + form.getAttribute("data-shown-first") : found;
    output.appendChild(list);
    output.appendChild(more);
  }

  // The query in the address, so that the search can be shared or bookmarked, and comes back on reload.
  // Replaced rather than added: Back leaves the page, as it would have before the search.
  function remember(query) {
    var address = new URL(location.href);
    if (query) address.searchParams.set("q", query);
    else address.searchParams.delete("q");
    if (!address.searchParams.toString()) address.search = "";  // no bare "?" left behind
    if (address.href === location.href) return;
    try {
      history.replaceState(history.state, "", address.href);
    } catch (error) {
      // A browser that keeps a page opened from a folder from changing its address: the search still runs.
    }
  }

  var pending = 0;
  var listedQuery = "";  // searched for again (Enter after typing), the results listed stay as they are
  var typing = null;
  function run(event) {
    if (event) event.preventDefault();
    clearTimeout(typing);  // Enter while what was typed waits: one search, not two
    var query = input.value.trim();
    remember(query);
    if (query && query === listedQuery) return;
    var ticket = ++pending;
    listedQuery = "";
    if (!query) { output.textContent = status.textContent = ""; return; }
    load().then(function (engine) {
      if (ticket !== pending) return;
      show(engine.search.search(query), engine.pages);
      listedQuery = query;
    }, function () {
      if (ticket !== pending) return;
      output.textContent = "";
      status.textContent = form.getAttribute("data-failed");
    });
  }
  form.addEventListener("submit", run);
  input.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(run, 250); });
  // A page opened with a query in its address (a shared search, or this one reloaded) searches for it.
  var asked = new URLSearchParams(location.search).get("q");
  if (asked && asked.trim()) {
    input.value = asked;
    run();
  }
})();
