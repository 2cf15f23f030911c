# The README names the targets a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo runs with DEBUG on and a throwaway key, on the SQLite file var/demo.sqlite3, and
# without the second login step (the settings refuse that with DEBUG off).
DEMO_ENV := DEBUG=on SECRET_KEY=demo-only-not-secret-$(shell whoami)-meldpunt TWO_FACTOR_DISABLED=on
# Tests run as production would (DEBUG off); DATABASE_URL passes through (PostgreSQL in CI).
# The test client and the browser test speak plain http: no redirect to https.
TEST_ENV := DEBUG=off SECRET_KEY=test-only-not-secret-but-long-enough-for-the-key-check \
	CALLER_HASH_KEY=test-only-caller-key ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	SECURE_SSL_REDIRECT=off

.PHONY: install install-dev run test lint security format messages bench-import bench clean \
	bench-roster bench-load serve worker beat backup restore-check test-ops

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Meldpunt heeft Python 3.11 of nieuwer nodig (PY=$(PY))."; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	@mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Static security check of the shipped code ([tool.bandit] in pyproject.toml leaves out tests
# and migrations). Medium and high findings fail; each accepted one is marked `# nosec BXXX`
# with its reason on the line.
security: install-dev
	$(BIN)/bandit -q -r meldpunt contacts staffing reports -c pyproject.toml --severity-level medium

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogues after changing texts; the .mo files are committed,
# so `make run` needs no gettext tools.
messages: install-dev
	$(DEMO_ENV) $(BIN)/python manage.py makemessages --locale nl --no-obsolete \
		--ignore ".venv/*" --ignore "var/*" --ignore "*/static/vendor/*" --ignore "tests/*"
	$(DEMO_ENV) $(BIN)/python manage.py compilemessages --locale nl --ignore ".venv/*"

# Import speed of the contact CSV: 100k generated rows into a scratch PostgreSQL database.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/meldpunt_bench
bench-import: install-dev
	-createdb -h 127.0.0.1 -U postgres meldpunt_bench 2>/dev/null
	$(TEST_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python manage.py migrate --noinput -v0
	$(TEST_ENV) DATABASE_URL=$(BENCH_DB) $(BIN)/python manage.py bench_import --rows 100000 --yes

# The annual figures at a million contacts: aggregate rebuilds, the JSON from the aggregates,
# the naive ORM count and DuckDB over Parquet (reports/bench). DROPS and recreates BENCH_DB.
# Takes minutes; the last line is one JSON object. Not part of `make test`.
BENCH_CONTACTS ?= 1000000
$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet ".[dev,bench]"
	@touch $@

bench: $(VENV)/.installed-bench
	$(TEST_ENV) BENCH_DATABASE_URL=$(BENCH_DB) $(BIN)/python -m reports.bench --contacts $(BENCH_CONTACTS)

# The roster solver (S, M, L generated instances, against a greedy baseline) and the demand
# forecast's backtest: pure Python, no database; about 1.5 minutes. Last line: one JSON object.
bench-roster: install-dev
	$(BIN)/python -m staffing.bench_roster

# Pages under load (loadtest/): gunicorn on 127.0.0.1:8120 against BENCH_DB (run `make bench`
# first: a million contacts), 20 responders and 2 coordinators in locust for 90 s; prints
# p50/p95/p99 and errors per endpoint, the last line is one JSON object of ratios to /ping/.
LOAD_RUN_TIME ?= 90s
$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet ".[dev,load]"
	@touch $@

bench-load: $(VENV)/.installed-load
	$(TEST_ENV) BENCH_DATABASE_URL=$(BENCH_DB) $(BIN)/python -m loadtest.run --run-time $(LOAD_RUN_TIME)

# --- Operations (docs/deploy.md) ---------------------------------------------------------
# Production processes, configured from the environment or .env (DATABASE_URL of PostgreSQL,
# CELERY_BROKER_URL of Redis, SECRET_KEY, ...). Static files are hashed (STATIC_HASHED=on);
# the metrics of all processes of this machine meet in PROMETHEUS_MULTIPROC_DIR.
OPS_ENV := STATIC_HASHED=on PROMETHEUS_MULTIPROC_DIR=$(or $(PROMETHEUS_MULTIPROC_DIR),$(CURDIR)/var/prometheus)

serve: install
	@mkdir -p var/prometheus
	$(OPS_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@$(OPS_ENV) $(BIN)/python manage.py migrate --check >/dev/null \
		|| { echo "Er zijn migraties niet toegepast: eerst 'python manage.py migrate'."; exit 1; }
	$(OPS_ENV) $(BIN)/gunicorn -c gunicorn.conf.py

worker: install
	@mkdir -p var/prometheus
	$(OPS_ENV) $(BIN)/celery -A meldpunt worker --loglevel INFO --concurrency 2

# Exactly ONE beat for the whole installation (docs/deploy.md).
beat: install
	@mkdir -p var/prometheus
	$(OPS_ENV) $(BIN)/celery -A meldpunt beat --loglevel INFO

# pg_dump (custom format) of DATABASE_URL into BACKUP_DIR; restore-check restores the
# latest dump into a scratch database and compares it with the live one.
backup: install
	$(BIN)/python manage.py backup dump

restore-check: install
	$(BIN)/python manage.py backup restore-check

# Two gunicorn web servers, a worker and beat on PostgreSQL and Redis, one web server stopped
# halfway through the intake traffic (deploy/two_servers.py; a few minutes).
test-ops: install-dev
	$(TEST_ENV) $(BIN)/python deploy/two_servers.py

clean:
	rm -rf $(VENV) var
