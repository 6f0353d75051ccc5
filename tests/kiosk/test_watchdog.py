"""systemd's watchdog is fed by the Qt event loop: a frozen loop stops feeding it (issue 11.12).

A real unix datagram socket plays systemd's $NOTIFY_SOCKET; Qt runs offscreen.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.sdnotify import Notifier
from kiosk.ui.app import Watchdog
from tests.kiosk.conftest import SITE
from tests.slowdown import allow

WAIT_MS = round(allow(60) * 1000)
"""Upper bound for a message to arrive; only reached when a test is failing. A healthy run needs about 0.2 s;
10 s once timed out in a full CI run (the full suite on 2 cores) and never alone, so the bound is as generous as
the other end-to-end waits: it only decides how long a real failure takes to report."""


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A bound datagram socket, as systemd holds it, and its path."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


def test_a_frozen_event_loop_stops_feeding_the_watchdog(qtbot: QtBot, systemd: tuple[socket.socket, str]) -> None:
    sock, path = systemd
    dog = Watchdog(Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "300000"}))
    assert dog.timer.interval() == 100
    dog.start("kiosk window open")
    messages: list[str] = []
    qtbot.waitUntil(lambda: messages.extend(received(sock)) or messages.count("WATCHDOG=1") >= 3, timeout=WAIT_MS)
    assert messages[0] == "READY=1\nSTATUS=kiosk window open"
    received(sock)  # drain: from here on only what the loop sends while frozen counts
    time.sleep(0.5)  # the main thread, i.e. the event loop, is stuck for five feed intervals
    assert received(sock) == [], "nothing may feed the watchdog while the event loop is frozen"
    messages.clear()
    qtbot.waitUntil(lambda: messages.extend(received(sock)) or "WATCHDOG=1" in messages, timeout=WAIT_MS)
    dog.stop()
    assert "STOPPING=1" in received(sock)


def test_abstract_socket_names_and_no_systemd_at_all(tmp_path: Path) -> None:
    name = f"genba-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    try:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).send("READY=1")
        assert sock.recv(64) == b"READY=1"
    finally:
        sock.close()
    outside = Notifier({})
    assert not outside.enabled and not outside.ready() and outside.watchdog_s is None
    gone = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert gone.enabled and gone.watchdog() is False, "a failed send is reported, never raised"


def test_a_watchdog_meant_for_another_process_is_not_fed(qtbot: QtBot, systemd: tuple[socket.socket, str]) -> None:
    sock, path = systemd
    other = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "300000", "WATCHDOG_PID": str(os.getpid() + 1)})
    assert other.watchdog_s is None
    dog = Watchdog(other)
    dog.start("up")
    qtbot.wait(50)
    assert received(sock) == ["READY=1\nSTATUS=up"] and not dog.timer.isActive()
    for bad in ("", "0", "-5", "abc"):
        assert Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": bad}).watchdog_s is None


def test_the_kiosk_process_says_ready_feeds_the_watchdog_and_says_stopping(
        tmp_path: Path, systemd: tuple[socket.socket, str]) -> None:
    """``genba kiosk`` as systemd starts it: the real window (offscreen), a real notify socket, SIGTERM."""
    from shared.device import load_or_create_identity
    from shared.paths import DataDir

    sock, path = systemd
    data = DataDir.resolve(tmp_path / "data").ensure()
    load_or_create_identity(data, site=SITE)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "600000"}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(data.root), "kiosk", "--windowed",
                             "--reader", "sim:-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sock.settimeout(allow(60))
    try:
        first = sock.recv(4096).decode()
        assert first.startswith("READY=1\nSTATUS=kiosk window open"), first
        assert sock.recv(4096) == b"WATCHDOG=1"
        proc.send_signal(signal.SIGTERM)
        rest = []
        while "STOPPING=1" not in rest:
            rest.append(sock.recv(4096).decode())
        assert proc.wait(timeout=allow(60)) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
