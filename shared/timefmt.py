"""Wall-clock timestamps: RFC 3339 with an explicit offset, one format everywhere.

Events carry the device's wall clock as text (``2026-11-22T07:42:13.123+09:00``);
it is evidence, not truth (ARCHITECTURE decision 5), so we keep exactly what
the device wrote and only check that it is well formed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from shared.errors import InvalidTimestamp

_RFC3339_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})"
)

JST = timezone(timedelta(hours=9), "JST")
"""Asia/Tokyo has had no daylight saving since 1951, so a fixed offset is exact."""


def parse_rfc3339(text: object) -> datetime:
    """Parse an RFC 3339 timestamp with offset; refuse anything else with :class:`InvalidTimestamp`."""
    if not isinstance(text, str):
        raise InvalidTimestamp(f"timestamp must be text, got {type(text).__name__}")
    m = _RFC3339_RE.fullmatch(text)
    if not m:
        raise InvalidTimestamp(f"not an RFC 3339 timestamp with offset: {text[:60]!r}")
    try:  # the form is checked above; the C parser is ~100x faster than building it by hand (issue 10)
        return datetime.fromisoformat(text)
    except ValueError:
        pass  # out of range: the code below names what is wrong
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac, off = m.group(7), m.group(8)
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    if off == "Z":
        tz = UTC
    else:
        sign = 1 if off[0] == "+" else -1
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            raise InvalidTimestamp(f"offset out of range: {text!r}")
        tz = timezone(sign * timedelta(hours=oh, minutes=om))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:  # e.g. month 13, Feb 30, second 60
        raise InvalidTimestamp(f"impossible date or time in {text!r}: {exc}") from None


def format_rfc3339(moment: datetime) -> str:
    """Format an aware datetime as RFC 3339 with millisecond precision and its own offset."""
    if moment.tzinfo is UTC:  # the server's own times (corrected times, stamps): one call, no offset arithmetic
        return moment.isoformat(timespec="milliseconds")[:-6] + "Z"
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidTimestamp("refusing to format a naive datetime: the offset is part of the evidence")
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if moment.utcoffset() == timedelta(0) else text


def _shown(moment: datetime | str | None, tz: tzinfo | None, write: Callable[[datetime], str]) -> str:
    """``write`` of ``moment`` (a time, or an RFC 3339 text as stored) in the zone ``tz``; empty for none. A text
    that does not parse, or a moment with no local time there (year 1 or past 9999), is shown as stored."""
    if not moment:
        return ""
    try:
        local = (parse_rfc3339(moment) if isinstance(moment, str) else moment).astimezone(tz)
    except (InvalidTimestamp, OverflowError):
        return moment if isinstance(moment, str) else format_rfc3339(moment)
    return write(local)


def local_when(moment: datetime | str | None, tz: tzinfo | None) -> str:
    """``MM/DD HH:MM`` of a time, or of an RFC 3339 text as stored, in the zone ``tz`` (the site's): how every
    screen shows a moment that may not be today's; empty for none.

    A stored text carries the offset of the machine that wrote it (state.db, the journal: UTC on a UTC
    machine), so it is converted like a time. A text that does not parse is shown as stored rather than hidden.
    """
    return _shown(moment, tz, lambda d: f"{d.month:02d}/{d.day:02d} {d.hour:02d}:{d.minute:02d}")


def local_hm(moment: datetime | str | None, tz: tzinfo | None) -> str:
    """``HH:MM`` in the zone ``tz``, for a moment within the day (a pairing code's end); otherwise as
    :func:`local_when`."""
    return _shown(moment, tz, lambda d: f"{d.hour:02d}:{d.minute:02d}")
