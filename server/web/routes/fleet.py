"""The fleet (sync dashboard), a device's page, gate names, revocation, enrollment codes, alarm thresholds.

Administrators only: these are the API's ``/api/v1/admin/*`` powers (the admin token), given to console users
with the ``admin`` role. Revocation and enrollment codes call the same functions as the API
(:mod:`server.enrollment`); each change is written to the console's audit trail in the same transaction
where the store allows it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from server.context import ServerContext
from server.domain.errors import Forbidden, NotFound
from server.enrollment import create_code, revoke
from server.store import console_queries as queries
from server.store import console_store as store
from server.store.engine import write_transaction
from server.web import charts, fleet, tables
from server.web.alarms import LIMITS, Thresholds
from server.web.auth import SignedIn, Viewer, get_ctx, policy_of
from server.web.i18n import translator
from server.web.render import WebRoute, page
from shared import __version__
from shared.ids import check_device_id
from shared.siterules import site_timezone
from shared.timefmt import format_rfc3339, parse_rfc3339

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def admin_only(v: Viewer) -> None:
    if v.role != "admin":
        raise Forbidden("the fleet is for administrators")


def fleet_scope(ctx: ServerContext, v: Viewer) -> set[str] | None:
    """The sites whose devices ``v`` may watch: every site (None) for an administrator; for a prime
    contractor's user, the sites it is the prime of (server.domain.disclosure.is_prime_of, as the API decides
    who sees a site's whole history); anyone else may not open the fleet (403)."""
    if v.role == "admin":
        return None
    if v.prime_sites:
        return set(v.prime_sites)
    raise Forbidden("the fleet is for administrators and the prime contractor of a site")


def thresholds(ctx: ServerContext) -> Thresholds:
    with ctx.engine.connect() as conn:
        return Thresholds.from_stored(store.thresholds(conn))


NO_STORE = {"Cache-Control": "no-store"}


def on_the_minute(moment: datetime) -> datetime:
    """The fleet is computed as of the start of the current minute: its ages are shown to the minute, so the
    page is a function of the database and the minute, which is what its version token names."""
    return moment.replace(second=0, microsecond=0)


def fleet_version(conn: sa.Connection, now: datetime, th: Thresholds, view: fleet.View, lang: str,
                  scope: set[str] | None, poll: int) -> str:
    """A token naming the fleet table as it would be rendered now: the database's fingerprint
    (:func:`server.store.console_queries.fleet_fingerprint`), the minute, the thresholds, the view (filter and
    sort), the language, the viewer's sites and the code's version. Equal tokens, equal tables."""
    raw = repr((queries.fleet_fingerprint(conn), now.isoformat(), asdict(th), view.query(), lang,
                sorted(scope) if scope is not None else None, poll, __version__))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class LiveCache:
    """Rendered live fragments by version token, shared by every open fleet page: several browsers showing the
    same view in the same language cost one render per change (or minute), not one each."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def live_cache(request: Request) -> LiveCache:
    state = request.app.state
    if not hasattr(state, "genba_fleet_live"):
        state.genba_fleet_live = LiveCache()
    cache: LiveCache = state.genba_fleet_live
    return cache


def _fleet(ctx: ServerContext, view: fleet.View, poll: int, scope: set[str] | None, lang: str) -> dict[str, Any]:
    now = on_the_minute(ctx.now())
    with ctx.engine.connect() as conn:
        th = Thresholds.from_stored(store.thresholds(conn))
        version = fleet_version(conn, now, th, view, lang, scope, poll)  # before the data: never newer than it
        rows = fleet.fleet_rows(conn, now, th, scope)
        sites = queries.site_info(conn)
    if scope is not None:
        sites = {s: info for s, info in sites.items() if s in scope}
    shown = fleet.select(rows, view)
    return {"rows": shown, "total": len(rows), "alarmed": sum(1 for r in rows if r["alarms"]), "view": view,
            "sites": sorted((s, n) for s, (n, _tz) in sites.items()), "updated": now, "poll": poll,
            "sort_keys": fleet.SORT_KEYS, "version": version}


@router.get("/fleet")
async def fleet_page(request: Request, v: SignedIn) -> Response:
    ctx = get_ctx(request)
    scope = fleet_scope(ctx, v)
    data = await run_in_threadpool(_fleet, ctx, fleet.View.from_query(dict(request.query_params)),
                                   policy_of(request).poll_seconds, scope, v.lang)
    return page(request, "fleet.html", v, body=tables.fleet_body(data["rows"], translator(v.lang)), **data)


@router.get("/fleet/live")
async def fleet_live(request: Request, v: SignedIn) -> Response:
    """The live part of the fleet page (htmx polls it with the version it shows in ``X-Genba-Version``).

    Unchanged (same version token): 204, which htmx does not swap — a few aggregate queries and nothing
    rendered. Changed: the fragment, rendered once per version for every browser showing it."""
    ctx = get_ctx(request)
    scope = fleet_scope(ctx, v)
    view = fleet.View.from_query(dict(request.query_params))
    poll = policy_of(request).poll_seconds
    known = request.headers.get("x-genba-version", "")[:64]
    cache = live_cache(request)

    def answer() -> Response:
        now = on_the_minute(ctx.now())
        with ctx.engine.connect() as conn:
            version = fleet_version(conn, now, Thresholds.from_stored(store.thresholds(conn)), view, v.lang,
                                    scope, poll)
        if known and known == version:
            return Response(status_code=204, headers=NO_STORE)
        body = cache.get(version)
        if body is None:
            data = _fleet(ctx, view, poll, scope, v.lang)
            body = bytes(page(request, "_fleet_live.html", v,
                              body=tables.fleet_body(data["rows"], translator(v.lang)), **data).body)
            cache.put(data["version"], body)
        return Response(body, media_type="text/html; charset=utf-8", headers=NO_STORE)

    return await run_in_threadpool(answer)


def _device_page(request: Request, v: Viewer, device: str, *, status: int = 200, errors: dict[str, str] | None = None,
                 notice: str | None = None, form: dict[str, str] | None = None) -> Response:
    ctx = get_ctx(request)
    check_device_id(device)
    now = ctx.now()
    scope = fleet_scope(ctx, v)
    with ctx.engine.connect() as conn:
        row = fleet.device_row(conn, now, thresholds(ctx), device)
        if row is None or (scope is not None and row["site"] not in scope):
            raise NotFound(f"no device {device}")  # another site's device is not revealed either
        since = now - timedelta(days=14)
        spans, contacts = queries.device_windows(conn, device, format_rfc3339(since))
        trail = store.audit_entries(conn, target=f"device:{device}")
        tz = queries.site_info(conn).get(row["site"], ("", "Asia/Tokyo"))[1]
    _ = translator(v.lang)
    start = since.replace(minute=0, second=0, microsecond=0)
    hours = [start + timedelta(hours=i) for i in range(14 * 24 + 1)]
    backlog = charts.backlog_series([(parse_rfc3339(a), parse_rfc3339(b)) for a, b in spans], hours)
    zone = ZoneInfo(tz)
    backlog = [(m.astimezone(zone), val) for m, val in backlog]
    day0 = now.astimezone(zone).date() - timedelta(days=13)
    per_day = Counter(parse_rfc3339(c).astimezone(zone).date() for c in contacts)
    days = [day0 + timedelta(days=i) for i in range(14)]
    contact_points = [(datetime(d.year, d.month, d.day, tzinfo=zone), float(per_day.get(d, 0))) for d in days]
    peak_b = max((val for _m, val in backlog), default=0)
    charts_html = [
        charts.chart(charts.Series(_("chart_backlog"), backlog), title=_("chart_backlog"),
                     alt=_("chart_alt", what=_("chart_backlog"), max=f"{peak_b:g}",
                           last=f"{backlog[-1][1]:g}" if backlog else "0")),
        charts.chart(charts.Series(_("chart_contacts"), contact_points, kind="bars"), title=_("chart_contacts"),
                     alt=_("chart_alt", what=_("chart_contacts"), max=f"{max(per_day.values(), default=0)}",
                           last=f"{contact_points[-1][1]:g}")),
    ]
    return page(request, "device.html", v, status=status, row=row, charts=charts_html, trail=trail,
                errors=errors or {}, notice=notice, form=form or {"gate": row["gate"]}, tz=tz,
                may_manage=v.role == "admin")


@router.get("/devices/{device}")
async def device_page(device: str, request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(_device_page, request, v, device)


@router.post("/devices/{device}/gate")
async def rename_gate(device: str, request: Request, v: SignedIn) -> Response:
    admin_only(v)
    ctx = get_ctx(request)
    check_device_id(device)
    form = await request.form()
    name = form.get("gate")
    name = name.strip() if isinstance(name, str) else ""
    problem = "required" if not name else "gate_name_too_long" if len(name) > 60 else (
        "invalid_chars" if any(ord(c) < 32 for c in name) else None)
    if problem:
        return await run_in_threadpool(lambda: _device_page(request, v, device, status=422,
                                                            errors={"gate": problem}, form={"gate": name[:200]}))

    def save() -> None:
        with write_transaction(ctx.engine) as conn:
            if fleet.device_row(conn, ctx.now(), Thresholds(), device) is None:
                raise NotFound(f"no device {device}")
            store.set_gate_name(conn, device, name, ctx.now())
            store.audit(conn, at=ctx.now(), by=v.by, action="rename_gate", target=f"device:{device}", detail=name)

    await run_in_threadpool(save)
    return RedirectResponse(f"/devices/{device}?saved=1", status_code=303)


@router.post("/devices/{device}/revoke")
async def revoke_device(device: str, request: Request, v: SignedIn) -> Response:
    admin_only(v)
    ctx = get_ctx(request)
    check_device_id(device)
    form = await request.form()
    typed = form.get("confirm")
    if not isinstance(typed, str) or typed.strip() != device:
        return await run_in_threadpool(lambda: _device_page(request, v, device, status=422,
                                                            errors={"confirm": "revoke_mismatch"}))

    def do() -> list[int]:
        now = ctx.now()
        epochs = revoke(ctx.engine, device=device, now=now)  # the API's own function (its own transaction)
        with write_transaction(ctx.engine) as conn:
            store.audit(conn, at=now, by=v.by, action="revoke_device", target=f"device:{device}",
                        detail="epochs " + ",".join(map(str, epochs)))
        return epochs

    await run_in_threadpool(do)
    return RedirectResponse(f"/devices/{device}?revoked=1", status_code=303)


@router.get("/enroll")
async def enroll_form(request: Request, v: SignedIn) -> Response:
    admin_only(v)
    ctx = get_ctx(request)
    with ctx.engine.connect() as conn:
        sites = sorted((s, n) for s, (n, _tz) in queries.site_info(conn).items())
    return page(request, "enroll.html", v, sites=sites, errors={}, form={
        "site": request.query_params.get("site", ""), "ttl": str(ctx.settings.enrollment_ttl_minutes)}, code=None)


@router.post("/enroll")
async def enroll_submit(request: Request, v: SignedIn) -> Response:
    admin_only(v)
    ctx = get_ctx(request)
    form = await request.form()
    site = form.get("site") if isinstance(form.get("site"), str) else ""
    ttl_text = form.get("ttl") if isinstance(form.get("ttl"), str) else ""
    with ctx.engine.connect() as conn:
        info = queries.site_info(conn)
    sites = sorted((s, n) for s, (n, _tz) in info.items())
    errors: dict[str, str] = {}
    if site not in {s for s, _n in sites}:
        errors["site"] = "site_unknown"
    ttl = int(ttl_text) if isinstance(ttl_text, str) and ttl_text.isdigit() and len(ttl_text) < 6 else 0
    if not 1 <= ttl <= 10080:
        errors["ttl"] = "ttl_range"
    values = {"site": str(site)[:14], "ttl": str(ttl_text)[:6]}
    if errors:
        return page(request, "enroll.html", v, status=422, sites=sites, errors=errors, form=values, code=None)

    def issue() -> tuple[str, str]:
        code, expires = create_code(ctx.engine, site=str(site), ttl=timedelta(minutes=ttl), now=ctx.now())
        with write_transaction(ctx.engine) as conn:
            store.audit(conn, at=ctx.now(), by=v.by, action="enroll_code", target=f"site:{site}",
                        detail=f"expires {expires}")
        return code, expires

    code, expires = await run_in_threadpool(issue)
    return page(request, "enroll.html", v, sites=sites, errors={}, form=values, code=code,
                expires=parse_rfc3339(expires).astimezone(site_timezone(info[str(site)][1])).strftime(
                    "%Y-%m-%d %H:%M"),
                server_url=str(request.base_url).rstrip("/"))


@router.get("/settings/alarms")
async def settings_form(request: Request, v: SignedIn) -> Response:
    admin_only(v)
    th = thresholds(get_ctx(request))
    return page(request, "settings.html", v, errors={}, form={k: f"{val:g}" for k, val in asdict(th).items()},
                limits=LIMITS, notice="saved" if request.query_params.get("saved") else None)


@router.post("/settings/alarms")
async def settings_submit(request: Request, v: SignedIn) -> Response:
    admin_only(v)
    ctx = get_ctx(request)
    form = await request.form()
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    raw = {f.name: str(form.get(f.name) or "")[:20] for f in fields(Thresholds)}
    for name, text in raw.items():
        low, high = LIMITS[name]
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN fails too
            errors[name] = "th_range"
        else:
            values[name] = value
    if not errors and values["work_start_hour"] >= values["work_end_hour"]:
        errors["work_end_hour"] = "th_hours_order"
    if errors:
        return page(request, "settings.html", v, status=422, errors=errors, form=raw, limits=LIMITS, notice=None)
    with write_transaction(ctx.engine) as conn:
        store.set_thresholds(conn, values)
        store.audit(conn, at=ctx.now(), by=v.by, action="thresholds", target="alarms",
                    detail=", ".join(f"{k}={val:g}" for k, val in values.items()))
    return RedirectResponse("/settings/alarms?saved=1", status_code=303)
