# The runbook. `make run` serves the product with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded set-up (SQLite, eager Celery) runs in debug mode unless told otherwise.
export DEBUG ?= 1

.PHONY: install run test lint format bench audit load mutate clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run` needs only the product; `make test` and the other targets add the dev tools.
$(VENV)/.installed-product: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-product

install: $(VENV)/.installed

run: $(VENV)/.installed-product
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ — sign in with one of the demo logins above."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Ingest, roll-ups and the overview's server time on PostgreSQL, then its cold load in Chromium;
# then the meeting page with 60 agenda items (size, server time, time to interactive).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/segments.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/meeting.py
	$(BIN)/python bench/front_line.py

# No high-severity findings in our code; no installed package with a known vulnerability.
audit: install
	$(BIN)/bandit -q -r cco metrics roadmap accountability overview -lll
	$(BIN)/python .ci/pip_audit.py

# A bounded load run (≤ 60 s, loopback only) on the overview and the action-item API, then the
# response webhook with every delivery sent twice.
load: install
	$(BIN)/python bench/load.py $(LOAD_ARGS)
	$(BIN)/python bench/webhook_load.py $(WEBHOOK_LOAD_ARGS)

# Mutation testing of the rule modules against the tests that pin them (docs/mutation.md): prints
# the score per module and every surviving mutant. About half an hour on an idle 2-core machine,
# so not part of every CI run.
mutate: install
	$(BIN)/python .ci/mutate.py $(MUTATE_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
