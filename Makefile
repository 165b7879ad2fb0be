# Reallabor: `make run` (development server with demo data) and `make test` (everything CI checks).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

BIN := .venv/bin
PYTHON := $(BIN)/python
MANAGE := $(PYTHON) manage.py
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k labs -x"`.
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile
MESSAGES_IGNORE := --ignore=.venv --ignore=.cache --ignore=var --ignore=node_modules

.PHONY: help bootstrap run serve worker test test-sqlite test-postgres check lint format typecheck \
	migrations-check django-check openapi-check openapi messages compilemessages bench clean distclean

help:
	@echo "make run             development server on http://127.0.0.1:8000 with demo data"
	@echo "make test            checks, then the test suite on SQLite and on PostgreSQL"
	@echo "make check           lint, typecheck, migrations-check, openapi-check"
	@echo "make test-sqlite     the test suite on SQLite only (PYTEST_ARGS=... to select)"
	@echo "make test-postgres   the test suite on a throwaway PostgreSQL cluster"
	@echo "make format          ruff format and ruff's import sorting"
	@echo "make openapi         regenerate docs/api/openapi.json"
	@echo "make messages        update and compile the translations (de, en)"
	@echo "make worker          the background task worker"
	@echo "make bench           the benchmarks"
	@echo "make clean           remove caches and generated files (keeps the database)"

bootstrap:
	@bash scripts/bootstrap

run: bootstrap
	mkdir -p var reallabor/locale
	if command -v msgfmt >/dev/null; then $(MANAGE) compilemessages $(MESSAGES_IGNORE) -v 0; \
	else echo "msgfmt (gettext) not found: translations are not compiled"; fi
	$(BIN)/reallabor run

worker: bootstrap
	$(BIN)/reallabor worker

# --- tests -------------------------------------------------------------------------------------------

test: bootstrap
	$(MAKE) --keep-going check
	$(MAKE) compilemessages
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: bootstrap
	@echo "=== tests on SQLite ==="
	env -u DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

test-postgres: bootstrap
	@echo "=== tests on PostgreSQL ==="
	bash scripts/with-postgres $(PYTEST) $(PYTEST_ARGS)

# --- checks ------------------------------------------------------------------------------------------

check: lint typecheck django-check migrations-check openapi-check

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: bootstrap
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

typecheck: bootstrap
	$(BIN)/mypy reallabor

django-check: bootstrap
	$(MANAGE) check

migrations-check: bootstrap
	$(MANAGE) makemigrations --check --dry-run

openapi-check: bootstrap
	$(MANAGE) export_openapi --check

openapi: bootstrap
	$(MANAGE) export_openapi

# --- translations ------------------------------------------------------------------------------------

messages: bootstrap
	mkdir -p reallabor/locale
	$(MANAGE) makemessages -l de -l en $(MESSAGES_IGNORE)
	$(MAKE) compilemessages

# reallabor/locale may not exist yet in a fresh clone (git keeps no empty directories).
compilemessages: bootstrap
	mkdir -p reallabor/locale
	$(MANAGE) compilemessages $(MESSAGES_IGNORE)

# --- other -------------------------------------------------------------------------------------------

bench: bootstrap
	$(PYTHON) -m bench

clean:
	find . -path ./.venv -prune -o -path ./.cache -prune -o -name __pycache__ -type d -print \
		| xargs rm -rf
	rm -rf .mypy_cache .ruff_cache .pytest_cache test-results var/static var/test-media

# Also removes the virtual environment, uv's bootstrap and the development database.
distclean: clean
	rm -rf .venv .cache var
