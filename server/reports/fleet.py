"""The three KPIs of every site for one month at once (the back office's overview; bench/bench_reports.py).

Three reads: the month's day counts per site, counted by the database
(store.month_kpi_counts: the same counts :func:`server.reports.kpi.count_day`
makes from rows; tests/reports/test_fleet.py checks both agree), every
structure history and the company origins; then the one definition of the
rates (:func:`server.reports.kpi.month_from_counts`) per site.
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
    """Every site's month KPIs, and where the time went (seconds: counting rows, reading structures, compute)."""
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
    counts = store.month_kpi_counts(conn, days[0], days[-1] + timedelta(days=1))
    for site, group in groupby(counts, key=lambda r: r[0]):  # ordered by site
        day_counts = [kpi.DayCounts(date.fromisoformat(r[1]), int(r[2]), int(r[3] or 0), int(r[4]), int(r[5] or 0))
                      for r in group]
        t0 = time.perf_counter()
        members = members_of(changes.get(site, []), origins, zones.get(site, "Asia/Tokyo"))
        out[site], _ = kpi.month_from_counts(day_counts, members)
        timings["compute_s"] += time.perf_counter() - t0
    timings["read_rows_s"] = time.perf_counter() - t_loop - timings["compute_s"]
    return out, {k: round(v, 3) for k, v in timings.items()}
