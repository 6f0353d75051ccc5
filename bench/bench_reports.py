"""Benchmark: the month calendar XLSX of a 1,000-worker site, and every site's KPIs for a month from the database.

1. ``calendar_xlsx``: :func:`server.reports.xlsx.to_xlsx` on the 月別カレンダー of a synthetic site
   (``--workers``, default 1,000; 31 days, ~85 % of days worked) against the strongest bare baseline:
   openpyxl in write-only mode appending the same cell values with no styles, widths or print setup.
   Interleaved A,B for ``--rounds`` rounds; median and spread of each; ratio of the medians.
2. ``fleet_kpis``: :func:`server.reports.fleet.all_site_kpis` for ``--sites`` sites (default 5,000) of
   ``--site-workers`` workers (default 20) for one month, and where its time goes (reading rows, reading
   structures, computing), against a baseline SQL ``GROUP BY`` that computes only the touch rate inside
   the database. Interleaved the same way. On PostgreSQL (a throwaway cluster, tests/pg.py) unless
   ``--database-url`` names another database; ``--quick`` runs a tiny SQLite configuration.

Prints ONE JSON line.

    uv run python bench/bench_reports.py                 # 1,000 workers; 5,000 sites on PostgreSQL
    uv run python bench/bench_reports.py --quick
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.domain.registry import Company, Site, Worker
from server.domain.report import month_days
from server.domain.roster import RosterEntry
from server.domain.structure import new_structure
from server.reports import fleet
from server.reports.calendar import calendar_sheet
from server.reports.loader import MonthData
from server.reports.model import Report, holidays_of
from server.reports.xlsx import to_xlsx
from server.store import domain_schema as dt
from server.store.engine import make_engine, migrate, write_transaction

MONTH = "2026-10"


def _stats(samples: list[float]) -> dict[str, float]:
    return {"median_s": round(statistics.median(samples), 4), "min_s": round(min(samples), 4),
            "max_s": round(max(samples), 4)}


def interleave(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(rounds):
        for fn, into in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            into.append(time.perf_counter() - t0)
    return ta, tb


# ---------------------------------------------------------------- 1. calendar XLSX

def synthetic_month(workers: int, rng: random.Random) -> MonthData:
    days = month_days(MONTH)
    site = Site("90000000000001", "ベンチ現場", "10000000000001")
    companies = {f"2{i:013d}": Company(f"2{i:013d}", f"協力会社{i}(株)") for i in range(workers // 25 + 1)}
    ws: dict[str, Worker] = {}
    roster: list[RosterEntry] = []
    rows: list[dict[str, Any]] = []
    for n in range(workers):
        wid, employer = f"5{n:013d}", f"2{n // 25:013d}"
        ws[wid] = Worker(wid, f"技能者 {n}", f"ギノウシャ {n}", employer, retirement_fund=n % 5 != 0)
        roster.append(RosterEntry(site.site, wid, employer, days[0], trade_code="0201", trade_name="とび工",
                                  position="作業員"))
        for d in days:
            if d.weekday() == 6 or rng.random() > 0.85:
                continue
            t_in = f"{d.isoformat()}T07:{rng.randrange(30, 60):02d}:00+09:00"
            t_out = f"{d.isoformat()}T17:{rng.randrange(0, 60):02d}:00+09:00"
            rows.append({"worker": wid, "idm": None, "work_day": d.isoformat(), "first_entry": t_in,
                         "last_exit": t_out, "source": "card", "flags": []})
    structure, _ = new_structure(site.site, site.prime, "元請(株)", datetime(2026, 9, 1, tzinfo=None).astimezone())
    return MonthData(site=site, month=MONTH, days=days, today=days[-1], viewer=None,  # type: ignore[arg-type]
                     structure=structure, companies=companies, workers=ws, roster=roster, rows=rows, details={},
                     education={}, holidays=holidays_of(days))


def bench_calendar(workers: int, rounds: int) -> dict[str, Any]:
    data = synthetic_month(workers, random.Random(7))
    t0 = time.perf_counter()
    sheet = calendar_sheet(data)
    build_s = time.perf_counter() - t0
    report = Report("calendar", "月別カレンダー", data.site.site, data.site.name, MONTH, [sheet], "2026-11-01 09:00",
                    holidays=data.holidays)
    values = [[c.title for c in sheet.columns], *sheet.rows]

    def bare() -> bytes:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet.name)
        for row in values:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    ta, tb = interleave(lambda: to_xlsx(report), bare, rounds)
    return {"workers": workers, "cells": len(values) * len(sheet.columns), "build_sheet_s": round(build_s, 4),
            "genba_xlsx": _stats(ta), "baseline_bare_openpyxl": _stats(tb),
            "ratio_median": round(statistics.median(ta) / statistics.median(tb), 3)}


# ---------------------------------------------------------------- 2. fleet KPIs

def load_fleet(engine: sa.Engine, sites: int, per_site: int, rng: random.Random) -> int:
    """Companies, sites with a 3-company structure, workers and a month of work-history rows, inserted in bulk."""
    days = [d for d in month_days(MONTH) if d.weekday() != 6]
    at = "2026-09-01T00:00:00.000Z"
    n_rows = 0
    with write_transaction(engine) as conn:
        conn.execute(dt.companies.insert(), [{"company": f"1{c:013d}", "name": f"会社{c}", "origin":
                                              "ccus" if c % 7 else "local"} for c in range(sites * 3)])
        for s0 in range(0, sites, 500):
            chunk = range(s0, min(sites, s0 + 500))
            conn.execute(dt.sites.insert(), [{
                "site": f"9{s:013d}", "name": f"現場{s}", "prime": f"1{3 * s:013d}", "address": "", "order_type":
                "private", "day_boundary": "04:00", "timezone": "Asia/Tokyo", "repeat_window_s": 120,
                "origin": "ccus"} for s in chunk])
            changes: list[dict[str, Any]] = []
            for s in chunk:
                base = {"site": f"9{s:013d}", "at": at, "work_name": "", "work_description": ""}
                changes += [{**base, "action": "prime", "member": 1, "by_company": f"1{3 * s:013d}",
                             "parent": None, "company": f"1{3 * s:013d}", "name": "元請"},
                            {**base, "action": "invite", "member": 2, "by_company": f"1{3 * s:013d}", "parent": 1,
                             "company": f"1{3 * s + 1:013d}", "name": "一次"},
                            {**base, "action": "approve", "member": 2, "by_company": f"1{3 * s + 1:013d}",
                             "parent": None, "company": None, "name": ""},
                            {**base, "action": "place", "member": 3, "by_company": f"1{3 * s + 1:013d}",
                             "parent": 2, "company": None, "name": "未登録"}]
            conn.execute(dt.structure_changes.insert(), changes)
            workers, rows = [], []
            for s in chunk:
                for i in range(per_site):
                    wid = f"5{s * per_site + i:013d}"
                    employer = f"1{3 * s + (i % 2):013d}"
                    workers.append({"worker": wid, "name": "技能者", "furigana": "ギノウシャ", "employer": employer,
                                    "level": 1, "qualifications": "[]", "origin": "ccus" if i % 9 else "local"})
                    for d in days:
                        if rng.random() < 0.85:
                            rows.append({"site": f"9{s:013d}", "work_day": d.isoformat(), "subject": wid, "worker": wid,
                                         "employer": employer, "work_content": "", "hazardous": "",
                                         "source": "card" if rng.random() < 0.7 else "manual", "taps": 2,
                                         "devices": "k", "flags": ""})
            conn.execute(dt.workers.insert(), workers)
            conn.execute(dt.work_days.insert(), rows)
            n_rows += len(rows)
    return n_rows


def bench_fleet(url: str, sites: int, per_site: int, rounds: int) -> dict[str, Any]:
    engine = make_engine(url)
    migrate(engine)
    t0 = time.perf_counter()
    n_rows = load_fleet(engine, sites, per_site, random.Random(3))
    load_s = time.perf_counter() - t0
    wd = dt.work_days.c
    baseline_q = (sa.select(wd.site, sa.func.count(), sa.func.sum(sa.case((wd.source == "card", 1), else_=0)))
                  .where(wd.work_day >= f"{MONTH}-01", wd.work_day < "2026-11-01").group_by(wd.site))
    timings: list[dict[str, float]] = []

    def ours() -> None:
        with engine.connect() as conn:
            result, where = fleet.all_site_kpis(conn, MONTH)
        assert len(result) == sites
        timings.append(where)

    def baseline() -> None:
        with engine.connect() as conn:
            assert len(conn.execute(baseline_q).all()) == sites

    ta, tb = interleave(ours, baseline, rounds)
    engine.dispose()
    where = {k: round(statistics.median(t[k] for t in timings), 3) for k in timings[0]}
    return {"database": url.split(":", 1)[0], "sites": sites, "rows": n_rows, "load_s": round(load_s, 1),
            "genba_all_site_kpis": _stats(ta), "where_median_s": where,
            "baseline_sql_group_by_touch_rate_only": _stats(tb),
            "ratio_median": round(statistics.median(ta) / statistics.median(tb), 2)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--sites", type=int, default=5000)
    ap.add_argument("--site-workers", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--quick", action="store_true", help="tiny: 20 workers, 5 sites on SQLite, 3 rounds")
    args = ap.parse_args()
    out: dict[str, Any] = {"bench": "reports"}
    if args.quick:
        args.workers, args.sites, args.rounds = 20, 5, 3
    out["calendar_xlsx"] = bench_calendar(args.workers, args.rounds)
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url
        if url is None and args.quick:
            url = f"sqlite:///{tmp}/bench.db"
        if url is None:
            from tests.pg import start_cluster

            cluster = start_cluster(durable=True)  # production config: fsync, synchronous_commit on
            url = cluster.create_schema()
        try:
            out["fleet_kpis"] = bench_fleet(url, args.sites, args.site_workers, args.rounds)
        finally:
            if cluster is not None:
                cluster.stop()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
