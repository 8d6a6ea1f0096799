"""The FastAPI app of the "News ETL" page (mounted at ``/newsetl`` by the plugin).

The data and page modules (pyarrow) are imported on the first request, not with the
plugin: Airflow loads plugins in many processes that never serve this page.

Routes (all require an Airflow login, see :mod:`newsetl.ui.auth`):

* ``GET /`` — overview: ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` filter, totals, charts, latest
  days table.
* ``GET /day/{ds}`` — one day: counts, languages, sources, labels, reject sample,
  inputs, manifest.
* ``GET /api/days?from=&to=`` — per-day summaries (JSON), totals, and the calendar:
  every day of the range as published, failed (where, error, run link) or missing.
* ``GET /api/day/{ds}`` — the day detail (JSON), including the full manifest.
* ``GET /healthz`` — ``{"status": "ok"}`` (no data, no auth).
"""

# No "from __future__ import annotations": FastAPI must resolve the Annotated aliases
# defined inside create_app().
import os
from collections.abc import Awaitable, Callable
from html import escape
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from newsetl import storage
from newsetl.ui import auth
from newsetl.ui.days import InvalidDay, check_ds

URL_PREFIX = "/newsetl"

Authenticator = Callable[[Request], Awaitable[Any]]


def create_app(out_root: str | os.PathLike[str] | None = None,
               authenticate: Authenticator = auth.require_user) -> FastAPI:
    """Build the app. ``out_root`` defaults to :func:`newsetl.ui.data.default_out_root`,
    resolved per request so a changed ``NEWSETL_OUT_ROOT`` applies without a restart."""
    app = FastAPI(title="News ETL", docs_url=None, redoc_url=None, openapi_url=None)

    def root() -> str | os.PathLike[str]:
        from newsetl.ui import data

        value = out_root if out_root is not None else data.default_out_root()
        return value if storage.is_remote(value) else storage.local_path(value)

    async def user(request: Request) -> Any:
        return await authenticate(request)

    User = Annotated[Any, Depends(user)]
    From = Annotated[str | None, Query(alias="from", max_length=10)]
    To = Annotated[str | None, Query(alias="to", max_length=10)]

    def is_api(request: Request) -> bool:
        return request.url.path.startswith(f"{request.scope.get('root_path', '')}/api/")

    @app.exception_handler(auth.NotAuthenticated)
    async def _not_authenticated(request: Request, exc: auth.NotAuthenticated) -> Response:
        if is_api(request) or request.method != "GET":
            return JSONResponse({"detail": "Not authenticated: log in to Airflow or send "
                                           "'Authorization: Bearer <token>'"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(auth.login_url(target), status_code=303)

    @app.exception_handler(auth.Forbidden)
    async def _forbidden(request: Request, exc: auth.Forbidden) -> Response:
        from newsetl.ui import pages

        if is_api(request):
            return JSONResponse({"detail": "Forbidden"}, status_code=403)
        return HTMLResponse(pages.message_page("Forbidden", "Your Airflow user may not view "
                                                            "this page."), status_code=403)

    @app.exception_handler(InvalidDay)
    async def _invalid_day(request: Request, exc: InvalidDay) -> Response:
        from newsetl.ui import pages

        if is_api(request):
            return JSONResponse({"detail": "invalid day: use YYYY-MM-DD"}, status_code=400)
        return HTMLResponse(pages.message_page("Invalid day", "Days are written YYYY-MM-DD."),
                            status_code=400)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # No scripts at all; frames only by the Airflow UI itself (same origin).
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
        return response

    def base(request: Request) -> str:
        return escape(request.scope.get("root_path", "").rstrip("/"), quote=True)

    def range_params(lo: str | None, hi: str | None) -> tuple[str | None, str | None]:
        lo = check_ds(lo) if lo else None
        hi = check_ds(hi) if hi else None
        if lo and hi and lo > hi:
            lo, hi = hi, lo
        return lo, hi

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, _user: User, lo: From = None,
                 hi: To = None) -> HTMLResponse:
        from newsetl.ui import data, pages

        lo, hi = range_params(lo, hi)
        out = root()
        days = data.day_summaries(out, lo, hi)
        all_days = data.published_days(out)
        return HTMLResponse(pages.overview_page(base(request), str(out), days, lo, hi,
                                                all_days,
                                                data.day_states(out, lo, hi, all_days)))

    @app.get("/day/{ds}", response_class=HTMLResponse)
    def day(request: Request, ds: str, _user: User) -> HTMLResponse:
        from newsetl.ui import data, pages

        check_ds(ds)
        out = root()
        detail = data.day_detail(out, ds)
        if detail is None:
            return HTMLResponse(pages.message_page(
                "Day not published", f"No published data for {ds}.",
                (f"{base(request)}/", "all days")), status_code=404)
        prev_ds, next_ds = data.neighbours(out, ds)
        return HTMLResponse(pages.day_page(base(request), detail, prev_ds, next_ds))

    @app.get("/api/days")
    def api_days(_user: User, lo: From = None, hi: To = None) -> dict:
        from newsetl.ui import data

        lo, hi = range_params(lo, hi)
        days = data.day_summaries(root(), lo, hi)
        return {"from": lo, "to": hi, "totals": data.totals(days), "days": days,
                "calendar": data.day_states(root(), lo, hi)}

    @app.get("/api/day/{ds}")
    def api_day(ds: str, _user: User) -> Response:
        from newsetl.ui import data

        check_ds(ds)
        detail = data.day_detail(root(), ds)
        if detail is None:
            return JSONResponse({"detail": f"no published data for {ds}"}, status_code=404)
        return JSONResponse(detail)

    return app
