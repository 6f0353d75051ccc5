"""``reconcile_stored`` (rows as the store writes them, no WorkDay per row) equals ``reconcile`` formatted the way
the store formatted each WorkDay before: random taps, repeats, amends, kiosk binds, approved corrections of both
origins, a roster with complete and incomplete entries, in a site-local zone and in UTC (``…Z`` times)."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain.corrections import Correction
from server.domain.reconcile import STORED, Rules, WorkDay, reconcile, reconcile_stored
from server.domain.registry import CardBinding
from server.domain.roster import RosterEntry
from server.domain.taps import derive
from shared.timefmt import format_rfc3339
from tests.server_domain.factory import CARD1, CARD2, CARD3, SITE, SUB1, W1, W2, W3, jst
from tests.server_domain.test_reconcile_properties import action, build

BINDINGS = [CardBinding(CARD1, W1, date(2026, 1, 1)), CardBinding(CARD2, W2, date(2026, 1, 1), date(2026, 11, 3))]
ROSTER = [RosterEntry(SITE, W1, SUB1, date(2026, 11, 2), trade_code="0201", position="職長"),
          RosterEntry(SITE, W2, SUB1, date(2026, 11, 1), trade_code="0201")]


def as_stored(w: WorkDay) -> tuple[Any, ...]:
    """How the store wrote a WorkDay before reconcile_stored (format_rfc3339 of the site-local times)."""
    first, last = w.first_entry, w.last_exit
    return (w.site, w.work_day.isoformat(), w.worker if w.worker is not None else f"card:{w.idm}", w.worker, w.idm,
            w.employer, w.trade_code, w.trade_name, w.position, w.work_content, w.hazardous,
            format_rfc3339(first) if first else None, format_rfc3339(last) if last else None, w.minutes_on_site,
            w.source, w.taps, " ".join(w.devices), " ".join(w.flags))


correction = st.tuples(st.sampled_from([W1, W2, W3]), st.integers(1, 4), st.integers(0, 4 * 24 * 60),
                       st.integers(0, 1200), st.sampled_from(["direct", "manual"]), st.integers(0, 2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=40), fixes=st.lists(correction, max_size=4), utc=st.booleans(),
       some_days=st.booleans())
def test_stored_rows_are_the_work_days_as_the_store_formats_them(actions, fixes, utc, some_days) -> None:  # type: ignore[no-untyped-def]
    rules = Rules(day_boundary=time(4), tz=UTC if utc else ZoneInfo("Asia/Tokyo"), repeat_window=timedelta(minutes=2))
    d = derive([e for log in build(actions) for e in log])
    corrections = []
    for worker, day, minute, length, origin, which in fixes:
        start = jst(1, 0) + timedelta(minutes=minute, milliseconds=minute)
        corrections.append(Correction(
            site=SITE, worker=worker, work_day=date(2026, 11, day), entry_at=start if which != 2 else None,
            exit_at=start + timedelta(minutes=length) if which != 1 else None, origin=origin,  # type: ignore[arg-type]
            requested_by=SUB1, requested_at=jst(5, 0), status="approved"))
    days = {date(2026, 11, 2), date(2026, 11, 3)} if some_days else None
    kw: dict[str, Any] = {"rules": rules, "bindings": BINDINGS, "binds": d.binds, "roster": ROSTER,
                          "corrections": corrections, "employers": {W3: SUB1}, "days": days}
    expected = sorted(as_stored(w) for w in reconcile(SITE, d.taps, **kw))
    got = reconcile_stored(SITE, d.taps, **kw)
    assert all(len(r) == len(STORED) for r in got)
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_a_utc_site_writes_z_times_and_a_local_one_its_offset() -> None:
    d = derive([e for log in build([(0, 8 * 60, 0, "tap", True), (1, 17 * 60, 0, "tap", False)]) for e in log])
    for tz, suffix in ((UTC, "Z"), (ZoneInfo("Asia/Tokyo"), "+09:00")):
        [row] = reconcile_stored(SITE, d.taps, rules=Rules(tz=tz), bindings=BINDINGS, roster=ROSTER)
        assert str(row[STORED.index("first_entry")]).endswith(suffix)
        assert row[STORED.index("subject")] == W1 and row[STORED.index("minutes_on_site")] == 540
    assert CARD3 not in str(d.taps)


@settings(max_examples=100, deadline=None)
@given(taps=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["k-a", "k-b", "k-c"]), st.integers(1, 2),
                               st.integers(1, 9)), max_size=30))
def test_taps_sorted_by_time_then_ties_by_log_position_are_in_the_total_order(taps) -> None:  # type: ignore[no-untyped-def]
    from server.domain.reconcile import _ORDER, _in_order
    from server.domain.taps import SiteTap

    made = [SiteTap(SITE, device, epoch, seq, jst(2, 8, minute), "tap", CARD1, "in")
            for minute, device, epoch, seq in taps]
    assert _in_order(list(made)) == sorted(made, key=_ORDER)
