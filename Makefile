# civicplan's front door. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install load demo-users lint format check migrations bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate the SQLite database, load the plan and demo progress, make the demo accounts, serve
run: install
	$(PY) manage.py migrate --noinput
	$(MAKE) --no-print-directory load demo-users
	$(PY) manage.py loaddata demo_progress_2022_23
	$(PY) manage.py runserver $(HOST):$(PORT)

load: install
	$(PY) manage.py loaddata annual_plan_2022_23

demo-users: install
	$(PY) manage.py create_demo_users

## test: install, then run the whole suite (DATABASE_URL picks the database; SQLite by default)
test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations: install
	DJANGO_SETTINGS_MODULE=civicplan.settings.test $(PY) manage.py makemigrations --check --dry-run

check: lint migrations

## bench: print the figures of the benchmark (see README)
bench: install
	DJANGO_SETTINGS_MODULE=civicplan.settings.test $(PY) -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
