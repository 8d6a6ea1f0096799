"""The "News ETL" page of the Airflow UI: a FastAPI app served by the api-server.

* :mod:`newsetl.ui.data` — read-only access to the published dataset (per-day summaries
  from ``daily_stats`` with a manifest fallback, day details, reject samples), strict
  ``ds`` validation, downsampling for long ranges.
* :mod:`newsetl.ui.svg` — server-side SVG charts (no JavaScript, no CDN).
* :mod:`newsetl.ui.pages` — the HTML pages.
* :mod:`newsetl.ui.auth` — refuses requests without a valid Airflow JWT (header or cookie).
* :mod:`newsetl.ui.app` — ``create_app()``, mounted by ``plugins/news_etl.py``.

Only :mod:`newsetl.ui.auth` needs Airflow, and imports it lazily.
"""
