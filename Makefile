# Milk War Classroom. `make run` sets up and starts the site; `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Python named in .python-version (pyenv honours it); Django 6.1 needs 3.12+.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST := 127.0.0.1
PORT := 8000
WEB_CONCURRENCY ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
BENCH_ARGS ?=

.PHONY: help install run serve test bench lint format check-browser migrate content clean

help:
	@echo "make run     install, migrate, load the content, start http://$(HOST):$(PORT) (SQLite, debug)"
	@echo "make test    ruff, migrations check, the whole pytest suite with browser tests"
	@echo "make serve   the same site under gunicorn with DJANGO_DEBUG=false"
	@echo "make bench   load test a live session under gunicorn: 300 students on SQLite, printed as a table"
	@echo '             make bench BENCH_ARGS="--students 2000 --postgres": 2,000 on PostgreSQL; --sessions 20 --students 30:'
	@echo '             20 classes at once; --redis: with a Redis of its own (see bench/live.py --help)'
	@echo "make lint    ruff check and format check"
	@echo "make format  ruff fix and format"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), f"Python 3.12+ needed (.python-version says $$(cat .python-version)), found {sys.version}"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

content: migrate
	$(BIN)/python manage.py load_content

run: content
	@echo ""
	@echo "  Milk War Classroom: http://$(HOST):$(PORT)/"
	@echo "  Quizzes:            http://$(HOST):$(PORT)/quizzes/"
	@echo "  Progress, review:   http://$(HOST):$(PORT)/progress/  http://$(HOST):$(PORT)/review/"
	@echo "  Join a live session: http://$(HOST):$(PORT)/join/ (teachers start one from a quiz in the admin)"
	@echo "  Students sign up:   http://$(HOST):$(PORT)/accounts/signup/"
	@echo "  Teachers: create an account with"
	@echo "    $(BIN)/python manage.py create_teacher USERNAME"
	@echo "  then sign in at http://$(HOST):$(PORT)/admin/"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production settings on plain http (DJANGO_HTTPS=false), for trying gunicorn locally.
serve: export DJANGO_DEBUG = false
serve: export DJANGO_HTTPS ?= false
# The key is made once and kept (mode 600) unless DJANGO_SECRET_KEY is set: a restart keeps
# every session. Production sets its own (see README, "Configuration").
serve: export DJANGO_SECRET_KEY_FILE ?= $(CURDIR)/.secrets/secret_key
serve: content
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py live_sessions_end_idle
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) --access-logfile -

# Live sessions under load: gunicorn on a fresh database in a temporary directory, simulated
# students over loopback. Prints the results against the targets; exits 0 unless the harness failed.
bench: install
	$(BIN)/python bench/live.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-browser:
	@test -x /usr/bin/chromium || { echo "Browser tests need Debian's Chromium: apt-get install chromium"; exit 1; }

# Most tests run in parallel, one worker per core (pytest-xdist, each with its own test database);
# the browser, concurrency and real-server tests (marked `serial`) then run on their own.
TEST_WORKERS ?= $(shell nproc)

test: install lint check-browser
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not serial"
	$(BIN)/pytest -m serial

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-shm db.sqlite3-wal
