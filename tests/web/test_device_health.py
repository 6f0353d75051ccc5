"""Device health end to end (issue 13): the kiosk's reader state and errors and the free disk travel
kiosk → ``kiosk-status.json`` → syncd's status report → the server → the console's fleet and device pages,
where the reader, kiosk and disk alarms are raised. Every piece is real: the simulated reader behind the
polling front end, the kiosk core with its journal, syncd's engine over HTTP to uvicorn, SQLite.

Also: the status report's new fields refuse malformed, oversized and forged values (nothing stored), and a
damaged or stale status file is reported as such, never as a healthy reader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from hardware.base import ReaderStatus
from hardware.sim import SimulatedReader
from kiosk.core import KioskCore
from server.store import console_store as store
from server.store import schema as sync
from server.store.devices import HEALTH_FIELDS
from server.store.engine import write_transaction
from shared.clock import ManualClock
from shared.device import load_identity, load_or_create_identity, load_or_create_key
from shared.errors import FormatError
from shared.kioskstatus import (
    REPORTED_STATES,
    SILENT_AFTER_S,
    KioskStatus,
    device_health,
    read_status,
    reader_report,
    status_path,
    write_status,
)
from shared.paths import DataDir
from shared.request_auth import sign_request
from shared.state import StateWriter
from syncd.client import SyncClient
from syncd.engine import SyncEngine
from syncd.enroll import enroll
from tests.web.world import ADMIN_TOKEN, NOW, PASSWORD, WebWorld, build, serving

SITE = "90000000000001"


@dataclass
class Rig:
    world: WebWorld
    data: DataDir
    clock: ManualClock
    device: str
    epoch: int


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    w = build(tmp_path / "server", seed=False)
    with serving(w):
        code = httpx.post(f"{w.url}/api/v1/admin/enrollment-codes", json={"site": SITE, "ttl_minutes": 60},
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["code"]
        data = DataDir.resolve(tmp_path / "device").ensure()
        load_or_create_identity(data)
        client = SyncClient(w.url)
        try:
            done = enroll(data, client, server_url=w.url, code=code)
        finally:
            client.close()
        yield Rig(w, data, ManualClock(NOW, boot="boot-1"), done.identity.device, done.identity.epoch)
    w.ctx.close()


@contextmanager
def syncd(rig: Rig) -> Iterator[SyncEngine]:
    identity = load_identity(rig.data)
    assert identity is not None
    state = StateWriter.open(rig.data.state)
    client = SyncClient(rig.world.url, device=identity.device, epoch=identity.epoch,
                        key=load_or_create_key(rig.data, identity), clock=rig.clock)
    engine = SyncEngine(rig.data, identity, state, client, clock=rig.clock)
    try:
        yield engine
    finally:
        engine.close()
        client.close()
        state.close()


def report(rig: Rig) -> None:
    with syncd(rig) as engine:
        engine.report_status()


def stored(rig: Rig) -> dict[str, object]:
    with rig.world.ctx.engine.connect() as conn:
        row = conn.execute(sa.select(sync.device_status).where(sync.device_status.c.device == rig.device)).one()
    return dict(row._mapping)


def console(rig: Rig) -> httpx.Client:
    c = httpx.Client(base_url=rig.world.url)
    page = c.get("/sign-in")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    r = c.post("/sign-in", data={"csrf": token.group(1), "login": "admin", "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return c


def fleet_row(html: str, device: str) -> str:
    found = re.search(rf'<tr[^>]*><th scope="row"><a href="/devices/{device}">.*?</tr>', html, re.S)
    assert found, "the device is not on the fleet page"
    return found.group(0)


def play(core: KioskCore, reader: SimulatedReader) -> None:
    reader.finish()
    for event in reader.events():
        core.on_event(event)


def test_reader_errors_and_an_unplugged_reader_reach_the_fleet_page_with_alarms(rig: Rig) -> None:
    with closing(console(rig)) as office:
        before = fleet_row(office.get("/fleet").text, rig.device)
        assert "報告なし" in before  # nothing reported yet: "not reported", never guessed

        core = KioskCore.open(rig.data, clock=rig.clock)
        try:
            reader = SimulatedReader()
            for i in range(6):  # six failed reads, each followed by a good one ("ok" first, then the tap)
                reader.fail("antenna noise")
                reader.tap(f"0123456789ABCD{i:02X}")
            play(core, reader)
            assert read_status(rig.data.root) == KioskStatus("connected", "ok", 6, "boot-1",
                                                             rig.clock.boottime_us())
            report(rig)
            row = stored(rig)
            assert (row["reader_state"], row["reader_code"], row["reader_errors"]) == ("connected", "ok", 6)
            assert isinstance(row["disk_free_bytes"], int) and row["disk_free_bytes"] > 0

            page = fleet_row(office.get("/fleet").text, rig.device)
            assert "接続" in page and "エラー 6 件／時" in page
            assert "直近1時間にリーダーのエラーが 6 件あります" in page  # default threshold: 5 per hour
            metrics = httpx.get(f"{rig.world.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).text
            assert f'genba_device_reader_errors_last_hour{{device="{rig.device}"}} 6.0' in metrics
            assert f'genba_device_disk_free_bytes{{device="{rig.device}"}}' in metrics

            # the reader is unplugged: the kiosk writes it at once, syncd's next report carries it
            reader = SimulatedReader()
            reader.unplug()
            play(core, reader)
            report(rig)
            assert stored(rig)["reader_state"] == "disconnected"
            page = fleet_row(office.get("/fleet").text, rig.device)
            assert "未接続" in page and "カードリーダーが使えません（unplugged）" in page

            # an hour later the errors have aged out of the window; the heartbeat rewrites the count
            rig.clock.advance(3601)
            core.publish_status()
            report(rig)
            assert stored(rig)["reader_errors"] == 0
            assert "リーダーのエラーが" not in fleet_row(office.get("/fleet").text, rig.device)

            # the same on the device page, in English
            office.cookies.set("genba_lang", "en")
            device_page = office.get(f"/devices/{rig.device}").text
            office.cookies.delete("genba_lang")
            assert "disconnected" in device_page and "The card reader cannot be used (unplugged)" in device_page
        finally:
            core.close()
        report(rig)
        assert stored(rig)["reader_state"] == "stopped"
        assert "キオスク停止" in fleet_row(office.get("/fleet").text, rig.device)


def test_a_kiosk_that_stopped_writing_its_status_is_reported_silent(rig: Rig) -> None:
    core = KioskCore.open(rig.data, clock=rig.clock)
    try:
        core.publish_status()
        report(rig)
        assert stored(rig)["reader_state"] == "waiting"
        rig.clock.advance(SILENT_AFTER_S + 1)  # no heartbeat: the kiosk hung
        report(rig)
        row = stored(rig)
        assert row["reader_state"] == "silent" and row["reader_errors"] is None
        with closing(console(rig)) as office:
            page = fleet_row(office.get("/fleet").text, rig.device)
        assert "キオスク応答なし" in page and "キオスクが3分以上状態を書いていません" in page
    finally:
        core.close()


def test_a_damaged_status_file_is_reported_unreadable_and_low_disk_raises_the_disk_alarm(rig: Rig) -> None:
    status_path(rig.data.root).write_text('{"reader_state": "connected"', encoding="utf-8")
    report(rig)
    assert stored(rig)["reader_state"] == "unreadable"
    with write_transaction(rig.world.ctx.engine) as conn:  # more than this disk has: the alarm must show
        store.set_thresholds(conn, {"disk_free_mb": 1_000_000.0})
    with closing(console(rig)) as office:
        page = fleet_row(office.get("/fleet").text, rig.device)
    assert "状態ファイル破損" in page and "キオスクの状態ファイルが壊れています" in page
    assert "ディスクの空きが少なくなっています" in page


# -- the kiosk's file and syncd's reading of it --------------------------------------------------------------

def test_a_file_from_another_boot_or_from_the_future_is_silent() -> None:
    s = KioskStatus("connected", "ok", 2, "boot-1", 10_000_000)
    assert reader_report(s, boot="boot-1", boottime_us=11_000_000) is not None
    assert reader_report(s, boot="boot-1", boottime_us=11_000_000).reader_state == "connected"  # type: ignore[union-attr]
    for boot, mono in (("boot-2", 11_000_000), ("boot-1", 9_000_000),
                       ("boot-1", 10_000_000 + SILENT_AFTER_S * 1_000_000 + 1)):
        got = reader_report(s, boot=boot, boottime_us=mono)
        assert got is not None and (got.reader_state, got.reader_errors) == ("silent", None)
    stopped = KioskStatus("stopped", "stopped", 0, "boot-1", 10_000_000)
    assert reader_report(stopped, boot="boot-1", boottime_us=10**12).reader_state == "stopped"  # type: ignore[union-attr]
    assert reader_report(None, boot="boot-1", boottime_us=1) is None


@pytest.mark.parametrize("content", [
    b"", b"not json", b"\xff\xfe", b"[]", b'{"reader_state": "connected"}',
    b'{"reader_state":"on fire","reader_code":"ok","reader_errors":0,"boot":"b","boottime_us":1}',
    b'{"reader_state":"connected","reader_code":"<script>","reader_errors":0,"boot":"b","boottime_us":1}',
    b'{"reader_state":"connected","reader_code":"ok","reader_errors":-1,"boot":"b","boottime_us":1}',
    b'{"reader_state":"connected","reader_code":"ok","reader_errors":true,"boot":"b","boottime_us":1}',
    b'{"reader_state":"connected","reader_code":"ok","reader_errors":0,"boot":"b","boottime_us":1,"x":1}',
    b'{"reader_state":"connected","reader_code":"ok","reader_errors":0,"boot":"' + b"b" * 5000 + b'","boottime_us":1}',
])
def test_a_malformed_or_oversized_status_file_is_a_format_error(tmp_path: Path, content: bytes) -> None:
    status_path(tmp_path).write_bytes(content)
    with pytest.raises(FormatError):
        read_status(tmp_path)
    assert device_health(tmp_path, ManualClock())["reader_state"] == "unreadable"


def test_the_file_is_replaced_whole_and_a_missing_file_reports_no_reader_state(tmp_path: Path) -> None:
    assert "reader_state" not in device_health(tmp_path, ManualClock())
    clock = ManualClock(boot="b1")
    write_status(tmp_path, KioskStatus("error", "read_error", 3, "b1", clock.boottime_us()))
    assert json.loads(status_path(tmp_path).read_text())["reader_errors"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk-status.json"]  # no temporary file left behind
    health = device_health(tmp_path, clock)
    assert (health["reader_state"], health["reader_code"], health["reader_errors"]) == ("error", "read_error", 3)


def test_a_reader_code_outside_the_file_format_keeps_the_state(tmp_path: Path) -> None:
    from kiosk.core import KioskCore as Core

    clock = ManualClock(boot="b1")
    data = DataDir.resolve(tmp_path).ensure()
    core = Core.open(data, clock=clock)
    try:
        core.on_event(ReaderStatus("disconnected", "usb", "Weird Code!", "ja", "en", clock.boottime_us()))
        assert read_status(tmp_path) == KioskStatus("disconnected", "reader_error", 0, "b1", clock.boottime_us())
    finally:
        core.close()
    assert read_status(tmp_path).reader_state == "stopped"  # type: ignore[union-attr]


# -- the status report's new fields: bad input refused, nothing stored ---------------------------------------

def _signed_status(rig: Rig, body: bytes, nonce: str | None = None) -> httpx.Response:
    identity = load_identity(rig.data)
    assert identity is not None
    key = load_or_create_key(rig.data, identity)
    auth = sign_request(key, device=rig.device, epoch=rig.epoch, method="POST", path_with_query="/api/v1/device/status",
                        body=body, now=rig.world.ctx.now(), nonce=nonce)
    return httpx.post(f"{rig.world.url}/api/v1/device/status", content=body,
                      headers={"Authorization": auth, "Content-Type": "application/json"})


@pytest.mark.parametrize("extra", [
    '"reader_state": "on fire"', '"reader_state": 3', '"reader_code": "<script>"', '"reader_code": ""',
    '"reader_code": "' + "a" * 41 + '"', '"reader_errors": -1', '"reader_errors": 1e3', '"reader_errors": "5"',
    '"reader_errors": 10000000000', '"disk_free_bytes": -5', '"disk_free_bytes": "9"',
    '"disk_free_bytes": 99999999999999999999', '"disk": 5',
])
def test_malformed_health_fields_are_400_and_store_nothing(rig: Rig, extra: str) -> None:
    resp = _signed_status(rig, ('{"unsent": 3, ' + extra + "}").encode())
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed"), resp.text
    with rig.world.ctx.engine.connect() as conn:
        row = conn.execute(sa.select(sync.device_status)).first()
    # authenticating the request notes the contact (last_seen); nothing of the report is stored
    assert row is None or all(row._mapping[f] is None for f in ("unsent", *HEALTH_FIELDS))


def test_a_forged_or_replayed_health_report_is_refused(rig: Rig) -> None:
    good = b'{"unsent": 0, "reader_state": "connected", "reader_errors": 0, "disk_free_bytes": 1}'
    assert _signed_status(rig, good, nonce="cd" * 16).status_code == 204
    replayed = _signed_status(rig, good, nonce="cd" * 16)
    assert (replayed.status_code, replayed.json()["code"]) == (401, "replayed")
    identity = load_identity(rig.data)
    assert identity is not None
    auth = sign_request(load_or_create_key(rig.data, identity), device=rig.device, epoch=rig.epoch, method="POST",
                        path_with_query="/api/v1/device/status", body=good, now=rig.world.ctx.now())
    forged = httpx.post(f"{rig.world.url}/api/v1/device/status",  # signed for another body
                        content=good.replace(b'"disk_free_bytes": 1', b'"disk_free_bytes": 2'),
                        headers={"Authorization": auth, "Content-Type": "application/json"})
    assert (forged.status_code, forged.json()["code"]) == (401, "bad_signature")
    assert stored(rig)["disk_free_bytes"] == 1


def test_the_api_model_accepts_exactly_the_states_syncd_reports() -> None:
    from typing import get_args

    from server.api.models import StatusReport

    annotation = StatusReport.model_fields["reader_state"].annotation
    literal = next(a for a in get_args(annotation) if a is not type(None))
    assert set(get_args(literal)) == set(REPORTED_STATES)
