"""Airflow plugin: the "News ETL" page (charts of the published dataset) in the UI nav.

``fastapi_apps`` mounts :func:`newsetl.ui.app.create_app` on the api-server at
``/newsetl``; ``external_views`` adds a "News ETL" entry to the navigation that shows it
inside the Airflow UI (``/plugin/news-etl``). Plugin routes are not covered by Airflow's
auth, so the app checks the Airflow JWT itself (see ``newsetl.ui.auth``).

``listeners`` adds :mod:`newsetl.airflow_listener`, which notes the day a
``newsetl_daily`` run processes (``ds=2024-03-01 (data_interval_start)``) on the run
when it starts, so Airflow's runs list names the day.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from newsetl import airflow_listener
from newsetl.ui.app import URL_PREFIX, create_app

# A base_url with a path (``https://host/airflow``) prefixes every api-server route.
_ROOT = urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")

ICON = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' "
        "fill='none' stroke='%23017cee' stroke-width='2'><path d='M4 20V10M10 20V4M16 20v-7"
        "M22 20H2'/></svg>")


class NewsEtlPlugin(AirflowPlugin):
    name = "news_etl"
    listeners = [airflow_listener]
    fastapi_apps = [
        {"app": create_app(), "url_prefix": URL_PREFIX, "name": "News ETL"},
    ]
    external_views = [
        {
            "name": "News ETL",
            "href": f"{_ROOT}{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "news-etl",
            "icon": ICON,
        },
    ]
