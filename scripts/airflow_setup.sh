#!/usr/bin/env bash
# Prepare the local Airflow home for `make demo` / `make airflow`: migrate the metadata
# DB and create (or resize) the `newsetl` pool that the mapped `process_shard` tasks
# run in. Idempotent. Source scripts/airflow_env.sh first (the Makefile does).
#   scripts/airflow_setup.sh [LOG_FILE]
set -euo pipefail
log="${1:-/dev/null}"
airflow="${AIRFLOW_BIN:-airflow}"
slots="${NEWSETL_POOL_SLOTS:-$(nproc 2>/dev/null || echo 2)}"
"${airflow}" db migrate >> "${log}" 2>&1 || { tail -30 "${log}" >&2; exit 1; }
# Slots = cores: each shard task loads a language model and holds its shard in memory,
# so more at once only adds memory pressure. All runs and backfills share the pool.
"${airflow}" pools set newsetl "${slots}" \
  "newsetl process_shard tasks (one slot each; sized to the cores)" >> "${log}" 2>&1 \
  || { tail -30 "${log}" >&2; exit 1; }
echo "== Airflow home ${AIRFLOW_HOME}: db migrated, pool newsetl = ${slots} slots"
