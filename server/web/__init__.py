"""The back-office console (管理コンソール): server-rendered pages for the prime contractor's office, site
managers, subcontractors and the administrator, served by the sync server itself.

:func:`install` adds it to an app: the pages, the vendored assets under ``/static`` and an offline ``/docs``.
Pages are Jinja2 templates with htmx; every asset is in the package (no CDN, no build step). What a
user may see or do is decided by the same functions as the API (server.domain.disclosure and the route
functions of server.api.routes), for the principal of the signed-in user. It must never keep a second copy
of those rules, and never store a secret in the clear (passwords are scrypt hashes; session and link tokens
are SHA-256 hashes).
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from server.web.auth import Policy
from server.web.render import HERE

__all__ = ["Policy", "install"]


def install(app: FastAPI, policy: Policy | None = None) -> None:
    """Serve the console on ``app`` (call once, after the API routes)."""
    from server.web.routes import calendar, corrections, docs, fleet, reports, roster, signin, sites, users

    app.state.genba_web_policy = policy or Policy()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (docs.router, signin.router, fleet.router, sites.router, roster.router, calendar.router,
                   corrections.router, users.router, reports.router):
        app.include_router(router)
    _html_not_found(app)


JSON_PATHS = ("/api/", "/static/", "/openapi.json", "/healthz", "/metrics")
"""Path prefixes that keep the API's JSON errors (machine clients, assets); every other unknown path is a page."""


def wants_page(path: str, accept: str) -> bool:
    """Whether a 404 for this request is answered with the console's HTML page rather than the API's JSON.

    API paths and assets always get JSON. Elsewhere a page, unless the client asks for JSON and not for HTML
    (``Accept: application/json``), as an API client exploring the server would.
    """
    if path.startswith(JSON_PATHS) or path in ("/healthz", "/metrics"):
        return False
    accept = accept.lower()
    return not ("application/json" in accept and "text/html" not in accept)


def _html_not_found(app: FastAPI) -> None:
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.requests import Request
    from starlette.responses import Response

    from server.web.errors import PageNotFound
    from server.web.render import error_page

    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and wants_page(request.url.path, request.headers.get("accept", "")):
            return error_page(request, PageNotFound("no page at this address"))
        response = api_handler(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StarletteHTTPException, http_error)
