"""Shared fixtures: paths to the bundled sample data and the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
SEED = ROOT / "include" / "sample_data" / "articles" / "000_f14259f59aa8b858.txt"
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")


@pytest.fixture
def sample_raw() -> Path:
    return SAMPLE_RAW


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto S3 server in its own process on loopback; yields its URL.

    Not moto's in-process ``ThreadedMotoServer``: some delta-rs calls (``history``,
    ``is_deltatable``) hold the GIL while they wait for the server's answer, which an
    in-process server could then never send.
    """
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    pytest.importorskip("moto.server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the moto server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def s3_env(moto_endpoint, monkeypatch):
    """AWS environment variables pointing at :func:`moto_endpoint`; yields an s3fs."""
    import s3fs

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(key, value)
    s3fs.S3FileSystem.clear_instance_cache()
    yield s3fs.S3FileSystem(client_kwargs={"endpoint_url": moto_endpoint})
    s3fs.S3FileSystem.clear_instance_cache()
