"""The three KPIs of every site for one month at once (the back office's overview; bench/bench_reports.py).

Three reads (every row of the month with its worker's origin, every structure
history, company origins), then :func:`server.reports.kpi.month_kpis` per site.
Disclosure: the caller decides who may see the result (the back office); this
computes for every site.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from server.domain import structure as st
from server.domain.report import check_month, month_days
from server.reports import kpi, store


def members_of(changes: list[st.StructureChange], origins: dict[str, str], tz: str) -> list[kpi.Member]:
    zone = ZoneInfo(tz)
    return [kpi.Member(m.member, m.parent, m.company, origins.get(m.company or "") == "ccus",
                       m.invited_at.astimezone(zone).date()) for m in st.replay(changes).members]


def all_site_kpis(conn: sa.Connection, month: str) -> tuple[dict[str, kpi.Kpis], dict[str, float]]:
    """Every site's month KPIs, and where the time went (seconds: rows, structures, compute)."""
    check_month(month)
    days = month_days(month)
    timings = {"read_rows_s": 0.0, "read_structures_s": 0.0, "compute_s": 0.0}
    t0 = time.perf_counter()
    changes = store.all_structure_changes(conn)
    origins = store.company_origins(conn)
    zones = store.site_timezones(conn)
    timings["read_structures_s"] = time.perf_counter() - t0
    out: dict[str, kpi.Kpis] = {}
    t_loop = time.perf_counter()
    rows = store.month_kpi_rows(conn, days[0], days[-1] + timedelta(days=1))
    for site, group in groupby(rows, key=lambda r: r[0]):  # rows come ordered by site
        batch = list(group)
        t0 = time.perf_counter()
        day_rows = [kpi.DayRow(date.fromisoformat(r[1]), r[2], r[3], r[4] == "card") for r in batch]
        registered = {r[2]: r[5] == "ccus" for r in batch if r[2]}
        members = members_of(changes.get(site, []), origins, zones.get(site, "Asia/Tokyo"))
        out[site], _ = kpi.month_kpis(days, members, day_rows, registered)
        timings["compute_s"] += time.perf_counter() - t0
    timings["read_rows_s"] = time.perf_counter() - t_loop - timings["compute_s"]
    return out, {k: round(v, 3) for k, v in timings.items()}
