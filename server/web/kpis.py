"""The site's KPIs and the charts people would rather look at than read, from the reports service.

The numbers are the reports' own (server.reports.kpi over the month as :func:`server.reports.loader.load`
gives it to the viewer — the same data the KPI report downloads); this module only shapes them for a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.domain.disclosure import Principal
from server.reports import kpi
from server.reports.kpi_report import site_month_kpis
from server.reports.loader import MonthData, load

KEYS = ("company_registration", "worker_registration", "touch")


@dataclass(frozen=True, slots=True)
class SiteKpis:
    month: str
    values: dict[str, float | None]
    status: dict[str, str]
    daily_touch: list[tuple[date, float]]
    data: MonthData


def site_kpis(conn: sa.Connection, site: str, month: str, viewer: Principal, today: date) -> SiteKpis:
    data = load(conn, site, month, viewer, today)
    month_k, series = site_month_kpis(data)
    values = {k: getattr(month_k, k) for k in KEYS}
    return SiteKpis(month, values, {k: kpi.status(k, v) for k, v in values.items()},
                    [(d, (k.touch or 0.0) * 100) for d, k in series], data)


def targets() -> dict[str, tuple[float, float]]:
    return {k: (t * 100, f * 100) for k, (t, f) in kpi.TARGETS.items()}


def people_per_hour(rows: list[dict[str, Any]], day: date, tz: str) -> list[tuple[datetime, float]]:
    """People on site at each hour of ``day`` (site time): rows whose entry–exit span covers the hour mark."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    spans = []
    for r in rows:
        if r["work_day"] != day.isoformat() or not r["first_entry"]:
            continue
        entry = datetime.fromisoformat(r["first_entry"])
        leave = datetime.fromisoformat(r["last_exit"]) if r["last_exit"] else entry + timedelta(hours=1)
        spans.append((entry, leave))
    out = []
    for h in range(24):
        mark = start + timedelta(hours=h, minutes=30)
        out.append((mark, float(sum(1 for a, b in spans if a <= mark < b))))
    return out
