# The two commands a newcomer needs:
#   make run   — virtualenv, migrations, demo data, search index; serves http://127.0.0.1:5000
#   make test  — virtualenv, then the whole test suite (SQLite, embedded search, real OpenSearch and Elasticsearch
#                nodes, Chromium)
# Quick loop: make test-fast (SQLite + embedded engine only: no OpenSearch/Elasticsearch node, no browser, no slow
# tests). Architecture check: make arch (import contracts, no import cycles).
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup translations run test test-fast lint arch audit fuzz-api bench clean-instance

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Chart.js for the statistics pages, from the npm registry at the version package-lock.json pins, served from
# static/vendor/ (gitignored; never a CDN). Without npm the pages show their tables only.
CHART_JS := static/vendor/chart.umd.min.js
$(CHART_JS): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && mkdir -p static/vendor && \
	  cp node_modules/chart.js/dist/chart.umd.min.js $@; \
	else echo "npm not found: the statistics pages will show tables without charts (install Node.js and npm)" >&2; fi

setup: $(VENV)/.installed translations $(CHART_JS)

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel --quiet compile -d translations

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) search reindex
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	scripts/ensure-chromium.sh
	$(PY) -m pytest -q

# The quick loop: no cluster node, no browser, no test marked slow (markers: pytest.ini, set in tests/conftest.py).
test-fast: setup
	$(PY) -m pytest -q -m "not opensearch and not elasticsearch and not browser and not slow"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# Architecture: the contracts in .importlinter (search never imports marketplace), then no import cycle between
# modules of marketplace and search (function-level imports included).
arch: $(VENV)/.installed
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) tools/check_import_cycles.py

# Known vulnerabilities in the pinned requirements (pip-audit against PyPI's vulnerability data; see the script).
audit: $(VENV)/.installed
	scripts/audit-dependencies.sh

# RELIABILITY 16: schemathesis over the OpenAPI document of a throw-away demo instance served by gunicorn, with a
# member's and a broker's token (tools/fuzz_api.py; a few minutes; non-zero on any finding).
fuzz-api: setup
	$(PY) tools/fuzz_api.py

bench: setup
	$(PY) bench/core_pages.py
	$(PY) bench/web_list_pages.py
	$(PY) bench/search_speed.py
	$(PY) bench/matching_quality.py
	$(PY) bench/org_refresh.py
	$(PY) bench/challenge_pages.py
	$(PY) bench/conversion_stats.py
	$(PY) bench/load_test.py --db sqlite
