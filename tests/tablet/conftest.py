"""A kiosk with its tablet view, in-process: a real journal and state.db on disk, a manual clock, the kiosk
core on its own thread (as the Qt loop would own it), and the tablet server on a real loopback port."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from hardware.base import Tap
from kiosk.core import KioskCore
from kiosk.manager import hash_pin
from kiosk.pipeline import Outcome
from kiosk.settings import KioskSettings, save_settings
from kiosk.web import KioskActions, QueueRunner, TabletOptions, TabletServer
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.event import Event
from shared.journal import JournalReader
from shared.paths import DataDir
from shared.state import RosterWorker, SiteConfig, StateWriter
from shared.timefmt import JST

T = TypeVar("T")
SITE = "90000000000001"
SITE_NAME = "渋谷駅前再開発 A棟"
PIN = "2468"


def card(n: int) -> str:
    return f"012E4CD2A1B3{n:04X}"


UNKNOWN = "012E99887766AA01"
OUTSIDER = card(99)
"""A cardholder the server knows, not on this site's roster."""

def _w(n: int, name: str, kana: str, company: str, trade: str, position: str, *cards: str,
       on_roster: bool = True) -> RosterWorker:
    return RosterWorker(f"1000000000000{n}", name, kana, "", company, trade, "", position, cards, on_roster=on_roster)


ROSTER = [
    _w(1, "山田 太郎", "ヤマダ タロウ", "山田建設株式会社", "型枠大工", "職長", card(1)),
    _w(2, "田中 誠", "タナカ マコト", "山田建設株式会社", "型枠大工", "作業員", card(2)),
    _w(3, "伊藤 翼", "イトウ ツバサ", "山田建設株式会社", "型枠大工", "作業員", card(3)),
    _w(4, "佐藤 花子", "サトウ ハナコ", "佐藤電設", "電工", "職長", card(4)),
    _w(5, "渡辺 光", "ワタナベ ヒカル", "佐藤電設", "電工", "作業員", card(5)),
    _w(6, "高橋 健", "タカハシ ケン", "高橋鉄筋工業", "鉄筋工", "職長", card(6)),
    _w(7, "小林 大", "コバヤシ ダイ", "高橋鉄筋工業", "鉄筋工", "作業員", card(7)),
    _w(8, "中村 静", "ナカムラ シズカ", "中村設備", "配管工", "作業員"),
    _w(9, "鈴木 一郎", "スズキ イチロウ", "鈴木鳶工業", "とび工", "作業員", OUTSIDER, on_roster=False),
]


def make_site(root: Path) -> DataDir:
    data = DataDir.resolve(root).ensure()
    load_or_create_identity(data, site=SITE)
    writer = StateWriter.open(data.state)
    try:
        writer.replace_roster(ROSTER, version="t1", etag=None, source="test")
        writer.set_site_config(SiteConfig(site=SITE, name=SITE_NAME))
    finally:
        writer.close()
    save_settings(data.root, KioskSettings(pin=hash_pin(PIN)))
    return data


@dataclass
class Kiosk:
    """The kiosk core on its own thread, and its tablet server on 127.0.0.1."""

    data: DataDir
    clock: ManualClock
    runner: QueueRunner = field(default_factory=QueueRunner)
    core: KioskCore | None = None
    server: TabletServer | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self, end_of_day: time = time(18, 0)) -> Kiosk:
        ready = threading.Event()

        def loop() -> None:
            self.core = KioskCore.open(self.data, clock=self.clock)
            ready.set()
            try:
                self.runner.serve(self._stop)
            finally:
                self.core.close()

        self._thread = threading.Thread(target=loop, name="kiosk-core", daemon=True)
        self._thread.start()
        assert ready.wait(20)
        assert self.core is not None
        self.server = TabletServer(self.data, self.clock, self.runner, KioskActions(self.core),
                                   TabletOptions(port=0, host="127.0.0.1", end_of_day=end_of_day)).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    def run(self, fn: Callable[[], T]) -> T:
        return self.runner(fn)

    def tap(self, idm: str, *, after_s: float = 0) -> Outcome:
        if after_s:
            self.clock.advance(after_s)
        core = self.core
        assert core is not None
        out = self.run(lambda: core.on_event(Tap(idm=idm, reader="udp", mono_us=self.clock.boottime_us())))
        assert out is not None
        return out

    def events(self) -> list[Event]:
        with JournalReader(self.data.journal) as journal:
            return [s.event for s in journal.tail(100_000)]

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=20, **kw)

    def paired_client(self) -> tuple[httpx.Client, str]:
        """A client holding a session (paired with a fresh code) and its CSRF token."""
        assert self.server is not None
        code = self.server.app.access.new_code()
        client = self.client()
        r = client.post("/pair", data={"code": code.code, "label": "test tablet"})
        assert r.status_code == 303, r.text
        page = client.get("/corrections")
        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        return client, token


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 20, 7, 30, tzinfo=JST))


@pytest.fixture
def kiosk(tmp_path: Path, clock: ManualClock) -> Iterator[Kiosk]:
    k = Kiosk(make_site(tmp_path / "gate-a"), clock).start()
    try:
        yield k
    finally:
        k.stop()
