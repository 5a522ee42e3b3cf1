# HelseIArbeid — the two commands a newcomer runs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APP_STAMP := $(VENV)/.installed-app
PORT ?= 8000
SOAK_SECONDS ?= 60
export PICCOLO_CONF := helseiarbeid.piccolo_conf

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The app alone is what `make run` needs; the test tools (Playwright, schemathesis, mypy, ...)
# took two of the three minutes of a first `make run`.
$(APP_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $(APP_STAMP)

$(STAMP): $(APP_STAMP)
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its test tools

# Test-only tools from the npm registry (axe-core, ical.js): package.json, pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm is not installed: the tests that need axe-core or ical.js will say so"; fi

test-tools: node_modules/.installed ## Install the npm test tools (axe-core, ical.js)

# The demo's patients have synthetic national IDs (Tenor), which production refuses.
run: export HELSEIARBEID_ACCEPT_SYNTHETIC_IDS := true
run: $(APP_STAMP) ## Migrate, load demo data the first time, and serve on http://127.0.0.1:8000 (SQLite)
	$(BIN)/helseiarbeid migrate
	$(BIN)/helseiarbeid seed-demo --if-empty
	@echo "Demo logins (password demo-passord-123): koordinator@helseiarbeid.example,"
	@echo "  psykolog@, lege@, nav@, admin@helseiarbeid.example; fastlege.bodo@legekontor.example;"
	@echo "  kontakt1@virksomhet.example"
	@echo "The team's logins ask for a code too: in another terminal, make totp-code EMAIL=nav@helseiarbeid.example"
	$(BIN)/helseiarbeid serve --host 127.0.0.1 --port $(PORT)

# The demo team's second factor: the next code of a demo account (refused for any other).
totp-code: export HELSEIARBEID_ACCEPT_SYNTHETIC_IDS := true
totp-code: $(APP_STAMP) ## Print the login code of a demo account: make totp-code EMAIL=koordinator@helseiarbeid.example
	@$(BIN)/helseiarbeid totp-code --email "$(EMAIL)"

lint: install ## ruff (lint and format check) and mypy
	$(BIN)/ruff check helseiarbeid tests bench
	$(BIN)/ruff format --check helseiarbeid tests bench
	$(BIN)/mypy

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format helseiarbeid tests bench
	$(BIN)/ruff check --fix helseiarbeid tests bench

# With PostgreSQL the two engines' runs go side by side (each has its own databases and
# ports); SQLite's output is printed after PostgreSQL's, and either failing fails the target.
test: lint test-tools ## The whole suite on SQLite, and on PostgreSQL when HELSEIARBEID_TEST_POSTGRES_URL is set
	@if [ -n "$$HELSEIARBEID_TEST_POSTGRES_URL" ]; then \
		echo "=== SQLite and PostgreSQL side by side; SQLite's report follows PostgreSQL's ==="; \
		log=$$(mktemp); \
		HELSEIARBEID_TEST_ENGINE=sqlite $(BIN)/pytest -p no:cacheprovider > "$$log" 2>&1 & lite=$$!; \
		HELSEIARBEID_TEST_ENGINE=postgres $(BIN)/pytest; pg=$$?; \
		wait $$lite; sqlite=$$?; \
		echo "=== the same suite on SQLite ==="; cat "$$log"; rm -f "$$log"; \
		echo "PostgreSQL: exit $$pg, SQLite: exit $$sqlite"; \
		test $$pg -eq 0 && test $$sqlite -eq 0; \
	else \
		echo "HELSEIARBEID_TEST_POSTGRES_URL is not set: the suite on SQLite only"; \
		HELSEIARBEID_TEST_ENGINE=sqlite $(BIN)/pytest; \
	fi

soak: install ## The fault tests (kill -9 mid-submission, two servers booking) for 60 s each, per engine
	HELSEIARBEID_TEST_ENGINE=sqlite HELSEIARBEID_SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/pytest -s tests/faults
	@if [ -n "$$HELSEIARBEID_TEST_POSTGRES_URL" ]; then \
		echo "=== the same fault tests on PostgreSQL ==="; \
		HELSEIARBEID_TEST_ENGINE=postgres HELSEIARBEID_SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/pytest -s tests/faults; \
	else \
		echo "HELSEIARBEID_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"; \
	fi

bench-tools: ## wrk, the load generator (Debian's package), if it is missing
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; \
		apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }

bench: install bench-tools ## Benchmarks on 20,000 referrals (PostgreSQL); writes bench/RESULTS.md
	$(BIN)/python -m bench.run --referrals 20000 --pdfs 30 --load-seconds 10

bench-full: install bench-tools ## 200,000 referrals (growth from 20,000; reads on SQLite too), 200 PDFs; writes bench/RESULTS.md
	$(BIN)/python -m bench.run --referrals 200000 --pdfs 200 --load-seconds 30 --growth-from 20000 --sqlite-reads

migration: install ## Generate migrations for APP against PostgreSQL: make migration APP=referrals PG=postgresql://...
	@test -n "$(APP)" || (echo "usage: make migration APP=<app> PG=postgresql://user@host/db" && exit 2)
	@test -n "$(PG)" || (echo "PG must name a PostgreSQL database that is migrated to the latest state" && exit 2)
	HELSEIARBEID_DATABASE_URL=$(PG) $(BIN)/piccolo migrations new $(APP) --auto

clean: ## Remove .venv and the local database
	rm -rf $(VENV) var node_modules

.PHONY: help install test-tools run lint format test soak bench-tools bench bench-full migration clean
