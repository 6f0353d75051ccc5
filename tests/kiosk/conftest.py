"""Fixtures for the kiosk tests: a real journal on disk, a manual clock, a small roster.

QT_QPA_PLATFORM=offscreen must be set before anything imports Qt.
"""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from genba.cli import app
from hardware.base import ReaderStatus, Tap
from kiosk.core import KioskCore
from kiosk.sources import CardHolder, SiteSettings, StaticSiteView, SyncSummary
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.journal import JournalWriter
from shared.paths import DataDir
from shared.timefmt import JST

SITE = "90000000000001"
YAMADA = "0123456789ABCDEF"
SATO = "0123456789ABCDE0"
SUZUKI_NOT_ON_ROSTER = "0123456789ABCDE1"
UNKNOWN = "FEDCBA9876543210"


def roster_view() -> StaticSiteView:
    return StaticSiteView(
        SiteSettings(site=SITE, site_name="渋谷駅前再開発 A棟", repeat_window_s=120),
        cards={
            YAMADA: CardHolder("10000000000001", "山田 太郎", "山田建設株式会社", "ヤマダ タロウ", "型枠大工", "職長"),
            SATO: CardHolder("10000000000002", "佐藤 花子", "佐藤電設", "サトウ ハナコ", "電工", "作業員"),
            SUZUKI_NOT_ON_ROSTER: CardHolder("10000000000003", "鈴木 一郎", "鈴木鳶工業", "スズキ イチロウ",
                                             "鳶", "班長", on_site_roster=False),
        },
        sync_summary=SyncSummary(unsent=0),
    )


@dataclass
class Rig:
    data: DataDir
    clock: ManualClock
    site: StaticSiteView
    journal: JournalWriter
    core: KioskCore

    def tap(self, idm: str, *, after_s: float = 0.0):  # type: ignore[no-untyped-def]
        if after_s:
            self.clock.advance(after_s)
        out = self.core.on_event(Tap(idm=idm, reader="sim", mono_us=self.clock.boottime_us()))
        assert out is not None
        return out

    def reopen(self) -> KioskCore:
        self.journal.close()
        identity, key = load_or_create_identity(self.data, site=SITE)
        self.journal = JournalWriter.open(self.data.journal, identity, key, clock=self.clock)
        self.core = KioskCore(root=self.data.root, journal=self.journal, site=self.site, clock=self.clock)
        return self.core


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 20, 7, 42, tzinfo=JST))


@pytest.fixture
def rig(tmp_path: Path, clock: ManualClock) -> Iterator[Rig]:
    data = DataDir.resolve(tmp_path / "data").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    journal = JournalWriter.open(data.journal, identity, key, clock=clock)
    site = roster_view()
    core = KioskCore(root=data.root, journal=journal, site=site, clock=clock)
    r = Rig(data, clock, site, journal, core)
    core.on_event(ReaderStatus("connected", "sim", "ok", "接続", "connected", clock.boottime_us()))
    yield r
    r.journal.close()


# -- the command line: a data directory set up as a site without a server would, and two ways to run `genba` --

ROSTER = f"""技能者ID,氏名,フリガナ,所属事業者名,職種,立場,カードIDm
10000000000001,山田 太郎,ヤマダ タロウ,山田建設株式会社,型枠大工,職長,{YAMADA}
""".encode()

DEADLINE_S = 60.0
"""Upper bound for a child process; only reached when a test is failing."""


def genba(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``genba`` as a site runs it: a real child process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data), *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=DEADLINE_S)


def cli(data: DataDir, *args: str, stdin: str | None = None) -> Result:
    """``genba`` in this process (fast), for the setting commands."""
    return CliRunner().invoke(app, ["--data-dir", str(data.root), *args], input=stdin, env={"GENBA_LANG": "ja"})


@pytest.fixture
def site_data(tmp_path: Path) -> DataDir:
    """A kiosk's data directory: an identity for the site and the roster imported with `genba roster import`."""
    d = DataDir.resolve(tmp_path / "data").ensure()
    load_or_create_identity(d, site=SITE)
    roster = tmp_path / "roster.csv"
    roster.write_bytes(ROSTER)
    assert genba(d.root, "roster", "import", str(roster)).returncode == 0
    return d
