"""Templates and the page frame: one Jinja2 environment (autoescaped), page and error rendering.

Every page is rendered with the viewer's language (``_``), the CSRF token for its forms, and the
navigation the viewer's role may use. An error met while serving a page becomes a page saying what
happened and what to do (in the viewer's language) with the right status — never a JSON body or a trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from server.http_errors import http_status
from server.reports import FORMATS
from server.web import i18n
from server.web.auth import LANG_COOKIE, Viewer, lang_of
from server.web.errors import CsrfRefused, SignInRequired
from shared.errors import GenbaError
from shared.siterules import DEFAULT_TIMEZONE, site_timezone
from shared.timefmt import parse_rfc3339

HERE = Path(__file__).resolve().parent
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(("html",)),
                  trim_blocks=True, lstrip_blocks=True, auto_reload=False)


def ago(_: Callable[..., str], seconds: float | None, *, suffix: bool = True) -> str:
    """A duration for people: 42 s / 12 min / 3 h / 2 days (ago)."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    unit, n = ("s", s) if s < 120 else ("m", s // 60) if s < 7200 else ("h", s // 3600) if s < 172800 \
        else ("d", s // 86400)
    return _(("ago_" if suffix else "age_") + unit, n=n)


def local_time(stamp: str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """``YYYY-MM-DD HH:MM`` of a stored time in the zone ``tz`` (the site's; Japan's when unknown here)."""
    if not stamp:
        return ""
    return parse_rfc3339(stamp).astimezone(site_timezone(tz)).strftime("%Y-%m-%d %H:%M")


def clock(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M:%S")


def reader_cell(r: dict[str, Any], _: Callable[..., str]) -> Markup:
    """The reported reader state in words, its code and the last hour's reader errors (or "not reported")."""
    state = r.get("reader_state")
    if state is None:
        return Markup(escape(_("not_reported")))
    text = escape(_("reader_" + state))
    if r.get("reader_code") and r["reader_code"] not in ("ok", state):
        text += Markup(' <span class="muted small">(') + escape(r["reader_code"]) + Markup(")</span>")
    if r.get("reader_errors"):
        text += Markup("<br>") + escape(_("reader_errors_n", n=r["reader_errors"]))
    return Markup(text)


def disk_cell(r: dict[str, Any], _: Callable[..., str]) -> str:
    """Free disk in GB (MB under 1 GB), or "not reported"."""
    free = r.get("disk_free_bytes")
    if free is None:
        return str(escape(_("not_reported")))
    if free < 1024**3:
        return f"{free / 1024**2:.0f} MB"
    return f"{free / 1024**3:.1f} GB"


env.globals.update(clock=clock, ago=ago, local_time=local_time, reader_cell=reader_cell, disk_cell=disk_cell,
                   tojson=lambda v: json.dumps(v, ensure_ascii=False),
                   W=i18n.W, REPORT_FORMATS=tuple(FORMATS))

NAV = (
    ("nav_fleet", "/fleet", ("admin", "prime")),  # a prime user only when it is the prime of a site
    ("nav_sites", "/sites", ("admin", "prime", "company", "worker")),
    ("nav_corrections", "/corrections", ("admin", "prime", "company", "worker")),
    ("nav_users", "/users", ("admin",)),
    ("nav_settings", "/settings/alarms", ("admin",)),
    ("nav_api", "/docs", ("admin", "prime", "company", "worker")),
)


def page(request: Request, template: str, viewer: Viewer | None = None, status: int = 200,
         headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    lang = viewer.lang if viewer else lang_of(request)
    _ = i18n.translator(lang)
    nav = [(key, href) for key, href, roles in NAV
           if viewer and viewer.role in roles and (key != "nav_fleet" or viewer.may_open_fleet)]
    body = env.get_template(template).render(
        request=request, viewer=viewer, lang=lang, _=_, nav=nav, path=request.url.path,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""), **values)
    return HTMLResponse(body, status_code=status, headers=headers)


def safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in or a language switch (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def error_page(request: Request, exc: GenbaError) -> Response:
    if isinstance(exc, SignInRequired):
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/sign-in?expired=1"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?expired=1&next={quote(target)}", status_code=303)
    lang = lang_of(request)
    status = http_status(exc)
    if isinstance(exc, CsrfRefused):
        words = i18n.translate("csrf_refused", lang)
    elif status == 404:
        words = i18n.translate("not_found", lang)
    elif status == 403:
        words = i18n.translate("forbidden", lang)
    else:
        ja = getattr(exc, "message_ja", None)
        words = ja if lang == "ja" and isinstance(ja, str) else exc.message
    title = "not_found_title" if status == 404 else "error_title"
    return page(request, "error.html", None, status=status, words=words, code=exc.code, title=title)


class WebRoute(APIRoute):
    """Routes of the console: a refusal becomes an HTML page (or a redirect to sign-in), not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except GenbaError as exc:
                return error_page(request, exc)

        return handle


def set_lang_cookie(response: Response, lang: str, secure: bool) -> None:
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax", secure=secure)
