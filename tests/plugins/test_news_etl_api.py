"""The News ETL app with FastAPI's TestClient: numbers, auth, path safety, scale."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake
from fastapi import FastAPI
from fastapi.testclient import TestClient
from newsetl import schemas
from newsetl.readers import manifest_rows, read_table
from newsetl.stats import compute_daily_stats, write_daily_stats
from newsetl.ui import data
from newsetl.ui.app import URL_PREFIX, create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")

ROUTES = ("/", f"/day/{SAMPLE_DAYS[0]}", "/api/days", f"/api/day/{SAMPLE_DAYS[0]}")


def mounted(out_root) -> TestClient:
    """The app mounted like the api-server mounts plugin apps."""
    root = FastAPI()
    root.mount(URL_PREFIX, create_app(out_root))
    return TestClient(root)


@pytest.fixture
def client(sample_out, tokens) -> TestClient:
    c = mounted(sample_out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    return c


# ------------------------------------------------------------------ numbers

def test_api_days_match_manifests(client, sample_manifests):
    body = client.get(f"{URL_PREFIX}/api/days").json()
    assert [d["ds"] for d in body["days"]] == list(SAMPLE_DAYS)
    for day in body["days"]:
        counts = sample_manifests[day["ds"]]["counts"]
        assert day["source"] == "daily_stats"
        assert day["input_items"] == counts["input_items"]
        assert day["articles"] == counts["articles"]
        assert day["rejects"] == counts["rejects"]
        assert day["articles_by_lang"] == counts["articles_by_lang"]
        assert day["rejects_by_reason"] == counts["rejects_by_reason"]
        assert 0.0 <= day["foreign_section_share"] <= 1.0
        assert day["run_seconds"] == sample_manifests[day["ds"]]["timings"]["wall_seconds"]
    totals = body["totals"]
    assert totals["days"] == 3
    assert totals["articles"] == sum(m["counts"]["articles"] for m in sample_manifests.values())
    assert totals["rejects"] == sum(m["counts"]["rejects"] for m in sample_manifests.values())
    assert totals["input_items"] == totals["articles"] + totals["rejects"]


def test_api_days_range_filter(client):
    body = client.get(f"{URL_PREFIX}/api/days", params={"from": "2024-03-02"}).json()
    assert [d["ds"] for d in body["days"]] == ["2024-03-02", "2024-03-03"]
    body = client.get(f"{URL_PREFIX}/api/days",
                      params={"from": "2024-03-02", "to": "2024-03-02"}).json()
    assert [d["ds"] for d in body["days"]] == ["2024-03-02"]
    # a reversed range is swapped, an empty one is empty
    body = client.get(f"{URL_PREFIX}/api/days",
                      params={"from": "2024-03-03", "to": "2024-03-02"}).json()
    assert [d["ds"] for d in body["days"]] == ["2024-03-02", "2024-03-03"]
    body = client.get(f"{URL_PREFIX}/api/days", params={"from": "2025-01-01"}).json()
    assert body["days"] == [] and body["totals"]["articles"] == 0


def test_api_day_detail(client, sample_manifests, sample_out):
    for ds in SAMPLE_DAYS:
        detail = client.get(f"{URL_PREFIX}/api/day/{ds}").json()
        manifest = sample_manifests[ds]
        assert detail["manifest"] == manifest
        for key in ("input_items", "articles", "sections", "rejects", "duplicates"):
            assert detail["counts"][key] == manifest["counts"][key]
        assert detail["articles_by_lang"] == manifest["counts"]["articles_by_lang"]
        sample = detail["reject_sample"]
        assert len(sample) == min(data.REJECT_SAMPLE, manifest["counts"]["rejects"])
        assert Counter(r["reason"] for r in sample) == Counter(
            manifest["counts"]["rejects_by_reason"])
        articles = read_table(sample_out, "articles", [ds]).to_pandas()
        assert sum(s["value"] for s in detail["section_labels"]) == len(articles)
        named = articles["source_name"].dropna()
        top = {s["key"]: s["value"] for s in detail["top_sources"]}
        assert top == named[named != ""].value_counts().to_dict()


def test_overview_page_shows_sample_numbers(client, sample_manifests):
    r = client.get(f"{URL_PREFIX}/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # offline: no scripts, no CDN
    for ds, manifest in sample_manifests.items():
        row = re.search(rf'<tr data-ds="{ds}">(.*?)</tr>', html).group(1)
        cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))
        assert cells["articles"] == str(manifest["counts"]["articles"])
        assert cells["rejects"] == str(manifest["counts"]["rejects"])
        assert cells["input_items"] == str(manifest["counts"]["input_items"])
        assert f'href="{URL_PREFIX}/day/{ds}"' in row
        bar = re.search(r'<svg class="chart" id="chart-articles".*?</svg>', html, re.S).group(0)
        assert f'data-label="{ds}" data-total="{manifest["counts"]["articles"]}"' in bar
        for lang, n in manifest["counts"]["articles_by_lang"].items():
            assert f"<title>{ds} · {lang}: {n}</title>" in bar
        rejects = re.search(r'id="chart-rejects".*?</svg>', html, re.S).group(0)
        for reason, n in manifest["counts"]["rejects_by_reason"].items():
            assert f"<title>{ds} · {reason}: {n}</title>" in rejects
    assert html.count('<circle class="point"') == 3


def test_day_page(client, sample_manifests):
    ds = "2024-03-02"
    html = client.get(f"{URL_PREFIX}/day/{ds}").text
    assert f"News ETL · {ds}" in html
    assert 'data-testid="reject-sample"' in html and "unsafe_archive_member" in html
    assert "sport.zip" in html and "duplicate" in html
    assert json.dumps(sample_manifests[ds]["version"]) in html.replace("&quot;", '"')
    assert f'href="{URL_PREFIX}/day/2024-03-01"' in html  # previous day
    assert f'href="{URL_PREFIX}/day/2024-03-03"' in html  # next day
    assert client.get(f"{URL_PREFIX}/day/2024-04-01").status_code == 404
    assert client.get(f"{URL_PREFIX}/api/day/2024-04-01").status_code == 404


def test_day_without_stats_falls_back_to_manifest(sample_out, tokens):
    c = mounted(sample_out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    # a day without stats: counts come from the manifest
    from deltalake import DeltaTable

    manifest = sample_out / "_manifests" / "ds=2024-03-01.json"
    DeltaTable(str(sample_out / "daily_stats")).delete("ds = '2024-03-01'")
    try:
        days = {d["ds"]: d for d in c.get(f"{URL_PREFIX}/api/days").json()["days"]}
        assert days["2024-03-01"]["source"] == "manifest"
        assert days["2024-03-01"]["foreign_section_share"] is None
        assert days["2024-03-01"]["articles"] == json.loads(manifest.read_text())["counts"][
            "articles"]
        assert days["2024-03-02"]["source"] == "daily_stats"
        # the day page computes the stats itself
        detail = c.get(f"{URL_PREFIX}/api/day/2024-03-01").json()
        assert detail["top_sources"] and detail["foreign_section_share"] is not None
    finally:
        write_daily_stats(sample_out, "2024-03-01")


def test_empty_dataset(tokens, tmp_path):
    for out in (tmp_path / "missing", tmp_path):
        c = mounted(out)
        c.headers["Authorization"] = f"Bearer {tokens.make()}"
        r = c.get(f"{URL_PREFIX}/")
        assert r.status_code == 200 and 'data-testid="empty"' in r.text
        body = c.get(f"{URL_PREFIX}/api/days").json()
        assert body["days"] == [] and body["totals"]["days"] == 0
        assert c.get(f"{URL_PREFIX}/api/day/2024-03-01").status_code == 404


# ------------------------------------------------------------------ auth

def test_refused_without_token(sample_out, tokens):
    c = mounted(sample_out)
    for route in ROUTES:
        r = c.get(URL_PREFIX + route, follow_redirects=False)
        if "/api/" in route:
            assert r.status_code == 401, route
            assert r.headers["www-authenticate"] == "Bearer"
            assert "articles" not in r.text
        else:  # pages send the browser to Airflow's login page, coming back afterwards
            assert r.status_code == 303, route
            assert "/auth/login" in r.headers["location"]
            assert "next=" in r.headers["location"]


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Token abc",
    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.",
])
def test_refused_with_bad_credentials(sample_out, tokens, header):
    c = mounted(sample_out)
    r = c.get(f"{URL_PREFIX}/api/days", headers={"Authorization": header})
    assert r.status_code == 401


def test_refused_with_foreign_expired_or_revoked_token(sample_out, tokens):
    import jwt

    c = mounted(sample_out)
    good = tokens.make()
    claims = jwt.decode(good, options={"verify_signature": False})
    header = jwt.get_unverified_header(good)
    forged = jwt.encode(claims, "not-the-api-server-secret" * 4, algorithm=header["alg"],
                        headers={"kid": header.get("kid")})
    expired = tokens.make(expires_in=-3600)
    for bad in (forged, expired):
        assert c.get(f"{URL_PREFIX}/api/days",
                     headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    assert c.get(f"{URL_PREFIX}/api/days",
                 headers={"Authorization": f"Bearer {good}"}).status_code == 200
    tokens.revoke(good)  # e.g. the user logged out
    assert c.get(f"{URL_PREFIX}/api/days",
                 headers={"Authorization": f"Bearer {good}"}).status_code == 401


def test_allowed_with_token_header_or_ui_cookie(sample_out, tokens):
    token = tokens.make(username="viewer", role="viewer")
    c = mounted(sample_out)
    for route in ROUTES:
        assert c.get(URL_PREFIX + route,
                     headers={"Authorization": f"Bearer {token}"}).status_code == 200
    c.cookies.set("_token", token)  # what the Airflow UI's browser session sends
    for route in ROUTES:
        assert c.get(URL_PREFIX + route).status_code == 200, route
    # an explicit bad header is not rescued by a good cookie
    assert c.get(f"{URL_PREFIX}/api/days",
                 headers={"Authorization": "Bearer junk"}).status_code == 401


def test_forbidden_when_auth_manager_says_no(sample_out, tokens, monkeypatch):
    c = mounted(sample_out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    monkeypatch.setattr(type(tokens.manager), "is_authorized_view",
                        lambda self, **kw: False)
    assert c.get(f"{URL_PREFIX}/api/days").status_code == 403
    assert c.get(f"{URL_PREFIX}/").status_code == 403


def test_healthz_needs_no_auth_and_tells_nothing(sample_out):
    r = mounted(sample_out).get(f"{URL_PREFIX}/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


# ------------------------------------------------------------------ path safety

@pytest.mark.parametrize("ds", [
    "../../etc", "..%2F..%2Fetc", "..%2F..%2Fetc%2Fpasswd", "2024-03-01%2F..%2F..",
    "%2e%2e", "2024-03-01.json", "2024-3-1", "2024-13-01", "2024-02-30", "20240301",
    "2024-03-01%00", "ds=2024-03-01",
])
def test_bad_days_are_refused(client, ds):
    for route in (f"/api/day/{ds}", f"/day/{ds}"):
        r = client.get(URL_PREFIX + route, follow_redirects=False)
        assert r.status_code in (400, 404), (route, r.status_code)
        assert "root:" not in r.text
    for params in ({"from": ds}, {"to": ds}):
        r = client.get(f"{URL_PREFIX}/api/days", params=params)
        assert r.status_code in (400, 422)


def test_a_ds_that_is_not_a_day_never_reaches_a_predicate(tokens, sample_out):
    c = mounted(sample_out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    evil = "2024-03-01' or ds <> '"
    assert c.get(f"{URL_PREFIX}/api/day/{evil}").status_code in (400, 404, 422)
    with pytest.raises(data.InvalidDay):
        data.read_manifest(sample_out, evil)


def test_check_ds():
    for bad in ("", "2024-03-01\n", " 2024-03-01", "2024-03-01/..", "٢٠٢٤-٠٣-٠١"):
        with pytest.raises(data.InvalidDay):
            data.check_ds(bad)


# ------------------------------------------------------------------ scale

def _fake_days(out: Path, days: list[str]) -> None:
    """Manifest rows for every day (one commit) and stats for every other day."""
    from newsetl.layout import DAILY_STATS, MANIFESTS
    from newsetl.publish import _ensure_table

    manifests, stats = [], []
    for i, ds in enumerate(days):
        langs = {"en": 10 + i % 7, "fr": 5 + i % 3, "de": i % 4}
        counts = {"input_files": 3, "input_items": sum(langs.values()) + 2,
                  "articles": sum(langs.values()), "sections": 100, "rejects": 2,
                  "duplicates": 1, "articles_by_lang": langs,
                  "rejects_by_reason": {"duplicate": 1, "empty": 1}}
        manifest = {"ds": ds, "version": f"v{i}", "counts": counts,
                    "timings": {"wall_seconds": 1.5}, "inputs": []}
        manifests.append({"ds": ds, "publish_id": f"v{i}", "published_at": "2024",
                          "articles_version": 1, "sections_version": 1, "rejects_version": 1,
                          **{k: counts[k] for k in ("input_items", "articles", "sections",
                                                    "rejects")},
                          "manifest": json.dumps(manifest)})
        if i % 2 == 0:  # half from stats, half from manifests
            rows = [("articles", "", counts["articles"]),
                    ("input_items", "", counts["input_items"]), ("rejects", "", 2),
                    ("run_seconds", "", 1.5), ("foreign_section_share", "", 0.01 * (i % 5)),
                    ("publish_id", f"v{i}", 0.0)]
            rows += [("articles_by_lang", k, v) for k, v in langs.items()]
            rows += [("rejects_by_reason", "duplicate", 1), ("rejects_by_reason", "empty", 1)]
            stats += [{"metric": m, "key": k, "value": float(v), "ds": ds} for m, k, v in rows]
    for table, rows in ((MANIFESTS, manifests), (DAILY_STATS, stats)):
        _ensure_table(str(out / table), table)
        write_deltalake(str(out / table), pa.Table.from_pylist(
            rows, schema=schemas.delta_schema(table)), mode="overwrite")


def test_thousands_of_days_are_aggregated(tokens, tmp_path):
    out = tmp_path / "out"
    start = date(2021, 1, 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(1200)]
    _fake_days(out, days)
    c = mounted(out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    html = c.get(f"{URL_PREFIX}/").text
    assert "(monthly totals)" in html
    bars = re.search(r'id="chart-articles".*?</svg>', html, re.S).group(0)
    assert bars.count('<g class="bar"') == 40  # 2021-01 .. 2024-04
    assert html.count("<tr data-ds=") == data.LATEST_DAYS
    assert f'<tr data-ds="{days[-1]}">' in html and f'<tr data-ds="{days[0]}">' not in html
    body = c.get(f"{URL_PREFIX}/api/days").json()
    assert body["totals"]["days"] == 1200
    assert {d["source"] for d in body["days"]} == {"daily_stats", "manifest"}
    assert body["totals"]["articles"] == sum(r["articles"] for r in manifest_rows(out))
    # a narrower range gives finer bars
    html = c.get(f"{URL_PREFIX}/", params={"from": "2023-01-01", "to": "2023-06-30"}).text
    assert "(weekly totals)" in html
    html = c.get(f"{URL_PREFIX}/", params={"from": "2023-01-01", "to": "2023-01-31"}).text
    assert "(one bar per day)" in html
    assert html.count('<g class="bar"') >= 31


def test_plugin_registers_app_and_nav_entry():
    """The plugin file loads through Airflow's own plugin-directory loader."""
    from airflow._shared.plugins_manager.plugins_manager import (
        _load_plugins_from_plugin_directory,
    )
    from airflow.api_fastapi.app import RESERVED_URL_PREFIXES

    plugins, errors = _load_plugins_from_plugin_directory(str(ROOT / "plugins"))
    assert errors == {}
    (plugin,) = [p for p in plugins if p.name == "news_etl"]
    (app,) = plugin.fastapi_apps
    assert set(app) >= {"app", "url_prefix", "name"}
    assert app["url_prefix"] == URL_PREFIX
    assert not any(app["url_prefix"].startswith(p) for p in RESERVED_URL_PREFIXES)
    (view,) = plugin.external_views
    assert view["name"] == "News ETL" and view["destination"] == "nav"
    assert view["href"].endswith(f"{URL_PREFIX}/") and view["url_route"] == "news-etl"


def test_plugin_import_stays_light():
    """Airflow loads plugins in many processes: the plugin must not pull in pyarrow/pandas."""
    import subprocess
    import sys

    plugin = str(ROOT / "plugins" / "news_etl.py")
    heavy = ("pyarrow", "pandas", "numpy", "langdetect")
    code = (
        "import sys, importlib.util\n"
        "import airflow.plugins_manager\n"
        f"spec = importlib.util.spec_from_file_location('news_etl', {plugin!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={**os.environ}, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_stale_stats_show_manifest_counts_and_no_share(sample_out, tokens):
    """A day republished after its stats were written shows the new counts and no
    foreign-section share (the old one would disagree with the day page)."""
    c = mounted(sample_out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    from newsetl.layout import Day
    from newsetl.publish import commit_day

    stats = compute_daily_stats(sample_out, "2024-03-01")
    old = stats.set_column(1, "key", pa.array(
        ["v-earlier" if m == "publish_id" else k for m, k in zip(
            stats.column("metric").to_pylist(), stats.column("key").to_pylist(),
            strict=True)]))
    old = old.append_column("ds", pa.array(["2024-03-01"] * old.num_rows))
    commit_day(sample_out, "daily_stats", Day("2024-03-01"),
               lambda: old.cast(schemas.delta_schema("daily_stats")), "test-stale")
    try:
        days = {d["ds"]: d for d in c.get(f"{URL_PREFIX}/api/days").json()["days"]}
        assert days["2024-03-01"]["source"] == "manifest"
        assert days["2024-03-01"]["foreign_section_share"] is None
    finally:
        write_daily_stats(sample_out, "2024-03-01")


# ------------------------------------------------------------------ failed and missing days

def test_failed_and_missing_days_appear_on_a_real_date_axis(sample_out, tokens, tmp_path):
    """A failed run (recorded by the Airflow failure callback or the CLI) and a day with
    no run at all show as such, between published days, on the page and in the API."""
    import shutil

    from newsetl import daystatus

    out = tmp_path / "out"
    shutil.copytree(sample_out, out, symlinks=True)
    daystatus.record_failure(out, "2024-03-05", where="process_shard[2]",
                             error="RuntimeError: disk full", run="scheduled__2024-03-06",
                             link="http://airflow/log/x")
    c = mounted(out)
    c.headers["Authorization"] = f"Bearer {tokens.make()}"
    body = c.get(f"{URL_PREFIX}/api/days").json()
    states = {d["ds"]: d for d in body["calendar"]}
    assert [d["ds"] for d in body["calendar"]] == [
        "2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05"]
    assert [states[d]["state"] for d in sorted(states)] == [
        "published", "published", "published", "missing", "failed"]
    assert states["2024-03-05"]["where"] == "process_shard[2]"
    html = c.get(f"{URL_PREFIX}/").text
    assert 'data-testid="day-status"' in html
    assert '<tr data-ds="2024-03-05" data-state="failed">' in html
    assert "process_shard[2]: RuntimeError: disk full" in html
    assert '<tr data-ds="2024-03-04" data-state="missing">' in html
    assert html.count("<rect") >= 5  # the status strip: one square per day
    # publishing the day clears its failure
    daystatus.clear(out, "2024-03-05")
    body = c.get(f"{URL_PREFIX}/api/days").json()
    assert [d["state"] for d in body["calendar"]] == ["published"] * 3
