"""The tablet keeps each person's row between polls and builds again only the rows a new event changed; after
every kind of event the rows must be exactly what a fresh fold of the journal gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from kiosk.web.siteday import SiteDay
from tests.tablet.conftest import UNKNOWN, Kiosk, card


def _fresh(kiosk: Kiosk) -> dict[str, object]:
    day = SiteDay(kiosk.data, kiosk.clock.wall)
    try:
        return {p.key: p for p in day.snapshot().people}
    finally:
        day.close()


def _kept(kiosk: Kiosk) -> dict[str, object]:
    assert kiosk.server is not None
    people = kiosk.server.app.day.snapshot().people
    keys = [p.key for p in people]
    assert len(keys) == len(set(keys))
    return {p.key: p for p in people}


def test_rows_kept_between_polls_match_a_fresh_fold_after_every_kind_of_event(kiosk: Kiosk) -> None:
    assert kiosk.core is not None
    core = kiosk.core
    steps: list[tuple[str, Callable[[], object]]] = [
        ("entry", lambda: kiosk.tap(card(1))),
        ("second worker", lambda: kiosk.tap(card(2), after_s=30)),
        ("unknown card", lambda: kiosk.tap(UNKNOWN, after_s=30)),
        ("repeat", lambda: kiosk.tap(card(2), after_s=5)),
        ("exit", lambda: kiosk.tap(card(1), after_s=3600)),
        ("bind the unknown card", lambda: kiosk.run(lambda: core.bind(UNKNOWN, "10000000000008"))),
        ("bound card exits", lambda: kiosk.tap(UNKNOWN, after_s=3600)),
        ("forgotten card", lambda: kiosk.run(
            lambda: core.manual("10000000000005", "in", kiosk.clock.wall() - timedelta(hours=2)))),
        ("amend the exit", lambda: kiosk.run(
            lambda: core.amend(max(e.seq for e in kiosk.events() if e.kind == "tap"), "in"))),
        ("entry again", lambda: kiosk.tap(card(1), after_s=600)),
    ]
    before = _kept(kiosk)
    for what, step in steps:
        old = dict(before)
        step()
        before = _kept(kiosk)
        assert before == _fresh(kiosk), what
        # rows nothing touched are the very same objects (kept, not built again) ...
        untouched = [k for k in before if k in old and before[k] == old[k]]
        assert all(before[k] is old[k] for k in untouched), what
    # ... and the rows did change along the way
    final = _kept(kiosk)
    assert final["10000000000008"].last_direction == "in"  # type: ignore[attr-defined]  # its exit amended
    assert final["10000000000001"].inside and final["10000000000005"].inside  # type: ignore[attr-defined]
