"""``genba syncd status --json`` shows a time later than now as such (clock suspect), never as age 0 (issue 11)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from shared.clock import ManualClock, SystemClock
from shared.device import load_or_create_identity
from shared.journal import EventDraft, JournalWriter
from shared.paths import DataDir
from shared.state import StateWriter
from shared.timefmt import format_rfc3339
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
