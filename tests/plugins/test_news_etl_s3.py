"""The News ETL app on an object-store output root (moto S3 server on loopback)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from newsetl.pipeline import run_day
from newsetl.ui.app import URL_PREFIX, create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RAW = ROOT / "include" / "sample_data" / "raw"
DAYS = ("2024-03-02", "2024-03-03")


@pytest.fixture
def s3_out(s3_env):
    fs = s3_env
    if not fs.exists("newsetl-ui-lake"):
        fs.mkdir("newsetl-ui-lake")
    url = "s3://newsetl-ui-lake/news"
    yield url, {ds: run_day(SAMPLE_RAW, url, ds, detector="langdetect") for ds in DAYS}


def test_object_store_root(s3_out, tokens, monkeypatch):
    url, manifests = s3_out
    monkeypatch.setenv("NEWSETL_OUT_ROOT", url)  # the default root, as in the api-server
    root = FastAPI()
    root.mount(URL_PREFIX, create_app())
    c = TestClient(root)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    body = c.get(f"{URL_PREFIX}/api/days").json()
    assert [d["ds"] for d in body["days"]] == list(DAYS)
    for day in body["days"]:
        counts = manifests[day["ds"]]["counts"]
        assert day["source"] == "manifest"
        assert (day["articles"], day["rejects"]) == (counts["articles"], counts["rejects"])
        assert day["articles_by_lang"] == counts["articles_by_lang"]
    detail = c.get(f"{URL_PREFIX}/api/day/{DAYS[0]}").json()
    assert detail["manifest"]["version"] == manifests[DAYS[0]]["version"]
    assert Counter(r["reason"] for r in detail["reject_sample"]) == Counter(
        manifests[DAYS[0]]["counts"]["rejects_by_reason"])
    html = c.get(f"{URL_PREFIX}/").text
    assert url in html and f'<tr data-ds="{DAYS[1]}">' in html
    assert c.get(f"{URL_PREFIX}/day/{DAYS[1]}").status_code == 200
    assert c.get(f"{URL_PREFIX}/api/day/2024-03-01").status_code == 404
    c.headers.pop("Authorization")
    assert c.get(f"{URL_PREFIX}/api/days").status_code == 401
