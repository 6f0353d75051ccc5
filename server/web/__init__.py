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
