"""Settings, quality checks and task helpers without running a DAG."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from newsetl import airflow_tasks as work
from newsetl import alerts, quality, rundays, settings


def test_settings_defaults_point_into_the_project():
    s = settings.load(env={})
    assert s.raw_root == str(settings.PROJECT_ROOT / "include" / "sample_data" / "raw")
    assert s.out_root == str(settings.PROJECT_ROOT / "data" / "out")
    assert (s.allow_empty, s.detector, s.max_reject_share, s.max_und_share) == (
        False, None, 0.5, 0.2)


def test_variables_win_over_environment():
    env = {"NEWSETL_OUT_ROOT": "/env/out", "NEWSETL_MAX_REJECT_SHARE": "0.3",
           "NEWSETL_DETECTOR": "fast"}
    variables = {"newsetl_out_root": "/var/out", "newsetl_allow_empty": "true"}
    s = settings.load(variables=True, env=env, lookup=variables.get)
    assert (s.out_root, s.allow_empty, s.max_reject_share, s.detector) == (
        "/var/out", True, 0.3, "fast")
    assert settings.load(env=env, lookup=variables.get).out_root == "/env/out"  # no Variables


def test_relative_paths_are_project_relative_and_urls_untouched():
    s = settings.load(env={"NEWSETL_RAW_ROOT": "data/raw", "NEWSETL_OUT_ROOT": "s3://b/out"})
    assert s.raw_root == str(settings.PROJECT_ROOT / "data" / "raw")
    assert s.out_root == "s3://b/out"


@pytest.mark.parametrize("name,value", [("NEWSETL_ALLOW_EMPTY", "maybe"),
                                        ("NEWSETL_SHARD_MAX_FILES", "x"),
                                        ("NEWSETL_DETECTOR", "cld3"),
                                        ("NEWSETL_MIN_MEDIAN_RATIO", "-1")])
def test_bad_settings_name_the_source(name, value):
    with pytest.raises(ValueError, match=name):
        settings.load(env={name: value})


def test_every_setting_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "airflow.md").read_text()
    for name, env, var, _default in settings.describe():
        assert env in doc and var in doc, name


def test_resolve_ds_never_raises_keyerror():
    assert rundays.resolve_ds({})[1] == "run_after - 1 day"
    run = SimpleNamespace(run_after=datetime(2024, 3, 4, 0, 10, tzinfo=UTC))
    assert rundays.resolve_ds({"params": {"ds": ""}, "dag_run": run}) == (
        "2024-03-03", "run_after - 1 day")
    assert rundays.resolve_ds({"params": {"ds": None}, "data_interval_start": None,
                            "dag_run": run})[0] == "2024-03-03"


def test_resolve_ds_rejects_bad_param():
    with pytest.raises(Exception, match="not a date"):
        rundays.resolve_ds({"params": {"ds": "2024-02-30"}})


def test_stats_days_from_batched_events():
    ev = [SimpleNamespace(extra={"ds": "2024-03-02"}), SimpleNamespace(extra={"ds": "2024-03-01"}),
          SimpleNamespace(extra={}), SimpleNamespace(extra=None)]
    assert work.stats_days_from_events({"articles": ev}) == ["2024-03-01", "2024-03-02"]
    assert work.stats_days_from_events(None) == []


def _published(articles, rejects, und=0, empty=False):
    return {"ds": "2024-03-09", "version": "v1", "empty": empty, "counts": {
        "input_files": 3, "input_items": articles + rejects, "articles": articles,
        "sections": 5 * articles, "rejects": rejects, "duplicates": 0,
        "articles_by_lang": {"en": articles - und, "und": und} if articles else {},
        "rejects_by_reason": {"empty": rejects} if rejects else {}}}


def test_check_quality_fails_with_numbers(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "load", lambda variables=False: settings.Settings(
        out_root=str(tmp_path)))
    with pytest.raises(Exception) as err:
        work.check_quality(_published(1, 10, und=1), {"allow_empty": False})
    text = str(err.value)
    assert "data quality checks failed for 2024-03-09" in text
    assert "reject_share: 10 rejects / 11 items = 0.909 > max 0.500" in text
    assert "und_share: 1 und / 1 articles = 1.000 > max 0.200" in text
    assert "min_articles" not in text
    assert type(err.value).__name__ == "AirflowFailException"  # no retries


def test_check_quality_passes_sample_like_day_and_empty_allowed(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "load", lambda variables=False: settings.Settings(
        out_root=str(tmp_path)))
    assert work.check_quality(_published(6, 4), {"allow_empty": False})["passed"]
    result = work.check_quality(_published(0, 0, empty=True), {"allow_empty": True})
    assert [c["skipped"] for c in result["checks"]] == [True, False, False, True]
    with pytest.raises(Exception, match="min_articles: 0 articles, need >= 1"):
        work.check_quality(_published(0, 0, empty=True), {"allow_empty": False})


def test_median_drop_uses_recent_days():
    t = quality.Thresholds()
    counts = _published(10, 0)["counts"]
    assert quality.evaluate(counts, [100, 100], t)[-1].skipped  # fewer than 3 prior days
    check = quality.evaluate(counts, [0, 100, 120, 90, 110], t)[-1]
    assert not check.ok and check.threshold == 21.0  # 0.2 x median(90,100,110,120); 0 ignored
    assert quality.evaluate(_published(30, 0)["counts"], [100, 120, 90, 110], t)[-1].ok


def test_asset_extra_is_small():
    extra = work.asset_extra(_published(8, 2), "articles", "/data/out")
    assert extra["ds"] == "2024-03-09" and extra["articles"] == 8
    assert extra["uri"] == "/data/out/articles"
    assert len(repr(extra)) < 1000


def test_stale_stats_days(tmp_path):
    from newsetl.pipeline import run_day
    from newsetl.stats import write_daily_stats

    raw = Path(__file__).resolve().parents[2] / "include" / "sample_data" / "raw"
    run_day(raw, tmp_path, "2024-03-01")
    run_day(raw, tmp_path, "2024-03-02")
    assert work.stale_stats_days(tmp_path) == ["2024-03-01", "2024-03-02"]
    write_daily_stats(tmp_path, "2024-03-01")
    write_daily_stats(tmp_path, "2024-03-02")
    assert work.stale_stats_days(tmp_path) == []
    run_day(raw, tmp_path, "2024-03-02")  # republished after its stats
    assert work.stale_stats_days(tmp_path) == ["2024-03-02"]


# -- late and partial data, alerts, clearing (issue: operate it like production) ---------

def _ctx(ds: str, started: datetime | None = None, **params) -> dict:
    run = SimpleNamespace(run_id="manual__x", dag_id="newsetl_daily",
                          start_date=started or datetime.now(UTC), run_type=None)
    return {"params": {"ds": ds, **params}, "dag_run": run}


def test_wait_for_day_waits_for_an_upload_in_flight_then_fails(tmp_path, monkeypatch):
    day = tmp_path / "raw" / "2024-03-01"
    day.mkdir(parents=True)
    (day / "a.txt").write_text("Headline\n\nSome news text of the day.\n")
    (day / ".b.jsonl.partial").write_text("{")
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(tmp_path / "raw"))
    monkeypatch.setenv("NEWSETL_ARRIVAL_TIMEOUT_H", "2")
    assert work.day_ready(_ctx("2024-03-01")) is False  # poke again later
    late = datetime.now(UTC) - timedelta(hours=3)
    with pytest.raises(Exception, match=r"not complete: 1 upload\(s\) still in flight"):
        work.day_ready(_ctx("2024-03-01", started=late))
    (day / ".b.jsonl.partial").rename(day / "b.jsonl")
    assert work.day_ready(_ctx("2024-03-01")) is True


def test_wait_for_day_needs_the_ready_marker_when_one_is_set(tmp_path, monkeypatch):
    day = tmp_path / "raw" / "2024-03-01"
    day.mkdir(parents=True)
    (day / "a.txt").write_text("Headline\n\nSome news text of the day.\n")
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(tmp_path / "raw"))
    monkeypatch.setenv("NEWSETL_READY_MARKER", "_SUCCESS")
    assert work.day_ready(_ctx("2024-03-01")) is False
    (day / "_SUCCESS").write_text("")
    assert work.day_ready(_ctx("2024-03-01")) is True
    assert work.day_ready(_ctx("2024-03-09")) is False  # no folder yet: wait


def test_failure_alert_is_logged_and_posted_to_the_webhook(monkeypatch, caplog):
    import http.server
    import json as json_mod
    import threading

    received: list[dict] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers["Content-Length"])
            received.append(json_mod.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK",
                           f"http://127.0.0.1:{server.server_port}/hook")
        ti = SimpleNamespace(task_id="process_shard", map_index=3, dag_id="newsetl_daily",
                             try_number=2, log_url="http://airflow/log/x")
        context = {**_ctx("2024-03-01"), "ti": ti, "exception": RuntimeError("disk full")}
        with caplog.at_level("ERROR", logger="newsetl.airflow"):
            alerts.alert_failure(context)
    finally:
        server.shutdown()
    assert len(received) == 1
    text = received[0]["text"]
    for part in ("day 2024-03-01", "process_shard[3]", "manual__x", "try 2",
                 "RuntimeError: disk full", "http://airflow/log/x"):
        assert part in text
    assert text in caplog.text


def test_unreachable_webhook_never_hides_the_failure(monkeypatch, caplog):
    monkeypatch.setenv("NEWSETL_ALERT_WEBHOOK", "http://127.0.0.1:9/nothing-listens")
    with caplog.at_level("ERROR", logger="newsetl.airflow"):
        alerts.alert_failure({**_ctx("2024-03-01"), "exception": ValueError("bad")})
    assert "day 2024-03-01 failed" in caplog.text and "webhook" in caplog.text


def test_clearing_a_shard_of_a_published_run_fails_fast_with_the_instruction(tmp_path):
    shard = {"plan_path": str(tmp_path / "gone" / "plan.json"), "ds": "2024-03-01",
             "shard_id": 0, "first": 0, "last": 1, "n_bytes": 1}
    with pytest.raises(Exception, match="clear the whole run from find_inputs") as err:
        work.process_shard(shard)
    assert type(err.value).__name__ == "AirflowFailException"  # no retries


def test_a_run_that_recorded_no_settings_cannot_rebuild_its_plan(tmp_path):
    """Runs planned before find_inputs recorded its settings: the old instruction."""
    info = {"ds": "2024-03-01", "plan_path": str(tmp_path / "gone" / "plan.json")}
    with pytest.raises(Exception, match="clear the whole run from find_inputs") as err:
        work.rebuild_plan(info, None, "a test")
    assert type(err.value).__name__ == "AirflowFailException"


def test_rebuilt_plan_must_match_the_recorded_fingerprint(tmp_path, monkeypatch):
    raw = tmp_path / "raw" / "2024-03-01"
    raw.mkdir(parents=True)
    (raw / "a.txt").write_text("Headline\n\nSome news text of the day.\n")
    monkeypatch.setenv("NEWSETL_RAW_ROOT", str(tmp_path / "raw"))
    monkeypatch.setenv("NEWSETL_OUT_ROOT", str(tmp_path / "out"))
    info = work.find_inputs(_ctx("2024-03-01"))
    (tmp_path / "out" / "_staging").rename(tmp_path / "published")  # publish removed it
    doc = work.rebuild_plan(info, _ctx("2024-03-01"), "a test")
    assert doc["fingerprint"] == info["fingerprint"] and doc["rebuilt"] is True
    assert doc["shards"] == json.loads(next((tmp_path / "published").rglob("plan.json"))
                                       .read_text())["shards"]
    (raw / "b.txt").write_text("Another headline\n\nMore news text.\n")
    with pytest.raises(Exception, match=r"changed since this run planned the day \(then 1 "
                                        r"files.*now 2 files.*clear the whole run"):
        work.rebuild_plan(info, _ctx("2024-03-01"), "a test")
    for path in raw.iterdir():
        path.unlink()
    raw.rmdir()
    with pytest.raises(Exception, match="cannot rebuild the plan.*not found.*clear the whole "
                                        "run") as err:
        work.rebuild_plan(info, _ctx("2024-03-01"), "a test")
    assert type(err.value).__name__ == "AirflowFailException"


def test_task_state_asks_airflow_and_never_raises():
    calls = []

    class TI:
        dag_id = "newsetl_daily"

        @staticmethod
        def get_task_states(**kw):
            calls.append(kw)
            return {"manual__x": {"publish": "success"}}

    assert work._task_state({**_ctx("2024-03-01"), "ti": TI()}, "publish") == "success"
    assert calls == [{"dag_id": "newsetl_daily", "task_ids": ["publish"],
                      "run_ids": ["manual__x"]}]
    TI.get_task_states = staticmethod(lambda **kw: {"manual__x": {"publish": None}})
    assert work._task_state({**_ctx("2024-03-01"), "ti": TI()}, "publish") == "none"
    assert work._task_state(_ctx("2024-03-01"), "publish") is None  # no ti: unknown


def test_run_type_is_stored_as_its_value():
    from airflow.utils.types import DagRunType

    assert work._enum_value(DagRunType.MANUAL) == "manual"
    assert work._enum_value(None) is None


def test_later_tasks_use_the_settings_the_run_started_with(monkeypatch, tmp_path):
    """A Variable changed mid-run (here: a stricter reject share) does not apply to the
    run's quality checks: publish hands the plan's settings on."""
    monkeypatch.setattr(settings, "load", lambda variables=False: settings.Settings(
        out_root=str(tmp_path), max_reject_share=0.1))
    published = _published(6, 4) | {"settings": settings.Settings(
        out_root=str(tmp_path)).to_dict()}
    assert work.check_quality(published, {"allow_empty": False})["passed"]
    with pytest.raises(Exception, match="reject_share"):  # without them: today's settings
        work.check_quality(_published(6, 4), {"allow_empty": False})
