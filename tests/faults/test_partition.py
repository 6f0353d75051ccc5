"""Network partitions: kiosk and server in separate network namespaces, a flaky link, a restarting server.

The real processes, as a site runs them: ``genba server run`` in one namespace (on SQLite, and on PostgreSQL
reached through its Unix socket), ``genba syncd`` (the daemon) in another; taps are journaled all along by
``genba journal simulate``. For a bounded time (``GENBA_PARTITION_SECONDS``, 30 s by default) the link is
randomly impaired — packets lost, delayed, duplicated and reordered — cut, healed, and the server is killed and
restarted. Throughout, the device's acknowledged-through must never go back; at the end, once healed, the
server must hold exactly the journal: every event once, byte for byte — zero lost, zero duplicated.

The link: this kernel has no ``netem`` qdisc ("qdisc kind is unknown") and no NFQUEUE, so the two namespaces
are joined by a TUN device in each with a userspace forwarder between them (``tests/faults/tunlink.py``), which
drops, delays, duplicates and reorders IP packets as ``tc netem`` would, below TCP; the test checks from the
forwarder's counts that each impairment really happened. Where ``/dev/net/tun`` is missing it falls back to a
veth pair with nftables dropping a random share of packets (loss and cuts only), and says so. Without root or
network namespaces the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.journal import JournalReader
from shared.state import StateReader
from tests.pg import PgCluster

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
    """Two namespaces, the server's (.1) and the kiosk's (.2), joined by an impairable link.

    The link is a TUN pair with the userspace forwarder (``tunlink.py``: loss, delay, duplication, reordering,
    cuts) where ``/dev/net/tun`` exists, else a veth pair with nftables loss and link-down cuts."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.srv, self.kio = f"gsrv{tag}", f"gkio{tag}"
        self.vs, self.vk = f"vs{tag}", f"vk{tag}"
        octet = random.Random(tag).randrange(2, 250)
        self.srv_ip, self.kio_ip = f"10.231.{octet}.1", f"10.231.{octet}.2"
        for ns in (self.srv, self.kio):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.forwarder: subprocess.Popen[str] | None = None
        self.counts: dict[str, int] = {}
        self.nft = False
        if os.path.exists("/dev/net/tun"):
            self._tun()
        else:
            print("no /dev/net/tun: veth with nftables loss and cuts only (no delay, duplication, reordering)")
            self._veth()

    def _tun(self) -> None:
        self.forwarder = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("tunlink.py")), self.kio, self.vk, self.srv, self.vs],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.forwarder.stdout is not None
        assert self.forwarder.stdout.readline().strip() == "ready", "the userspace link did not start"
        for ns, dev, mine, peer in ((self.srv, self.vs, self.srv_ip, self.kio_ip),
                                    (self.kio, self.vk, self.kio_ip, self.srv_ip)):
            sh("ip", "-n", ns, "addr", "add", mine, "peer", peer, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")

    def _veth(self) -> None:
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

    def impair(self, rng: random.Random) -> None:
        """A random impairment: some loss, and (on the TUN link) delay with reordering and duplication."""
        if self.forwarder is not None:
            self._tell({"loss": rng.choice((0.0, 0.05, 0.15, 0.3)), "duplicate": rng.choice((0.05, 0.1, 0.2)),
                        "delay": [0.0, rng.choice((0.02, 0.08, 0.2))]})
            return
        percent = rng.choice((10, 25, 40, 60))
        if self.nft:
            for chain in ("out", "in"):
                sh("ip", "netns", "exec", self.kio, "nft", "flush", "chain", "inet", "genba", chain)
                sh("ip", "netns", "exec", self.kio, "nft", "add", "rule", "inet", "genba", chain,
                   "numgen", "random", "mod", "100", "<", str(percent), "drop")

    def heal(self) -> None:
        if self.forwarder is not None:
            self._tell({})
            return
        self.link(True)
        if self.nft:
            for chain in ("out", "in"):
                sh("ip", "netns", "exec", self.kio, "nft", "flush", "chain", "inet", "genba", chain)

    def link(self, up: bool) -> None:
        if self.forwarder is not None:
            self._tell({} if up else {"cut": True})
        else:
            sh("ip", "-n", self.kio, "link", "set", self.vk, "up" if up else "down")

    def _tell(self, spec: dict[str, object]) -> None:
        assert self.forwarder is not None and self.forwarder.stdin is not None
        self.forwarder.stdin.write(json.dumps(spec) + "\n")
        self.forwarder.stdin.flush()

    def finish(self) -> dict[str, int]:
        """Stop the userspace link; what it did (forwarded, dropped, duplicated, delayed, reordered)."""
        if self.forwarder is not None and self.forwarder.poll() is None:
            assert self.forwarder.stdin is not None and self.forwarder.stdout is not None
            self.forwarder.stdin.close()
            last = self.forwarder.stdout.read().strip().splitlines()
            self.forwarder.wait(timeout=30)
            if last:
                self.counts = json.loads(last[-1])
        return self.counts

    def close(self) -> None:
        self.finish()
        for ns in (self.srv, self.kio):
            sh("ip", "netns", "del", ns, check=False)


def genba(data: Path, *args: str, ns: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "genba", "--data-dir", str(data), *args]
    return ["ip", "netns", "exec", ns, *cmd] if ns else cmd


ENV = {**os.environ, "GENBA_ADMIN_TOKEN": TOKEN, "GENBA_LANG": "en", "GENBA_LOG_JSON": "false",
       "GENBA_AUDIT_INTERVAL_S": "0"}


class Server:
    def __init__(self, net: Net, data: Path, database_url: str) -> None:
        self.net, self.data, self.port, self.url = net, data, 8470, database_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = open(data.parent / "server.log", "ab")  # noqa: SIM115 (kept open across restarts)

    def start(self) -> None:
        self.proc = subprocess.Popen(genba(self.data, "server", "run", "--host", self.net.srv_ip, "--port",
                                           str(self.port), ns=self.net.srv), cwd=ROOT, env=self.env(),
                                     stdout=self.log, stderr=self.log)

    def env(self) -> dict[str, str]:
        return {**ENV, "GENBA_DATABASE_URL": self.url}

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


def socket_url(cluster: PgCluster) -> str:
    """A fresh database reached through the cluster's Unix socket: a file, so visible from any namespace."""
    name = sa.engine.make_url(cluster.create_database()).database
    return f"postgresql+psycopg://postgres@/{name}?host={cluster.sockets}&port={cluster.port}"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_flaky_partitioned_link_and_a_restarting_server_lose_and_duplicate_nothing(
        net: Net, tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    srv_data, kio = tmp_path / "server", tmp_path / "kiosk"
    db_url = (f"sqlite:///{srv_data / 'server.db'}" if backend == "sqlite"
              else socket_url(request.getfixturevalue("pg_cluster")))
    server = Server(net, srv_data, db_url)
    code = subprocess.run(genba(srv_data, "server", "enroll-code", "--site", SITE), cwd=ROOT, env=server.env(),
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
        rng, seen, faults = random.Random(), 0, {"impair": 0, "cut": 0, "restart": 0, "taps": 0}
        deadline, forced = time.monotonic() + SECONDS, ["impair", "restart", "cut", "impair", "restart"]
        while time.monotonic() < deadline or forced:
            taps = rng.randint(1, 25)
            subprocess.run(genba(kio, "journal", "simulate", "--taps", str(taps)), cwd=ROOT, env=ENV,
                           capture_output=True, check=True)
            faults["taps"] += taps
            fault = forced.pop(0) if forced else rng.choice(("impair", "impair", "cut", "restart", "heal", "heal"))
            if fault == "impair":
                net.impair(rng)
            elif fault == "cut":
                net.link(False)
            elif fault == "restart":
                server.kill()
                time.sleep(rng.uniform(0.2, 1.5))
                server.start()
            else:
                net.heal()
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
        net.heal()
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
        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT seq, data FROM events ORDER BY seq")).all()
        finally:
            engine.dispose()
        assert [s for s, _ in rows] == list(range(1, last + 1)), "lost or duplicated events"
        assert all(bytes(d) == mine[s] for s, d in rows), "an event differs from the journal"
        assert last == faults["taps"] and faults["restart"] >= 2 and faults["cut"] >= 1, faults
        if net.forwarder is not None:  # the impairments really happened, below TCP
            counts = net.finish()
            print("link:", counts, "faults:", faults)
            assert min(counts["dropped"], counts["duplicated"], counts["reordered"], counts["delayed"]) > 0, counts
    finally:
        if syncd is not None:
            syncd.send_signal(signal.SIGTERM)
            try:
                syncd.wait(timeout=30)
            except subprocess.TimeoutExpired:
                syncd.kill()
        server.close()
