"""A realistic site day for the browser tests and the screenshots: three earlier working days, then today
with entries, exits, an unknown card, a cardholder not on the roster and two regulars who have not come."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from shared.clock import ManualClock
from shared.timefmt import JST
from tests.tablet.conftest import OUTSIDER, UNKNOWN, Kiosk, card, make_site

START = datetime(2026, 11, 17, 7, 20, tzinfo=JST)
TODAY_IN = (1, 2, 4, 6, 5)
"""Cards that enter today; 5 also leaves. 3 and 7 came on earlier days only: 未タッチ者."""


def busy_site(root: Path) -> Kiosk:
    """A kiosk whose journal holds the scene; its clock stands at today 18:20 (after the end of day)."""
    clock = ManualClock(START)
    kiosk = Kiosk(make_site(root), clock).start()
    for _day in range(3):
        for n in range(1, 8):
            kiosk.tap(card(n), after_s=40)
        clock.advance(9 * 3600)
        for n in range(1, 8):
            kiosk.tap(card(n), after_s=40)
        clock.advance(24 * 3600 - 9 * 3600 - 560)
    # today, 2026-11-20
    for n in TODAY_IN:
        kiosk.tap(card(n), after_s=90)
    kiosk.tap(UNKNOWN, after_s=200)
    kiosk.tap(OUTSIDER, after_s=60)
    kiosk.tap(card(5), after_s=4 * 3600)
    now = clock.wall()
    clock.advance((now.replace(hour=18, minute=20) - now).total_seconds())
    return kiosk
