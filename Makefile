# Kakehashi — `make run` serves the product with demo data; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
KH := $(VENV)/bin/kakehashi
PORT ?= 8000
STAMP := $(VENV)/.installed
# The suite runs on every CPU (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

# Find a Python >= 3.12: python3.13, python3.12, pyenv's 3.12.1, or python3 if new enough.
PYTHON_312 := $(shell for c in python3.13 python3.12 "env PYENV_VERSION=3.12.1 python3" python3; do \
	if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo "$$c"; break; fi; done)

.PHONY: help run test lint types messages makemessages i18n-check bench clean

help:
	@echo "make run   - install, migrate, load demo data, serve http://127.0.0.1:$(PORT)"
	@echo "make test  - install and run the whole test suite"
	@echo "make bench - run the benchmarks, results in benchmarks/results/"

$(PY):
	@if [ -z '$(PYTHON_312)' ]; then \
		echo "Kakehashi needs Python >= 3.12 (python3.13, python3.12 or pyenv 3.12.1); none found." >&2; \
		exit 1; fi
	$(PYTHON_312) -m venv $(VENV)

$(STAMP): $(PY) requirements/base.txt requirements/dev.txt pyproject.toml
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

messages: $(STAMP)
	$(KH) compilemessages --ignore .venv --ignore var --ignore node_modules -v 0

MAKEMESSAGES := $(KH) makemessages -l ja -l en --no-location --no-obsolete \
	--ignore '.venv/*' --ignore 'var/*' --ignore 'benchmarks/*' --ignore 'tests/*' -v 0

# English is the source language: its catalog copies each msgid (msgen).
makemessages: $(STAMP)
	$(MAKEMESSAGES)
	# English is the source language: every msgstr is its msgid (fuzzy guesses dropped first).
	msgfilter --keep-header --no-wrap -i locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po sed -e d
	msgen --no-wrap -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	msgattrib --no-wrap --clear-fuzzy --clear-previous -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po

# CI: regenerate the catalogs from the code, then refuse untranslated or fuzzy entries.
i18n-check: makemessages
	$(PY) scripts/check_catalogs.py locale/ja/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: $(STAMP)
	$(VENV)/bin/mypy

run: $(STAMP) messages
	@if [ "$$KAKEHASHI_ENV" = "production" ]; then \
		echo "make run is for development and demos; it refuses KAKEHASHI_ENV=production." >&2; exit 1; fi
	$(KH) migrate --no-input -v 0
	$(KH) collectstatic --no-input -v 0
	$(KH) load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (worker and scheduler running beside it)"
	PORT=$(PORT) $(KH) serve --bind 127.0.0.1:$(PORT)

test: $(STAMP) messages
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP) messages
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) var/static
