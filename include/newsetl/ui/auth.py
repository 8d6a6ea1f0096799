"""Authentication of the plugin's routes with Airflow's own JWT.

Airflow 3.3 mounts plugin FastAPI apps on the api-server *without* any authentication,
so every route of :mod:`newsetl.ui.app` depends on :func:`require_user`. It resolves the
caller exactly like Airflow's public API does, by calling
``airflow.api_fastapi.core_api.security.get_user``:

1. an ``Authorization: Bearer <jwt>`` header (e.g. from ``POST /auth/token``) wins;
2. otherwise the UI's ``_token`` cookie (``COOKIE_NAME_JWT_TOKEN``), already validated
   by Airflow's ``JWTRefreshMiddleware`` or validated here.

Validation is the auth manager's ``get_user_from_token``: signature with the api-server's
``[api_auth] jwt_secret`` (or its key pair), audience, issuer, expiry, and the revoked
token list (tokens of logged-out sessions). The user must then pass
``is_authorized_view(access_view=WEBSITE)`` — the permission to see the Airflow UI.

Failures raise :class:`NotAuthenticated` (no/invalid/expired/revoked token) or
:class:`Forbidden`; the app turns them into 401/403 JSON for ``/api/*`` and into a
redirect to the login page (or a 403 page) for the HTML pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request


class NotAuthenticated(Exception):
    """No valid Airflow token on the request."""


class Forbidden(Exception):
    """A valid token whose user may not view the Airflow UI."""


async def require_user(request: Request) -> Any:
    """FastAPI dependency: the authenticated, authorised Airflow user, or raise."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi import HTTPException
    from fastapi.security import HTTPAuthorizationCredentials

    credentials = None
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        if not value.strip():
            raise NotAuthenticated("empty bearer token")
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=value.strip())
    elif header:
        raise NotAuthenticated("unsupported authorization scheme")
    try:
        user = await get_user(request, None, credentials)
    except HTTPException as exc:  # 401 missing/expired, 403 invalid signature/revoked
        raise NotAuthenticated(str(exc.detail)) from None
    except Exception as exc:  # noqa: BLE001 - e.g. the token store is unreachable: refuse
        raise NotAuthenticated(f"token could not be validated: {type(exc).__name__}") from None
    try:
        allowed = get_auth_manager().is_authorized_view(access_view=AccessView.WEBSITE,
                                                        user=user)
    except Exception:  # noqa: BLE001 - fail closed
        allowed = False
    if not allowed:
        raise Forbidden(getattr(user, "get_name", lambda: "user")())
    return user


def login_url(next_path: str) -> str:
    """The auth manager's login page, coming back to ``next_path`` afterwards."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        return get_auth_manager().get_url_login(next_url=next_path)
    except Exception:  # noqa: BLE001 - no auth manager: plain login path
        return "/auth/login"
