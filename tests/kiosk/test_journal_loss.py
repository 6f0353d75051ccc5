"""A journal lost under a kiosk (issue 9 item 5): journal.db deleted, emptied or replaced while device.json,
the key and state.db remain. Real files on disk throughout; the server's receipt is signed by a real key.

The kiosk must see that state.db holds a receipt for events the journal lacks, record nothing in that epoch
(the server would refuse every such event as a fork), say so on the screen, and record again — losing
nothing still on disk — once the device is enrolled again in a new epoch.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware.base import Tap
from kiosk.core import KioskCore
from kiosk.pipeline import OutcomeKind
from shared.checkpoint import Receipt
from shared.clock import ManualClock
from shared.device import load_identity, load_or_create_identity, start_new_epoch
from shared.errors import JournalLost
from shared.journal import JournalReader, verify_journal
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.state import StateReader, StateWriter, check_continuity
from tests.kiosk.conftest import SITE, YAMADA

SERVER = SigningKey.generate("genba-server")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tap(core: KioskCore, clock: ManualClock):  # type: ignore[no-untyped-def]
    clock.advance(600)
    out = core.on_event(Tap(idm=YAMADA, reader="sim", mono_us=clock.boottime_us()))
    assert out is not None
    return out


@pytest.fixture
def acked(tmp_path: Path) -> tuple[DataDir, ManualClock]:
    """A kiosk that recorded 5 taps, all acknowledged by the server (receipt stored in state.db)."""
    data = DataDir.resolve(tmp_path / "data").ensure()
    identity, _ = load_or_create_identity(data, site=SITE)
    clock = ManualClock()
    core = KioskCore.open(data, clock=clock)
    for _ in range(5):
        assert tap(core, clock).kind is not OutcomeKind.NOT_RECORDED
    core.close()
    with JournalReader(data.journal) as journal:
        note = Receipt(identity.device, 1, 5, journal.head_at(1, 5) or b"", "2026-11-02T09:00:00Z").sign(SERVER)
        state = StateWriter.open(data.state)
        try:
            assert state.record_receipt(note, server_keys=[SERVER.verifier], device=identity.device,
                                        journal=journal).outcome == "advanced"
        finally:
            state.close()
    return data, clock


def delete(data: DataDir) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(data.journal) + suffix).unlink(missing_ok=True)


def empty(data: DataDir) -> None:
    delete(data)
    data.journal.write_bytes(b"")


def replace_with_new_taps(data: DataDir) -> None:
    """What the old code did after a deletion: a new journal, seq 1.. of the same epoch, other taps."""
    delete(data)
    clock = ManualClock(mono_us=99_000_000)
    identity, key = load_or_create_identity(data)
    from shared.journal import EventDraft, JournalWriter

    writer = JournalWriter.open(data.journal, identity, key, clock=clock)
    for _ in range(7):
        clock.advance(30)
        writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=YAMADA, direction="in"))
    writer.close()


LOSSES: dict[str, Callable[[DataDir], None]] = {"deleted": delete, "emptied": empty,
                                                "replaced": replace_with_new_taps}


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_a_lost_journal_records_nothing_in_that_epoch_and_says_re_enroll(acked: tuple[DataDir, ManualClock],
                                                                          loss: str) -> None:
    data, clock = acked
    LOSSES[loss](data)
    before = {p.name: digest(p) for p in (data.state, data.device_file, data.device_key(1))}
    events_before = JournalReader(data.journal).count() if loss == "replaced" else 0

    core = KioskCore.open(data, clock=clock)
    try:
        assert core.idle().problems[0] == "journal_lost"
        out = tap(core, clock)
        assert out.kind is OutcomeKind.NOT_RECORDED and out.error_code == "journal_lost"
        with pytest.raises(JournalLost):
            core.bind(YAMADA, "10000000000001")
    finally:
        core.close()
    with JournalReader(data.journal) as journal:
        assert journal.count() == events_before  # nothing recorded in the forked epoch
    assert {p.name: digest(p) for p in (data.state, data.device_file, data.device_key(1))} == before


def test_after_re_enrolling_the_kiosk_records_in_the_new_epoch(acked: tuple[DataDir, ManualClock]) -> None:
    data, clock = acked
    delete(data)
    KioskCore.open(data, clock=clock).close()  # the kiosk restarted once and refused
    identity = load_identity(data)
    assert identity is not None
    start_new_epoch(data, identity)  # what `genba device enroll` does once the server said yes

    core = KioskCore.open(data, clock=clock)
    try:
        assert "journal_lost" not in core.idle().problems
        out = tap(core, clock)
        assert out.recorded and out.kind is not OutcomeKind.NOT_RECORDED and out.seq == 1
    finally:
        core.close()
    report = verify_journal(data.journal)
    assert [(e.epoch, e.first, e.last) for e in report.epochs] == [(2, 1, 1)]
    with StateReader(data.state) as state, JournalReader(data.journal) as journal:
        check_continuity(state, journal, 2)  # the new epoch is consistent
        assert state.acked_through(1) is not None  # the old epoch's receipt is kept


def test_a_journal_that_holds_everything_acknowledged_is_not_lost(acked: tuple[DataDir, ManualClock]) -> None:
    data, clock = acked
    core = KioskCore.open(data, clock=clock)
    try:
        assert "journal_lost" not in core.idle().problems
        assert tap(core, clock).seq == 6
    finally:
        core.close()


def test_headless_kiosk_says_in_words_that_the_journal_was_lost(acked: tuple[DataDir, ManualClock],
                                                                tmp_path: Path) -> None:
    data, _ = acked
    delete(data)
    script = tmp_path / "taps.txt"
    script.write_text(f"wait 1.5\ntap {YAMADA}\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja"}
    done = subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data.root), "kiosk", "--headless",
                           "--reader", f"sim:{script}"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "要確認: 記録ファイルが失われました: タッチは記録されません。" in done.stdout
    assert "genba device enroll" in done.stdout
    tapped = [ln for ln in done.stdout.splitlines() if "idm=" in ln]
    assert len(tapped) == 1 and "記録されていません" in tapped[0] and "journal_lost" in tapped[0]
