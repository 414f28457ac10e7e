// Search with Pagefind, loaded only when someone searches. Without JavaScript
// the form stays hidden and the page lists every program.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input");
  var output = document.getElementById("search-results");
  var engine = null;
  form.hidden = false;

  function load() {
    if (!engine) {
      var src = new URL(form.getAttribute("data-pagefind"), document.baseURI).href;
      engine = import(src).then(function (pagefind) {
        return pagefind.options({ baseUrl: new URL("../", document.baseURI).pathname }).then(function () {
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
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (ticket === pending) show(results, query);
    });
  }
  form.addEventListener("submit", run);
  input.addEventListener("input", function () { clearTimeout(input._t); input._t = setTimeout(run, 250); });
})();
