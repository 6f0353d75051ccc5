"""A kiosk whose machine is not set to the site's time zone still lives in the site's hours.

The site's zone comes from state.db (Asia/Tokyo here). The machine's zone is whatever its owner left: UTC on a
cloud image, Europe/London on a fresh Raspberry Pi OS. Every time a worker or a manager sees (the idle clock,
a tap's answer, the tablet's tables and corrections, the gates page) and every time they type (a forgotten
card's "07:00") is the site's. The journal keeps the machine's clock reading as it is (an RFC 3339 text
with the machine's offset: the instant is what counts), and what is read back from it is shown in the site's
hours. Before, a kiosk in UTC showed 22:30 for a 07:30 entry, and a forgotten card typed as 07:00 was
recorded as 16:00 in Tokyo.

Two machines are simulated: a manual clock that reads in UTC (the instant is exact, so the hours can be
checked), and the real system clock with the process's zone set to Europe/London (``TZ`` and ``tzset``).
"""

from __future__ import annotations

import sqlite3
import time as systime
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core import KioskCore
from shared.clock import ManualClock, SystemClock
from shared.device import load_or_create_identity
from shared.journal import JournalWriter
from shared.journal.store import EventDraft
from shared.state import StateWriter
from shared.state.siblings import record_sibling_alarm
from shared.timefmt import parse_rfc3339
from tests.tablet.conftest import Kiosk, card, make_site

TOKYO = timedelta(hours=9)


@pytest.fixture
def clock() -> ManualClock:
    """A machine in UTC: 22:30 UTC on the 19th is 07:30 on the 20th at the site."""
    return ManualClock(datetime(2026, 11, 19, 22, 30, tzinfo=UTC))


def test_a_tap_is_answered_shown_and_journaled_in_the_sites_hours(kiosk: Kiosk) -> None:
    out = kiosk.tap(card(1))
    assert out.at is not None and out.at.utcoffset() == TOKYO and (out.at.hour, out.at.minute) == (7, 30)
    event = kiosk.events()[-1]
    assert event.at == "2026-11-19T22:30:00.000Z"  # the machine's reading, kept as read
    assert parse_rfc3339(event.at) == out.at  # the same instant
    core = kiosk.core
    assert core is not None
    idle = kiosk.run(core.idle)
    assert idle.now.utcoffset() == TOKYO and (idle.now.hour, idle.now.minute) == (7, 30)
    assert kiosk.run(core.now) == idle.now
    assert kiosk.run(lambda: core.today.people["10000000000001"].first_in) == out.at

    c, _ = kiosk.paired_client()
    today = c.get("/today").text
    rollcall = c.get("/rollcall").text
    assert "2026-11-20" in today and "07:30" in today and "22:30" not in today
    assert "07:30" in rollcall and "22:30" not in rollcall


def test_a_forgotten_card_typed_on_the_tablet_is_read_in_the_sites_zone(kiosk: Kiosk) -> None:
    c, token = kiosk.paired_client()
    page = c.get("/corrections").text
    assert 'value="07:30"' in page and 'max="2026-11-20"' in page  # the form's defaults: the site's now
    r = c.post("/corrections/manual", data={"csrf": token, "worker": "10000000000005", "direction": "in",
                                            "date": "2026-11-20", "time": "07:00", "reason": "カードを家に忘れた"})
    assert r.status_code == 303, r.text
    manual = kiosk.events()[-1]
    assert manual.claimed_at == "2026-11-20T07:00:00.000+09:00"  # not 07:00 UTC (16:00 in Tokyo)
    assert parse_rfc3339(manual.at) == kiosk.clock.wall()
    page = c.get("/corrections").text
    assert "11/20 07:30" in page and "11/20 07:00" in page and "22:" not in page


def test_a_forgotten_card_from_the_manager_screen_lands_on_the_sites_day(kiosk: Kiosk) -> None:
    """The Qt form picks the latest such moment not after now (kiosk.manager.latest_at), from the site's now:
    at 07:30 in Tokyo (22:30 UTC), 23:00 is the evening before and 07:00 is this morning."""
    from kiosk.manager import latest_at

    core = kiosk.core
    assert core is not None
    for hour, claimed in ((7, "2026-11-20T07:00:00.000+09:00"), (23, "2026-11-19T23:00:00.000+09:00")):
        now = kiosk.run(core.now)
        kiosk.run(lambda h=hour, n=now: core.manual("10000000000005", "in", latest_at(n, h, 0)))  # type: ignore[misc]
        assert kiosk.events()[-1].claimed_at == claimed


def test_the_gates_page_shows_stored_utc_times_in_the_sites_hours(kiosk: Kiosk) -> None:
    writer = StateWriter.open(kiosk.data.state)
    try:
        writer.record_success(at="2026-11-19T22:05:00.000+00:00")
        record_sibling_alarm(writer, peer="192.0.2.7:8765", device="gate-b", epoch=1, seq=4,
                             code="sibling_forged", detail="bad signature", evidence=None)
    finally:
        writer.close()
    with sqlite3.connect(kiosk.data.state) as conn:  # as a syncd on a UTC machine stored it
        conn.execute("UPDATE sibling_alarms SET at = '2026-11-19T21:40:00.000Z'")
    kiosk.tap(card(1))
    c, _ = kiosk.paired_client()
    page = c.get("/gates").text
    assert "11/20 07:05" in page  # the last server contact
    assert "11/20 06:40" in page  # the sibling's alarm
    assert "11/20 07:30" in page  # the paired tablet (its session began at the site's 07:30)
    assert "T21:" not in page and "T22:" not in page and "11/19 2" not in page


def test_a_journal_written_in_utc_is_folded_in_the_sites_hours(tmp_path: Path, clock: ManualClock) -> None:
    """A journal a UTC machine wrote (``Z`` texts), reopened: today's state shows them in the site's hours."""
    data = make_site(tmp_path / "gate-a")
    identity, key = load_or_create_identity(data)
    with JournalWriter.open(data.journal, identity, key, clock=clock) as journal:
        journal.append(EventDraft(kind="tap", site=identity.site or "", reader="udp", idm=card(1), direction="in"))
        assert journal.tail(1)[0].event.at == "2026-11-19T22:30:00.000Z"
    clock.advance(60)
    core = KioskCore.open(data, clock=clock)
    try:
        first_in = core.today.people["10000000000001"].first_in
        assert first_in is not None and first_in.utcoffset() == TOKYO and (first_in.hour, first_in.minute) == (7, 30)
        assert core.today.day == datetime(2026, 11, 20).date()
        assert core.today.recent(1)[0].at == first_in
    finally:
        core.close()


@pytest.fixture
def london() -> Iterator[None]:
    """The process's zone set to Europe/London, as on a Raspberry Pi OS left at its default."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "Europe/London")
    systime.tzset()
    try:
        yield
    finally:
        mp.undo()
        systime.tzset()


def test_the_real_system_clock_in_london_gives_the_sites_hours(london: None, tmp_path: Path) -> None:
    machine = datetime.now().astimezone()
    assert machine.utcoffset() in (timedelta(0), timedelta(hours=1))  # GMT or BST: the machine is in London
    k = Kiosk(make_site(tmp_path / "gate-a"), SystemClock()).start()  # type: ignore[arg-type]
    try:
        core = k.core
        assert core is not None
        out = k.tap(card(1))
        assert out.at is not None and out.at.utcoffset() == TOKYO
        assert parse_rfc3339(k.events()[-1].at) == out.at
        assert k.run(core.idle).now.utcoffset() == TOKYO
        c, token = k.paired_client()
        site_today = k.run(core.now).date().isoformat()
        r = c.post("/corrections/manual", data={"csrf": token, "worker": "10000000000005", "direction": "in",
                                                "date": site_today, "time": "00:00", "reason": "テスト"})
        assert r.status_code == 303, r.text
        assert k.events()[-1].claimed_at == f"{site_today}T00:00:00.000+09:00"
    finally:
        k.stop()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Pacific/Guam"])
def test_the_tablet_commands_print_the_sites_hours_on_a_utc_machine(tmp_path: Path, zone: str) -> None:
    """``genba tablet pair-code`` and ``genba tablet list`` (a headless kiosk's pairing, from a shell) print their
    times in the site's zone from state.db, as the tablet view does, not in the machine's (UTC here). Before, a
    manager pairing from a terminal on a UTC machine read "until 01:10" for a code valid until 10:10 in Tokyo."""
    import json
    import os
    import subprocess
    import sys
    from zoneinfo import ZoneInfo

    from kiosk.web import Access
    from shared.state import SiteConfig
    from shared.timefmt import local_when
    from tests.tablet.conftest import SITE, SITE_NAME

    data = make_site(tmp_path / "gate")
    writer = StateWriter.open(data.state)
    try:
        writer.set_site_config(SiteConfig(site=SITE, name=SITE_NAME, timezone=zone))
    finally:
        writer.close()
    site = ZoneInfo(zone)

    def genba(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data.root), "tablet", *args],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "TZ": "UTC", "GENBA_LANG": "ja"})
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = genba("pair-code", "--no-qr")
    expires = parse_rfc3339(json.loads((data.root / "tablet-pairing.json").read_text())["expires"])
    assert expires.utcoffset() == timedelta(0)  # stored as this machine read it
    assert f"（{expires.astimezone(site):%H:%M} まで、1回限り）" in out, out
    code = out.strip().splitlines()[-1]

    paired_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    Access(data.root, ManualClock(paired_at)).pair_with_code(code, label="所長", address="192.0.2.7")
    listed = genba("list")
    line = next(x for x in listed.splitlines() if "所長" in x)
    shown = paired_at.astimezone(site)
    assert local_when(paired_at, site) == f"{shown:%m/%d %H:%M}"
    assert f"所長  {shown:%m/%d %H:%M}  {shown + timedelta(days=7):%m/%d %H:%M}  192.0.2.7  (code)" in line, line
    assert "Z" not in line and f"{paired_at:%H:%M}" not in line  # neither the stored text nor the machine's hours


def test_the_touch_screens_alarm_writes_its_time_as_the_tablet_does() -> None:
    """Manager mode's 隣のゲート tab shows a sibling's alarm time as the tablet's gates page does (one helper)."""
    from kiosk.ui.manager_sibling_words import alarm_text
    from shared.siterules import site_timezone
    from shared.state.siblings import SiblingAlarm

    tokyo = site_timezone("Asia/Tokyo")
    alarm = SiblingAlarm(id=1, at="2026-11-19T21:40:00.000Z", peer="192.0.2.7:8781", device="gate-b", epoch=1,
                         seq=4, code="sibling_forged", detail="")
    assert "ゲート gate-b（192.0.2.7:8781）· 11/20 06:40 · 記録番号 4" in alarm_text(alarm, "ja", tokyo)
    assert "Gate gate-b (192.0.2.7:8781) · 11/20 06:40 · record 4" in alarm_text(alarm, "en", tokyo)
    garbled = SiblingAlarm(id=2, at="garbled", peer="192.0.2.7:8781", device="gate-b", epoch=1, seq=5,
                           code="sibling_forged", detail="")
    assert "· garbled ·" in alarm_text(garbled, "ja", tokyo)  # shown as stored


def test_the_tablet_commands_still_pair_when_state_db_cannot_be_read(tmp_path: Path) -> None:
    """The pairing files are apart from state.db: a damaged state.db does not stop a code being issued and shown
    (before, the code was issued and then the command failed on reading the zone, so it was never shown). The
    times are then in the default zone (Asia/Tokyo), and stderr says so."""
    import json
    import os
    import subprocess
    import sys

    from shared.siterules import site_timezone

    data = make_site(tmp_path / "gate")
    data.state.write_bytes(b"not a database " * 100)

    def genba(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data.root), "tablet", *args],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "TZ": "UTC", "GENBA_LANG": "ja"})

    issued = genba("pair-code", "--no-qr")
    assert issued.returncode == 0, issued.stderr
    expires = parse_rfc3339(json.loads((data.root / "tablet-pairing.json").read_text())["expires"])
    assert f"（{expires.astimezone(site_timezone('Asia/Tokyo')):%H:%M} まで、1回限り）" in issued.stdout
    code = issued.stdout.strip().splitlines()[-1]
    assert len(code) == 9 and code[4] == "-"
    assert "state.db）を読めないため、時刻は Asia/Tokyo で表示します（state_damaged）" in issued.stderr
    listed = genba("list")
    assert listed.returncode == 0 and "接続中のタブレットはありません。" in listed.stdout, listed.stderr
    assert data.state.read_bytes() == b"not a database " * 100  # left as it was, for whoever mends it
