"""The protocol's hard cases, against the real server: gap, fork, re-enrollment, revocation, bad answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from genba.cli import app
from shared.checkpoint import Receipt
from shared.device import load_identity, load_or_create_key
from shared.errors import BadSignature, UnknownKey
from shared.journal import JournalWriter
from shared.keys import SigningKey
from shared.state import ReceiptForeign, StateReader
from syncd.client import SyncClient
from syncd.enroll import enroll
from syncd.errors import BadResponse, ForkAlarm, Refused

from .harness import BASE, Device, HeldCheck, Site, assert_server_holds_exactly, enrolled_device, running_site


def sync(dev: Device, transport: httpx.BaseTransport, **kw: int):  # type: ignore[no-untyped-def]
    with dev.syncd(transport, **kw) as engine:
        return engine.run_once()


def test_device_clock_far_off_is_corrected_from_the_skew_answer(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        # The device's ManualClock reads 2026-11-02; the server's clock is the real one, weeks away.
        dev.tap(3)
        report = sync(dev, site.transport)
        assert report.ok, report.errors
        status = StateReader(dev.data.state).sync_status(dev.writer, now=dev.clock.wall())
        assert status.clock_offset_ms is not None and abs(status.clock_offset_ms) > 60_000
        again = sync(dev, site.transport)  # the kept offset signs the next requests right away
        assert again.ok


def test_server_restored_from_an_old_backup_gets_the_missing_range_again(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(30)
        assert sync(dev, site.transport).ok
        # The server loses everything after seq 12 (restored from a backup): device still holds it.
        head12 = dev.writer.head_at(1, 12)
        engine = sa.create_engine(site.database_url)
        with engine.begin() as conn:
            d = dev.writer.identity.device
            conn.execute(sa.text("DELETE FROM events WHERE device = :d AND seq > 12"), {"d": d})
            conn.execute(sa.text("DELETE FROM receipts WHERE device = :d AND acked > 12"), {"d": d})
            conn.execute(sa.text("UPDATE chains SET last_seq = 12, head = :h WHERE device = :d"),
                         {"h": head12, "d": d})
        engine.dispose()
        dev.tap(5)
        report = sync(dev, site.transport, max_events=10)
        assert report.ok, report.errors
        assert assert_server_holds_exactly(site, dev) == 35, "the gap answer made syncd resend from seq 13"


def test_cloned_device_forks_raises_the_alarm_and_stops_uploads(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(5)
        assert sync(dev, site.transport).ok
        dev.writer.close()
        clone = tmp_path / "clone"
        shutil.copytree(dev.data.root, clone)  # an SD card copied into a second kiosk
        from shared.paths import DataDir

        twin_data = DataDir.resolve(clone)
        identity = load_identity(twin_data)
        assert identity is not None
        twin = Device(twin_data, JournalWriter.open(twin_data.journal, identity,
                                                    load_or_create_key(twin_data, identity), clock=dev.clock),
                      dev.clock, dev.rng)
        dev.writer = JournalWriter.open(dev.data.journal, identity, load_or_create_key(dev.data, identity),
                                        clock=dev.clock)
        try:
            dev.tap(3)
            twin.tap(4)  # same seqs 6.., different taps
            assert sync(dev, site.transport).ok
            report = sync(twin, site.transport)
            assert any(isinstance(e, ForkAlarm) for e in report.errors)
            status = StateReader(twin.data.state).sync_status(twin.writer)
            assert status.fork is not None and status.fork.seq >= 5
            assert status.last_error is not None and status.last_error.code == "fork"
            stopped = sync(twin, site.transport)
            assert any(isinstance(e, ForkAlarm) for e in stopped.errors), "uploads stay stopped"
            result = CliRunner().invoke(app, ["--data-dir", str(clone), "syncd", "status"],
                                        env={"GENBA_LANG": "ja"})
            assert "分岐" in result.output
            assert assert_server_holds_exactly(site, dev) == 8, "the original's history stands on the server"
        finally:
            twin.writer.close()


def test_re_enrollment_starts_a_new_epoch_and_old_events_still_upload(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(4)  # epoch 1, not yet sent
        dev.writer.close()
        client = SyncClient(BASE, transport=site.transport)
        try:
            done = enroll(dev.data, client, server_url=BASE, code=site.enrollment_code())
        finally:
            client.close()
        assert done.new_epoch and done.identity.epoch == 2
        dev.writer = JournalWriter.open(dev.data.journal, done.identity,
                                        load_or_create_key(dev.data, done.identity), clock=dev.clock)
        dev.tap(3)  # epoch 2
        report = sync(dev, site.transport)
        assert report.ok, report.errors
        assert HeldCheck(site, dev, 1)() == 4 and HeldCheck(site, dev, 2)() == 3
        status = StateReader(dev.data.state).sync_status(dev.writer)
        assert status.unsent == 0 and [e.epoch for e in status.epochs] == [1, 2]


def test_failed_enrollment_leaves_the_device_unchanged(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        before = (dev.data.device_file.read_text(), sorted(p.name for p in dev.data.keys.iterdir()))
        runner = CliRunner()
        for code in ("AAAA-BBBB-CCCC-DDDD", "not a code"):
            client = SyncClient(BASE, transport=site.transport)
            with pytest.raises(Refused) as info:
                enroll(dev.data, client, server_url=BASE, code=code)
            client.close()
            assert info.value.code in ("enrollment_code_invalid", "malformed")
        assert dev.data.device_file.read_text() == before[0]
        result = runner.invoke(app, ["--data-dir", str(dev.data.root), "device", "enroll", "--server",
                                     "http://127.0.0.1:9", "--code", "X"], env={"GENBA_LANG": "en"})
        assert result.exit_code == 1 and "Cannot reach the server" in result.output
        assert dev.data.device_file.read_text() == before[0]


def test_revoked_device_gets_words_that_say_so(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(2)
        with site.admin() as admin:
            r = admin.post(f"/api/v1/admin/devices/{dev.writer.identity.device}/revoke")
            assert r.status_code == 200, r.text
        report = sync(dev, site.transport)
        assert not report.ok and report.errors[0].code == "revoked"
        error = StateReader(dev.data.state).last_error()
        assert error is not None and "失効" in error.ja and "revoked" in error.en
        assert StateReader(dev.data.state).acked_through(1) is None


class Rewriter(httpx.BaseTransport):
    """A hostile middlebox: passes requests to the server, rewrites the receipt in batch answers."""

    def __init__(self, site: Site, rewrite: object) -> None:
        self.site, self.rewrite = site, rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        resp = self.site.transport.handle_request(request)
        if request.url.path.endswith("/batches") and resp.status_code == 200:
            body = json.loads(resp.content)
            body["receipt"] = self.rewrite(body["receipt"])  # type: ignore[operator]
            return httpx.Response(200, json=body)
        return resp


@pytest.mark.parametrize("case", ["forged", "other_device", "not_a_receipt", "acks_less"])
def test_bad_receipts_in_answers_acknowledge_nothing(tmp_path: Path, case: str) -> None:
    forger = SigningKey.generate("genba-server")
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        dev.tap(1)
        assert sync(dev, site.transport).ok  # seq 1 is acknowledged honestly
        first = StateReader(dev.data.state).latest_receipt_note(1)
        assert first is not None
        dev.tap(5)

        def rewrite(note: str) -> str:
            r = Receipt.parse(note.split("\n\n")[0] + "\n")
            if case == "forged":
                return Receipt(r.device, r.epoch, r.acked, r.head, r.time).sign(forger)
            if case == "other_device":
                return note.replace(r.device, "kiosk-0000deadbeef")
            if case == "not_a_receipt":
                return "hello"
            return first  # acks_less: a genuine receipt, but for seq 1 while the batch carried 2..6

        report = sync(dev, Rewriter(site, rewrite))
        assert not report.ok
        expected = {"forged": (BadSignature, UnknownKey), "other_device": (ReceiptForeign, BadSignature),
                    "not_a_receipt": BadResponse, "acks_less": BadResponse}[case]
        assert isinstance(report.errors[0], expected), report.errors
        acked = StateReader(dev.data.state).acked_through(1)
        assert acked is not None and acked.seq == 1, "nothing beyond the honest receipt is believed"
        assert sync(dev, site.transport).ok, "with an honest path again, everything goes through"
        assert StateReader(dev.data.state).sync_status(dev.writer).unsent == 0


class PullRewriter(httpx.BaseTransport):
    """Passes everything to the server, but replaces the body of one pull endpoint."""

    def __init__(self, site: Site, path: str, body: bytes) -> None:
        self.site, self.path, self.body = site, path, body

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path.endswith(self.path):
            return httpx.Response(200, content=self.body, headers={"content-type": "application/json",
                                                                   "etag": '"evil"'})
        return self.site.transport.handle_request(request)


BAD_ROSTER = json.dumps({"version": "v9", "workers": [
    {"worker": "10000000000001", "name": "A", "idms": ["012E000000000001"]},
    {"worker": "10000000000002", "name": "B", "idms": ["012E000000000001"]},  # one card, two workers
]}).encode()


@pytest.mark.parametrize("path, body", [
    ("/device/roster", BAD_ROSTER),
    ("/device/roster", json.dumps({"version": "v9", "workers": [{"worker": "x", "idms": ["ZZ"]}]}).encode()),
    ("/device/roster", b"[1, 2, 3]"),
    ("/device/config", json.dumps({"site": "90000000000001", "day_boundary": "25:99"}).encode()),
    ("/device/config", b"\xff\xfe not json"),
    ("/device/roster", b"[" + b"0," * (9 * 1024 * 1024) + b"0]"),  # 18 MiB: refused while reading
], ids=["card-twice", "bad-ids", "not-object", "bad-boundary", "not-json", "oversized"])
def test_bad_pulls_change_nothing_and_say_bad_response(tmp_path: Path, path: str, body: bytes) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        assert sync(dev, site.transport).ok
        before = StateReader(dev.data.state)
        roster, config = before.roster(), before.site_config()
        report = sync(dev, PullRewriter(site, path, body))
        assert [e.code for e in report.errors] == ["bad_response"], report.errors
        after = StateReader(dev.data.state)
        assert after.roster() == roster and after.site_config() == config
        assert after.roster_etag() != '"evil"'
