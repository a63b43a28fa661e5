# ME/CFS Atlas Search: the two commands a newcomer needs are `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: serve test test-fast typecheck index lint format bench bench-quick browser axe clean

# The stamp files make installs happen once, and again whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[bench]'
	touch $@

# Builds (or incrementally updates) the index from the bundled studies; a no-op when up to date.
index: $(VENV)/.installed
	$(BIN)/atlas index build

serve: index
	$(BIN)/atlas serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium; install it when we can (root with apt), otherwise the
# browser tests skip with a message saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium missing and cannot be installed here; browser tests will be skipped"; fi; }

# axe-core for the accessibility tests, from the npm registry (never a CDN), into .cache/axe;
# npm comes from Debian when we can install it. Without it the axe tests skip and say why.
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null) \
	      || echo "warning: could not install npm; the axe tests will be skipped"; \
	  else echo "warning: npm missing and cannot be installed here; the axe tests will be skipped"; fi; }
	@command -v npm >/dev/null 2>&1 && npm install --silent --no-save --no-audit --no-fund \
	  --prefix .cache/axe axe-core@4.14.1 || echo "warning: could not install axe-core from npm"

test: $(VENV)/.installed-test browser $(AXE_JS)
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/python -m pytest --cov --cov-report=
	@echo "coverage of search, indexer, web, atlas_cli, citations, curation: $$($(BIN)/python -m coverage report --format=total)%"

# The inner loop: no browser, no server subprocesses, no slow builds; no coverage.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not browser and not server and not slow"

# mypy, strict for every package and wsgi.py (pyproject.toml); `make test` runs it too.
typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.run --sizes 1000,10000,100000

# Writes bench/out/BENCHMARKS-quick.md; the committed BENCHMARKS.md is left as it is.
bench-quick: $(VENV)/.installed-bench
	$(BIN)/python -m bench.run --sizes 1000 --quick

# Two commits side by side in one run: `make bench-compare BEFORE=main` (AFTER=rev, else this
# working tree); writes bench/sections/before-after.md and its section of BENCHMARKS.md.
.PHONY: bench-compare
bench-compare: $(VENV)/.installed-bench
	@test -n "$(BEFORE)" || { echo "usage: make bench-compare BEFORE=rev [AFTER=rev]"; exit 2; }
	$(BIN)/python -m bench.compare $(BEFORE) $(AFTER)

# Relevance over the bundled studies (bench/relevance.tsv): ours beside plain BM25 (tantivy).
.PHONY: eval
eval: $(VENV)/.installed-bench
	$(BIN)/python -m bench.relevance --misses --write

clean:
	rm -rf $(VENV) index/gen-* index/CURRENT index/.build-* tests/artifacts .cache .coverage
