# Two commands do all set-up on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TRANSLATIONS := citizen_app/i18n/translations
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

.PHONY: run test lint format i18n bench install

run: install
	$(BIN)/python embedded.py

# The test pyramid: lint; the whole suite once on SQLite (unit, plan service, integration, browser, meta), in
# PYTEST_WORKERS processes; then, with TEST_DATABASE_URL, the tests that use the portal's database (marked
# `portal_db` by tests/conftest.py) a second time on that server, browser suite excluded. The hostile-strings
# runs (marked `blns`, tests/blns.py) go once: on that server when there is one, else on SQLite. Each stage
# prints its time.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=10

test: install
	@s=$$(date +%s); $(BIN)/ruff check . && $(BIN)/ruff format --check . && echo "== stage lint: $$(( $$(date +%s) - s )) s"
	@s=$$(date +%s); $(PYTEST) $${TEST_DATABASE_URL:+-m "not blns"} $(PYTEST_ARGS) && \
	  echo "== stage whole suite on SQLite$${TEST_DATABASE_URL:+ (the blns runs wait for PostgreSQL)}: $$(( $$(date +%s) - s )) s"
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== the tests that use the portal database again, on $${TEST_DATABASE_URL%%@*}@… =="; \
	  s=$$(date +%s); \
	  PORTAL_TEST_DATABASE=external $(PYTEST) -m "portal_db and not browser" $(PYTEST_ARGS) && \
	  echo "== stage portal-database tests on PostgreSQL: $$(( $$(date +%s) - s )) s"; \
	fi

install: $(STAMP) $(CATALOGS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract every string, update each language's catalogue, compile them.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m citizen_app.i18n.catalogues fill-source en
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

bench: install
	$(BIN)/python bench/queries.py
