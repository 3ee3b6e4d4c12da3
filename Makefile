# ForSURE logins — `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format migrate demo bench bench-admin bench-data bench-import bench-mixed loadtest clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --base-url http://$(HOST):$(PORT)

run: demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The admin's browser test drives Debian's Chromium through Playwright (Playwright's own browser
# download is not used): installed here when missing, as root on a Debian machine such as CI.
CHROMIUM ?= /usr/bin/chromium

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

# The suite runs in one process per CPU (pytest-xdist, each with its own test database);
# `TEST_WORKERS=0` runs it in this process, `PYTEST_ARGS` passes pytest options.
TEST_WORKERS ?= auto

test: install $(CHROMIUM)
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (bench/README.md): a PostgreSQL database of their own, production settings
# (DEBUG off) and bench-only secrets: the bench portfolio is generated, never real data.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/forsure_bench
BENCH_CLIENTS ?= 100000
BENCH_CREDENTIALS ?= 300000
BENCH_TRIGGERS ?= off
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 \
	SECRET_KEY=bench-only-secret-key-never-used-in-production \
	FIELD_ENCRYPTION_KEY=9DN9RtT6NiNDgwsj1GRYPSft770LPRszG4RGrKLWE3U=

bench-data: install
	$(BENCH_ENV) $(BIN)/python -m bench.database
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) $(BIN)/python -m bench.generate --clients $(BENCH_CLIENTS) \
		--credentials $(BENCH_CREDENTIALS) --triggers $(BENCH_TRIGGERS) \
		$(if $(BENCH_WORKERS),--workers $(BENCH_WORKERS)) $(if $(filter 1,$(BENCH_RESET)),--reset)

bench: bench-data
	$(BENCH_ENV) $(BIN)/python -m bench.run

# The bulk upload's execute beside django-import-export's tuned one-table import (the anchor).
bench-import: bench-data
	$(BENCH_ENV) $(BIN)/python -m bench.import_speed $(if $(BENCH_PROFILE),--profile)

bench-mixed: bench-data
	$(BENCH_ENV) CACHE_URL=locmem:// $(BIN)/python -m bench.mixed

# The admin pages staff use (client list, client page, credential list) as the bench staff user.
bench-admin: bench-data
	$(BENCH_ENV) $(BIN)/python -m bench.admin_pages

loadtest: bench-data
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BENCH_ENV) $(BIN)/python -m bench.loadtest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
