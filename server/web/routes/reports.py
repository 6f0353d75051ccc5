"""A site's KPIs with charts (touch rate per day against the target line, people on site per hour), and the
downloads of every report (CSV UTF-8 with BOM or CP932, XLSX, PDF) through the reports service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from server.api.routes import registry as api_registry
from server.api.routes.registry_common import default_month, site_today
from server.domain.errors import NotFound
from server.domain.report import check_month, shift_month
from server.reports import FORMATS, KINDS, render
from server.web import charts, kpis
from server.web.auth import SignedIn, Viewer, get_ctx
from server.web.i18n import translator
from server.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _view(request: Request, v: Viewer, site: str) -> dict[str, Any]:
    ctx = get_ctx(request)
    s = api_registry.get_site(site, v.principal, ctx)
    tz = s["timezone"]
    today = site_today(ctx, tz)
    month = request.query_params.get("month") or default_month(ctx, tz)
    check_month(month)
    with ctx.engine.connect() as conn:
        k = kpis.site_kpis(conn, site, month, v.principal, today)
    _ = translator(v.lang)
    worked = sorted({r["work_day"] for r in k.data.rows})
    chosen = request.query_params.get("day") or (worked[-1] if worked else f"{month}-01")
    try:
        day = date.fromisoformat(chosen)
    except ValueError:
        raise NotFound("no such day") from None
    target = kpis.targets()["touch"][0]
    touch = [(date_.isoformat(), v_) for date_, v_ in k.daily_touch]
    touch_points = [(datetime.fromisoformat(d), val) for d, val in touch]
    people = kpis.people_per_hour(k.data.rows, day, tz)
    drawn = [
        charts.chart(charts.Series(_("chart_touch"), touch_points, kind="bars"), title=_("chart_touch"),
                     alt=_("chart_alt", what=_("chart_touch"), max=f"{max((p for _d, p in touch), default=0):.0f}%",
                           last=f"{touch[-1][1]:.0f}%" if touch else "—"),
                     target=target, target_label=_("target_line", n=f"{target:.0f}")),
        charts.chart(charts.Series(_("chart_people"), people), title=_("chart_people_on", day=day.isoformat()),
                     alt=_("chart_alt", what=_("chart_people"), max=f"{max(p for _m, p in people):g}",
                           last=f"{people[-1][1]:g}")),
    ]
    return {"site": s, "month": month, "prev": shift_month(month, -1), "k": k, "targets": kpis.targets(),
            "charts": drawn, "kinds": KINDS, "formats": FORMATS, "tab": "reports", "day": day.isoformat(),
            "worked": worked}


@router.get("/sites/{site}/reports")
async def reports_page(site: str, request: Request, v: SignedIn) -> Response:
    data = await run_in_threadpool(_view, request, v, site)
    return page(request, "reports.html", v, **data)


@router.get("/sites/{site}/reports/{kind}.{fmt}")
async def download(site: str, kind: str, fmt: str, request: Request, v: SignedIn) -> Response:
    """One report as an attachment: the reports service applies the viewer's disclosure scope."""
    ctx = get_ctx(request)
    month = request.query_params.get("month", "")

    def build() -> Any:
        with ctx.engine.connect() as conn:
            return render(conn, kind, site, month, fmt, v.principal, now=ctx.now())

    out = await run_in_threadpool(build)
    return Response(out.content, media_type=out.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(out.filename)}"})
