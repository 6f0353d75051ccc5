"""``genba kiosk --headless`` serves the tablet view: a real process, nfcpy's udp reader with an emulated
FeliCa card, pairing with ``genba tablet pair-code``, an action journaled by the kiosk process itself."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hardware.emulated import FelicaCardPeer
from shared.journal import JournalReader
from tests.tablet.conftest import UNKNOWN, card, make_site

WAIT_S = 60.0
"""Upper bound for anything to happen; reached only when a test is failing (never a timing assertion)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def genba(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=WAIT_S)


def until(check, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def peer() -> Iterator[FelicaCardPeer]:
    with FelicaCardPeer() as p:
        yield p


def start_kiosk(root: Path, reader: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja"}
    return subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(root), "kiosk", "--headless",
                             "--reader", reader, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)


def test_headless_kiosk_serves_the_tablet_and_journals_its_actions(tmp_path: Path, peer: FelicaCardPeer) -> None:
    data = make_site(tmp_path / "gate")
    port = free_port()
    kiosk = start_kiosk(data.root, peer.path, "--tablet-port", str(port))
    try:
        base = f"http://127.0.0.1:{port}"
        until(lambda: _answers(base), "the tablet view to listen")
        stranger = httpx.get(f"{base}/rollcall", headers={"Accept": "application/json"})
        assert stranger.status_code == 401 and stranger.json()["code"] == "tablet_not_paired"
        issued = genba(data.root, "tablet", "pair-code", "--port", str(port), "--no-qr")
        assert issued.returncode == 0, issued.stderr
        code = issued.stdout.strip().splitlines()[-1]
        client = httpx.Client(base_url=base, timeout=20)
        assert client.post("/pair", data={"code": code, "label": "所長"}).status_code == 303
        peer.present(UNKNOWN)
        until(lambda: 'data-total="1"' in client.get("/rollcall?part=list").text, "the tap on the roll call")
        assert UNKNOWN in client.get("/cards").text
        page = client.get("/cards").text
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        bound = client.post("/cards/bind", data={"csrf": token, "idm": UNKNOWN, "worker": "10000000000008"})
        assert bound.status_code == 303
        listed = genba(data.root, "tablet", "list")
        assert "所長" in listed.stdout
    finally:
        kiosk.send_signal(signal.SIGTERM)
        out, _ = kiosk.communicate(timeout=WAIT_S)
    assert kiosk.returncode == 0, out
    assert "タブレット画面" in out
    with JournalReader(data.journal) as journal:
        kinds = [(s.event.kind, s.event.idm, s.event.worker) for s in journal.tail(10)]
    assert kinds == [("tap", UNKNOWN, None), ("bind", UNKNOWN, "10000000000008")]


def test_no_tablet_means_no_port_is_opened(tmp_path: Path) -> None:
    data = make_site(tmp_path / "gate")
    port = free_port()
    script = tmp_path / "taps.txt"
    script.write_text(f"tap {card(1)}\nwait 30\n")
    kiosk = start_kiosk(data.root, f"sim:{script}", "--tablet-port", str(port), "--no-tablet")
    try:
        until(lambda: data.journal.exists() and _journaled(data.journal), "the kiosk to record the tap")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/pair", timeout=2)
    finally:
        kiosk.send_signal(signal.SIGTERM)
        out, _ = kiosk.communicate(timeout=WAIT_S)
    assert kiosk.returncode == 0, out
    assert "タブレット画面" not in out


def _journaled(path: Path) -> bool:
    try:
        with JournalReader(path) as journal:
            return bool(journal.tail(1))
    except sqlite3.Error:
        return False  # created but not yet migrated by the kiosk


def _answers(base: str) -> bool:
    try:
        httpx.get(f"{base}/pair", timeout=2)
        return True
    except httpx.TransportError:
        return False
