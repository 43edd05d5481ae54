# Newcomer entry points: `make run` (portal with demo data) and `make test` (whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Coverage floors on PostgreSQL (CI): the whole, and every module (`make coverage` after `make test`).
COVERAGE_FLOOR ?= 95
MODULE_FLOOR ?= 90
# Production-like variables for `check --deploy` in `make lint` (a random key each run, never used to serve).
PRODUCTION_ENV = DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=portal.example.ru SITE_URL=https://portal.example.ru CSRF_TRUSTED_ORIGINS=https://portal.example.ru

.PHONY: install install-dev run worker test coverage lint format messages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A cluster_portal worker --beat -Q celery,periodic,imports --loglevel INFO

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

coverage: install-dev
	$(PY) -m coverage combine --quiet 2>/dev/null || true
	$(PY) -m coverage report --fail-under=$(COVERAGE_FLOOR)
	$(PY) scripts/check_coverage.py --floor $(MODULE_FLOOR)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	PY=$(PY) bash scripts/check_translations.sh
	$(VENV)/bin/bandit -c pyproject.toml -q -r . -lll
	env -u DJANGO_ALLOW_ASYNC_UNSAFE $(PRODUCTION_ENV) $(PY) manage.py check --deploy --fail-level WARNING

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-dev
	$(PY) manage.py makemessages -l ru -l en --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=bench --ignore=tests --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv
