// Search with Pagefind, loaded only when someone searches. Without JavaScript
// the form stays hidden and the page lists what it would find.
// The site's own index (pagefind/, which carries Pagefind's runtime) covers the
// comparisons across hromadas; each program has its own index per language in
// <program>/pagefind/, and the form names the ones to merge into the site's.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input");
  var output = document.getElementById("search-results");
  var engine = null;
  form.hidden = false;

  // An index's result URLs are relative to the folder it indexed: the one holding pagefind/.
  var bundles = form.getAttribute("data-bundles").split(" ").filter(Boolean).map(function (path) {
    var bundle = new URL(path, document.baseURI);
    return { path: bundle.pathname, baseUrl: new URL("../", bundle).pathname };
  });

  // On a program's page, only that program's pages: the site's index is searched too (it
  // carries the runtime), so its pages are left out here.
  var scope = form.getAttribute("data-scope");
  scope = scope ? new URL(scope, document.baseURI).pathname : null;

  function load() {
    if (!engine) {
      var src = new URL(form.getAttribute("data-pagefind"), document.baseURI).href;
      engine = import(src).then(function (pagefind) {
        return pagefind.options({ baseUrl: new URL("../", src).pathname }).then(function () {
          return Promise.all(bundles.map(function (other) {
            return pagefind.mergeIndex(other.path, { baseUrl: other.baseUrl });
          }));
        }).then(function () {
          return pagefind;
        });
      });
    }
    return engine;
  }

  function show(results, query) {
    output.textContent = "";
    if (!results.length) {
      var none = document.createElement("p");
      none.textContent = form.getAttribute("data-no-results");
      output.appendChild(none);
      return;
    }
    var list = document.createElement("ol");
    results.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      item.appendChild(link);
      if (data.meta && data.meta.program && !scope) {  // the same indicator can be in many programs
        var program = document.createElement("small");
        program.className = "result-program";
        program.textContent = data.meta.program;
        item.appendChild(document.createElement("br"));
        item.appendChild(program);
      }
      list.appendChild(item);
    });
    output.appendChild(list);
  }

  var pending = 0;
  function run(event) {
    if (event) event.preventDefault();
    var query = input.value.trim();
    var ticket = ++pending;
    if (!query) { output.textContent = ""; return; }
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, scope ? 40 : 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (scope) results = results.filter(function (data) { return data.url.indexOf(scope) === 0; }).slice(0, 20);
      if (ticket === pending) show(results, query);
    });
  }
  form.addEventListener("submit", run);
  input.addEventListener("input", function () { clearTimeout(input._t); input._t = setTimeout(run, 250); });
})();
