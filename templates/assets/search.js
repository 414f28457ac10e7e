// Full-text search in the browser, loaded only when someone searches. Without JavaScript the
// form stays hidden and the page lists what it would find.
// The build writes each index from the model: the pages of a program in one language (or the
// comparisons across hromadas), each by its address from the site root, its title and its own
// words. Indexes are scripts rather than JSON so that search works from a folder too: browsers
// do not fetch() file:// addresses, but they run their scripts. MiniSearch ranks the pages, and
// Orama's stemmer for the page's language takes word endings off ("застарілої" and "застаріла"
// are both "застаріл"), in the pages' words and in what is searched for alike.
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
            pages.push({ id: pages.length, url: new URL(page[0] + file, root).href, title: page[1], text: page[2],
                         program: index.program });
          });
        });
        var search = new MiniSearch({
          fields: ["title", "text"],
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
    var lower = text.toLowerCase();
    var at = -1;
    var term = "";
    terms.forEach(function (candidate) {
      var found = lower.indexOf(candidate);
      if (found >= 0 && (at < 0 || found < at)) { at = found; term = candidate; }
    });
    if (at < 0) return null;
    term = term + text.slice(at + term.length).match(/^[\p{L}\p{M}\p{N}]*/u)[0];
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

  function show(results, pages) {
    output.textContent = "";
    if (!results.length) {
      status.textContent = form.getAttribute("data-no-results");
      return;
    }
    var found = form.getAttribute("data-found-" + plural.select(results.length)).replace("{count}", results.length);
    status.textContent = results.length > 20 ? found + " " + form.getAttribute("data-shown-first") : found;
    var list = document.createElement("ol");
    results.slice(0, 20).forEach(function (result) {
      var page = pages[result.id];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.title;
      item.appendChild(link);
      if (page.program && sources.length > 1) {  // the same indicator can be in many programs
        var program = document.createElement("small");
        program.className = "result-program";
        program.textContent = page.program;
        item.appendChild(document.createElement("br"));
        item.appendChild(program);
      }
      var inText = result.terms.filter(function (term) { return result.match[term].indexOf("text") >= 0; });
      var words = inText.length && !result.terms.some(function (term) { return result.match[term].indexOf("title") >= 0; })
        ? excerpt(page.text, inText) : null;
      if (words) item.appendChild(words);
      list.appendChild(item);
    });
    output.appendChild(list);
  }

  var pending = 0;
  function run(event) {
    if (event) event.preventDefault();
    var query = input.value.trim();
    var ticket = ++pending;
    if (!query) { output.textContent = status.textContent = ""; return; }
    load().then(function (engine) {
      if (ticket === pending) show(engine.search.search(query), engine.pages);
    }, function () {
      if (ticket !== pending) return;
      output.textContent = "";
      status.textContent = form.getAttribute("data-failed");
    });
  }
  form.addEventListener("submit", run);
  input.addEventListener("input", function () { clearTimeout(input._t); input._t = setTimeout(run, 250); });
})();
