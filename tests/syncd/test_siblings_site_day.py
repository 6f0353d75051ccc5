"""The whole site at every gate: sibling events drive direction decisions, the roll call and today's lists.

A worker who enters at gate A and taps at gate B is an exit at B; the count on site is the whole site's.
Real journals and state.db files, the kiosk's own Today fold and tap pipeline, and the tablet's SiteDay.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hardware.base import Tap
from kiosk.pipeline import OutcomeKind, TapPipeline
from kiosk.sources import CardHolder, SiteSettings, StaticSiteView
from kiosk.today import Today
from kiosk.web.siteday import SiteDay
from shared.state import RosterWorker
from shared.state.siblings import SiblingFeed
from tests.syncd.siblings_helpers import SITE, Gate, know_each_other, make_gate

CARD_1, CARD_2, CARD_3 = "012E000000000001", "012E000000000002", "012E000000000003"
W1, W2, W3 = "10000000000001", "10000000000002", "10000000000003"


@pytest.fixture
def gates(tmp_path: Path) -> Iterator[tuple[Gate, Gate]]:
    a, b = make_gate(tmp_path, "a"), make_gate(tmp_path, "b")
    know_each_other(a, b)
    roster = [RosterWorker(w, f"作業員{i}", f"サギョウイン{i}", "20000000000001", "山田建設", "鉄筋", "01",
                           "職長" if i == 1 else "", (c,))
              for i, (w, c) in enumerate(((W1, CARD_1), (W2, CARD_2)), start=1)]
    roster.append(RosterWorker(W3, "作業員3", "サギョウイン3", "20000000000002", "佐藤電気", "電工", "02", "", ()))
    for g in (a, b):
        g.state.replace_roster(roster, version="v1", etag=None, source="test")
    yield a, b
    a.close()
    b.close()


def _pipeline(g: Gate) -> tuple[TapPipeline, Today]:
    holders = {CARD_1: CardHolder(W1, "作業員1"), CARD_2: CardHolder(W2, "作業員2")}
    site = StaticSiteView(SiteSettings(site=SITE), cards=holders)
    today = Today(lambda idm: holders[idm].worker if idm in holders else None)
    today.rebuild(g.journal.conn, g.clock.wall())
    today.attach_siblings(SiblingFeed(g.data.state))
    return TapPipeline(g.journal, site, today, g.clock), today


def test_enter_at_a_leave_at_b_is_an_exit_at_b(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    pipe_a, today_a = _pipeline(a)
    pipe_b, today_b = _pipeline(b)
    a.clock.advance(60)
    assert pipe_a.handle(Tap(CARD_1, "sim", a.clock.boottime_us())).direction == "in"
    assert pipe_a.handle(Tap(CARD_2, "sim", a.clock.boottime_us())).direction == "in"
    assert b.connect(a).run_once().pulled == 2
    b.clock.advance(8 * 3600)
    out = pipe_b.handle(Tap(CARD_1, "sim", b.clock.boottime_us()))
    assert (out.kind, out.direction) == (OutcomeKind.RECORDED, "out")  # entered at A, leaves at B
    assert today_b.count_inside == 1  # the whole site: worker 2 is still inside (entered at A)
    # A learns of the exit at B; its own count follows
    assert a.connect(b).run_once().pulled == 1
    a.clock.advance(8 * 3600)
    today_a.roll_to(a.clock.wall())
    assert today_a.count_inside == 1
    assert [p.worker for p in today_a.inside()] == [W2]
    # the next tap of worker 1 at A is an entry again (after B's exit)
    assert pipe_a.handle(Tap(CARD_1, "sim", a.clock.boottime_us())).direction == "in"
    # sibling taps are never offered to the manager for amending at this gate
    assert all(not e.sibling for e in today_b.recent())
    assert any(e.sibling for e in today_b.recent(siblings=True))
    # nothing of A entered B's own journal
    assert [e.event.device for e in b.journal.tail(10)] == [b.identity.device]


def test_a_card_bound_at_a_is_known_at_b(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(CARD_3, kind="bind", worker=W3)
    b.connect(a).run_once()
    from shared.state import StateReader

    with StateReader(b.data.state) as reader:
        found = reader.worker_by_idm(CARD_3)
        assert found is not None and found.worker == W3
        assert CARD_3 in next(w for w in reader.roster() if w.worker == W3).idms


def test_the_tablet_roll_call_counts_the_whole_site(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(CARD_1)
    b.tap(CARD_2)
    a.tap(CARD_3, kind="bind", worker=W3)
    a.tap(CARD_3)
    b.connect(a).run_once()
    a.connect(b).run_once()
    for g in (a, b):
        day = SiteDay(g.data, lambda g=g: g.clock.wall() + timedelta(minutes=5))  # type: ignore[misc]
        try:
            snap = day.snapshot()
            inside = {p.worker: p.gate for p in snap.inside()}
            assert inside == {W1: a.identity.device, W2: b.identity.device, W3: a.identity.device}
            # a sibling's mark cannot be amended from here; the own one can
            refs = {p.worker: p.ref for p in snap.people}
            own = a if g is a else b
            assert all((refs[w] is not None) == (inside[w] == own.identity.device) for w in inside)
            assert [x.address for x in snap.siblings] == [(b if g is a else a).address]
        finally:
            day.close()
    # the exit at B of the worker who entered at A
    b.clock.advance(3600)
    b.tap(CARD_1, "out")
    a.connect(b).run_once()
    day = SiteDay(a.data, lambda: a.clock.wall() + timedelta(hours=2))
    try:
        snap = day.snapshot()
        assert {p.worker for p in snap.inside()} == {W2, W3}
        left = next(p for p in snap.people if p.worker == W1)
        assert (left.inside, left.gate) == (False, b.identity.device)
    finally:
        day.close()


def test_not_yet_tapped_uses_every_gates_last_days(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    b.tap(CARD_2)  # yesterday, at B only
    b.tap(CARD_2, "out")
    a.connect(b).run_once()
    tomorrow = a.clock.wall() + timedelta(days=1)
    a.clock.set_wall(tomorrow)
    a.tap(CARD_1)
    day = SiteDay(a.data, lambda: tomorrow + timedelta(minutes=5))
    try:
        snap = day.snapshot()
        assert [p.worker for p in snap.not_yet_tapped()] == [W2]  # came yesterday (at B), not today
    finally:
        day.close()


def test_alarms_reach_the_snapshot(gates: tuple[Gate, Gate]) -> None:
    a, b = gates
    a.tap(CARD_1)
    batch = a.journal.batch(1, 1)
    assert batch is not None
    forged = batch.to_bytes().replace(CARD_1.encode(), CARD_2.encode())
    from syncd.errors import SiblingForged

    with pytest.raises(SiblingForged):
        b.connect(a).accept(a.address, forged)
    day = SiteDay(b.data, lambda: datetime.now().astimezone())
    try:
        assert [x.code for x in day.snapshot().alarms] == ["sibling_forged"]
    finally:
        day.close()
