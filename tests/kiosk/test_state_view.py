"""The kiosk on a real state.db written by the roster import: roster, site config, sync status, damage."""

from __future__ import annotations

from pathlib import Path

from hardware.base import ReaderStatus, Tap
from kiosk.core import KioskCore
from kiosk.pipeline import OutcomeKind
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.event import NO_SITE, Event
from shared.journal import JournalReader, verify_journal
from shared.paths import DataDir
from shared.state import SiteConfig, StateWriter, parse_roster_csv
from tests.kiosk.conftest import SATO, SITE, UNKNOWN, YAMADA

ROSTER = f"""技能者ID,氏名,フリガナ,所属事業者名,職種,立場,カードIDm
10000000000001,山田 太郎,ヤマダ タロウ,山田建設株式会社,型枠大工,職長,{YAMADA.lower()}
10000000000002,佐藤 花子,サトウ ハナコ,佐藤電設,,,{SATO}
""".encode("cp932")


def open_core(data: DataDir, clock: ManualClock) -> KioskCore:
    core = KioskCore.open(data, clock=clock)
    core.on_event(ReaderStatus("connected", "sim", "ok", "接続", "connected", clock.boottime_us()))
    return core


def tap(core: KioskCore, clock: ManualClock, idm: str, after_s: float = 600):  # type: ignore[no-untyped-def]
    clock.advance(after_s)
    return core.on_event(Tap(idm=idm, reader="sim", mono_us=clock.boottime_us()))


def write_state(data: DataDir, roster: bytes, *, name: str = "渋谷駅前再開発 A棟") -> None:
    writer = StateWriter.open(data.state)
    try:
        writer.replace_roster(parse_roster_csv(roster), version="v1", etag=None, source="csv")
        writer.set_site_config(SiteConfig(site=SITE, name=name, day_boundary="05:00", repeat_window_s=60))
    finally:
        writer.close()


def test_roster_and_site_config_come_from_state_db(tmp_path: Path, clock: ManualClock) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data, site=SITE)
    write_state(data, ROSTER)
    core = open_core(data, clock)
    try:
        idle = core.idle()
        assert (idle.site, idle.site_name, idle.problems) == (SITE, "渋谷駅前再開発 A棟", ())
        out = tap(core, clock, YAMADA)
        assert out.kind is OutcomeKind.RECORDED and out.holder.employer == "山田建設株式会社"
        assert tap(core, clock, YAMADA, after_s=30).kind is OutcomeKind.REPEAT
        assert tap(core, clock, YAMADA, after_s=31).direction == "out"  # the site's 60 s window
        sato = tap(core, clock, SATO)
        assert sato.holder.missing == ("trade", "position")  # the registration lacks trade and position
        sync = core.idle().sync
        assert sync.unsent == 4 and sync.oldest_unsent_at is not None
    finally:
        core.close()


def test_worker_removed_from_the_roster_is_known_but_not_on_it(tmp_path: Path, clock: ManualClock) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data, site=SITE)
    write_state(data, ROSTER)
    core = open_core(data, clock)
    try:
        assert tap(core, clock, SATO).kind is OutcomeKind.RECORDED
        only_yamada = b"\n".join(ROSTER.splitlines()[:2]) + b"\n"
        write_state(data, only_yamada)
        out = tap(core, clock, SATO, after_s=3600)
        assert out.kind is OutcomeKind.NOT_ON_ROSTER and out.holder.name == "佐藤 花子"
        assert tap(core, clock, UNKNOWN).kind is OutcomeKind.UNKNOWN_CARD
    finally:
        core.close()


def test_missing_roster_is_reported_and_taps_are_still_journaled(tmp_path: Path, clock: ManualClock) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data, site=SITE)
    core = open_core(data, clock)
    try:
        assert "roster_missing" in core.idle().problems
        assert tap(core, clock, YAMADA).kind is OutcomeKind.UNKNOWN_CARD
        assert core.journal.count() == 1  # type: ignore[attr-defined]
    finally:
        core.close()


def test_damaged_state_db_does_not_stop_the_kiosk(tmp_path: Path, clock: ManualClock) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data, site=SITE)
    write_state(data, ROSTER)
    for extra in data.root.glob("state.db-*"):
        extra.unlink()
    data.state.write_bytes(b"this is not a database" * 100)
    core = open_core(data, clock)
    try:
        assert "state_unreadable" in core.idle().problems
        out = tap(core, clock, YAMADA)
        assert out.kind is OutcomeKind.UNKNOWN_CARD and out.recorded
    finally:
        core.close()


def test_a_tap_with_no_site_known_is_recorded_with_no_site_and_the_manager_is_warned(
    tmp_path: Path, clock: ManualClock
) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data)
    core = open_core(data, clock)
    try:
        assert core.idle().problems[0] == "no_site"
        out = tap(core, clock, YAMADA)
        assert out.recorded and out.kind is OutcomeKind.UNKNOWN_CARD and out.error_code is None
        assert "journal_write_failed" not in core.idle().problems  # the cause shown is the real one
        assert core.idle().problems[0] == "no_site"
        manual = core.manual("10000000000001", "in", clock.wall())  # the manager's actions are not refused either
    finally:
        core.close()
    assert [(e.seq, e.kind, e.site) for e in _events(data)] == [(1, "tap", NO_SITE), (2, "manual", NO_SITE)]
    assert manual.seq == 2
    assert verify_journal(data.journal).events == 2


def test_once_the_site_is_set_later_taps_carry_it(tmp_path: Path, clock: ManualClock) -> None:
    data = DataDir.resolve(tmp_path).ensure()
    load_or_create_identity(data)
    core = open_core(data, clock)
    try:
        tap(core, clock, YAMADA)
        write_state(data, ROSTER)
        assert "no_site" not in core.idle().problems
        assert tap(core, clock, YAMADA).kind is OutcomeKind.RECORDED
    finally:
        core.close()
    assert [e.site for e in _events(data)] == [NO_SITE, SITE]


def _events(data: DataDir) -> list[Event]:
    with JournalReader(data.journal) as journal:
        return [s.event for s in journal.range(1, 1, journal.last(1)[0])]


def test_retention_prunes_only_acknowledged_events_older_than_thirty_days(tmp_path: Path,
                                                                          clock: ManualClock) -> None:
    from shared.checkpoint import Receipt
    from shared.journal import JournalReader
    from shared.keys import SigningKey

    server = SigningKey.generate("genba-server")
    data = DataDir.resolve(tmp_path).ensure()
    identity, _ = load_or_create_identity(data, site=SITE)
    write_state(data, ROSTER)
    core = open_core(data, clock)
    try:
        for _ in range(3):
            tap(core, clock, YAMADA, after_s=3600)
        clock.advance(31 * 86400)
        tap(core, clock, YAMADA)
        assert core.prune() == 0  # nothing acknowledged yet: nothing goes
        with JournalReader(data.journal) as journal:
            _, head = journal.last(1)
            note = Receipt(identity.device, 1, 4, head, "2026-12-22T01:00:00Z").sign(server)
            writer = StateWriter.open(data.state)
            try:
                writer.record_receipt(note, server_keys=[server.verifier], device=identity.device, journal=journal)
            finally:
                writer.close()
        assert core.prune() == 3  # the three old ones; the recent, acknowledged tap stays
        assert core.journal.count() == 1  # type: ignore[attr-defined]
        assert tap(core, clock, YAMADA, after_s=3600).seq == 5  # the chain goes on
    finally:
        core.close()
    assert verify_journal(data.journal).events == 2


def test_a_cardholder_the_server_knows_but_not_on_this_roster_is_named_with_the_missing_registration(
        tmp_path: Path) -> None:
    """The top support complaint: "it beeps but shows nothing" for a worker not on the site's roster."""
    from kiosk.state_view import StateSiteView
    from shared.state import RosterWorker, StateReader

    data = DataDir.resolve(tmp_path / "d").ensure()
    suzuki = "0123456789ABCDE1"
    writer = StateWriter.open(data.state)
    try:
        workers = [*parse_roster_csv(ROSTER),
                   RosterWorker(worker="10000000000003", name="鈴木 一郎", furigana="スズキ イチロウ",
                                employer="20000000000003", employer_name="鈴木鳶工業", idms=(suzuki,),
                                on_roster=False)]
        writer.replace_roster(workers, version="v2", etag=None, source="server")
        writer.set_site_config(SiteConfig(site=SITE, name="渋谷駅前再開発 A棟", repeat_window_s=60))
    finally:
        writer.close()

    with StateReader(data.state) as reader:
        assert reader.roster_size() == 2  # the off-roster cardholder is not counted as on the roster
        off = reader.worker_by_idm(suzuki)
        assert off is not None and off.on_roster is False
    view = StateSiteView(StateReader(data.state), fallback_site=SITE)
    holder = view.lookup(suzuki)
    assert holder is not None and holder.on_site_roster is False and holder.employer == "鈴木鳶工業"
    assert "10000000000003" not in {h.worker for h in view.roster()}  # the manager binds to roster workers only

    clock = ManualClock()
    load_or_create_identity(data, site=SITE)
    core = open_core(data, clock)
    out = tap(core, clock, suzuki)
    assert out.kind is OutcomeKind.NOT_ON_ROSTER and out.recorded
    assert verify_journal(data.journal).events == 1
