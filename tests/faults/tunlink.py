"""A userspace ``netem`` between two network namespaces: a TUN device in each, and this process between them.

This kernel has no ``sch_netem`` (``tc qdisc … netem`` answers "qdisc kind is unknown") and no NFQUEUE, but it
has ``/dev/net/tun``. So the link between the kiosk's and the server's namespaces is a TUN device in each, and
every IP packet crosses this process, which drops, delays, duplicates and so reorders packets as told — what
``tc netem loss … delay … duplicate …`` would do at the link, below TCP.

Run as root: ``python tunlink.py NS_A TUN_A NS_B TUN_B``. It creates both devices (the caller gives them
addresses and brings them up), prints ``ready``, then forwards until its standard input closes. Each line on
standard input is a JSON object that replaces the impairment:

    {"loss": 0.2, "duplicate": 0.05, "delay": [0.0, 0.15], "cut": false}

``loss`` and ``duplicate`` are per-packet probabilities, ``delay`` a uniform range in seconds drawn per packet
(a later packet with a shorter draw overtakes an earlier one: reordering), ``cut`` drops everything. On exit it
prints one JSON line of counts (forwarded, dropped, duplicated, delayed, reordered) so a test can prove the
impairments really happened.
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import json
import os
import random
import selectors
import struct
import sys
import time
from typing import Any

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tun(netns: str, name: str) -> int:
    """A TUN device named ``name`` created inside network namespace ``netns``; its file descriptor."""
    home = f"/proc/{os.getpid()}/task/{os.getpid()}/ns/net"
    home_fd = os.open(home, os.O_RDONLY)
    try:
        _setns(f"/var/run/netns/{netns}")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    finally:
        if _libc.setns(home_fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back to the original namespace failed")
        os.close(home_fd)
    os.set_blocking(fd, False)
    return fd


class Link:
    def __init__(self, a: int, b: int, seed: int | None = None) -> None:
        self.peer = {a: b, b: a}
        self.rng = random.Random(seed)
        self.loss = self.duplicate = 0.0
        self.delay = (0.0, 0.0)
        self.cut = False
        self.queue: list[tuple[float, int, int, int, bytes]] = []  # (due, order read, out fd, copy, packet)
        self.read_order = 0
        self.last_written: dict[int, int] = {}
        self.counts = {"forwarded": 0, "dropped": 0, "duplicated": 0, "delayed": 0, "reordered": 0}

    def configure(self, spec: dict[str, Any]) -> None:
        self.loss = float(spec.get("loss", 0.0))
        self.duplicate = float(spec.get("duplicate", 0.0))
        low, high = spec.get("delay", (0.0, 0.0))
        self.delay = (float(low), float(high))
        self.cut = bool(spec.get("cut", False))

    def arrived(self, fd: int, packet: bytes, now: float) -> None:
        self.read_order += 1
        if self.cut or self.rng.random() < self.loss:
            self.counts["dropped"] += 1
            return
        copies = 2 if self.rng.random() < self.duplicate else 1
        self.counts["duplicated"] += copies - 1
        for copy in range(copies):
            wait = self.rng.uniform(*self.delay) if self.delay[1] > 0 else 0.0
            if wait > 0:
                self.counts["delayed"] += 1
            heapq.heappush(self.queue, (now + wait, self.read_order, self.peer[fd], copy, packet))

    def due(self, now: float) -> None:
        while self.queue and self.queue[0][0] <= now:
            _, order, out, copy, packet = heapq.heappop(self.queue)
            if copy == 0 and order < self.last_written.get(out, 0):
                self.counts["reordered"] += 1
            self.last_written[out] = max(order, self.last_written.get(out, 0))
            try:
                os.write(out, packet)
                self.counts["forwarded"] += 1
            except OSError:  # the interface is down (a cut by link state) or gone: the packet is lost
                self.counts["dropped"] += 1

    def timeout(self, now: float) -> float | None:
        return max(0.0, self.queue[0][0] - now) if self.queue else None


def main() -> None:
    ns_a, tun_a, ns_b, tun_b = sys.argv[1:5]
    a, b = open_tun(ns_a, tun_a), open_tun(ns_b, tun_b)
    link = Link(a, b)
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ)
    sel.register(b, selectors.EVENT_READ)
    control, pending = sys.stdin.fileno(), b""
    sel.register(control, selectors.EVENT_READ)
    print("ready", flush=True)
    try:
        while True:
            for key, _ in sel.select(link.timeout(time.monotonic())):
                fd = int(key.fd)
                if fd == control:
                    chunk = os.read(control, 65536)
                    if not chunk:
                        return
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        if line.strip():
                            link.configure(json.loads(line))
                    continue
                while True:
                    try:
                        packet = os.read(fd, 65535)
                    except BlockingIOError:
                        break
                    except OSError:  # the namespace's interface went away
                        break
                    link.arrived(fd, packet, time.monotonic())
            link.due(time.monotonic())
    finally:
        print(json.dumps(link.counts), flush=True)


if __name__ == "__main__":
    main()
