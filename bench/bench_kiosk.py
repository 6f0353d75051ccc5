"""Kiosk tap-to-painted-feedback latency and resident memory, next to the bare steps, in the same run.

Prints one JSON line.

* ``genba``: one tap through the whole kiosk (``KioskModel.handle``: direction decision, durable journal
  append with WAL + synchronous=FULL, today's state, the feedback screen filled and **painted**
  synchronously with ``repaint()``). Reader I/O is not included (bench_reader.py measures readers).
* ``baseline``: the bare steps in the same loop: an SQLite ``INSERT`` + ``COMMIT`` of a real event's bytes
  with the same pragmas in the same directory, plus ``setText`` + ``repaint()`` of one label in a window of
  the same size.
* Memory: resident set size after ``--memory-from`` (100) and after ``--memory-taps`` taps over a fixed
  pool of cards, through the same ``KioskModel.handle`` (widgets filled, not painted). By default after
  100 and after 100,000 taps, as issue 4 asks (about three minutes here); ``--memory-taps N`` for a shorter
  run, ``--quick`` for a check. This phase writes its journal to /dev/shm when it exists (fsync is free
  there; the code path is the same).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from bench.common import percentiles
from hardware.base import ReaderStatus, Tap
from kiosk.core import KioskCore
from kiosk.demo import DEMO_SITE
from kiosk.sources import CardHolder, SiteSettings, StaticSiteView
from kiosk.ui.model import KioskModel
from kiosk.ui.window import KioskWindow
from shared.clock import SystemClock
from shared.device import load_or_create_identity
from shared.ids import Idm
from shared.journal import JournalWriter
from shared.paths import DataDir

SIZE = (800, 480)


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def idm(i: int) -> Idm:
    return Idm(f"012E{i:012X}")


def site(cards: int) -> StaticSiteView:
    pool = {idm(i): CardHolder(f"1{i:013d}", f"作業員 {i}", "山田建設株式会社", trade="型枠大工", position="作業員")
            for i in range(cards)}
    # Repeat window 0: every tap is a new entry or exit, the most work per tap.
    return StaticSiteView(SiteSettings(site=DEMO_SITE, site_name="ベンチマーク現場", repeat_window_s=0), cards=pool)


class Kiosk:
    def __init__(self, root: Path, cards: int) -> None:
        data = DataDir.resolve(root).ensure()
        identity, key = load_or_create_identity(data, site=DEMO_SITE)
        self.clock = SystemClock()
        self.journal = JournalWriter.open(data.journal, identity, key, clock=self.clock)
        self.core = KioskCore(root=data.root, journal=self.journal, site=site(cards), clock=self.clock)
        self.model = KioskModel(self.core)
        self.window = KioskWindow(self.model)
        self.window.resize(*SIZE)
        self.window.show()
        self.model.handle(ReaderStatus("connected", "sim", "ok", "接続", "connected", 0))
        QApplication.processEvents()

    def tap(self, i: int, cards: int) -> None:
        self.model.handle(Tap(idm=idm(i % cards), reader="sim", mono_us=self.clock.boottime_us()))

    def close(self) -> None:
        self.model.shutdown()
        self.window.close()
        self.journal.close()


def bench_latency(root: Path, taps: int, cards: int) -> tuple[dict[str, float], bytes]:
    kiosk = Kiosk(root / "latency", cards)
    samples = []
    try:
        for i in range(taps):
            t0 = time.perf_counter_ns()
            kiosk.tap(i, cards)
            kiosk.window.repaint()  # painted, not just scheduled
            samples.append((time.perf_counter_ns() - t0) / 1000)
            QApplication.processEvents()
        payload = bytes(kiosk.journal.conn.execute("SELECT data FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0])
    finally:
        kiosk.close()
    return percentiles(samples), payload


def bench_baseline(root: Path, taps: int, payload: bytes) -> dict[str, dict[str, float]]:
    conn = sqlite3.connect(root / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    window = QMainWindow()
    label = QLabel()
    window.setCentralWidget(label)
    window.resize(*SIZE)
    window.show()
    both, commit, paint = [], [], []
    for i in range(taps):
        t0 = time.perf_counter_ns()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (i + 1, payload))
        conn.execute("COMMIT")
        t1 = time.perf_counter_ns()
        label.setText(f"入場 07:{i % 60:02d} 作業員 {i}")
        label.repaint()
        t2 = time.perf_counter_ns()
        both.append((t2 - t0) / 1000)
        commit.append((t1 - t0) / 1000)
        paint.append((t2 - t1) / 1000)
        QApplication.processEvents()
    window.close()
    conn.close()
    return {"commit_plus_repaint": percentiles(both), "commit": percentiles(commit), "repaint": percentiles(paint)}


def bench_memory(root: Path, first: int, total: int, cards: int) -> dict[str, int]:
    kiosk = Kiosk(root / "memory", cards)
    try:
        for i in range(first):
            kiosk.tap(i, cards)
        QApplication.processEvents()
        gc.collect()
        after_first = rss_kib()
        for i in range(first, total):
            kiosk.tap(i, cards)
            if i % 1000 == 0:
                QApplication.processEvents()
        QApplication.processEvents()
        gc.collect()
        after_total = rss_kib()
        people = len(kiosk.core.today.people)
    finally:
        kiosk.close()
    return {f"rss_kib_after_{first}": after_first, f"rss_kib_after_{total}": after_total,
            "rss_growth_kib": after_total - after_first, "people_tracked": people}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=300, help="taps for the latency comparison")
    parser.add_argument("--cards", type=int, default=300, help="distinct cards tapping in turn")
    parser.add_argument("--memory-from", type=int, default=100)
    parser.add_argument("--memory-taps", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="a tiny run to check the benchmark works")
    parser.add_argument("--dir", type=Path, default=None, help="where the latency journals go (default: temp dir)")
    args = parser.parse_args(argv)
    taps, memory_taps = (30, 1000) if args.quick else (args.taps, args.memory_taps)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, \
            tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as mem_tmp:
        genba, payload = bench_latency(Path(tmp), taps, args.cards)
        base = bench_baseline(Path(tmp), taps, payload)
        memory = bench_memory(Path(mem_tmp), args.memory_from, memory_taps, args.cards)
    bare = base["commit_plus_repaint"]
    result: dict[str, object] = {
        "bench": "kiosk_tap_to_painted_feedback",
        "taps": taps,
        "genba": genba,
        "baseline_bare_commit_plus_label_repaint": bare,
        "baseline_bare_commit": base["commit"],
        "baseline_bare_label_repaint": base["repaint"],
        "overhead_p50_us": round(genba["p50_us"] - bare["p50_us"], 1),
        "ratio_p50": round(genba["p50_us"] / bare["p50_us"], 2) if bare["p50_us"] else None,
        "memory": {**memory, "taps": memory_taps, "journal_on": "tmpfs" if shm.is_dir() else "disk"},
        "screen": f"{SIZE[0]}x{SIZE[1]} offscreen",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print(json.dumps(result, ensure_ascii=False))
    del app
    return result


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 6.12 can crash while garbage-collecting Qt objects
