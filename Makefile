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

.PHONY: venv demo demo-cli test lint format airflow clean bench sample-data env

venv: $(STAMP)

# (Re)install when the dependency definitions change; reuses the venv otherwise.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[airflow,deploy,dev]"
	touch $(STAMP)

AIRFLOW_ENV := source scripts/airflow_env.sh
AIRFLOW := $(PROJECT)/$(VENV)/bin/airflow

## The real Airflow DAGs on the sample days: a SQLite Airflow home in .airflow/,
## `airflow dags test newsetl_daily` for each day, then newsetl_stats, then a summary.
## scripts/airflow_setup.sh migrates the DB and creates the `newsetl` pool first.
demo: $(STAMP)
	@set -euo pipefail; $(AIRFLOW_ENV); \
	export NEWSETL_RAW_ROOT=$(RAW_ROOT) NEWSETL_OUT_ROOT=$(OUT_ROOT); \
	mkdir -p "$$AIRFLOW_HOME/demo-logs"; \
	AIRFLOW_BIN=$(AIRFLOW) scripts/airflow_setup.sh "$$AIRFLOW_HOME/demo-logs/setup.log"; \
	for ds in $(SAMPLE_DAYS); do \
	  log="$$AIRFLOW_HOME/demo-logs/newsetl_daily-$$ds.log"; \
	  echo "== airflow dags test newsetl_daily $$ds -c '{\"ds\": \"$$ds\"}'  (log: $$log)"; \
	  $(AIRFLOW) dags test newsetl_daily "$${ds}T00:00:00+00:00" -c "{\"ds\": \"$$ds\"}" \
	    > "$$log" 2>&1 || { grep -E "newsetl |ERROR|Error|failed" "$$log" | tail -30; exit 1; }; \
	  grep -oE "newsetl (find_inputs|publish|quality ds=[0-9-]+: all).*\[newsetl" "$$log" \
	    | sed -e 's/ \[newsetl$$//' -e 's/^/   /'; \
	done; \
	log="$$AIRFLOW_HOME/demo-logs/newsetl_stats.log"; \
	echo "== airflow dags test newsetl_stats  (log: $$log)"; \
	$(AIRFLOW) dags test newsetl_stats > "$$log" 2>&1 \
	  || { grep -E "newsetl |ERROR|Error" "$$log" | tail -30; exit 1; }; \
	grep -oE "newsetl stats:.*\[newsetl" "$$log" | sed -e 's/ \[newsetl$$//' -e 's/^/   /'; \
	$(PY) scripts/demo_summary.py --out-root $(OUT_ROOT)

## The CLI on the bundled sample days (no Airflow) and its summary.
demo-cli: $(STAMP)
	$(VENV)/bin/newsetl run --raw-root $(RAW_ROOT) --out-root $(OUT_ROOT) \
	  --from 2024-03-01 --to 2024-03-03 --progress lines

## Local Airflow (api-server, scheduler, dag-processor, triggerer) on http://127.0.0.1:8080,
## login admin / admin; AIRFLOW_PORT=8081 make airflow for another port. Migrates the DB
## and creates the `newsetl` pool (NEWSETL_POOL_SLOTS, default: the core count) first.
airflow: $(STAMP)
	@set -euo pipefail; $(AIRFLOW_ENV); \
	printf '{"admin": "admin"}\n' > "$$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"; \
	AIRFLOW_BIN=$(AIRFLOW) scripts/airflow_setup.sh "$$AIRFLOW_HOME/setup.log"; \
	echo "Airflow home $$AIRFLOW_HOME - UI $$AIRFLOW__API__BASE_URL (login admin / admin)"; \
	exec $(AIRFLOW) standalone

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

## .env for docker compose: fresh random secrets (never overwrites existing values).
env:
	$(PYTHON) scripts/make_env.py .env
