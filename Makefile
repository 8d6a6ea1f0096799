# newsetl — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROJECT := $(abspath .)
OUT_ROOT ?= $(PROJECT)/data/out
RAW_ROOT ?= $(PROJECT)/include/sample_data/raw
SAMPLE_DAYS := 2024-03-01 2024-03-02 2024-03-03

.PHONY: venv demo demo-cli test lint format airflow clean bench sample-data

venv: $(STAMP)

# (Re)install when the dependency definitions change; reuses the venv otherwise.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[airflow,deploy,dev]"
	touch $(STAMP)

## Run the main job on the bundled sample days and print a summary.
demo: $(STAMP)
	$(VENV)/bin/newsetl run --raw-root $(RAW_ROOT) --out-root $(OUT_ROOT) \
	  --from 2024-03-01 --to 2024-03-03 --progress lines

## The whole test suite.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Rebuild include/sample_data/raw from include/sample_data/articles.
sample-data: $(STAMP)
	$(PY) scripts/make_sample_data.py

clean:
	rm -rf data .airflow .pytest_cache .ruff_cache test-artifacts
