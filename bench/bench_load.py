"""Load test: many simulated devices against server processes on one PostgreSQL, restarted mid-run.

A compressed morning rush on loopback only: every device has a backlog of
earlier days to drain and its workers all tap within a few minutes; the
devices upload concurrently (signed batches of at most ``--batch`` events,
re-sending from their last receipt after any failure, as syncd does) to
``genba server run --workers N`` on a PostgreSQL database, while the server
(all its processes) is killed with SIGKILL and restarted ``--restarts`` times.
Optionally the reconciling worker runs as its own ``genba server worker``
process and is killed with the server.

Bounded: a fixed number of devices and events, a deadline for the whole run
(``--deadline-s``), requests only to 127.0.0.1.

Checks (the run fails loudly if one does not hold): every device's events are
all held exactly once (zero lost, zero duplicated), every receipt verifies with
the server key and names the device's acked seq, reconciliation catches up
(lag zero) and the work history equals a rebuild from the raw events.

Prints ONE JSON line: devices, events, processes, restarts, sync latency
p50/p99 (ms, per successful upload), the largest reconciliation lag seen
(``genba_reconcile_lag_seconds`` sampled once a second), the time from the
last upload to lag zero, lost, duplicated. Tests run a CI-sized configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentiles  # noqa: E402
from server.store.domain_reconcile import all_rows, rebuild  # noqa: E402
from server.store.engine import make_engine, write_transaction  # noqa: E402
from shared.batch import BATCH_MEDIA_TYPE, Batch  # noqa: E402
from shared.chain import GENESIS, extend  # noqa: E402
from shared.checkpoint import Checkpoint, Receipt  # noqa: E402
from shared.event import Event  # noqa: E402
from shared.ids import Idm  # noqa: E402
from shared.keys import SigningKey, VerifierKey  # noqa: E402
from shared.timefmt import JST, format_rfc3339  # noqa: E402

TOKEN = "load-admin-token-0123456789abcdef0123"
BOOT = "00000000-0000-4000-8000-00000000100a"
RUSH = datetime(2026, 11, 24, 7, 30, tzinfo=JST)


@dataclass
class Device:
    name: str
    site: str
    key: SigningKey
    events: list[bytes] = field(default_factory=list)
    heads: list[bytes] = field(default_factory=list)
    acked: int = 0
    server_key: VerifierKey | None = None

    def build(self, cards: int, backlog_days: int, rng: random.Random) -> None:
        """A backlog of ``backlog_days`` ordinary days, then the rush: each card in within a few minutes."""
        moments: list[tuple[datetime, Idm, str]] = []
        idms = [Idm(f"{rng.getrandbits(60) | (1 << 60):016X}") for _ in range(cards)]
        for day in range(backlog_days, 0, -1):
            base = RUSH - timedelta(days=day)
            for idm in idms:
                moments.append((base + timedelta(seconds=rng.uniform(0, 600)), idm, "in"))
                moments.append((base + timedelta(hours=9, seconds=rng.uniform(0, 600)), idm, "out"))
        for idm in idms:
            moments.append((RUSH + timedelta(seconds=rng.uniform(0, 240)), idm, "in"))
        moments.sort()
        head = GENESIS
        for seq, (at, idm, direction) in enumerate(moments, start=1):
            ev = Event(device=self.name, epoch=1, seq=seq, boot=BOOT,
                       mono_us=int((at - moments[0][0]).total_seconds() * 1e6) + 1_000_000,
                       at=format_rfc3339(at), kind="tap", reader="sim", site=self.site, app="0.1.0", idm=idm,
                       direction=direction)  # type: ignore[arg-type]
            data = ev.to_bytes()
            head = extend(head, data)
            self.events.append(data)
            self.heads.append(head)

    def batch(self, size: int) -> Batch:
        first = self.acked + 1
        last = min(len(self.events), self.acked + size)
        note = Checkpoint(self.name, 1, last, self.heads[last - 1]).sign(self.key)
        prev = self.heads[first - 2] if first > 1 else GENESIS
        return Batch.build(device=self.name, epoch=1, first=first, prev=prev, events=self.events[first - 1:last],
                           checkpoint=note)


class Servers:
    """``genba server run --workers N`` (and optionally ``genba server worker``) in their own process groups."""

    def __init__(self, data_dir: Path, url: str, processes: int, port: int, separate_worker: bool) -> None:
        self.data_dir, self.url, self.processes, self.port = data_dir, url, processes, port
        self.separate_worker = separate_worker
        self.procs: list[subprocess.Popen[bytes]] = []

    def _env(self) -> dict[str, str]:
        return {**os.environ, "GENBA_DATA_DIR": str(self.data_dir), "GENBA_DATABASE_URL": self.url,
                "GENBA_ADMIN_TOKEN": TOKEN, "GENBA_LOG_LEVEL": "WARNING",
                "GENBA_RECONCILE_IN_PROCESS": "false" if self.separate_worker else "true"}

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.data_dir / "processes.log", "ab")  # noqa: SIM115 (lives as long as the process)
        return subprocess.Popen([sys.executable, "-m", "genba", *args], cwd=ROOT, env=self._env(), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        self.procs = [self._spawn("server", "run", "--workers", str(self.processes), "--port", str(self.port))]
        if self.separate_worker:
            self.procs.append(self._spawn("server", "worker"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.procs[0].poll() is not None:
                raise RuntimeError((self.data_dir / "processes.log").read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("server did not start within 120 s")

    def kill(self) -> None:
        """SIGKILL every process we started (each is a process-group leader: uvicorn's children go too)."""
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=30)
        self.procs = []


def metric(base: str, name: str) -> float | None:
    try:
        resp = httpx.get(f"{base}/metrics", timeout=5, headers={"Authorization": f"Bearer {TOKEN}"})
        resp.raise_for_status()  # /metrics needs a token (issue 9 item 11): a refusal must not read as "no queue"
        text = resp.text
    except httpx.HTTPError:
        return None
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def run(url: str, *, devices: int, cards: int, backlog_days: int, batch: int, processes: int, restarts: int,
        concurrency: int, separate_worker: bool, deadline_s: float, seed: int = 20261124) -> dict[str, Any]:
    rng = random.Random(seed)
    sites = [f"7000000000{i:04d}" for i in range(max(1, devices // 10))]
    fleet = [Device(f"load-{i:04d}", sites[i % len(sites)], SigningKey.generate(f"load-{i:04d}.e1"))
             for i in range(devices)]
    for d in fleet:
        d.build(cards, backlog_days, rng)
    total = sum(len(d.events) for d in fleet)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    lag_max = 0.0
    receipts_valid = 0
    failures = 0
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="genba-load-") as tmp:
        servers = Servers(Path(tmp), url, processes, port, separate_worker)
        servers.start()
        admin = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=base, timeout=60) as http:
            for d in fleet:
                code = http.post("/api/v1/admin/enrollment-codes", json={"site": d.site}, headers=admin).json()["code"]
                r = http.post("/api/v1/enroll", json={"code": code, "device": d.name, "epoch": 1,
                                                      "key": d.key.verifier.encode(), "app": "0.1.0"})
                r.raise_for_status()
                d.server_key = VerifierKey.decode(r.json()["server_key"])
        started = time.monotonic()
        done = threading.Event()

        def upload(d: Device) -> None:
            nonlocal receipts_valid, failures
            with httpx.Client(base_url=base, timeout=60) as client:
                while d.acked < len(d.events):
                    if time.monotonic() - started > deadline_s:
                        raise TimeoutError(f"{d.name} not done within {deadline_s} s")
                    body = d.batch(batch).to_bytes()
                    t0 = time.perf_counter()
                    try:
                        r = client.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE})
                    except httpx.HTTPError:
                        with lock:
                            failures += 1
                        time.sleep(0.2)  # the server is restarting: try again from the last receipt
                        continue
                    if r.status_code >= 500:
                        with lock:
                            failures += 1
                        time.sleep(0.2)
                        continue
                    r.raise_for_status()
                    got = r.json()
                    assert d.server_key is not None
                    receipt = Receipt.open(got["receipt"], [d.server_key])
                    assert (receipt.device, receipt.acked) == (d.name, got["acked"])
                    assert receipt.head == d.heads[got["acked"] - 1]
                    with lock:
                        latencies.append((time.perf_counter() - t0) * 1000)
                        receipts_valid += 1
                    d.acked = got["acked"]

        def sample_lag() -> None:
            nonlocal lag_max
            while not done.is_set():
                lag = metric(base, "genba_reconcile_lag_seconds")
                if lag is not None:
                    lag_max = max(lag_max, lag)
                done.wait(1.0)

        restarted = 0

        def restarter() -> None:
            nonlocal restarted
            for k in range(1, restarts + 1):
                while not done.is_set() and sum(d.acked for d in fleet) < total * k / (restarts + 1):
                    time.sleep(0.05)
                if done.is_set():
                    return
                servers.kill()
                servers.start()
                restarted += 1

        sampler = threading.Thread(target=sample_lag, daemon=True)
        chaos = threading.Thread(target=restarter, daemon=True)
        sampler.start()
        chaos.start()
        try:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(upload, fleet))
            uploaded = time.monotonic()
            chaos.join(timeout=deadline_s)
            while (metric(base, "genba_reconcile_queue_batches") or 0) > 0:
                if time.monotonic() - started > deadline_s:
                    raise TimeoutError("reconciliation did not catch up within the deadline")
                time.sleep(0.1)
            caught_up = time.monotonic()
        finally:
            done.set()
            servers.kill()
            log = Path(tmp) / "processes.log"
            if log.exists():  # kept for a look after the run (the data directory goes away)
                (Path(tempfile.gettempdir()) / "genba-load-processes.log").write_bytes(log.read_bytes())
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                held = conn.execute(sa.text(
                    "SELECT count(*), count(DISTINCT (device, epoch, seq)) FROM events")).one()
                per_device: dict[str, int] = {str(d): int(s) for d, s in conn.execute(
                    sa.text("SELECT device, max(seq) FROM events GROUP BY device"))}
                incremental = all_rows(conn)
            with write_transaction(engine) as conn:
                rebuild(conn)
            with engine.connect() as conn:
                rebuilt = all_rows(conn)
        finally:
            engine.dispose()
    lost = sum(len(d.events) - per_device.get(d.name, 0) for d in fleet)
    duplicated = int(held[0]) - int(held[1]) + max(0, int(held[0]) - total)
    assert lost == 0 and duplicated == 0, f"lost {lost}, duplicated {duplicated}"
    assert incremental == rebuilt and incremental, "incremental history differs from a rebuild"
    lat = percentiles([x * 1000 for x in latencies])
    return {"bench": "load", "devices": devices, "events": total, "processes": processes, "restarts": restarted,
            "separate_worker": separate_worker, "concurrency": concurrency, "uploads": receipts_valid,
            "failed_attempts": failures, "sync_ms_p50": round(lat["p50_us"] / 1000, 1),
            "sync_ms_p99": round(lat["p99_us"] / 1000, 1), "lag_s_max": round(lag_max, 2),
            "upload_s": round(uploaded - started, 1), "catch_up_s": round(caught_up - uploaded, 2),
            "lost": lost, "duplicated": duplicated, "history_rows": len(incremental), "rebuild_identical": True}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--cards", type=int, default=20, help="workers per device (default 20)")
    p.add_argument("--backlog-days", type=int, default=2, help="earlier days each device still has to send")
    p.add_argument("--batch", type=int, default=100, help="events per upload at most (default 100)")
    p.add_argument("--processes", type=int, default=2, help="server processes (default 2)")
    p.add_argument("--restarts", type=int, default=2, help="SIGKILL + restart of the server during the run")
    p.add_argument("--concurrency", type=int, default=50, help="devices uploading at once (default 50)")
    p.add_argument("--separate-worker", action="store_true", help="run 'genba server worker' as its own process")
    p.add_argument("--deadline-s", type=float, default=1800, help="give up after this long")
    p.add_argument("--postgresql-url", default=None, help="use this database instead of a throwaway cluster")
    args = p.parse_args(argv)
    cluster = None
    url = args.postgresql_url
    if url is None:
        from tests.pg import start_cluster

        cluster = start_cluster(durable=True)
        url = cluster.create_database()
    try:
        result = run(url, devices=args.devices, cards=args.cards, backlog_days=args.backlog_days, batch=args.batch,
                     processes=args.processes, restarts=args.restarts, concurrency=args.concurrency,
                     separate_worker=args.separate_worker, deadline_s=args.deadline_s)
    finally:
        if cluster is not None:
            cluster.stop()
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
