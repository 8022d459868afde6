# survmap: `make run` serves the site on SQLite with the starter records; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install install-dev migrate clean serve loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# axe-core (package.json) runs inside the browser tests; without npm those tests skip.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks in the browser tests will skip"; fi

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed node_modules/.installed

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_starter_data
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py release --if-none

run: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# In parallel on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs the suite in one process.
PYTEST_ARGS ?= -n auto

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy survmap
	$(BIN)/lint-imports --no-cache

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache .pytest_cache

bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Production on this machine: set SECRET_KEY, ALLOWED_HOSTS (and DATABASE_URL, REDIS_URL) first;
# gunicorn listens on GUNICORN_BIND (127.0.0.1:8000) behind your TLS proxy. See README.md.
serve: install
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python -m gunicorn -c gunicorn.conf.py survmap.wsgi

# The production server under load on 127.0.0.1; one JSON line per URL (README.md, "Load").
loadtest: install-dev
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)
