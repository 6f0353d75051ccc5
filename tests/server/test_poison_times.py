"""A wrong clock never wedges a device or moves a day silently (issue 9 items 3, 8, 14 server part).

A validly signed event may carry any well-formed wall clock: year 1, year 9999,
a 1970 clock of a board without a real-time clock. Ingest accepts it (a tap is
never lost), stores a corrected time inside the range the server can reason
about, flags it, and the work-history day it lands on is marked clock-suspect.
It never answers 500 and the device's next batches go through.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server import ServerContext
from server.devtime import SUSPECT_FLAGS, DeviceClockReading, retime
from shared.device import DeviceIdentity
from shared.errors import InvalidTimestamp
from shared.event import Event
from shared.journal import EventDraft, JournalWriter
from shared.timefmt import JST
from tests.server.conftest import START, Api, Kiosk, count

POISON = {
    "year 1 (+09:00)": datetime(1, 1, 1, 0, 0, tzinfo=JST),
    "year 9999 (-09:00)": datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-9))),
    "year 2999": datetime(2999, 1, 1, 8, 0, tzinfo=JST),
    "1970 (no real-time clock)": datetime(1970, 1, 1, 9, 0, 5, tzinfo=JST),
}


def journal(kiosk: Kiosk, moment: datetime | None, **draft: object) -> None:
    """Append one event with the kiosk's wall clock set to ``moment`` (monotonic time goes on)."""
    kiosk.clock.advance(60)
    if moment is not None:
        kiosk.clock.set_wall(moment)
    writer = JournalWriter.open(kiosk.journal, DeviceIdentity(kiosk.device, kiosk.epoch, kiosk.site), kiosk.key,
                                clock=kiosk.clock)
    try:
        writer.append(EventDraft(reader="sim", site=kiosk.site, **draft))  # type: ignore[arg-type]
    finally:
        writer.close()


def stored(ctx: ServerContext) -> dict[int, tuple[str, set[str]]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, server_at, time_flags FROM events ORDER BY seq")).all()
    return {int(r.seq): (r.server_at, set(filter(None, r.time_flags.split(",")))) for r in rows}


@pytest.mark.parametrize("name", sorted(POISON))
def test_a_poison_wall_clock_is_stored_flagged_and_does_not_block_the_next_batch(
        api: Api, kiosk: Kiosk, ctx: ServerContext, name: str) -> None:
    kiosk.enroll(api)
    journal(kiosk, None, kind="tap", idm="0123456789ABCDEF", direction="in")
    journal(kiosk, POISON[name], kind="tap", idm="0123456789ABCDEF", direction="out")
    first = kiosk.upload(api, kiosk.batch(), time_headers=False)  # by USB: no clock sample
    assert first.status_code == 200, first.text
    kiosk.clock.set_wall(START + timedelta(hours=1))
    journal(kiosk, None, kind="tap", idm="0123456789ABCDEF", direction="in")
    again = kiosk.upload(api, kiosk.batch(3), time_headers=False)
    assert again.status_code == 200 and again.json()["acked"] == 3, again.text
    held = stored(ctx)
    server_at, flags = held[2]
    assert "implausible_time" in flags and flags & SUSPECT_FLAGS
    assert "2000" <= server_at[:4] < "2100"  # inside the range the server reasons about
    assert count(ctx, "events") == 3
    assert "clock_suspect" in day_flags(ctx, server_at)  # the history day it lands on is marked


def day_flags(ctx: ServerContext, server_at: str) -> set[str]:
    """The flags of the work-history rows of the (JST) day of ``server_at`` (after reconciliation caught up)."""
    ctx.worker.drain()
    day = datetime.fromisoformat(server_at.replace("Z", "+00:00")).astimezone(JST).date().isoformat()
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT flags FROM dom_work_days WHERE work_day = :d"), {"d": day}).all()
    assert rows, f"no work-history row on {day}"
    return {f for r in rows for f in r.flags.split()}


def test_time_running_backwards_along_the_chain_is_flagged_on_the_real_ingest_path(
        api: Api, kiosk: Kiosk, ctx: ServerContext) -> None:
    """Seq 2 tapped a day after seq 1, on a clock one day behind after a reboot, carried by USB (no sample)."""
    kiosk.enroll(api)
    kiosk.clock.advance(30)
    journal(kiosk, None, kind="tap", idm="0123456789ABCDEF", direction="in")  # START + 90 s
    ctx.clock.advance(120)  # type: ignore[attr-defined]
    assert kiosk.upload(api, kiosk.batch(), time_headers=False).status_code == 200
    ctx.clock.advance(86_400)  # type: ignore[attr-defined]
    kiosk.clock.reboot("00000000-0000-4000-8000-00000000000b")
    kiosk.clock.set_wall(START)  # really day 2, but reads day 1: after journal's +60 s, 30 s before seq 1
    journal(kiosk, None, kind="tap", idm="0123456789ABCDEF", direction="out")
    assert kiosk.upload(api, kiosk.batch(2), time_headers=False).status_code == 200
    held = stored(ctx)
    assert held[1][1] == {"uncorrected"}
    assert "server_time_backwards" in held[2][1]
    assert "clock_suspect" in day_flags(ctx, held[2][0])


MANAGER_ACTIONS = {
    "bind": {"kind": "bind", "idm": "0123456789ABCDEF", "worker": "12345678901234"},
    "manual": {"kind": "manual", "worker": "12345678901234", "direction": "in",
               "claimed_at": "2026-11-22T08:00:00+09:00"},
}


@pytest.mark.parametrize("kind", sorted(MANAGER_ACTIONS))
@pytest.mark.parametrize("name", sorted(POISON))
def test_a_manager_action_on_a_poison_clock_does_not_wedge_reconciliation(
        api: Api, kiosk: Kiosk, ctx: ServerContext, name: str, kind: str) -> None:
    kiosk.enroll(api)
    journal(kiosk, POISON[name], **MANAGER_ACTIONS[kind])
    kiosk.clock.set_wall(START + timedelta(hours=1))
    journal(kiosk, None, kind="tap", idm="0123456789ABCDEF", direction="in")
    resp = kiosk.upload(api, kiosk.batch())
    assert resp.status_code == 200, resp.text
    ctx.worker.drain()
    with ctx.engine.connect() as conn:
        mark = conn.execute(sa.text("SELECT last_seq FROM dom_index_marks")).scalar_one_or_none()
        taps = conn.execute(sa.text("SELECT count(*) FROM dom_taps")).scalar_one()
    assert mark == 2 and taps == 1  # the device log was indexed past the poison event


@pytest.mark.parametrize("name", sorted(set(POISON) - {"year 2999", "1970 (no real-time clock)"}))
def test_a_claimed_time_typed_out_of_range_is_refused_where_it_is_typed(name: str) -> None:
    with pytest.raises(InvalidTimestamp):
        Event(device="kiosk-test01", epoch=1, seq=1, boot="00000000-0000-4000-8000-000000000001", mono_us=1,
              at="2026-11-22T08:00:00+09:00", kind="manual", reader="sim", site="12345678901234", app="0.1.0",
              worker="12345678901234", direction="in", claimed_at=POISON[name].isoformat())


def event(seq: int, at: datetime, *, boot: str = "00000000-0000-4000-8000-000000000001",
          mono_us: int | None = None) -> Event:
    return Event(device="kiosk-test01", epoch=1, seq=seq, boot=boot, mono_us=mono_us or seq * 1_000_000,
                 at=at.isoformat(), kind="tap", reader="sim", site="12345678901234", app="0.1.0",
                 idm="0123456789ABCDEF", direction="in")


RECEIVED = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_a_corrected_time_later_than_the_servers_receipt_is_flagged_and_held_at_the_receipt() -> None:
    ev = event(1, datetime(2999, 1, 1, tzinfo=UTC))
    timed = retime(ev, None, None, None, received=RECEIVED)
    assert {"implausible_time", "uncorrected"} <= set(timed.flags)
    assert timed.server_at == RECEIVED
    late = event(1, RECEIVED + timedelta(hours=3))  # plausible year, but after the server received it
    timed = retime(late, None, None, None, received=RECEIVED)
    assert "after_receipt" in timed.flags and timed.server_at == RECEIVED
    on_time = event(1, RECEIVED - timedelta(minutes=5))
    assert retime(on_time, None, None, None, received=RECEIVED).flags == ("uncorrected",)


def test_corrected_time_running_backwards_along_the_chain_is_flagged() -> None:
    """Seq 21 tapped a day after seq 20 on a clock one day behind, in a new boot: stored earlier than seq 20."""
    prev = event(20, datetime(2026, 11, 3, 8, 0, 34, tzinfo=JST))
    ev = event(21, datetime(2026, 11, 3, 8, 0, 4, tzinfo=JST), boot="00000000-0000-4000-8000-000000000002")
    sample = DeviceClockReading(datetime(2026, 11, 3, 8, 0, 40, tzinfo=JST),
                                datetime(2026, 11, 2, 23, 0, 40, tzinfo=UTC), prev.boot, 20_500_000)
    timed = retime(ev, prev, sample, None, received=RECEIVED,
                   previous_server_at=datetime(2026, 11, 2, 23, 0, 34, tzinfo=UTC))
    assert "server_time_backwards" in timed.flags and "server_time_backwards" in SUSPECT_FLAGS
    ok = retime(event(21, datetime(2026, 11, 4, 8, 0, 4, tzinfo=JST)), prev, sample, None, received=RECEIVED,
                previous_server_at=datetime(2026, 11, 2, 23, 0, 34, tzinfo=UTC))
    assert "server_time_backwards" not in ok.flags
