"""Sibling exchange of a gate's journal against the kiosk's own local read rate.

    uv run python bench/bench_siblings.py              # 10,000 events, 9 rounds
    uv run python bench/bench_siblings.py --quick      # 500 events, 3 rounds (smoke)

Prints one JSON line. Gate A's journal holds N events (taps of a site day). Interleaved A,B,A,B:

- ``local``: the kiosk's own local read — every one of the N events read from journal.db and parsed
  (``Event.from_bytes``: canonical-form check and field validation), as the kiosk reads its journal when it folds
  a day (the baseline: the rate at which a gate takes in its own records);
- ``exchange``: gate B's syncd pulling the same N events from gate A's syncd (its own process, ``genba syncd``)
  over a real loopback socket, production code path and configuration: signed requests checked by A, batches of
  up to 5,000 read from A's journal,
  every batch verified end to end with A's key (signature, every event's bytes, the hash chain), placed against
  what B holds and stored in B's state.db (WAL, synchronous=FULL) — into a fresh state.db each round.

``ratio`` = exchange rate ÷ local read rate, from the medians (aim ≥ 0.5); ``round_ratios``: the same ratio in each
round (local read and exchange measured back to back), median and spread. On a machine shared with other work
each 1–2 s measurement is preempted at random, and that, not the code, is what moves single figures; ``cpu_s``
gives the CPU seconds each side used (the exchange's: gate B's process and gate A's syncd together), which
preemption does not change — their ratio is what an idle machine's wall-clock ratio tends to.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.batch import MAX_BATCH_EVENTS  # noqa: E402
from shared.clock import ManualClock  # noqa: E402
from shared.device import load_or_create_identity  # noqa: E402
from shared.event import Event  # noqa: E402
from shared.ids import Idm  # noqa: E402
from shared.journal import EventDraft, JournalWriter  # noqa: E402
from shared.paths import DataDir  # noqa: E402
from shared.state import StateWriter  # noqa: E402
from shared.state.siblings import set_sibling_keys, sibling_event_count  # noqa: E402
from syncd.siblings import Keyring, SiblingConfig, SiblingExchange, add_paired_key  # noqa: E402

SITE = "12345678901234"


def build_gate_a(root: Path, n: int) -> tuple[DataDir, subprocess.Popen[bytes], int, str, str]:
    data = DataDir(root / "a").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    clock = ManualClock()
    with JournalWriter.open(data.journal, identity, key, clock=clock) as journal:
        for i in range(n):
            clock.advance(2.5)
            journal.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=Idm(f"012E{i % 1000:012X}"),
                                      direction="in" if (i // 1000) % 2 == 0 else "out"))
    state = StateWriter.open(data.state)
    state.close()
    # gate A's syncd is its own process, as on a real gate (not enrolled: it serves and pulls siblings only)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    (data.root / "siblings.toml").write_text(f'port = {port}\nlisten = "127.0.0.1"\nmdns = false\n')
    proc = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(data.root), "syncd"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    return data, proc, port, identity.device, key.verifier.encode()


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used, every thread counted."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def local_read(journal: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    conn = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    count = 0
    for (data,) in conn.execute("SELECT data FROM events ORDER BY epoch, seq"):
        Event.from_bytes(bytes(data))
        count += 1
    conn.close()
    return time.perf_counter() - t0, count


def exchange(root: Path, round_no: int, a: DataDir, port: int, a_device: str, a_key: str) -> tuple[float, int]:
    data = DataDir(root / f"b{round_no}").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    state = StateWriter.open(data.state)
    set_sibling_keys(state, [(a_device, 1, a_key)], source="server")
    add_paired_key(a, device=identity.device, epoch=identity.epoch, key=key.verifier.encode(), site=SITE,
                   at="bench")  # gate A answers gate B (as after `genba siblings pair`)
    ex = SiblingExchange(data, identity, key, state, SiblingConfig(peers=(f"127.0.0.1:{port}",), port=0,
                                                                      mdns=False), Keyring(data, data.state))
    try:
        t0 = time.perf_counter()
        report = ex.run_once()
        elapsed = time.perf_counter() - t0
        assert not report.errors and not report.refused, report
        return elapsed, sibling_event_count(state)
    finally:
        ex.close()
        state.close()


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1), "max": round(max(values), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, rounds = (500, 3) if args.quick else (args.events, max(3, args.rounds))
    with tempfile.TemporaryDirectory(prefix="genba-bench-siblings-") as tmp:
        root = Path(tmp)
        a, proc, port, a_device, a_key = build_gate_a(root, n)
        local_rates: list[float] = []
        exchange_rates: list[float] = []
        round_ratios: list[float] = []
        local_cpu: list[float] = []
        exchange_cpu: list[float] = []
        me = os.getpid()
        try:
            local_read(a.journal)  # warm the page cache for both sides alike
            for r in range(rounds):
                c0 = cpu_s(me)
                seconds, count = local_read(a.journal)
                local_cpu.append(cpu_s(me) - c0)
                assert count == n
                local_rates.append(count / seconds)
                c0, a0 = cpu_s(me), cpu_s(proc.pid)
                seconds, count = exchange(root, r, a, port, a_device, a_key)
                exchange_cpu.append(cpu_s(me) - c0 + cpu_s(proc.pid) - a0)  # gate B's work and gate A's
                assert count == n
                exchange_rates.append(count / seconds)
                round_ratios.append(exchange_rates[-1] / local_rates[-1])
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    ratio = statistics.median(exchange_rates) / statistics.median(local_rates)
    print(json.dumps({
        "bench": "siblings", "events": n, "rounds": rounds, "batch_events": MAX_BATCH_EVENTS,
        "local_read_events_per_s": spread(local_rates), "exchange_events_per_s": spread(exchange_rates),
        "ratio": round(ratio, 3), "aim": ">= 0.5", "met": ratio >= 0.5,
        "round_ratios": {"median": round(statistics.median(round_ratios), 3), "min": round(min(round_ratios), 3),
                         "max": round(max(round_ratios), 3)},
        "cpu_s": {"local": round(statistics.median(local_cpu), 3),
                  "exchange_both_gates": round(statistics.median(exchange_cpu), 3),
                  "ratio": round(statistics.median(local_cpu) / statistics.median(exchange_cpu), 3)},
        "load_avg": os.getloadavg()[0],
        "config": {"state_db": "WAL, synchronous=FULL", "transport": "HTTP over loopback, signed requests",
                   "verify": "signature + every event + hash chain"},
    }))


if __name__ == "__main__":
    main()
