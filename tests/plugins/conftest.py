"""Fixtures of the News ETL page tests: sample output roots and Airflow JWTs.

Airflow reads its configuration when first imported; when these tests run alone (not
after ``tests/dags``, whose conftest sets up its own Airflow home), point it at a
throw-away home so nothing is written to ``~/airflow``.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

if "AIRFLOW_HOME" not in os.environ:
    _HOME = Path(tempfile.mkdtemp(prefix="newsetl-ui-airflow-"))
    atexit.register(shutil.rmtree, _HOME, True)
    os.environ["AIRFLOW_HOME"] = str(_HOME)
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{_HOME}/airflow.db")

# A long signing secret for the in-process tokens (Airflow generates a short one otherwise).
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "newsetl-ui-tests-" + "x" * 64)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    """The three sample days published with ``langdetect``, with ``daily_stats``."""
    from newsetl.cli import main
    from newsetl.stats import write_daily_stats

    out = tmp_path_factory.mktemp("ui_out")
    rc = main(["run", "--raw-root", str(SAMPLE_RAW), "--out-root", str(out),
               "--from", SAMPLE_DAYS[0], "--to", SAMPLE_DAYS[-1], "--detector", "langdetect",
               "--progress", "lines"])
    assert rc == 0
    for ds in SAMPLE_DAYS:
        write_daily_stats(out, ds)
    return out


def manifests(out: Path) -> dict[str, dict]:
    return {ds: json.loads((out / "_manifests" / f"ds={ds}.json").read_text())
            for ds in SAMPLE_DAYS}


@pytest.fixture(scope="session")
def sample_manifests(sample_out) -> dict[str, dict]:
    return manifests(sample_out)


class Tokens:
    """Signs JWTs with the auth manager of this process and fakes the revoked-token table.

    The unit tests validate tokens in-process with Airflow's real code
    (``get_user_from_token``: signature, audience, expiry), without a metadata DB: the
    revoked-token lookup is replaced by an in-memory set. The browser test runs a real
    api-server with a migrated DB.
    """

    def __init__(self, manager, revoked: set[str]) -> None:
        self.manager = manager
        self.revoked = revoked

    def make(self, username: str = "admin", role: str | None = "admin",
             expires_in: int = 3600) -> str:
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

        user = SimpleAuthManagerUser(username=username, role=role)
        return self.manager.generate_jwt(user, expiration_time_in_seconds=expires_in)

    def revoke(self, token: str) -> None:
        import jwt

        self.revoked.add(jwt.decode(token, options={"verify_signature": False})["jti"])


@pytest.fixture
def tokens(monkeypatch) -> Tokens:
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.models.revoked_token import RevokedToken

    revoked: set[str] = set()
    monkeypatch.setattr(RevokedToken, "is_revoked",
                        classmethod(lambda cls, jti, session=None: jti in revoked))
    return Tokens(create_auth_manager(), revoked)
