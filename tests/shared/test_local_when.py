"""``local_when``: how every screen (the tablet's pages, the touch screen's alarms, ``genba tablet list``) shows a
moment that may not be today's: ``MM/DD HH:MM`` in the site's zone, from a time or from a text as stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.siterules import site_timezone
from shared.timefmt import local_when

TOKYO = site_timezone("Asia/Tokyo")


@pytest.mark.parametrize("moment, shown", [
    (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), "01/01 00:00"),  # a new year at the site
    (datetime(2026, 11, 20, 6, 40, tzinfo=timezone(timedelta(hours=1))), "11/20 14:40"),
    ("2026-11-19T21:40:00.000Z", "11/20 06:40"),  # a UTC machine's text
    ("2026-11-20T06:40:00+09:00", "11/20 06:40"),
    ("2026-11-20T06:40:00-05:00", "11/20 20:40"),
    ("2026-11-20T06:40:59.999999999+09:00", "11/20 06:40"),  # never rounded up into the next minute
])
def test_times_and_stored_texts_are_shown_in_the_sites_zone(moment: datetime | str, shown: str) -> None:
    assert local_when(moment, TOKYO) == shown


@pytest.mark.parametrize("damaged", [
    "not a time", "2026-11-20 06:40", "2026-13-01T00:00:00Z", "2026-11-20T06:40:00+24:00", "x" * 500,
    "9999-12-31T23:00:00-05:00",  # a valid text whose instant has no local time in Tokyo (past year 9999)
    "0001-01-01T00:00:00+09:00",  # nor in UTC-5
])
def test_a_damaged_or_unshowable_text_is_shown_as_stored_never_an_error(damaged: str) -> None:
    zone = timezone(timedelta(hours=-5)) if damaged.startswith("0001") else TOKYO
    assert local_when(damaged, zone) == damaged


def test_a_time_without_a_local_time_is_shown_in_its_own_offset() -> None:
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert local_when(edge, TOKYO) == "9999-12-31T23:00:00.000-05:00"


def test_nothing_shows_as_nothing() -> None:
    assert local_when(None, TOKYO) == local_when("", TOKYO) == ""



def test_local_hm_gives_the_hour_in_the_sites_zone_and_falls_back_like_local_when() -> None:
    from shared.timefmt import local_hm

    assert local_hm("2026-11-19T21:40:00+00:00", TOKYO) == "06:40"  # a pairing code's end written on a UTC machine
    assert local_hm(datetime(2026, 11, 20, 6, 40, tzinfo=TOKYO), TOKYO) == "06:40"
    assert local_hm("garbled", TOKYO) == "garbled"
    assert local_hm(None, TOKYO) == local_hm("", TOKYO) == ""
