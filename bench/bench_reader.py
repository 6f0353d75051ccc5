"""Card-reader figures: the delay our backend adds to a tap, and the CPU the polling loop burns.

Prints one JSON line. Everything runs through nfcpy's ``udp`` driver against
the emulated FeliCa card (hardware.emulated), in the same run:

* ``tap_delay_ms``: from the card's first polling answer (the moment the
  reader could know the card is there) to the Tap reaching the consumer of
  ``Reader.events()``; next to it ``nfcpy_connect_ms``, the same interval for
  nfcpy's own ``ContactlessFrontend.connect(rdwr=...)`` reaching its
  ``on-connect`` callback on the same emulated card — the baseline.
* ``cpu_pct``: CPU used by this process (per cent of one core) over a window
  while the reader waits with no card, and while a card is held (a poll is
  answered every ``poll_interval`` — the most work the idle loop ever does);
  the card peer runs in a separate process so it is not counted. Next to it
  ``baseline_cpu_pct``: a bare ``clf.sense`` + ``sleep(poll_interval)`` loop
  on the same held card. Target: under 2 % of one core.

Run: ``uv run python bench/bench_reader.py [--taps N] [--window S] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nfc  # noqa: E402
import nfc.clf  # noqa: E402

from bench.common import boottime_us, cards, cpu_share, summary  # noqa: E402
from hardware import open_reader  # noqa: E402
from hardware.base import Tap  # noqa: E402
from hardware.emulated import FelicaCardPeer  # noqa: E402
from hardware.nfcpy_backend import polling_frame  # noqa: E402
from hardware.polling import DEFAULT_POLL_INTERVAL  # noqa: E402


def bench_ours(peer: FelicaCardPeer, taps: int) -> tuple[list[float], list[float]]:
    """Delivery and detection delay of our backend; each card replaces the last (no empty-field wait)."""
    reader = open_reader(peer.path)
    events = reader.events()
    delivered_ms, detected_ms = [], []
    try:
        next(events)  # ready
        for idm in cards(taps):
            peer.present(idm)
            for event in events:
                if isinstance(event, Tap) and event.idm == idm:
                    now = boottime_us()
                    appeared = peer.appeared_us
                    assert appeared is not None
                    delivered_ms.append((now - appeared) / 1000)
                    detected_ms.append((event.mono_us - appeared) / 1000)
                    break
    finally:
        reader.close()
        if isinstance(events, Generator):
            events.close()
    return delivered_ms, detected_ms


def bench_nfcpy_connect(peer: FelicaCardPeer, taps: int) -> list[float]:
    """nfcpy's own connect on the same emulated card: first polling answer → on-connect callback."""
    clf = nfc.ContactlessFrontend(peer.path)
    samples = []
    try:
        for idm in cards(taps):
            peer.present(idm)
            seen: list[int] = []

            def on_connect(tag: object, seen: list[int] = seen) -> bool:
                seen.append(boottime_us())
                return False  # do not wait for the card to leave

            clf.connect(rdwr={"targets": ["212F"], "on-connect": on_connect})
            appeared = peer.appeared_us
            assert seen and appeared is not None
            samples.append((seen[0] - appeared) / 1000)
    finally:
        clf.close()
    return samples


def card_peer_process(held: bool) -> tuple[subprocess.Popen[str], str]:
    """An emulated card in its own process, so its CPU is not counted; returns it and its reader path."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from hardware.emulated import FelicaCardPeer; p = FelicaCardPeer();"
            "held = sys.argv[2] == '1';"
            "held and p.present('0120AABBCCDDEEFF'); print(p.path, flush=True); sys.stdin.read()")
    process = subprocess.Popen([sys.executable, "-c", code, str(ROOT), "1" if held else "0"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def cpu_of_reader(path: str, window: float) -> float:
    reader = open_reader(path)
    consumer = threading.Thread(target=lambda: [None for _ in reader.events()], daemon=True)
    consumer.start()
    time.sleep(min(1.5, window))  # let it open and settle
    cpu = cpu_share(window)
    reader.close()
    consumer.join(timeout=10)
    return cpu


def cpu_of_bare_loop(path: str, window: float) -> float:
    clf = nfc.ContactlessFrontend(path)
    stop = threading.Event()
    target = nfc.clf.RemoteTarget("212F", sensf_req=polling_frame(0xFFFF))

    def loop() -> None:
        while not stop.is_set():
            clf.sense(target, iterations=1)
            stop.wait(DEFAULT_POLL_INTERVAL)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    time.sleep(min(1.5, window))
    cpu = cpu_share(window)
    stop.set()
    thread.join(timeout=10)
    clf.close()
    return cpu


def measure_cpu(window: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, held in (("no_card", False), ("card_held", True)):
        process, path = card_peer_process(held)
        try:
            out[name] = cpu_of_reader(path, window)
            if held:
                out["baseline_bare_sense_loop_card_held"] = cpu_of_bare_loop(path, window)
        finally:
            process.kill()
            process.wait()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=40, help="taps per side for the delay (default 40)")
    parser.add_argument("--window", type=float, default=8.0, help="seconds per CPU window (default 8)")
    parser.add_argument("--quick", action="store_true", help="10 taps, 3-second windows")
    args = parser.parse_args(argv)
    taps, window = (10, 3.0) if args.quick else (args.taps, args.window)
    if taps < 1 or not 0.1 <= window <= 600:
        parser.error("--taps must be ≥ 1 and --window 0.1–600 s")
    with FelicaCardPeer() as peer:
        delivered, detected = bench_ours(peer, taps)
        baseline = bench_nfcpy_connect(peer, taps)
    cpu = measure_cpu(window)
    print(json.dumps({
        "bench": "reader",
        "transport": "nfcpy udp driver + emulated FeliCa card (hardware.emulated)",
        "taps": taps,
        "tap_delay_ms": summary(delivered),
        "tap_detect_ms": summary(detected),
        "baseline_nfcpy_connect_ms": summary(baseline),
        "poll_interval_s": DEFAULT_POLL_INTERVAL,
        "cpu_window_s": window,
        "cpu_pct_of_one_core": cpu,
        "cpu_target_pct": 2.0,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }))


if __name__ == "__main__":
    main()
