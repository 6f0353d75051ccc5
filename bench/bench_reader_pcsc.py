"""PC/SC reader figures through a real pcscd with Debian's virtual reader: tap delay, disconnect and recovery, idle CPU.

Prints one JSON line. A private pcscd with vsmartcard-vpcd is started for the
run (as the tests do: tests/hardware/pcsc_stack.py; needs root for its own
mount namespace, or no system pcscd running), and a virtual FeliCa card
(hardware.vicc) is laid on the reader and taken away:

* ``tap_delay_ms``: card laid down (the virtual card connects to vpcd) → Tap
  delivered by ``Reader.events()``; next to it ``baseline_bare_pyscard_ms``:
  the same interval for a bare pyscard loop (SCardGetStatusChange, connect,
  GET DATA) in the same run. Both include pcscd's own presence polling.
* ``disconnect_ms``: pcscd stopped (SIGTERM) → ``pcscd_unavailable`` status
  delivered. The requirement is under 2000 ms.
* ``recovery_ms``: pcscd started again → ``ok`` status (pcscd's own start-up plus at most
  the 1 s retry interval).
* ``idle_cpu_pct``: this process's CPU (% of one core) while waiting with no card.

Run: ``uv run python bench/bench_reader_pcsc.py [--taps N] [--outages N] [--window S] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smartcard import scard  # noqa: E402

from bench.common import boottime_us, cards, cpu_share, summary  # noqa: E402
from hardware import open_reader  # noqa: E402
from hardware.base import ReaderEvent, ReaderStatus, Tap  # noqa: E402
from hardware.vicc import ViccCard  # noqa: E402
from tests.hardware.pcsc_stack import PcscStack  # noqa: E402  (sets PCSCLITE_CSOCK_NAME before any PC/SC call)


def until(events: Iterator[ReaderEvent], want: type, code: str | None = None) -> ReaderEvent:
    for event in events:
        if isinstance(event, want) and (code is None or getattr(event, "code", None) == code):
            return event
    raise RuntimeError("the reader stopped")


def bench_taps(stack: PcscStack, card: ViccCard, taps: int) -> list[float]:
    reader = open_reader(f"pcsc:{stack.reader}")
    events = reader.events()
    samples = []
    try:
        until(events, ReaderStatus, "ok")
        for idm in cards(taps):
            started = boottime_us()
            card.present(idm)
            tap = until(events, Tap)
            samples.append((boottime_us() - started) / 1000)
            assert isinstance(tap, Tap) and tap.idm == idm
            card.remove()
            stack.wait_for_card(present=False)
    finally:
        reader.close()
        if isinstance(events, Generator):
            events.close()
    return samples


def bench_bare_pyscard(stack: PcscStack, card: ViccCard, taps: int) -> list[float]:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS
    samples = []
    try:
        for idm in cards(taps):
            _, states = scard.SCardGetStatusChange(context, 0, [(stack.reader, scard.SCARD_STATE_UNAWARE)])
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            started = boottime_us()
            card.present(idm)
            while True:
                hresult, states = scard.SCardGetStatusChange(context, 5000, [(stack.reader, state)])
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                if state & scard.SCARD_STATE_PRESENT:
                    break
            hresult, handle, protocol = scard.SCardConnect(context, stack.reader, scard.SCARD_SHARE_SHARED,
                                                           scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
            hresult, response = scard.SCardTransmit(handle, protocol, [0xFF, 0xCA, 0x00, 0x00, 0x00])
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
            samples.append((boottime_us() - started) / 1000)
            assert bytes(response[:-2]).hex().upper() == idm
            card.remove()
            stack.wait_for_card(present=False)
    finally:
        scard.SCardReleaseContext(context)
    return samples


def bench_outages(stack: PcscStack, outages: int) -> tuple[list[float], list[float]]:
    reader = open_reader(f"pcsc:{stack.reader}")
    events = reader.events()
    down, up = [], []
    try:
        until(events, ReaderStatus, "ok")
        for _ in range(outages):
            started = boottime_us()
            stack.stop()
            until(events, ReaderStatus, "pcscd_unavailable")
            down.append((boottime_us() - started) / 1000)
            started = boottime_us()
            stack.start()
            until(events, ReaderStatus, "ok")
            up.append((boottime_us() - started) / 1000)
    finally:
        reader.close()
        if isinstance(events, Generator):
            events.close()
    return down, up


def idle_cpu(stack: PcscStack, window: float) -> float:
    reader = open_reader(f"pcsc:{stack.reader}")
    consumer = threading.Thread(target=lambda: [None for _ in reader.events()], daemon=True)
    consumer.start()
    time.sleep(min(1.0, window))
    cpu = cpu_share(window)
    reader.close()
    consumer.join(timeout=10)
    return cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=20, help="taps per side (default 20)")
    parser.add_argument("--outages", type=int, default=5, help="pcscd stop/start cycles (default 5)")
    parser.add_argument("--window", type=float, default=5.0, help="seconds of idle CPU measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="5 taps, 2 outages, 2-second window")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the statuses are what is measured; keep stderr quiet
    taps, outages, window = (5, 2, 2.0) if args.quick else (args.taps, args.outages, args.window)
    if taps < 1 or outages < 1 or not 0.1 <= window <= 600:
        parser.error("--taps and --outages must be ≥ 1, --window 0.1–600 s")
    stack = PcscStack()
    reason = stack.why_not()
    if reason is not None:
        parser.exit(3, f"bench_reader_pcsc: cannot run here: {reason}\n")
    stack.start()
    card = ViccCard(port=stack.port)
    try:
        ours = bench_taps(stack, card, taps)
        bare = bench_bare_pyscard(stack, card, taps)
        down, up = bench_outages(stack, outages)
        cpu = idle_cpu(stack, window)
    finally:
        card.remove()
        stack.stop()
    print(json.dumps({
        "bench": "reader_pcsc",
        "transport": "pyscard -> private pcscd -> vsmartcard-vpcd -> hardware.vicc card",
        "taps": taps,
        "tap_delay_ms": summary(ours),
        "baseline_bare_pyscard_ms": summary(bare),
        "outages": outages,
        "disconnect_ms": summary(down),
        "disconnect_target_ms": 2000,
        "recovery_ms": summary(up),
        "idle_cpu_pct_of_one_core": cpu,
        "cpu_window_s": window,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }))


if __name__ == "__main__":
    main()
