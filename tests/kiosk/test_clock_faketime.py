"""A wrong clock across reboots, as a site lives it: the real ``genba kiosk --headless`` process with the
simulated reader, its wall clock faked by libfaketime, and a new kernel boot id for every simulated day
(through GENBA_BOOT_ID_FILE, the seam shared.clock.SystemClock reads). Issue 9 items 13 and 14.

CLOCK_BOOTTIME is left real (FAKETIME_DONT_FAKE_MONOTONIC: Qt's event loop and the reader thread wait on
it, and a faked one stalls them); so every kiosk run here is a boot of its own, with its own boot id, and
monotonic time is never compared across runs — exactly the situation the rules must survive.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.direction import GateMode
from kiosk.settings import KioskSettings, save_settings
from shared.device import load_or_create_identity
from shared.journal import verify_journal
from shared.paths import DataDir
from tests.kiosk.conftest import SITE

CARDS = ["0123456789ABCD01", "0123456789ABCD02", "0123456789ABCD03", "0123456789ABCD04"]
ROSTER = "技能者ID,氏名,フリガナ,所属事業者名,職種,立場,カードIDm\n" + "".join(
    f"1000000000000{i},作業員 {i},サギョウイン {i},山田建設,鳶,作業員,{card}\n" for i, card in enumerate(CARDS, 1))
FAKETIME = shutil.which("faketime")
DEADLINE_S = 90.0

pytestmark = pytest.mark.skipif(FAKETIME is None, reason="libfaketime is not installed (apt-get install faketime)")


class Site:
    """One kiosk's data directory and its simulated boots."""

    def __init__(self, tmp: Path, mode: GateMode) -> None:
        self.tmp = tmp
        self.boot_file = tmp / "boot_id"
        self.reboot()
        self.data = DataDir.resolve(tmp / "data").ensure()
        load_or_create_identity(self.data, site=SITE)
        save_settings(self.data.root, KioskSettings(mode=mode))
        roster = tmp / "roster.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        assert self.run(None, "roster", "import", str(roster)).returncode == 0

    def reboot(self) -> None:
        self.boot_file.write_text(str(uuid.uuid4()) + "\n")

    def run(self, fake_at: str | None, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja", "TZ": "Asia/Tokyo",
               "GENBA_BOOT_ID_FILE": str(self.boot_file), "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        cmd = [sys.executable, "-m", "genba", "--data-dir", str(self.data.root), *args]
        if fake_at is not None:
            assert FAKETIME is not None
            cmd = [FAKETIME, fake_at, *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=DEADLINE_S)

    def kiosk(self, fake_at: str, script: str) -> subprocess.CompletedProcess[str]:
        path = self.tmp / "script.txt"
        path.write_text(script)
        done = self.run(fake_at, "kiosk", "--headless", "--reader", f"sim:{path}")
        assert done.returncode == 0, done.stderr
        return done

    def events(self) -> list[dict[str, object]]:
        conn = sqlite3.connect(f"file:{self.data.journal}?mode=ro", uri=True)
        try:
            return [json.loads(r[0]) for r in conn.execute("SELECT data FROM events ORDER BY epoch, seq")]
        finally:
            conn.close()

    def flagged(self) -> dict[int, str]:
        conn = sqlite3.connect(f"file:{self.data.journal}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT seq, detail FROM flags WHERE flag = 'clock_behind'")
            return {int(s): str(d) for s, d in rows}
        finally:
            conn.close()


def taps(cards: list[str]) -> str:
    return "".join(f"tap {c}\nwait 0.1\n" for c in cards)


def test_day_3_taps_on_a_gate_a_day_behind_are_entries_not_repeats_of_day_2(tmp_path: Path) -> None:
    site = Site(tmp_path, GateMode.ENTRY_ONLY)
    site.reboot()
    day2 = site.kiosk("2026-11-03 08:00:00", taps(CARDS))
    # The gate is switched off overnight and boots offline with its clock exactly 24 h behind: it starts at
    # the moment of day 2's last tap, so each day-3 tap reads a few seconds (start-up) after day 2's,
    # well inside the 300 s repeat window.
    last_day2 = datetime.fromisoformat(str(site.events()[-1]["at"]))
    site.reboot()
    day3 = site.kiosk(last_day2.strftime("%Y-%m-%d %H:%M:%S"), taps(CARDS))

    events = site.events()
    assert [(e["kind"], e["direction"], e["idm"]) for e in events] == \
        [("tap", "in", c) for c in CARDS] * 2  # day 3: four new entries, none "already recorded"
    assert events[0]["boot"] != events[4]["boot"]
    gap = datetime.fromisoformat(str(events[4]["at"])) - datetime.fromisoformat(str(events[0]["at"]))
    assert 0 < gap.total_seconds() < 300  # what the day-3 clock says: inside the repeat window
    assert "記録済み（重複）" not in day3.stdout and day2.stdout.count(" 記録 入場 ") == 4
    assert day3.stdout.count(" 記録 入場 ") == 4
    assert verify_journal(site.data.journal).events == 8


def test_a_clock_set_back_across_a_reboot_flags_the_taps_and_warns_at_once(tmp_path: Path) -> None:
    site = Site(tmp_path, GateMode.AUTO)
    site.reboot()
    site.kiosk("2026-11-03 08:00:00", taps(CARDS))  # day 2: entries
    site.reboot()  # switched off over lunch
    site.kiosk("2026-11-03 17:30:00", taps(CARDS))  # day 2: exits
    site.reboot()  # day 3 boots with its clock one day behind: it reads day 2, 07:58
    day3 = site.kiosk("2026-11-03 07:58:00", "wait 1.5\n" + taps(CARDS))

    out = day3.stdout
    warning = "要確認: 時計が前回の記録より前の時刻です"
    assert warning in out
    assert out.index(warning) < out.index("idm="), "the warning comes at boot, before the first tap"
    events = site.events()
    assert [(e["kind"], e["direction"]) for e in events[8:]] == [("tap", "in")] * 4
    flagged = site.flagged()
    assert sorted(flagged) == [9, 10, 11, 12]  # every day-3 tap, none of day 2's
    # Each flag names the newest time seen before it: day 2's last exit (not a fixed string: a slow start-up
    # under load moves the faked clock on by some seconds before the taps).
    last_exit = str(events[7]["at"])
    assert last_exit.startswith("2026-11-03T17:3")
    assert set(flagged.values()) == {last_exit}, (flagged, last_exit)
    tail = site.run(None, "journal", "tail", "-n", "5")
    assert tail.returncode == 0 and tail.stdout.count("時計逆行") == 4
