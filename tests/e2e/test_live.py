"""Over real HTTP: uvicorn on 127.0.0.1, the real CLI, processes killed with SIGKILL, TLS with a site CA."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from genba.cli import app
from shared.device import load_identity, load_or_create_key
from shared.journal import EventDraft, JournalReader, JournalWriter
from shared.paths import DataDir
from shared.state import StateReader, StateWriter
from syncd.client import SyncClient
from syncd.engine import SyncEngine

from .harness import SITE
from .live import REPO, LiveServer

pytestmark = pytest.mark.slow  # real server and syncd processes, kills and restarts (docs: fast local run)

runner = CliRunner()


def held(database_url: str, device: str, epoch: int = 1) -> list[tuple[int, bytes]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT seq, data FROM events WHERE device = :d AND epoch = :e "
                                        "ORDER BY seq"), {"d": device, "e": epoch}).all()
    finally:
        engine.dispose()
    return [(int(s), bytes(d)) for s, d in rows]


def assert_exactly(database_url: str, data: DataDir) -> int:
    with JournalReader(data.journal) as journal:
        last, _ = journal.last(1)
        mine = [(e.seq, e.data) for e in journal.range(1, 1, last)]
        device = journal.device
    assert device is not None
    got = held(database_url, device)
    assert got == mine, "the server must hold exactly the journal: nothing lost, nothing duplicated"
    return len(got)


def acked(data: DataDir) -> int:
    with StateReader(data.state) as state:
        a = state.acked_through(1)
        return a.seq if a else 0


def cli(data: DataDir, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data.root), *args], env={"GENBA_LANG": "en"})
    return result.exit_code, result.output


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    root = tmp_path / "server"
    root.mkdir()
    server = LiveServer(root, database_url if database_url.startswith("postgresql") else
                        f"sqlite:///{root / 'server.db'}").start()
    try:
        yield server
    finally:
        server.stop()


def enrolled(tmp_path: Path, server: LiveServer, *extra: str) -> DataDir:
    data = DataDir.resolve(tmp_path / "device").ensure()
    code, out = cli(data, "device", "enroll", "--server", server.url, "--code", server.enrollment_code(), *extra)
    assert code == 0, out
    return data


def test_cli_enroll_simulate_sync_and_status_over_http(tmp_path: Path, live: LiveServer) -> None:
    data = enrolled(tmp_path, live)
    identity = load_identity(data)
    assert identity is not None and identity.site == SITE and identity.server_key
    assert cli(data, "journal", "simulate", "--taps", "300", "--seed", "3")[0] == 0
    code, out = cli(data, "syncd", "--once", "--max-events", "128")
    assert code == 0, out
    assert "300" in out
    assert assert_exactly(live.database_url, data) == 300
    code, out = cli(data, "syncd", "status")
    assert code == 0 and "Unsent: 0" in out
    assert cli(data, "syncd", "--once")[0] == 0, "a cycle with nothing new still succeeds"


def _big_journal(data: DataDir, n: int) -> None:
    identity = load_identity(data)
    assert identity is not None
    w = JournalWriter.open(data.journal, identity, load_or_create_key(data, identity))
    try:
        for i in range(n):
            w.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=f"012E{i % 4096:012X}", direction="in"))
    finally:
        w.close()


def _wait_for(cond: object, what: str, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_server_killed_mid_ingest_and_restarted_loses_nothing(tmp_path: Path, live: LiveServer) -> None:
    data = enrolled(tmp_path, live)
    _big_journal(data, 1500)
    identity = load_identity(data)
    assert identity is not None and identity.server_url
    state = StateWriter.open(data.state)
    client = SyncClient(identity.server_url, device=identity.device, epoch=identity.epoch,
                        key=load_or_create_key(data, identity))
    engine = SyncEngine(data, identity, state, client, max_events=25)
    try:
        worker = threading.Thread(target=engine.run_once)
        worker.start()
        _wait_for(lambda: acked(data) > 0, "the first receipt")
        live.kill()
        worker.join(timeout=60)
        killed_at = acked(data)
        assert 0 < killed_at < 1500, "the kill must land mid-ingest"
        assert state.last_error() is not None
        live.start()
        report = engine.run_once()
        assert report.ok, report.errors
    finally:
        engine.close()
        client.close()
        state.close()
    assert acked(data) == 1500
    assert assert_exactly(live.database_url, data) == 1500


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_syncd_process_killed_mid_batch_then_restarted(tmp_path: Path, live: LiveServer) -> None:
    data = enrolled(tmp_path, live)
    _big_journal(data, 2000)
    env = {**os.environ, "GENBA_DATA_DIR": str(data.root)}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "syncd", "--once", "--max-events", "10"], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: acked(data) > 0, "syncd's first receipt")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    killed_at = acked(data)
    assert killed_at < 2000, "the kill must land mid-run"
    code, out = cli(data, "syncd", "--once", "--max-events", "500")
    assert code == 0, out
    assert acked(data) == 2000
    assert assert_exactly(live.database_url, data) == 2000


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_daemon_uploads_soon_after_new_taps_and_stops_on_sigterm(tmp_path: Path, live: LiveServer) -> None:
    data = enrolled(tmp_path, live)
    _big_journal(data, 5)
    env = {**os.environ, "GENBA_DATA_DIR": str(data.root)}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "syncd"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: acked(data) == 5, "the start-up cycle")
        roster = tmp_path / "roster.csv"
        roster.write_text("worker,name\n10000000000001,A\n", encoding="utf-8")
        code, out = cli(data, "roster", "import", str(roster))
        assert code == 1 and "syncd" in out, "one writer: roster import refuses while the daemon runs"
        _big_journal(data, 7)  # new taps while the daemon runs: the watch job notices the journal changed
        _wait_for(lambda: acked(data) == 12, "the upload after new taps")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert assert_exactly(live.database_url, data) == 12


def _make_ca(tmp: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Genba test site CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_file, cert_file, key_file


def test_tls_with_a_site_ca_bundle_and_refusal_without_it(tmp_path: Path) -> None:
    root = tmp_path / "server"
    root.mkdir()
    ca, cert, key = _make_ca(tmp_path)
    server = LiveServer(root, f"sqlite:///{root / 'server.db'}", certfile=cert, keyfile=key).start()
    try:
        data = DataDir.resolve(tmp_path / "device").ensure()
        code, out = cli(data, "device", "enroll", "--server", server.url,
                        "--code", server.enrollment_code(ca=ca))
        assert code == 1 and "certificate" in out.lower(), out
        assert load_identity(data) is None or not load_identity(data).server_key  # type: ignore[union-attr]
        code, out = cli(data, "device", "enroll", "--server", server.url,
                        "--code", server.enrollment_code(ca=ca), "--ca-bundle", str(ca))
        assert code == 0, out
        assert cli(data, "journal", "simulate", "--taps", "20")[0] == 0
        code, out = cli(data, "syncd", "--once")  # the CA bundle was remembered at enrollment
        assert code == 0, out
        assert assert_exactly(server.database_url, data) == 20
    finally:
        server.stop()
