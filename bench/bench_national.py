"""Benchmark: a national-scale model — 10 million events across 5,000 sites at ``--scale 1``.

The default run is a small, quick fraction of that model (``--scale 0.002``: 10 sites, ~20,000
events); ``--scale`` grows it linearly (sites and events), e.g. ``--scale 0.05`` = 250 sites and
~500,000 events. Each site is a month of ~40 workers at two kiosks (~2,000 events per site, the
national average: 10 M / 5,000).

Prints ONE JSON line per database: ``rows_per_s`` (rebuild: index + reconcile + write every row),
``site_month_query_s`` (one site's month of work history, the query behind the monthly reports) and,
as the baseline measured in the same run, ``scan_events_per_s`` (a plain read of every raw event) and
``raw_site_month_query_s`` (the same site-month read from the raw events table).

    uv run python bench/bench_national.py                       # SQLite, small (< 60 s)
    uv run python bench/bench_national.py --scale 0.05
    uv run python bench/bench_national.py --database-url postgresql+psycopg://user@/db?host=/run/postgresql
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_reconcile import load_database, site_events, site_id
from server.store import schema as st
from server.store.domain_reconcile import history, rebuild
from server.store.engine import make_engine, migrate, write_transaction

NATIONAL_EVENTS = 10_000_000
NATIONAL_SITES = 5_000
WORKERS_PER_SITE = 40


def run(url: str, scale: float) -> dict[str, object]:
    sites = max(2, round(NATIONAL_SITES * scale))
    rng = random.Random(11)
    engine = make_engine(url)
    migrate(engine)
    t0 = time.perf_counter()
    events = 0
    for s in range(sites):  # load site by site: memory stays flat at any scale
        evs = list(site_events(s + 1, WORKERS_PER_SITE, 31, rng))
        events += len(evs)
        with write_transaction(engine) as conn:
            load_database(conn, {s + 1: evs}, WORKERS_PER_SITE)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    with engine.connect() as conn:
        scanned = sum(1 for _ in conn.execute(sa.select(st.events.c.data)).yield_per(10_000))
    scan_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    with write_transaction(engine) as conn:
        counts = rebuild(conn)
    rebuild_s = time.perf_counter() - t0

    probe = site_id(1 + sites // 2)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        rows = history(conn, site=probe, month="2026-10")
        query_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw = conn.execute(sa.select(st.events.c.data).where(
            st.events.c.site == probe, st.events.c.server_at >= "2026-09-30T15:00:00.000Z",
            st.events.c.server_at < "2026-10-31T15:00:00.000Z")).all()
        raw_query_s = time.perf_counter() - t0
    engine.dispose()
    return {
        "bench": "national", "dialect": url.split(":", 1)[0], "scale": scale, "sites": sites, "events": events,
        "rows": counts["rows"], "load_s": round(load_s, 2), "rebuild_s": round(rebuild_s, 3),
        "rows_per_s": round(counts["rows"] / rebuild_s), "events_per_s": round(events / rebuild_s),
        "scan_events_per_s": round(scanned / scan_s), "site_month_rows": len(rows),
        "site_month_query_s": round(query_s, 4), "raw_site_month_events": len(raw),
        "raw_site_month_query_s": round(raw_query_s, 4),
        "extrapolated_national_rebuild_h": round(NATIONAL_EVENTS / (events / rebuild_s) / 3600, 2),
    }


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.002, help="fraction of 10 M events / 5,000 sites")
    ap.add_argument("--quick", action="store_true", help="the smallest model (2 sites)")
    ap.add_argument("--database-url", action="append", default=None,
                    help="database(s) to run on (repeatable); default: a temporary SQLite file")
    args = ap.parse_args(argv)
    scale = 0.0004 if args.quick else args.scale
    urls = args.database_url or [f"sqlite:///{tempfile.mkdtemp(prefix='genba-bench-')}/national.db"]
    out = []
    for url in urls:
        result = run(url, scale)
        print(json.dumps(result))
        out.append(result)
    return out


if __name__ == "__main__":
    main()
