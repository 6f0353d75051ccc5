"""Each reconciliation rule as a table: taps in, rows out (pure core, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.corrections import Correction
from server.domain.reconcile import Rules, WorkDay, reconcile
from server.domain.registry import CardBinding
from server.domain.roster import RosterEntry
from server.domain.taps import derive
from shared import siterules
from shared.event import Event
from shared.timefmt import JST
from tests.server_domain.factory import CARD1, CARD2, CARD3, PRIME, SITE, SUB1, W1, W2, Kiosk, jst

RULES = Rules()
BINDINGS = [CardBinding(CARD1, W1, date(2026, 1, 1)), CardBinding(CARD2, W2, date(2026, 1, 1))]
ROSTER = [
    RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), trade_code="0201", trade_name="とび工", position="職長",
                work_content="足場組立"),
    RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), trade_code="0301", trade_name="鉄筋工", position="作業員"),
]


def rows(events: list[Event], **kw: object) -> list[WorkDay]:
    d = derive(events)
    params: dict[str, object] = {"rules": RULES, "bindings": BINDINGS, "roster": ROSTER, "binds": d.binds}
    params.update(kw)
    return reconcile(SITE, d.taps, **params)  # type: ignore[arg-type]


def hm(moment: datetime | None) -> str | None:
    return moment.strftime("%d %H:%M") if moment else None


def test_entry_and_exit_make_one_row_with_roster_data() -> None:
    k = Kiosk()
    k.tap(CARD1, "in", jst(2, 7, 50))
    k.tap(CARD1, "out", jst(2, 17, 5))
    [r] = rows(k.events)
    assert (r.worker, r.work_day, hm(r.first_entry), hm(r.last_exit), r.minutes_on_site) == (
        W1, date(2026, 11, 2), "02 07:50", "02 17:05", 555)
    assert (r.employer, r.trade_code, r.position, r.work_content, r.source) == (
        SUB1, "0201", "職長", "足場組立", "card")
    assert r.flags == () and r.valid_for_assessment


def test_several_kiosks_at_one_site_merge_into_one_row() -> None:
    gate, office = Kiosk("kiosk-gate"), Kiosk("kiosk-office")
    gate.tap(CARD1, "in", jst(2, 7, 50))
    office.tap(CARD1, "out", jst(2, 12, 0))
    gate.tap(CARD1, "in", jst(2, 13, 0))
    office.tap(CARD1, "out", jst(2, 17, 30))
    [r] = rows(gate.events + office.events)
    assert (hm(r.first_entry), hm(r.last_exit), r.taps) == ("02 07:50", "02 17:30", 4)
    assert r.devices == ("kiosk-gate", "kiosk-office") and r.flags == ()


@pytest.mark.parametrize(
    "taps, expected",
    [
        # (direction, day, hour, minute) in → (work day, first entry, last exit, flags)
        ([("in", 2, 20, 0), ("out", 3, 5, 30)], [(2, "02 20:00", "03 05:30", ())]),
        ([("in", 2, 3, 30)], [(1, "02 03:30", None, ("entry_without_exit",))]),
        ([("in", 2, 4, 0)], [(2, "02 04:00", None, ("entry_without_exit",))]),
        ([("out", 2, 17, 0)], [(2, None, "02 17:00", ("exit_without_entry",))]),
        ([("in", 2, 8, 0), ("out", 2, 12, 0), ("in", 2, 13, 0)],
         [(2, "02 08:00", "02 12:00", ("entry_without_exit",))]),
        ([("in", 2, 8, 0), ("in", 3, 8, 0), ("out", 3, 17, 0)],
         [(2, "02 08:00", None, ("entry_without_exit",)), (3, "03 08:00", "03 17:00", ())]),
        # an exit more than 20 h after the entry does not join the entry's day
        ([("in", 2, 8, 0), ("out", 3, 6, 0)],
         [(2, "02 08:00", None, ("entry_without_exit",)), (3, None, "03 06:00", ("exit_without_entry",))]),
        ([("in", 2, 8, 0), ("in", 2, 8, 1), ("out", 2, 17, 0), ("out", 2, 17, 1)],
         [(2, "02 08:00", "02 17:00", ("repeats_collapsed",))]),
    ],
    ids=["night-shift-stays-on-entry-day", "before-boundary-is-previous-day", "boundary-starts-the-day",
         "exit-without-entry", "came-back-without-exit", "forgot-exit-then-next-day",
         "too-long-for-a-night-shift", "double-taps-collapse"],
)
def test_day_assignment_and_flags(taps: list[tuple[str, int, int, int]], expected: list[tuple]) -> None:
    k = Kiosk()
    for direction, day, hour, minute in taps:
        k.tap(CARD1, direction, jst(day, hour, minute))
    got = [(r.work_day.day, hm(r.first_entry), hm(r.last_exit), r.flags) for r in rows(k.events)]
    assert got == expected


def test_day_boundary_is_configurable_per_site() -> None:
    k = Kiosk()
    k.tap(CARD1, "in", jst(2, 5, 0))
    [r] = rows(k.events, rules=Rules(day_boundary=time(6, 0)))
    assert r.work_day == date(2026, 11, 1)
    [r] = rows(k.events, rules=Rules(day_boundary=time(0, 0)))
    assert r.work_day == date(2026, 11, 2)


def test_repeat_events_from_the_kiosk_change_no_time() -> None:
    k = Kiosk()
    first = k.tap(CARD1, "in", jst(2, 8, 0))
    k.repeat(CARD1, "in", jst(2, 8, 0) + timedelta(seconds=20), ref=first.seq)
    k.tap(CARD1, "out", jst(2, 17, 0))
    [r] = rows(k.events)
    assert (hm(r.first_entry), hm(r.last_exit), r.taps, r.flags) == ("02 08:00", "02 17:00", 3, ("repeats_collapsed",))


def test_same_direction_at_two_kiosks_within_the_window_is_collapsed() -> None:
    a, b = Kiosk("kiosk-a"), Kiosk("kiosk-b")
    a.tap(CARD1, "out", jst(2, 17, 0))
    b.tap(CARD1, "out", jst(2, 17, 1))
    a.tap(CARD1, "in", jst(2, 7, 0))
    [r] = rows(a.events + b.events)
    assert (hm(r.last_exit), r.flags) == ("02 17:00", ("repeats_collapsed",))


def test_amend_changes_the_direction_and_the_last_amend_wins() -> None:
    k = Kiosk()
    k.tap(CARD1, "in", jst(2, 8, 0))
    wrong = k.tap(CARD1, "in", jst(2, 17, 0))
    k.amend(wrong.seq, "in", jst(2, 17, 2))
    k.amend(wrong.seq, "out", jst(2, 17, 3))
    [r] = rows(k.events)
    assert (hm(r.last_exit), r.flags) == ("02 17:00", ("amended",))


def test_unknown_card_gets_its_own_flagged_row() -> None:
    k = Kiosk()
    k.tap(CARD3, "in", jst(2, 8, 0))
    [r] = rows(k.events)
    assert (r.worker, r.idm, r.employer, r.flags) == (None, CARD3, None, ("entry_without_exit", "unknown_card"))
    assert not r.valid_for_assessment


def test_binding_an_unknown_card_later_reattributes_its_past_taps() -> None:
    k = Kiosk()
    k.tap(CARD3, "in", jst(2, 8, 0))
    k.tap(CARD3, "out", jst(2, 17, 0))
    k.bind(CARD3, W1, jst(5, 9, 0))
    k.tap(CARD3, "in", jst(6, 8, 0))
    got = [(r.work_day.day, r.worker, r.flags) for r in rows(k.events, bindings=[])]
    assert got == [(2, W1, ()), (6, W1, ("entry_without_exit",))]
    # the same through a registry binding dated back to the first tap
    got = [(r.work_day.day, r.worker) for r in rows(k.events[:2], bindings=[CardBinding(CARD3, W2, date(2026, 11, 2))])]
    assert got == [(2, W2)]


def test_a_reissued_card_keeps_history_right() -> None:
    lost, new = CARD1, CARD3
    bindings = [CardBinding(lost, W1, date(2026, 1, 1), date(2026, 11, 9)), CardBinding(new, W1, date(2026, 11, 10)),
                CardBinding(lost, W2, date(2026, 11, 20))]
    k = Kiosk()
    k.tap(lost, "in", jst(9, 8, 0))
    k.tap(new, "in", jst(10, 8, 0))
    k.tap(lost, "in", jst(21, 8, 0))
    got = [(r.work_day.day, r.worker) for r in rows(k.events, bindings=bindings)]
    assert got == [(9, W1), (10, W1), (21, W2)]


def test_roster_valid_that_day_is_used_and_gaps_are_flagged() -> None:
    roster = [
        RosterEntry(SITE, W1, SUB1, date(2026, 11, 1), date(2026, 11, 9), trade_code="0201", position="作業員"),
        RosterEntry(SITE, W1, SUB1, date(2026, 11, 10), date(2026, 11, 19), trade_code="0201", position="班長"),
        RosterEntry(SITE, W1, SUB1, date(2026, 11, 25), trade_code=None, position="班長"),
    ]
    k = Kiosk()
    for day in (5, 12, 22, 26):
        k.tap(CARD1, "in", jst(day, 8))
        k.tap(CARD1, "out", jst(day, 17))
    got = [(r.work_day.day, r.position, r.employer, r.flags, r.valid_for_assessment)
           for r in rows(k.events, roster=roster, employers={W1: PRIME})]
    assert got == [(5, "作業員", SUB1, (), True), (12, "班長", SUB1, (), True),
                   (22, None, PRIME, ("not_on_roster",), False), (26, "班長", SUB1, ("roster_incomplete",), False)]


def test_device_clock_jump_is_flagged() -> None:
    k = Kiosk()
    k.tap(CARD1, "in", jst(2, 8, 0))
    # wall clock says 17:00 but only 10 minutes of monotonic time passed
    k.add("tap", jst(2, 17, 0), mono_us=k._mono(jst(2, 8, 10)), idm=CARD1, direction="out")
    [r] = rows(k.events)
    assert r.flags == ("clock_suspect",)


def _correction(status: str, *, entry: datetime | None, exit_: datetime | None, origin: str = "direct") -> Correction:
    return Correction(SITE, W1, date(2026, 11, 3), entry, exit_, origin, W1, jst(4, 9), status=status)  # type: ignore[arg-type]


def test_only_approved_corrections_count() -> None:
    requested = _correction("requested", entry=jst(3, 8), exit_=jst(3, 17))
    approved = _correction("approved", entry=jst(3, 8), exit_=jst(3, 17))
    assert rows([], corrections=[requested]) == []
    [r] = rows([], corrections=[approved])
    assert (r.worker, r.source, r.minutes_on_site, r.flags) == (W1, "correction", 540, ("corrected",))
    [r] = rows([], corrections=[_correction("approved", entry=jst(3, 8), exit_=None, origin="manual")])
    assert (r.source, r.flags) == ("manual", ("entry_without_exit", "corrected"))


def test_a_correction_completes_a_card_row() -> None:
    k = Kiosk()
    k.tap(CARD1, "in", jst(3, 8, 0))
    [r] = rows(k.events, corrections=[_correction("approved", entry=None, exit_=jst(3, 17, 0))])
    assert (r.source, hm(r.last_exit), r.flags) == ("card", "03 17:00", ("corrected",))


def test_taps_of_another_site_are_ignored() -> None:
    k = Kiosk(site="99190759824771")
    k.tap(CARD1, "in", jst(2, 8))
    assert rows(k.events) == []


def test_manual_events_become_claims() -> None:
    k = Kiosk()
    k.manual(W2, "in", jst(2, 8, 0), jst(2, 9, 0))
    d = derive(k.events)
    [m] = d.manuals
    assert (m.worker, m.direction, m.claimed_at, m.key) == (W2, "in", jst(2, 8, 0), ("kiosk-a", 1, 1))
    assert d.taps == []


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30),
                           timezones=st.sampled_from([UTC, JST, timezone(timedelta(hours=-9, minutes=-30)),
                                                      timezone(timedelta(hours=5, minutes=45))])),
       boundary=st.times(), zone=st.sampled_from(["Asia/Tokyo", "Europe/Berlin", "America/St_Johns",
                                                  "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]))
def test_the_fast_work_day_is_the_shared_one(moment: datetime, boundary: time, zone: str) -> None:
    """Rules.work_day (integer seconds, cached offsets) agrees with shared.siterules.work_day, DST and all."""
    boundary = boundary.replace(second=0, microsecond=0)
    rules = Rules(day_boundary=boundary, tz=ZoneInfo(zone))
    assert rules.work_day(moment) == siterules.work_day(moment, boundary, ZoneInfo(zone))


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30),
                           timezones=st.sampled_from([UTC, JST, timezone(timedelta(hours=5, minutes=45))])),
       boundary=st.times(), zone=st.sampled_from(["Asia/Tokyo", "Europe/Berlin", "America/St_Johns",
                                                  "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]),
       probes=st.lists(st.floats(0, 1), min_size=1, max_size=8))
def test_a_work_day_span_holds_one_work_day(moment: datetime, boundary: time, zone: str,
                                            probes: list[float]) -> None:
    """Rules.work_day_span (what reconcile uses on sorted taps): the day of ``moment``, and every time in its
    range — including both ends' neighbourhood, DST changes, day boundaries inside the quarter hour — has it."""
    boundary = boundary.replace(second=0, microsecond=0)
    rules = Rules(day_boundary=boundary, tz=ZoneInfo(zone))
    day, lo, hi = rules.work_day_span(moment)
    assert day == siterules.work_day(moment, boundary, ZoneInfo(zone))
    assert lo is not None and hi is not None and lo <= moment < hi
    assert hi - lo <= timedelta(minutes=15)
    for p in probes:
        inside = lo + (hi - lo) * p
        if inside < hi:
            assert rules.work_day(inside) == day
    # the range is as large as it can be: it ends at a change of day or at a quarter hour (UTC)
    assert rules.work_day(hi) != day or (hi.minute % 15, hi.second, hi.microsecond) == (0, 0, 0)
    assert rules.work_day(lo - timedelta(microseconds=1)) != day or (lo.minute % 15, lo.second) == (0, 0)
