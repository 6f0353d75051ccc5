"""Journal append latency next to a bare SQLite insert+commit with the same pragmas, in the same run.

Prints one JSON line. Both sides write to the same directory, one row per
transaction, WAL and synchronous=FULL, so the difference is what Genba adds:
canonical JSON, hashing, signing the checkpoint and the gapless-seq check.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.common import percentiles
from shared.device import load_or_create_identity
from shared.ids import Idm
from shared.journal import EventDraft, JournalWriter
from shared.paths import DataDir

SITE = "12345678901234"


def bench_genba(root: Path, taps: int) -> dict[str, float]:
    data = DataDir.resolve(root / "genba").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    samples = []
    with JournalWriter.open(data.journal, identity, key) as writer:
        for i in range(taps):
            draft = EventDraft(kind="tap", reader="sim", site=SITE, idm=Idm(f"012E{i:012X}"), direction="in")
            t0 = time.perf_counter_ns()
            writer.append(draft)
            samples.append((time.perf_counter_ns() - t0) / 1000)
    return percentiles(samples)


def bench_bare(root: Path, taps: int, payload: bytes) -> dict[str, float]:
    conn = sqlite3.connect(root / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    samples = []
    for i in range(taps):
        t0 = time.perf_counter_ns()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (i + 1, payload))
        conn.execute("COMMIT")
        samples.append((time.perf_counter_ns() - t0) / 1000)
    conn.close()
    return percentiles(samples)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a tiny run (50 taps) to check the benchmark works")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir on this disk)")
    args = parser.parse_args(argv)
    taps = 50 if args.quick else args.taps
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        genba = bench_genba(root, taps)
        with sqlite3.connect(root / "genba" / "journal.db") as conn:
            payload = conn.execute("SELECT data FROM events LIMIT 1").fetchone()[0]  # a real tap's bytes
        bare = bench_bare(root, taps, payload)
    result = {
        "bench": "journal_append",
        "taps": taps,
        "genba": genba,
        "baseline_bare_sqlite_commit": bare,
        "overhead_p50_us": round(genba["p50_us"] - bare["p50_us"], 1),
        "ratio_p50": round(genba["p50_us"] / bare["p50_us"], 2) if bare["p50_us"] else None,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
