"""Benchmark: ingest throughput over HTTP with signed 1,000-event batches vs. a raw executemany insert.

For each database (SQLite file, throwaway PostgreSQL cluster) in the same run:

- **http**: a real server (uvicorn on 127.0.0.1) ingesting signed batches
  posted one after the other by httpx — verification, chain placement,
  corrected times, receipt signing, one transaction per batch;
- **service**: the same ingest called in-process (no HTTP), to separate
  transport cost from verification and storage;
- **raw**: the same event rows inserted into the same ``events`` table with
  SQLAlchemy ``executemany``, one transaction per 1,000 rows — the floor
  ingest cannot beat.

Prints ONE JSON line: per database the events/s of both and their ratio
(issue 5 aims at ≥ 0.5). ``--quick`` runs a tiny configuration (used by the
test suite to prove the benchmark works). Reconciliation (the queue worker) is
not measured unless ``--with-hooks`` (then the http time runs until lag zero).
"""

from __future__ import annotations

import argparse
import json
import socket
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

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server import Settings, create_app, open_context  # noqa: E402
from server.store import schema as t  # noqa: E402
from server.store.engine import write_transaction  # noqa: E402
from shared.batch import BATCH_MEDIA_TYPE, Batch  # noqa: E402
from shared.chain import GENESIS, extend  # noqa: E402
from shared.checkpoint import Checkpoint  # noqa: E402
from shared.event import Event  # noqa: E402
from shared.keys import SigningKey  # noqa: E402
from shared.timefmt import format_rfc3339  # noqa: E402

SITE = "12345678901234"
TOKEN = "bench-admin-token-0123456789abcdef"
BOOT = "00000000-0000-4000-8000-0000000000b1"
T0 = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def make_batches(device: str, key: SigningKey, total: int, size: int) -> list[Batch]:
    """Signed batches of realistic tap events, built as a kiosk journal would (chain, checkpoint)."""
    head, out, seq = GENESIS, [], 0
    while seq < total:
        first, prev, events = seq + 1, head, []
        for _ in range(min(size, total - seq)):
            seq += 1
            ev = Event(device=device, epoch=1, seq=seq, boot=BOOT, mono_us=5_000_000 + seq * 30_000_000,
                       at=format_rfc3339(T0 + timedelta(seconds=30 * seq)), kind="tap", reader="usb:054c:06c3",
                       site=SITE, app="0.1.0", idm=f"{0x0123456789AB0000 + seq % 500:016X}",
                       direction="in" if seq % 2 else "out")
            data = ev.to_bytes()
            head = extend(head, data)
            events.append(data)
        note = Checkpoint(device, 1, seq, head).sign(key)
        out.append(Batch.build(device=device, epoch=1, first=first, prev=prev, events=events, checkpoint=note))
    return out


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def enroll(http: httpx.Client, device: str, key: SigningKey) -> None:
    code = http.post("/api/v1/admin/enrollment-codes", json={"site": SITE},
                     headers={"Authorization": f"Bearer {TOKEN}"}).json()["code"]
    resp = http.post("/api/v1/enroll", json={"code": code, "device": device, "epoch": 1,
                                             "key": key.verifier.encode(), "app": "0.1.0"})
    resp.raise_for_status()


def run_backend(url: str, data_dir: Path, total: int, size: int, with_hooks: bool) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, database_url=url, admin_token=TOKEN, log_level="WARNING")
    ctx = open_context(settings)
    app = create_app(settings, context=ctx)  # lifespan off below: the worker runs only where drained
    server, thread, base = serve(app)
    try:
        with httpx.Client(base_url=base, timeout=120) as http:
            http_key, raw_key = SigningKey.generate("bench-http.e1"), SigningKey.generate("bench-raw.e1")
            direct_key = SigningKey.generate("bench-direct.e1")
            enroll(http, "bench-http", http_key)
            enroll(http, "bench-raw", raw_key)
            enroll(http, "bench-direct", direct_key)
            batches = make_batches("bench-http", http_key, total, size)
            bodies = [b.to_bytes() for b in batches]
            started = time.perf_counter()
            for body in bodies:
                resp = http.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE})
                resp.raise_for_status()
            if with_hooks:
                ctx.worker.drain(timeout_s=3600)  # until history has caught up (lag zero)
            http_s = time.perf_counter() - started

        # the same ingest without HTTP: separates transport cost from verification + storage
        direct = [b.to_bytes() for b in make_batches("bench-direct", direct_key, total, size)]
        started = time.perf_counter()
        for body in direct:
            ctx.ingest.ingest(body)
        direct_s = time.perf_counter() - started

        raw_batches = make_batches("bench-raw", raw_key, total, size)
        stamp = format_rfc3339(datetime.now(UTC))
        rows_per_batch = []
        for b in raw_batches:
            head, rows = b.prev, []
            for data in b.events:
                ev = Event.from_bytes(data)
                head = extend(head, data)
                rows.append({"device": ev.device, "epoch": 1, "seq": ev.seq, "data": data, "head": head,
                             "site": ev.site, "kind": ev.kind, "at": ev.at, "boot": ev.boot, "mono_us": ev.mono_us,
                             "server_at": ev.at, "time_flags": "", "received_at": stamp})
            rows_per_batch.append(rows)
        started = time.perf_counter()
        for rows in rows_per_batch:
            with write_transaction(ctx.engine) as conn:
                conn.execute(t.events.insert(), rows)
        raw_s = time.perf_counter() - started
        with ctx.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(t.events)).scalar_one()
        assert stored == 3 * total, f"expected {3 * total} rows, found {stored}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        ctx.close()
    http_rate, raw_rate = total / http_s, total / raw_s
    return {"http_events_per_s": round(http_rate), "raw_events_per_s": round(raw_rate),
            "service_events_per_s": round(total / direct_s),
            "ratio": round(http_rate / raw_rate, 3), "http_s": round(http_s, 3), "raw_s": round(raw_s, 3)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny run (2 batches of 100 events)")
    p.add_argument("--events", type=int, default=20_000, help="events per database (default 20000)")
    p.add_argument("--batch", type=int, default=1000, help="events per batch (default 1000)")
    p.add_argument("--databases", default="sqlite,postgresql", help="comma list: sqlite, postgresql")
    p.add_argument("--postgresql-url", default=None, help="use this database instead of a throwaway cluster")
    p.add_argument("--with-hooks", action="store_true", help="include reconciliation (drain the worker) in http time")
    args = p.parse_args(argv)
    total, size = (200, 100) if args.quick else (args.events, args.batch)
    result: dict[str, Any] = {"bench": "ingest", "events": total, "batch_events": size,
                              "reconcile_hooks": args.with_hooks}
    with tempfile.TemporaryDirectory(prefix="genba-bench-") as tmp:
        for db in args.databases.split(","):
            if db == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'sqlite' / 'server.db'}"
                result["sqlite"] = run_backend(url, Path(tmp) / "sqlite", total, size, args.with_hooks)
            elif db == "postgresql":
                cluster = None
                url = args.postgresql_url
                if url is None:
                    from tests.pg import start_cluster

                    cluster = start_cluster()
                    url = cluster.create_database()
                try:
                    result["postgresql"] = run_backend(url, Path(tmp) / "pg", total, size, args.with_hooks)
                finally:
                    if cluster is not None:
                        cluster.stop()
            else:
                p.error(f"unknown database {db!r}")
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
