"""End to end: a real ``airflow api-server`` with the plugin, driven by headless Chromium.

Starts the api-server on a free local port in a throw-away Airflow home (SQLite,
simple auth manager with ``admin``/``admin``, ``NEWSETL_OUT_ROOT`` = the sample days),
checks the plugin's auth over HTTP, logs in through the Airflow login form, opens the
"News ETL" nav entry and checks the charts and the table inside the embedded page.

Screenshots go to ``test-artifacts/`` (git-ignored). ``docs/news_etl_page.png`` (the
README image) is written only when it is missing or ``NEWSETL_UPDATE_SCREENSHOT=1``,
so a test run never dirties the checkout.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SHOT = ROOT / "docs" / "news_etl_page.png"
BIN = Path(sys.executable).parent
SAMPLE_DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install it with `apt-get install chromium` "
           "(CI does) to run the browser test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None, method: str = "GET",
         body: dict | None = None) -> tuple[int, dict, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def api_server(tmp_path_factory, sample_out):
    home = tmp_path_factory.mktemp("airflow_home")
    (home / "dags").mkdir()
    (home / "simple_auth_manager_passwords.json.generated").write_text('{"admin": "admin"}')
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "NEWSETL_"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple."
                                       "simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsetl-browser-test-" + "s" * 64,
        "NEWSETL_OUT_ROOT": str(sample_out),
    })
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, cwd=home, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180)
    log = (home / "api-server.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "airflow"), "api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"],
        env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail("api-server exited:\n" + (home / "api-server.log").read_text()[-3000:])
            try:
                if _get(f"{base}/api/v2/monitor/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("api-server not healthy in 90 s:\n"
                            + (home / "api-server.log").read_text()[-3000:])
            time.sleep(0.5)
        yield {"base": base, "home": home, "log": home / "api-server.log"}
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="module")
def token(api_server) -> str:
    status, _, body = _get(f"{api_server['base']}/auth/token", method="POST",
                           body={"username": "admin", "password": "admin"})
    assert status == 201, body
    return json.loads(body)["access_token"]


def test_live_plugin_refuses_anonymous_requests(api_server):
    base = api_server["base"]
    for path in ("/newsetl/api/days", f"/newsetl/api/day/{SAMPLE_DAYS[0]}"):
        status, _, body = _get(base + path)
        assert status == 401 and b"articles" not in body
    status, headers, _ = _get(f"{base}/newsetl/")
    assert status == 303 and headers["location"].startswith("/auth/login?next=")
    status, _, _ = _get(f"{base}/newsetl/api/days", token="junk")
    assert status == 401


def test_live_plugin_with_token(api_server, token, sample_manifests):
    status, _, body = _get(f"{api_server['base']}/newsetl/api/days", token=token)
    assert status == 200
    days = {d["ds"]: d for d in json.loads(body)["days"]}
    assert set(days) == set(SAMPLE_DAYS)
    for ds, manifest in sample_manifests.items():
        assert days[ds]["articles"] == manifest["counts"]["articles"]
        assert days[ds]["rejects"] == manifest["counts"]["rejects"]
    status, _, body = _get(f"{api_server['base']}/api/v2/plugins", token=token)
    plugin = next(p for p in json.loads(body)["plugins"] if p["name"] == "news_etl")
    assert plugin["external_views"][0]["url_route"] == "news-etl"


def test_news_etl_page_in_the_airflow_ui(api_server, sample_manifests):
    from playwright.sync_api import sync_playwright

    base = api_server["base"]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1380})
            context.set_default_timeout(30_000)
            page = context.new_page()
            # Not logged in: the page sends the browser to Airflow's login form.
            page.goto(f"{base}/newsetl/")
            page.wait_for_url("**/auth/login**")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", "admin")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/newsetl/")  # back to the page, with the _token cookie
            assert page.locator('[data-testid="days-table"]').is_visible()
            assert any(c["name"] == "_token" for c in context.cookies())

            # The nav entry of the Airflow UI embeds the page.
            page.goto(f"{base}/plugin/news-etl")
            frame_el = page.wait_for_selector('iframe[title="News ETL"]')
            frame = frame_el.content_frame()
            frame.wait_for_selector('[data-testid="days-table"]')
            for ds, manifest in sample_manifests.items():
                row = frame.locator(f'tr[data-ds="{ds}"]')
                counts = manifest["counts"]
                assert row.locator('[data-col="articles"]').inner_text() == str(
                    counts["articles"])
                assert row.locator('[data-col="rejects"]').inner_text() == str(counts["rejects"])
                bar = frame.locator(f'#chart-articles g.bar[data-label="{ds}"]')
                assert bar.get_attribute("data-total") == str(counts["articles"])
                assert bar.locator("rect").count() == len(counts["articles_by_lang"])
                assert frame.locator(f'#chart-rejects g.bar[data-label="{ds}"] rect').count() == (
                    len(counts["rejects_by_reason"]))
            assert frame.locator("#chart-foreign circle.point").count() == len(SAMPLE_DAYS)
            total = sum(m["counts"]["articles"] for m in sample_manifests.values())
            assert frame.locator('[data-testid="card-articles"] .v').inner_text() == str(total)
            box = frame.locator("#chart-articles").bounding_box()
            assert box and box["width"] > 600 and box["height"] > 150  # really drawn
            page.wait_for_timeout(500)  # let the nav icons settle
            shot = ARTIFACTS / "news_etl_page.png"
            page.screenshot(path=str(shot))
            if not DOCS_SHOT.exists() or os.environ.get("NEWSETL_UPDATE_SCREENSHOT") == "1":
                shutil.copyfile(shot, DOCS_SHOT)

            # Day detail, inside the frame.
            frame.click(f'a[href="/newsetl/day/{SAMPLE_DAYS[1]}"] >> nth=0')
            frame.wait_for_selector('[data-testid="reject-sample"]')
            counts = sample_manifests[SAMPLE_DAYS[1]]["counts"]
            assert frame.locator('[data-testid="reject-sample"] tbody tr').count() == (
                counts["rejects"])
            assert frame.locator('[data-testid="card-articles"] .v').inner_text() == str(
                counts["articles"])
            page.screenshot(path=str(ARTIFACTS / "news_etl_day.png"))
        finally:
            browser.close()
