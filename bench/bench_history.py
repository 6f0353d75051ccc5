"""Benchmark P8: one site's month of work history on PostgreSQL at national size (10 M events), filled by SQL.

Production configuration: a throwaway PostgreSQL cluster with fsync on, the real schema (migrations).
The work-history table (``dom_work_days``) is filled by one ``INSERT … SELECT`` over ``generate_series``
to the size a month of 10 M events gives: 5,000 sites × 27 working days × 35 workers = 4,725,000 rows
(about two taps per row, as in ``bench_reconcile``). The raw ``events`` table is not filled: the history
query never reads it.

Interleaved A, B, A, B … over ``--queries`` random sites (at least 3):

- **A**: :func:`server.store.domain_reconcile.history` for the site and month — the query behind the
  monthly reports and ``GET /api/v1/history``, rows converted to the API's dicts;
- **B**: a plain SQL fetch of the same rows (``SELECT * … WHERE site = … AND work_day …``), no conversion.

Prints ONE JSON line: the median and spread of each side, and ``EXPLAIN (ANALYZE, BUFFERS)`` of one query
(execution time inside PostgreSQL, the plan's index) to show where the time goes. The aim (issue 10) is
A under 0.1 s.

    uv run python bench/bench_history.py              # full size (~4.7 M rows; several minutes to fill)
    uv run python bench/bench_history.py --quick      # 50 sites
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.store.domain_reconcile import history
from server.store.engine import make_engine, migrate, write_transaction

FILL = """
INSERT INTO dom_work_days (site, work_day, subject, worker, idm, employer, trade_code, trade_name, position,
                           work_content, hazardous, first_entry, last_exit, minutes_on_site, source, taps,
                           devices, flags)
SELECT '8' || lpad(s::text, 13, '0'), d::date::text, '6' || lpad((s * 100 + w)::text, 13, '0'),
       '6' || lpad((s * 100 + w)::text, 13, '0'), NULL, '10000000000009', '0201', 'とび', '作業員', '', '',
       to_char(d + interval '7 hours 45 minutes', 'YYYY-MM-DD"T"HH24:MI:SS".000+09:00"'),
       to_char(d + interval '17 hours 30 minutes', 'YYYY-MM-DD"T"HH24:MI:SS".000+09:00"'),
       585, 'card', 2, 'gate-a gate-b', ''
FROM generate_series(1, :sites) AS s,
     generate_series(timestamp '2026-10-01', timestamp '2026-10-31', interval '1 day') AS d,
     generate_series(1, :workers) AS w
WHERE extract(dow FROM d) <> 0
"""


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 5), "min": round(min(values), 5),
            "max": round(max(values), 5)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=35)
    ap.add_argument("--queries", type=int, default=20, help="interleaved rounds, each a random site (≥ 3)")
    ap.add_argument("--quick", action="store_true", help="50 sites")
    ap.add_argument("--postgresql-url", default=None, help="use this (empty, migrated or not) database")
    args = ap.parse_args(argv)
    sites = 50 if args.quick else args.sites
    cluster = None
    url = args.postgresql_url
    if url is None:
        from tests.pg import start_cluster

        cluster = start_cluster(durable=True)
        url = cluster.create_database()
    engine = make_engine(url)
    try:
        migrate(engine)
        t0 = time.perf_counter()
        with write_transaction(engine) as conn:
            conn.execute(sa.text(FILL), {"sites": sites, "workers": args.workers})
        fill_s = time.perf_counter() - t0
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE dom_work_days"))
            conn.commit()
            rows = conn.execute(sa.text("SELECT count(*) FROM dom_work_days")).scalar_one()
        rng = random.Random(8)
        a, b, n_rows = [], [], 0
        raw = sa.text("SELECT * FROM dom_work_days WHERE site = :site AND work_day >= '2026-10-01' "
                      "AND work_day < '2026-11-01' ORDER BY work_day, subject, site")
        for _ in range(max(3, args.queries)):
            site = "8" + f"{rng.randrange(1, sites + 1)}".zfill(13)
            with engine.connect() as conn:
                t0 = time.perf_counter()
                got = history(conn, site=site, month="2026-10")
                a.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                fetched = conn.execute(raw, {"site": site}).all()
                b.append(time.perf_counter() - t0)
            assert len(got) == len(fetched) > 0
            n_rows = len(got)
        with engine.connect() as conn:
            plan = [r[0] for r in conn.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + raw.text),
                                               {"site": "8" + "1".zfill(13)})]
    finally:
        engine.dispose()
        if cluster is not None:
            cluster.stop()
    result: dict[str, object] = {
        "bench": "history", "dialect": "postgresql", "fsync": "on", "sites": sites, "workers": args.workers,
        "work_day_rows": rows, "events_equivalent": rows * 2, "fill_s": round(fill_s, 1),
        "rows_per_query": n_rows, "queries": len(a),
        "history_s": spread(a), "plain_fetch_s": spread(b),
        "history_vs_fetch": round(statistics.median(a) / statistics.median(b), 2),
        "plan": [line for line in plan if "Index" in line or "Execution" in line or "Planning" in line],
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
