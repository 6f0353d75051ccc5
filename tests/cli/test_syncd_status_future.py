"""``genba syncd status --json`` shows a time later than now as such (clock suspect), never as age 0 (issue 11)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from shared.clock import ManualClock, SystemClock
from shared.device import load_or_create_identity
from shared.journal import EventDraft, JournalWriter
from shared.paths import DataDir
from shared.state import SiteConfig, StateWriter
from shared.timefmt import JST, format_rfc3339
from syncd.audit import RESULT_FILE
from tests.syncd.test_status_clock_and_modes import SITE, genba


def _device(tmp_path: Path, written_at_offset: timedelta) -> DataDir:
    data = DataDir.resolve(tmp_path / "data").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    at = SystemClock().wall() + written_at_offset
    writer = JournalWriter.open(data.journal, identity, key, clock=ManualClock(at))
    writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="0123456789ABCDEF", direction="in"))
    writer.close()
    state = StateWriter.open(data.state)
    state.record_success(format_rfc3339(at))
    state.close()
    return data


def test_a_record_from_the_future_is_clock_suspect_not_age_zero(tmp_path: Path) -> None:
    data = _device(tmp_path, timedelta(hours=6))  # written while the clock ran 6 hours ahead
    done = genba(data.root, "syncd", "status", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["unsent"] == 1 and out["oldest_unsent_age_s"] is None and out["clock_suspect"] is True
    assert 6 * 3600 - 120 < out["oldest_unsent_in_future_s"] <= 6 * 3600
    assert 6 * 3600 - 120 < out["last_success_in_future_s"] <= 6 * 3600


def test_a_record_from_the_past_has_its_age_and_no_suspicion(tmp_path: Path) -> None:
    data = _device(tmp_path, -timedelta(minutes=30))
    out = json.loads(genba(data.root, "syncd", "status", "--json").stdout)
    assert 30 * 60 <= out["oldest_unsent_age_s"] < 30 * 60 + 120
    assert out["clock_suspect"] is False and out["oldest_unsent_in_future_s"] is None


def test_a_few_seconds_ahead_is_within_tolerance(tmp_path: Path) -> None:
    data = _device(tmp_path, timedelta(seconds=20))
    out = json.loads(genba(data.root, "syncd", "status", "--json").stdout)
    assert out["clock_suspect"] is False and out["oldest_unsent_age_s"] == 0.0


def test_status_words_show_times_in_the_site_zone_and_json_keeps_the_stored_text(tmp_path: Path) -> None:
    data = _device(tmp_path, -timedelta(days=3))
    state = StateWriter.open(data.state)
    state.record_success("2026-11-20T23:30:00.000Z")  # stored in UTC, as on a UTC machine
    state.record_error("unreachable", "サーバーに接続できません", "Cannot reach the server", "2026-11-21T00:05:00.000Z")
    state.close()
    (data.root / RESULT_FILE).write_text(json.dumps({"status": "ok", "at": "2026-11-21T00:06:00.000Z", "size": 7}),
                                         encoding="utf-8")
    ja = genba(data.root, "syncd", "status")
    assert ja.returncode == 0, ja.stderr
    assert "最後に成功した同期: 11/21 08:30 (" in ja.stdout  # Asia/Tokyo: the default site zone
    assert "最後のエラー（11/21 09:05）: サーバーに接続できません" in ja.stdout
    assert "監査ログの確認: 正常（11/21 09:06、7 件）" in ja.stdout
    assert "2026-11-2" not in ja.stdout  # no raw RFC 3339 text on the screen
    out = json.loads(genba(data.root, "syncd", "status", "--json").stdout)
    assert out["last_success"] == "2026-11-20T23:30:00.000Z" and out["log_check"]["at"] == "2026-11-21T00:06:00.000Z"

    state = StateWriter.open(data.state)
    state.set_site_config(SiteConfig(site=SITE, timezone="Asia/Bangkok"))  # a site the server keeps in +07:00
    state.close()
    en = genba(data.root, "syncd", "status", lang="en")
    assert "Last successful sync: 11/21 06:30 (" in en.stdout and "Last error (11/21 07:05)" in en.stdout


def test_a_time_from_the_future_is_shown_in_the_site_zone_with_now(tmp_path: Path) -> None:
    data = _device(tmp_path, timedelta(hours=6))
    done = genba(data.root, "syncd", "status")
    now_local = SystemClock().wall().astimezone(JST)
    assert "端末の時計が狂っています" in done.stdout
    assert f"現在時刻 {now_local:%m/%d %H:}" in done.stdout  # the current time, in the site's zone
    assert "T" not in done.stdout.split("最も古い未送信:")[1].split("\n")[0]
