# Tasks for developers and CI. `make help` lists them.
PY ?= python3
QUICK = not browser and not postgres and not libreoffice and not slow

.PHONY: help install run test test-all lint fix bench docs

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install:  ## install the app, its tests and its tools (editable)
	$(PY) -m pip install -q -r requirements.txt

run:  ## start the app (embedded SQLite, sample data on first start)
	streamlit run app.py

test:  ## the quick tier: no browser, PostgreSQL, LibreOffice or slow tests (under 2 minutes)
	$(PY) -m pytest -q -m "$(QUICK)"

test-all:  ## every tier, as CI runs it (the README's test command)
	$(PY) -m pytest -q

lint:  ## ruff (lint and format check) and mypy on data_access/ and components/
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

fix:  ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench:  ## every benchmark on the sample and the large programme (about 12 minutes)
	$(PY) benchmarks/all.py

docs:  ## regenerate the command-line usage in docs/cli.md from the parser
	$(PY) docs/generate_cli.py
