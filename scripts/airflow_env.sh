# shellcheck shell=bash
# Source me: sets up a local Airflow home inside the project for `make demo` / `make airflow`.
#   source scripts/airflow_env.sh
# Everything can be overridden by exporting the variable before sourcing.
_newsetl_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NEWSETL_PROJECT_ROOT="${_newsetl_root}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-${_newsetl_root}/.airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-${_newsetl_root}/dags}"
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-${_newsetl_root}/plugins}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# As many task processes as cores: LocalExecutor's default of 32 idled at 1.1 GB on 2
# cores, and every shard task loads the language model.
_newsetl_cores="$(nproc 2>/dev/null || echo 2)"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-${_newsetl_cores}}"
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG="${AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG:-${_newsetl_cores}}"
# Slots of the `newsetl` pool (process_shard tasks), created by scripts/airflow_setup.sh.
export NEWSETL_POOL_SLOTS="${NEWSETL_POOL_SLOTS:-${_newsetl_cores}}"
unset _newsetl_cores
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-True}"
# SQLite needs an absolute path (four slashes).
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///${AIRFLOW_HOME}/airflow.db?timeout=30}"
# Local UI / API server: loopback only.
export AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-${AIRFLOW_PORT}}"
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://127.0.0.1:${AIRFLOW__API__PORT}}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://127.0.0.1:${AIRFLOW__API__PORT}/execution/}"
# Simple auth manager with a fixed local login admin/admin (written by `make airflow`).
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS:-admin:admin}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-${AIRFLOW_HOME}/simple_auth_manager_passwords.json.generated}"
# Pipeline settings (see docs/airflow.md); defaults are the sample data and data/out.
# On the bundled sample data (three days) catch-up stops at its last day, so unpausing
# newsetl_daily runs exactly 2024-03-01..03 instead of every day until yesterday.
if [ -z "${NEWSETL_RAW_ROOT:-}" ]; then
  export NEWSETL_START_DATE="${NEWSETL_START_DATE:-2024-03-01}"
  export NEWSETL_END_DATE="${NEWSETL_END_DATE:-2024-03-03}"
fi
export NEWSETL_RAW_ROOT="${NEWSETL_RAW_ROOT:-${_newsetl_root}/include/sample_data/raw}"
export NEWSETL_OUT_ROOT="${NEWSETL_OUT_ROOT:-${_newsetl_root}/data/out}"
# `airflow standalone` starts its components as `airflow ...` from PATH.
if [ -x "${_newsetl_root}/.venv/bin/airflow" ]; then
  case ":${PATH}:" in
    *":${_newsetl_root}/.venv/bin:"*) ;;
    *) export PATH="${_newsetl_root}/.venv/bin:${PATH}" ;;
  esac
fi
mkdir -p "${AIRFLOW_HOME}"
unset _newsetl_root
