"""Static checks for docker-compose.yaml (CeleryExecutor stack).

`docker compose config` is not available in CI, so the file is loaded with PyYAML,
which resolves the ``<<: *airflow-common`` merge keys itself; compose's ``${VAR:-default}``
interpolation and ``$$`` escaping are emulated where it matters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"

AIRFLOW_LONG_RUNNING = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
AIRFLOW_SERVICES = (*AIRFLOW_LONG_RUNNING, "airflow-init")
INFRA_SERVICES = ("postgres", "redis")
LONG_RUNNING = (*INFRA_SERVICES, *AIRFLOW_LONG_RUNNING)

RAW_TARGET = "/opt/airflow/data/raw"
OUT_TARGET = "/opt/airflow/data/out"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}; `$$` is a literal `$`
_INTERP = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Minimal emulation of docker compose variable interpolation."""
    env = env or {}
    placeholder = "\0"
    value = value.replace("$$", placeholder)

    def repl(m: re.Match[str]) -> str:
        name, op, arg = m.group("name"), m.group("op"), m.group("arg")
        if op in (":-", "-"):
            present = name in env and (env[name] != "" or op == "-")
            return env[name] if present else arg
        if op in (":?", "?"):
            if name in env and (env[name] != "" or op == "?"):
                return env[name]
            raise KeyError(f"required variable {name} is missing: {arg}")
        return env.get(name, "")

    return _INTERP.sub(repl, value).replace(placeholder, "$")


@pytest.fixture(scope="module")
def raw_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(raw_text: str) -> dict[str, Any]:
    data = yaml.safe_load(raw_text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["x-airflow-common"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "use mapping-style environment so anchors can be merged"
    return {k: str(v) for k, v in env.items()}


def _volume_targets(service: dict[str, Any]) -> set[str]:
    targets = set()
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            targets.add(vol["target"])
        else:
            parts = interpolate(str(vol)).split(":")
            targets.add(parts[1] if len(parts) >= 2 else parts[0])
    return targets


def _healthcheck_cmd(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL"), test
        return " ".join(test[1:])
    return str(test)


def _all_strings(node: Any):
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _all_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _all_strings(v)
    elif isinstance(node, str):
        yield node


# --------------------------------------------------------------------------------------


def test_expected_services_exist(services: dict[str, Any]) -> None:
    missing = set(INFRA_SERVICES + AIRFLOW_SERVICES) - set(services)
    assert not missing, f"missing services: {sorted(missing)}"


def test_infra_images(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"].split(":")[1].startswith("16")
    assert services["redis"]["image"].split(":")[1].startswith("7.2")


def test_airflow_services_use_the_merged_common_block(
    raw_text: str, services: dict[str, Any], common: dict[str, Any]
) -> None:
    # the anchor really is merged (not copy-pasted) into every Airflow service ...
    for name in AIRFLOW_SERVICES:
        block = re.search(rf"^  {re.escape(name)}:\n((?:    .*\n|\n)*)", raw_text, re.M)
        assert block, name
        assert "<<: *airflow-common\n" in block.group(1), f"{name} does not merge *airflow-common"
    # ... and PyYAML's resolution of the merge gives every service the common settings
    assert common["build"] == "."
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["build"] == ".", name
        assert svc["image"] == common["image"], name
        for key in ("volumes",):
            assert svc[key] == common[key], f"{name}.{key} differs from x-airflow-common"
        # every common env var is present with the same value (services may only add)
        env = _env(svc)
        for key, value in _env(common).items():
            assert env.get(key) == value, f"{name}: {key} overridden or missing"


def test_executor_is_celery_everywhere(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://"), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://"), name
        assert (
            env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
            == "http://airflow-apiserver:8080/execution/"
        ), name
        assert env.get("AIRFLOW__API__BASE_URL"), name


SECRETS = {"AIRFLOW__API_AUTH__JWT_SECRET": "AIRFLOW_JWT_SECRET",
           "AIRFLOW__API__SECRET_KEY": "AIRFLOW_API_SECRET_KEY",
           "AIRFLOW__CORE__FERNET_KEY": "AIRFLOW_FERNET_KEY"}


def test_one_shared_jwt_secret(raw_text: str, services: dict[str, Any]) -> None:
    values = {
        _env(services[name]).get("AIRFLOW__API_AUTH__JWT_SECRET") for name in AIRFLOW_SERVICES
    }
    assert len(values) == 1, f"JWT secret differs between services: {values}"
    (expr,) = values
    assert expr is not None
    # defined exactly once (in the anchor), so it cannot drift between services
    assert len(re.findall(r"^\s*AIRFLOW__API_AUTH__JWT_SECRET:", raw_text, re.M)) == 1
    assert interpolate(expr, {"AIRFLOW_JWT_SECRET": "s3cret"}) == "s3cret"


REQUIRED = {*SECRETS.values(), "AIRFLOW_ADMIN_PASSWORD"}


@pytest.mark.parametrize("setting,variable", [*SECRETS.items(),
                                              ("AIRFLOW_ADMIN_PASSWORD",
                                               "AIRFLOW_ADMIN_PASSWORD")])
def test_no_secret_has_a_default(services: dict[str, Any], setting: str,
                                 variable: str) -> None:
    """Every secret is required (``${VAR:?…}``): no publicly known fallback key."""
    exprs = {_env(svc)[setting] for svc in services.values() if setting in _env(svc)}
    assert exprs, setting
    for expr in exprs:
        m = re.fullmatch(r"\$\{(?P<var>\w+):\?[^}]*\}", expr)
        assert m and m.group("var") == variable, f"{setting} = {expr!r} has a default"
        with pytest.raises(KeyError):
            interpolate(expr)  # compose refuses to start without it
        assert interpolate(expr, {variable: "from-env"}) == "from-env"


def test_no_secret_literal_in_the_file(raw_text: str) -> None:
    lowered = raw_text.lower()
    for needle in ("change-me", "changeme", "secret-key", "local-dev", "flower_basic_auth"):
        assert needle not in lowered, needle
    # nothing shaped like a Fernet key (32 url-safe base64 bytes) or a long hex secret
    assert not re.search(r"[A-Za-z0-9_-]{43}=", raw_text), "a Fernet key literal"
    assert not re.search(r"\b[0-9a-f]{32,}\b", raw_text), "a hex secret literal"


def test_fernet_key_is_required_and_shared(services: dict[str, Any]) -> None:
    """Connections and Variables are encrypted with one key that every service knows."""
    keys = {_env(services[name]).get("AIRFLOW__CORE__FERNET_KEY")
            for name in (*AIRFLOW_SERVICES, *PROFILE_SERVICES)}
    assert len(keys) == 1 and None not in keys, keys
    assert interpolate(keys.pop(), {"AIRFLOW_FERNET_KEY": "k"}) == "k"


PROFILE_SERVICES = {"airflow-cli": "debug", "flower": "flower"}


@pytest.mark.parametrize("name,profile", sorted(PROFILE_SERVICES.items()))
def test_optional_services_behind_profiles(raw_text: str, services: dict[str, Any], name: str,
                                           profile: str) -> None:
    """Like Airflow's compose file: `airflow-cli` (profile debug) and `flower` (profile
    flower) start only when asked for, with the common image and settings."""
    svc = services[name]
    assert svc["profiles"] == [profile]
    block = re.search(rf"^  {re.escape(name)}:\n((?:    .*\n|\n)*)", raw_text, re.M)
    assert block and "<<: *airflow-common\n" in block.group(1), name
    assert svc["image"] == services["airflow-scheduler"]["image"]
    env = _env(svc)
    for key, value in _env(services["airflow-scheduler"]).items():
        assert env.get(key) == value, f"{name}: {key}"


def test_flower_is_healthchecked_and_bound_like_the_ui(services: dict[str, Any]) -> None:
    flower = services["flower"]
    assert flower["command"] == "celery flower"
    assert "http://localhost:5555/" in _healthcheck_cmd(flower)
    (port,) = flower["ports"]
    assert interpolate(str(port)) == "127.0.0.1:5555:5555"  # no login: loopback by default
    assert flower["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_cli_service_runs_airflow(services: dict[str, Any]) -> None:
    cli = services["airflow-cli"]
    assert cli["command"][-1] == "airflow"
    assert _env(cli)["CONNECTION_CHECK_MAX_COUNT"] == "0"


def test_scheduler_health_endpoint_is_enabled(services: dict[str, Any]) -> None:
    env = _env(services["airflow-scheduler"])
    assert env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"].lower() == "true"
    assert "8974" in _healthcheck_cmd(services["airflow-scheduler"])


def test_init_creates_the_newsetl_pool(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    script = "\n".join(map(str, init["command"]))
    (line,) = [ln for ln in script.splitlines() if "airflow pools set newsetl" in ln]
    assert "${NEWSETL_POOL_SLOTS}" in interpolate(line)  # expanded by the container shell
    assert script.index("airflow db migrate") < script.index("airflow pools set")
    assert interpolate(_env(init)["NEWSETL_POOL_SLOTS"]) == "4"
    assert interpolate(_env(init)["NEWSETL_POOL_SLOTS"], {"NEWSETL_POOL_SLOTS": "12"}) == "12"


def test_ui_port_is_bound_to_loopback_by_default(services: dict[str, Any]) -> None:
    (port,) = services["airflow-apiserver"]["ports"]
    assert interpolate(str(port)) == "127.0.0.1:8080:8080"
    assert interpolate(str(port), {"AIRFLOW_HOST_BIND": "0.0.0.0"}) == "0.0.0.0:8080:8080"


def test_make_env_writes_every_required_secret_once(tmp_path) -> None:
    import subprocess
    import sys

    env = tmp_path / ".env"
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_env.py"
    subprocess.run([sys.executable, str(script), str(env)], check=True, capture_output=True)
    first = dict(line.split("=", 1) for line in env.read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    assert set(SECRETS.values()) | {"AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_UID"} <= set(first)
    assert len(set(first[v] for v in SECRETS.values())) == 3  # all different
    subprocess.run([sys.executable, str(script), str(env)], check=True, capture_output=True)
    again = dict(line.split("=", 1) for line in env.read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    assert again == first  # never overwritten


def test_project_settings_and_data_volumes(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        env = _env(svc)
        assert env["NEWSETL_RAW_ROOT"] == RAW_TARGET, name
        assert env["NEWSETL_OUT_ROOT"] == OUT_TARGET, name
        targets = _volume_targets(svc)
        assert {RAW_TARGET, OUT_TARGET} <= targets, f"{name} does not mount raw/out data"


def test_s3_examples_documented(raw_text: str) -> None:
    commented = "\n".join(line for line in raw_text.splitlines() if line.lstrip().startswith("#"))
    assert "s3://" in commented
    assert "AIRFLOW_CONN_AWS_DEFAULT" in commented
    assert "AWS_ACCESS_KEY_ID" in commented


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name in LONG_RUNNING:
        hc = services[name].get("healthcheck")
        assert hc and hc.get("test"), f"{name} has no healthcheck"
        assert not hc.get("disable"), name


@pytest.mark.parametrize(
    ("service", "needle"),
    [
        ("postgres", "pg_isready"),
        ("redis", "redis-cli ping"),
        ("airflow-apiserver", "/api/v2/monitor/health"),
        ("airflow-scheduler", "curl --fail http://localhost:8974/health"),
        ("airflow-dag-processor", "--job-type DagProcessorJob"),
        ("airflow-triggerer", "--job-type TriggererJob"),
        ("airflow-worker", "inspect ping"),
    ],
)
def test_healthcheck_commands(services: dict[str, Any], service: str, needle: str) -> None:
    # compare after compose interpolation: `$${HOSTNAME}` must reach the container's
    # shell as `${HOSTNAME}` (a bare `${HOSTNAME}` would be substituted on the host)
    cmd = interpolate(_healthcheck_cmd(services[service]))
    assert needle in cmd, f"{service}: {cmd!r}"


def test_dependencies(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
    for name in AIRFLOW_LONG_RUNNING:
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    worker_deps = services["airflow-worker"]["depends_on"]
    assert worker_deps["airflow-apiserver"]["condition"] == "service_healthy"


def test_init_migrates_db_and_configures_login(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    command = init["command"]
    script = "\n".join(map(str, command)) if isinstance(command, list) else str(command)
    assert "airflow db migrate" in script
    assert init.get("restart", "no") == "no"
    env = _env(init)
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    user = interpolate(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"])
    assert user.split(":")[1] == "admin"
    assert "AIRFLOW_ADMIN_PASSWORD" in env
    # the password file lives on a volume shared with the api-server
    pw_dir = str(Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).parent)
    assert pw_dir in _volume_targets(services["airflow-apiserver"])


def test_worker_is_scalable(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "container_name" not in worker, "container_name prevents --scale airflow-worker=N"
    assert not worker.get("ports"), "host ports prevent --scale airflow-worker=N"
    assert _env(worker).get("DUMB_INIT_SETSID") == "0"


def test_apiserver_port_and_commands(services: dict[str, Any]) -> None:
    api = services["airflow-apiserver"]
    assert api["command"] == "api-server"
    assert any(interpolate(str(p)).endswith(":8080") for p in api["ports"])
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-triggerer"]["command"] == "triggerer"


def test_interpolation_needs_no_host_variables(compose: dict[str, Any]) -> None:
    """Like `docker compose config` with only the secrets set (what `make env` writes):
    every other ${VAR} has a default."""
    given = {name: "x" for name in REQUIRED}
    for s in _all_strings(compose):
        for m in _INTERP.finditer(s.replace("$$", "")):
            if m.group("op") in (":?", "?"):
                assert m.group("name") in REQUIRED, f"{m.group(0)} is required (in {s[:80]!r})"
                continue
            assert m.group("op") in (":-", "-"), f"{m.group(0)} has no default (in {s[:80]!r})"
        interpolate(s, given)  # must not raise
        assert "$" not in s.replace("$$", "").replace("${", ""), (
            f"unescaped `$` in {s[:80]!r}: use `$$` for container-side variables"
        )


def test_named_volumes_declared(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, svc in services.items():
        for vol in svc.get("volumes") or []:
            source = interpolate(str(vol)).split(":")[0]
            if not source.startswith(("/", ".", "$", "~")):
                assert source in declared, f"{name}: named volume {source} not declared"


def test_local_airflow_runs_as_many_tasks_as_cores() -> None:
    """`make airflow` / `make demo`: parallelism is the core count, not LocalExecutor's 32."""
    import os
    import subprocess

    script = Path(__file__).resolve().parents[2] / "scripts" / "airflow_env.sh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__CORE__PARA")}
    env["AIRFLOW_HOME"] = "/tmp/newsetl-test-airflow-home"
    out = subprocess.run(["bash", "-c", f"source {script}; echo $AIRFLOW__CORE__PARALLELISM"],
                         capture_output=True, text=True, env=env, check=True)
    assert int(out.stdout.strip()) == len(os.sched_getaffinity(0)) or \
        int(out.stdout.strip()) == os.cpu_count()
