# syntax=docker/dockerfile:1
# newsetl Airflow image: official Airflow 3.3.2 (Python 3.11) + the newsetl package
# + the Amazon provider with the s3fs extra (s3:// paths via fsspec) and the Celery
# provider (CeleryExecutor).
#
# Build:  docker build -t newsetl-airflow .
# Used by docker-compose.yaml (`build: .`); see docs/deployment.md.
FROM apache/airflow:3.3.2-python3.11

# Pinned so pip never upgrades/downgrades Airflow or the providers baked into the base image.
ARG AIRFLOW_VERSION=3.3.2
ARG AMAZON_PROVIDER_VERSION=9.39.0
ARG CELERY_PROVIDER_VERSION=3.26.0

# The fast language detector caches its model tables (the short-text one built from
# Lingua's models, whose wheel is downloaded for that build and then removed) and
# numba its compiled kernels; all are warmed at build time (below) so no task pays the
# first build (2-5 s, and ~2 min for the short-text model).
ENV AIRFLOW__CORE__LOAD_EXAMPLES=False \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSETL_CACHE_DIR=/opt/airflow/.cache/newsetl \
    NUMBA_CACHE_DIR=/opt/airflow/.cache/numba

WORKDIR /opt/airflow

# Project metadata first. `constraints.tx[t]` is a glob so the build also works while
# constraints.txt does not exist yet (COPY only fails when *no* source matches).
COPY --chown=airflow:0 pyproject.toml README.md constraints.tx[t] ./
COPY --chown=airflow:0 include/ ./include/

# Non-editable install of newsetl into the image's Python environment (no PYTHONPATH
# tricks). constraints.txt, when present, is applied as a pip constraints file; when it
# is absent an empty one is used so the command stays identical.
# The build artefacts setuptools leaves in-tree are removed afterwards.
RUN set -eux; \
    [ -f constraints.txt ] || touch constraints.txt; \
    pip install --no-cache-dir --constraint constraints.txt \
        "apache-airflow==${AIRFLOW_VERSION}" \
        "apache-airflow-providers-amazon[s3fs]==${AMAZON_PROVIDER_VERSION}" \
        "apache-airflow-providers-celery==${CELERY_PROVIDER_VERSION}" \
        ./ ; \
    rm -rf build include/*.egg-info; \
    python -c "import newsetl, airflow; assert airflow.__version__ == '${AIRFLOW_VERSION}', airflow.__version__"; \
    python -c "from newsetl.langid import fast; print(fast.detect('Warm the model and kernel caches of the image.'))"; \
    rm -f "$NEWSETL_CACHE_DIR"/lingua_language_detector-*.whl

COPY --chown=airflow:0 dags/ ./dags/
COPY --chown=airflow:0 plugins/ ./plugins/

# Data directories used by NEWSETL_RAW_ROOT / NEWSETL_OUT_ROOT (volumes are mounted here
# by docker-compose.yaml). Done as root so it does not depend on the base image's
# ownership of /opt/airflow; airflow:0 + g+rwX follows the image's OpenShift-style
# convention (any uid in group 0 can write, e.g. `user: "${AIRFLOW_UID}:0"` in compose).
# hadolint ignore=DL3066
USER root
RUN mkdir -p /opt/airflow/data/raw /opt/airflow/data/out \
    && chown -R airflow:0 /opt/airflow/data /opt/airflow/.cache \
    && chmod -R g+rwX /opt/airflow/data /opt/airflow/.cache
# DL3066 (info): a name is used on purpose; `airflow` (uid 50000, gid 0) is created by the
# official base image, so it always resolves inside this image.
# hadolint ignore=DL3066
USER airflow
