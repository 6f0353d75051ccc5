"""Benchmark: reconcile one month of a 1,000-worker site, next to a plain scan of the same raw events.

Prints ONE JSON line. Figures:

- ``scan_s``: baseline — parse every raw event from its canonical bytes (what any reader of the
  raw log must at least do), measured in the same run;
- ``pure_s``: the pure core: interpret the events (amends, clock checks) and reconcile them into rows;
- P5 (issue 10), through the database, interleaved A, B, A, B… for ``--rounds`` (≥ 3) rounds: A =
  ``rebuild`` (index + reconcile + write every row, in one transaction), B = a plain SQL fetch of the
  same raw rows (``SELECT data, server_at, time_flags`` of the site, no parsing); the median and the
  spread (min–max) of each, ``rebuild_vs_fetch`` = median A ÷ median B (aim ≤ 3) and the rebuild rate
  in events/s (aim ≥ 20,000); also each side's CPU seconds in this process (the machine is shared,
  so wall-clock rates fall with other load; on PostgreSQL the server's own CPU is not included).
  ``--postgresql`` runs it on a throwaway cluster with fsync on;
- the worker (P3's reconciliation share, P6's fixed cost per round), after the rebuilds, on the same
  month: the real :class:`server.worker.ReconcileWorker` with ingest's hand-off, timed per round (wall and
  CPU) for three shapes, ``--worker-rounds`` (≥ 3) each — one 1,000-event batch (1,000 cards, a gate's
  morning), 50 one-event batches in one round from 50 kiosks (a burst of small syncs, P6's round: 50 device
  logs, each indexed before), one one-event batch — as CPU µs per event and ms per round.

    uv run python bench/bench_reconcile.py            # 1,000 workers, one month (~30 s)
    uv run python bench/bench_reconcile.py --quick    # 100 workers
    uv run python bench/bench_reconcile.py --postgresql    # a durable throwaway cluster
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.domain.reconcile import Rules, reconcile
from server.domain.registry import CardBinding
from server.domain.roster import RosterEntry
from server.domain.taps import derive
from server.store import domain_schema as dt
from server.store import schema as st
from server.store.domain_reconcile import rebuild
from server.store.engine import make_engine, migrate, write_transaction
from shared.event import Event
from shared.ids import Idm
from shared.timefmt import JST, format_rfc3339

BOOT = "00000000-0000-4000-8000-00000000b001"
COMPANY = "10000000000009"
MONTH = date(2026, 10, 1)


def site_id(i: int) -> str:
    return f"8{i:013d}"


def worker_id(site: int, n: int) -> str:
    return f"6{site:07d}{n:06d}"


def idm_of(site: int, n: int) -> Idm:
    return Idm(f"{site:08X}{n:08X}")


def site_events(site: int, workers: int, days: int, rng: random.Random) -> Iterator[Event]:
    """One site's month: two kiosks, weekday taps, a few repeats and forgotten exits."""
    plans: dict[str, list[tuple[datetime, Idm, str]]] = {"a": [], "b": []}
    for d in range(days):
        day = MONTH + timedelta(days=d)
        if day.weekday() == 6:
            continue
        for n in range(workers):
            if rng.random() > 0.85:
                continue
            idm = idm_of(site, n)
            t_in = datetime(day.year, day.month, day.day, 7, 30, tzinfo=JST) + timedelta(seconds=rng.randrange(2700))
            t_out = datetime(day.year, day.month, day.day, 17, 0, tzinfo=JST) + timedelta(seconds=rng.randrange(5400))
            plans["a" if rng.random() < 0.7 else "b"].append((t_in, idm, "in"))
            if rng.random() < 0.03:
                plans["a"].append((t_in + timedelta(seconds=10), idm, "in"))
            if rng.random() > 0.02:
                plans["b" if rng.random() < 0.7 else "a"].append((t_out, idm, "out"))
    for k, plan in plans.items():
        plan.sort()
        start = datetime(MONTH.year, MONTH.month, MONTH.day, tzinfo=JST) - timedelta(days=1)
        for seq, (at, card, direction) in enumerate(plan, 1):
            mono = int((at - start).total_seconds() * 1_000_000)
            yield Event(device=f"bench-{site}-{k}", epoch=1, seq=seq, boot=BOOT, mono_us=mono,
                        at=format_rfc3339(at), kind="tap", reader="sim", site=site_id(site), app="bench",
                        idm=card, direction=direction)  # type: ignore[arg-type]


def registry_rows(site: int, workers: int) -> tuple[list[CardBinding], list[RosterEntry]]:
    bindings = [CardBinding(idm_of(site, n), worker_id(site, n), date(2026, 1, 1)) for n in range(workers)]
    roster = [RosterEntry(site_id(site), worker_id(site, n), COMPANY, date(2026, 1, 1), trade_code="0201",
                          position="作業員") for n in range(workers)]
    return bindings, roster


def utc_text(at: str) -> str:
    """``server_at`` as ingest stores it: the corrected time in UTC (``…Z``); here the device's clock is right."""
    return format_rfc3339(datetime.fromisoformat(at).astimezone(UTC))


def load_database(conn: sa.Connection, sites: dict[int, list[Event]], workers: int) -> None:
    """Raw events straight into the sync tables (ingest is benchmarked elsewhere), plus a registry; ``server_at``
    in UTC, as ingest writes it (before session 5 the device's local text was stored there, which made every
    tap's time a non-UTC datetime: a rebuild took 3–14 % more CPU than with UTC times, two in-process pairs)."""
    stamp = "2026-11-01T00:00:00.000Z"
    if conn.execute(sa.select(dt.companies.c.company).where(dt.companies.c.company == COMPANY)).first() is None:
        conn.execute(dt.companies.insert().values(company=COMPANY, name="ベンチ建設", origin="local"))
    for s, events in sites.items():
        conn.execute(dt.sites.insert().values(site=site_id(s), name=f"site {s}", prime=COMPANY, address="",
                                              order_type="private", day_boundary="04:00", timezone="Asia/Tokyo",
                                              repeat_window_s=120, origin="local"))
        conn.execute(dt.workers.insert(), [
            {"worker": worker_id(s, n), "name": "w", "furigana": "w", "employer": COMPANY, "level": 1,
             "qualifications": "[]", "origin": "local"} for n in range(workers)])
        bindings, roster = registry_rows(s, workers)
        conn.execute(dt.card_bindings.insert(), [
            {"idm": b.idm, "worker": b.worker, "valid_from": b.valid_from.isoformat()} for b in bindings])
        conn.execute(dt.roster.insert(), [
            {"site": e.site, "worker": e.worker, "employer": e.employer, "valid_from": e.valid_from.isoformat(),
             "trade_code": e.trade_code, "position": e.position, "work_content": "", "hazardous": "",
             "health_checks": "[]", "qualifications": "[]"} for e in roster])
        by_device: dict[str, list[Event]] = {}
        for e in events:
            by_device.setdefault(e.device, []).append(e)
        for device, evs in by_device.items():
            conn.execute(st.devices.insert().values(device=device, epoch=1, site=site_id(s), verifier_key="-",
                                                    app="bench", enrolled_at=stamp))
            conn.execute(st.chains.insert().values(device=device, epoch=1, last_seq=len(evs), head=b"\0" * 32,
                                                   updated_at=stamp))
            for i in range(0, len(evs), 5000):
                conn.execute(st.events.insert(), [
                    {"device": e.device, "epoch": 1, "seq": e.seq, "data": e.to_bytes(), "head": b"\0" * 32,
                     "site": e.site, "kind": e.kind, "at": e.at, "boot": e.boot, "mono_us": e.mono_us,
                     "server_at": utc_text(e.at), "time_flags": "", "received_at": stamp} for e in evs[i:i + 5000]])


def worker_rounds(engine: sa.Engine, month: list[Event], workers: int, rounds: int) -> dict[str, object]:
    """The reconciling worker on top of the rebuilt month: new events stored as ingest stores them (with their
    queue row, in one transaction), handed off as ingest hands them (with the log's event before them), then one
    timed ``run_once``."""
    from server.ingest import IngestedBatch, IngestedEvent
    from server.security.schema import device_sites
    from server.store import queue
    from server.worker import ReconcileWorker

    worker = ReconcileWorker(engine)
    last: dict[str, int] = {}
    prior: dict[str, Event] = {}  # each device's last stored event: ingest hands it off with the next batch
    for e in month:
        last[e.device] = max(last.get(e.device, 0), e.seq)
        if e.seq == last[e.device]:
            prior[e.device] = e
    clock = {"t": datetime(MONTH.year, MONTH.month, MONTH.day, 6, 0, tzinfo=JST) + timedelta(days=40)}
    start = datetime(MONTH.year, MONTH.month, MONTH.day, tzinfo=JST) - timedelta(days=1)

    def batch(device: str, n: int, first_card: int) -> IngestedBatch:
        evs = []
        for i in range(n):
            last[device] += 1
            clock["t"] += timedelta(seconds=1)
            at = clock["t"]
            evs.append(Event(device=device, epoch=1, seq=last[device], boot=BOOT,
                             mono_us=int((at - start).total_seconds() * 1_000_000), at=format_rfc3339(at), kind="tap",
                             reader="sim", site=site_id(1), app="bench", idm=idm_of(1, (first_card + i) % workers),
                             direction="in"))
        stamp = format_rfc3339(clock["t"].astimezone(UTC))
        with write_transaction(engine) as conn:
            stored = []
            for e in evs:
                corrected = datetime.fromisoformat(e.at).astimezone(UTC)
                stored.append(IngestedEvent(e.seq, e, e.to_bytes(), format_rfc3339(corrected), (), corrected))
            conn.execute(st.events.insert(), [
                {"device": e.device, "epoch": 1, "seq": e.seq, "data": x.data, "head": b"\0" * 32, "site": e.site,
                 "kind": e.kind, "at": e.at, "boot": e.boot, "mono_us": e.mono_us, "server_at": x.server_at,
                 "time_flags": "", "received_at": stamp} for e, x in zip(evs, stored, strict=True)])
            qid = queue.enqueue(conn, device=device, epoch=1, first_seq=evs[0].seq, last_seq=evs[-1].seq,
                                site=site_id(1), at=stamp)
        previous, prior[device] = prior.get(device), evs[-1]
        return IngestedBatch(device, 1, site_id(1), tuple(stored), previous, qid)

    def two_kiosks(r: int, b: int) -> str:
        return "bench-1-a" if (r + b) % 2 else "bench-1-b"

    def fifty_kiosks(r: int, b: int) -> str:  # P6's shape: each device syncs its one new event
        return f"bench-1-d{b:02d}"

    shapes = {"batch_1000": (1, 1000, two_kiosks), "burst_50x1": (50, 1, fifty_kiosks),
              "single_1": (1, 1, two_kiosks)}
    out: dict[str, object] = {}
    for name, (n_batches, size, device_of) in shapes.items():
        walls, cpus = [], []
        if device_of is fifty_kiosks:  # enrolled, their first events, so every timed round continues 50 marks
            stamp = format_rfc3339(clock["t"].astimezone(UTC))
            with write_transaction(engine) as conn:
                for b in range(n_batches):
                    conn.execute(st.devices.insert().values(device=device_of(0, b), epoch=1, site=site_id(1),
                                                            verifier_key="-", app="bench", enrolled_at=stamp))
                    conn.execute(st.chains.insert().values(device=device_of(0, b), epoch=1, last_seq=0,
                                                           head=b"\0" * 32, updated_at=stamp))
                    conn.execute(device_sites.insert().values(device=device_of(0, b), epoch=1, from_seq=1,
                                                              site=site_id(1), assigned_at=stamp,
                                                              assigned_by="enrollment"))
            for b in range(n_batches):
                last[device_of(0, b)] = 0
                worker.offer(batch(device_of(0, b), 1, b))
            worker.run_once()
        for r in range(max(3, rounds)):
            for b in range(n_batches):
                worker.offer(batch(device_of(r, b), size, r * 997 + b * 13))
            _, took, cpu = timed_cpu(worker.run_once)
            walls.append(took)
            cpus.append(cpu)
        n = n_batches * size
        out[name] = {"round_ms": spread([w * 1000 for w in walls]), "round_cpu_ms": spread([c * 1000 for c in cpus]),
                     "cpu_us_per_event": round(statistics.median(cpus) * 1e6 / n, 1)}
    return out


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4)}


R = TypeVar("R")


def timed(fn: Callable[[], R]) -> tuple[R, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def timed_cpu(fn: Callable[[], R]) -> tuple[R, float, float]:
    """Wall-clock and this process's CPU seconds (the machine is shared: CPU time shows the work itself)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--quick", action="store_true", help="100 workers (a few seconds)")
    ap.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    ap.add_argument("--postgresql", action="store_true", help="a throwaway PostgreSQL cluster with fsync on")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds, at least 3")
    ap.add_argument("--worker-rounds", type=int, default=3, help="worker rounds per shape, at least 3 (0: none)")
    args = ap.parse_args(argv)
    workers = 100 if args.quick else args.workers
    rng = random.Random(7)
    events = list(site_events(1, workers, args.days, rng))
    raw = [e.to_bytes() for e in events]

    _, scan_s = timed(lambda: sum(1 for b in raw if Event.from_bytes(b).kind == "tap"))
    bindings, roster = registry_rows(1, workers)

    def pure() -> int:
        d = derive(Event.from_bytes(b) for b in raw)
        return len(reconcile(site_id(1), d.taps, rules=Rules(), bindings=bindings, binds=d.binds, roster=roster))

    rows, pure_s = timed(pure)
    tmp = tempfile.mkdtemp(prefix="genba-bench-")
    cluster = None
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    if args.postgresql:
        from tests.pg import start_cluster

        cluster = start_cluster(durable=True)
        url = cluster.create_database()
    engine = make_engine(url)
    migrate(engine)
    with write_transaction(engine) as conn:
        load_database(conn, {1: events}, workers)

    def db_fetch() -> int:
        with engine.connect() as conn:
            ec = st.events.c
            return len(conn.execute(sa.select(ec.data, ec.server_at, ec.time_flags).where(
                ec.site == site_id(1))).all())

    def db_rebuild() -> dict[str, int]:
        with write_transaction(engine) as conn:
            return rebuild(conn)

    fetch_s: list[float] = []
    rebuild_s: list[float] = []
    fetch_cpu: list[float] = []
    rebuild_cpu: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(max(3, args.rounds)):
        counts, took, cpu = timed_cpu(db_rebuild)
        rebuild_s.append(took)
        rebuild_cpu.append(cpu)
        fetched, took, cpu = timed_cpu(db_fetch)
        fetch_s.append(took)
        fetch_cpu.append(cpu)
        assert fetched == len(events)
    worker = worker_rounds(engine, events, workers, args.worker_rounds) if args.worker_rounds else {}
    engine.dispose()
    if cluster is not None:
        cluster.stop()
    med_rebuild, med_fetch = statistics.median(rebuild_s), statistics.median(fetch_s)
    result: dict[str, object] = {
        "bench": "reconcile", "dialect": url.split(":", 1)[0], "workers": workers, "days": args.days,
        "events": len(events), "rows": rows, "db_rows": counts["rows"], "rounds": len(rebuild_s),
        "scan_s": round(scan_s, 4), "pure_s": round(pure_s, 4), "pure_vs_scan": round(pure_s / scan_s, 2),
        "pure_events_per_s": round(len(events) / pure_s), "pure_rows_per_s": round(rows / pure_s),
        "db_fetch_s": spread(fetch_s), "db_rebuild_s": spread(rebuild_s),
        "rebuild_vs_fetch": round(med_rebuild / med_fetch, 2),
        "rebuild_events_per_s": round(len(events) / med_rebuild),
        "db_fetch_cpu_s": spread(fetch_cpu), "db_rebuild_cpu_s": spread(rebuild_cpu),
        "rebuild_events_per_cpu_s": round(len(events) / statistics.median(rebuild_cpu)),
        "db_rows_per_s": round(counts["rows"] / med_rebuild),
        "worker": worker,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
