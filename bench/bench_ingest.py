"""Benchmark P3: HTTP ingest of signed 1,000-event batches, reconciliation included, vs. a bare bulk insert.

Production configuration: a real server (uvicorn on 127.0.0.1) with its
reconciling worker thread running, PostgreSQL with default durability (fsync
on; a throwaway cluster), SQLite with WAL and ``synchronous=FULL``.

Two sides, interleaved A, B, A, B… for ``--rounds`` rounds, each round on a
freshly enrolled device:

- **A, ingest**: one gate (a new site each round, 500 cards, a tap every 30 s)
  whose batches are POSTed one after the other by httpx (verification,
  chain placement, corrected times, receipt signing, queue row: one
  transaction per batch), timed until the worker has reconciled everything
  (lag zero: the work-history rows exist);
- **B, baseline**: the same event rows inserted into the same ``events``
  table by the fastest bare statement each database has — ``COPY`` on
  PostgreSQL, one multi-row ``INSERT`` on SQLite — one transaction per 1,000.

Prints ONE JSON line: per database the median events/s of each side with its
spread (min–max over rounds), the ratio of medians and the per-round ratios
(issue 10 aims at ≥ 0.5), and the ingest side's CPU µs per event (this
process: server, worker thread and HTTP client; PostgreSQL's own CPU is not
counted) — steadier than wall-clock rates on a shared machine. ``--quick`` runs a tiny configuration (the test suite
proves the benchmark works with it; it judges no timing).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server import Settings, create_app, open_context  # noqa: E402
from server.context import ServerContext  # noqa: E402
from server.store import schema as t  # noqa: E402
from server.store.bulk import insert_rows  # noqa: E402
from server.store.engine import write_transaction  # noqa: E402
from shared.batch import BATCH_MEDIA_TYPE, Batch  # noqa: E402
from shared.chain import GENESIS, extend  # noqa: E402
from shared.checkpoint import Checkpoint  # noqa: E402
from shared.event import Event  # noqa: E402
from shared.ids import Idm  # noqa: E402
from shared.keys import SigningKey  # noqa: E402
from shared.timefmt import format_rfc3339  # noqa: E402

SITE = "12345678901234"
TOKEN = "bench-admin-token-0123456789abcdef"
BOOT = "00000000-0000-4000-8000-0000000000b1"
T0 = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def make_batches(device: str, key: SigningKey, total: int, size: int, cards: int = 500,
                 site: str = SITE) -> list[Batch]:
    """Signed batches of realistic tap events, built as a kiosk journal would (chain, checkpoint)."""
    head, out, seq = GENESIS, [], 0
    while seq < total:
        first, prev, events = seq + 1, head, []
        for _ in range(min(size, total - seq)):
            seq += 1
            ev = Event(device=device, epoch=1, seq=seq, boot=BOOT, mono_us=5_000_000 + seq * 30_000_000,
                       at=format_rfc3339(T0 + timedelta(seconds=30 * seq)), kind="tap", reader="usb:054c:06c3",
                       site=site, app="0.1.0", idm=Idm(f"{0x0123456789AB0000 + seq % cards:016X}"),
                       direction="in" if (seq // cards) % 2 == 0 else "out")
            data = ev.to_bytes()
            head = extend(head, data)
            events.append(data)
        note = Checkpoint(device, 1, seq, head).sign(key)
        out.append(Batch.build(device=device, epoch=1, first=first, prev=prev, events=events, checkpoint=note))
    return out


def event_rows(batch: Batch, stamp: str) -> list[dict[str, Any]]:
    head, rows = batch.prev, []
    for data in batch.events:
        ev = Event.from_bytes(data)
        head = extend(head, data)
        rows.append({"device": ev.device, "epoch": 1, "seq": ev.seq, "data": data, "head": head, "site": ev.site,
                     "kind": ev.kind, "at": ev.at, "boot": ev.boot, "mono_us": ev.mono_us, "server_at": ev.at,
                     "time_flags": "", "received_at": stamp})
    return rows


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    """uvicorn with its lifespan ON: the reconciling worker thread runs as in production."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def enroll(http: httpx.Client, device: str, key: SigningKey, site: str = SITE) -> None:
    code = http.post("/api/v1/admin/enrollment-codes", json={"site": site},
                     headers={"Authorization": f"Bearer {TOKEN}"}).json()["code"]
    resp = http.post("/api/v1/enroll", json={"code": code, "device": device, "epoch": 1,
                                             "key": key.verifier.encode(), "app": "0.1.0"})
    resp.raise_for_status()


def wait_lag_zero(ctx: ServerContext, timeout_s: float = 3600) -> None:
    deadline = time.monotonic() + timeout_s
    while ctx.worker.lag().pending:
        if time.monotonic() > deadline:
            raise TimeoutError("reconciliation did not catch up")
        time.sleep(0.005)


def ingest_side(ctx: ServerContext, http: httpx.Client, device: str, total: int, size: int, site: str,
                cpu: list[float] | None = None) -> float:
    """Events per second; appends to ``cpu`` this process's CPU µs per event (server, its worker and the
    HTTP client all run in this process)."""
    key = SigningKey.generate(f"{device}.e1")
    enroll(http, device, key, site)
    bodies = [b.to_bytes() for b in make_batches(device, key, total, size, site=site)]
    started, cpu_started = time.perf_counter(), time.process_time()
    for body in bodies:
        http.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE}).raise_for_status()
    wait_lag_zero(ctx)
    elapsed = time.perf_counter() - started
    if cpu is not None:
        cpu.append(1e6 * (time.process_time() - cpu_started) / total)
    return total / elapsed


def baseline_side(ctx: ServerContext, http: httpx.Client, device: str, total: int, size: int, site: str) -> float:
    key = SigningKey.generate(f"{device}.e1")
    enroll(http, device, key, site)  # the chain row the events reference
    stamp = format_rfc3339(datetime.now(UTC))
    per_batch = [event_rows(b, stamp) for b in make_batches(device, key, total, size, site=site)]
    started = time.perf_counter()
    for rows in per_batch:
        with write_transaction(ctx.engine) as conn:
            insert_rows(conn, t.events, rows)  # COPY on PostgreSQL, one multi-row INSERT on SQLite
    return total / (time.perf_counter() - started)


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1), "max": round(max(values), 1)}


def run_backend(url: str, data_dir: Path, total: int, size: int, rounds: int) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, database_url=url, admin_token=SecretStr(TOKEN), log_level="WARNING")
    ctx = open_context(settings)
    server, thread, base = serve(create_app(settings, context=ctx))
    ingest: list[float] = []
    baseline: list[float] = []
    cpu: list[float] = []
    try:
        with httpx.Client(base_url=base, timeout=600) as http:
            for r in range(rounds):
                # each round is another site's gate: rounds do not recompute each other's days
                ingest.append(ingest_side(ctx, http, f"bench-ingest-{r}", total, size, f"1234567890{r:04d}", cpu))
                baseline.append(baseline_side(ctx, http, f"bench-base-{r}", total, size, f"5678901234{r:04d}"))
        with ctx.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()
            rows = conn.execute(sa.text("SELECT count(*) FROM dom_work_days")).scalar_one()
        assert stored == 2 * rounds * total, f"expected {2 * rounds * total} rows, found {stored}"
        assert rows > 0, "reconciliation wrote no work-history rows"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        ctx.close()
    return {"ingest_events_per_s": spread(ingest), "baseline_events_per_s": spread(baseline),
            "ratio": round(statistics.median(ingest) / statistics.median(baseline), 3),
            "round_ratios": [round(a / b, 3) for a, b in zip(ingest, baseline, strict=True)],
            "ingest_cpu_us_per_event": spread(cpu)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny run (2 batches of 100 events, 3 rounds)")
    p.add_argument("--events", type=int, default=20_000, help="events per side and round (default 20000)")
    p.add_argument("--batch", type=int, default=1000, help="events per batch (default 1000)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds, at least 3 (default 3)")
    p.add_argument("--databases", default="sqlite,postgresql", help="comma list: sqlite, postgresql")
    p.add_argument("--postgresql-url", default=None, help="use this database instead of a durable throwaway cluster")
    args = p.parse_args(argv)
    total, size = (200, 100) if args.quick else (args.events, args.batch)
    rounds = max(3, args.rounds)
    result: dict[str, Any] = {"bench": "ingest", "events": total, "batch_events": size, "rounds": rounds,
                              "reconciliation": "on, timed until lag zero",
                              "baselines": {"sqlite": "multi-row INSERT", "postgresql": "COPY"}}
    with tempfile.TemporaryDirectory(prefix="genba-bench-") as tmp:
        for db in args.databases.split(","):
            if db == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'sqlite' / 'server.db'}"
                result["sqlite"] = run_backend(url, Path(tmp) / "sqlite", total, size, rounds)
            elif db == "postgresql":
                cluster = None
                url = args.postgresql_url
                if url is None:
                    from tests.pg import start_cluster

                    cluster = start_cluster(durable=True)
                    url = cluster.create_database()
                try:
                    result["postgresql"] = run_backend(url, Path(tmp) / "pg", total, size, rounds)
                finally:
                    if cluster is not None:
                        cluster.stop()
            else:
                p.error(f"unknown database {db!r}")
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
