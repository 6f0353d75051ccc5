"""Benchmark: syncd draining a seven-day backlog, and many one-event syncs from concurrent devices.

A real server (uvicorn in its own process on 127.0.0.1, SQLite on disk unless
``--database-url``) and real devices (enrolled, journals on disk, state.db).

- **drain** (P4): a journal holding ``--events`` (default 14,000 ≈ seven days of
  a busy gate) is uploaded by one ``SyncEngine`` cycle: build batches from the
  journal, POST, verify each receipt with the pinned key, store it in state.db;
  timed until the server has reconciled every event (lag zero).
- **drain baseline** (P3's rate on the same workload): the same number of events
  of another device, as signed ``--max-events`` batches (1,000 by default, as P3
  sends them) pre-built in memory, POSTed back to back with bare httpx — no journal
  reads, no receipt verification, no state writes — and timed until lag zero, as
  P3 is. ``drain_ratio`` is P4 as issue 10 defines it: the drain ÷ P3's rate,
  both measured in the same run, interleaved.
- **small syncs** (P6): ``--devices`` devices (default 50) in threads, each
  repeatedly appending one tap and running an upload cycle (one event per
  batch): syncs per second, timed until the server's reconciliation queue is
  empty (lag zero: the work-history rows exist);
- **small baseline** (P6): the same number of requests from as many threads to
  the same server's no-op endpoint (``GET /healthz``); also reported, the same
  devices POSTing pre-built one-event batches with bare httpx.

Every side runs once per round on fresh devices, interleaved, for ``--rounds``
(≥ 3) rounds; medians and spread (min–max). Also printed: the CPU milliseconds
per small sync and per no-op request, of the server process and of this
(client) process, over the timed span (set-up not counted), and the worker's
rounds per round of small syncs (``small_worker_rounds``, from the server's
``genba_reconcile_rounds_total``). Prints ONE JSON
line. ``--quick`` runs a tiny configuration (the test suite uses it to prove
the benchmark works). ``--small-only``: only the small syncs and their baselines;
``--drain-only``: only the drain and its baseline. ``--client-processes N``
spreads the small syncs' devices and their baselines' clients over N spawned
processes (default 1: threads of this process); ``--http`` picks uvicorn's
HTTP parser for both servers.

P6 against the strongest baseline: ``--client-processes 1,2`` runs the small
syncs and the no-op baseline in each arrangement in every round (interleaved),
and the top-level P6 figures compare the arrangement with the most syncs per
second with the arrangement with the most no-op requests per second (run
medians; ``small_round_ratios`` the same two arrangements round by round).
Each arrangement's own figures are under ``arrangements``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.batch import BATCH_MEDIA_TYPE  # noqa: E402
from shared.device import load_or_create_identity, load_or_create_key  # noqa: E402
from shared.ids import Idm  # noqa: E402
from shared.journal import EventDraft, JournalReader, JournalWriter  # noqa: E402
from shared.paths import DataDir  # noqa: E402
from shared.state import StateWriter  # noqa: E402
from syncd.client import SyncClient  # noqa: E402
from syncd.engine import SyncEngine  # noqa: E402
from syncd.enroll import enroll  # noqa: E402

SITE = "90000000000001"


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by this (client) process and by a server process over a ``with`` block."""

    def __init__(self, server: Server) -> None:
        self.pid = server.proc.pid
        self.client = self.server = 0.0

    def __enter__(self) -> CpuMeter:
        self._c, self._s = time.process_time(), process_cpu_s(self.pid)
        return self

    def __exit__(self, *_: object) -> None:
        self.client, self.server = time.process_time() - self._c, process_cpu_s(self.pid) - self._s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, root: Path, database_url: str | None, http: str = "auto") -> None:
        self.token = secrets.token_urlsafe(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GENBA_DATA_DIR": str(root), "GENBA_ADMIN_TOKEN": self.token,
               "GENBA_LOG_LEVEL": "WARNING",
               "GENBA_DATABASE_URL": database_url or f"sqlite:///{root / 'server.db'}"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log", "--http", http],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.1)

    def code(self) -> str:
        r = httpx.post(f"{self.url}/api/v1/admin/enrollment-codes", json={"site": SITE, "ttl_minutes": 60},
                       headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        r.raise_for_status()
        return str(r.json()["code"])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def device(root: Path, server: Server, name: str, taps: int) -> DataDir:
    data = DataDir.resolve(root / name).ensure()
    load_or_create_identity(data)
    client = SyncClient(server.url)
    try:
        done = enroll(data, client, server_url=server.url, code=server.code())
    finally:
        client.close()
    writer = JournalWriter.open(data.journal, done.identity, load_or_create_key(data, done.identity))
    try:
        for i in range(taps):
            writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=Idm(f"012E{i % 997:012X}"),
                                     direction="in" if i % 2 == 0 else "out"))
    finally:
        writer.close()
    return data


def engine_for(data: DataDir, max_events: int) -> tuple[SyncEngine, StateWriter, SyncClient]:
    from shared.device import load_identity

    identity = load_identity(data)
    assert identity is not None and identity.server_url
    state = StateWriter.open(data.state)
    client = SyncClient(identity.server_url, device=identity.device, epoch=identity.epoch,
                        key=load_or_create_key(data, identity))
    return SyncEngine(data, identity, state, client, max_events=max_events), state, client


def drain(data: DataDir, max_events: int, server: Server) -> float:
    engine, state, client = engine_for(data, max_events)
    try:
        engine.reconcile()  # start-up question, not part of the drain
        t0 = time.perf_counter()
        report = engine.run_once(pull=False, report_status=False)
        wait_lag_zero(server)
        elapsed = time.perf_counter() - t0
        assert report.ok, report.errors
    finally:
        engine.close()
        client.close()
        state.close()
    return elapsed


def raw_post(data: DataDir, server: Server, max_events: int) -> float:
    with JournalReader(data.journal) as journal:
        last, _ = journal.last(1)
        bodies = []
        first = 1
        while first <= last:
            batch = journal.batch(1, first, max_events)
            assert batch is not None
            bodies.append(batch.to_bytes())
            first = batch.last + 1
    with httpx.Client(base_url=server.url, timeout=60) as http:
        t0 = time.perf_counter()
        for body in bodies:
            r = http.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE})
            assert r.status_code == 200, r.text
        wait_lag_zero(server)
        return time.perf_counter() - t0


def sync_device(syncs: int, data: DataDir, start: Callable[[], None]) -> None:
    """One device: append one tap, run one upload cycle; ``syncs`` times (P6's device)."""
    engine, state, client = engine_for(data, 1)
    identity = engine.identity
    writer = JournalWriter.open(data.journal, identity, load_or_create_key(data, identity))
    try:
        engine.reconcile()
        start()
        for _ in range(syncs):
            writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=Idm("012E0000000000AA"),
                                     direction="in"))
            report = engine.run_once(pull=False, report_status=False)
            assert report.ok and report.acknowledged == 1, report.errors
    finally:
        writer.close()
        engine.close()
        client.close()
        state.close()


def post_bodies(url: str, bodies: list[bytes], start: Callable[[], None]) -> None:
    """Pre-built batches POSTed back to back on one keep-alive connection with bare httpx."""
    with httpx.Client(base_url=url, timeout=60) as http:
        start()
        for body in bodies:
            r = http.post("/api/v1/batches", content=body, headers={"Content-Type": BATCH_MEDIA_TYPE})
            assert r.status_code == 200, r.text


def get_noop(url: str, requests: int, _: int, start: Callable[[], None]) -> None:
    """``requests`` no-op requests (``GET /healthz``: one ``SELECT 1``) on one keep-alive connection."""
    with httpx.Client(base_url=url, timeout=60) as http:
        start()
        for _ in range(requests):
            http.get("/healthz").raise_for_status()


def small_syncs(datas: list[DataDir], rounds: int, server: Server, meter: CpuMeter | None = None,
                processes: int = 1) -> float:
    """Each device: append one tap, run one upload cycle; repeat. Returns elapsed seconds until the server has
    reconciled them all (lag zero)."""
    return timed(functools.partial(sync_device, rounds), datas, processes,
                 finish=lambda: wait_lag_zero(server), meter=meter)


def small_raw(datas: list[DataDir], url: str, processes: int = 1) -> float:
    """The same number of one-event batches, pre-built, POSTed concurrently with bare httpx."""
    per: list[list[bytes]] = []
    for data in datas:
        with JournalReader(data.journal) as journal:
            last, _ = journal.last(1)
            per.append([b.to_bytes() for s in range(1, last + 1) if (b := journal.batch(1, s, 1)) is not None])
    return timed(functools.partial(post_bodies, url), per, processes)


def timed(work: Callable[[T, Callable[[], None]], None], items: Sequence[T], processes: int,
          finish: Callable[[], None] | None = None, meter: CpuMeter | None = None) -> float:
    """One thread per item, in this process (``processes`` 1) or spread over that many client processes."""
    if processes <= 1:
        return timed_in_threads(work, items, finish=finish, meter=meter)
    return timed_in_processes(work, items, processes, finish=finish, meter=meter)


def _threads(work: Callable[[T, Callable[[], None]], None], items: Sequence[T], start: Callable[[], None],
             on_error: Callable[[], None]) -> tuple[list[threading.Thread], list[BaseException]]:
    """One started thread per item running ``work(item, start)``; a thread's error is appended to the list
    returned (filled as they happen) and ``on_error()`` is called, so that nobody waits for it at a barrier."""
    errors: list[BaseException] = []

    def body(item: T) -> None:
        try:
            work(item, start)
        except BaseException as exc:
            errors.append(exc)
            on_error()

    threads = [threading.Thread(target=body, args=(item,)) for item in items]
    for th in threads:
        th.start()
    return threads, errors


def timed_in_threads(work: Callable[[T, Callable[[], None]], None], items: Sequence[T],
                     finish: Callable[[], None] | None = None, meter: CpuMeter | None = None) -> float:
    """One thread per item; each calls ``start()`` when its set-up is done, and the clock runs from the moment
    all have started until the last finishes (and then ``finish()`` returns). The first error in any thread is
    raised here. ``meter``: CPU seconds measured over the same span (set-up excluded)."""
    barrier = threading.Barrier(len(items) + 1)

    def start() -> None:
        barrier.wait()

    threads, errors = _threads(work, items, start, on_error=barrier.abort)
    with contextlib.suppress(threading.BrokenBarrierError):  # a thread failed in set-up: raised below
        barrier.wait()
    if meter is not None:
        meter.__enter__()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    if finish is not None:
        finish()
    elapsed = time.perf_counter() - t0
    if meter is not None:
        meter.__exit__()
    return elapsed


def _client_process(work: Callable[[T, Callable[[], None]], None], items: Sequence[T],
                    go: Any, out: Any) -> None:
    """A client process's share: its items in threads; all set up, it waits for every process (``go``, a
    multiprocessing barrier), lets its threads run and puts (its CPU seconds from then on, the first error or
    None) on ``out``."""
    ready = threading.Barrier(len(items) + 1)
    running = threading.Event()

    def start() -> None:
        ready.wait()
        running.wait()

    def failed() -> None:
        ready.abort()
        running.set()

    threads, errors = _threads(work, items, start, on_error=failed)
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait()
    with contextlib.suppress(threading.BrokenBarrierError):
        if errors:
            go.abort()
        go.wait()
    c0 = time.process_time()
    running.set()
    for th in threads:
        th.join()
    out.put((time.process_time() - c0, repr(errors[0]) if errors else None))


def timed_in_processes(work: Callable[[T, Callable[[], None]], None], items: Sequence[T], processes: int,
                       finish: Callable[[], None] | None = None, meter: CpuMeter | None = None) -> float:
    """As :func:`timed_in_threads`, with the items spread round-robin over ``processes`` client processes
    (spawned, each its own interpreter and GIL, as separate devices are); the clock starts once every process
    has set up all its items. ``meter``'s client CPU is the client processes' together."""
    ctx = multiprocessing.get_context("spawn")
    groups = [list(items[i::processes]) for i in range(processes)]
    go = ctx.Barrier(len(groups) + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_client_process, args=(work, g, go, out), daemon=True) for g in groups]
    for proc in procs:
        proc.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a process failed in set-up: its error is queued
        go.wait(timeout=600)
    if meter is not None:
        meter.__enter__()
    t0 = time.perf_counter()
    results = [out.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    failed = [error for _, error in results if error is not None]
    if failed:
        raise SystemExit(f"a client process failed: {failed[0]}")
    if finish is not None:
        finish()
    elapsed = time.perf_counter() - t0
    if meter is not None:
        meter.__exit__()
        meter.client += sum(cpu for cpu, _ in results)
    return elapsed


def worker_rounds(server: Server) -> float | None:
    """The server's ``genba_reconcile_rounds_total`` (None from a server that does not count its rounds)."""
    text = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.token}"},
                     timeout=60).raise_for_status().text
    return next((float(line.split()[-1]) for line in text.splitlines()
                 if line.startswith("genba_reconcile_rounds_total ")), None)


def wait_lag_zero(server: Server, timeout_s: float = 600) -> None:
    """Until the server's reconciliation queue is empty (``genba_reconcile_queue_batches`` 0 in /metrics)."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=server.url, timeout=60,
                      headers={"Authorization": f"Bearer {server.token}"}) as http:
        while True:
            text = http.get("/metrics").raise_for_status().text
            pending = next(float(line.split()[-1]) for line in text.splitlines()
                           if line.startswith("genba_reconcile_queue_batches "))
            if pending == 0:
                return
            if time.monotonic() > deadline:
                raise SystemExit("reconciliation did not catch up")
            time.sleep(0.01)


def _db(url: str | None, n: int) -> str | None:
    """With --database-url, two databases: the given one and '<name>_2' (created beforehand by the caller)."""
    if url is None or n == 0:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_2"


def noop_requests(server: Server, devices: int, per_device: int, meter: CpuMeter | None = None,
                  processes: int = 1) -> float:
    """P6's baseline: the same number of requests from the same number of threads (and processes) to the
    server's no-op endpoint (``GET /healthz``: one ``SELECT 1``), each thread on its own keep-alive connection."""
    return timed(functools.partial(get_noop, server.url, per_device), list(range(devices)), processes,
                 meter=meter)


def client_arrangements(text: str) -> list[int] | str:
    """``--client-processes``: one count or a comma-separated list of distinct counts ≥ 1; an error text if not."""
    parts = [x.strip() for x in text.split(",")]
    if not all(x.isdigit() and len(x) <= 4 for x in parts):
        return f"--client-processes takes a count or a list of counts like 1,2, not {text[:40]!r}"
    counts = [int(x) for x in parts]
    if min(counts) < 1:
        return "--client-processes must be at least 1"
    if len(set(counts)) != len(counts):
        return "--client-processes names an arrangement twice"
    return counts


class SmallFigures:
    """P6 in one arrangement (its devices and baseline clients in ``procs`` processes), round by round."""

    def __init__(self) -> None:
        self.syncs: list[float] = []
        self.noops: list[float] = []
        self.raw_posts: list[float] = []
        self.worker_rounds: list[float] = []  # the worker's rounds per round of small syncs (with its counter)
        self.cpu: dict[str, list[float]] = {k: [] for k in ("sync_server_ms", "sync_client_ms", "noop_server_ms",
                                                             "noop_client_ms")}

    def round(self, root: Path, tag: str, server: Server, raw_server: Server, devices: int, syncs: int,
              procs: int) -> None:
        """One round: the small syncs, then the no-op requests, then the pre-built POSTs, on fresh devices."""
        smalls = [device(root, server, f"small{tag}-{i}", 0) for i in range(devices)]
        raws = [device(root, raw_server, f"rawsmall{tag}-{i}", syncs) for i in range(devices)]
        n = devices * syncs
        m = CpuMeter(server)  # over the timed span only (the devices' set-up is not counted)
        before = worker_rounds(server)
        self.syncs.append(n / small_syncs(smalls, syncs, server, meter=m, processes=procs))
        after = worker_rounds(server)
        if before is not None and after is not None:
            self.worker_rounds.append(after - before)
        self.cpu["sync_server_ms"].append(1000 * m.server / n)
        self.cpu["sync_client_ms"].append(1000 * m.client / n)
        m = CpuMeter(server)
        self.noops.append(n / noop_requests(server, devices, syncs, meter=m, processes=procs))
        self.cpu["noop_server_ms"].append(1000 * m.server / n)
        self.cpu["noop_client_ms"].append(1000 * m.client / n)
        self.raw_posts.append(n / small_raw(raws, raw_server.url, procs))

    def figures(self) -> dict[str, Any]:
        """This arrangement's syncs against its own no-op requests."""
        return p6(self, self)


def p6(s: SmallFigures, b: SmallFigures) -> dict[str, Any]:
    """P6's figures: the syncs (with their pre-built POSTs, worker rounds and CPU) of arrangement ``s`` against the
    no-op requests (and their CPU) of arrangement ``b``; medians, spreads and the ratio round by round."""
    med = statistics.median
    return {
        "small_syncs_per_s": spread(s.syncs),
        "baseline_noop_requests_per_s": spread(b.noops),
        "small_ratio": round(med(s.syncs) / med(b.noops), 3),
        "small_round_ratios": [round(x / y, 3) for x, y in zip(s.syncs, b.noops, strict=True)],
        "raw_small_posts_per_s": spread(s.raw_posts),
        **({"small_worker_rounds": spread(s.worker_rounds)} if s.worker_rounds else {}),
        "cpu_ms_per_request": {k: round(med((s if k.startswith("sync") else b).cpu[k]), 2) for k in s.cpu},
    }


def strongest(small: dict[int, SmallFigures]) -> dict[str, Any]:
    """P6 against the strongest baseline: the arrangement with the most syncs per second (run median) ÷ the one with
    the most no-op requests per second; with one arrangement, that arrangement's own figures."""
    med = statistics.median
    best_sync = max(small, key=lambda n: med(small[n].syncs))
    best_noop = max(small, key=lambda n: med(small[n].noops))
    out = {**p6(small[best_sync], small[best_noop]), "small_sync_processes": best_sync, "noop_processes": best_noop}
    if len(small) > 1:
        out["arrangements"] = {str(n): f.figures() for n, f in small.items()}
    return out


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1),
            "max": round(max(values), 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=14_000, help="backlog to drain (default: 14,000 = 7 days)")
    p.add_argument("--max-events", type=int, default=1000, help="syncd batch size for the drain")
    p.add_argument("--devices", type=int, default=50, help="concurrent devices for the small syncs (default 50)")
    p.add_argument("--syncs", type=int, default=10, help="one-event syncs per device and round")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds, at least 3")
    p.add_argument("--database-url", default=None,
                   help="server database, e.g. postgresql+psycopg://…/genba (a second one named <db>_2 must "
                        "exist too); default: SQLite files on disk")
    p.add_argument("--http", choices=("auto", "h11", "httptools"), default="auto",
                   help="uvicorn's HTTP parser for both servers (default: auto, httptools when installed)")
    p.add_argument("--client-processes", default="1",
                   help="spread P6's devices and its baselines' clients over this many processes (default 1: "
                        "all threads of this process), the same for both sides; a list (1,2) runs every "
                        "arrangement each round and compares the best sync arrangement with the strongest "
                        "no-op one")
    p.add_argument("--quick", action="store_true", help="tiny configuration for tests")
    p.add_argument("--small-only", action="store_true", help="only the small syncs (P6) and their baselines")
    p.add_argument("--drain-only", action="store_true", help="only the drain (P4) and its baseline")
    args = p.parse_args()
    if args.small_only and args.drain_only:
        p.error("--small-only and --drain-only exclude each other")
    arrangements = client_arrangements(args.client_processes)
    if isinstance(arrangements, str):
        p.error(arrangements)
    if args.quick:
        args.events, args.devices, args.syncs = 600, 2, 3
    rounds = max(3, args.rounds)
    drain_rates: list[float] = []
    raw_rates: list[float] = []
    small = {n: SmallFigures() for n in arrangements}
    with tempfile.TemporaryDirectory(prefix="genba-bench-drain-") as tmp:
        root = Path(tmp)
        # Two fresh servers with the same history, so neither side inherits the other's database growth.
        (root / "server-raw").mkdir()
        (root / "server-syncd").mkdir()
        raw_server = Server(root / "server-raw", _db(args.database_url, 0), args.http)
        syncd_server = Server(root / "server-syncd", _db(args.database_url, 1), args.http)
        try:
            for r in range(rounds):  # A, B, A, B …: every side once per round, on fresh devices
                if not args.small_only:
                    a = device(root, syncd_server, f"drain{r}", args.events)
                    b = device(root, raw_server, f"raw{r}", args.events)
                    drain_rates.append(args.events / drain(a, args.max_events, syncd_server))
                    raw_rates.append(args.events / raw_post(b, raw_server, args.max_events))
                if args.drain_only:
                    continue
                k = r % len(arrangements)  # the arrangements take turns going first
                for procs in arrangements[k:] + arrangements[:k]:
                    small[procs].round(root, f"{r}-{procs}", syncd_server, raw_server, args.devices, args.syncs,
                                       procs)
        finally:
            raw_server.stop()
            syncd_server.stop()
    med = statistics.median
    print(json.dumps({
        "bench": "drain",
        "database": "postgresql" if args.database_url else "sqlite",
        "http": args.http,
        "client_processes": arrangements,
        "rounds": rounds,
        "events": args.events,
        "batch_events": args.max_events,
        **({} if args.small_only else {
            "drain_events_per_s": spread(drain_rates),
            "baseline_raw_post_events_per_s": spread(raw_rates),
            "drain_ratio": round(med(drain_rates) / med(raw_rates), 3),
            "drain_round_ratios": [round(x / y, 3) for x, y in zip(drain_rates, raw_rates, strict=True)]}),
        **({} if args.drain_only else {
            "devices": args.devices,
            "small_syncs": args.devices * args.syncs,
            **strongest(small)}),
    }))


if __name__ == "__main__":
    main()
