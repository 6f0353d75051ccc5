"""The console's "today" is the site's date, not UTC's: in Japan UTC's date is yesterday's until 09:00. Pages that
default to the current month, a roster entry's default start date and the KPIs' today follow the site's calendar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.domain.errors import Invalid
from server.domain.report import shift_month
from tests.web.conftest import sign_in
from tests.web.world import WebWorld, build

# 05:00 JST on 1 December is still 30 November in UTC; 23:00 JST on 30 November is the same day in both.
MOMENTS = [(datetime(2026, 11, 30, 20, 0, tzinfo=UTC), "2026-12", "2026-12-01"),
           (datetime(2026, 11, 30, 14, 0, tzinfo=UTC), "2026-11", "2026-11-30")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebWorld]:
    w = build(tmp_path_factory.mktemp("today") / "server")
    yield w
    w.ctx.close()


def signed_in(world: WebWorld, now: datetime) -> TestClient:
    """An administrator signed in at ``now`` (a session is only as fresh as the clock says)."""
    world.clock.set_wall(now)
    c = TestClient(create_app(world.ctx.settings, context=world.ctx), base_url="http://genba.test")
    assert sign_in(c, world.logins["admin"]).status_code == 303  # type: ignore[attr-defined]
    return c


@pytest.mark.parametrize(("now", "month", "day"), MOMENTS, ids=["05:00-JST-on-the-1st", "23:00-JST-on-the-30th"])
def test_pages_default_to_the_sites_month_and_day(world: WebWorld, now: datetime, month: str, day: str) -> None:
    admin = signed_in(world, now)
    site = world.ids["site"]
    sites = admin.get("/sites")
    assert sites.status_code == 200
    assert f"{month} の KPI" in sites.text
    structure = admin.get(f"/sites/{site}")
    assert structure.status_code == 200
    assert set(re.findall(r"\?month=(\d{4}-\d{2})", structure.text)) == {month}
    roster = admin.get(f"/sites/{site}/roster")
    assert roster.status_code == 200
    assert re.search(r'name="valid_from" type="date" value="([^"]*)"', roster.text).group(1) == day  # type: ignore[union-attr]
    assert set(re.findall(r"\?month=(\d{4}-\d{2})", roster.text)) == {month}
    reports = admin.get(f"/sites/{site}/reports")
    assert reports.status_code == 200
    assert f"<h2>{month} の KPI</h2>" in reports.text


def test_an_asked_month_still_wins(world: WebWorld) -> None:
    admin = signed_in(world, MOMENTS[0][0])
    assert "2026-10 の KPI" in admin.get("/sites?month=2026-10").text


@pytest.mark.parametrize("month", ["2026-1x", "abcdefg", "2026-13", "202612", ""])
def test_a_malformed_month_is_a_clear_422_not_a_server_error(world: WebWorld, month: str) -> None:
    admin = signed_in(world, MOMENTS[0][0])
    r = admin.get("/sites", params={"month": month})
    if month == "":  # empty means "not asked": the default month
        assert r.status_code == 200 and "2026-12 の KPI" in r.text
    else:
        assert r.status_code == 422
        assert "月は YYYY-MM の形式で指定してください。" in r.text


@pytest.mark.parametrize(("month", "by", "expected"), [
    ("2026-12", -1, "2026-11"), ("2026-01", -1, "2025-12"), ("2026-12", 1, "2027-01"), ("2026-03", -14, "2025-01"),
    ("2026-03", 0, "2026-03")])
def test_months_shift_across_years(month: str, by: int, expected: str) -> None:
    """The ← and → links of the sites, calendar and reports pages (one function for the three)."""
    assert shift_month(month, by) == expected


def test_shifting_a_malformed_month_is_refused() -> None:
    with pytest.raises(Invalid):
        shift_month("2026-1x", -1)


def test_reports_may_be_asked_up_to_next_month_by_the_date_in_japan(world: WebWorld) -> None:
    """At 05:00 JST on 1 December it is still 30 November in UTC: next month is January, not December."""
    admin = signed_in(world, MOMENTS[0][0])
    site = world.ids["site"]
    assert admin.get(f"/sites/{site}/reports/calendar.csv", params={"month": "2027-01"}).status_code == 200
    refused = admin.get(f"/sites/{site}/reports/calendar.csv", params={"month": "2027-02"})
    assert refused.status_code == 422 and "2027-02" in refused.text
