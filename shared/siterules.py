"""A site's day rules, written once: the kiosk, syncd and the server all use these.

A construction site's work day does not end at midnight: a night shift that leaves at 02:00 still belongs to
the day it started. So a work day runs from the site's **day boundary** (default 04:00 local time) to the
next day's, in the site's **timezone** (default Asia/Tokyo): :func:`work_day`. The same card touched again
within the **repeat window** (default 120 s) is the same entry or exit touched twice, journaled as a repeat
and not counted. A person on a day's list is keyed by :func:`worker_key`: the worker id (技能者ID) when the
card is bound to a worker, else the card itself.

Each site can override the three values (the server's site registry; the kiosk receives them with its
site configuration); these are the defaults wherever a value is not known yet. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.timefmt import JST

DEFAULT_DAY_BOUNDARY = time(4, 0)
"""Local time at which one work day ends and the next begins."""
DEFAULT_DAY_BOUNDARY_TEXT = DEFAULT_DAY_BOUNDARY.strftime("%H:%M")
"""The same, as sites and devices exchange it ("HH:MM")."""
DEFAULT_REPEAT_WINDOW_S = 120
"""Seconds within which the same card again is a repeat, not a new entry or exit."""
MAX_REPEAT_WINDOW_S = 3600
"""The longest repeat window a site may set (an hour: anything longer would swallow real exits)."""
DEFAULT_TIMEZONE = "Asia/Tokyo"


def site_timezone(name: str) -> tzinfo:
    """The IANA timezone ``name``, or Japan's when it is unknown on this machine (never raises)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return JST


def work_day(at: datetime, boundary: time = DEFAULT_DAY_BOUNDARY, tz: tzinfo = JST) -> date:
    """The work day a moment belongs to: its local date, shifted back by the day boundary."""
    local = at.astimezone(tz)
    return (local - timedelta(hours=boundary.hour, minutes=boundary.minute)).date()


def day_start(day: date, boundary: time = DEFAULT_DAY_BOUNDARY, tz: tzinfo = JST) -> datetime:
    """When work day ``day`` begins (its boundary, local time)."""
    return datetime.combine(day, boundary, tzinfo=tz)


def worker_key(worker: str | None, idm: str) -> str:
    """Who a tap is about on a day's list: the worker id if the card is bound to one, else ``card:IDM``."""
    return worker if worker is not None else f"card:{idm}"
