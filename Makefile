# civicplan's front door. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test browser libreoffice poppler vnu translations messages install load-plan load wrk demo-users lint format check migrations bench vendor clean serve deploy-check audit backup restore

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) translations

## run: install, migrate the SQLite database, load the plan and demo progress, make the demo accounts, serve
## as users see it: the site's own 404/403/500 pages, not Django's debug pages (make run RUN_DEBUG=true for those),
## with one background worker beside the server (it prepares report PDFs; stopped with the server)
RUN_DEBUG ?= false
run: install
	$(PY) manage.py migrate --noinput
	$(MAKE) --no-print-directory load-plan demo-users
	$(PY) manage.py load_demo
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=$(RUN_DEBUG) $(PY) manage.py db_worker --no-reload & \
	DEBUG=$(RUN_DEBUG) $(PY) manage.py runserver --insecure $(HOST):$(PORT)

load-plan: install
	$(PY) manage.py loaddata annual_plan_2022_23

demo-users: install
	$(PY) manage.py create_demo_users

## test: install, then run the whole suite (DATABASE_URL picks the database; SQLite by default),
## on every core (TEST_WORKERS=0: in this process only); PYTEST_ARGS passes options on,
## e.g. make test PYTEST_ARGS="-m 'not browser'"
PYTEST_ARGS ?=
TEST_WORKERS ?= auto
test: install browser libreoffice poppler vnu
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# $(call apt_install,TEST,PACKAGE,NAME,WHICH TESTS): install Debian's PACKAGE when the shell
# condition TEST fails and root can; never fails: without it, WHICH TESTS skip (or fail, where a
# CIVICPLAN_REQUIRE_* variable says they must run).
define apt_install
	@if $(1); then \
	  :; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "$(3) is missing and installing it needs root: $(4) will be skipped."; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "$(3) is missing and there is no apt-get to install it: $(4) will be skipped."; \
	else \
	  echo "Installing $(3) for $(4) (apt-get install $(2))"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); } \
	    || echo "Installing $(3) failed: $(4) will be skipped."; \
	fi
endef

## browser: install Chromium for the browser tests (tests/browser) when it is missing and root can;
## never fails: without Chromium the browser tests skip (or fail, with CIVICPLAN_REQUIRE_BROWSER=1)
CHROMIUM := /usr/bin/chromium
browser:
	$(call apt_install,[ -x $(CHROMIUM) ],chromium,Chromium ($(CHROMIUM)),the browser tests)

## libreoffice: install LibreOffice Calc, which opens the workbooks in a test (tests/spreadsheets/test_workbooks.py),
## when it is missing and root can (about 40 s); never fails: without it that test skips (or fails, with
## CIVICPLAN_REQUIRE_LIBREOFFICE=1)
libreoffice:
	$(call apt_install,command -v soffice >/dev/null 2>&1,libreoffice-calc-nogui,LibreOffice (soffice),the LibreOffice test)

## poppler: install poppler's tools (pdftotext, pdfimages), with which the print layout test reads where each
## word of a report PDF lies (tests/reporting/test_print_layout.py), when they are missing and root can; never
## fails: without them that test skips (or fails, with CIVICPLAN_REQUIRE_POPPLER=1)
poppler:
	$(call apt_install,command -v pdftotext >/dev/null 2>&1 && command -v pdfimages >/dev/null 2>&1,poppler-utils,poppler-utils (pdftotext),the print layout test)

## vnu: fetch the Nu HTML Checker (vnu.jar, npm's vnu-jar) for the HTML test (tests/test_html_validity.py)
## into .vnu/ (git-ignored: 30 MB) when it is missing and npm and Java are there; never fails: without it
## that test skips (or fails, with CIVICPLAN_REQUIRE_VNU=1)
VNU_VERSION := 26.9.27
VNU_JAR := .vnu/vnu-jar-$(VNU_VERSION)/vnu.jar
vnu:
	@if [ -f $(VNU_JAR) ]; then \
	  :; \
	elif ! command -v java >/dev/null 2>&1; then \
	  echo "Java is missing, which runs the Nu HTML Checker: the HTML test will be skipped."; \
	elif ! command -v npm >/dev/null 2>&1; then \
	  echo "npm is missing, which fetches the Nu HTML Checker: the HTML test will be skipped."; \
	else \
	  echo "Fetching the Nu HTML Checker for the HTML test (npm pack vnu-jar@$(VNU_VERSION))"; \
	  rm -rf .vnu && mkdir -p .vnu/tmp; \
	  ( cd .vnu/tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null \
	    && tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar ) \
	    && mkdir -p $(dir $(VNU_JAR)) && mv .vnu/tmp/package/build/dist/vnu.jar $(VNU_JAR) \
	    || echo "Fetching the Nu HTML Checker failed: the HTML test will be skipped."; \
	  rm -rf .vnu/tmp; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations: install
	DJANGO_SETTINGS_MODULE=civicplan.settings.test $(PY) manage.py makemigrations --check --dry-run

check: lint migrations

## audit: the static security checks: bandit on the whole project (pyproject.toml, [tool.bandit];
## a medium or high severity finding fails), then pip-audit on the installed packages when its
## advisory data can be reached, else it says why it was skipped (tools/audit_dependencies.py)
audit: install
	$(VENV)/bin/bandit -c pyproject.toml -ll -r . -q
	@echo "bandit: no medium or high severity issue"
	$(PY) tools/audit_dependencies.py

## backup: the whole database (DATABASE_URL, else db.sqlite3) in one file, readable by its owner
## only: backups/civicplan-<UTC date and time>.json.gz, or FILE=path (docs/operations.md, "Backup and restore")
backup: install
	$(PY) manage.py backup $(if $(FILE),--output "$(FILE)")

## restore: replace every row of the database with those of a backup, after asking (NOINPUT=1 does
## not ask): make restore FILE=backups/civicplan-<date>.json.gz; migrates first; a file that cannot
## be restored whole changes nothing
restore: install
	@test -n "$(FILE)" || { echo "Which backup? make restore FILE=backups/civicplan-<date>.json.gz" >&2; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py restore $(if $(NOINPUT),--noinput) "$(FILE)"

## serve: the production settings (DEBUG off) under gunicorn, static files by whitenoise, on
## HOST:PORT (127.0.0.1:8000), e.g. for a load test; migrates and collects the static files first.
## The database is DATABASE_URL if set (PostgreSQL for a load test), else db.sqlite3. Without
## SECRET_KEY in the environment a random one is made for this run only (never stored: sessions
## end with the server). Plain HTTP on loopback, so no HTTPS redirect and no Secure cookies; a
## deployment runs gunicorn behind a TLS proxy instead (docs/operations.md, "Deploying").
## WEB_CONCURRENCY workers: 2 x cores + 1 by default, at most 9; GUNICORN_ARGS adds options.
WEB_CONCURRENCY ?= $(shell n=$$(( $$(nproc 2>/dev/null || echo 1) * 2 + 1 )); [ $$n -gt 9 ] && n=9; echo $$n)
## GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (gunicorn's
## default, 30, is too short for the PDF of a large plan's report: about 18 s at 20 times the seed)
GUNICORN_TIMEOUT ?= 120
GUNICORN_ARGS ?=
## TASK_WORKERS: background workers (manage.py db_worker) started beside gunicorn, which make
## report PDFs after approvals, locks and a round's end (reporting/tasks.py); 1 by default
TASK_WORKERS ?= 1
serve: install
	@set -e; \
	key="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	export DJANGO_SETTINGS_MODULE=civicplan.settings.production SECRET_KEY="$$key" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3}" \
	  SECURE_SSL_REDIRECT=false SECURE_COOKIES=false; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput -v0; \
	echo "civicplan on http://$(HOST):$(PORT)/ (production settings, $(WEB_CONCURRENCY) gunicorn workers, $(TASK_WORKERS) task workers)"; \
	trap 'kill 0' INT TERM EXIT; \
	for _ in $$(seq 1 $(TASK_WORKERS)); do $(PY) manage.py db_worker --no-reload & done; \
	$(VENV)/bin/gunicorn civicplan.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
	  --timeout $(GUNICORN_TIMEOUT) --no-control-socket $(GUNICORN_ARGS)

## load: the load test (docs/development.md, "The load test"): `make serve` on PostgreSQL (DATABASE_URL, else
## the local civicplan_load database, made and filled), wrk on loopback for 30 s at 16 connections
## on /healthz, the dashboard, the quarterly report, its stored PDF and the 20x plan's, signed in; prints one
## table (about 5 min)
load: install wrk
	WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(PY) load/run.py

## wrk: install wrk for the load test when it is missing and root can; fails otherwise
wrk:
	@if command -v wrk >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "wrk is missing and installing it needs root and apt-get: install wrk (e.g. apt-get install wrk), then run make load again." >&2; \
	  exit 1; \
	else \
	  echo "Installing wrk for the load test (apt-get install wrk)"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
	    || { echo "Installing wrk failed: install it (apt-get install wrk), then run make load again." >&2; exit 1; }; \
	fi

## deploy-check: Django's deployment checklist on the production settings; any warning fails
## (SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL from the environment, or stand-ins)
deploy-check: install
	@key="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	DJANGO_SETTINGS_MODULE=civicplan.settings.production SECRET_KEY="$$key" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-civicplan.example.org}" \
	  DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3}" \
	  $(PY) manage.py check --deploy --fail-level WARNING

## bench: print the figures of the benchmark (docs/development.md, "The benchmark")
bench: install
	DJANGO_SETTINGS_MODULE=civicplan.settings.test $(PY) -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

## vendor: fetch the third-party CSS and JavaScript from npm into static/vendor/<name>-<version>/
## (committed: the app never loads them from another site, and offline deployments need them);
## axe-core, for the browser tests only, into tests/browser/vendor/
HTMX_VERSION := 2.0.11
PICO_VERSION := 2.1.1
AXE_VERSION := 4.14.1
vendor:
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp
	cd .vendor-tmp && npm pack --silent htmx.org@$(HTMX_VERSION) @picocss/pico@$(PICO_VERSION) axe-core@$(AXE_VERSION) >/dev/null
	cd .vendor-tmp && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar -xzf "$$f" -C "$${f%.tgz}"; done
	mkdir -p static/vendor/htmx-$(HTMX_VERSION) static/vendor/pico-$(PICO_VERSION) tests/browser/vendor/axe-core-$(AXE_VERSION)
	cp .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/dist/htmx.min.js static/vendor/htmx-$(HTMX_VERSION)/
	cp .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/LICENSE static/vendor/htmx-$(HTMX_VERSION)/
	cp .vendor-tmp/picocss-pico-$(PICO_VERSION)/package/css/pico.min.css static/vendor/pico-$(PICO_VERSION)/
	cp .vendor-tmp/picocss-pico-$(PICO_VERSION)/package/LICENSE.md static/vendor/pico-$(PICO_VERSION)/
	cp .vendor-tmp/axe-core-$(AXE_VERSION)/package/axe.min.js tests/browser/vendor/axe-core-$(AXE_VERSION)/
	cp .vendor-tmp/axe-core-$(AXE_VERSION)/package/LICENSE tests/browser/vendor/axe-core-$(AXE_VERSION)/
	rm -rf .vendor-tmp

## translations: compile the French and English catalogues (locale/*/LC_MESSAGES/django.po);
## messages: collect the interface's strings into them after a change (then translate)
translations: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

messages: $(STAMP)
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=staticfiles --no-obsolete
