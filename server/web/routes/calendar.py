"""The month's work history as a calendar (worker × day), a cell's taps, and unknown or not-on-roster cards.

Rows come from the API's history function for the signed-in principal (the disclosure rules filter them);
a cell is opened only for a row that function returned.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from server.api.routes import history as api_history
from server.api.routes import registry as api_registry
from server.domain.disclosure import may_view_site
from server.domain.errors import NotFound
from server.domain.report import check_month, shift_month
from server.store import console_store as store
from server.store import domain_records as rec
from server.store.domain_reconcile import history
from server.web import sites, tables
from server.web.auth import SignedIn, Viewer, get_ctx
from server.web.i18n import translator
from server.web.render import WebRoute, page
from shared.timefmt import format_rfc3339

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _month(request: Request, fallback: date) -> str:
    month = request.query_params.get("month") or f"{fallback.year:04d}-{fallback.month:02d}"
    check_month(month)
    return month


def _rows(request: Request, v: Viewer, site: str, month: str) -> list[dict[str, Any]]:
    """The month's rows the viewer may read: the API's own query and row filter (server.api.routes.history)."""
    check_month(month)
    with get_ctx(request).engine.connect() as conn:
        s = rec.get_site(conn, site)
        rows = api_history.visible_rows(conn, v.principal, history(conn, site=site, month=month))
        if not rows and not may_view_site(v.principal, s, rec.load_structure(conn, site), rec.roster_of(conn, site)):
            raise NotFound(f"site {site} is not visible to you", site=site)
    return rows


def calendar_view(request: Request, v: Viewer, site: str) -> dict[str, Any]:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)
    month = _month(request, ctx.now().astimezone(ZoneInfo(s["timezone"])).date())
    rows = _rows(request, v, site, month)
    with ctx.engine.connect() as conn:
        names = sites.visible_names(conn, v.principal, site, {r["worker"] for r in rows if r["worker"]})
    cal = sites.calendar(rows, month, names)
    body = tables.calendar_body(cal, translator(v.lang))
    return {"site": s, "cal": cal, "body": body, "month": month, "prev": shift_month(month, -1),
            "next": shift_month(month, 1), "cell_class": sites.cell_class, "tab": "calendar"}


@router.get("/sites/{site}/calendar")
async def calendar_page(site: str, request: Request, v: SignedIn) -> Response:
    data = await run_in_threadpool(calendar_view, request, v, site)
    return page(request, "calendar.html", v, **data)


def _cell(request: Request, v: Viewer, site: str) -> dict[str, Any]:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)
    subject, day = request.query_params.get("subject", "")[:30], request.query_params.get("day", "")[:10]
    try:
        work_day = date.fromisoformat(day)
    except ValueError:
        raise NotFound("no such day") from None
    month = f"{work_day.year:04d}-{work_day.month:02d}"
    row = next((r for r in _rows(request, v, site, month)
                if (r["worker"] or f"card:{r['idm']}") == subject and r["work_day"] == day), None)
    if row is None:
        raise NotFound("no work-history row for this cell")
    zone = ZoneInfo(s["timezone"])
    boundary = time.fromisoformat(s["day_boundary"])
    start = datetime.combine(work_day, boundary, tzinfo=zone)
    with ctx.engine.connect() as conn:
        idms = [row["idm"]] if row["idm"] else [b.idm for b in rec.bindings_for(conn, worker=row["worker"])]
        taps = store.taps_between(conn, site, idms, format_rfc3339(start), format_rfc3339(start + timedelta(days=1)))
        gates = store.gate_names(conn)
        corrections = [c for c in rec.corrections_of(conn, site=site, worker=row["worker"], days=[work_day])] \
            if row["worker"] else []
        names = sites.visible_names(conn, v.principal, site, {row["worker"]} if row["worker"] else set())
    for tap in taps:
        tap["local"] = datetime.fromisoformat(tap["at"].replace("Z", "+00:00")).astimezone(zone).strftime("%H:%M:%S")
        tap["gate"] = gates.get(tap["device"], "")
    return {"site": s, "row": row, "taps": taps, "corrections": corrections, "day": day,
            "name": names.get(row["worker"] or "", "")}


@router.get("/sites/{site}/calendar/cell")
async def calendar_cell(site: str, request: Request, v: SignedIn) -> Response:
    data = await run_in_threadpool(_cell, request, v, site)
    template = "_cell.html" if request.headers.get("hx-request") else "cell.html"
    return page(request, template, v, **data)


def unknown_page(request: Request, v: Viewer, site: str, *, status: int = 200, errors: dict[str, str] | None = None,
                 alert: str | None = None, form: dict[str, str] | None = None) -> Response:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)
    month = _month(request, ctx.now().astimezone(ZoneInfo(s["timezone"])).date())
    rows = _rows(request, v, site, month)
    cards: dict[str, dict[str, Any]] = {}
    off: dict[str, dict[str, Any]] = {}
    for r in rows:
        if "unknown_card" in r["flags"] and r["idm"]:
            c = cards.setdefault(r["idm"], {"idm": r["idm"], "days": 0, "first": r["work_day"]})
            c["days"] += 1
        elif "not_on_roster" in r["flags"] and r["worker"]:
            o = off.setdefault(r["worker"], {"worker": r["worker"], "days": 0, "first": r["work_day"]})
            o["days"] += 1
    with ctx.engine.connect() as conn:
        names = sites.visible_names(conn, v.principal, site, set(off))
    return page(request, "unknown.html", v, status=status, site=s, month=month, cards=list(cards.values()),
                off=list(off.values()), names=names, errors=errors or {}, alert=alert, form=form or {},
                tab="unknown", may_bind=v.role in ("admin", "prime", "company"))


@router.get("/sites/{site}/unknown")
async def unknown(site: str, request: Request, v: SignedIn) -> Response:
    return await run_in_threadpool(unknown_page, request, v, site)
