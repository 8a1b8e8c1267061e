# Two commands do all the set-up on a fresh machine:
#   make serve [DATA=../shared/data] [POLICIES="../shared/data/policies ../shared/data/mcd"]
#                                      venv + install + build the database (+ ingest policies) + serve on :8000
#   make test                          venv + install (with Chromium) + the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?=
POLICIES ?=
DB ?= data/medcodes.sqlite
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test build serve test lint bench clean

$(BIN)/medcodes: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(BIN)/medcodes

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
# npm fetches NLM's autocomplete-lhc widget and esbuild, which bundles it for the widget test.
install-test: install
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq npm >/dev/null)
	npm ci --prefix tests/browser/widget --no-audit --no-fund --loglevel=error

build: install
	$(BIN)/medcodes build --db $(DB) $(if $(DATA),--data-dir $(DATA),)
	$(if $(POLICIES),$(BIN)/medcodes policies ingest $(POLICIES) --db $(DB),)

serve: build
	$(BIN)/medcodes serve --db $(DB) --host $(HOST) --port $(PORT)

test: install-test lint
	$(BIN)/python -m pytest -q

# Style, import layers (pyproject [tool.importlinter]) and types, before any test runs.
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src/medcodes

# wrk (Debian's C load generator) drives the HTTP run of bench/search_speed.py: a Python client
# would take one of the two cores the server is measured on.
bench: install
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data test-output
