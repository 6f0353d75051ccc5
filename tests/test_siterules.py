"""A site's day rules are written once (shared/siterules.py) and every part uses the same values.

The review behind issue 11 found the default repeat window as 300 s (state.db), 120 s (kiosk, server
reconciliation) and 60 s (the server's device pull): a kiosk with no site configuration yet and the server
then disagreed on what is a repeat. Each default below must be the one in shared/siterules.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from kiosk.sources import SiteSettings
from server.domain.reconcile import Rules
from server.domain.registry import Site
from server.store.pull import PulledSiteConfig
from shared.siterules import (
    DEFAULT_DAY_BOUNDARY,
    DEFAULT_DAY_BOUNDARY_TEXT,
    DEFAULT_REPEAT_WINDOW_S,
    DEFAULT_TIMEZONE,
    day_start,
    site_timezone,
    work_day,
    worker_key,
)
from shared.state import SiteConfig
from shared.timefmt import JST

SITE, PRIME = "30000000000001", "20000000000001"


def test_every_part_defaults_to_the_same_day_boundary_repeat_window_and_timezone() -> None:
    edge = SiteConfig()
    assert (edge.day_boundary, edge.repeat_window_s, edge.timezone) == (
        DEFAULT_DAY_BOUNDARY_TEXT, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE)
    kiosk = SiteSettings(site=None)
    assert (kiosk.day_boundary, kiosk.repeat_window_s) == (DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S)
    pulled = PulledSiteConfig(SITE)
    assert (pulled.day_boundary, pulled.repeat_window_s, pulled.timezone) == (
        DEFAULT_DAY_BOUNDARY_TEXT, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE)
    site = Site(site=SITE, name="駅前", prime=PRIME)
    assert (site.day_boundary, site.repeat_window_s, site.timezone) == (
        DEFAULT_DAY_BOUNDARY, DEFAULT_REPEAT_WINDOW_S, DEFAULT_TIMEZONE)
    rules = Rules()
    assert rules.day_boundary == DEFAULT_DAY_BOUNDARY
    assert rules.repeat_window == timedelta(seconds=DEFAULT_REPEAT_WINDOW_S)
    assert DEFAULT_DAY_BOUNDARY_TEXT == "04:00" and DEFAULT_REPEAT_WINDOW_S == 120


def test_a_night_shift_after_midnight_belongs_to_the_day_it_started() -> None:
    assert work_day(datetime(2026, 11, 21, 1, 59, tzinfo=JST)) == date(2026, 11, 20)
    assert work_day(datetime(2026, 11, 21, 4, 0, tzinfo=JST)) == date(2026, 11, 21)
    # The same instant given in UTC: the site's timezone decides, not the clock's offset.
    assert work_day(datetime(2026, 11, 20, 19, 30, tzinfo=UTC)) == date(2026, 11, 21)
    assert work_day(datetime(2026, 11, 21, 4, 30, tzinfo=JST), time(5, 0)) == date(2026, 11, 20)
    assert day_start(date(2026, 11, 21)) == datetime(2026, 11, 21, 4, 0, tzinfo=JST)


def test_the_kiosk_and_the_server_compute_the_same_work_day() -> None:
    rules = Rules.for_site(Site(site=SITE, name="駅前", prime=PRIME, day_boundary=time(5, 30)))
    for hour in range(24):
        moment = datetime(2026, 11, 21, hour, 15, tzinfo=JST)
        assert rules.work_day(moment) == work_day(moment, time(5, 30), site_timezone(DEFAULT_TIMEZONE))


def test_a_person_is_their_worker_id_when_the_card_is_bound_else_the_card() -> None:
    assert worker_key("10000000000001", "012E4CD81A2B3C4D") == "10000000000001"
    assert worker_key(None, "012E4CD81A2B3C4D") == "card:012E4CD81A2B3C4D"


def test_an_unknown_timezone_name_falls_back_to_japan() -> None:
    assert site_timezone("Mars/Olympus_Mons") is JST
    assert site_timezone(DEFAULT_TIMEZONE).utcoffset(datetime(2026, 1, 1)) == timedelta(hours=9)
