# outsidein: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Where PostgreSQL runs for the second pass of the test suite (skipped when none answers).
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/outsidein
PG_BENCH_URL ?= postgresql://postgres@127.0.0.1:5432/outsidein_bench
PG_BENCH_VOICE_URL ?= postgresql://postgres@127.0.0.1:5432/outsidein_bench_voice
# Rows for the voice benchmark (the issue's target is measured at 1,000,000).
BENCH_ROWS ?= 1000000

.PHONY: lock demo test test-sqlite test-postgres test-e2e lint format bench eval-text messages clean help

help:
	@echo "make demo   - install, migrate, load the demo organisation, serve on http://127.0.0.1:8000"
	@echo "make test   - install dev tools and run every test (SQLite, PostgreSQL, browser)"
	@echo "make lint   - ruff, mypy and the dependency audit (pip-audit)"
	@echo "make lock   - update requirements.lock and requirements-dev.lock from pyproject.toml"
	@echo "make bench  - benchmarks; results in bench/results/"
	@echo "make eval-text - text analytics quality (cross-validated); bench/results/text.json"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "outsidein needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

# Installs come from the lock files (exact versions with hashes); pyproject.toml keeps the
# ranges for people who install the package. `make lock` updates both lock files.
$(VENV)/.installed: $(VENV)/.python-ok pyproject.toml requirements.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# One command updates the lock (uv resolves for every platform and Python >= 3.11).
lock: $(VENV)/.python-ok
	@test -x $(BIN)/uv || $(PY) -m pip install --quiet 'uv>=0.9'
	$(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 \
		--quiet --output-file requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --quiet --output-file requirements-dev.lock

# `make demo HOST=0.0.0.0 PORT=8111` serves elsewhere.
HOST ?= 127.0.0.1
PORT ?= 8000
demo: $(VENV)/.installed
	$(BIN)/outsidein demo --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python tests/run_all.py

test-sqlite: $(VENV)/.installed-dev
	$(BIN)/pytest

test-postgres: $(VENV)/.installed-dev
	OUTSIDEIN_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not e2e"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src
	$(BIN)/python tools/audit_deps.py requirements-dev.lock

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/voice.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/text.py speed
	$(BIN)/python bench/text_discovery.py
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		dropdb -h 127.0.0.1 -U postgres --if-exists outsidein_bench && \
		createdb -h 127.0.0.1 -U postgres outsidein_bench && \
		OUTSIDEIN_DATABASE_URL=$(PG_BENCH_URL) $(BIN)/python bench/run.py && \
		dropdb -h 127.0.0.1 -U postgres --if-exists outsidein_bench_voice && \
		createdb -h 127.0.0.1 -U postgres outsidein_bench_voice && \
		OUTSIDEIN_DATABASE_URL=$(PG_BENCH_VOICE_URL) $(BIN)/python bench/voice.py --rows $(BENCH_ROWS) && \
		dropdb -h 127.0.0.1 -U postgres --if-exists outsidein_bench_voice; \
	else echo "No PostgreSQL on 127.0.0.1:5432: PostgreSQL benchmarks skipped."; fi

eval-text: $(VENV)/.installed-dev
	$(BIN)/python bench/text.py eval

messages: $(VENV)/.installed-dev
	cd src/outsidein && ../../$(BIN)/django-admin makemessages -l nl --no-obsolete --ignore 'static/*' && ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-output
