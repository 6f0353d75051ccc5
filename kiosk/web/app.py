"""The tablet view as a WSGI application: routing, sessions, CSRF, errors. Pages are in ``views``.

Every page except pairing and static files needs a paired session; every POST
also needs the session's CSRF token (a hidden field, or the ``X-CSRF-Token``
header htmx sends) and, when the browser says where it comes from, an
``Origin`` equal to this host. A refusal changes nothing and answers with the
error's status and ``code`` (HTML for people, JSON for ``Accept: application/json``).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from kiosk.errors import KioskError, ManagerActionRefused
from kiosk.manager import pin_matches
from kiosk.settings import load_settings
from kiosk.web import rows, views
from kiosk.web.access import SESSION_TTL, Access, Session, csrf_ok, csrf_token
from kiosk.web.actions import KioskActions, Runner
from kiosk.web.errors import CsrfRefused, PairingLocked, TabletError, TabletNotFound
from kiosk.web.http import Request, Response, StartResponse
from kiosk.web.siteday import DEFAULT_END_OF_DAY, SiteDay
from shared.clock import Clock
from shared.errors import GenbaError
from shared.messages import CATALOG, t
from shared.paths import DataDir
from shared.timefmt import local_when

log = logging.getLogger("genba.tablet")

COOKIE = "genba_tablet"
LANG_COOKIE = "genba_lang"
STATIC = "static"


@dataclass
class Ctx:
    """One request, with its session (None on the pairing page) and language."""

    req: Request
    session: Session | None
    token: str | None
    lang: str

    def t(self, ja: str, en: str) -> str:
        return t(ja, en, self.lang)


@pass_context
def _when(ctx: Context, moment: Any) -> str:
    """``{{ x|when }}``: MM/DD HH:MM in the site's zone, the zone of the page's snapshot (``snap.now``)."""
    snap = ctx.get("snap")
    return local_when(moment, snap.now.tzinfo if snap is not None else None)


class TabletApp:
    def __init__(self, data: DataDir, clock: Clock, run: Runner, actions: KioskActions | None, *,
                 end_of_day: time = DEFAULT_END_OF_DAY, port: int = 0) -> None:
        self.data, self.clock, self.run, self.actions = data, clock, run, actions
        self.port = port
        self.access = Access(data.root, clock)
        self.day = SiteDay(data, clock.wall, end_of_day=end_of_day)
        self.env = Environment(loader=PackageLoader("kiosk.web", "templates"), autoescape=select_autoescape(),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["hm"] = rows.hm
        self.env.filters["when"] = _when
        self.env.filters.update(rollcall_rows=rows.rollcall_rows, today_rows=rows.today_rows,
                                entered_names=rows.entered_names, trade_names=rows.trade_names)
        self._static = resources.files("kiosk.web").joinpath(STATIC)
        self._routes: dict[tuple[str, str], Callable[[Ctx], Response]] = views.routes(self)

    def close(self) -> None:
        self.day.close()

    # -- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        lang = "ja"
        req: Request | None = None
        try:
            req = Request.from_environ(environ)
            lang = _lang(req)
            response = self.handle(req, lang)
        except GenbaError as exc:
            response = self.error(exc, req, lang)
        except Exception:  # a bug answers 500 with a code; the kiosk keeps running
            log.exception("tablet view: unexpected error")
            response = self.error(TabletError("internal error"), req, lang)
        return response(start_response)

    def handle(self, req: Request, lang: str) -> Response:
        if req.path.startswith("/static/"):
            return self.static(req.path.removeprefix("/static/"))
        route = self._routes.get((req.method, req.path))
        if route is None:
            if any(path == req.path for _, path in self._routes):
                raise TabletNotFound(f"{req.method} is not allowed on {req.path}")
            raise TabletNotFound(f"no page {req.path}")
        public = req.path in views.PUBLIC
        token = req.cookies.get(COOKIE)
        session = None if public else self.access.session_for(token)
        if req.method == "POST":
            self._check_post(req, token if not public else None)
        ctx = Ctx(req, session, token, lang)
        response = route(ctx)
        if "lang" in req.query and req.query["lang"] in ("ja", "en"):
            response.set_cookie(LANG_COOKIE, req.query["lang"], max_age=365 * 86400, http_only=False)
        return response

    def _check_post(self, req: Request, token: str | None) -> None:
        origin = req.headers.get("origin")
        host = req.headers.get("host", "")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            raise CsrfRefused(f"a form from another site ({origin}) was refused")
        if token is not None and not csrf_ok(token, req.form.get("csrf") or req.headers.get("x-csrf-token")):
            raise CsrfRefused("the form's CSRF token is missing or wrong")

    def static(self, name: str) -> Response:
        if "/" in name or name.startswith(".") or not name:
            raise TabletNotFound("no such file")
        item = self._static.joinpath(name)
        if not item.is_file():
            raise TabletNotFound("no such file")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        resp = Response(item.read_bytes(), 200, kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        return resp

    # -- rendering ---------------------------------------------------------------------------------
    def render(self, ctx: Ctx, template: str, status: int = 200, **values: Any) -> Response:
        page = self.env.get_template(template).render(
            t=ctx.t, lang=ctx.lang, path=ctx.req.path, session=ctx.session,
            csrf=csrf_token(ctx.token) if ctx.token and ctx.session else "", **values)
        return Response(page.encode(), status)

    def error(self, exc: GenbaError, req: Request | None, lang: str) -> Response:
        status = getattr(exc, "status", None) or (409 if isinstance(exc, ManagerActionRefused) else
                                                 400 if isinstance(exc, KioskError) else 500)
        ja, en = CATALOG.get(exc.code, CATALOG["error"])
        body = {"code": exc.code, "message": f"{en} ({exc.message})", "message_ja": f"{ja}（{exc.message}）"}
        if isinstance(exc, PairingLocked):
            body["retry_in_s"] = exc.retry_in_s  # type: ignore[assignment]
        if req is None or req.wants_json:
            resp = Response.json(body, status)
        else:
            ctx = Ctx(req, None, None, lang)
            page = self.env.get_template("error.html").render(
                t=ctx.t, lang=lang, path=req.path, session=None, csrf="", status=status, code=exc.code,
                message=body["message_ja"] if lang == "ja" else body["message"],
                pair=status == 401, htmx=req.htmx)
            resp = Response(page.encode(), status)
            if status == 401 and req.htmx:
                resp.headers.append(("HX-Redirect", "/pair"))
        resp.headers.append(("X-Genba-Error", exc.code))
        return resp

    # -- pairing (used by views) -------------------------------------------------------------------------
    def pin_ok(self, pin: str) -> bool:
        stored = load_settings(self.data.root).pin
        return stored is not None and pin_matches(pin, stored)

    def session_cookie(self, resp: Response, token: str) -> None:
        resp.set_cookie(COOKIE, token, max_age=int(SESSION_TTL.total_seconds()))


def _lang(req: Request) -> str:
    wanted = req.query.get("lang") or req.cookies.get(LANG_COOKIE) or "ja"
    return wanted if wanted in ("ja", "en") else "ja"


def data_of(root: Path) -> DataDir:
    return DataDir.resolve(root)
