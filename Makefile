# make run: set up and serve the dashboard with the 2021 plan and sample data on SQLite.
# make test: set up and run the whole suite (DATABASE_URL=postgres://... to use PostgreSQL).
# make check: the suite without the browser and printing tests, for quick work.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

.PHONY: run serve test check test-browser audit bench lint format messages demo-passwords clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_plan 2021
	$(MANAGE) load_sample_data 2021
	$(MANAGE) create_demo_accounts
	$(MANAGE) runserver 127.0.0.1:8000

# make serve: the production stack locally: gunicorn, whitenoise, DEBUG off, plain HTTP.
SERVE_SECRET := $(or $(SECRET_KEY),$(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))"))
SERVE_ENV := DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1,localhost SECRET_KEY=$(SERVE_SECRET)

serve: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_plan 2021
	$(SERVE_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(SERVE_ENV) $(BIN)/gunicorn zzmetro.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile -

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (__pycache__ is ignored by
# git): without it each worker compiles the apps and rewrites every test module's asserts
# again before its first test, 4 s of its CPU.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

# One pytest worker per core (a third worker on two cores was no faster: the suite keeps both
# busy, Chromium and LibreOffice included); the ten slowest tests are printed after it.
test: $(VENV)/.installed
	$(PYTEST) -n auto --dist worksteal $(PYTEST_ARGS)

check: $(VENV)/.installed
	$(PYTEST) -n auto --dist worksteal -m "not browser and not soffice" $(PYTEST_ARGS)

test-browser: $(VENV)/.installed
	$(PYTEST) -m browser $(PYTEST_ARGS)

# Known vulnerabilities in the installed packages, from PyPI's advisories (README: Auditing
# dependencies). --strict: a package it could not look up fails the audit, never passes it.
audit: $(VENV)/.installed
	$(BIN)/pip freeze --exclude-editable > $(VENV)/audit-requirements.txt
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off \
		--requirement $(VENV)/audit-requirements.txt $(AUDIT_ARGS)

# Benchmarks, not part of make test: results go to bench/RESULTS.md.
bench: $(VENV)/.installed
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/spreadsheets.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/projects.py
	$(BIN)/python bench/bulletin.py
	$(BIN)/python bench/editions.py
	$(BIN)/python bench/api.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract and compile the translations; the compiled .mo files are committed.
messages: $(VENV)/.installed
	$(MANAGE) makemessages --locale zh_Hans --locale en --ignore "$(VENV)/*"
	$(MANAGE) compilemessages --ignore "$(VENV)/*"

demo-passwords: $(VENV)/.installed
	$(MANAGE) create_demo_accounts --reset-passwords

clean:
	rm -rf $(VENV) staticfiles test-artifacts *.egg-info
