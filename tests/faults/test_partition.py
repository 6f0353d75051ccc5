"""Network partitions: kiosk and server in separate network namespaces, a flaky link, a restarting server.

The real processes, as a site runs them: ``genba server run`` in one namespace, ``genba syncd`` (the daemon)
in another, joined by a veth pair; taps are journaled all along by ``genba journal simulate``. For a bounded
time (``GENBA_PARTITION_SECONDS``, 30 s by default) the link is randomly made lossy (nftables: a random share
of packets dropped both ways), cut (link down), healed, and the server is killed and restarted. Throughout,
the device's acknowledged-through must never go back; at the end, once healed, the server must hold exactly
the journal: every event once, byte for byte — zero lost, zero duplicated.

This kernel has no ``netem`` (``tc qdisc … netem``: "qdisc kind is unknown"), so packet delay, duplication and
reordering cannot be injected at the link; TCP would hide them from the application anyway. Loss, cuts and
restarts are what reach syncd, as stalls, resets, timeouts and answers lost after the server committed (the
in-process fault transport in tests/e2e/test_faults.py also covers duplicated and reordered requests). Without
root or network namespaces the test is skipped with the reason.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.journal import JournalReader
from shared.state import StateReader

ROOT = Path(__file__).resolve().parents[2]
SITE = "90000000000001"
TOKEN = "partition-test-admin-token-0123456789"
SECONDS = float(os.environ.get("GENBA_PARTITION_SECONDS", "30"))

pytestmark = pytest.mark.slow


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2 ('ip') is not installed"
    probe = f"gprobe{uuid.uuid4().hex[:6]}"
    made = sh("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"cannot create a network namespace here: {made.stderr.strip()}"
    sh("ip", "netns", "del", probe, check=False)
    return None


class Net:
    """Two namespaces joined by a veth pair: the server's (.1) and the kiosk's (.2)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.srv, self.kio = f"gsrv{tag}", f"gkio{tag}"
        self.vs, self.vk = f"vs{tag}", f"vk{tag}"
        octet = random.Random(tag).randrange(2, 250)
        self.srv_ip, self.kio_ip = f"10.231.{octet}.1", f"10.231.{octet}.2"
        for ns in (self.srv, self.kio):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", self.vs, "type", "veth", "peer", "name", self.vk)
        sh("ip", "link", "set", self.vs, "netns", self.srv)
        sh("ip", "link", "set", self.vk, "netns", self.kio)
        sh("ip", "-n", self.srv, "addr", "add", f"{self.srv_ip}/30", "dev", self.vs)
        sh("ip", "-n", self.kio, "addr", "add", f"{self.kio_ip}/30", "dev", self.vk)
        sh("ip", "-n", self.srv, "link", "set", self.vs, "up")
        sh("ip", "-n", self.kio, "link", "set", self.vk, "up")
        self.nft = shutil.which("nft") is not None and sh(
            "ip", "netns", "exec", self.kio, "nft", "add", "table", "inet", "genba", check=False).returncode == 0
        if self.nft:
            for chain, hook in (("out", "output"), ("in", "input")):
                sh("ip", "netns", "exec", self.kio, "nft", "add", "chain", "inet", "genba", chain,
                   f"{{ type filter hook {hook} priority 0; }}")

    def loss(self, percent: int) -> None:
        if not self.nft:
            return
        for chain in ("out", "in"):
            sh("ip", "netns", "exec", self.kio, "nft", "flush", "chain", "inet", "genba", chain)
            if percent:
                sh("ip", "netns", "exec", self.kio, "nft", "add", "rule", "inet", "genba", chain,
                   "numgen", "random", "mod", "100", "<", str(percent), "drop")

    def link(self, up: bool) -> None:
        sh("ip", "-n", self.kio, "link", "set", self.vk, "up" if up else "down")

    def close(self) -> None:
        for ns in (self.srv, self.kio):
            sh("ip", "netns", "del", ns, check=False)


def genba(data: Path, *args: str, ns: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "genba", "--data-dir", str(data), *args]
    return ["ip", "netns", "exec", ns, *cmd] if ns else cmd


ENV = {**os.environ, "GENBA_ADMIN_TOKEN": TOKEN, "GENBA_LANG": "en", "GENBA_LOG_JSON": "false",
       "GENBA_AUDIT_INTERVAL_S": "0"}


class Server:
    def __init__(self, net: Net, data: Path) -> None:
        self.net, self.data, self.port = net, data, 8470
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = open(data.parent / "server.log", "ab")  # noqa: SIM115 (kept open across restarts)

    def start(self) -> None:
        self.proc = subprocess.Popen(genba(self.data, "server", "run", "--host", self.net.srv_ip, "--port",
                                           str(self.port), ns=self.net.srv), cwd=ROOT, env=ENV,
                                     stdout=self.log, stderr=self.log)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def close(self) -> None:
        self.kill()
        self.log.close()


@pytest.fixture
def net() -> Iterator[Net]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    n = Net()
    yield n
    n.close()


def wait_until(what: str, check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def test_a_flaky_partitioned_link_and_a_restarting_server_lose_and_duplicate_nothing(net: Net,
                                                                                    tmp_path: Path) -> None:
    srv_data, kio = tmp_path / "server", tmp_path / "kiosk"
    server = Server(net, srv_data)
    code = subprocess.run(genba(srv_data, "server", "enroll-code", "--site", SITE), cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    server.start()
    syncd: subprocess.Popen[bytes] | None = None
    try:
        url = f"http://{net.srv_ip}:{server.port}"
        wait_until("the server to listen", lambda: subprocess.run(
            ["ip", "netns", "exec", net.kio, sys.executable, "-c",
             f"import httpx; httpx.get('{url}/healthz', timeout=2)"], capture_output=True).returncode == 0, 60)
        enrolled = subprocess.run(genba(kio, "device", "enroll", "--server", url, "--code", code, ns=net.kio),
                                  cwd=ROOT, env=ENV, capture_output=True, text=True)
        assert enrolled.returncode == 0, enrolled.stderr
        syncd_log = open(tmp_path / "syncd.log", "ab")  # noqa: SIM115
        syncd = subprocess.Popen(genba(kio, "syncd", ns=net.kio), cwd=ROOT, env=ENV, stdout=syncd_log,
                                 stderr=syncd_log)
        rng, seen, faults = random.Random(), 0, {"loss": 0, "cut": 0, "restart": 0, "taps": 0}
        deadline, forced = time.monotonic() + SECONDS, ["restart", "cut", "loss", "restart"]
        while time.monotonic() < deadline or forced:
            taps = rng.randint(1, 25)
            subprocess.run(genba(kio, "journal", "simulate", "--taps", str(taps)), cwd=ROOT, env=ENV,
                           capture_output=True, check=True)
            faults["taps"] += taps
            fault = forced.pop(0) if forced else rng.choice(("loss", "loss", "cut", "restart", "heal", "heal"))
            if fault == "loss":
                net.loss(rng.choice((10, 25, 40, 60)))
            elif fault == "cut":
                net.link(False)
            elif fault == "restart":
                server.kill()
                time.sleep(rng.uniform(0.2, 1.5))
                server.start()
            else:
                net.loss(0)
                net.link(True)
            faults[fault] = faults.get(fault, 0) + 1
            pause = time.monotonic() + rng.uniform(0.5, 3.0)
            while time.monotonic() < pause:  # receipts only move forward, whatever the network does
                if (kio / "state.db").exists():
                    with StateReader(kio / "state.db") as state:
                        held = state.acked_through(1)
                    now = held.seq if held else 0
                    assert now >= seen, f"acknowledged-through went back from {seen} to {now}"
                    seen = now
                time.sleep(0.25)
            if fault == "cut":
                net.link(True)
        net.loss(0)
        net.link(True)
        if server.proc is None or server.proc.poll() is not None:
            server.start()
        with JournalReader(kio / "journal.db") as journal:
            last = journal.last(1)[0]
            mine = {s.seq: s.data for s in journal.range(1, 1, last)}

        def drained() -> bool:
            subprocess.run(genba(kio, "syncd", "--once", ns=net.kio), cwd=ROOT, env=ENV, capture_output=True)
            with StateReader(kio / "state.db") as state:
                held = state.acked_through(1)
            return held is not None and held.seq == last

        wait_until("syncd to drain once the network healed", drained, 120)
        conn = sqlite3.connect(srv_data / "server.db")
        try:
            rows = conn.execute("SELECT seq, data FROM events ORDER BY seq").fetchall()
        finally:
            conn.close()
        assert [s for s, _ in rows] == list(range(1, last + 1)), "lost or duplicated events"
        assert all(bytes(d) == mine[s] for s, d in rows), "an event differs from the journal"
        assert last == faults["taps"] and faults["restart"] >= 2 and faults["cut"] >= 1, faults
    finally:
        if syncd is not None:
            syncd.send_signal(signal.SIGTERM)
            try:
                syncd.wait(timeout=30)
            except subprocess.TimeoutExpired:
                syncd.kill()
        server.close()
