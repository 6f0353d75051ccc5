"""The tablet view under a 1,000-worker site day, and the kiosk's idle CPU with the view on and a tablet polling.

    uv run python bench/bench_tablet.py            # 1,000 workers, 5 rounds, 60 s idle window
    uv run python bench/bench_tablet.py --quick    # 100 workers, 3 rounds, 5 s idle window (smoke)

Prints one JSON line:
- ``render``: the roll call and today's list fetched over HTTP from a kiosk's tablet server (in this process,
  real loopback socket, production code path: incremental journal fold, roster join, Jinja2) against the
  strongest baseline, reading the same rows straight from SQLite (today's journal rows and the roster, no
  parsing), interleaved; median and spread of each, and the ratio of the medians (aim ≤ 2). The tablet side
  twice: a poll with nothing new (``ratio``; the day's people are reused) and the first poll after a worker
  taps out (``ratio_after_tap``; one more exit journaled by the kiosk, folded, and only that worker's row
  built again). ``paired_ratio*``: each sample against the SQLite read measured right after it (median, spread).
- ``idle``: CPU share of a real ``genba kiosk --headless`` process (simulated reader, tablet view on) over a
  window in which one paired tablet polls the roll call every 15 s as the page does (aim < 2 %), next to the
  same kiosk with ``--no-tablet``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hardware.base import Tap  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from kiosk.manager import hash_pin  # noqa: E402
from kiosk.settings import KioskSettings, save_settings  # noqa: E402
from kiosk.web import KioskActions, QueueRunner, TabletOptions, TabletServer  # noqa: E402
from shared.clock import ManualClock  # noqa: E402
from shared.device import load_or_create_identity  # noqa: E402
from shared.ids import Idm  # noqa: E402
from shared.paths import DataDir  # noqa: E402
from shared.state import RosterWorker, SiteConfig, StateWriter  # noqa: E402
from shared.timefmt import JST  # noqa: E402

SITE = "90000000000001"
PIN = "2468"


def site(root: Path, workers: int) -> DataDir:
    data = DataDir.resolve(root).ensure()
    load_or_create_identity(data, site=SITE)
    roster = [RosterWorker(f"1{n:013d}", f"作業員 {n:04d}", f"サギョウイン {n:04d}", "", f"協力会社{n % 40:02d}",
                           "型枠大工", "", "職長" if n % 25 == 0 else "作業員", (Idm(f"012E4CD2{n:08X}"),))
              for n in range(workers)]
    writer = StateWriter.open(data.state)
    try:
        writer.replace_roster(roster, version="bench", etag=None, source="bench")
        writer.set_site_config(SiteConfig(site=SITE, name="ベンチ現場"))
    finally:
        writer.close()
    save_settings(data.root, KioskSettings(pin=hash_pin(PIN)))
    return data


def fill_day(data: DataDir, workers: int) -> None:
    """Every worker enters in the morning; 60 % leave in the afternoon: one journaled event per tap."""
    clock = ManualClock(datetime(2026, 11, 20, 6, 30, tzinfo=JST))
    core = KioskCore.open(data, clock=clock)
    try:
        for n in range(workers):
            clock.advance(7)
            core.on_event(Tap(idm=Idm(f"012E4CD2{n:08X}"), reader="bench", mono_us=clock.boottime_us()))
        clock.advance(8 * 3600)
        for n in range(0, workers, 5):
            for m in (n, n + 1, n + 2):
                if m < workers:
                    clock.advance(5)
                    core.on_event(Tap(idm=Idm(f"012E4CD2{m:08X}"), reader="bench", mono_us=clock.boottime_us()))
    finally:
        core.close()


def read_rows(data: DataDir) -> int:
    """The baseline: the same rows, straight from SQLite (today's journal rows and the roster)."""
    journal = sqlite3.connect(f"file:{data.journal}?mode=ro", uri=True)
    state = sqlite3.connect(f"file:{data.state}?mode=ro", uri=True)
    try:
        rows = journal.execute("SELECT data FROM events ORDER BY epoch DESC, seq DESC").fetchall()
        people = state.execute("SELECT * FROM workers").fetchall()
        cards = state.execute("SELECT idm, worker FROM cards").fetchall()
        return len(rows) + len(people) + len(cards)
    finally:
        journal.close()
        state.close()


def render_bench(workers: int, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        data = site(Path(tmp) / "gate", workers)
        fill_day(data, workers)
        clock = ManualClock(datetime(2026, 11, 20, 18, 30, tzinfo=JST))
        runner = QueueRunner()
        import threading

        stop = threading.Event()
        box: dict[str, KioskCore] = {}
        ready = threading.Event()

        def loop() -> None:
            box["core"] = KioskCore.open(data, clock=clock)
            ready.set()
            runner.serve(stop)
            box["core"].close()

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        ready.wait(30)
        server = TabletServer(data, clock, runner, KioskActions(box["core"]),
                              TabletOptions(port=0, host="127.0.0.1")).start()
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60)
            assert client.post("/pair", data={"pin": PIN}).status_code == 303
            page = client.get("/rollcall").text  # warm: the first fold of the day
            client.get("/today")
            inside = int(page.split('data-total="', 1)[1].split('"', 1)[0])
            leaving = [f"012E4CD2{n:08X}" for n in range(workers) if n % 5 in (3, 4)]  # inside at 18:30
            a_ms: list[float] = []
            t_ms: list[float] = []
            b_ms: list[float] = []

            def pair() -> float:
                t0 = time.perf_counter()
                assert client.get("/rollcall").status_code == 200
                assert client.get("/today").status_code == 200
                return (time.perf_counter() - t0) * 1000

            for _ in range(rounds):
                for _rep in range(5):
                    a_ms.append(pair())  # A: a tablet polling while nothing new was journaled
                    idm = leaving.pop()
                    clock.advance(2)
                    runner(lambda idm=idm: box["core"].on_event(Tap(idm=idm, reader="bench",  # type: ignore[misc]
                                                                    mono_us=clock.boottime_us())))
                    t_ms.append(pair())  # A': the first poll after a tap (one more exit to fold and show)
                    t0 = time.perf_counter()
                    read_rows(data)
                    read_rows(data)  # B: the two pages' rows read straight from SQLite
                    b_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            server.stop()
            stop.set()
            thread.join(10)
    a, t, b = statistics.median(a_ms), statistics.median(t_ms), statistics.median(b_ms)

    def spread(ms: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(ms), 2), "min": round(min(ms), 2), "max": round(max(ms), 2)}

    # each sample's ratio to the SQLite read measured right after it: on a machine shared with other work a
    # single poll is preempted at random, and neighbours in time share the machine's state
    paired = [x / y for x, y in zip(a_ms, b_ms, strict=True)]
    paired_tap = [x / y for x, y in zip(t_ms, b_ms, strict=True)]
    return {"workers": workers, "inside": inside, "rounds": rounds, "samples": len(a_ms),
            "tablet_ms": spread(a_ms), "tablet_after_tap_ms": spread(t_ms), "sqlite_rows_ms": spread(b_ms),
            "ratio": round(a / b, 2), "ratio_after_tap": round(t / b, 2),
            "paired_ratio": spread(paired), "paired_ratio_after_tap": spread(paired_tap),
            "load_avg": os.getloadavg()[0], "aim": "<= 2 (both)"}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def idle_bench(window_s: float) -> dict[str, object]:
    out: dict[str, object] = {"window_s": window_s}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("tablet_on", []), ("tablet_off", ["--no-tablet"])):
            data = site(Path(tmp) / label, 50)
            script = Path(tmp) / f"{label}.txt"
            script.write_text("wait 3600\n")
            port = _free_port()
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
            proc = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(data.root), "kiosk",
                                     "--headless", "--reader", f"sim:{script}", "--tablet-port", str(port), *extra],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            try:
                client = None
                deadline = time.monotonic() + 60
                while label == "tablet_on" and client is None and time.monotonic() < deadline:
                    try:
                        c = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
                        if c.post("/pair", data={"pin": PIN}).status_code == 303:
                            client = c
                    except httpx.TransportError:
                        time.sleep(0.5)
                time.sleep(5)  # start-up work done
                cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
                next_poll = wall0
                while time.monotonic() - wall0 < window_s:
                    if client is not None and time.monotonic() >= next_poll:
                        client.get("/rollcall?part=list", headers={"HX-Request": "true"})
                        next_poll += 15
                    time.sleep(0.2)
                share = 100 * (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - wall0)
                out[label] = {"cpu_percent": round(share, 2)}
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
    out["aim"] = "tablet_on < 2 %"
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    workers = args.workers or (100 if args.quick else 1000)
    result = {"bench": "tablet", "render": render_bench(workers, 3 if args.quick else 5),
              "idle": idle_bench(3.0 if args.quick else 60.0),
              "sibling_exchange": "bench/bench_siblings.py"}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
