"""Benchmark: what the audit log costs ingest, and an inclusion proof in a 10-million-entry log.

**Ingest with the log ÷ ingest without it** (issue 15 aims at ≥ 0.8). Both sides run the production path
in-process: signed 1,000-event batches through ``IngestService`` (verification, chain placement, corrected
times, receipts, one transaction per batch) and the reconciliation worker drained to lag zero. The "with"
side also runs the audit sequencer after every batch, as ``genba server run`` does every couple of seconds
(so it pays for every entry, node and checkpoint). Each round builds fresh databases; sides are interleaved
(without, with, without, with …) for ``--rounds`` rounds; the JSON line reports per database the median
events/s of each side, their ratio per round, and the median and spread of the ratio. PostgreSQL runs in a
throwaway cluster with default durability (fsync on).

**Inclusion proof at 10 M entries**: ``audit_nodes`` filled by SQL to a log of ``--proof-entries`` entries
(the perfect-subtree rows a log of that size holds: about 2 per entry), then the time of an inclusion proof
for entries spread over the log, and the queries it took. Reported, not compared (nothing to compare to).

**The sequencer alone** (``--sequencer-only``; issue 10, P3's audit share): the same signed batches ingested and
reconciled in-process, and the sequencer run after every ``--every`` batches (``genba server run`` runs it every
2 s, which at P3's rate is several batches); the CPU time of this process inside the sequencer runs, per event
logged, median and spread over ``--rounds`` fresh databases (PostgreSQL's own CPU is not counted). Run from a
checkout of the previous code for the comparison (the figure needs nothing but ``service.sequence``).

``--quick`` is a tiny configuration for the test suite (proves the benchmark runs; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_ingest import make_batches  # noqa: E402
from server import Settings, open_context  # noqa: E402
from server.audit import service  # noqa: E402
from server.enrollment import create_code, enroll  # noqa: E402
from server.store import audit_log  # noqa: E402
from shared.keys import SigningKey  # noqa: E402
from shared.merkle import inclusion_proof, verify_inclusion  # noqa: E402

SITE = "12345678901234"
TOKEN = "bench-admin-token-0123456789abcdef"


def ingest_run(url: str, root: Path, batches: list[Any], key: SigningKey, *, with_log: bool) -> float:
    """Events per second through ingest + reconciliation (+ the sequencer), on a fresh database."""
    ctx = open_context(Settings(data_dir=root, database_url=url, admin_token=SecretStr(TOKEN), audit_interval_s=0))
    try:
        now = datetime.now(UTC)
        code, _ = create_code(ctx.engine, site=SITE, ttl=timedelta(minutes=5), now=now)
        enroll(ctx.engine, code=code, device="bench-kiosk", epoch=1, key=key.verifier, app="0.1.0", now=now)
        events: int = sum(b.last - b.first + 1 for b in batches)
        t0 = time.perf_counter()
        for batch in batches:
            ctx.ingest.ingest(batch, via="bench")
            ctx.worker.drain()
            if with_log:
                service.sequence(ctx.engine, ctx.server_key, ctx.stamp())
        elapsed = time.perf_counter() - t0
        if with_log:
            with ctx.engine.connect() as conn:
                assert audit_log.size(conn) >= events, "the log missed events: the figure would be a lie"
        return events / elapsed
    finally:
        ctx.close()


def sequencer_run(url: str, root: Path, batches: list[Any], key: SigningKey, every: int) -> float:
    """CPU µs per event spent in the sequencer, on a fresh database (ingest and reconciliation not counted)."""
    ctx = open_context(Settings(data_dir=root, database_url=url, admin_token=SecretStr(TOKEN), audit_interval_s=0))
    try:
        now = datetime.now(UTC)
        code, _ = create_code(ctx.engine, site=SITE, ttl=timedelta(minutes=5), now=now)
        enroll(ctx.engine, code=code, device="bench-kiosk", epoch=1, key=key.verifier, app="0.1.0", now=now)
        service.sequence(ctx.engine, ctx.server_key, ctx.stamp())  # the enrollment's own entries
        events: int = sum(b.last - b.first + 1 for b in batches)
        cpu = 0.0
        for i, batch in enumerate(batches, 1):
            ctx.ingest.ingest(batch, via="bench")
            ctx.worker.drain()
            if i % every == 0 or i == len(batches):
                started = time.process_time()
                service.sequence(ctx.engine, ctx.server_key, ctx.stamp())
                cpu += time.process_time() - started
        with ctx.engine.connect() as conn:
            assert audit_log.size(conn) >= events, "the log missed events: the figure would be a lie"
        return 1e6 * cpu / events
    finally:
        ctx.close()


def sequencer_cost(kind: str, make_url: Any, tmp: Path, batches: list[Any], key: SigningKey, rounds: int,
                   every: int) -> dict[str, Any]:
    per_event = [sequencer_run(make_url(f"{kind}-s{r}"), tmp / f"{kind}-s{r}", batches, key, every)
                 for r in range(rounds)]
    return {"sequencer_cpu_us_per_event": {"median": round(statistics.median(per_event), 1),
                                           "min": round(min(per_event), 1), "max": round(max(per_event), 1)},
            "runs": [round(x, 1) for x in per_event]}


def cost_of_log(kind: str, make_url: Any, tmp: Path, batches: list[Any], key: SigningKey,
                rounds: int) -> dict[str, Any]:
    without, with_log, ratios = [], [], []
    for r in range(rounds):
        a = ingest_run(make_url(f"{kind}-a{r}"), tmp / f"{kind}-a{r}", batches, key, with_log=False)
        b = ingest_run(make_url(f"{kind}-b{r}"), tmp / f"{kind}-b{r}", batches, key, with_log=True)
        without.append(a)
        with_log.append(b)
        ratios.append(b / a)
    return {"events_per_s_without_log": round(statistics.median(without)),
            "events_per_s_with_log": round(statistics.median(with_log)),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_min": round(min(ratios), 3), "ratio_max": round(max(ratios), 3),
            "ratios": [round(x, 3) for x in ratios]}


def fill_nodes(url: str, entries: int) -> None:
    """Write the audit_nodes rows of a log of ``entries`` entries, by SQL, level by level."""
    from server.store.engine import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            raise SystemExit("the 10 M proof benchmark runs on PostgreSQL (SQL fill)")
        conn.execute(sa.text(
            "INSERT INTO audit_leaves (idx, tbl, row_key, data, leaf, logged_at) SELECT i, 'events', "
            "'bench:1:' || i, NULL, sha256(decode(lpad(to_hex(i), 16, '0'), 'hex')), '2026-11-30T00:00:00Z' "
            "FROM generate_series(0, :n - 1) AS i"), {"n": entries})
        conn.execute(sa.text(
            "INSERT INTO audit_nodes (level, idx, hash) SELECT 1, l.idx / 2, sha256('\\x01'::bytea || l.leaf || "
            "r.leaf) FROM audit_leaves l JOIN audit_leaves r ON r.idx = l.idx + 1 WHERE l.idx % 2 = 0"))
        level, count = 1, entries // 2
        while count > 1:
            conn.execute(sa.text(
                "INSERT INTO audit_nodes (level, idx, hash) SELECT :up, l.idx / 2, "
                "sha256('\\x01'::bytea || l.hash || r.hash) FROM audit_nodes l JOIN audit_nodes r "
                "ON r.level = l.level AND r.idx = l.idx + 1 WHERE l.level = :lv AND l.idx % 2 = 0"),
                {"lv": level, "up": level + 1})
            level, count = level + 1, count // 2
    engine.dispose()


def proof_timing(url: str, entries: int, probes: int) -> dict[str, Any]:
    from server.store.engine import make_engine

    engine = make_engine(url)
    times, queries = [], []
    try:
        with engine.connect() as conn:
            for i in range(probes):
                index = (entries - 1) * i // max(1, probes - 1)
                src = audit_log.DbSubtrees(conn)  # a cold cache each time, as one API request has
                t0 = time.perf_counter()
                proof = inclusion_proof(src, index, entries)
                times.append((time.perf_counter() - t0) * 1000)
                queries.append(len(src._cache))  # what the proof read
                leaf = leaf_hash_of(index)
                root = _root_of(conn, entries)
                assert verify_inclusion(leaf, index, entries, proof, root), "a wrong proof: the timing is void"
    finally:
        engine.dispose()
    return {"entries": entries, "proof_ms_median": round(statistics.median(times), 2),
            "proof_ms_max": round(max(times), 2), "subtree_reads_median": statistics.median(queries)}


def leaf_hash_of(index: int) -> bytes:
    """The leaf hashes fill_nodes writes: SHA-256 of the entry's index as 8 big-endian bytes."""
    return hashlib.sha256(index.to_bytes(8, "big")).digest()


def _root_of(conn: sa.Connection, n: int) -> bytes:
    from shared.merkle import root

    return root(audit_log.DbSubtrees(conn), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per run (default 20,000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--proof-entries", type=int, default=10_000_000, help="log size for the proof timing")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--sequencer-only", action="store_true",
                        help="only the sequencer's CPU per event (no ingest ratio, no 10 M proof)")
    parser.add_argument("--every", type=int, default=5, help="batches between sequencer runs (default 5)")
    parser.add_argument("--quick", action="store_true", help="tiny configuration for the test suite")
    args = parser.parse_args()
    if args.quick:
        args.events, args.rounds, args.proof_entries = 2_000, 1, 5_000
    key = SigningKey.generate("bench-kiosk.e1")
    batches = make_batches("bench-kiosk", key, args.events, 1000)
    out: dict[str, Any] = {"bench": "audit", "events": args.events, "rounds": args.rounds}
    if args.sequencer_only:
        out["every"] = args.every
        with tempfile.TemporaryDirectory() as tmp_s:
            tmp = Path(tmp_s)
            out["sqlite"] = sequencer_cost("sqlite", lambda n: f"sqlite:///{tmp / n / 'server.db'}", tmp, batches, key,
                                           args.rounds, args.every)
            if not args.no_postgres:
                from tests.pg import start_cluster

                cluster = start_cluster()
                try:
                    out["postgresql"] = sequencer_cost("pg", lambda _n: cluster.create_database(), tmp, batches, key,
                                                       args.rounds, args.every)
                finally:
                    cluster.stop()
        print(json.dumps(out))
        return
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        out["sqlite"] = cost_of_log("sqlite", lambda n: f"sqlite:///{tmp / n / 'server.db'}", tmp, batches, key,
                                    args.rounds)
        if not args.no_postgres:
            from tests.pg import start_cluster

            cluster = start_cluster()
            try:
                out["postgresql"] = cost_of_log("pg", lambda _n: cluster.create_database(), tmp, batches, key,
                                                args.rounds)
                url = cluster.create_database()
                fill_nodes(url, args.proof_entries)
                out["proof"] = proof_timing(url, args.proof_entries, 20)
            finally:
                cluster.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
