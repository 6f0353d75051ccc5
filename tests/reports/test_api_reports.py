"""The reports API: formats by query or Accept, disclosure of every download, bad input refused."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from server.reports import FORMATS, KINDS
from tests.server_domain.api_world import SITE_B, World, snapshot
from tests.server_domain.factory import SITE, W1, W2

MONTH = "2026-11"
NAME_W1, NAME_W2 = "技能者21", "技能者72"


def get(world: World, role: str, kind: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    accept = params.pop("accept", None)
    if accept:
        headers["Accept"] = accept
    params.setdefault("month", MONTH)
    return world.client.get(f"/api/v1/sites/{params.pop('site', SITE)}/reports/{kind}", params=params,
                            headers=headers)


def csv_text(r: Any) -> str:
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"\xef\xbb\xbf")
    return str(r.content.decode("utf-8-sig"))


def test_the_list_of_reports_offers_every_kind_and_format(world: World) -> None:
    body = world.ok("prime", "GET", "/reports")
    assert [k["kind"] for k in body["kinds"]] == list(KINDS)
    assert body["formats"] == list(FORMATS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_comes_as_csv_with_bom_and_as_xlsx(world: World, kind: str) -> None:
    text = csv_text(get(world, "admin", kind, format="csv"))
    assert text.count("\r\n") >= 2
    r = get(world, "admin", kind, format="xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"{kind}_{SITE}_" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames


def test_format_follows_the_accept_header_when_no_parameter_is_given(world: World) -> None:
    r = get(world, "admin", "calendar", accept="application/pdf")
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = get(world, "admin", "calendar", accept="text/csv; charset=Shift_JIS")
    assert r.headers["content-type"].endswith("shift_jis")
    assert NAME_W1 in r.content.decode("cp932")
    r = get(world, "admin", "calendar")
    assert r.headers["content-type"].startswith("text/csv; charset=utf-8")


def test_an_accept_header_with_nothing_we_can_produce_is_406(world: World) -> None:
    r = get(world, "admin", "calendar", accept="image/png")
    assert r.status_code == 406 and r.json()["code"] == "unknown_report_format"


def test_calendar_shows_entry_and_exit_and_credits_only_members(world: World) -> None:
    text = csv_text(get(world, "admin", "calendar", format="csv"))
    line = next(x for x in text.splitlines() if NAME_W1 in x)
    cells = line.split(",")
    assert "08:00-17:00" in cells
    # membership unknown (None) → no credited days: a "—", never a count
    assert cells[-2] == "" and cells[-1] == "—"


@pytest.mark.parametrize(("role", "sees", "hidden"), [
    ("admin", {NAME_W1, NAME_W2}, set()),
    ("prime", {NAME_W1, NAME_W2}, set()),
    ("manager", {NAME_W1, NAME_W2}, set()),
    ("sub1", {NAME_W1, NAME_W2}, set()),
    ("sub2", {NAME_W1}, {NAME_W2}),
    ("w1", {NAME_W1}, {NAME_W2}),
    ("w2", {NAME_W2}, {NAME_W1}),
])
@pytest.mark.parametrize("kind", ["calendar", "attendance", "labour", "roster"])
def test_a_download_holds_only_the_workers_the_viewer_may_see(world: World, role: str, sees: set[str],
                                                            hidden: set[str], kind: str) -> None:
    text = csv_text(get(world, role, kind, format="csv"))
    for name in sees:
        assert name in text, (role, kind, name)
    for name in hidden:
        assert name not in text, (role, kind, name)


def test_a_company_not_on_the_site_gets_404_and_learns_nothing(world: World) -> None:
    r = get(world, "other", "calendar", format="csv")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_roster_details_are_read_only_by_roster_level_readers(world: World) -> None:
    body = {"birth_date": "1980-04-02", "hire_date": "2010-04-01", "emergency_name": "技能 花子",
            "emergency_relation": "妻", "emergency_phone": "090-1234-5678", "health_general": "2026-01-10",
            "credentials": [{"kind": "skill_training", "name": "玉掛け", "obtained": "2015-06-01"},
                            {"kind": "licence", "name": "クレーン", "expires": "2026-12-01"}]}
    world.ok("sub2", "PUT", f"/workers/{W1}/details", body)
    assert world.ok("prime", "GET", f"/workers/{W1}/details")["birth_date"] == "1980-04-02"
    assert world.ok("w1", "GET", f"/workers/{W1}/details")["emergency_phone"] == "090-1234-5678"
    assert world.call("other", "GET", f"/workers/{W1}/details").status_code == 404
    assert world.call("w2", "GET", f"/workers/{W1}/details").status_code == 404
    sheet = csv_text(get(world, "prime", "roster", format="csv"))
    assert "1980-04-02" in sheet and "090-1234-5678" in sheet and "クレーン（2026-12-01まで）" in sheet
    assert "1980-04-02" not in csv_text(get(world, "w2", "roster", format="csv"))


def test_only_the_employer_or_admin_may_write_roster_details(world: World) -> None:
    before = snapshot(world.engine)
    r = world.call("prime", "PUT", f"/workers/{W1}/details", {"birth_date": "1990-01-01"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert snapshot(world.engine) == before


@pytest.mark.parametrize(("body", "code"), [
    ({"birth_date": "1990-13-01"}, "malformed"),
    ({"emergency_phone": "call me"}, "invalid_worker_details"),
    ({"emergency_name": "x" * 41}, "malformed"),
    ({"credentials": [{"kind": "magic", "name": "x"}]}, "invalid_worker_details"),
    ({"credentials": [{"kind": "licence", "name": "x", "obtained": "2020-01-01", "expires": "2019-01-01"}]},
     "invalid_worker_details"),
    ({"credentials": [{"kind": "licence", "name": "x"}] * 41}, "malformed"),
    ({"birth_date": "1990-01-01", "hire_date": "1980-01-01"}, "invalid_worker_details"),
    ({"unknown_field": 1}, "malformed"),
    ({"emergency_name": "a\x00b"}, "malformed"),
])
def test_malformed_roster_details_are_refused_and_change_nothing(world: World, body: dict[str, Any],
                                                                  code: str) -> None:
    before = snapshot(world.engine)
    r = world.call("admin", "PUT", f"/workers/{W2}/details", body)
    assert r.status_code in (400, 422) and r.json()["code"] == code, r.text
    assert snapshot(world.engine) == before


def test_new_entrant_education_is_recorded_and_the_daily_list_follows_it(world: World) -> None:
    daily = csv_text(get(world, "admin", "daily", format="csv", day="2026-11-02"))
    block = daily.split("新規入場者教育 未実施")[1]
    assert NAME_W2 in block
    world.ok("prime", "PUT", f"/sites/{SITE}/education/{W2}", {"educated_on": "2026-11-01"})
    daily = csv_text(get(world, "admin", "daily", format="csv", day="2026-11-02"))
    assert NAME_W2 not in daily.split("新規入場者教育 未実施")[1]
    assert world.call("w1", "PUT", f"/sites/{SITE}/education/{W2}", {"educated_on": "2026-11-01"}).status_code == 403


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"month": "2026-13"}, 400, "malformed"),
    ({"month": "2026-1"}, 400, "malformed"),
    ({"month": "1999-12"}, 422, "report_range_too_large"),
    ({"month": "2031-01"}, 422, "report_range_too_large"),
    ({"format": "docx"}, 406, "unknown_report_format"),
    ({"format": "x" * 30}, 400, "malformed"),
    ({"day": "2026-12-01"}, 422, "invalid"),
    ({"day": "yesterday"}, 400, "malformed"),
])
def test_bad_parameters_are_refused_with_a_code(world: World, params: dict[str, str], status: int,
                                                code: str) -> None:
    kind = "daily" if "day" in params else "calendar"
    r = get(world, "admin", kind, **params)
    assert r.status_code == status and r.json()["code"] == code, r.text


def test_unknown_kind_and_unknown_site_are_refused(world: World) -> None:
    r = get(world, "admin", "payroll", format="csv")
    assert r.status_code == 422 and r.json()["code"] == "unknown_report_kind"
    assert "calendar" in r.json()["kinds"]
    r = get(world, "admin", "calendar", site="99999999999999", format="csv")
    assert r.status_code == 404
    r = get(world, "admin", "calendar", site="12345", format="csv")
    assert r.status_code == 400 and r.json()["code"] == "malformed"
    r = get(world, "admin", "calendar", site=SITE_B, format="csv")
    assert r.status_code == 200  # a site without rows is an empty report, not an error


def test_reports_need_a_token(world: World) -> None:
    r = world.client.get(f"/api/v1/sites/{SITE}/reports/calendar", params={"month": MONTH})
    assert r.status_code == 401 and r.json()["code"] == "bad_token"
