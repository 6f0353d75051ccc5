"""The newcomer's check: a site with no server records taps from the first one.

As docs/syncd.md tells a site without a server to do it, with real processes and a real reader stack: a
fresh data directory, ``genba roster import FILE --site ID --site-name NAME``, then ``genba kiosk --headless``
reading an emulated FeliCa card through nfcpy's ``udp`` driver; the tap is journaled for that site and
``genba journal verify`` passes. And without the site set-up, the tap is still journaled (with no site) and
the console names the missing site, not a full disk.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardware.emulated import FelicaCardPeer
from shared.event import NO_SITE, Event
from shared.journal import JournalReader
from shared.paths import DataDir
from tests.slowdown import allow

SITE = "30000000000001"
CARD = "012E4CD81A2B3C4D"
ROSTER = f"技能者ID,氏名,所属事業者名,職種,立場,カードIDm\n10000000000001,山田 太郎,山田建設,型枠大工,職長,{CARD}\n"
DEADLINE_S = allow(60.0)
"""Upper bound for each wait; reached only when the test is failing."""


def genba(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GENBA_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data), *args], capture_output=True,
                          text=True, env=env, timeout=DEADLINE_S)


def journaled(data: DataDir) -> list[Event]:
    if not data.journal.exists():
        return []
    try:
        with JournalReader(data.journal) as journal:
            last, _ = journal.last(1)
            return [stored.event for stored in journal.range(1, 1, last)] if last else []
    except sqlite3.OperationalError:  # the kiosk created the file and is still setting it up
        return []


def tap_on_a_headless_kiosk(data: DataDir, lang: str = "ja") -> tuple[list[Event], str]:
    """Run the headless kiosk on an emulated reader, lay the card on it, stop the kiosk; (journal, console)."""
    with FelicaCardPeer() as card:
        env = {**os.environ, "GENBA_LANG": lang, "QT_QPA_PLATFORM": "offscreen"}
        kiosk = subprocess.Popen([sys.executable, "-m", "genba", "--data-dir", str(data.root), "kiosk", "--headless",
                                  "--reader", card.path], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
        try:
            card.present(CARD)
            deadline = time.monotonic() + DEADLINE_S
            while time.monotonic() < deadline and kiosk.poll() is None and not journaled(data):
                time.sleep(0.1)
            kiosk.send_signal(signal.SIGTERM)
            console, _ = kiosk.communicate(timeout=DEADLINE_S)
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
                kiosk.wait()
    assert kiosk.returncode == 0, console
    return journaled(data), console


@pytest.mark.slow
def test_roster_import_with_the_site_then_a_tap_on_an_emulated_card_is_journaled_and_verifies(
    tmp_path: Path,
) -> None:
    data = DataDir.resolve(tmp_path / "kiosk")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    imported = genba(data.root, "roster", "import", str(roster), "--site", SITE, "--site-name", "駅前再開発 A棟")
    assert imported.returncode == 0, imported.stderr

    events, console = tap_on_a_headless_kiosk(data)

    assert [(e.kind, e.idm, e.direction, e.site) for e in events] == [("tap", CARD, "in", SITE)]
    assert "山田 太郎" in console and "記録されていません" not in console
    verified = genba(data.root, "journal", "verify")
    assert verified.returncode == 0, verified.stderr


@pytest.mark.slow
def test_with_no_site_set_the_tap_is_journaled_and_the_console_names_the_missing_site(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "kiosk")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert genba(data.root, "roster", "import", str(roster)).returncode == 0  # the old instructions: no site

    events, console = tap_on_a_headless_kiosk(data, "en")

    assert [(e.kind, e.idm, e.site) for e in events] == [("tap", CARD, NO_SITE)]
    assert "--site" in console, "the console says how to set the site"
    assert "No site is set on this kiosk" in console and "NOT RECORDED" not in console
    assert "disk" not in console.lower(), "the cause named is the site, not the disk"
    assert genba(data.root, "journal", "verify").returncode == 0
