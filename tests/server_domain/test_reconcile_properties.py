"""Property tests: rows depend only on the set of events; incremental recomputation equals a rebuild."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain.reconcile import Rules, WorkDay, affected_days, reconcile, window
from server.domain.registry import CardBinding
from server.domain.roster import RosterEntry
from server.domain.taps import LogEvent, derive, derive_log
from shared.event import Event
from shared.timefmt import format_rfc3339, parse_rfc3339
from tests.server_domain.factory import CARD1, CARD2, CARD3, SITE, SUB1, W1, W2, Kiosk, batches, jst

RULES = Rules()
BINDINGS = [CardBinding(CARD1, W1, date(2026, 1, 1)), CardBinding(CARD2, W2, date(2026, 1, 1), date(2026, 11, 3))]
ROSTER = [RosterEntry(SITE, W1, SUB1, date(2026, 11, 2), trade_code="0201", position="職長")]
CARDS = [CARD1, CARD2, CARD3]

# one action: (kiosk index, minutes since Nov 1 00:00 JST, card index, kind, direction-is-in)
action = st.tuples(st.integers(0, 2), st.integers(0, 4 * 24 * 60), st.integers(0, 2),
                   st.sampled_from(["tap", "tap", "tap", "repeat", "amend", "bind"]), st.booleans())


def build(actions: list[tuple[int, int, int, str, bool]]) -> list[list[Event]]:
    """Three device logs; each device's clock runs forward (its own events are in time order)."""
    kiosks = [Kiosk(f"kiosk-{i}") for i in range(3)]
    start = jst(1, 0)
    for k_i, minute, card, kind, is_in in sorted(actions, key=lambda a: (a[0], a[1])):
        k = kiosks[k_i]
        at = start + timedelta(minutes=minute)
        direction = "in" if is_in else "out"
        if kind == "tap" or not k.events:
            k.tap(CARDS[card], direction, at)
        elif kind == "repeat":
            k.repeat(CARDS[card], direction, at, ref=k.seq)
        elif kind == "amend":
            k.amend(max(1, k.seq - card), direction, at)
        else:
            k.bind(CARDS[card], [W1, W2, "12345678901234"][card], at)
    return [k.events for k in kiosks]


def full(events: list[Event]) -> list[WorkDay]:
    d = derive(events)
    return reconcile(SITE, d.taps, rules=RULES, bindings=BINDINGS, binds=d.binds, roster=ROSTER)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=40), size=st.integers(1, 5), order=st.randoms(use_true_random=False))
def test_any_interleaving_of_batches_gives_the_same_rows(actions, size, order) -> None:  # type: ignore[no-untyped-def]
    logs = build(actions)
    pieces = [b for log in logs for b in batches(log, size)]
    # keep each device's batches in order (ingest refuses gaps) but interleave devices at random
    queues = [batches(log, size) for log in logs]
    arrival: list[Event] = []
    while any(queues):
        q = order.choice([q for q in queues if q])
        arrival.extend(q.pop(0))
    assert len(arrival) == sum(len(p) for p in pieces)
    assert full(arrival) == full([e for log in logs for e in log])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=40), size=st.integers(1, 5), order=st.randoms(use_true_random=False))
def test_incremental_recomputation_equals_rebuild(actions, size, order) -> None:  # type: ignore[no-untyped-def]
    """What the store does after each ingest: recompute only the affected days, from a time window of taps."""
    queues = [batches(log, size) for log in build(actions)]
    seen: list[Event] = []
    rows: dict[tuple[str | None, str | None, date], WorkDay] = {}
    while any(queues):
        batch = order.choice([q for q in queues if q]).pop(0)
        before = {t.key: t for t in derive(seen).taps}
        seen.extend(batch)
        d = derive(seen)
        moments: list[datetime] = []
        for t in d.taps:  # new taps, and taps whose direction an amend just changed
            old = before.get(t.key)
            if old is None or old != t:
                moments.append(t.at)
        for b in d.binds:  # a new kiosk bind re-attributes every tap of its card
            if b.key in {(e.device, e.epoch, e.seq) for e in batch}:
                moments += [t.at for t in d.taps if t.idm == b.idm]
        if not moments:
            continue
        days = affected_days(moments, RULES)
        lo, hi = window(days, RULES)
        taps = [t for t in d.taps if lo <= t.at < hi]
        fresh = reconcile(SITE, taps, rules=RULES, bindings=BINDINGS, binds=d.binds, roster=ROSTER, days=days)
        rows = {k: v for k, v in rows.items() if k[2] not in days}
        rows.update({(r.worker, r.idm, r.work_day): r for r in fresh})
    incremental = sorted(rows.values(), key=lambda r: (r.work_day, r.worker or "", r.idm or ""))
    assert incremental == full(seen)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action, max_size=40), data=st.data())
def test_the_servers_log_path_derives_what_derive_does(actions, data) -> None:  # type: ignore[no-untyped-def]
    """derive_log (rebuild and the worker: typed columns, one device log, corrected times, server clock flags)
    interprets exactly as derive does, from any first event on, with clock jumps, amends, repeats and binds."""
    for log in build(actions):
        if not log:
            continue
        n = len(log)
        jumps = [0, 0, 0, 1, 5, -3600, 86400 * 400, 86400 * 366 * 80]  # the last one: an impossible year (2106)
        skews = data.draw(st.lists(st.sampled_from(jumps), min_size=n, max_size=n))
        shifts = data.draw(st.lists(st.integers(-90, 90), min_size=n, max_size=n))
        flagged = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
        events = [replace(e, at=format_rfc3339(parse_rfc3339(e.at) + timedelta(seconds=s)))
                  for e, s in zip(log, skews, strict=True)]
        corrected = [(parse_rfc3339(e.at) + timedelta(seconds=s)).astimezone(UTC)
                     for e, s in zip(log, shifts, strict=True)]
        split = data.draw(st.integers(0, n - 1))
        rest = range(split, n)
        keys = [(e.device, e.epoch, e.seq) for e in events]
        expected = derive([events[i] for i in rest], extra_suspect={keys[i] for i in rest if flagged[i]},
                          retimed={keys[i]: corrected[i] for i in rest},
                          previous={(events[0].device, events[0].epoch): events[split - 1]} if split else None)
        got = derive_log([LogEvent.of(events[i], corrected[i], flagged[i]) for i in rest],
                         LogEvent.of(events[split - 1]) if split else None)
        assert got == expected
